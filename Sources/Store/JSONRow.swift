import Foundation
import SQLKit

/// One object of a JSON array that a query built in the database (`json_agg` / `json_group_array`), read as a row.
///
/// It lets a statement bring back a parent row with its child rows as JSON columns (one round trip instead of one
/// per child table) while the child rows still go through the same row readers (``RecordStore/run(_:)`` …) as when
/// they come from their own query. Values are JSON strings, numbers, booleans and nulls; both engines write a
/// `BIGINT` as an integer literal and a `REAL`/`DOUBLE PRECISION` as a number that may lack a fraction (`0`), so a
/// number is read as whichever of integer or real the caller asks for, exactly or not at all.
struct JSONRow: SQLRow {
    enum Value: Sendable, Equatable {
        case text(String)
        case integer(Int64)
        case real(Double)
        case bool(Bool)
        case null
    }

    let values: [String: Value]

    /// The rows of a JSON-array column; a null column (PostgreSQL's aggregate over no rows) is no rows.
    static func rows(_ text: String?, column: String) throws -> [JSONRow] {
        guard let text else { return [] }
        var copy = text
        do {
            return try copy.withUTF8 { bytes in
                var parser = FlatJSONParser(bytes: bytes)
                return try parser.arrayOfObjects().map(JSONRow.init(values:))
            }
        } catch let error as FlatJSONParser.Failure {
            throw StoreError.corrupt("column '\(column)' is not a JSON array of flat objects: \(error.message) at byte \(error.offset)")
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
        case .text(let text):
            if D.self == String.self { return unsafeBitCast(text, to: D.self) }
            if D.self == String?.self { return unsafeBitCast(Optional(text), to: D.self) }
        case .integer(let number):
            if D.self == Int64.self { return unsafeBitCast(number, to: D.self) }
            if D.self == Int64?.self { return unsafeBitCast(Optional(number), to: D.self) }
            if D.self == Int.self { return unsafeBitCast(Int(number), to: D.self) }
            if D.self == Int?.self { return unsafeBitCast(Optional(Int(number)), to: D.self) }
            if D.self == Double.self { return unsafeBitCast(Double(number), to: D.self) }
            if D.self == Double?.self { return unsafeBitCast(Optional(Double(number)), to: D.self) }
        case .real(let number):
            if D.self == Double.self { return unsafeBitCast(number, to: D.self) }
            if D.self == Double?.self { return unsafeBitCast(Optional(number), to: D.self) }
            if let exact = Int64(exactly: number) {
                if D.self == Int64.self { return unsafeBitCast(exact, to: D.self) }
                if D.self == Int64?.self { return unsafeBitCast(Optional(exact), to: D.self) }
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

/// A strict parser for what the store's own aggregate queries produce: one JSON array of objects whose values are
/// strings, numbers, booleans or null (no nesting).
///
/// Foundation's `JSONDecoder` into `[[String: Value]]` cost a fifth of the server's time per summary read, more than
/// the round trips the aggregate saves; this reads the same text in one pass over its bytes. Anything outside that
/// shape is an error naming the byte offset, never a guess.
struct FlatJSONParser {
    struct Failure: Error {
        var message: String
        var offset: Int
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func arrayOfObjects() throws -> [[String: JSONRow.Value]] {
        var objects: [[String: JSONRow.Value]] = []
        skipSpace()
        try expect(UInt8(ascii: "["))
        skipSpace()
        if peek() == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                skipSpace()
                objects.append(try object())
                skipSpace()
                if try next() == UInt8(ascii: "]") { break }
                guard bytes[position - 1] == UInt8(ascii: ",") else { throw fail("expected ',' or ']'", at: position - 1) }
            }
        }
        skipSpace()
        guard position == bytes.count else { throw fail("unexpected text after the array") }
        return objects
    }

    private mutating func object() throws -> [String: JSONRow.Value] {
        var values: [String: JSONRow.Value] = [:]
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return values
        }
        while true {
            skipSpace()
            let key = try string()
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            values[key] = try value()
            skipSpace()
            let separator = try next()
            if separator == UInt8(ascii: "}") { return values }
            guard separator == UInt8(ascii: ",") else { throw fail("expected ',' or '}'", at: position - 1) }
        }
    }

    private mutating func value() throws -> JSONRow.Value {
        guard let byte = peek() else { throw fail("unexpected end of the text") }
        switch byte {
        case UInt8(ascii: "\""): return .text(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail("expected a string, number, boolean or null (nested values are not expected here)")
        }
    }

    private mutating func number() throws -> JSONRow.Value {
        let start = position
        var integral = true
        while position < bytes.count {
            let byte = bytes[position]
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") {
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+") {
                integral = false
            } else {
                break
            }
            position += 1
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        if integral, let number = Int64(text) { return .integer(number) }
        guard let number = Double(text), number.isFinite else { throw fail("'\(text)' is not a number", at: start) }
        return .real(number)
    }

    private mutating func string() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = position
        // Fast path: no escapes, the text is the bytes as they are.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                defer { position += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("a control character inside a string") }
            position += 1
        }
        var text = Array(bytes[start..<position])
        while true {
            guard position < bytes.count else { throw fail("a string that does not end") }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: text, as: UTF8.self) }
            if byte < 0x20 { throw fail("a control character inside a string", at: position - 1) }
            guard byte == UInt8(ascii: "\\") else {
                text.append(byte)
                continue
            }
            let escape = try next()
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
            case UInt8(ascii: "b"): text.append(0x08)
            case UInt8(ascii: "f"): text.append(0x0C)
            case UInt8(ascii: "n"): text.append(0x0A)
            case UInt8(ascii: "r"): text.append(0x0D)
            case UInt8(ascii: "t"): text.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    // A surrogate pair spells one scalar above U+FFFF.
                    guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                        throw fail("a lone high surrogate")
                    }
                    position += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail("a high surrogate without its low half") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail("\\u escape of a lone surrogate") }
                text.append(contentsOf: String(Character(unicode)).utf8)
            default:
                throw fail("an unknown escape", at: position - 1)
            }
        }
    }

    private mutating func hex4() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("a short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("a \\u escape that is not hexadecimal")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count,
            UnsafeBufferPointer(rebasing: bytes[position..<position + count]).elementsEqual(UnsafeBufferPointer(start: word.utf8Start, count: count))
        else { throw fail("expected '\(word)'") }
        position += count
    }

    private mutating func skipSpace() {
        while position < bytes.count {
            let byte = bytes[position]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            position += 1
        }
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func next() throws -> UInt8 {
        guard position < bytes.count else { throw fail("unexpected end of the text") }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard position < bytes.count, bytes[position] == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    private func fail(_ message: String, at offset: Int? = nil) -> Failure {
        Failure(message: message, offset: offset ?? position)
    }
}
