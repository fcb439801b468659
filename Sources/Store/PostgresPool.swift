import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// The store's PostgreSQL connections, leased and returned under a mutex.
///
/// AsyncKit's `EventLoopConnectionPool` keeps its state on an event loop, so every lease and every return hopped
/// from the request's task to that loop and back: four thread hand-offs per summary read before any query ran, a
/// tenth of the server's time in the profile. Here the state is a few arrays behind a lock; a lease that finds an
/// idle connection takes it on the caller's thread. When every connection is busy the caller waits in line (first
/// come, first served) for one to come back, or for a slot to open a new one, at most ``timeout``.
final class PostgresPool: Sendable {
    struct Closed: Error, CustomStringConvertible {
        var description: String { "the database is closed" }
    }

    struct Timeout: Error, CustomStringConvertible {
        var seconds: Int
        var description: String { "no PostgreSQL connection came free within \(seconds) s (all are busy)" }
    }

    /// What a caller does next: use an idle connection, open a new one in a free slot.
    private enum Grant {
        case use(PostgresConnection)
        case connect
    }

    private struct Waiter {
        var id: UInt64
        var since: ContinuousClock.Instant
        var continuation: CheckedContinuation<Grant, any Error>
    }

    private struct State {
        var idle: [PostgresConnection] = []
        /// Connections open or being opened, leased or idle.
        var open = 0
        var waiters: [Waiter] = []
        var nextWaiter: UInt64 = 0
        var closed = false
    }

    private let state = Mutex(State())
    private let configuration: PostgresConnection.Configuration
    private let searchPath: String?
    let maxConnections: Int
    let timeout: Duration
    private let group: any EventLoopGroup
    private let logger: Logger
    private static let connectionIDs = Atomic<Int>(0)

    init(
        configuration: PostgresConnection.Configuration, searchPath: String?, maxConnections: Int, timeout: Duration = .seconds(30),
        group: any EventLoopGroup, logger: Logger
    ) {
        self.configuration = configuration
        self.searchPath = searchPath
        self.maxConnections = max(1, maxConnections)
        self.timeout = timeout
        self.group = group
        self.logger = logger
        // Waiters past the timeout are failed by a sweep once a second, while the pool is open.
        Task { [weak self] in
            while let pool = self, pool.sweep() {
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    func withConnection<R>(_ body: (PostgresConnection) async throws -> R) async throws -> R {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    func lease() async throws -> PostgresConnection {
        // Fast path: an idle connection, no suspension.
        let idle: PostgresConnection? = state.withLock { state in
            guard !state.closed, state.waiters.isEmpty else { return nil }
            return Self.popIdle(&state)
        }
        if let idle { return idle }
        let grant = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
            state.withLock { state in
                if state.closed { return continuation.resume(throwing: Closed()) }
                if state.waiters.isEmpty, let connection = Self.popIdle(&state) { return continuation.resume(returning: .use(connection)) }
                if state.open < maxConnections {
                    state.open += 1
                    return continuation.resume(returning: .connect)
                }
                state.nextWaiter += 1
                state.waiters.append(Waiter(id: state.nextWaiter, since: .now, continuation: continuation))
            }
        }
        switch grant {
        case .use(let connection): return connection
        case .connect:
            do {
                return try await connect()
            } catch {
                slotFreed()
                throw error
            }
        }
    }

    /// Gives a connection back: to the first waiter, else to the idle list. A closed connection frees its slot.
    func release(_ connection: PostgresConnection) {
        let closeIt: Bool = state.withLock { state in
            if connection.isClosed || state.closed {
                state.open -= 1
                if !state.closed, !state.waiters.isEmpty {
                    state.open += 1
                    state.waiters.removeFirst().continuation.resume(returning: .connect)
                }
                return !connection.isClosed
            }
            if !state.waiters.isEmpty {
                state.waiters.removeFirst().continuation.resume(returning: .use(connection))
            } else {
                state.idle.append(connection)
            }
            return false
        }
        if closeIt { Self.closeInBackground(connection) }
    }

    /// Closes idle connections and fails waiters; leased connections close when they come back.
    func close() async {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer {
                state.open -= state.idle.count
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: Closed()) }
        for connection in idle { try? await connection.close() }
    }

    /// Closes without waiting (for `deinit` paths).
    func closeNow() {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = []
            }
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: Closed()) }
        for connection in idle { Self.closeInBackground(connection) }
    }

    deinit {
        // A pool dropped without ``close()`` (a failed test, say) still closes what it holds.
        for connection in state.withLock({ $0.idle }) { Self.closeInBackground(connection) }
    }

    /// Closes without waiting, keeping the connection alive until it is closed (PostgresNIO requires that a
    /// connection is closed before it is released).
    private static func closeInBackground(_ connection: PostgresConnection) {
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// Connections open or being opened, and callers waiting. For tests.
    var counts: (open: Int, idle: Int, waiting: Int) {
        state.withLock { ($0.open, $0.idle.count, $0.waiters.count) }
    }

    private static func popIdle(_ state: inout State) -> PostgresConnection? {
        while let connection = state.idle.popLast() {
            if !connection.isClosed { return connection }
            state.open -= 1
        }
        return nil
    }

    private func connect() async throws -> PostgresConnection {
        let id = Self.connectionIDs.wrappingAdd(1, ordering: .relaxed).newValue
        let connection = try await PostgresConnection.connect(on: group.any(), configuration: configuration, id: id, logger: logger)
        if let searchPath {
            do {
                try await connection.sql(queryLogLevel: nil).raw("SET search_path TO \(ident: searchPath)").run()
            } catch {
                try? await connection.close()
                throw error
            }
        }
        return connection
    }

    /// A connection could not be opened: its slot goes to the next waiter, who tries in turn.
    private func slotFreed() {
        state.withLock { state in
            state.open -= 1
            if !state.closed, !state.waiters.isEmpty {
                state.open += 1
                state.waiters.removeFirst().continuation.resume(returning: .connect)
            }
        }
    }

    /// Fails waiters older than the timeout; false once the pool is closed (the sweep stops).
    private func sweep() -> Bool {
        let now = ContinuousClock.now
        let (open, expired) = state.withLock { state -> (Bool, [Waiter]) in
            guard !state.closed else { return (false, []) }
            let expired = state.waiters.filter { now - $0.since >= timeout }
            if !expired.isEmpty { state.waiters.removeAll { now - $0.since >= timeout } }
            return (true, expired)
        }
        let seconds = Int(timeout.components.seconds)
        for waiter in expired { waiter.continuation.resume(throwing: Timeout(seconds: seconds)) }
        return open
    }
}
