import Foundation
import Logging
import NIOPosix
import PostgresKit
import SQLKit
@testable import Store
import Testing

/// The PostgreSQL connection pool: bounded, first come first served, a timeout for waiters, closed connections
/// replaced, and a clean close.
@Suite(.enabled(if: TestEngine.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set: PostgreSQL runs skipped"))
struct PostgresPoolTests {
    static func pool(max: Int, timeout: Duration = .seconds(30)) throws -> PostgresPool {
        let configuration = try SQLPostgresConfiguration(url: TestEngine.postgresURL!)
        var logger = Logger(label: "pool-test")
        logger.logLevel = .warning
        return PostgresPool(
            configuration: configuration.coreConfiguration, searchPath: nil, maxConnections: max, timeout: timeout,
            group: MultiThreadedEventLoopGroup.singleton, logger: logger)
    }

    static func backend(_ connection: PostgresConnection) async throws -> Int64 {
        let row = try await connection.sql(queryLogLevel: nil).raw("SELECT pg_backend_pid()::bigint AS pid").first()
        return try #require(try row?.decode(column: "pid", as: Int64.self))
    }

    @Test func boundedAndShared() async throws {
        // A long timeout: under the full suite the cooperative threads can be busy for many seconds.
        let pool = try Self.pool(max: 3, timeout: .seconds(600))
        defer { pool.closeNow() }
        let backends = try await withThrowingTaskGroup(of: Int64.self) { group in
            for _ in 0..<60 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try await Task.sleep(for: .milliseconds(2))
                        return try await Self.backend(connection)
                    }
                }
            }
            return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
        }
        #expect(backends.count <= 3)
        #expect(pool.counts.open <= 3)
        #expect(pool.counts.waiting == 0)
        await pool.close()
        #expect(pool.counts.open == 0)
        await #expect(throws: PostgresPool.Closed.self) { try await pool.lease() }
    }

    @Test func waitersTimeOut() async throws {
        let pool = try Self.pool(max: 1, timeout: .seconds(1))
        defer { pool.closeNow() }
        let held = try await pool.lease()
        let started = ContinuousClock.now
        await #expect(throws: PostgresPool.Timeout.self) { try await pool.lease() }
        #expect(ContinuousClock.now - started >= .seconds(1))
        // Returned, the connection serves the next caller.
        pool.release(held)
        let again = try await pool.lease()
        #expect(try await Self.backend(again) == Self.backend(held))
        pool.release(again)
        await pool.close()
    }

    @Test func aClosedConnectionIsReplaced() async throws {
        let pool = try Self.pool(max: 1)
        defer { pool.closeNow() }
        let first = try await pool.lease()
        let pid = try await Self.backend(first)
        try await first.close()
        pool.release(first)
        #expect(pool.counts.open == 0)
        let second = try await pool.lease()
        #expect(try await Self.backend(second) != pid)
        pool.release(second)
        // Leased when the pool closes: closed on its way back.
        let third = try await pool.lease()
        await pool.close()
        pool.release(third)
        #expect(pool.counts.open == 0)
        try await Task.sleep(for: .milliseconds(200))
        #expect(third.isClosed)
    }
}
