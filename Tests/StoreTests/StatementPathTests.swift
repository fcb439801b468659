import Foundation
import Logging
import SQLKit
@testable import Store
import Testing

/// The statement paths under the store: SQLite statements run inline from a per-connection cache
/// (``DirectSQLiteConnection``), PostgreSQL's as named prepared statements (``PreparedPostgresDatabase``). Both must
/// give exactly what an unprepared statement would: values, nulls, errors, fresh data after a write.
/// Each engine-parameterised case runs here on SQLite and in ``StatementPathPostgresTests`` on PostgreSQL (reported
/// as skipped when no test server is configured).
@Suite("Statement paths")
struct StatementPathTests {
    struct Row: Equatable {
        var id: Int64
        var text: String?
        var number: Int64?
        var real: Double?
        var flag: Bool
    }

    static let rows: [Row] = [
        // A null first: on PostgreSQL the statement prepared for it must not fix the parameter's type for the next call.
        Row(id: 1, text: nil, number: nil, real: nil, flag: false),
        Row(id: 2, text: "héllo, wörld 🧬", number: -9_007_199_254_740_993, real: 0.1, flag: true),
        Row(id: 3, text: "", number: 0, real: -2.5e300, flag: false),
        Row(id: 4, text: "it's; DROP TABLE t", number: Int64.max, real: nil, flag: true),
    ]

    /// A fresh database for `body`, closed afterwards whatever happens.
    static func using(_ engine: TestEngine, _ body: (TestDatabase) async throws -> Void) async throws {
        let test = try await TestDatabase.open(engine)
        do {
            try await body(test)
        } catch {
            await test.close()
            throw error
        }
        await test.close()
    }

    @Test(arguments: [TestEngine.sqlite])
    func valuesRoundTripThroughCachedStatements(_ engine: TestEngine) async throws {
        try await Self.using(engine) { test in
            try await test.database.write { db in
                try await db.raw("CREATE TABLE probe (id BIGINT PRIMARY KEY, txt TEXT, num BIGINT, real DOUBLE PRECISION, flag BOOLEAN NOT NULL)").run()
            }
            for row in Self.rows {
                try await test.database.write { db in
                    try await db.raw(
                        "INSERT INTO probe (id, txt, num, real, flag) VALUES (\(bind: row.id), \(bind: row.text), \(bind: row.number), \(bind: row.real), \(bind: row.flag))"
                    ).run()
                }
            }
            for expected in Self.rows {
                let read = try await test.database.read { db -> Row? in
                    guard let row = try await db.raw("SELECT * FROM probe WHERE id = \(bind: expected.id)").first() else { return nil }
                    return Row(
                        id: try row.decode(column: "id", as: Int64.self), text: try row.decode(column: "txt", as: String?.self),
                        number: try row.decode(column: "num", as: Int64?.self), real: try row.decode(column: "real", as: Double?.self),
                        flag: try row.decode(column: "flag", as: Bool.self))
                }
                #expect(read == expected)
            }
            // The same statement text with a null where a value was (and the reverse) still matches the right rows.
            let withNull = try await test.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM probe WHERE txt IS NOT DISTINCT FROM \(bind: String?.none)").first()?.decode(column: "n", as: Int.self)
            }
            let withValue = try await test.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM probe WHERE txt IS NOT DISTINCT FROM \(bind: String?.some(""))").first()?.decode(column: "n", as: Int.self)
            }
            #expect(withNull == 1)
            #expect(withValue == 1)
        }
    }

    @Test(arguments: [TestEngine.sqlite])
    func aCachedStatementSeesTheLatestCommit(_ engine: TestEngine) async throws {
        try await Self.using(engine) { test in
            try await test.database.write { db in try await db.raw("CREATE TABLE tally (id BIGINT PRIMARY KEY)").run() }
            for expected in 0..<5 {
                let count = try await test.database.read { db in
                    try await db.raw("SELECT COUNT(*) AS n FROM tally").first()?.decode(column: "n", as: Int64.self)
                }
                #expect(count == Int64(expected))
                try await test.database.write { db in try await db.raw("INSERT INTO tally (id) VALUES (\(bind: Int64(expected)))").run() }
            }
        }
    }

    @Test(arguments: [TestEngine.sqlite])
    func aFailedStatementNamesItselfAndLeavesTheConnectionUsable(_ engine: TestEngine) async throws {
        try await Self.using(engine) { test in
            for _ in 0..<2 {
                let error = await #expect(throws: (any Error).self) {
                    try await test.database.read { db in try await db.raw("SELECT missing_column FROM patients WHERE patient_id = \(bind: "p")").all() }
                }
                #expect(String(describing: error).contains("missing_column"))
            }
            // A write that fails rolls back and frees the writer for the next one.
            await #expect(throws: (any Error).self) {
                try await test.database.write { db in
                    try await db.raw("CREATE TABLE half (id BIGINT)").run()
                    try await db.raw("INSERT INTO nowhere VALUES (1)").run()
                }
            }
            let tables = try await test.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM patients").first()?.decode(column: "n", as: Int64.self)
            }
            #expect(tables == 0)
            try await test.database.write { db in try await db.raw("CREATE TABLE half (id BIGINT)").run() }
        }
    }

    /// Many tasks sharing the pool, each statement prepared on whichever connection it lands on, with nulls and values
    /// alternating in the same positions, reads and writes interleaved.
    @Test(arguments: [TestEngine.sqlite])
    func concurrentStatementsOnSharedConnections(_ engine: TestEngine) async throws {
        try await Self.using(engine) { test in
            let database = test.database
            try await database.write { db in
                try await db.raw("CREATE TABLE busy (id BIGINT PRIMARY KEY, txt TEXT, num BIGINT)").run()
            }
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for task in 0..<32 {
                        group.addTask {
                            for step in 0..<40 {
                                let id = Int64(task * 1000 + step)
                                let text: String? = step % 3 == 0 ? nil : "t\(step)"
                                if step % 4 == 0 {
                                    try await database.write { db in
                                        try await db.raw("INSERT INTO busy (id, txt, num) VALUES (\(bind: id), \(bind: text), \(bind: Int64?.none))").run()
                                    }
                                } else {
                                    _ = try await database.read { db in
                                        try await db.raw("SELECT COUNT(*) AS n FROM busy WHERE txt IS NOT DISTINCT FROM \(bind: text) OR num = \(bind: Int64(step))").all()
                                    }
                                }
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            } catch {
                Issue.record("\(String(reflecting: error))")
                throw error
            }
            let n = try await database.read { db in try await db.raw("SELECT COUNT(*) AS n FROM busy").first()?.decode(column: "n", as: Int64.self) }
            #expect(n.map { Int($0) } == 32 * 10)
        }
    }

    /// Read-modify-write from many tasks at once: the writer lock makes each a whole transaction.
    @Test func sqliteWritersQueueWithoutLosingUpdates() async throws {
        try await Self.using(.sqlite) { test in
            try await test.database.write { db in
                try await db.raw("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)").run()
                try await db.raw("INSERT INTO counter (id, n) VALUES (1, 0)").run()
            }
            let database = test.database
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        try await database.write { db in
                            let n = try await db.raw("SELECT n FROM counter WHERE id = 1").first()?.decode(column: "n", as: Int64.self) ?? -1
                            await Task.yield()
                            try await db.raw("UPDATE counter SET n = \(bind: n + 1) WHERE id = 1").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let n = try await database.read { db in try await db.raw("SELECT n FROM counter WHERE id = 1").first()?.decode(column: "n", as: Int64.self) }
            #expect(n == 64)
        }
    }

    /// The writer never checkpoints (its automatic checkpoint is off); the background checkpointer does, soon after writes,
    /// so the WAL does not grow without end.
    @Test func sqliteWALIsCheckpointedInTheBackground() async throws {
        try await Self.using(.sqlite) { test in
            let database = test.database
            let autocheckpoint = try await database.write { db in
                try await db.raw("PRAGMA wal_autocheckpoint").first()?.decode(column: "wal_autocheckpoint", as: Int.self)
            }
            #expect(autocheckpoint == 0)
            try await database.write { db in try await db.raw("CREATE TABLE filler (id INTEGER PRIMARY KEY, pad TEXT)").run() }
            let before = database.sqliteCheckpoints
            for batch in 0..<20 {
                try await database.write { db in
                    for row in 0..<50 {
                        try await db.raw("INSERT INTO filler (id, pad) VALUES (\(bind: batch * 50 + row), \(bind: String(repeating: "x", count: 500)))").run()
                    }
                }
            }
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while database.sqliteCheckpoints == before, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(database.sqliteCheckpoints > before)
            let count = try await database.read { db in try await db.raw("SELECT COUNT(*) AS n FROM filler").first()?.decode(column: "n", as: Int.self) }
            #expect(count == 1000)
        }
    }

    /// More distinct statements than a connection caches: the cache is emptied and refilled, answers stay right.
    @Test func sqliteStatementCacheOverflow() async throws {
        try await Self.using(.sqlite) { test in
            let total = try await test.database.read { db in
                var sum: Int64 = 0
                for value in 0..<(DirectSQLiteConnection.cacheCapacity + 50) {
                    sum += try await db.raw("SELECT \(unsafeRaw: String(value)) + \(bind: Int64(1)) AS v").first()?.decode(column: "v", as: Int64.self) ?? 0
                }
                return sum
            }
            let n = Int64(DirectSQLiteConnection.cacheCapacity + 50)
            #expect(total == n * (n - 1) / 2 + n)
        }
    }

    /// Values the fast paths do not cover go through SQLiteKit's decoder, as before.
    @Test func sqliteDecodesOtherTypesAsSQLiteKitDoes() async throws {
        try await Self.using(.sqlite) { test in
            let row = try await test.database.read { db in
                try await db.raw("SELECT 1 AS flag, '[\"a\",\"b\"]' AS list, 2.0 AS whole, 7 AS small, NULL AS empty").first()
            }
            let decoded = try #require(row)
            #expect(try decoded.decode(column: "flag", as: Bool.self) == true)
            #expect(try decoded.decode(column: "list", as: [String].self) == ["a", "b"])
            #expect(try decoded.decode(column: "whole", as: Double.self) == 2)
            #expect(throws: (any Error).self) { try decoded.decode(column: "whole", as: Int.self) }
            #expect(try decoded.decode(column: "small", as: Int32.self) == 7)
            #expect(try decoded.decode(column: "empty", as: Int?.self) == nil)
            #expect(try decoded.decodeNil(column: "empty"))
            #expect(throws: (any Error).self) { try decoded.decode(column: "absent", as: String.self) }
        }
    }

    /// A file that cannot be opened is refused when the database is opened, naming the path; a closed database refuses
    /// reads and writes rather than touching a closed handle.
    @Test func sqliteOpenAndCloseErrors() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-open-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/db.sqlite", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect {
            _ = try Database(location: .sqlite(path: folder + "/db.sqlite"), logger: Logger(label: "test"))
        } throws: { String(describing: $0).contains(folder + "/db.sqlite") }

        let database = try Database(location: .sqlite(path: folder + "/ok.sqlite"), logger: Logger(label: "test"))
        _ = try await database.read { db in try await db.raw("SELECT 1 AS one").all() }
        await database.close()
        await #expect(throws: (any Error).self) { try await database.read { db in try await db.raw("SELECT 1 AS one").all() } }
        await #expect(throws: (any Error).self) { try await database.write { db in try await db.raw("SELECT 1 AS one").all() } }
    }

    @Test func postgresPreparesOnlyWhatIsSafeToPrepare() {
        #expect(PreparedPostgresDatabase.statement("SELECT 1 WHERE x = $1", ["a"]) != nil)
        #expect(PreparedPostgresDatabase.statement("CREATE TABLE x (id BIGINT)", []) == nil)
        #expect(PreparedPostgresDatabase.statement("BEGIN", []) == nil)
        #expect(PreparedPostgresDatabase.statement("SELECT $1", [UUID()]) == nil)
        #expect(PreparedPostgresDatabase.statement("SELECT $1", [Data([1])]) == nil)
        #expect(PreparedPostgresDatabase.statement("SELECT '" + String(repeating: "x", count: 5_000) + "'", []) == nil)
        let value = PreparedPostgresDatabase.statement("SELECT $1, $2", [String?.some("a"), Int64(1)])
        let null = PreparedPostgresDatabase.statement("SELECT $1, $2", [String?.none, Int64(1)])
        #expect(value?.identity.name.hasSuffix("_si") == true)
        #expect(null?.identity.name.hasSuffix("_ni") == true)
        #expect(value?.identity.name.count ?? 99 <= 63)
    }

    @Test(arguments: [("", "cbf29ce484222325"), ("a", "af63dc4c8601ec8c"), ("foobar", "85944171f73967e8")])
    func statementNamesUseFNV1a(_ text: String, _ hex: String) {
        #expect(PreparedPostgresDatabase.stableHash(text) == hex)
    }
}

@Suite("Statement paths on PostgreSQL", .enabled(if: TestEngine.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set: PostgreSQL runs skipped"))
struct StatementPathPostgresTests {
    @Test func valuesRoundTripThroughCachedStatements() async throws {
        try await StatementPathTests().valuesRoundTripThroughCachedStatements(.postgres)
    }

    @Test func aCachedStatementSeesTheLatestCommit() async throws {
        try await StatementPathTests().aCachedStatementSeesTheLatestCommit(.postgres)
    }

    @Test func aFailedStatementNamesItselfAndLeavesTheConnectionUsable() async throws {
        try await StatementPathTests().aFailedStatementNamesItselfAndLeavesTheConnectionUsable(.postgres)
    }

    @Test func concurrentStatementsOnSharedConnections() async throws {
        try await StatementPathTests().concurrentStatementsOnSharedConnections(.postgres)
    }
}
