import Foundation
public import Monitoring
public import Records
import SQLKit

/// Monitoring readings, care-plan snapshots and goal histories.
///
/// Readings are a time series of their own (not clinical entries): devices send thousands at a time, so they are
/// written in multi-row statements, and a reading sent twice (same kind, instant and source) is ignored rather than
/// stored twice; that is what makes retrying a batch safe. Plans and goal versions are append-only, so the history
/// of what was proposed and what the patient agreed to is never rewritten.
extension RecordStore {
    /// What a batch of readings did to the series.
    public struct ReadingWrite: Sendable, Codable, Hashable {
        /// Readings newly stored.
        public var inserted: Int
        /// Readings already in the series (or repeated within the batch): ignored.
        public var duplicates: Int

        public init(inserted: Int, duplicates: Int) {
            self.inserted = inserted
            self.duplicates = duplicates
        }
    }

    /// Rows per INSERT: 9 binds each keeps a statement under SQLite's 32,766-parameter limit with room to spare,
    /// and large statements amortise the per-statement cost that dominates small batches.
    static let readingRowsPerStatement = 2_000

    /// Appends validated readings to a patient's series in one transaction with the grant's audit entry. Duplicates
    /// (in the batch or already stored) are counted, not stored.
    public func addReadings(_ grant: AccessGrant, patient id: PatientID, _ readings: [Reading]) async throws -> ReadingWrite {
        try grant.require(.write, .monitoring, id)
        var seen = Set<ReadingKey>()
        seen.reserveCapacity(readings.count)
        let unique = readings.filter { seen.insert(ReadingKey($0)).inserted }
        let withinBatch = readings.count - unique.count
        let stamp = now()
        let user = grant.principal.userID.rawValue
        let patient = id.rawValue
        let inserted = try await audited(grant) { db in
            var inserted = 0
            var start = 0
            while start < unique.count {
                let end = min(start + Self.readingRowsPerStatement, unique.count)
                var query = SQLQueryString(
                    "INSERT INTO readings (patient_id, kind, at, source, value, value2, utc_offset, external_id, recorded_at, recorded_by) VALUES ")
                for index in start..<end {
                    let r = unique[index]
                    if index > start { query.appendLiteral(", ") }
                    query.appendInterpolation(
                        """
                        (\(bind: patient), \(bind: r.kind.rawValue), \(bind: r.at), \(bind: r.source.rawValue), \(bind: r.value), \
                        \(bind: r.value2), \(bind: r.utcOffsetMinutes), \(bind: r.externalID), \(bind: stamp), \(bind: user))
                        """ as SQLQueryString)
                }
                query.appendLiteral(" ON CONFLICT (patient_id, kind, at, source) DO NOTHING RETURNING at")
                inserted += try await db.raw(query).all().count
                start = end
            }
            return inserted
        }
        return ReadingWrite(inserted: inserted, duplicates: withinBatch + unique.count - inserted)
    }

    /// A patient's readings in time order, optionally of some kinds and within `[from, to]` (ms). At most `limit`,
    /// the newest ones when there are more (returned oldest first).
    public func readings(
        _ grant: AccessGrant, patient id: PatientID, kinds: [ReadingKind]? = nil, from: Int64? = nil, to: Int64? = nil, limit: Int = 100_000
    ) async throws -> [Reading] {
        try grant.require(.read, .monitoring, id)
        let limit = max(1, min(limit, 500_000))
        let kindNames: [any Encodable & Sendable] = (kinds ?? ReadingKind.allCases).map(\.rawValue)
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT kind, at, source, value, value2, utc_offset, external_id FROM readings
                WHERE patient_id = \(bind: id.rawValue) AND kind IN (\(binds: kindNames))
                  AND at >= \(bind: from ?? Int64.min) AND at <= \(bind: to ?? Int64.max)
                ORDER BY at DESC LIMIT \(unsafeRaw: String(limit))
                """
            ).all()
        }
        return try rows.reversed().map(Self.reading)
    }

    static func reading(_ row: any SQLRow) throws -> Reading {
        let kindText = try row.decode(column: "kind", as: String.self)
        let sourceText = try row.decode(column: "source", as: String.self)
        guard let kind = ReadingKind(rawValue: kindText), let source = ReadingSource(rawValue: sourceText) else {
            throw StoreError.invalid(field: "readings.kind", message: "unknown stored reading kind '\(kindText)' or source '\(sourceText)'")
        }
        return Reading(
            kind: kind, at: try row.decode(column: "at", as: Int64.self), value: try row.decode(column: "value", as: Double.self),
            value2: try row.decode(column: "value2", as: Double?.self), source: source,
            utcOffsetMinutes: try row.decode(column: "utc_offset", as: Int?.self), externalID: try row.decode(column: "external_id", as: String?.self))
    }

    /// The identity of a reading in the series (the table's primary key).
    struct ReadingKey: Hashable {
        var kind: ReadingKind
        var at: Int64
        var source: ReadingSource
        init(_ reading: Reading) { (kind, at, source) = (reading.kind, reading.at, reading.source) }
    }

    // MARK: Care plans

    /// A care-plan proposal as saved: the plan document (JSON) exactly as shown, with the guideline and knowledge
    /// versions it was computed with.
    public struct SavedCarePlan: Sendable, Codable, Hashable {
        public var id: CarePlanID
        public var patientID: PatientID
        public var guideline: String
        /// Knowledge pack versions, e.g. `careplan 2025.1`.
        public var knowledge: String
        public var document: String
        public var createdAt: Int64
        public var createdBy: UserID
    }

    /// A goal the plan proposes, saved as its version 1 together with the plan.
    public struct NewGoal: Sendable, Hashable {
        public var id: GoalID
        public var lifecycleStatus: String
        public var document: String
        public init(id: GoalID = .random(), lifecycleStatus: String, document: String) {
            self.id = id
            self.lifecycleStatus = lifecycleStatus
            self.document = document
        }
    }

    /// Saves a plan proposal (immutable) and its proposed goals (each at version 1), in one transaction with one
    /// audit entry: a plan is never saved without its goals.
    public func saveCarePlan(
        _ grant: AccessGrant, patient id: PatientID, guideline: String, knowledge: String, document: String, goals: [NewGoal] = []
    ) async throws -> (plan: SavedCarePlan, goals: [GoalVersion]) {
        try grant.require(.write, .clinicalRecord, id)
        let stamp = now()
        let plan = SavedCarePlan(
            id: .random(), patientID: id, guideline: guideline, knowledge: knowledge, document: document, createdAt: stamp,
            createdBy: grant.principal.userID)
        let versions = goals.map { goal in
            GoalVersion(
                goalID: goal.id, patientID: id, version: 1, planID: plan.id, lifecycleStatus: goal.lifecycleStatus, action: "proposed", note: nil,
                document: goal.document, recordedAt: stamp, recordedBy: grant.principal.userID, recordedRole: grant.principal.role)
        }
        try await audited(grant) { db in
            try await db.raw(
                """
                INSERT INTO care_plans (patient_id, plan_id, guideline, knowledge, document, created_at, created_by) VALUES
                (\(bind: id.rawValue), \(bind: plan.id.rawValue), \(bind: plan.guideline), \(bind: plan.knowledge), \(bind: plan.document), \
                \(bind: plan.createdAt), \(bind: plan.createdBy.rawValue))
                """
            ).run()
            for v in versions {
                try await Self.insertGoalVersion(v, in: db)
            }
        }
        return (plan, versions)
    }

    static func insertGoalVersion(_ v: GoalVersion, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO care_goals (patient_id, goal_id, version, plan_id, lifecycle_status, action, note, document, recorded_at, recorded_by, recorded_role)
            VALUES (\(bind: v.patientID.rawValue), \(bind: v.goalID.rawValue), \(bind: v.version), \(bind: v.planID?.rawValue), \(bind: v.lifecycleStatus), \
            \(bind: v.action), \(bind: v.note), \(bind: v.document), \(bind: v.recordedAt), \(bind: v.recordedBy.rawValue), \(bind: v.recordedRole.rawValue))
            """
        ).run()
    }

    /// The patient's saved plans, newest first.
    public func carePlans(_ grant: AccessGrant, patient id: PatientID, limit: Int = 20) async throws -> [SavedCarePlan] {
        try grant.require(.read, .clinicalRecord, id)
        let limit = max(1, min(limit, 200))
        return try await database.read { db in
            try await db.raw(
                "SELECT * FROM care_plans WHERE patient_id = \(bind: id.rawValue) ORDER BY created_at DESC, plan_id LIMIT \(unsafeRaw: String(limit))"
            ).all().map { row in
                SavedCarePlan(
                    id: CarePlanID(rawValue: try row.decode(column: "plan_id", as: String.self)), patientID: id,
                    guideline: try row.decode(column: "guideline", as: String.self), knowledge: try row.decode(column: "knowledge", as: String.self),
                    document: try row.decode(column: "document", as: String.self), createdAt: try row.decode(column: "created_at", as: Int64.self),
                    createdBy: UserID(rawValue: try row.decode(column: "created_by", as: String.self)))
            }
        }
    }

    // MARK: Goals

    /// One version of a goal: what it said, its FHIR lifecycle status, and who changed it how.
    public struct GoalVersion: Sendable, Codable, Hashable {
        public var goalID: GoalID
        public var patientID: PatientID
        public var version: Int
        public var planID: CarePlanID?
        /// FHIR `Goal.lifecycleStatus`: proposed, accepted, active, rejected, cancelled, completed…
        public var lifecycleStatus: String
        /// `proposed`, `accepted`, `edited`, `declined`, `cancelled`, `completed`.
        public var action: String
        public var note: String?
        /// The goal as JSON (the care-plan module's goal document).
        public var document: String
        public var recordedAt: Int64
        public var recordedBy: UserID
        public var recordedRole: Role
    }

    /// Appends a goal version. `version` must be one more than the goal's newest stored version (1 for a new goal):
    /// two people changing the same goal at once cannot silently overwrite each other: the second gets a conflict.
    public func appendGoalVersion(
        _ grant: AccessGrant, patient id: PatientID, goal goalID: GoalID, version: Int, planID: CarePlanID?, lifecycleStatus: String,
        action: String, note: String?, document: String
    ) async throws -> GoalVersion {
        try grant.require(.write, .clinicalRecord, id)
        let stored = GoalVersion(
            goalID: goalID, patientID: id, version: version, planID: planID, lifecycleStatus: lifecycleStatus, action: action, note: note,
            document: document, recordedAt: now(), recordedBy: grant.principal.userID, recordedRole: grant.principal.role)
        try await audited(grant) { db in
            let current = try await db.raw(
                "SELECT patient_id, MAX(version) AS version FROM care_goals WHERE goal_id = \(bind: goalID.rawValue) GROUP BY patient_id"
            ).first()
            let latest = try current?.decode(column: "version", as: Int.self) ?? 0
            if let owner = try current?.decode(column: "patient_id", as: String.self), owner != id.rawValue {
                throw StoreError.notFound("no goal \(goalID) for patient \(id)")
            }
            guard version == latest + 1 else {
                throw StoreError.conflict("goal \(goalID) is at version \(latest); this change was made against version \(version - 1): reload and try again")
            }
            try await Self.insertGoalVersion(stored, in: db)
        }
        return stored
    }

    /// Every version of the patient's goals (all goals, or one), oldest first.
    public func goalVersions(_ grant: AccessGrant, patient id: PatientID, goal: GoalID? = nil) async throws -> [GoalVersion] {
        try grant.require(.read, .clinicalRecord, id)
        return try await database.read { db in
            var query: SQLQueryString = "SELECT * FROM care_goals WHERE patient_id = \(bind: id.rawValue)"
            if let goal { query.appendInterpolation(" AND goal_id = \(bind: goal.rawValue)" as SQLQueryString) }
            query.appendLiteral(" ORDER BY goal_id, version")
            return try await db.raw(query).all().map { row in
                let roleText = try row.decode(column: "recorded_role", as: String.self)
                return GoalVersion(
                    goalID: GoalID(rawValue: try row.decode(column: "goal_id", as: String.self)), patientID: id,
                    version: try row.decode(column: "version", as: Int.self),
                    planID: try row.decode(column: "plan_id", as: String?.self).map(CarePlanID.init(rawValue:)),
                    lifecycleStatus: try row.decode(column: "lifecycle_status", as: String.self), action: try row.decode(column: "action", as: String.self),
                    note: try row.decode(column: "note", as: String?.self), document: try row.decode(column: "document", as: String.self),
                    recordedAt: try row.decode(column: "recorded_at", as: Int64.self),
                    recordedBy: UserID(rawValue: try row.decode(column: "recorded_by", as: String.self)),
                    recordedRole: Role(rawValue: roleText) ?? .clinician)
            }
        }
    }
}
