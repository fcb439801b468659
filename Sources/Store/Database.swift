import AsyncKit
import Foundation
public import Logging
import NIOCore
import NIOPosix
import PostgresKit
public import SQLKit
import SQLiteKit
import Synchronization

/// Where the record lives.
public enum DatabaseLocation: Sendable, Hashable, CustomStringConvertible {
    /// The embedded default: one SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL server, by URL (`postgres://user:password@host:5432/db?sslmode=disable`).
    case postgres(url: String)

    /// Parses `--database`: a `postgres://` or `postgresql://` URL, a `sqlite:` path, or a plain file path.
    public init(parsing text: String) throws(StoreError) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else if text.hasPrefix("sqlite://") {
            self = .sqlite(path: String(text.dropFirst("sqlite://".count)))
        } else if text.hasPrefix("sqlite:") {
            self = .sqlite(path: String(text.dropFirst("sqlite:".count)))
        } else if text.contains("://") {
            throw StoreError.configuration("unsupported database URL '\(Self.redacted(text))': use postgres://… or a SQLite file path")
        } else {
            self = .sqlite(path: text)
        }
    }

    /// The location without its password, for logs and errors.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let url): Self.redacted(url)
        }
    }

    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://…"
    }
}

/// The SQL engine behind a ``Database``; the few statements that differ between engines switch on it.
public enum SQLEngine: String, Sendable {
    case sqlite
    case postgres
}

/// The record's database: one code path (SQLKit) over SQLite or PostgreSQL.
///
/// Reads run on a pool of connections. Writes run in a transaction; on SQLite they go through a single writer
/// connection (SQLite allows one writer at a time, and queueing in the process is cheaper than its busy-retry
/// loop), on PostgreSQL through the same pool as reads.
public final class Database: Sendable {
    public let location: DatabaseLocation
    public let engine: SQLEngine
    let logger: Logger
    private let pools: Pools
    /// Whether ``close()`` ran; a database dropped without it is shut down in `deinit` rather than left to trap.
    private let closed = Mutex(false)

    /// The pools synchronise themselves: each hops to its event loop before touching its state (AsyncKit's
    /// `EventLoopConnectionPool.requestConnection`), which is why it is safe to share them between tasks.
    private enum Pools: @unchecked Sendable {
        case sqlite(readers: EventLoopGroupConnectionPool<SQLiteSource>, writer: EventLoopConnectionPool<SQLiteSource>)
        case postgres(EventLoopGroupConnectionPool<PostgresConnectionSource>)
    }

    /// Opens the database (creating the SQLite file and its folder if needed). Call ``migrate()`` before use
    /// and ``close()`` when done.
    public init(location: DatabaseLocation, maxConnections: Int = 8, logger: Logger) throws {
        self.location = location
        self.logger = logger
        let group = MultiThreadedEventLoopGroup.singleton
        switch location {
        case .sqlite(let path):
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            engine = .sqlite
            let source = SQLiteSource(path: path)
            let readers = EventLoopGroupConnectionPool(
                source: source, maxConnectionsPerEventLoop: max(1, maxConnections / 4), requestTimeout: .seconds(30), logger: logger, on: group)
            let writer = EventLoopConnectionPool(
                source: source, maxConnections: 1, requestTimeout: .seconds(60), logger: logger, on: group.any())
            pools = .sqlite(readers: readers, writer: writer)
        case .postgres(let url):
            engine = .postgres
            var configuration: SQLPostgresConfiguration
            do {
                let (plain, searchPath) = Self.splitSearchPath(url)
                configuration = try SQLPostgresConfiguration(url: plain)
                if let searchPath { configuration.searchPath = [searchPath] }
            } catch {
                throw StoreError.configuration("cannot read the PostgreSQL URL '\(DatabaseLocation.redacted(url))': expected postgres://user:password@host:port/database")
            }
            let pool = EventLoopGroupConnectionPool(
                source: PostgresConnectionSource(sqlConfiguration: configuration),
                maxConnectionsPerEventLoop: max(1, maxConnections / 2), requestTimeout: .seconds(30), logger: logger, on: group)
            pools = .postgres(pool)
        }
    }

    /// Takes a `search_path=SCHEMA` query parameter off a PostgreSQL URL (PostgresKit does not read it), so one
    /// database can hold several Tailor installs or test runs in separate schemas.
    static func splitSearchPath(_ url: String) -> (String, String?) {
        guard var components = URLComponents(string: url), let items = components.queryItems,
            let item = items.first(where: { $0.name == "search_path" }), let value = item.value, !value.isEmpty
        else { return (url, nil) }
        let rest = items.filter { $0.name != "search_path" }
        components.queryItems = rest.isEmpty ? nil : rest
        return (components.string ?? url, value)
    }

    /// Runs `body` with a database for reading.
    public func read<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        switch pools {
        case .sqlite(let readers, _):
            return try await Self.lease(readers.pool(for: readers.eventLoopGroup.any()), logger: logger) { try await body($0.sql()) }
        case .postgres(let pool):
            return try await Self.lease(pool.pool(for: pool.eventLoopGroup.any()), logger: logger) { try await body($0.sql()) }
        }
    }

    /// Runs `body` in one transaction: everything it writes is committed together or not at all.
    public func write<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        switch pools {
        case .sqlite(_, let writer):
            return try await Self.lease(writer, logger: logger) { connection in
                try await Self.transaction(connection.sql(), begin: "BEGIN IMMEDIATE", body)
            }
        case .postgres(let pool):
            return try await Self.lease(pool.pool(for: pool.eventLoopGroup.any()), logger: logger) { connection in
                try await Self.transaction(connection.sql(), begin: "BEGIN", body)
            }
        }
    }

    private static func transaction<R: Sendable>(
        _ db: any SQLDatabase, begin: String, _ body: @Sendable (any SQLDatabase) async throws -> R
    ) async throws -> R {
        try await db.raw(SQLQueryString(begin)).run()
        do {
            let result = try await body(db)
            try await db.raw("COMMIT").run()
            return result
        } catch {
            try? await db.raw("ROLLBACK").run()
            throw error
        }
    }

    private static func lease<Source: ConnectionPoolSource, R: Sendable>(
        _ pool: EventLoopConnectionPool<Source>, logger: Logger, _ body: (Source.Connection) async throws -> R
    ) async throws -> R {
        let connection = try await pool.requestConnection(logger: logger).get()
        defer { pool.releaseConnection(connection, logger: logger) }
        return try await body(connection)
    }

    /// Closes every connection.
    public func close() async {
        guard closed.withLock({ done in defer { done = true }; return !done }) else { return }
        switch pools {
        case .sqlite(let readers, let writer):
            try? await writer.close().get()
            try? await readers.shutdownAsync()
        case .postgres(let pool):
            try? await pool.shutdownAsync()
        }
    }

    deinit {
        guard closed.withLock({ !$0 }) else { return }
        switch pools {
        case .sqlite(let readers, let writer):
            _ = writer.close()
            readers.shutdown()
        case .postgres(let pool):
            pool.shutdown()
        }
    }
}

/// Opens SQLite connections with the settings the record relies on: WAL (readers never block the writer),
/// foreign keys enforced, a bounded wait on a locked database, and `synchronous=NORMAL` (durable at every
/// checkpoint, safe against corruption on a crash).
struct SQLiteSource: ConnectionPoolSource {
    let path: String

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        SQLiteConnection.open(storage: .file(path: path), threadPool: .singleton, logger: logger, on: eventLoop).flatMap { connection in
            // mmap: readers map pages instead of copying them through read(2) each time the audit log's constant
            // writes invalidate their page caches.
            let pragmas = [
                "PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=10000",
                "PRAGMA mmap_size=1073741824",
            ]
            return pragmas.reduce(eventLoop.makeSucceededVoidFuture()) { future, pragma in
                future.flatMap { connection.query(pragma).map { _ in } }
            }.map { connection }
        }
    }
}

