import Foundation
public import Records
import SQLKit

/// What the integrated risk view reads of the clinical record.
extension RecordStore {
    /// A patient's demographics with the clinical entries risk equations may use: every condition and medication (the
    /// problem and medication lists, which the caller reads by code and status), and the observations with one of
    /// `observationCodes`, newest first (by measurement time, else recording time). Home readings (`monitoring`) are
    /// not included: they are their own consent category, and the equations were derived with office measurements.
    ///
    /// Read under a clinical-record grant: demographics are the root of the clinical record that grant covers (any
    /// caller it is given to may also read the patient's summary). At most `limit` entries.
    public func riskRecord(
        _ grant: AccessGrant, patient id: PatientID, observationCodes: [String], limit: Int = 5000
    ) async throws -> (patient: Patient, entries: [ClinicalEntry]) {
        try grant.require(.read, .clinicalRecord, id)
        let limit = max(1, min(limit, 5000))
        let codes: [any Encodable & Sendable] = observationCodes.isEmpty ? [""] : observationCodes
        return try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM patients WHERE patient_id = \(bind: id.rawValue)").first() else {
                throw StoreError.notFound("no patient \(id)")
            }
            let entries = try await db.raw(
                """
                SELECT * FROM clinical_entries WHERE patient_id = \(bind: id.rawValue) AND category <> 'monitoring'
                  AND (entry_type IN ('condition', 'medication') OR (entry_type = 'observation' AND code IN (\(binds: codes))))
                ORDER BY COALESCE(effective_at, recorded_at) DESC, recorded_at DESC, entry_id LIMIT \(unsafeRaw: String(limit))
                """
            ).all().map(Self.entry)
            return (try Self.patient(row), entries)
        }
    }
}
