import Foundation
public import Records
import SQLKit

/// A Tailor patient an outside system's identifiers name, with how it was found. Identifiers only: no patient data
/// is read here, so the caller still asks ``AccessGate`` for the patient, which audits the read and applies consent.
public struct ExternalPatientMatch: Sendable, Hashable {
    public enum Via: String, Sendable, Hashable {
        /// Tailor's own id (`pat_…`, or `pat-…` as the FHIR facade writes it).
        case tailorID = "Tailor patient id"
        /// The `Patient/<id>` key of a patient imported from FHIR (migration 0004's `patients.source_key`).
        case importedFHIRID = "FHIR id of an imported Patient"
        /// The medical record number (an MR-typed identifier).
        case mrn = "MRN"
    }

    public var patientID: PatientID
    /// The MRN Tailor holds for the patient, so a caller can check it against the outside system's.
    public var mrn: String?
    public var via: Via

    public init(patientID: PatientID, mrn: String?, via: Via) {
        self.patientID = patientID
        self.mrn = mrn
        self.via = via
    }
}

extension RecordStore {
    /// The patient with Tailor id `id` (either form), or nil when `id` is not a Tailor id or names no patient.
    public func patient(tailorID id: String) async throws -> ExternalPatientMatch? {
        guard let own = try? PatientID(parsingFHIR: id) else { return nil }
        return try await database.read { db in
            try await db.raw("SELECT patient_id, mrn FROM patients WHERE patient_id = \(bind: own.rawValue)").first().map { row in
                ExternalPatientMatch(
                    patientID: PatientID(rawValue: try row.decode(column: "patient_id", as: String.self)),
                    mrn: try row.decode(column: "mrn", as: String?.self), via: .tailorID)
            }
        }
    }

    /// Every patient an outside system's Patient names: by its FHIR id (a patient imported from that system keeps
    /// `Patient/<id>` as its source key) and by each MRN. One row per way found, so a caller sees disagreements (the
    /// FHIR id naming one patient and the MRN another). Bounded inputs: the caller has already checked sizes.
    public func patients(fhirID: String?, mrns: [String]) async throws -> [ExternalPatientMatch] {
        let key = fhirID.map { "Patient/" + $0 }
        let mrns = Array(Set(mrns.filter { !$0.isEmpty && $0.utf8.count <= 200 })).sorted().prefix(20)
        return try await database.read { db in
            var matches: [ExternalPatientMatch] = []
            func decode(_ row: any SQLRow, _ via: ExternalPatientMatch.Via) throws -> ExternalPatientMatch {
                ExternalPatientMatch(
                    patientID: PatientID(rawValue: try row.decode(column: "patient_id", as: String.self)),
                    mrn: try row.decode(column: "mrn", as: String?.self), via: via)
            }
            if let key, key.utf8.count <= 220 {
                for row in try await db.raw("SELECT patient_id, mrn FROM patients WHERE source_key = \(bind: key)").all() {
                    matches.append(try decode(row, .importedFHIRID))
                }
            }
            for mrn in mrns {
                for row in try await db.raw("SELECT patient_id, mrn FROM patients WHERE mrn = \(bind: mrn)").all() {
                    matches.append(try decode(row, .mrn))
                }
            }
            return matches
        }
    }
}
