import Foundation
import Logging
import Records
import SQLKit
import Store

/// The engines store tests run on. PostgreSQL runs need `TAILOR_TEST_POSTGRES_URL` (`.ci/run` starts a server and
/// sets it); without it those suites are reported as skipped, never passed.
enum TestEngine: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    static let postgresURL = ProcessInfo.processInfo.environment["TAILOR_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    var description: String { rawValue }
}

/// A fresh, migrated database for one test: a temporary SQLite file, or a new schema on the test PostgreSQL server.
struct TestDatabase {
    let database: Database
    let store: RecordStore
    let gate: AccessGate
    let audit: AuditLog
    /// Where the database is, for opening a second handle on it (another server sharing the database).
    let location: DatabaseLocation
    private let cleanup: @Sendable () async -> Void

    /// `through` stops the migrations after the named one (a database as an older release left it).
    static func open(_ engine: TestEngine, now: @escaping @Sendable () -> Int64 = { WallClock.millis() }, through: String? = nil) async throws -> TestDatabase {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let location: DatabaseLocation
        let cleanup: @Sendable () async -> Void
        switch engine {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-store-\(UUID().uuidString)").path
            location = .sqlite(path: folder + "/test.sqlite")
            cleanup = { try? FileManager.default.removeItem(atPath: folder) }
        case .postgres:
            guard let url = TestEngine.postgresURL else { throw StoreError.configuration("TAILOR_TEST_POSTGRES_URL is not set") }
            let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let admin = try Database(location: .postgres(url: url), maxConnections: 2, logger: logger)
            try await admin.write { db in try await db.raw("CREATE SCHEMA \(unsafeRaw: schema)").run() }
            let separator = url.contains("?") ? "&" : "?"
            // Four connections a test: suites run in parallel, and PostgreSQL's default limit is 100 connections.
            location = .postgres(url: url + separator + "search_path=" + schema)
            cleanup = {
                try? await admin.write { db in try await db.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
                await admin.close()
            }
        }
        let database = try Database(location: location, maxConnections: engine == .postgres ? 4 : 8, logger: logger)
        try await database.migrate(through: through)
        let audit = AuditLog(database: database)
        return TestDatabase(
            database: database, store: RecordStore(database: database, now: now), gate: AccessGate(database: database, audit: audit, now: now),
            audit: audit, location: location, cleanup: cleanup)
    }

    /// A second handle on the same database, as another server process would have: its own connections and its
    /// own audit log. The caller closes it.
    func sibling() throws -> (database: Database, audit: AuditLog, gate: AccessGate) {
        var logger = Logger(label: "test-sibling")
        logger.logLevel = .warning
        let database = try Database(location: location, maxConnections: 4, logger: logger)
        let audit = AuditLog(database: database)
        return (database, audit, AccessGate(database: database, audit: audit))
    }

    func close() async {
        await database.close()
        await cleanup()
    }

    /// Creates an account directly (as the bootstrap path does) and returns its principal.
    func user(_ username: String, _ role: Role, patient: PatientID? = nil) async throws -> Principal {
        try await store.createUser(nil, .init(username: username, displayName: username, role: role, patientID: patient), passwordHash: "x").principal
    }
}

