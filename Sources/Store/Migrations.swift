import Foundation
import Records
import SQLKit

/// One named, append-only schema step. Its statements run in one transaction together with the row that
/// records it, so a migration is applied completely or not at all.
struct Migration: Sendable {
    var name: String
    /// Statements for SQLite and for PostgreSQL (identical unless the engines' syntax differs).
    var statements: @Sendable (SQLEngine) -> [String]
    /// Work that depends on the schema found (run after `statements`, in the same transaction), for steps that
    /// SQLite cannot express as fixed statements (changing a CHECK means rebuilding the table as it is).
    var run: (@Sendable (any SQLDatabase, SQLEngine) async throws -> Void)? = nil
}

/// The schema. Append new migrations at the end; never edit or reorder an applied one.
///
/// Integrity lives here: NOT NULL, foreign keys, unique keys and CHECKs. Every patient-owned table carries
/// `patient_id` (so a distributed PostgreSQL can shard by it). Findings and audit entries cannot be changed or
/// deleted: triggers refuse it on both engines.
enum Schema {
    static let migrations: [Migration] = [
        Migration(name: "0001_record") { engine in
            let roles = Role.allCases.map { "'\($0.rawValue)'" }.joined(separator: ",")
            return [
                """
                CREATE TABLE patients (
                    patient_id TEXT PRIMARY KEY,
                    mrn TEXT UNIQUE,
                    given_name TEXT NOT NULL,
                    family_name TEXT NOT NULL,
                    birth_date TEXT,
                    sex TEXT NOT NULL CHECK (sex IN ('female','male','other','unknown')),
                    created_at BIGINT NOT NULL,
                    created_by TEXT NOT NULL
                )
                """,
                """
                CREATE TABLE users (
                    user_id TEXT PRIMARY KEY,
                    username TEXT NOT NULL UNIQUE,
                    display_name TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN (\(roles))),
                    password_hash TEXT NOT NULL,
                    patient_id TEXT REFERENCES patients(patient_id),
                    disabled BOOLEAN NOT NULL DEFAULT FALSE,
                    created_at BIGINT NOT NULL,
                    CHECK ((role = 'patient') = (patient_id IS NOT NULL))
                )
                """,
                """
                CREATE TABLE care_team_members (
                    patient_id TEXT NOT NULL REFERENCES patients(patient_id),
                    user_id TEXT NOT NULL REFERENCES users(user_id),
                    added_at BIGINT NOT NULL,
                    added_by TEXT NOT NULL,
                    PRIMARY KEY (patient_id, user_id)
                )
                """,
                "CREATE INDEX care_team_by_user ON care_team_members (user_id, patient_id)",
                """
                CREATE TABLE consents (
                    patient_id TEXT NOT NULL REFERENCES patients(patient_id),
                    consent_id TEXT PRIMARY KEY,
                    version INTEGER NOT NULL,
                    directive TEXT NOT NULL,
                    recorded_at BIGINT NOT NULL,
                    recorded_by TEXT NOT NULL,
                    UNIQUE (patient_id, version)
                )
                """,
                """
                CREATE TABLE break_glass_grants (
                    patient_id TEXT NOT NULL REFERENCES patients(patient_id),
                    grant_id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(user_id),
                    reason TEXT NOT NULL,
                    granted_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX break_glass_by_user ON break_glass_grants (user_id, patient_id, expires_at)",
                """
                CREATE TABLE clinical_entries (
                    patient_id TEXT NOT NULL REFERENCES patients(patient_id),
                    entry_id TEXT PRIMARY KEY,
                    entry_type TEXT NOT NULL CHECK (entry_type IN ('observation','condition','medication','phenotype','factor')),
                    category TEXT NOT NULL,
                    code_system TEXT NOT NULL,
                    code TEXT NOT NULL,
                    display TEXT,
                    value_number DOUBLE PRECISION,
                    value_text TEXT,
                    unit TEXT,
                    status TEXT,
                    effective_at BIGINT,
                    recorded_at BIGINT NOT NULL,
                    recorded_by TEXT NOT NULL
                )
                """,
                "CREATE INDEX entries_by_patient ON clinical_entries (patient_id, entry_type, effective_at)",
                """
                CREATE TABLE datasets (
                    patient_id TEXT NOT NULL REFERENCES patients(patient_id),
                    dataset_id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL CHECK (kind IN ('germline_vcf','tumor_vcf','maf','expression')),
                    filename TEXT NOT NULL,
                    size_bytes BIGINT NOT NULL,
                    sha256 TEXT NOT NULL,
                    genome_build TEXT,
                    blob_key TEXT NOT NULL,
                    wrapped_key TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    created_by TEXT NOT NULL
                )
                """,
                "CREATE INDEX datasets_by_patient ON datasets (patient_id, created_at)",
                """
                CREATE TABLE samples (
                    patient_id TEXT NOT NULL REFERENCES patients(patient_id),
                    sample_id TEXT PRIMARY KEY,
                    dataset_id TEXT NOT NULL REFERENCES datasets(dataset_id),
                    name_in_file TEXT NOT NULL,
                    UNIQUE (dataset_id, name_in_file)
                )
                """,
                """
                CREATE TABLE analysis_runs (
                    patient_id TEXT NOT NULL REFERENCES patients(patient_id),
                    run_id TEXT PRIMARY KEY,
                    dataset_id TEXT NOT NULL REFERENCES datasets(dataset_id),
                    analyser TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('queued','running','succeeded','failed')),
                    progress DOUBLE PRECISION NOT NULL DEFAULT 0,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    error TEXT,
                    created_at BIGINT NOT NULL,
                    started_at BIGINT,
                    finished_at BIGINT,
                    requested_by TEXT NOT NULL
                )
                """,
                "CREATE INDEX runs_by_status ON analysis_runs (status, created_at)",
                "CREATE INDEX runs_by_patient ON analysis_runs (patient_id, created_at)",
                """
                CREATE TABLE findings (
                    patient_id TEXT NOT NULL REFERENCES patients(patient_id),
                    finding_id TEXT PRIMARY KEY,
                    run_id TEXT NOT NULL REFERENCES analysis_runs(run_id),
                    dataset_id TEXT NOT NULL REFERENCES datasets(dataset_id),
                    kind TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    label TEXT,
                    interpretation TEXT,
                    evidence TEXT NOT NULL,
                    provenance TEXT NOT NULL,
                    created_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX findings_by_patient ON findings (patient_id, created_at)",
                "CREATE INDEX findings_by_run ON findings (run_id)",
                """
                CREATE TABLE audit_events (
                    seq BIGINT PRIMARY KEY,
                    at BIGINT NOT NULL,
                    actor TEXT NOT NULL,
                    actor_role TEXT NOT NULL,
                    action TEXT NOT NULL,
                    resource TEXT NOT NULL,
                    patient_id TEXT,
                    purpose TEXT NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('allow','deny')),
                    reason TEXT NOT NULL,
                    request_id TEXT NOT NULL,
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                )
                """,
                "CREATE INDEX audit_by_patient ON audit_events (patient_id, seq)",
                """
                CREATE TABLE audit_head (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    seq BIGINT NOT NULL,
                    hash TEXT NOT NULL
                )
                """,
                "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '\(AuditChain.genesis)')",
            ] + appendOnly(engine, tables: ["audit_events", "findings"])
        },
        // A running analysis proves it is alive, so a server sharing the database can tell a run whose process
        // died from one that is still working.
        Migration(name: "0002_run_heartbeat") { _ in
            ["ALTER TABLE analysis_runs ADD COLUMN heartbeat_at BIGINT"]
        },
        // Monitoring readings (home BP, glucose/CGM, weight, steps, sleep) as a time series of their own: one row per
        // reading, keyed so a re-sent reading is ignored (same patient, kind, instant and source). Care plans are
        // kept as immutable snapshots of what was proposed; goals as an append-only history of versions, the newest
        // being the goal's current state, so "who agreed to what, when" is never overwritten.
        Migration(name: "0003_monitoring_care_plans") { engine in
            [
                """
                CREATE TABLE readings (
                    patient_id TEXT NOT NULL REFERENCES patients(patient_id),
                    kind TEXT NOT NULL,
                    at BIGINT NOT NULL,
                    source TEXT NOT NULL,
                    value DOUBLE PRECISION NOT NULL,
                    value2 DOUBLE PRECISION,
                    utc_offset INTEGER,
                    external_id TEXT,
                    recorded_at BIGINT NOT NULL,
                    recorded_by TEXT NOT NULL,
                    PRIMARY KEY (patient_id, kind, at, source)
                )\(engine == .sqlite ? " WITHOUT ROWID" : "")
                """,
                """
                CREATE TABLE care_plans (
                    patient_id TEXT NOT NULL REFERENCES patients(patient_id),
                    plan_id TEXT PRIMARY KEY,
                    guideline TEXT NOT NULL,
                    knowledge TEXT NOT NULL,
                    document TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    created_by TEXT NOT NULL
                )
                """,
                "CREATE INDEX care_plans_by_patient ON care_plans (patient_id, created_at)",
                """
                CREATE TABLE care_goals (
                    patient_id TEXT NOT NULL REFERENCES patients(patient_id),
                    goal_id TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    plan_id TEXT REFERENCES care_plans(plan_id),
                    lifecycle_status TEXT NOT NULL,
                    action TEXT NOT NULL,
                    note TEXT,
                    document TEXT NOT NULL,
                    recorded_at BIGINT NOT NULL,
                    recorded_by TEXT NOT NULL,
                    recorded_role TEXT NOT NULL,
                    PRIMARY KEY (goal_id, version)
                )
                """,
                "CREATE INDEX care_goals_by_patient ON care_goals (patient_id, goal_id, version)",
            ] + appendOnly(engine, tables: ["care_plans", "care_goals"], definesFunction: false)
        },
        FHIRImportSchema.migration,
    ]

    /// Triggers that refuse UPDATE and DELETE on a table.
    /// On PostgreSQL the trigger function is created once, by the first migration (`definesFunction`).
    static func appendOnly(_ engine: SQLEngine, tables: [String], definesFunction: Bool = true) -> [String] {
        switch engine {
        case .sqlite:
            return tables.flatMap { table in
                ["UPDATE", "DELETE"].map { operation in
                    """
                    CREATE TRIGGER \(table)_no_\(operation.lowercased()) BEFORE \(operation) ON \(table)
                    BEGIN SELECT RAISE(ABORT, '\(table) is append-only'); END
                    """
                }
            }
        case .postgres:
            return (definesFunction ? [
                """
                CREATE FUNCTION tailor_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$
                """
            ] : []) + tables.map { table in
                "CREATE TRIGGER \(table)_append_only BEFORE UPDATE OR DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION tailor_append_only()"
            }
        }
    }
}


extension Database {
    /// Applies every migration not yet applied, each in its own transaction. Safe to call on every start and from
    /// several processes at once (PostgreSQL takes an advisory lock; SQLite has one writer). `through` stops after the
    /// named migration (tests use it to build a database as an older release left it).
    public func migrate(through last: String? = nil) async throws {
        try await write { db in
            try await db.raw("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)").run()
        }
        for migration in Schema.migrations {
            let engine = self.engine
            try await write { db in
                if engine == .postgres {
                    try await db.raw("SELECT pg_advisory_xact_lock(7243116)").run()
                }
                let done = try await db.raw("SELECT name FROM schema_migrations WHERE name = \(bind: migration.name)").first()
                guard done == nil else { return }
                for statement in migration.statements(engine) {
                    do {
                        try await db.raw(SQLQueryString(statement)).run()
                    } catch {
                        throw StoreError.migration(name: migration.name, message: String(describing: error))
                    }
                }
                if let run = migration.run {
                    do {
                        try await run(db, engine)
                    } catch let error as StoreError {
                        throw error
                    } catch {
                        throw StoreError.migration(name: migration.name, message: String(describing: error))
                    }
                }
                try await db.raw("INSERT INTO schema_migrations (name, applied_at) VALUES (\(bind: migration.name), \(bind: WallClock.millis()))").run()
            }
            if migration.name == last { return }
        }
    }

    /// The names of the applied migrations, in order.
    public func appliedMigrations() async throws -> [String] {
        try await read { db in
            try await db.raw("SELECT name FROM schema_migrations ORDER BY name").all().map { try $0.decode(column: "name", as: String.self) }
        }
    }
}

/// Wall-clock milliseconds. The store takes times as parameters where tests need to control them; this is for
/// bookkeeping stamps only.
public enum WallClock {
    public static func millis() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}
