import Foundation
public import Records
import SQLKit

/// Searches of one patient's entries for the FHIR facade: by type, category, code and effective time, paged by entry
/// ID (a stable key, so following `next` links never repeats or skips an entry that was there when the search began).
extension RecordStore {
    public struct EntrySearch: Sendable, Hashable {
        public var types: [EntryType]
        /// Only these categories (any when `nil`).
        public var categories: [String]?
        /// Never these categories.
        public var excludedCategories: [String]
        public var system: String?
        public var code: String?
        /// `effective_at >= from` (ms); entries without a time never match a time bound.
        public var from: Int64?
        /// `effective_at < until` (ms).
        public var until: Int64?
        /// Entries with IDs after this one (the previous page's last).
        public var after: EntryID?
        public var limit: Int

        public init(
            types: [EntryType], categories: [String]? = nil, excludedCategories: [String] = [], system: String? = nil, code: String? = nil,
            from: Int64? = nil, until: Int64? = nil, after: EntryID? = nil, limit: Int = 50
        ) {
            self.types = types
            self.categories = categories
            self.excludedCategories = excludedCategories
            self.system = system
            self.code = code
            self.from = from
            self.until = until
            self.after = after
            self.limit = limit
        }
    }

    /// One page of matching entries (ordered by entry ID) and how many match in all. The grant's resource decides the
    /// partition as in ``entries(_:patient:type:code:limit:before:)``: `monitoring` sees only monitoring readings,
    /// `clinical_record` everything else.
    public func searchEntries(_ grant: AccessGrant, patient id: PatientID, _ search: EntrySearch) async throws -> (entries: [ClinicalEntry], total: Int) {
        let monitoring = grant.resource == .monitoring
        try grant.require(.read, monitoring ? .monitoring : .clinicalRecord, id)
        let limit = max(1, min(search.limit, 1000))
        return try await database.read { db in
            var filter: SQLQueryString = "patient_id = \(bind: id.rawValue)"
            filter.appendInterpolation((monitoring ? " AND category = 'monitoring'" : " AND category <> 'monitoring'") as SQLQueryString)
            if !search.types.isEmpty {
                filter.appendInterpolation(" AND entry_type IN (\(binds: search.types.map(\.rawValue)))" as SQLQueryString)
            }
            if let categories = search.categories {
                guard !categories.isEmpty else { return ([], 0) }
                filter.appendInterpolation(" AND category IN (\(binds: categories))" as SQLQueryString)
            }
            if !search.excludedCategories.isEmpty {
                filter.appendInterpolation(" AND category NOT IN (\(binds: search.excludedCategories))" as SQLQueryString)
            }
            if let system = search.system { filter.appendInterpolation(" AND code_system = \(bind: system)" as SQLQueryString) }
            if let code = search.code { filter.appendInterpolation(" AND code = \(bind: code)" as SQLQueryString) }
            if let from = search.from { filter.appendInterpolation(" AND effective_at >= \(bind: from)" as SQLQueryString) }
            if let until = search.until { filter.appendInterpolation(" AND effective_at < \(bind: until)" as SQLQueryString) }
            let cursor = search.after.map { " AND entry_id > \(bind: $0.rawValue)" as SQLQueryString }
            let (rows, total) = try await Self.countAndPage(db, table: "clinical_entries", filter, cursor: cursor, order: "entry_id", limit: limit)
            return (try rows.map(Self.entry), total)
        }
    }

    /// How many rows of `table` match `filter` (the whole result, whatever the page), and one page of them: the rows
    /// after `cursor` in `order`. Counting before the cursor keeps `total` the same on every page of a search.
    static func countAndPage(
        _ db: any SQLDatabase, table: String, _ filter: SQLQueryString, cursor: SQLQueryString?, order: String, limit: Int
    ) async throws -> (rows: [any SQLRow], total: Int) {
        let total = try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE \(filter)").first()?.decode(column: "n", as: Int64.self) ?? 0
        var page = filter
        if let cursor { page.appendInterpolation(cursor) }
        let rows = try await db.raw("SELECT * FROM \(unsafeRaw: table) WHERE \(page) ORDER BY \(unsafeRaw: order) LIMIT \(unsafeRaw: String(limit))").all()
        return (rows, Int(total))
    }

    /// One patient's demographics, for a FHIR Patient read (the grant is the summary's).
    public func patient(_ grant: AccessGrant, _ id: PatientID) async throws -> Patient {
        try grant.require(.read, .patientSummary, id)
        return try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM patients WHERE patient_id = \(bind: id.rawValue)").first() else {
                throw StoreError.notFound("no patient \(id)")
            }
            return try Self.patient(row)
        }
    }
}
