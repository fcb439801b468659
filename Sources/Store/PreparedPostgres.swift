import Foundation
import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// PostgreSQL with server-side prepared statements for the record's repeated queries.
///
/// PostgresKit sends every query as an unnamed statement, so PostgreSQL parses and plans it on every call. Issue #4's
/// profile of summary reads had PostgreSQL spending most of its time in the parser and planner (`base_yyparse`,
/// `expression_tree_walker`, `copyObjectImpl`, `get_relation_info`) for statements that differ only in their bound
/// values. Here a statement is prepared once per connection under a name derived from its text and its bound types,
/// then only bound and executed: PostgresNIO keeps the per-connection list of prepared names.
///
/// What is prepared: `SELECT`/`INSERT`/`UPDATE`/`DELETE`/`WITH` statements up to ``maxLength`` bytes whose values
/// are strings, integers, reals, booleans, nulls or arrays of strings, integers or booleans, and at most ``maxStatements`` distinct texts per process (statements
/// with a literal that varies, a `LIMIT` or an `IN` list, would otherwise grow each connection's list without end).
/// Everything else (transactions, DDL, other value types) takes PostgresKit's unnamed path unchanged.
struct PreparedPostgresDatabase: SQLDatabase {
    let connection: PostgresConnection
    /// PostgresKit's view of the same connection, for the statements that are not prepared.
    let unprepared: any SQLDatabase

    init(connection: PostgresConnection) {
        self.connection = connection
        self.unprepared = connection.sql(queryLogLevel: nil)
    }

    static let maxLength = 4_000
    static let maxBinds = 40
    static let maxStatements = 512

    /// The statement texts admitted for preparing, process-wide, by their hash (hashed once per call: the summary's
    /// text is 3 KB, and hashing it again for a `Set<String>` cost more than the rest of the lookup).
    private static let admitted = Mutex<[UInt64: String]>([:])

    var logger: Logger { connection.logger }
    var eventLoop: any EventLoop { connection.eventLoop }
    var dialect: any SQLDialect { unprepared.dialect }
    var version: (any SQLDatabaseReportedVersion)? { unprepared.version }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        unprepared.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = serialize(query)
        guard let statement = Self.statement(sql, binds) else {
            return try await unprepared.execute(sql: query, onRow)
        }
        let rows = try await DynamicStatement.$current.withValue(statement.identity) {
            try await connection.execute(statement, logger: connection.logger)
        }
        for try await row in rows { onRow(FastPostgresRow(row)) }
    }

    /// The statement to prepare for `sql` with `binds`, or nil when it should go unprepared.
    static func statement(_ sql: String, _ binds: [any Encodable & Sendable]) -> DynamicStatement? {
        guard sql.utf8.count <= maxLength, binds.count <= maxBinds, isPreparable(sql) else { return nil }
        var bindings = PostgresBindings(capacity: binds.count)
        var types: [PostgresDataType] = []
        var signature = ""
        types.reserveCapacity(binds.count)
        for bind in binds {
            switch bind {
            case let text as String:
                bindings.append(text)
                types.append(.text)
                signature.append("s")
            case let number as Int64:
                bindings.append(number)
                types.append(.int8)
                signature.append("i")
            case let number as Int:
                bindings.append(Int64(number))
                types.append(.int8)
                signature.append("i")
            case let number as Double:
                bindings.append(number)
                types.append(.float8)
                signature.append("d")
            case let flag as Bool:
                bindings.append(flag)
                types.append(.bool)
                signature.append("b")
            case let texts as [String]:
                bindings.append(texts)
                types.append(.textArray)
                signature.append("S")
            case let numbers as [Int64]:
                bindings.append(numbers)
                types.append(.int8Array)
                signature.append("I")
            case let flags as [Bool]:
                bindings.append(flags)
                types.append(.boolArray)
                signature.append("B")
            case let optional as any PreparableOptional where optional.isNone:
                // The parameter's type is left to PostgreSQL to infer; a statement prepared this way only ever
                // receives nulls in that position (the signature is part of its name).
                bindings.appendNull()
                types.append(PostgresDataType(0))
                signature.append("n")
            default:
                return nil
            }
        }
        let hash = fnv1a(sql)
        let admitted = Self.admitted.withLock { admitted -> Bool in
            // Another text with the same hash (never seen in practice) goes unprepared rather than share a name.
            if let known = admitted[hash] { return known == sql }
            guard admitted.count < maxStatements else { return false }
            admitted[hash] = sql
            return true
        }
        guard admitted else { return nil }
        let name = "tailor_\(hex(hash))_\(signature)"
        return DynamicStatement(identity: .init(name: name, sql: sql, types: types), bindings: bindings)
    }

    private static func isPreparable(_ sql: String) -> Bool {
        let head = sql.prefix(8).uppercased()
        return head.hasPrefix("SELECT") || head.hasPrefix("INSERT") || head.hasPrefix("UPDATE") || head.hasPrefix("DELETE")
            || head.hasPrefix("WITH")
    }

    /// FNV-1a over the text: the same name for the same statement in every process (PostgreSQL names are per
    /// connection, so a collision could only confuse one connection; 64 bits make that negligible).
    static func stableHash(_ text: String) -> String { hex(fnv1a(text)) }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    static func hex(_ hash: UInt64) -> String {
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// A result row that reads the store's column types (text, integers, reals, booleans and their optionals) straight
/// from the cell with PostgresNIO's own decoders.
///
/// PostgresKit's row view routes every read through its Codable bridge, which builds a coding path (a string
/// interpolation) and casts through existentials per cell: a tenth of the server's time in the summary-read profile.
/// The cell decoders used here are the ones that bridge ends in for these types, so values and errors are the same;
/// any other type still goes through PostgresKit.
struct FastPostgresRow: SQLRow {
    let cells: PostgresRandomAccessRow
    let row: PostgresRow

    init(_ row: PostgresRow) {
        self.row = row
        self.cells = row.makeRandomAccess()
    }

    var allColumns: [String] { cells.map(\.columnName) }

    func contains(column: String) -> Bool { cells.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        !cells.contains(column) || cells[column].bytes == nil
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard cells.contains(column) else {
            throw DecodingError.keyNotFound(
                PostgresColumnKey(column), .init(codingPath: [], debugDescription: "no column '\(column)' in the result"))
        }
        let cell = cells[column]
        if cell.bytes == nil {
            if D.self == String?.self { return unsafeBitCast(String?.none, to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Int64?.none, to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Int?.none, to: D.self) }
            if D.self == Double?.self { return unsafeBitCast(Double?.none, to: D.self) }
            if D.self == Bool?.self { return unsafeBitCast(Bool?.none, to: D.self) }
        } else {
            if D.self == String.self { return unsafeBitCast(try cell.decode(String.self), to: D.self) }
            if D.self == Int64.self { return unsafeBitCast(try cell.decode(Int64.self), to: D.self) }
            if D.self == Int.self { return unsafeBitCast(try cell.decode(Int.self), to: D.self) }
            if D.self == Double.self { return unsafeBitCast(try cell.decode(Double.self), to: D.self) }
            if D.self == Bool.self { return unsafeBitCast(try cell.decode(Bool.self), to: D.self) }
            if D.self == String?.self { return unsafeBitCast(Optional(try cell.decode(String.self)), to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Optional(try cell.decode(Int64.self)), to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Optional(try cell.decode(Int.self)), to: D.self) }
            if D.self == Double?.self { return unsafeBitCast(Optional(try cell.decode(Double.self)), to: D.self) }
            if D.self == Bool?.self { return unsafeBitCast(Optional(try cell.decode(Bool.self)), to: D.self) }
        }
        return try row.sql().decode(column: column, as: D.self)
    }
}

/// A coding key naming a column, for the missing-column error above.
private struct PostgresColumnKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// One statement text as PostgresNIO's prepared-statement API wants it.
///
/// That API takes the name, text and parameter types as *static* members of a type (it was designed for statements
/// written out as types). The record's statements are built at run time, so the static members read a task-local
/// that ``PreparedPostgresDatabase`` sets around the one call that reads them; PostgresNIO reads them synchronously
/// when the call is made.
struct DynamicStatement: PostgresPreparedStatement {
    struct Identity: Sendable {
        var name: String
        var sql: String
        var types: [PostgresDataType]
    }

    @TaskLocal static var current: Identity?

    static var name: String { current?.name ?? "tailor_unset" }
    static var sql: String { current?.sql ?? "SELECT 1" }
    static var bindingDataTypes: [PostgresDataType] { current?.types ?? [] }

    let identity: Identity
    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// Lets a bound `nil` be recognised behind `any Encodable`.
protocol PreparableOptional {
    var isNone: Bool { get }
}

extension Optional: PreparableOptional {
    var isNone: Bool { self == nil }
}
