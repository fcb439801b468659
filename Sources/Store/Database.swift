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
    /// A PostgreSQL server, by URL: `postgres://user:password@host:5432/db?sslmode=disable`, or through its Unix
    /// socket when it runs on the same host (`postgres+uds://user:password@localhost/var/run/postgresql/.s.PGSQL.5432#db`,
    /// cheaper per statement than TCP).
    case postgres(url: String)

    /// Parses `--database`: a `postgres://`, `postgresql://` or `postgres+uds://` URL, a `sqlite:` path, or a plain file path.
    public init(parsing text: String) throws(StoreError) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") || text.hasPrefix("postgres+uds://") || text.hasPrefix("postgresql+uds://") {
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
/// loop), on PostgreSQL through the same pool as reads. SQLite statements run inline on the calling task
/// (``DirectSQLiteConnection``), PostgreSQL's through PostgresNIO's event loops.
public final class Database: Sendable {
    public let location: DatabaseLocation
    public let engine: SQLEngine
    let logger: Logger
    private let pools: Pools
    /// Whether ``close()`` ran; a database dropped without it is shut down in `deinit` rather than left to trap.
    private let closed = Mutex(false)

    /// The pools synchronise themselves behind mutexes (``PostgresPool``, ``DirectSQLitePool``), so they are safe
    /// to share between tasks.
    private enum Pools: @unchecked Sendable {
        case sqlite(readers: DirectSQLitePool, writer: DirectSQLiteConnection, writerLock: SQLiteWriterLock, checkpointer: SQLiteCheckpointer)
        case postgres(PostgresPool)
    }

    /// Opens the database (creating the SQLite file and its folder if needed). Call ``migrate()`` before use
    /// and ``close()`` when done.
    /// `maxConnections` bounds PostgreSQL's pool (and SQLite's idle readers): by default 4 per core, enough to keep
    /// every core busy while some connections wait on the network.
    public init(location: DatabaseLocation, maxConnections: Int? = nil, logger: Logger) throws {
        let maxConnections = maxConnections ?? 4 * ProcessInfo.processInfo.activeProcessorCount
        self.location = location
        self.logger = logger
        switch location {
        case .sqlite(let path):
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            engine = .sqlite
            // The writer opens first: it creates the file and switches it to WAL before any reader looks.
            let writer = try DirectSQLiteConnection(path: path)
            // Checkpoints are the checkpointer's, off the writer (see ``SQLiteCheckpointer``).
            try writer.execute("PRAGMA wal_autocheckpoint=0", binds: []) { _ in }
            pools = .sqlite(
                readers: DirectSQLitePool(path: path, idleLimit: max(2, maxConnections)), writer: writer, writerLock: SQLiteWriterLock(),
                checkpointer: SQLiteCheckpointer(path: path, logger: logger))
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
            let pool = PostgresPool(
                configuration: configuration.coreConfiguration, searchPath: configuration.searchPath?.first, maxConnections: maxConnections,
                group: MultiThreadedEventLoopGroup.singleton, logger: logger)
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
        case .sqlite(let readers, _, _, _):
            let logger = self.logger
            return try await readers.withConnection { try await body(DirectSQLiteDatabase(connection: $0, logger: logger)) }
        case .postgres(let pool):
            return try await pool.withConnection { try await body(PreparedPostgresDatabase(connection: $0)) }
        }
    }

    /// Runs `body` in one transaction: everything it writes is committed together or not at all.
    public func write<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        switch pools {
        case .sqlite(_, let writer, let lock, let checkpointer):
            let logger = self.logger
            return try await lock.withLock {
                defer { checkpointer.committed() }
                return try await Self.transaction(DirectSQLiteDatabase(connection: writer, logger: logger), begin: "BEGIN IMMEDIATE", body)
            }
        case .postgres(let pool):
            return try await pool.withConnection { connection in
                try await Self.transaction(PreparedPostgresDatabase(connection: connection), begin: "BEGIN", body)
            }
        }
    }

    /// Runs `body` for a single statement that must commit on its own: on PostgreSQL outside any explicit
    /// transaction (the statement is its own, saving the `BEGIN` and `COMMIT` round trips); on SQLite through the
    /// single writer, as every write.
    public func autocommit<R: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        switch pools {
        case .sqlite: return try await write(body)
        case .postgres(let pool):
            return try await pool.withConnection { try await body(PreparedPostgresDatabase(connection: $0)) }
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

    /// Closes every connection.
    public func close() async {
        guard closed.withLock({ done in defer { done = true }; return !done }) else { return }
        switch pools {
        case .sqlite(let readers, let writer, let lock, let checkpointer):
            checkpointer.stop()
            // Waits for a write in progress to finish rather than closing under it. The last connection to close
            // checkpoints what is left in the WAL.
            try? await lock.withLock { writer.close() }
            readers.close()
        case .postgres(let pool):
            await pool.close()
        }
    }

    deinit {
        guard closed.withLock({ !$0 }) else { return }
        switch pools {
        case .sqlite(let readers, let writer, _, let checkpointer):
            checkpointer.stop()
            writer.close()
            readers.close()
        case .postgres(let pool):
            pool.closeNow()
        }
    }
}

extension Database {
    /// WAL checkpoints the background checkpointer has finished (SQLite; 0 on PostgreSQL). For tests.
    var sqliteCheckpoints: Int {
        if case .sqlite(_, _, _, let checkpointer) = pools { return checkpointer.checkpoints }
        return 0
    }
}
