import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO
import Synchronization
// The SQLite library that SQLiteNIO vendors (symbols prefixed `sqlite_nio_`). We call it directly rather than link a
// second copy: two SQLite libraries on one database file in one process would release each other's POSIX locks.
import VaporCSQLite

/// SQLite without a thread hop per statement.
///
/// SQLiteNIO runs every statement on a thread pool and hands every row back through the event loop, then to the
/// awaiting task: three thread switches per statement. The record's statements are index lookups that take
/// microseconds, so the switches, not SQLite, were most of a read's cost (issue #4's profile: 31 % kernel thread
/// hops, 45 % in the pool). Here a statement runs on the calling task's thread, from a per-connection cache of
/// prepared statements, and rows are decoded without Codable for the column types the store reads.
///
/// What this gives up: a statement blocks the calling thread while it runs. Reads never wait for locks in WAL mode.
/// The one writer connection can wait for another *process* holding SQLite's write lock (a `tailor import` beside
/// a running server), up to `busy_timeout`; inside the process writers queue on ``SQLiteWriterLock`` instead.
final class DirectSQLiteConnection: @unchecked Sendable {
    // Unchecked: a connection is used by one task at a time (leased from ``DirectSQLitePool`` or held under
    // ``SQLiteWriterLock``), and SQLite is built thread-safe, so moving it between threads between uses is allowed.
    private var handle: OpaquePointer?
    private var statements: [String: CachedStatement] = [:]

    /// A prepared statement and its column names, kept across uses.
    private final class CachedStatement {
        let pointer: OpaquePointer
        let columns: DirectSQLiteRow.Columns
        init(pointer: OpaquePointer, columns: DirectSQLiteRow.Columns) {
            self.pointer = pointer
            self.columns = columns
        }
    }

    /// Statements longer than this (multi-row inserts, whose text varies with the row count) are not cached.
    static let cacheableLength = 2_000
    static let cacheCapacity = 256

    private static let initialised: Bool = {
        sqlite_nio_sqlite3_initialize()
        return true
    }()

    /// Opens (creating if needed) the database file with the record's settings: WAL (readers never block the
    /// writer), foreign keys, a bounded wait on another process's lock, `synchronous=NORMAL` (durable at each
    /// checkpoint, never corrupt), and mmap so readers map pages rather than copy them after each audit write.
    init(path: String) throws(SQLiteFailure) {
        precondition(Self.initialised)
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0).map { String(cString: $0) } } ?? "cannot open"
            sqlite_nio_sqlite3_close_v2(handle)
            throw SQLiteFailure(code: status, message: message, sql: "open \(path)")
        }
        self.handle = handle
        for pragma in [
            "PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=10000",
            "PRAGMA mmap_size=1073741824",
        ] {
            try execute(pragma, binds: []) { _ in }
        }
    }

    deinit { close() }

    /// Finalises every cached statement and closes the handle; later calls fail with `SQLITE_MISUSE`.
    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.pointer) }
        statements = [:]
        if let handle { sqlite_nio_sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Runs one statement, calling `onRow` for each result row.
    func execute(_ sql: String, binds: [SQLiteData], onRow: (DirectSQLiteRow) throws -> Void) throws(SQLiteFailure) {
        guard let handle else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed", sql: sql) }
        let cacheable = sql.utf8.count <= Self.cacheableLength
        let statement: CachedStatement
        if cacheable, let cached = statements[sql] {
            statement = cached
        } else {
            statement = try prepare(sql, on: handle, persistent: cacheable)
            if cacheable {
                if statements.count >= Self.cacheCapacity {
                    for old in statements.values { sqlite_nio_sqlite3_finalize(old.pointer) }
                    statements.removeAll(keepingCapacity: true)
                }
                statements[sql] = statement
            }
        }
        let pointer = statement.pointer
        defer {
            if cacheable {
                sqlite_nio_sqlite3_reset(pointer)
                sqlite_nio_sqlite3_clear_bindings(pointer)
            } else {
                sqlite_nio_sqlite3_finalize(pointer)
            }
        }
        for (index, bind) in binds.enumerated() {
            let position = Int32(index + 1)
            let status: Int32
            switch bind {
            case .integer(let value): status = sqlite_nio_sqlite3_bind_int64(pointer, position, Int64(value))
            case .float(let value): status = sqlite_nio_sqlite3_bind_double(pointer, position, value)
            case .null: status = sqlite_nio_sqlite3_bind_null(pointer, position)
            case .text(let value):
                // A native Swift string passes its own NUL-terminated UTF-8 storage, without a copy.
                status = sqlite_nio_sqlite3_bind_text64(pointer, position, value, UInt64(value.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
            case .blob(let value):
                status = value.withUnsafeReadableBytes { bytes in
                    sqlite_nio_sqlite3_bind_blob64(pointer, position, bytes.baseAddress, UInt64(bytes.count), Self.transient)
                }
            }
            guard status == SQLITE_OK else { throw failure(status, handle, sql) }
        }
        let columns = statement.columns
        while true {
            let status = sqlite_nio_sqlite3_step(pointer)
            if status == SQLITE_DONE { return }
            guard status == SQLITE_ROW else { throw failure(status, handle, sql) }
            var values: [SQLiteData] = []
            values.reserveCapacity(columns.names.count)
            for column in 0..<Int32(columns.names.count) {
                values.append(Self.value(pointer, column))
            }
            do {
                try onRow(DirectSQLiteRow(columns: columns, values: values))
            } catch {
                throw SQLiteFailure(code: SQLITE_ABORT, message: "reading a row failed: \(error)", sql: sql)
            }
        }
    }

    private func prepare(_ sql: String, on handle: OpaquePointer, persistent: Bool) throws(SQLiteFailure) -> CachedStatement {
        var pointer: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, flags, &pointer, nil)
        guard status == SQLITE_OK, let pointer else {
            if let pointer { sqlite_nio_sqlite3_finalize(pointer) }
            throw failure(status == SQLITE_OK ? SQLITE_MISUSE : status, handle, sql)
        }
        let count = sqlite_nio_sqlite3_column_count(pointer)
        var names: [String] = []
        names.reserveCapacity(Int(count))
        for column in 0..<count {
            names.append(sqlite_nio_sqlite3_column_name(pointer, column).map { String(cString: $0) } ?? "")
        }
        return CachedStatement(pointer: pointer, columns: DirectSQLiteRow.Columns(names: names))
    }

    private static func value(_ pointer: OpaquePointer, _ column: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(pointer, column) {
        case SQLITE_INTEGER: return .integer(SQLiteInt64(sqlite_nio_sqlite3_column_int64(pointer, column)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(pointer, column))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(pointer, column) else { return .text("") }
            let count = Int(sqlite_nio_sqlite3_column_bytes(pointer, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(pointer, column))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(pointer, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default: return .null
        }
    }

    private func failure(_ status: Int32, _ handle: OpaquePointer, _ sql: String) -> SQLiteFailure {
        SQLiteFailure(code: status, message: sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "SQLite error \(status)", sql: sql)
    }

    /// `SQLITE_TRANSIENT`: SQLite copies bound text and blobs before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// An SQLite error with the statement that raised it (the statement text holds no values: they are bound).
struct SQLiteFailure: Error, Sendable, CustomStringConvertible {
    var code: Int32
    var message: String
    var sql: String
    var description: String { "SQLite error \(code): \(message) (in: \(sql.prefix(200)))" }
}

/// One result row: values by position, and a shared name → position table from the prepared statement.
struct DirectSQLiteRow: SQLRow {
    final class Columns: Sendable {
        let names: [String]
        let positions: [String: Int]
        init(names: [String]) {
            self.names = names
            // The first column of a name wins, as SQLiteNIO's rows do.
            self.positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    let columns: Columns
    let values: [SQLiteData]

    static let decoder = SQLiteDataDecoder()

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.positions[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let position = columns.positions[column] else { return true }
        return values[position] == .null
    }

    /// The store's columns are text, integers and reals read as `String`, `Int64`, `Int`, `Double` or `Bool`
    /// (or optionals of them): those are converted directly; anything else goes through SQLiteKit's decoder, so the
    /// results are the same as through SQLiteNIO.
    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let position = columns.positions[column] else {
            throw DecodingError.keyNotFound(
                SQLCodingKey(column), .init(codingPath: [], debugDescription: "no column '\(column)' in the result"))
        }
        let value = values[position]
        switch value {
        case .text(let text):
            if D.self == String.self { return unsafeBitCast(text, to: D.self) }
            if D.self == String?.self { return unsafeBitCast(Optional(text), to: D.self) }
        case .integer(let number):
            if D.self == Int64.self { return unsafeBitCast(Int64(number), to: D.self) }
            if D.self == Int.self { return unsafeBitCast(Int(number), to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Optional(Int64(number)), to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Optional(Int(number)), to: D.self) }
        case .float(let number):
            if D.self == Double.self { return unsafeBitCast(number, to: D.self) }
            if D.self == Double?.self { return unsafeBitCast(Optional(number), to: D.self) }
        case .null:
            if D.self == String?.self { return unsafeBitCast(String?.none, to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Int64?.none, to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Int?.none, to: D.self) }
            if D.self == Double?.self { return unsafeBitCast(Double?.none, to: D.self) }
        case .blob: break
        }
        return try Self.decoder.decode(D.self, from: value)
    }
}

/// A coding key for a column name, for the errors above.
private struct SQLCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// SQLKit's view of one leased connection: statements run inline on the caller's thread.
struct DirectSQLiteDatabase: SQLDatabase {
    let connection: DirectSQLiteConnection
    let logger: Logger

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    static let encoder = SQLiteDataEncoder()

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, binds) = serialize(query)
        var values: [SQLiteData] = []
        values.reserveCapacity(binds.count)
        for bind in binds { values.append(try Self.data(bind)) }
        try connection.execute(sql, binds: values) { onRow($0) }
    }

    /// The bound types the store uses, converted directly; anything else as SQLiteKit encodes it.
    private static func data(_ bind: any Encodable & Sendable) throws -> SQLiteData {
        switch bind {
        case let text as String: return .text(text)
        case let number as Int64: return .integer(SQLiteInt64(number))
        case let number as Int: return .integer(SQLiteInt64(number))
        case let number as Double: return .float(number)
        case let flag as Bool: return .integer(flag ? 1 : 0)
        default: return try encoder.encode(bind)
        }
    }
}

/// Reader connections, lent to one task at a time. A read never waits: with none idle it opens another, and keeps
/// at most `idleLimit` for reuse (each holds its own prepared statements).
final class DirectSQLitePool: Sendable {
    let path: String
    let idleLimit: Int
    private let idle = Mutex<[DirectSQLiteConnection]>([])
    private let closed = Atomic<Bool>(false)

    init(path: String, idleLimit: Int) {
        self.path = path
        self.idleLimit = idleLimit
    }

    func withConnection<R>(_ body: (DirectSQLiteConnection) async throws -> R) async throws -> R {
        guard !closed.load(ordering: .relaxed) else {
            throw SQLiteFailure(code: SQLITE_MISUSE, message: "the database is closed", sql: "")
        }
        let connection = try idle.withLock { $0.popLast() } ?? DirectSQLiteConnection(path: path)
        defer {
            if !closed.load(ordering: .relaxed) {
                idle.withLock { connections in
                    if connections.count < idleLimit { connections.append(connection) }
                }
            }
        }
        return try await body(connection)
    }

    func close() {
        closed.store(true, ordering: .relaxed)
        let connections = idle.withLock { connections in
            defer { connections = [] }
            return connections
        }
        for connection in connections { connection.close() }
    }
}

/// The single writer connection, and a first-come queue for it: SQLite allows one writer at a time, and queueing
/// in the process is cheaper than SQLite's busy-retry loop. Held across a whole transaction, which may await.
final class SQLiteWriterLock: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    func withLock<R>(_ body: () async throws -> R) async throws -> R {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state in
                if state.held {
                    state.waiters.append(continuation)
                    return false
                }
                state.held = true
                return true
            }
            if granted { continuation.resume() }
        }
    }

    /// Hands the lock to the longest waiter, or frees it.
    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.held = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}

/// Checkpoints the WAL from a connection of its own, on NIO's blocking-work thread pool, four times a second after
/// writes.
///
/// SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 WAL pages, and a checkpoint ends with an
/// fsync: the single writer (and every request waiting for its audit entry to commit) would wait for the disk, and
/// since statements run inline, so would the task's thread. With the writer's automatic checkpoint off, commits never
/// touch the disk's sync path (WAL with `synchronous=NORMAL`), and durability comes from these checkpoints: within
/// a quarter of a second of a write rather than after 1,000 pages. PASSIVE: it never blocks the writer or readers; what a
/// reader still uses is copied next time.
final class SQLiteCheckpointer: Sendable {
    private final class Counters: Sendable {
        let commits = Atomic<Int>(0)
        let completed = Atomic<Int>(0)
    }
    private let counters = Counters()
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(path: String, interval: Duration = .milliseconds(250), logger: Logger) {
        let counters = self.counters
        let work = Task.detached(priority: .utility) {
            var connection: DirectSQLiteConnection?
            var seen = 0
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                let now = counters.commits.load(ordering: .relaxed)
                guard now != seen, !Task.isCancelled else { continue }
                do {
                    let open = try connection ?? DirectSQLiteConnection(path: path)
                    connection = open
                    try await NIOThreadPool.singleton.runIfActive {
                        try open.execute("PRAGMA wal_checkpoint(PASSIVE)", binds: []) { _ in }
                    }
                    seen = now
                    counters.completed.add(1, ordering: .relaxed)
                } catch {
                    logger.warning("SQLite checkpoint failed (retried next interval): \(error)")
                }
            }
            connection?.close()
        }
        task.withLock { $0 = work }
    }

    /// Called after each commit.
    func committed() { counters.commits.add(1, ordering: .relaxed) }

    /// Checkpoints finished so far (for tests).
    var checkpoints: Int { counters.completed.load(ordering: .relaxed) }

    func stop() { task.withLock { $0?.cancel() } }

    deinit { stop() }
}
