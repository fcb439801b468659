import Foundation

// A small byte-level JSON reader. NDJSON uploads can hold hundreds of thousands of lines; `JSONSerialization` per line
// pays for Objective-C bridging (`NSDictionary`, `NSNumber`) and `JSONDecoder` for its generic machinery, while reading
// objects of a handful of scalar fields needs neither. The same reader serves the batch body and FHIR, so there is one
// notion of "invalid JSON" with one kind of error position (a byte column). The MonitoringBench executable measures it
// against `JSONSerialization` on the same input.

/// A parsed JSON value. Objects keep their members in order as an array of pairs: the objects here are small, a
/// linear scan beats hashing, and duplicate keys resolve to the first occurrence deterministically.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        for (k, v) in members where k == key { return v }
        return nil
    }

    var arrayValue: [JSONValue]? { if case let .array(a) = self { a } else { nil } }
    var stringValue: String? { if case let .string(s) = self { s } else { nil } }
    var numberValue: Double? { if case let .number(n) = self { n } else { nil } }

    /// A short name of the value's JSON type, for error messages ("expected a number, found a string").
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Why a JSON text could not be read, with the 1-based byte column where reading stopped.
package struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    package var column: Int
    package var message: String
    package var description: String { "invalid JSON at column \(column): \(message)" }
}

/// Recursive-descent reader over raw bytes. Nesting is capped so hostile input cannot exhaust the stack.
struct JSONReader {
    static let maxDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private var pos: Int
    private let end: Int
    /// Where this value's text starts, so error columns count from the start of the line, not of the whole upload.
    private let origin: Int

    /// Reads exactly one JSON value from `bytes[start..<end]` (surrounding whitespace allowed).
    static func parse(_ bytes: UnsafeRawBufferPointer, start: Int = 0, end: Int? = nil) throws(JSONSyntaxError) -> JSONValue {
        var reader = JSONReader(bytes: bytes, pos: start, end: end ?? bytes.count, origin: start)
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        if reader.pos != reader.end { throw reader.error("unexpected text after the value") }
        return value
    }

    static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONValue {
        let result = data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Result<JSONValue, JSONSyntaxError> in
            do throws(JSONSyntaxError) { return .success(try parse(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Reads one object in `bytes[start..<end]`, handing each member's name (raw bytes) and value to `member`
    /// without building key strings or a member array. Returns false without reading when the text is not an object.
    static func parseObjectMembers(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int,
                                   member: (UnsafeRawBufferPointer, JSONValue) -> Void) throws(JSONSyntaxError) -> Bool {
        var reader = JSONReader(bytes: bytes, pos: start, end: end, origin: start)
        reader.skipWhitespace()
        guard reader.pos < end, bytes[reader.pos] == UInt8(ascii: "{") else { return false }
        reader.pos += 1
        reader.skipWhitespace()
        if reader.pos < end && bytes[reader.pos] == UInt8(ascii: "}") {
            reader.pos += 1
        } else {
            while true {
                reader.skipWhitespace()
                guard reader.pos < end else { throw reader.error("unexpected end of input inside an object") }
                guard bytes[reader.pos] == UInt8(ascii: "\"") else { throw reader.error("expected a member name in quotes") }
                let keyStart = reader.pos + 1
                var escaped = false
                var scan = keyStart
                while scan < end, bytes[scan] != UInt8(ascii: "\"") {
                    if bytes[scan] == UInt8(ascii: "\\") || bytes[scan] < 0x20 || bytes[scan] >= 0x80 { escaped = true; break }
                    scan += 1
                }
                var keyString: String?
                let keyEnd: Int
                if escaped || scan >= end {
                    keyString = try reader.readString()  // escapes, non-ASCII or errors: the general reader decides
                    keyEnd = 0
                } else {
                    keyEnd = scan
                    reader.pos = scan + 1
                }
                reader.skipWhitespace()
                guard reader.pos < end, bytes[reader.pos] == UInt8(ascii: ":") else { throw reader.error("expected ':' after member name") }
                reader.pos += 1
                reader.skipWhitespace()
                let value = try reader.readValue(depth: 1)
                if var k = keyString {
                    k.withUTF8 { member(UnsafeRawBufferPointer($0), value) }
                } else {
                    member(UnsafeRawBufferPointer(rebasing: bytes[keyStart..<keyEnd]), value)
                }
                reader.skipWhitespace()
                guard reader.pos < end else { throw reader.error("unexpected end of input inside an object") }
                if bytes[reader.pos] == UInt8(ascii: ",") { reader.pos += 1; continue }
                if bytes[reader.pos] == UInt8(ascii: "}") { reader.pos += 1; break }
                throw reader.error("expected ',' or '}' in an object")
            }
        }
        reader.skipWhitespace()
        if reader.pos != end { throw reader.error("unexpected text after the value") }
        return true
    }

    private func error(_ message: String) -> JSONSyntaxError {
        JSONSyntaxError(column: pos - origin + 1, message: message)
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while pos < end {
            let b = bytes[pos]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { pos += 1 } else { return }
        }
    }

    private mutating func readValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard pos < end else { throw error("unexpected end of input") }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw error("unexpected character \(describe(bytes[pos]))")
        }
    }

    private func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return String(format: "byte 0x%02X", byte)
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard end - pos >= count else { throw error("truncated literal") }
        let base = literal.utf8Start
        for i in 0..<count where bytes[pos + i] != base[i] { throw error("invalid literal") }
        pos += count
    }

    private mutating func readObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        pos += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if pos < end && bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard pos < end else { throw error("unexpected end of input inside an object") }
            guard bytes[pos] == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
            let key = try readString()
            skipWhitespace()
            guard pos < end, bytes[pos] == UInt8(ascii: ":") else { throw error("expected ':' after member name") }
            pos += 1
            skipWhitespace()
            let value = try readValue(depth: depth)
            members.append((key, value))
            skipWhitespace()
            guard pos < end else { throw error("unexpected end of input inside an object") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "}") { pos += 1; return .object(members) }
            throw error("expected ',' or '}' in an object")
        }
    }

    private mutating func readArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth)") }
        pos += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if pos < end && bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try readValue(depth: depth))
            skipWhitespace()
            guard pos < end else { throw error("unexpected end of input inside an array") }
            if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if bytes[pos] == UInt8(ascii: "]") { pos += 1; return .array(elements) }
            throw error("expected ',' or ']' in an array")
        }
    }

    private mutating func readString() throws(JSONSyntaxError) -> String {
        pos += 1  // opening quote
        let start = pos
        var nonASCII: UInt8 = 0
        // Fast path: no escapes, so the bytes are the string. Pure ASCII needs no UTF-8 validation (and the generic
        // `String(validating:)` costs more than the rest of a line's parse), so it is only used for non-ASCII text.
        while pos < end {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<pos])
                pos += 1
                if nonASCII & 0x80 == 0 { return String(decoding: slice, as: UTF8.self) }
                guard let s = String(validating: slice, as: UTF8.self) else { pos -= 1; throw error("string is not valid UTF-8") }
                return s
            }
            nonASCII |= b
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character \(describe(b)) inside a string") }
            pos += 1
        }
        guard pos < end else { throw error("unterminated string") }
        // Slow path with escapes.
        var utf8 = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<pos]))
        while pos < end {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                guard let s = String(validating: utf8, as: UTF8.self) else { throw error("string is not valid UTF-8") }
                return s
            }
            if b < 0x20 { throw error("control character \(describe(b)) inside a string") }
            if b != UInt8(ascii: "\\") { utf8.append(b); pos += 1; continue }
            pos += 1
            guard pos < end else { throw error("unterminated escape") }
            let e = bytes[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(e)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard end - pos >= 6, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired surrogate in \\u escape")
                    }
                    pos += 2
                    let low = try readHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw error("unpaired surrogate in \\u escape")
                }
                guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                utf8.append(contentsOf: String(Character(u)).utf8)
            default: throw error("invalid escape \\\(describe(e))")
            }
        }
        throw error("unterminated string")
    }

    private mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
        guard end - pos >= 4 else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[pos]
            let d: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(b - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    /// Exact powers of ten representable in a Double (10^0 … 10^22).
    private static let exactPowersOfTen: [Double] = (0...22).map { (0..<$0).reduce(1.0) { acc, _ in acc * 10 } }

    /// Numbers follow the JSON grammar strictly. Plain decimals with ≤15 significant digits and ≤22 fraction digits are
    /// computed as integer ÷ power of ten, which is exact-then-correctly-rounded (both operands are exact Doubles);
    /// anything else (exponents, long mantissas) goes to the standard library's parser.
    private mutating func readNumber() throws(JSONSyntaxError) -> Double {
        let start = pos
        if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < end, isDigit(bytes[pos]) else { throw error("expected a digit") }
        var mantissa: UInt64 = 0
        var digits = 0
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
        } else {
            while pos < end, isDigit(bytes[pos]) {
                mantissa = mantissa &* 10 &+ UInt64(bytes[pos] - UInt8(ascii: "0")); digits += 1; pos += 1
            }
        }
        var fractionDigits = 0
        if pos < end, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < end, isDigit(bytes[pos]) else { throw error("expected a digit after '.'") }
            while pos < end, isDigit(bytes[pos]) {
                mantissa = mantissa &* 10 &+ UInt64(bytes[pos] - UInt8(ascii: "0"))
                digits += 1; fractionDigits += 1; pos += 1
            }
        }
        var hasExponent = false
        if pos < end, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            hasExponent = true
            pos += 1
            if pos < end, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < end, isDigit(bytes[pos]) else { throw error("expected a digit in the exponent") }
            while pos < end, isDigit(bytes[pos]) { pos += 1 }
        }
        let negative = bytes[start] == UInt8(ascii: "-")
        if !hasExponent && digits <= 15 && fractionDigits <= 22 {
            let magnitude = Double(mantissa) / Self.exactPowersOfTen[fractionDigits]
            return negative ? -magnitude : magnitude
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<pos]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw error("number out of range") }
        return value
    }

    @inline(__always) private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}

/// This reader for other modules of the package that read arrays of flat objects (the store's JSON aggregate
/// columns), without making ``JSONValue`` a name they would see beside their own.
package enum FlatJSON {
    package enum Scalar: Sendable, Equatable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
    }

    package enum ShapeError: Error, Sendable, CustomStringConvertible {
        case notAnArray
        case notAnObject(item: Int)
        case nested(item: Int, key: String)

        package var description: String {
            switch self {
            case .notAnArray: "not a JSON array"
            case .notAnObject(let item): "item \(item) is not an object"
            case .nested(let item, let key): "item \(item) field '\(key)' is an array or object"
            }
        }
    }

    /// The members of each object in a JSON array whose objects hold only scalars, in order.
    package static func arrayOfObjects(_ bytes: UnsafeRawBufferPointer) throws -> [[(String, Scalar)]] {
        guard case .array(let items) = try JSONReader.parse(bytes) else { throw ShapeError.notAnArray }
        return try items.enumerated().map { index, item in
            guard case .object(let members) = item else { throw ShapeError.notAnObject(item: index) }
            return try members.map { key, value in
                switch value {
                case .null: (key, .null)
                case .bool(let flag): (key, .bool(flag))
                case .number(let number): (key, .number(number))
                case .string(let text): (key, .string(text))
                case .array, .object: throw ShapeError.nested(item: index, key: key)
                }
            }
        }
    }
}
