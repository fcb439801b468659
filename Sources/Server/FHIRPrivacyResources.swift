import Foundation
import Records

/// Consent directives and audit entries as FHIR R4 resources, shaped like the project's consent/audit examples
/// (treatment permit, research permit with DUO policies, IHE BALP-style AuditEvents).
enum FHIRPrivacyResources {
    static let consentScope = "http://terminology.hl7.org/CodeSystem/consentscope"
    static let actCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    static let actReason = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
    static let duo = "http://purl.obolibrary.org/obo/duo.owl"
    /// Tailor's consent categories (`genomic`, `clinical`, `monitoring`): HL7 has a sensitivity label for genetic
    /// information (GDIS) but none for the other two, so all three are also written in Tailor's own system.
    static let dataCategorySystem = "urn:tailor:data-category"
    static let consentProvisionSystem = "urn:tailor:consent-provision"

    static func coding(_ system: String, _ code: String, _ display: String? = nil) -> [String: Any] {
        var coding: [String: Any] = ["system": system, "code": code]
        if let display { coding["display"] = display }
        return coding
    }

    // MARK: Consent

    /// The security labels of the data a provision covers: the category in Tailor's system, plus HL7's GDIS for genomic data.
    static func labels(_ categories: Set<DataCategory>) -> [[String: Any]] {
        DataCategory.allCases.filter(categories.contains).flatMap { category -> [[String: Any]] in
            let own = coding(dataCategorySystem, category.rawValue, "\(category.rawValue) data")
            return category == .genomic ? [coding(actCode, "GDIS", "genetic disease information sensitivity"), own] : [own]
        }
    }

    /// One stored consent version as one R4 Consent (id = the version's ID), `active` when it is the newest version and
    /// `inactive` once superseded.
    ///
    /// Tailor's directive is opt-in for everything beyond the patient's choices, so the root provision is `deny` and the
    /// nested provisions are its exceptions:
    /// - `permit` purpose TREAT for the categories the care team may use (withheld categories are simply absent);
    /// - `permit` purpose HRESCH for the categories research may draw on, with one `code` per permitted DUO use
    ///   (DS carries its disease as the concept's text) and the DUO terms as `policy.uri` (as in the HMB example);
    /// - `permit` or `deny` purpose TREAT with code `secondary-findings`: whether ACMG secondary findings are reported.
    /// Scope is `patient-privacy`: one directive governs both treatment and research use; category LOINC 59284-0.
    static func consent(_ record: ConsentRecord, current: Bool) -> [String: Any] {
        let d = record.directive
        var provisions: [[String: Any]] = []
        if !d.treatment.isEmpty {
            provisions.append(["type": "permit", "purpose": [coding(actReason, "TREAT", "treatment")], "securityLabel": labels(d.treatment)])
        }
        if !d.researchUses.isEmpty && !d.researchCategories.isEmpty {
            let uses = d.researchUses.map { use -> [String: Any] in
                var concept: [String: Any] = ["coding": [coding(duo, use.duoCode, duoLabel(use))]]
                if case .diseaseSpecific(let disease) = use { concept["text"] = disease }
                return concept
            }
            provisions.append([
                "type": "permit", "purpose": [coding(actReason, "HRESCH", "healthcare research")], "securityLabel": labels(d.researchCategories),
                "code": uses,
            ])
        }
        provisions.append([
            "type": d.secondaryFindings ? "permit" : "deny", "purpose": [coding(actReason, "TREAT", "treatment")],
            "code": [["coding": [coding(consentProvisionSystem, "secondary-findings", "report ACMG secondary findings to the patient")]]],
        ])
        var resource: [String: Any] = [
            "resourceType": "Consent", "id": record.id.fhirID, "status": current ? "active" : "inactive",
            "meta": ["versionId": String(record.version)],
            "scope": ["coding": [coding(consentScope, "patient-privacy", "Privacy Consent")]],
            "category": [["coding": [coding("http://loinc.org", "59284-0", "Patient Consent")]]],
            "patient": ["reference": "Patient/\(record.patientID.fhirID)"],
            "dateTime": FHIRResources.instant(record.recordedAt),
            "policyRule": ["coding": [coding(actCode, "OPTIN", "opt-in")]],
            "provision": ["type": "deny", "provision": provisions] as [String: Any],
        ]
        let policies = d.researchUses.map { $0.duoCode.replacingOccurrences(of: "DUO:", with: "http://purl.obolibrary.org/obo/DUO_") }
        if !policies.isEmpty && !d.researchCategories.isEmpty {
            resource["policy"] = Array(Set(policies)).sorted().map { ["uri": $0] }
        }
        return resource
    }

    /// The DUO term's label (the ontology's own wording; the disease of a DS use goes in the concept's text).
    static func duoLabel(_ use: ResearchUse) -> String {
        switch use {
        case .general: "general research use"
        case .healthMedical: "health or medical or biomedical research"
        case .diseaseSpecific: "disease specific research"
        }
    }

    /// A patient's consent history (newest first, as the store returns it) as Consent resources.
    static func consents(_ history: [ConsentRecord]) -> [[String: Any]] {
        history.enumerated().map { index, record in consent(record, current: index == 0) }
    }

    // MARK: AuditEvent

    /// R4 `AuditEvent.outcome` for a decision: `0` success; `4` minor failure for a request refused for what it asked
    /// (no such patient, a rejected import, a failed sign-in); `8` serious failure for a refusal by the access policy or
    /// the patient's consent (as in the consent-denied research example).
    static func outcomeCode(_ record: AuditRecord) -> String {
        guard record.outcome == .deny else { return "0" }
        let minor = record.reason == "no such patient" || record.reason.hasPrefix("FHIR import rejected") || record.action == "login"
        return minor ? "4" : "8"
    }

    /// One audit entry as an R4 AuditEvent in the spirit of IHE BALP (no BALP profile is claimed: entries carry no
    /// network address):
    /// - an allowed read or write: `type` audit-event-type#rest with subtype read/create, `action` R/C;
    /// - a refusal: DICOM 110113 Security Alert, `action` E, outcome 4 or 8 (``outcomeCode(_:)``), the reason in `outcomeDesc`;
    /// - sign-ins: DICOM 110114 User Authentication.
    /// Agents: the caller (requestor, with role and purpose of use) and the server; entities: the patient (role 1) and the
    /// record part touched (a domain resource, role 4) with the request ID and the chain hash as details.
    static func auditEvent(_ entry: AuditEntry) -> [String: Any] {
        let r = entry.record
        let dcm = "http://dicom.nema.org/resources/ontology/DCM"
        var event: [String: Any] = ["resourceType": "AuditEvent", "id": "aud-\(entry.sequence)", "recorded": FHIRResources.instant(r.time)]
        event["outcome"] = outcomeCode(r)
        if r.action == "login" {
            event["type"] = coding(dcm, "110114", "User Authentication")
            event["subtype"] = [coding(dcm, "110122", "Login")]
            event["action"] = "E"
        } else if r.outcome == .deny {
            event["type"] = coding(dcm, "110113", "Security Alert")
            event["action"] = "E"
        } else {
            let write = r.action == Action.write.rawValue
            event["type"] = coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "Restful Operation")
            event["subtype"] = [coding("http://hl7.org/fhir/restful-interaction", write ? "create" : "read")]
            event["action"] = write ? "C" : "R"
        }
        if r.outcome == .deny || !r.reason.isEmpty { event["outcomeDesc"] = r.reason }
        // FHIR strings are never empty: a sign-in attempt with an empty username is written as `unknown`.
        let actor = r.actor.isEmpty ? "unknown" : r.actor
        var requestor: [String: Any] = [
            "type": ["coding": [coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP", "information recipient")]],
            "requestor": true,
            "who": ["identifier": ["system": "urn:tailor:user", "value": actor], "display": actor] as [String: Any],
            "role": [["coding": [coding("urn:tailor:role", r.actorRole.isEmpty ? "unknown" : r.actorRole)]]],
        ]
        if PurposeOfUse(rawValue: r.purpose) != nil {
            requestor["purposeOfUse"] = [["coding": [coding(actReason, r.purpose)]]]
        }
        let server: [String: Any] = [
            "type": ["coding": [coding(dcm, "110153", "Source Role ID")]], "requestor": false, "who": ["display": "Tailor server"],
        ]
        event["agent"] = [requestor, server]
        event["source"] = [
            "observer": ["display": "Tailor server"],
            "type": [coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server")],
        ] as [String: Any]
        var entities: [[String: Any]] = []
        if let patient = r.patientID {
            entities.append([
                "what": ["reference": "Patient/\(patient.fhirID)"],
                "type": coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"),
                "role": coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"),
            ])
        }
        entities.append([
            "name": r.resource,
            "type": coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"),
            "role": coding("http://terminology.hl7.org/CodeSystem/object-role", "4", "Domain Resource"),
            "detail": ([("request-id", r.requestID), ("audit-chain-hash", entry.hash)] as [(String, String)]).filter { !$0.1.isEmpty }
                .map { ["type": $0.0, "valueString": $0.1] },
        ])
        event["entity"] = entities
        return event
    }
}
