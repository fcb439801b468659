import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Records
import Phenotype
@testable import Server
import Store
import Testing

/// Consent history as FHIR Consent, the audit trail as AuditEvent, the Phenopacket export, `_include` and reads by ID.
@Suite struct FHIRPrivacyTests {
    // MARK: Consent mapping

    struct ConsentCase: Sendable, CustomTestStringConvertible {
        var name: String
        var directive: ConsentDirective
        /// Security-label codes of the TREAT permit (nil: no treatment permit at all).
        var treatment: [String]?
        /// DUO codes of the HRESCH permit (empty: no research permit).
        var research: [String]
        var researchLabels: [String]
        var policies: [String]
        var secondaryFindings: String
        var testDescription: String { name }
    }

    static let consentCases: [ConsentCase] = [
        ConsentCase(
            name: "default: all categories in care, no research, no secondary findings", directive: .default,
            treatment: ["GDIS", "genomic", "clinical", "monitoring"], research: [], researchLabels: [], policies: [], secondaryFindings: "deny"),
        ConsentCase(
            name: "genomic data withheld from treatment", directive: ConsentDirective(treatment: [.clinical, .monitoring]),
            treatment: ["clinical", "monitoring"], research: [], researchLabels: [], policies: [], secondaryFindings: "deny"),
        ConsentCase(
            name: "HMB research on genomic and clinical data, secondary findings wanted",
            directive: ConsentDirective(researchUses: [.healthMedical], researchCategories: [.genomic, .clinical], secondaryFindings: true),
            treatment: ["GDIS", "genomic", "clinical", "monitoring"], research: ["DUO:0000006"], researchLabels: ["GDIS", "genomic", "clinical"],
            policies: ["http://purl.obolibrary.org/obo/DUO_0000006"], secondaryFindings: "permit"),
        ConsentCase(
            name: "GRU and disease-specific research on clinical data",
            directive: ConsentDirective(researchUses: [.general, .diseaseSpecific("MONDO:0005148")], researchCategories: [.clinical]),
            treatment: ["GDIS", "genomic", "clinical", "monitoring"], research: ["DUO:0000042", "DUO:0000007"], researchLabels: ["clinical"],
            policies: ["http://purl.obolibrary.org/obo/DUO_0000007", "http://purl.obolibrary.org/obo/DUO_0000042"], secondaryFindings: "deny"),
        ConsentCase(
            name: "nothing in care", directive: ConsentDirective(treatment: []), treatment: nil, research: [], researchLabels: [], policies: [],
            secondaryFindings: "deny"),
    ]

    static func codes(_ value: Any?) -> [String] { ((value as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String } }

    @Test("consent version → Consent", arguments: consentCases)
    func consentMapping(_ c: ConsentCase) throws {
        let patient = PatientID(rawValue: "pat_c1")
        let record = ConsentRecord(
            id: ConsentID(rawValue: "cns_v2"), patientID: patient, version: 2, directive: c.directive, recordedAt: 1_714_557_600_000,
            recordedBy: UserID(rawValue: "usr_p"))
        let older = ConsentRecord(
            id: ConsentID(rawValue: "cns_v1"), patientID: patient, version: 1, directive: .default, recordedAt: 1_700_000_000_000,
            recordedBy: UserID(rawValue: "usr_p"))
        let resources = FHIRPrivacyResources.consents([record, older])
        #expect(resources.map { $0["status"] as? String } == ["active", "inactive"])
        let r = resources[0]
        #expect(r["resourceType"] as? String == "Consent" && r["id"] as? String == "cns-v2")
        #expect((r["meta"] as? [String: Any])?["versionId"] as? String == "2")
        #expect(Self.codes((r["scope"] as? [String: Any])?["coding"]) == ["patient-privacy"])
        #expect(Self.codes(((r["category"] as? [[String: Any]])?.first)?["coding"]) == ["59284-0"])
        #expect((r["patient"] as? [String: Any])?["reference"] as? String == "Patient/pat-c1")
        #expect(r["dateTime"] as? String == "2024-05-01T10:00:00Z")
        #expect(Self.codes((r["policyRule"] as? [String: Any])?["coding"]) == ["OPTIN"])
        let root = try #require(r["provision"] as? [String: Any])
        #expect(root["type"] as? String == "deny", "opt-in: the root denies, nested provisions are the exceptions")
        let nested = try #require(root["provision"] as? [[String: Any]])
        func provision(_ purpose: String, code: String? = nil) -> [String: Any]? {
            nested.first { p in
                Self.codes(p["purpose"]) == [purpose]
                    && (code == nil ? p["code"] == nil : ((p["code"] as? [[String: Any]]) ?? []).contains { Self.codes($0["coding"]).contains(code!) })
            }
        }
        let treat = provision("TREAT")
        #expect(treat.map { Self.codes($0["securityLabel"]) } == c.treatment)
        #expect(treat == nil || treat?["type"] as? String == "permit")
        let research = nested.first { Self.codes($0["purpose"]) == ["HRESCH"] }
        if c.research.isEmpty {
            #expect(research == nil)
        } else {
            #expect(research?["type"] as? String == "permit")
            #expect(((research?["code"] as? [[String: Any]]) ?? []).flatMap { Self.codes($0["coding"]) } == c.research)
            #expect(Self.codes(research?["securityLabel"]) == c.researchLabels)
        }
        if case .diseaseSpecific(let disease)? = c.directive.researchUses.last {
            #expect(((research?["code"] as? [[String: Any]])?.last)?["text"] as? String == disease)
        }
        #expect(((r["policy"] as? [[String: Any]]) ?? []).compactMap { $0["uri"] as? String } == c.policies)
        #expect(provision("TREAT", code: "secondary-findings")?["type"] as? String == c.secondaryFindings)
    }

    // MARK: AuditEvent mapping

    struct AuditCase: Sendable, CustomTestStringConvertible {
        var name: String
        var action: String
        var outcome: AccessDecision.Outcome
        var reason: String
        var patient: Bool
        var type: String
        var eventAction: String
        var eventOutcome: String
        var testDescription: String { name }
    }

    static let auditCases: [AuditCase] = [
        AuditCase(name: "allowed read", action: "read", outcome: .allow, reason: "care team", patient: true, type: "rest", eventAction: "R", eventOutcome: "0"),
        AuditCase(name: "allowed write", action: "write", outcome: .allow, reason: "own record", patient: true, type: "rest", eventAction: "C", eventOutcome: "0"),
        AuditCase(
            name: "consent denial", action: "read", outcome: .deny, reason: "the patient's consent withholds genomic data from treatment", patient: true,
            type: "110113", eventAction: "E", eventOutcome: "8"),
        AuditCase(name: "no such patient", action: "read", outcome: .deny, reason: "no such patient", patient: true, type: "110113", eventAction: "E", eventOutcome: "4"),
        AuditCase(name: "failed sign-in", action: "login", outcome: .deny, reason: "wrong username or password", patient: false, type: "110114", eventAction: "E", eventOutcome: "4"),
    ]

    @Test("audit entry → AuditEvent", arguments: auditCases)
    func auditMapping(_ c: AuditCase) throws {
        let record = AuditRecord(
            time: 1_714_637_700_000, actor: "usr_doc", actorRole: "clinician", action: c.action, resource: c.action == "login" ? "session" : "findings",
            patientID: c.patient ? PatientID(rawValue: "pat_x") : nil, purpose: "TREAT", outcome: c.outcome, reason: c.reason, requestID: "req-1")
        let event = FHIRPrivacyResources.auditEvent(AuditEntry(sequence: 42, record: record, previousHash: "0", hash: "abc"))
        #expect(event["resourceType"] as? String == "AuditEvent" && event["id"] as? String == "aud-42")
        #expect((event["type"] as? [String: Any])?["code"] as? String == c.type)
        #expect(event["action"] as? String == c.eventAction && event["outcome"] as? String == c.eventOutcome)
        #expect(event["recorded"] as? String == "2024-05-02T08:15:00Z")
        if c.outcome == .deny { #expect(event["outcomeDesc"] as? String == c.reason) }
        let agents = try #require(event["agent"] as? [[String: Any]])
        let requestor = try #require(agents.first { $0["requestor"] as? Bool == true })
        #expect(((requestor["who"] as? [String: Any])?["identifier"] as? [String: Any])?["value"] as? String == "usr_doc")
        #expect(Self.codes(((requestor["purposeOfUse"] as? [[String: Any]])?.first)?["coding"]) == ["TREAT"])
        #expect(agents.contains { $0["requestor"] as? Bool == false })
        let entities = try #require(event["entity"] as? [[String: Any]])
        #expect(entities.contains { ($0["what"] as? [String: Any])?["reference"] as? String == "Patient/pat-x" } == c.patient)
        #expect(entities.contains { $0["name"] as? String == record.resource })
    }

    // MARK: Phenopacket content

    @Test("record → Phenopacket v2")
    func phenopacketContent() throws {
        let patient = Patient(
            id: PatientID(rawValue: "pat_pp"), mrn: nil, givenName: "P", familyName: "P", birthDate: "1980-02-03", sex: "female", createdAt: 0)
        func phenotype(_ code: String, _ display: String, status: String, at: Int64) -> ClinicalEntry {
            ClinicalEntry(
                id: EntryID(rawValue: "ent_\(code.dropFirst(3))-\(at)"), patientID: patient.id, type: .phenotype, category: "phenotype",
                system: "http://purl.obolibrary.org/obo/hp.owl", code: code, display: display, valueNumber: nil, valueText: nil, unit: nil, status: status,
                effectiveAt: nil, recordedAt: at, recordedBy: UserID(rawValue: "usr_d"))
        }
        let entries = [
            phenotype("HP:0001250", "Seizure", status: "excluded", at: 1),
            phenotype("HP:0001250", "Seizure", status: "present", at: 2),
            phenotype("HP:0001263", "Global developmental delay", status: "excluded", at: 3),
            phenotype("HP:0004322", "Short stature", status: "entered-in-error", at: 4),
        ]
        let provenance = Provenance(analyser: "pgx", analyserVersion: "1", knowledge: ["pgx": "1"], inputDigests: [:])
        func finding(_ kind: String, _ subject: String, label: String?, interpretation: String?) -> Finding {
            Finding(
                id: FindingID(rawValue: "fnd_\(subject.lowercased())"), patientID: patient.id, runID: RunID(rawValue: "run_1"),
                datasetID: DatasetID(rawValue: "dst_1"), kind: kind, subject: subject, summary: "\(subject) summary", label: label,
                interpretation: interpretation, evidence: "{}", provenance: provenance, createdAt: 1)
        }
        let findings = [
            finding("pgx.gene", "CYP2C19", label: "*2/*2", interpretation: "Poor Metabolizer"),
            finding("pgx.gene", "CYP2D6", label: "*4/*10", interpretation: "Intermediate Metabolizer"),
            finding("pgx.gene", "CYP2C9", label: "*1/*1", interpretation: "Normal Metabolizer"),
            finding("pgx.gene", "DPYD", label: nil, interpretation: nil),
            finding("pgx.drug", "clopidogrel", label: "CPIC", interpretation: "Strong"),
            finding("germline.variant", "BRCA2", label: "NM_000059.4:c.5946del", interpretation: "Pathogenic"),
            finding("prs.score", "PGS000001", label: "PGS000001", interpretation: "Breast cancer"),
        ]
        let object = PatientPhenopacket.object(
            patient: patient, phenotypes: entries, findings: findings, hpoVersion: "2025-01-16", created: Date(timeIntervalSince1970: 0))
        #expect(object["id"] as? String == "tailor-pat_pp")
        let subject = try #require(object["subject"] as? [String: Any])
        #expect(subject["sex"] as? String == "FEMALE" && subject["dateOfBirth"] as? String == "1980-02-03T00:00:00Z")
        let features = try #require(object["phenotypicFeatures"] as? [[String: Any]])
        #expect(features.count == 2, "newest per term; entered-in-error left out")
        #expect((features[0]["type"] as? [String: Any])?["id"] as? String == "HP:0001250" && features[0]["excluded"] == nil)
        #expect((features[1]["type"] as? [String: Any])?["id"] as? String == "HP:0001263" && features[1]["excluded"] as? Bool == true)
        let interpretations = try #require(object["interpretations"] as? [[String: Any]])
        #expect(interpretations.count == 4, "three called genes and one germline variant")
        func variant(_ index: Int) -> [String: Any] {
            let diagnosis = interpretations[index]["diagnosis"] as? [String: Any]
            return ((diagnosis?["genomicInterpretations"] as? [[String: Any]])?.first?["variantInterpretation"] as? [String: Any]) ?? [:]
        }
        // Genes in symbol order: CYP2C19, CYP2C9, CYP2D6; then the germline variant.
        let cyp2c19 = variant(0)
        #expect(cyp2c19["therapeuticActionability"] as? String == "ACTIONABLE")
        let descriptor = try #require(cyp2c19["variationDescriptor"] as? [String: Any])
        #expect(descriptor["label"] as? String == "CYP2C19 *2/*2" && descriptor["description"] as? String == "Poor Metabolizer")
        #expect((descriptor["geneContext"] as? [String: Any])?["valueId"] as? String == "HGNC:2621")
        #expect((descriptor["allelicState"] as? [String: Any])?["id"] as? String == "GENO:0000136")
        #expect(variant(1)["therapeuticActionability"] as? String == "NOT_ACTIONABLE")
        #expect(((variant(2)["variationDescriptor"] as? [String: Any])?["allelicState"] as? [String: Any])?["id"] as? String == "GENO:0000402")
        let brca2 = variant(3)
        #expect(brca2["acmgPathogenicityClassification"] as? String == "PATHOGENIC")
        #expect(((brca2["variationDescriptor"] as? [String: Any])?["expressions"] as? [[String: Any]])?.first?["syntax"] as? String == "hgvs.c")
        let meta = try #require(object["metaData"] as? [String: Any])
        #expect(meta["phenopacketSchemaVersion"] as? String == "2.0" && meta["created"] as? String == "1970-01-01T00:00:00Z")
        let resources = try #require(meta["resources"] as? [[String: Any]])
        #expect(resources.compactMap { $0["id"] as? String } == ["hp", "geno", "hgnc"])
        #expect(resources.first?["version"] as? String == "2025-01-16")
        #expect(PatientPhenopacket.allelicState(diplotype: "*1/*17") == .heterozygous)
        #expect(PatientPhenopacket.allelicState(diplotype: "HLA-B*57:01 positive") == nil)
    }

    // MARK: The date parameter

    static let dates = [
        "2021", "ge2021-03", "2020-02-29", "2000-02-29", "le2021-03-04T08:10:00.5+14:00", "9999", "9999-12", "0001", "2021-03-04T08:10:00",
        "lt2021-03-04T08:10:60Z", "0000", "2021-13", "2021-02-30", "1900-02-29", "2021-03-04T24:00:00", "2021-03-04T08:10:00+14:01", "ne2021",
        "2021-03T10:00:00", "0000000000000000000000000000000000000000", "ge2021-03-04T08:10:00.1234567890123456789Z", "2021-3-4", "",
    ]

    /// What the OpenAPI document declares for `date` (pattern and length) is exactly what the server accepts.
    @Test("the date parameter: OpenAPI pattern and server agree", arguments: dates)
    func datePattern(_ text: String) throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes)) as? [String: Any])
        let parameter = ((document["components"] as? [String: Any])?["parameters"] as? [String: Any])?["FHIRDate"] as? [String: Any]
        let items = try #require((parameter?["schema"] as? [String: Any])?["items"] as? [String: Any])
        let regex = try NSRegularExpression(pattern: try #require(items["pattern"] as? String))
        let declared = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil && text.count <= items["maxLength"] as? Int ?? 0
        #expect(declared == ((try? FHIRRoutes.dateBound(text)) != nil))
    }

    // MARK: Routes

    @Test("Consent, AuditEvent, _include, reads by ID and the phenopacket on SQLite") func sqlite() async throws { try await Self.run(.sqlite) }

    @Test(
        "Consent, AuditEvent, _include, reads by ID and the phenopacket on PostgreSQL",
        .enabled(if: ServerHarness.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set"))
    func postgres() async throws { try await Self.run(.postgres) }

    static func run(_ engine: ServerHarness.Engine) async throws {
        let harness = try await ServerHarness.open(engine)
        let store = harness.server.store
        let gate = harness.server.gate
        let doc = try await harness.account("doc", .clinician)
        let otherDoc = try await harness.account("other-doc", .clinician)
        let admin = try await harness.account("adm", .administrator)
        let x = try await store.createPatient(
            try await gate.authorize(doc.principal, .write, .patientRegistration, requestID: "setup"),
            .init(givenName: "X", familyName: "X", birthDate: "1970-03-01", sex: "female"))
        let y = try await store.createPatient(
            try await gate.authorize(otherDoc.principal, .write, .patientRegistration, requestID: "setup"), .init(givenName: "Y", familyName: "Y"))
        let xAccount = try await harness.account("pat-x", .patient, patient: x.id)
        let yAccount = try await harness.account("pat-y", .patient, patient: y.id)
        _ = try await store.recordConsent(
            try await gate.authorize(xAccount.principal, .write, .consent, patient: x.id, requestID: "setup"), patient: x.id, .default)
        let v2 = try await store.recordConsent(
            try await gate.authorize(xAccount.principal, .write, .consent, patient: x.id, requestID: "setup"), patient: x.id,
            ConsentDirective(researchUses: [.healthMedical], researchCategories: [.genomic], secondaryFindings: true))
        let xEntries = try await store.addEntries(
            try await gate.authorize(doc.principal, .write, .clinicalRecord, patient: x.id, requestID: "setup"), patient: x.id,
            [
                .init(type: .observation, category: "vital-signs", system: "http://loinc.org", code: "8480-6", valueNumber: 128, unit: "mm[Hg]", effectiveAt: 1_700_000_000_000),
                .init(type: .medication, category: "prescription", system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "309362", display: "clopidogrel 75 mg"),
                .init(type: .phenotype, category: "phenotype", system: "http://purl.obolibrary.org/obo/hp.owl", code: "HP:0001250", display: "Seizure", status: "present"),
            ])
        let yEntries = try await store.addEntries(
            try await gate.authorize(otherDoc.principal, .write, .clinicalRecord, patient: y.id, requestID: "setup"), patient: y.id,
            [.init(type: .observation, category: "vital-signs", system: "http://loinc.org", code: "8480-6", valueNumber: 140, unit: "mm[Hg]")])
        let xObservation = try #require(xEntries.first { $0.type == .observation })
        let xMedication = try #require(xEntries.first { $0.type == .medication })
        try await RiskViewTests.addFindings(harness, patient: x.id, by: doc)
        let tokens = (
            doc: try await harness.token(doc), otherDoc: try await harness.token(otherDoc), admin: try await harness.token(admin),
            x: try await harness.token(xAccount), y: try await harness.token(yAccount)
        )
        let p = x.id.fhirID

        try await harness.test { client in
            func bundle(_ path: String, _ token: String) async throws -> [String: Any] {
                let response = try await client.call(.get, path, token: token)
                #expect(response.status == .ok, "\(path): \(response.status.code) \(response.text.prefix(300))")
                return try response.json()
            }
            func resources(_ bundle: [String: Any], mode: String = "match") -> [[String: Any]] {
                ((bundle["entry"] as? [[String: Any]]) ?? []).filter { ($0["search"] as? [String: Any])?["mode"] as? String == mode }
                    .compactMap { $0["resource"] as? [String: Any] }
            }
            func expectRefused(_ path: String, _ token: String, actor: UserAccount, patient: PatientID, resource: Resource) async throws {
                let response = try await client.call(.get, path, token: token)
                #expect(response.status == .forbidden && (response.fhirIssueCode == "forbidden" || response.errorCode == "forbidden"), "\(path): \(response.text.prefix(200))")
                let denial = try #require(try await harness.lastAudit())
                #expect(denial.record.actor == actor.id.rawValue && denial.record.outcome == .deny && denial.record.patientID == patient, "\(path)")
                #expect(denial.record.resource == resource.rawValue, "\(path): \(denial.record.resource)")
            }

            // The CapabilityStatement declares every new interaction and the includes.
            let capability = try await client.call(.get, "/fhir/r4/metadata", token: nil).json()
            let declared = ((capability["rest"] as? [[String: Any]])?.first?["resource"] as? [[String: Any]]) ?? []
            func declaration(_ type: String) -> [String: Any] { declared.first { $0["type"] as? String == type } ?? [:] }
            func interactions(_ type: String) -> [String] { ((declaration(type)["interaction"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String } }
            #expect(interactions("Consent") == ["read", "search-type"] && interactions("AuditEvent") == ["search-type"])
            for type in ["Observation", "Condition", "MedicationRequest"] {
                #expect(interactions(type) == ["read", "search-type"] && declaration(type)["searchInclude"] as? [String] == ["\(type):subject"])
            }
            let auditParams = ((declaration("AuditEvent")["searchParam"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
            #expect(auditParams == ["patient", "date", "_count"])

            // Consent: the history, newest active; read by id; other callers refused, audited.
            let consents = resources(try await bundle("/fhir/r4/Consent?patient=Patient/\(p)", tokens.doc))
            #expect(consents.map { $0["status"] as? String } == ["active", "inactive"])
            #expect(consents.first?["id"] as? String == v2.id.fhirID)
            #expect(consents.first?["policy"] != nil)
            let read = try await client.call(.get, "/fhir/r4/Consent/\(v2.id.fhirID)", token: tokens.x)
            #expect(try read.status == .ok && read.json()["id"] as? String == v2.id.fhirID)
            #expect(try await client.call(.get, "/fhir/r4/Consent/cns-nothing", token: tokens.x).status == .notFound)
            try await expectRefused("/fhir/r4/Consent/\(v2.id.fhirID)", tokens.y, actor: yAccount, patient: x.id, resource: .consent)
            try await expectRefused("/fhir/r4/Consent?patient=\(p)", tokens.otherDoc, actor: otherDoc, patient: x.id, resource: .consent)
            #expect(try await client.call(.get, "/fhir/r4/Consent?patient=\(p)&status=active", token: tokens.doc).status == .badRequest)

            // AuditEvent: the patient and administrators; the care team is refused (and that refusal is on the trail).
            try await expectRefused("/fhir/r4/AuditEvent?patient=\(p)", tokens.doc, actor: doc, patient: x.id, resource: .patientAudit)
            let trail = try await bundle("/fhir/r4/AuditEvent?patient=\(p)", tokens.x)
            let events = resources(trail)
            let newest = try #require(events.first)
            #expect(newest["outcome"] as? String == "0" && (newest["type"] as? [String: Any])?["code"] as? String == "rest", "the search's own read comes first")
            #expect(((newest["agent"] as? [[String: Any]])?.first?["who"] as? [String: Any]).flatMap { ($0["identifier"] as? [String: Any])?["value"] as? String } == xAccount.id.rawValue)
            let refusal = try #require(events.first { $0["outcome"] as? String == "8" })
            #expect((refusal["type"] as? [String: Any])?["code"] as? String == "110113" && refusal["action"] as? String == "E")
            #expect(((refusal["agent"] as? [[String: Any]])?.first?["who"] as? [String: Any]).flatMap { ($0["identifier"] as? [String: Any])?["value"] as? String } == doc.id.rawValue)
            // Paging: every entry once, newest first, as many as the first page's total.
            let total = try #require(trail["total"] as? Int)
            var seen: [String] = []
            var url: String? = "/fhir/r4/AuditEvent?patient=\(p)&_count=3"
            var first = true
            while let next = url {
                let page = try await bundle(next, tokens.admin)
                if first { #expect(page["total"] as? Int == total + 1, "the admin's first page read is on the trail"); first = false }
                seen += resources(page).compactMap { $0["id"] as? String }
                let link = (page["link"] as? [[String: Any]])?.first { $0["relation"] as? String == "next" }?["url"] as? String
                url = link.map { "/fhir/r4/" + $0.components(separatedBy: "/fhir/r4/").last! }
                #expect(seen.count <= total + 1)
            }
            #expect(seen.count == total + 1 && Set(seen).count == seen.count)
            let sequences = seen.compactMap { Int($0.dropFirst(4)) }
            #expect(sequences == sequences.sorted(by: >))
            #expect(resources(try await bundle("/fhir/r4/AuditEvent?patient=\(p)&date=lt2000-01-01", tokens.admin)).isEmpty)
            #expect(try await bundle("/fhir/r4/AuditEvent?patient=\(p)&date=ge2000-01-01&_count=1", tokens.admin)["total"] as? Int ?? 0 > total)
            #expect(try await client.call(.get, "/fhir/r4/AuditEvent?patient=\(p)&_after=ent-1", token: tokens.admin).status == .badRequest)
            #expect(try await client.call(.get, "/fhir/r4/AuditEvent?patient=\(p)&date=yesterday", token: tokens.admin).status == .badRequest)
            #expect(try await client.call(.get, "/fhir/r4/AuditEvent?patient=pat-nobody", token: tokens.admin).status == .notFound)

            // _include: the subject once, as an include, under its own audited decision; total counts matches only.
            let before = try await harness.lastAudit()?.sequence ?? 0
            let included = try await bundle("/fhir/r4/Observation?patient=\(p)&_include=Observation:subject", tokens.doc)
            #expect(included["total"] as? Int == 1 && resources(included).count == 1)
            #expect(resources(included, mode: "include").map { $0["id"] as? String } == [p])
            #expect(try await harness.auditEntries(after: before).map(\.record.resource) == ["clinical_record", "patient_summary"])
            let medications = try await bundle("/fhir/r4/MedicationRequest?patient=\(p)&_include=MedicationRequest:subject", tokens.doc)
            #expect(resources(medications, mode: "include").map { $0["resourceType"] as? String } == ["Patient"])
            #expect(try await client.call(.get, "/fhir/r4/Observation?patient=\(p)&_include=Observation:performer", token: tokens.doc).status == .badRequest)
            // Another patient's record, with or without _include: refused at the search, nothing of theirs returned.
            try await expectRefused(
                "/fhir/r4/Observation?patient=\(y.id.fhirID)&_include=Observation:subject", tokens.doc, actor: doc, patient: y.id, resource: .clinicalRecord)

            // Reads by ID: the owner's decision; another type's id is 404.
            let observation = try await client.call(.get, "/fhir/r4/Observation/\(xObservation.id.fhirID)", token: tokens.doc)
            #expect(try observation.status == .ok && observation.json()["resourceType"] as? String == "Observation")
            #expect(try await client.call(.get, "/fhir/r4/MedicationRequest/\(xMedication.id.fhirID)", token: tokens.doc).status == .ok)
            #expect(try await client.call(.get, "/fhir/r4/Condition/\(xObservation.id.fhirID)", token: tokens.doc).status == .notFound)
            #expect(try await client.call(.get, "/fhir/r4/Observation/ent-unknown", token: tokens.doc).status == .notFound)
            try await expectRefused("/fhir/r4/Observation/\(yEntries[0].id.fhirID)", tokens.doc, actor: doc, patient: y.id, resource: .clinicalRecord)

            // The phenopacket: three audited decisions; refused to a clinician off the team.
            let start = try await harness.lastAudit()?.sequence ?? 0
            let packet = try await client.call(.get, "/api/v1/patients/\(x.id.rawValue)/phenopacket", token: tokens.doc)
            #expect(packet.status == .ok, "\(packet.text.prefix(300))")
            let object = try packet.json()
            #expect(((object["phenotypicFeatures"] as? [[String: Any]])?.first?["type"] as? [String: Any])?["id"] as? String == "HP:0001250")
            #expect("\(object["interpretations"] ?? "")".contains("HGNC:2621") && "\(object["interpretations"] ?? "")".contains("BRCA2"))
            #expect(try await harness.auditEntries(after: start).map(\.record.resource) == ["findings", "clinical_record", "patient_summary"])
            try await expectRefused("/api/v1/patients/\(x.id.rawValue)/phenopacket", tokens.otherDoc, actor: otherDoc, patient: x.id, resource: .findings)
            #expect(try await harness.server.database.verifyAuditChain() > 0)
        }
    }
}
