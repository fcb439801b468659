import Foundation
import Monitoring
import SQLKit

/// One object of a JSON array that a query built in the database (`json_agg` / `json_group_array`), read as a row.
///
/// It lets a statement bring back a parent row with its child rows as JSON columns (one round trip instead of one
/// per child table) while the child rows still go through the same row readers (``RecordStore/run(_:)`` …) as when
/// they come from their own query. Values are JSON strings, numbers, booleans and nulls; both engines write a
/// `BIGINT` as an integer literal and a `REAL`/`DOUBLE PRECISION` as a number that may lack a fraction (`0`), so a
/// number is read as whichever of integer or real the caller asks for (an integer only when it is one exactly).
struct JSONRow: SQLRow {
    /// JSON numbers are doubles: exact for every integer up to 2^53, which covers the store's counts and
    /// millisecond timestamps.
    typealias Value = FlatJSON.Scalar

    let values: [String: Value]

    /// The rows of a JSON-array column; a null column (PostgreSQL's aggregate over no rows) is no rows.
    ///
    /// Read with the project's byte-level JSON reader (the one monitoring uploads use): Foundation's `JSONDecoder`
    /// into dictionaries cost a fifth of the server's time per summary read, more than the round trips the aggregate
    /// saves. Anything other than an array of objects of scalars is an error, never a guess.
    static func rows(_ text: String?, column: String) throws -> [JSONRow] {
        guard let text else { return [] }
        var copy = text
        do {
            return try copy.withUTF8 { bytes in
                // The first of duplicate keys wins, as the reader's own lookups do.
                try FlatJSON.arrayOfObjects(UnsafeRawBufferPointer(bytes)).map { JSONRow(values: Dictionary($0, uniquingKeysWith: { first, _ in first })) }
            }
        } catch {
            throw StoreError.corrupt("column '\(column)' is not a JSON array of flat objects: \(error)")
        }
    }

    var allColumns: [String] { Array(values.keys) }

    func contains(column: String) -> Bool { values[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let value = values[column] else { return true }
        if case .null = value { return true }
        return false
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let value = values[column] else {
            throw StoreError.corrupt("no field '\(column)' in a JSON row")
        }
        switch value {
        case .string(let text):
            if D.self == String.self { return unsafeBitCast(text, to: D.self) }
            if D.self == String?.self { return unsafeBitCast(Optional(text), to: D.self) }
        case .number(let number):
            if D.self == Double.self { return unsafeBitCast(number, to: D.self) }
            if D.self == Double?.self { return unsafeBitCast(Optional(number), to: D.self) }
            if let exact = Int64(exactly: number) {
                if D.self == Int64.self { return unsafeBitCast(exact, to: D.self) }
                if D.self == Int64?.self { return unsafeBitCast(Optional(exact), to: D.self) }
                if D.self == Int.self { return unsafeBitCast(Int(exact), to: D.self) }
                if D.self == Int?.self { return unsafeBitCast(Optional(Int(exact)), to: D.self) }
            }
        case .bool(let flag):
            if D.self == Bool.self { return unsafeBitCast(flag, to: D.self) }
            if D.self == Bool?.self { return unsafeBitCast(Optional(flag), to: D.self) }
        case .null:
            if D.self == String?.self { return unsafeBitCast(String?.none, to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Int64?.none, to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Int?.none, to: D.self) }
            if D.self == Double?.self { return unsafeBitCast(Double?.none, to: D.self) }
            if D.self == Bool?.self { return unsafeBitCast(Bool?.none, to: D.self) }
        }
        throw StoreError.corrupt("field '\(column)' of a JSON row holds \(value), not \(D.self)")
    }
}

