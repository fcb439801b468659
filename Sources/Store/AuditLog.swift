public import Records
public import SQLKit

/// The hash-chained, append-only audit log.
///
/// Entries for writes are chained inside the write's own transaction (``append(_:in:engine:)``), so a change and
/// its audit entry commit together. Entries for reads and denials go through ``record(_:)``, which commits them in
/// groups: every caller waits until its entry is durable, but concurrent callers share one transaction, so
/// auditing every read costs one commit per burst rather than one per request.
///
/// On PostgreSQL a group is appended by one statement that moves the head only if it is still where this process
/// last left it (``appendIfHead(_:expected:in:)``), so a group costs one round trip instead of five (`BEGIN`, lock
/// and read the head, insert, move the head, `COMMIT`). When something else moved the head (a write's own entry, or
/// another server on the same database) the statement changes nothing, and the group is chained again after the head
/// as it now is.
public actor AuditLog {
    private let database: Database
    private var pending: [AuditRecord] = []
    private var waiters: [CheckedContinuation<Void, any Error>] = []
    private var flushing = false
    /// Where this process last left the head (PostgreSQL): the expected head of the next group.
    private var knownHead: (sequence: Int64, hash: String)?
    /// Groups whose first attempt found the head moved (tests read it to know the retry path ran).
    public private(set) var headMisses = 0

    public init(database: Database) {
        self.database = database
    }

    /// Appends `records` and returns once they are committed.
    public func record(_ records: [AuditRecord]) async throws {
        guard !records.isEmpty else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            pending.append(contentsOf: records)
            waiters.append(continuation)
            if !flushing {
                flushing = true
                Task { await self.flush() }
            }
        }
    }

    public func record(_ record: AuditRecord) async throws { try await self.record([record]) }

    /// Commits batches until nothing is pending; entries that arrive during a commit form the next batch.
    private func flush() async {
        while !pending.isEmpty {
            let batch = pending
            let batchWaiters = waiters
            pending = []
            waiters = []
            do {
                switch database.engine {
                case .sqlite: try await database.write { db in try await Self.append(batch, in: db, engine: .sqlite) }
                case .postgres: try await appendPostgres(batch)
                }
                for waiter in batchWaiters { waiter.resume() }
            } catch {
                for waiter in batchWaiters { waiter.resume(throwing: error) }
            }
        }
        flushing = false
    }

    /// Appends a group in one statement against the head this process expects; after `attempts` misses in a row
    /// (the head moving under heavy writing from elsewhere) it takes the head's lock as a write does.
    private func appendPostgres(_ records: [AuditRecord], attempts: Int = 3) async throws {
        for attempt in 0..<attempts {
            let head: (sequence: Int64, hash: String)
            if let knownHead { head = knownHead } else { head = try await database.auditHead() }
            let entries = AuditChain.chain(records, after: head.sequence, hash: head.hash)
            let added = try await database.autocommit { db in try await Self.appendIfHead(entries, expected: head, in: db) }
            if added {
                let last = entries[entries.count - 1]
                knownHead = (last.sequence, last.hash)
                return
            }
            if attempt == 0 { headMisses += 1 }
            knownHead = nil
        }
        try await database.write { db in try await Self.append(records, in: db, engine: .postgres) }
    }

    /// Inserts chained `entries` and moves the head to the last of them, in one PostgreSQL statement, provided the
    /// head is still `expected`; returns false (and changes nothing) when it is not. The `UPDATE` locks the head row,
    /// and a concurrent change to it makes the `UPDATE` re-check its condition against the new row (READ COMMITTED),
    /// so two writers can never both chain after the same entry. The values travel as one array per column, so the
    /// statement's text (and its prepared plan) is the same for every group size.
    static func appendIfHead(_ entries: [AuditEntry], expected: (sequence: Int64, hash: String), in db: any SQLDatabase) async throws -> Bool {
        guard let last = entries.last else { return true }
        let records = entries.map(\.record)
        let row = try await db.raw(
            """
            WITH head AS (
                UPDATE audit_head SET seq = \(bind: last.sequence), hash = \(bind: last.hash)
                WHERE id = 1 AND seq = \(bind: expected.sequence) AND hash = \(bind: expected.hash) RETURNING id
            ), added AS (
                INSERT INTO audit_events (seq, at, actor, actor_role, action, resource, patient_id, purpose, outcome, reason, request_id, prev_hash, hash)
                SELECT e.seq, e.at, e.actor, e.actor_role, e.action, e.resource, CASE WHEN e.has_patient THEN e.patient_id END,
                       e.purpose, e.outcome, e.reason, e.request_id, e.prev_hash, e.hash
                FROM unnest(\(bind: entries.map(\.sequence))::bigint[], \(bind: records.map(\.time))::bigint[], \(bind: records.map(\.actor))::text[],
                            \(bind: records.map(\.actorRole))::text[], \(bind: records.map(\.action))::text[], \(bind: records.map(\.resource))::text[],
                            \(bind: records.map { $0.patientID != nil })::boolean[], \(bind: records.map { $0.patientID?.rawValue ?? "" })::text[],
                            \(bind: records.map(\.purpose))::text[], \(bind: records.map(\.outcome.rawValue))::text[], \(bind: records.map(\.reason))::text[],
                            \(bind: records.map(\.requestID))::text[], \(bind: entries.map(\.previousHash))::text[], \(bind: entries.map(\.hash))::text[])
                     AS e(seq, at, actor, actor_role, action, resource, has_patient, patient_id, purpose, outcome, reason, request_id, prev_hash, hash)
                WHERE EXISTS (SELECT 1 FROM head)
                RETURNING 1
            )
            SELECT COUNT(*) AS added FROM added
            """
        ).first()
        // One statement commits whole or not at all: either every entry was added or none was.
        return try row?.decode(column: "added", as: Int64.self) == Int64(entries.count)
    }

    /// Chains and inserts `records` inside the caller's transaction. The head row is locked for the rest of the
    /// transaction (on SQLite the transaction already holds the only write lock), so chains from concurrent
    /// processes never fork.
    public static func append(_ records: [AuditRecord], in db: any SQLDatabase, engine: SQLEngine) async throws {
        guard !records.isEmpty else { return }
        let lock = engine == .postgres ? " FOR UPDATE" : ""
        guard let head = try await db.raw("SELECT seq, hash FROM audit_head WHERE id = 1\(unsafeRaw: lock)").first() else {
            throw StoreError.migration(name: "0001_record", message: "the audit head row is missing")
        }
        let entries = AuditChain.chain(
            records, after: try head.decode(column: "seq", as: Int64.self), hash: try head.decode(column: "hash", as: String.self))
        // Multi-row inserts, in slices that stay under both engines' bind-parameter limits.
        for slice in entries.chunked(into: 200) {
            var query = SQLQueryString(
                "INSERT INTO audit_events (seq, at, actor, actor_role, action, resource, patient_id, purpose, outcome, reason, request_id, prev_hash, hash) VALUES ")
            for (index, entry) in slice.enumerated() {
                let r = entry.record
                if index > 0 { query.appendLiteral(", ") }
                query.appendInterpolation(
                    """
                    (\(bind: entry.sequence), \(bind: r.time), \(bind: r.actor), \(bind: r.actorRole), \(bind: r.action), \
                    \(bind: r.resource), \(bind: r.patientID?.rawValue), \(bind: r.purpose), \(bind: r.outcome.rawValue), \
                    \(bind: r.reason), \(bind: r.requestID), \(bind: entry.previousHash), \(bind: entry.hash))
                    """ as SQLQueryString)
            }
            try await db.raw(query).run()
        }
        let last = entries[entries.count - 1]
        try await db.raw("UPDATE audit_head SET seq = \(bind: last.sequence), hash = \(bind: last.hash) WHERE id = 1").run()
    }
}

extension Database {
    /// Reads the audit log in sequence order, `batch` entries at a time, handing each entry to `body`.
    public func forEachAuditEntry(
        patientID: PatientID? = nil, after: Int64 = 0, batch: Int = 5000, _ body: (AuditEntry) throws -> Void
    ) async throws {
        var last = after
        while true {
            let from = last
            let rows = try await read { db in
                var query: SQLQueryString = "SELECT * FROM audit_events WHERE seq > \(bind: from)"
                if let patientID { query.appendInterpolation(" AND patient_id = \(bind: patientID.rawValue)" as SQLQueryString) }
                query.appendInterpolation(" ORDER BY seq LIMIT \(unsafeRaw: String(batch))" as SQLQueryString)
                return try await db.raw(query).all().map(Self.auditEntry)
            }
            for entry in rows { try body(entry) }
            guard let tail = rows.last, rows.count == batch else { return }
            last = tail.sequence
        }
    }

    /// The sequence number and hash the head row says the log ends with.
    public func auditHead() async throws -> (sequence: Int64, hash: String) {
        try await read { db in
            guard let row = try await db.raw("SELECT seq, hash FROM audit_head WHERE id = 1").first() else {
                throw StoreError.notFound("the audit head row is missing")
            }
            return (try row.decode(column: "seq", as: Int64.self), try row.decode(column: "hash", as: String.self))
        }
    }

    /// Checks the whole chain and the head; returns the number of entries checked or throws the first break.
    public func verifyAuditChain() async throws -> Int64 {
        var verifier = AuditChain.Verifier()
        try await forEachAuditEntry { entry in try verifier.check(entry) }
        let head = try await auditHead()
        try verifier.checkHead(sequence: head.sequence, hash: head.hash)
        return verifier.checked
    }

    static func auditEntry(_ row: any SQLRow) throws -> AuditEntry {
        let record = AuditRecord(
            time: try row.decode(column: "at", as: Int64.self),
            actor: try row.decode(column: "actor", as: String.self),
            actorRole: try row.decode(column: "actor_role", as: String.self),
            action: try row.decode(column: "action", as: String.self),
            resource: try row.decode(column: "resource", as: String.self),
            patientID: try row.decode(column: "patient_id", as: String?.self).map(PatientID.init(rawValue:)),
            purpose: try row.decode(column: "purpose", as: String.self),
            outcome: AccessDecision.Outcome(rawValue: try row.decode(column: "outcome", as: String.self)) ?? .deny,
            reason: try row.decode(column: "reason", as: String.self),
            requestID: try row.decode(column: "request_id", as: String.self))
        return AuditEntry(
            sequence: try row.decode(column: "seq", as: Int64.self), record: record,
            previousHash: try row.decode(column: "prev_hash", as: String.self), hash: try row.decode(column: "hash", as: String.self))
    }
}

extension Array {
    func chunked(into size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
