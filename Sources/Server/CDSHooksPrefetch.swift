import Foundation
import HTTPTypes
import Records
import Store

/// Which Tailor patient a CDS Hooks call is about.
///
/// EHRs put *their own* patient id in `context.patientId`, not Tailor's, so the id alone names a Tailor record only
/// when the EHR was given Tailor's id (an EHR that stores `Patient/pat-…` as an external reference). Otherwise the EHR's
/// patient is matched through the `patient` prefetch (`Patient/{{context.patientId}}`, the one template the services
/// declare; it is in the CDS Hooks allowed subset, an instance read):
///
/// 1. `context.patientId` is a Tailor id (`pat-…` or `pat_…`) of an existing patient → that record ("fallback to our own
///    record": no prefetch is needed). A prefetched Patient sent anyway must not contradict it (MRN check below).
/// 2. Otherwise the prefetched Patient is required. Missing → **412** (CDS Hooks: a service that cannot get data it needs
///    SHALL return 412). Tailor never calls out to the EHR's FHIR server even when `fhirServer` and `fhirAuthorization`
///    are sent: a decision-support service reaching into every caller's EHR would need per-EHR network trust, token
///    handling and timeouts inside the 500 ms budget, for data the EHR can prefetch; the 412 says so.
/// 3. The prefetched Patient's FHIR id (a Patient imported from that EHR's FHIR export keeps `Patient/<id>`) and its
///    MR-typed identifiers (MRN, as the FHIR importer reads them) are looked up. Exactly one Tailor patient → that
///    record. None → no Tailor record (no advice; the miss is audited). Several, or a match whose MRN is not among the
///    prefetched MRNs → **422**: a wrong-patient alert is worse than none, so a disagreement is refused, not guessed.
///
/// A prefetch of the wrong shape (not an object, not a Patient, an id other than `context.patientId`, identifiers that
/// are not objects with string values) is a **400** naming the field. `"patient": null` (the EHR's read found nothing)
/// resolves to no record.
struct CDSPrefetchedPatient: Sendable, Equatable {
    /// The Patient resource's id, when it has one (always `context.patientId` then).
    var id: String?
    /// Values of MR-typed identifiers.
    var mrns: [String]

    /// The `patient` prefetch of a call: `.absent` (key not sent), `.empty` (sent as null), or the parsed Patient.
    enum Prefetch: Sendable, Equatable {
        case absent
        case empty
        case patient(CDSPrefetchedPatient)
    }

    /// Parses `prefetch.patient` of `body`, naming the field on a 400.
    static func parse(_ body: [String: Any], contextPatientID: String) throws -> Prefetch {
        guard let raw = body["prefetch"] else { return .absent }
        if raw is NSNull { return .absent }
        guard let prefetch = raw as? [String: Any] else { throw APIError.badRequest("prefetch must be an object", field: "prefetch") }
        guard let value = prefetch["patient"] else { return .absent }
        if value is NSNull { return .empty }
        guard let patient = value as? [String: Any] else {
            throw APIError.badRequest("prefetch.patient must be a FHIR Patient resource (an object)", field: "prefetch.patient")
        }
        guard patient["resourceType"] as? String == "Patient" else {
            throw APIError.badRequest("prefetch.patient.resourceType must be \"Patient\"", field: "prefetch.patient.resourceType")
        }
        var id: String?
        if let rawID = patient["id"] {
            guard let text = rawID as? String, !text.isEmpty else {
                throw APIError.badRequest("prefetch.patient.id must be a non-empty string", field: "prefetch.patient.id")
            }
            guard text == contextPatientID else {
                throw APIError.badRequest("prefetch.patient.id does not match context.patientId", field: "prefetch.patient.id")
            }
            id = text
        }
        var mrns: [String] = []
        if let rawIdentifiers = patient["identifier"] {
            guard let identifiers = rawIdentifiers as? [Any], identifiers.count <= 100 else {
                throw APIError.badRequest("prefetch.patient.identifier must be an array (at most 100)", field: "prefetch.patient.identifier")
            }
            for (index, element) in identifiers.enumerated() {
                let field = "prefetch.patient.identifier[\(index)]"
                guard let identifier = element as? [String: Any] else { throw APIError.badRequest("\(field) must be an object", field: field) }
                if let system = identifier["system"], !(system is String) {
                    throw APIError.badRequest("\(field).system must be a string", field: "\(field).system")
                }
                var isMRN = false
                if let type = identifier["type"] {
                    guard let type = type as? [String: Any], (type["coding"] == nil || type["coding"] is [[String: Any]]) else {
                        throw APIError.badRequest("\(field).type must be a CodeableConcept", field: "\(field).type")
                    }
                    isMRN = (type["coding"] as? [[String: Any]] ?? []).contains { $0["code"] as? String == "MR" }
                }
                guard let rawValue = identifier["value"] else { continue }
                guard let value = rawValue as? String, !value.isEmpty, value.utf8.count <= 200 else {
                    throw APIError.badRequest("\(field).value must be a string of 1–200 bytes", field: "\(field).value")
                }
                if isMRN { mrns.append(value) }
            }
        }
        return .patient(CDSPrefetchedPatient(id: id, mrns: mrns))
    }
}

extension CDSHooksRoutes {
    /// The outcome of matching a call's patient: a Tailor patient, or none (with why, for the audit log).
    enum PatientResolution: Sendable, Equatable {
        case found(ExternalPatientMatch)
        case none(String)
    }

    static func prefetchMissing(fhirServer: Bool) -> APIError {
        var message =
            "context.patientId is not a Tailor patient id, so Tailor needs prefetch.patient (template Patient/{{context.patientId}}) to match the EHR's patient by its identifiers (MRN or imported FHIR id)"
        if fhirServer { message += "; Tailor does not query EHR FHIR servers (fhirServer/fhirAuthorization are not used): send the prefetch" }
        return APIError(.preconditionFailed, "prefetch_required", message, field: "prefetch.patient")
    }

    static func mismatch(_ message: String) -> APIError {
        APIError.unprocessable("patient_mismatch", message, field: "prefetch.patient.identifier")
    }

    /// Matches the call's patient as ``CDSPrefetchedPatient`` describes. Reads identifiers only; the caller then asks
    /// the access gate for the patient's findings.
    static func resolvePatient(
        contextPatientID: String, prefetch: CDSPrefetchedPatient.Prefetch, fhirServer: Bool, store: RecordStore
    ) async throws -> PatientResolution {
        if let own = try await store.patient(tailorID: contextPatientID) {
            if case .patient(let sent) = prefetch, let mrn = own.mrn, !sent.mrns.isEmpty, !sent.mrns.contains(mrn) {
                throw mismatch("context.patientId is a Tailor patient whose MRN is not among the prefetched Patient's MRNs")
            }
            return .found(own)
        }
        let sent: CDSPrefetchedPatient
        switch prefetch {
        case .absent: throw prefetchMissing(fhirServer: fhirServer)
        case .empty: return .none("the EHR's patient prefetch was empty")
        case .patient(let patient): sent = patient
        }
        let matches = try await store.patients(fhirID: sent.id ?? contextPatientID, mrns: sent.mrns)
        let distinct = Set(matches.map(\.patientID))
        guard let match = matches.first else { return .none("no Tailor patient has the EHR patient's FHIR id or MRN") }
        guard distinct.count == 1 else {
            throw mismatch("the prefetched Patient's FHIR id and MRN name different Tailor patients; resolve the identity before asking for advice")
        }
        if let mrn = match.mrn, !sent.mrns.isEmpty, !sent.mrns.contains(mrn) {
            throw mismatch("the Tailor patient imported under this FHIR id has a different MRN from the prefetched Patient's")
        }
        // Prefer reporting the MRN match (the stronger identifier) when both agree.
        return .found(matches.first { $0.via == .mrn } ?? match)
    }
}
