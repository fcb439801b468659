import Foundation
public import Records
import SQLKit

/// Reads and writes of the patient record. Every function touching patient data takes an ``AccessGrant`` from
/// ``AccessGate`` and writes its audit entry in the same transaction as its change.
public struct RecordStore: Sendable {
    public let database: Database
    public let now: @Sendable () -> Int64

    public init(database: Database, now: @escaping @Sendable () -> Int64 = { WallClock.millis() }) {
        self.database = database
        self.now = now
    }

    var engine: SQLEngine { database.engine }

    /// Runs a write with the grant's audit entry in the same transaction.
    func audited<R: Sendable>(_ grant: AccessGrant, _ body: @Sendable @escaping (any SQLDatabase) async throws -> R) async throws -> R {
        let engine = self.engine
        return try await database.write { db in
            let result = try await body(db)
            if let entry = grant.pendingAudit { try await AuditLog.append([entry], in: db, engine: engine) }
            return result
        }
    }

    // MARK: Patients

    /// A new patient's demographics, as the API receives them.
    public struct NewPatient: Sendable, Codable, Hashable {
        public var mrn: String?
        public var givenName: String
        public var familyName: String
        public var birthDate: String?
        public var sex: String

        public init(mrn: String? = nil, givenName: String, familyName: String, birthDate: String? = nil, sex: String = "unknown") {
            self.mrn = mrn
            self.givenName = givenName
            self.familyName = familyName
            self.birthDate = birthDate
            self.sex = sex
        }

        /// Field-level checks with the field's name in the error.
        public func validated() throws(StoreError) -> NewPatient {
            var copy = self
            copy.givenName = givenName.trimmingCharacters(in: .whitespacesAndNewlines)
            copy.familyName = familyName.trimmingCharacters(in: .whitespacesAndNewlines)
            // The limit applies to what was sent (as JSON Schema counts it); the stored name is trimmed and must not be blank.
            guard givenName.unicodeScalars.count <= 200, !copy.givenName.isEmpty else {
                throw .invalid(field: "givenName", message: "must be 1–200 characters")
            }
            guard familyName.unicodeScalars.count <= 200, !copy.familyName.isEmpty else {
                throw .invalid(field: "familyName", message: "must be 1–200 characters")
            }
            guard ["female", "male", "other", "unknown"].contains(sex) else {
                throw .invalid(field: "sex", message: "must be one of female, male, other, unknown")
            }
            if let birthDate, !Validation.isISODate(birthDate) {
                throw .invalid(field: "birthDate", message: "must be a date YYYY-MM-DD")
            }
            if let mrn, !(1...64).contains(mrn.unicodeScalars.count) { throw .invalid(field: "mrn", message: "must be 1–64 characters") }
            return copy
        }
    }

    /// Registers a patient; a clinician or counsellor who registers one joins their care team.
    public func createPatient(_ grant: AccessGrant, _ new: NewPatient, id: PatientID = .random()) async throws -> Patient {
        try grant.require(.write, .patientRegistration, nil)
        let new = try new.validated()
        let patient = Patient(
            id: id, mrn: new.mrn, givenName: new.givenName, familyName: new.familyName, birthDate: new.birthDate, sex: new.sex, createdAt: now())
        let creator = grant.principal
        var pending = grant.pendingAudit
        pending?.patientID = id
        let audit = pending
        let engine = self.engine
        try await database.write { db in
            if let mrn = patient.mrn,
                try await db.raw("SELECT patient_id FROM patients WHERE mrn = \(bind: mrn)").first() != nil
            {
                throw StoreError.conflict("a patient with MRN '\(mrn)' already exists")
            }
            try await db.raw(
                """
                INSERT INTO patients (patient_id, mrn, given_name, family_name, birth_date, sex, created_at, created_by)
                VALUES (\(bind: patient.id.rawValue), \(bind: patient.mrn), \(bind: patient.givenName), \(bind: patient.familyName),
                        \(bind: patient.birthDate), \(bind: patient.sex), \(bind: patient.createdAt), \(bind: creator.userID.rawValue))
                """
            ).run()
            if creator.role == .clinician || creator.role == .geneticCounsellor {
                try await db.raw(
                    """
                    INSERT INTO care_team_members (patient_id, user_id, added_at, added_by)
                    VALUES (\(bind: patient.id.rawValue), \(bind: creator.userID.rawValue), \(bind: patient.createdAt), \(bind: creator.userID.rawValue))
                    """
                ).run()
            }
            if let audit { try await AuditLog.append([audit], in: db, engine: engine) }
        }
        return patient
    }

    /// The patients a caller may see: a patient themself, a clinician's care-team patients, everyone for an
    /// administrator (demographics only, to manage care teams). Paged by ID.
    public func directory(_ grant: AccessGrant, after: PatientID?, limit: Int) async throws -> [Patient] {
        try grant.require(.read, .patientDirectory, nil)
        let principal = grant.principal
        let limit = max(1, min(limit, 500))
        return try await database.read { db in
            var query: SQLQueryString
            switch principal.role {
            case .patient:
                query = "SELECT * FROM patients p WHERE p.patient_id = \(bind: principal.patientID?.rawValue ?? "")"
            case .clinician, .geneticCounsellor:
                query = """
                    SELECT p.* FROM patients p JOIN care_team_members c ON c.patient_id = p.patient_id
                    WHERE c.user_id = \(bind: principal.userID.rawValue)
                    """
            case .administrator:
                query = "SELECT * FROM patients p WHERE 1 = 1"
            case .researcher:
                return []
            }
            if let after { query.appendInterpolation(" AND p.patient_id > \(bind: after.rawValue)" as SQLQueryString) }
            if principal.role != .patient {
                query.appendInterpolation(" ORDER BY p.patient_id LIMIT \(unsafeRaw: String(limit))" as SQLQueryString)
            }
            return try await db.raw(query).all().map(Self.patient)
        }
    }

    /// One patient's overview: demographics, consent in force, counts, latest runs and current findings' summaries.
    public struct Summary: Sendable, Codable, Hashable {
        public var patient: Patient
        public var consent: ConsentDirective
        public var consentVersion: Int
        public var counts: [String: Int]
        public var runs: [AnalysisRun]
        public var findings: [FindingSummary]
    }

    /// A finding in a list: enough to show, with its ID to fetch the evidence.
    public struct FindingSummary: Sendable, Codable, Hashable {
        public var id: FindingID
        public var kind: String
        public var subject: String
        public var summary: String
        public var createdAt: Int64
    }

    /// The summary shows only what the grant's consent allows the caller to see: counts of withheld categories
    /// and genomic findings are left out rather than leaked. It lists the five latest runs and the current
    /// gene-level findings (each genotype result; drug recommendations are at `/findings`).
    ///
    /// The summary is the record's most-read page, so it is one statement on PostgreSQL, where every statement is a
    /// network round trip (the runs and findings come back as JSON columns); on SQLite, where a statement is a
    /// function call, the plain three-query form is cheaper. Tests run both forms on both engines and compare them.
    public func summary(_ grant: AccessGrant, _ id: PatientID) async throws -> Summary {
        try await summary(grant, id, form: database.engine == .postgres ? .oneStatement : .threeQueries)
    }

    /// How ``summary(_:_:)`` reads: ``summary(_:_:form:)`` takes it so tests can run each form on each engine.
    enum SummaryForm: Sendable { case oneStatement, threeQueries }

    func summary(_ grant: AccessGrant, _ id: PatientID, form: SummaryForm) async throws -> Summary {
        try grant.require(.read, .patientSummary, id)
        let consent = grant.consent
        let seesAll = grant.principal.role == .patient
        let showGenomic = seesAll || consent.permitsTreatment(.genomic)
        let showClinical = seesAll || consent.permitsTreatment(.clinical)
        let showMonitoring = seesAll || consent.permitsTreatment(.monitoring)
        let engine = database.engine
        return try await database.read { db in
            let oneStatement = form == .oneStatement && showGenomic
            guard
                let row = try await db.raw(
                    """
                    SELECT p.*, (SELECT MAX(version) FROM consents c WHERE c.patient_id = p.patient_id) AS consent_version,
                           (SELECT COUNT(*) FROM datasets d WHERE d.patient_id = p.patient_id) AS dataset_count,
                           e.*\(oneStatement ? Self.summaryJSONColumns(id, engine: engine) : "")
                    FROM patients p, (SELECT \(unsafeRaw: Self.entryCountColumns) FROM clinical_entries WHERE patient_id = \(bind: id.rawValue)) e
                    WHERE p.patient_id = \(bind: id.rawValue)
                    """
                ).first()
            else { throw StoreError.notFound("no patient \(id)") }
            let patient = try Self.patient(row)
            var counts: [String: Int] = [:]
            if showMonitoring { counts["monitoring"] = Int(try row.decode(column: "n_monitoring", as: Int64.self)) }
            if showClinical {
                for type in EntryType.allCases { counts[type.rawValue] = Int(try row.decode(column: "n_\(type.rawValue)", as: Int64.self)) }
            }
            counts = counts.filter { $0.value > 0 }
            var runs: [AnalysisRun] = []
            var findings: [FindingSummary] = []
            if showGenomic {
                counts["datasets"] = Int(try row.decode(column: "dataset_count", as: Int64.self))
                if oneStatement {
                    runs = try JSONRow.rows(row.decode(column: "recent_runs", as: String?.self), column: "recent_runs").map(Self.run)
                    findings = try JSONRow.rows(row.decode(column: "gene_findings", as: String?.self), column: "gene_findings").map(Self.findingSummary)
                } else {
                    runs = try await db.raw(Self.recentRunsQuery(id)).all().map(Self.run)
                    findings = try await db.raw(Self.summaryFindingsQuery(id)).all().map(Self.findingSummary)
                }
            }
            return Summary(
                patient: patient, consent: consent, consentVersion: Int(try row.decode(column: "consent_version", as: Int64?.self) ?? 0),
                counts: counts, runs: runs, findings: findings)
        }
    }

    static func recentRunsQuery(_ id: PatientID) -> SQLQueryString {
        "SELECT * FROM analysis_runs WHERE patient_id = \(bind: id.rawValue) ORDER BY created_at DESC, run_id LIMIT 5"
    }

    static let runColumns = [
        "run_id", "patient_id", "dataset_id", "analyser", "status", "progress", "attempts", "error", "created_at", "started_at", "finished_at",
        "requested_by",
    ]
    static let findingSummaryColumns = ["finding_id", "kind", "subject", "summary", "created_at"]

    static func summaryFindingsQuery(_ id: PatientID) -> SQLQueryString {
        currentFindingsQuery(id, columns: findingSummaryColumns.map { "f." + $0 }.joined(separator: ", "), kindSuffix: ".gene", limit: 500)
    }

    /// The summary's runs and findings as two JSON-array columns, each in the order of its own query (an ordered
    /// aggregate: both engines keep it).
    static func summaryJSONColumns(_ id: PatientID, engine: SQLEngine) -> SQLQueryString {
        let (aggregate, object, asText) = engine == .postgres ? ("json_agg", "json_build_object", "::text") : ("json_group_array", "json_object", "")
        func fields(_ columns: [String], _ alias: String) -> String {
            columns.map { "'\($0)', \(alias).\($0)" }.joined(separator: ", ")
        }
        return """
            ,
                   (SELECT \(unsafeRaw: aggregate)(\(unsafeRaw: object)(\(unsafeRaw: fields(runColumns, "r"))) ORDER BY r.created_at DESC, r.run_id)\(unsafeRaw: asText)
                      FROM (\(recentRunsQuery(id))) r) AS recent_runs,
                   (SELECT \(unsafeRaw: aggregate)(\(unsafeRaw: object)(\(unsafeRaw: fields(findingSummaryColumns, "g"))) ORDER BY g.kind, g.subject, g.finding_id)\(unsafeRaw: asText)
                      FROM (\(summaryFindingsQuery(id))) g) AS gene_findings
            """
    }

    /// One count per entry type (monitoring readings apart), all from one pass over the patient's entries.
    static let entryCountColumns: String =
        (EntryType.allCases.map { type in
            "COUNT(*) FILTER (WHERE entry_type = '\(type.rawValue)' AND category <> 'monitoring') AS n_\(type.rawValue)"
        } + ["COUNT(*) FILTER (WHERE category = 'monitoring') AS n_monitoring"])
        .joined(separator: ",\n")

    /// The one rule for which findings are current: those of run `r` when it is the latest succeeded run of its
    /// analyser on its dataset. Older runs' findings stay stored (immutable, for "what did we say then") but are
    /// superseded. Used by the findings list, the summary and the research aggregates.
    static let runIsCurrent = """
        r.status = 'succeeded' AND NOT EXISTS (
            SELECT 1 FROM analysis_runs n WHERE n.patient_id = r.patient_id AND n.dataset_id = r.dataset_id
              AND n.analyser = r.analyser AND n.status = 'succeeded'
              AND (n.finished_at > r.finished_at OR (n.finished_at = r.finished_at AND n.run_id > r.run_id)))
        """

    /// Current findings of one patient, optionally only of kinds ending in `kindSuffix` (`.gene`).
    static func currentFindingsQuery(_ id: PatientID, columns: String, kindSuffix: String? = nil, excludingKind: String? = nil, limit: Int) -> SQLQueryString {
        var query: SQLQueryString = """
            SELECT \(unsafeRaw: columns) FROM findings f
            WHERE f.patient_id = \(bind: id.rawValue) AND f.run_id IN (
                SELECT r.run_id FROM analysis_runs r WHERE r.patient_id = \(bind: id.rawValue) AND \(unsafeRaw: runIsCurrent))
            """
        if let kindSuffix { query.appendInterpolation(" AND \(kindHasSuffix(kindSuffix))" as SQLQueryString) }
        if let excludingKind { query.appendInterpolation(" AND f.kind <> \(bind: excludingKind)" as SQLQueryString) }
        query.appendInterpolation(" ORDER BY f.kind, f.subject, f.finding_id LIMIT \(unsafeRaw: String(limit))" as SQLQueryString)
        return query
    }

    /// `f.kind` starts with `prefix`, exactly (LIKE would also read `_` and `%` in it as wildcards, fold case on
    /// SQLite only, and make SQLite prepare the statement again for every new pattern bound to it).
    static func kindHasPrefix(_ prefix: String) -> SQLQueryString {
        "substr(f.kind, 1, \(unsafeRaw: String(prefix.unicodeScalars.count))) = \(bind: prefix)"
    }

    /// `f.kind` ends with `suffix`, exactly. A kind shorter than the suffix gives a shorter substring on both engines,
    /// so it never matches.
    static func kindHasSuffix(_ suffix: String) -> SQLQueryString {
        "substr(f.kind, length(f.kind) - \(unsafeRaw: String(suffix.unicodeScalars.count - 1))) = \(bind: suffix)"
    }

    // MARK: Clinical entries

    /// A new clinical entry as the API receives it.
    public struct NewEntry: Sendable, Codable, Hashable {
        public var type: EntryType
        public var category: String
        public var system: String
        public var code: String
        public var display: String?
        public var valueNumber: Double?
        public var valueText: String?
        public var unit: String?
        public var status: String?
        public var effectiveAt: Int64?

        public init(
            type: EntryType, category: String, system: String, code: String, display: String? = nil, valueNumber: Double? = nil,
            valueText: String? = nil, unit: String? = nil, status: String? = nil, effectiveAt: Int64? = nil
        ) {
            self.type = type
            self.category = category
            self.system = system
            self.code = code
            self.display = display
            self.valueNumber = valueNumber
            self.valueText = valueText
            self.unit = unit
            self.status = status
            self.effectiveAt = effectiveAt
        }

        /// The resource an entry of this shape is written under.
        public var resource: Resource { category == "monitoring" ? .monitoring : .clinicalRecord }

        public func validated() throws(StoreError) -> NewEntry {
            for (field, value, limit) in [("category", category, 64), ("system", system, 256), ("code", code, 128)] {
                guard (1...limit).contains(value.unicodeScalars.count) else { throw .invalid(field: field, message: "must be 1–\(limit) characters") }
            }
            if let display, display.unicodeScalars.count > 500 { throw .invalid(field: "display", message: "must be at most 500 characters") }
            if let valueText, valueText.unicodeScalars.count > 4000 { throw .invalid(field: "valueText", message: "must be at most 4000 characters") }
            if let valueNumber, !valueNumber.isFinite { throw .invalid(field: "valueNumber", message: "must be a finite number") }
            if let unit, unit.unicodeScalars.count > 64 { throw .invalid(field: "unit", message: "must be at most 64 characters") }
            if let status, status.unicodeScalars.count > 32 { throw .invalid(field: "status", message: "must be at most 32 characters") }
            if type == .phenotype {
                guard Validation.isHPO(code) else { throw .invalid(field: "code", message: "a phenotype needs an HPO term like HP:0001250") }
            }
            if type == .factor, !["lifestyle", "environment", "psychosocial", "preference"].contains(category) {
                throw .invalid(field: "category", message: "a factor's category is lifestyle, environment, psychosocial or preference")
            }
            return self
        }
    }

    public func addEntries(_ grant: AccessGrant, patient id: PatientID, _ entries: [NewEntry]) async throws -> [ClinicalEntry] {
        guard let first = entries.first else { return [] }
        try grant.require(.write, first.resource, id)
        for (index, entry) in entries.enumerated() {
            guard entry.resource == first.resource else {
                throw StoreError.invalid(field: "entries[\(index)].category", message: "one request writes either monitoring readings or clinical entries")
            }
            if grant.principal.role == .patient, entry.resource == .clinicalRecord, entry.type != .factor {
                throw StoreError.invalid(field: "entries[\(index)].type", message: "patients record factors and monitoring readings; other entries come from their care team")
            }
        }
        let validated = try entries.enumerated().map { index, entry in
            do { return try entry.validated() } catch {
                if case StoreError.invalid(let field, let message) = error {
                    throw StoreError.invalid(field: "entries[\(index)].\(field)", message: message)
                }
                throw error
            }
        }
        let stamp = now()
        let rows = validated.map { e in
            ClinicalEntry(
                id: .random(), patientID: id, type: e.type, category: e.category, system: e.system, code: e.code, display: e.display,
                valueNumber: e.valueNumber, valueText: e.valueText, unit: e.unit, status: e.status, effectiveAt: e.effectiveAt, recordedAt: stamp,
                recordedBy: grant.principal.userID)
        }
        try await audited(grant) { db in
            for slice in rows.chunked(into: 50) {
                var query = SQLQueryString(
                    "INSERT INTO clinical_entries (patient_id, entry_id, entry_type, category, code_system, code, display, value_number, value_text, unit, status, effective_at, recorded_at, recorded_by) VALUES "
                )
                for (index, r) in slice.enumerated() {
                    if index > 0 { query.appendLiteral(", ") }
                    query.appendInterpolation(
                        """
                        (\(bind: r.patientID.rawValue), \(bind: r.id.rawValue), \(bind: r.type.rawValue), \(bind: r.category), \(bind: r.system), \
                        \(bind: r.code), \(bind: r.display), \(bind: r.valueNumber), \(bind: r.valueText), \(bind: r.unit), \(bind: r.status), \
                        \(bind: r.effectiveAt), \(bind: r.recordedAt), \(bind: r.recordedBy.rawValue))
                        """ as SQLQueryString)
                }
                try await db.raw(query).run()
            }
        }
        return rows
    }

    /// Entries of one resource (clinical record or monitoring), newest first, optionally of one type and code.
    public func entries(
        _ grant: AccessGrant, patient id: PatientID, type: EntryType?, code: String?, limit: Int, before: Int64?
    ) async throws -> [ClinicalEntry] {
        let monitoring = grant.resource == .monitoring
        try grant.require(.read, monitoring ? .monitoring : .clinicalRecord, id)
        let limit = max(1, min(limit, 1000))
        return try await database.read { db in
            var query: SQLQueryString = "SELECT * FROM clinical_entries WHERE patient_id = \(bind: id.rawValue)"
            query.appendInterpolation((monitoring ? " AND category = 'monitoring'" : " AND category <> 'monitoring'") as SQLQueryString)
            if let type { query.appendInterpolation(" AND entry_type = \(bind: type.rawValue)" as SQLQueryString) }
            if let code { query.appendInterpolation(" AND code = \(bind: code)" as SQLQueryString) }
            if let before { query.appendInterpolation(" AND recorded_at < \(bind: before)" as SQLQueryString) }
            query.appendInterpolation(" ORDER BY recorded_at DESC, entry_id LIMIT \(unsafeRaw: String(limit))" as SQLQueryString)
            return try await db.raw(query).all().map(Self.entry)
        }
    }

    // MARK: Consent

    public func consentHistory(_ grant: AccessGrant, patient id: PatientID) async throws -> [ConsentRecord] {
        try grant.require(.read, .consent, id)
        return try await database.read { db in
            try await db.raw("SELECT * FROM consents WHERE patient_id = \(bind: id.rawValue) ORDER BY version DESC").all().map(Self.consent)
        }
    }

    /// Records a new consent version; it is in force from the next request.
    public func recordConsent(_ grant: AccessGrant, patient id: PatientID, _ directive: ConsentDirective) async throws -> ConsentRecord {
        try grant.require(.write, .consent, id)
        let stamp = now()
        let by = grant.principal.userID
        let json = try JSONCoding.encode(directive)
        return try await audited(grant) { db in
            let current = try await db.raw("SELECT MAX(version) AS v FROM consents WHERE patient_id = \(bind: id.rawValue)").first()?
                .decode(column: "v", as: Int64?.self) ?? 0
            let record = ConsentRecord(id: .random(), patientID: id, version: Int(current) + 1, directive: directive, recordedAt: stamp, recordedBy: by)
            try await db.raw(
                """
                INSERT INTO consents (patient_id, consent_id, version, directive, recorded_at, recorded_by)
                VALUES (\(bind: id.rawValue), \(bind: record.id.rawValue), \(bind: record.version), \(bind: json), \(bind: stamp), \(bind: by.rawValue))
                """
            ).run()
            return record
        }
    }

    // MARK: Care team and break-glass

    public struct CareTeamMember: Sendable, Codable, Hashable {
        public var userID: UserID
        public var username: String
        public var displayName: String
        public var role: Role
        public var addedAt: Int64
    }

    public func careTeam(_ grant: AccessGrant, patient id: PatientID) async throws -> [CareTeamMember] {
        try grant.require(.read, .careTeam, id)
        return try await database.read { db in
            try await db.raw(
                """
                SELECT u.user_id, u.username, u.display_name, u.role, c.added_at FROM care_team_members c
                JOIN users u ON u.user_id = c.user_id WHERE c.patient_id = \(bind: id.rawValue) ORDER BY c.added_at, u.user_id
                """
            ).all().map { row in
                CareTeamMember(
                    userID: UserID(rawValue: try row.decode(column: "user_id", as: String.self)),
                    username: try row.decode(column: "username", as: String.self),
                    displayName: try row.decode(column: "display_name", as: String.self),
                    role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .clinician,
                    addedAt: try row.decode(column: "added_at", as: Int64.self))
            }
        }
    }

    /// Adds a clinician or counsellor to a patient's care team (idempotent).
    public func addToCareTeam(_ grant: AccessGrant, patient id: PatientID, user: UserID) async throws {
        try grant.require(.write, .careTeam, id)
        let stamp = now()
        let by = grant.principal.userID
        try await audited(grant) { db in
            guard let row = try await db.raw("SELECT role, disabled FROM users WHERE user_id = \(bind: user.rawValue)").first() else {
                throw StoreError.notFound("no user \(user)")
            }
            let role = try row.decode(column: "role", as: String.self)
            guard role == Role.clinician.rawValue || role == Role.geneticCounsellor.rawValue else {
                throw StoreError.invalid(field: "userID", message: "care teams hold clinicians and genetic counsellors, not \(role) accounts")
            }
            let existing = try await db.raw(
                "SELECT 1 AS x FROM care_team_members WHERE patient_id = \(bind: id.rawValue) AND user_id = \(bind: user.rawValue)").first()
            if existing == nil {
                try await db.raw(
                    """
                    INSERT INTO care_team_members (patient_id, user_id, added_at, added_by)
                    VALUES (\(bind: id.rawValue), \(bind: user.rawValue), \(bind: stamp), \(bind: by.rawValue))
                    """
                ).run()
            }
        }
    }

    public func removeFromCareTeam(_ grant: AccessGrant, patient id: PatientID, user: UserID) async throws {
        try grant.require(.write, .careTeam, id)
        try await audited(grant) { db in
            try await db.raw("DELETE FROM care_team_members WHERE patient_id = \(bind: id.rawValue) AND user_id = \(bind: user.rawValue)").run()
        }
    }

    public struct BreakGlassGrant: Sendable, Codable, Hashable {
        public var id: GrantID
        public var patientID: PatientID
        public var userID: UserID
        public var reason: String
        public var grantedAt: Int64
        public var expiresAt: Int64
    }

    /// Opens emergency read access for `duration` milliseconds; the reason is kept with the grant and in the audit log.
    public func breakGlass(_ grant: AccessGrant, patient id: PatientID, reason: String, duration: Int64) async throws -> BreakGlassGrant {
        try grant.require(.write, .breakGlass, id)
        let sent = reason
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard sent.unicodeScalars.count <= 1000, reason.unicodeScalars.count >= 10 else {
            throw StoreError.invalid(field: "reason", message: "say why emergency access is needed (10–1000 characters)")
        }
        let stamp = now()
        let record = BreakGlassGrant(id: .random(), patientID: id, userID: grant.principal.userID, reason: reason, grantedAt: stamp, expiresAt: stamp + duration)
        var audit = grant.pendingAudit
        audit?.reason = "break-glass: \(reason)"
        let entry = audit
        let engine = self.engine
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO break_glass_grants (patient_id, grant_id, user_id, reason, granted_at, expires_at)
                VALUES (\(bind: id.rawValue), \(bind: record.id.rawValue), \(bind: record.userID.rawValue), \(bind: reason), \(bind: stamp), \(bind: record.expiresAt))
                """
            ).run()
            if let entry { try await AuditLog.append([entry], in: db, engine: engine) }
        }
        return record
    }

    // MARK: Audit for a patient

    /// The audit trail of one patient's record, newest first: who looked, when, why, and what was refused.
    public func patientAudit(_ grant: AccessGrant, patient id: PatientID, limit: Int, before: Int64?) async throws -> [AuditEntry] {
        try grant.require(.read, .patientAudit, id)
        let limit = max(1, min(limit, 1000))
        return try await database.read { db in
            var query: SQLQueryString = "SELECT * FROM audit_events WHERE patient_id = \(bind: id.rawValue)"
            if let before { query.appendInterpolation(" AND seq < \(bind: before)" as SQLQueryString) }
            query.appendInterpolation(" ORDER BY seq DESC LIMIT \(unsafeRaw: String(limit))" as SQLQueryString)
            return try await db.raw(query).all().map(Database.auditEntry)
        }
    }

    /// The whole log, for administrators, newest first.
    public func auditLog(_ grant: AccessGrant, limit: Int, before: Int64?) async throws -> [AuditEntry] {
        try grant.require(.read, .auditLog, nil)
        let limit = max(1, min(limit, 1000))
        return try await database.read { db in
            var query: SQLQueryString = "SELECT * FROM audit_events"
            if let before { query.appendInterpolation(" WHERE seq < \(bind: before)" as SQLQueryString) }
            query.appendInterpolation(" ORDER BY seq DESC LIMIT \(unsafeRaw: String(limit))" as SQLQueryString)
            return try await db.raw(query).all().map(Database.auditEntry)
        }
    }

    // MARK: Row mapping

    static func patient(_ row: any SQLRow) throws -> Patient {
        Patient(
            id: PatientID(rawValue: try row.decode(column: "patient_id", as: String.self)),
            mrn: try row.decode(column: "mrn", as: String?.self),
            givenName: try row.decode(column: "given_name", as: String.self),
            familyName: try row.decode(column: "family_name", as: String.self),
            birthDate: try row.decode(column: "birth_date", as: String?.self),
            sex: try row.decode(column: "sex", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }

    static func entry(_ row: any SQLRow) throws -> ClinicalEntry {
        ClinicalEntry(
            id: EntryID(rawValue: try row.decode(column: "entry_id", as: String.self)),
            patientID: PatientID(rawValue: try row.decode(column: "patient_id", as: String.self)),
            type: EntryType(rawValue: try row.decode(column: "entry_type", as: String.self)) ?? .observation,
            category: try row.decode(column: "category", as: String.self),
            system: try row.decode(column: "code_system", as: String.self),
            code: try row.decode(column: "code", as: String.self),
            display: try row.decode(column: "display", as: String?.self),
            valueNumber: try row.decode(column: "value_number", as: Double?.self),
            valueText: try row.decode(column: "value_text", as: String?.self),
            unit: try row.decode(column: "unit", as: String?.self),
            status: try row.decode(column: "status", as: String?.self),
            effectiveAt: try row.decode(column: "effective_at", as: Int64?.self),
            recordedAt: try row.decode(column: "recorded_at", as: Int64.self),
            recordedBy: UserID(rawValue: try row.decode(column: "recorded_by", as: String.self)))
    }

    static func consent(_ row: any SQLRow) throws -> ConsentRecord {
        ConsentRecord(
            id: ConsentID(rawValue: try row.decode(column: "consent_id", as: String.self)),
            patientID: PatientID(rawValue: try row.decode(column: "patient_id", as: String.self)),
            version: Int(try row.decode(column: "version", as: Int64.self)),
            directive: try JSONCoding.decode(ConsentDirective.self, from: try row.decode(column: "directive", as: String.self)),
            recordedAt: try row.decode(column: "recorded_at", as: Int64.self),
            recordedBy: UserID(rawValue: try row.decode(column: "recorded_by", as: String.self)))
    }

    static func run(_ row: any SQLRow) throws -> AnalysisRun {
        AnalysisRun(
            id: RunID(rawValue: try row.decode(column: "run_id", as: String.self)),
            patientID: PatientID(rawValue: try row.decode(column: "patient_id", as: String.self)),
            datasetID: DatasetID(rawValue: try row.decode(column: "dataset_id", as: String.self)),
            analyser: try row.decode(column: "analyser", as: String.self),
            status: RunStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .failed,
            progress: try row.decode(column: "progress", as: Double.self),
            attempts: Int(try row.decode(column: "attempts", as: Int64.self)),
            error: try row.decode(column: "error", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            startedAt: try row.decode(column: "started_at", as: Int64?.self),
            finishedAt: try row.decode(column: "finished_at", as: Int64?.self),
            requestedBy: UserID(rawValue: try row.decode(column: "requested_by", as: String.self)))
    }

    static func findingSummary(_ row: any SQLRow) throws -> FindingSummary {
        FindingSummary(
            id: FindingID(rawValue: try row.decode(column: "finding_id", as: String.self)),
            kind: try row.decode(column: "kind", as: String.self),
            subject: try row.decode(column: "subject", as: String.self),
            summary: try row.decode(column: "summary", as: String.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }
}

/// Small syntactic checks shared by the store's validators.
enum Validation {
    /// `YYYY-MM-DD`: digits only, a real calendar day (leap years included), years 1800–2200.
    static func isISODate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D,
            bytes.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || (0x30...0x39).contains($0.element) })
        else { return false }
        func number(_ range: Range<Int>) -> Int { bytes[range].reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        let (year, month, day) = (number(0..<4), number(5..<7), number(8..<10))
        guard (1800...2200).contains(year), (1...12).contains(month) else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// `HP:` followed by seven digits.
    static func isHPO(_ code: String) -> Bool {
        code.hasPrefix("HP:") && code.count == 10 && code.dropFirst(3).allSatisfy(\.isASCII) && code.dropFirst(3).allSatisfy(\.isNumber)
    }
}
