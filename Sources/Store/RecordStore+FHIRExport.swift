import Foundation
public import Records
import SQLKit

/// What the FHIR facade's reads by ID and AuditEvent search need beyond the entry searches.
extension RecordStore {
    /// Whose record a clinical entry belongs to, and whether it is a monitoring reading, so a read by ID can ask the gate
    /// about the right patient and resource *before* anything of the entry is read. It answers only "which patient", to a
    /// signed-in caller, for an unguessable random ID; the entry itself is read under the grant (``entry(_:patient:id:)``).
    public func owner(ofEntry id: EntryID) async throws -> (patient: PatientID, monitoring: Bool)? {
        try await database.read { db in
            guard let row = try await db.raw("SELECT patient_id, category FROM clinical_entries WHERE entry_id = \(bind: id.rawValue)").first() else {
                return nil
            }
            return (
                PatientID(rawValue: try row.decode(column: "patient_id", as: String.self)),
                try row.decode(column: "category", as: String.self) == "monitoring"
            )
        }
    }

    /// One entry of the patient's record, under the clinical-record grant (or the monitoring grant for a reading).
    public func entry(_ grant: AccessGrant, patient id: PatientID, id entryID: EntryID) async throws -> ClinicalEntry {
        let monitoring = grant.resource == .monitoring
        try grant.require(.read, monitoring ? .monitoring : .clinicalRecord, id)
        return try await database.read { db in
            var query: SQLQueryString = "SELECT * FROM clinical_entries WHERE patient_id = \(bind: id.rawValue) AND entry_id = \(bind: entryID.rawValue)"
            query.appendInterpolation((monitoring ? " AND category = 'monitoring'" : " AND category <> 'monitoring'") as SQLQueryString)
            guard let row = try await db.raw(query).first() else { throw StoreError.notFound("no entry \(entryID)") }
            return try Self.entry(row)
        }
    }

    /// Whose record a consent version belongs to (see ``owner(ofEntry:)`` for why this precedes the gate).
    public func owner(ofConsent id: ConsentID) async throws -> PatientID? {
        try await database.read { db in
            try await db.raw("SELECT patient_id FROM consents WHERE consent_id = \(bind: id.rawValue)").first()
                .map { PatientID(rawValue: try $0.decode(column: "patient_id", as: String.self)) }
        }
    }

    /// A search of one patient's audit trail: a time window and a page, newest first.
    public struct AuditSearch: Sendable, Hashable {
        /// `time >= from` (ms).
        public var from: Int64?
        /// `time < until` (ms).
        public var until: Int64?
        /// Entries older than this sequence number (the previous page's last).
        public var before: Int64?
        public var limit: Int

        public init(from: Int64? = nil, until: Int64? = nil, before: Int64? = nil, limit: Int = 50) {
            self.from = from
            self.until = until
            self.before = before
            self.limit = limit
        }
    }

    /// One page of the patient's audit trail (newest first) and how many entries match in all, under the same
    /// `patient_audit` grant as ``patientAudit(_:patient:limit:before:)``. Paged by sequence number, so a new entry
    /// arriving mid-walk (the walk's own reads are audited too) never shifts a later page.
    public func searchPatientAudit(_ grant: AccessGrant, patient id: PatientID, _ search: AuditSearch) async throws -> (entries: [AuditEntry], total: Int) {
        try grant.require(.read, .patientAudit, id)
        let limit = max(1, min(search.limit, 1000))
        return try await database.read { db in
            var filter: SQLQueryString = "patient_id = \(bind: id.rawValue)"
            if let from = search.from { filter.appendInterpolation(" AND at >= \(bind: from)" as SQLQueryString) }
            if let until = search.until { filter.appendInterpolation(" AND at < \(bind: until)" as SQLQueryString) }
            let cursor = search.before.map { " AND seq < \(bind: $0)" as SQLQueryString }
            let (rows, total) = try await Self.countAndPage(db, table: "audit_events", filter, cursor: cursor, order: "seq DESC", limit: limit)
            return (try rows.map(Database.auditEntry), total)
        }
    }
}
