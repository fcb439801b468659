/// Byte-level helpers shared by the parsers. ASCII only: VCF structure is ASCII even in 4.3 files.
enum ASCII {
    static let tab: UInt8 = 9
    static let newline: UInt8 = 10
    static let carriageReturn: UInt8 = 13
    static let space: UInt8 = 32
    static let quote: UInt8 = 34
    static let hash: UInt8 = 35
    static let percent: UInt8 = 37
    static let comma: UInt8 = 44
    static let minus: UInt8 = 45
    static let dot: UInt8 = 46
    static let slash: UInt8 = 47
    static let zero: UInt8 = 48
    static let nine: UInt8 = 57
    static let colon: UInt8 = 58
    static let semicolon: UInt8 = 59
    static let lessThan: UInt8 = 60
    static let equals: UInt8 = 61
    static let greaterThan: UInt8 = 62
    static let star: UInt8 = 42
    static let plus: UInt8 = 43
    static let openBracket: UInt8 = 91
    static let backslash: UInt8 = 92
    static let closeBracket: UInt8 = 93
    static let pipe: UInt8 = 124

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- zero < 10 }
    @inline(__always) static func upper(_ b: UInt8) -> UInt8 { (b >= 97 && b <= 122) ? b &- 32 : b }

    /// Nucleotide codes accepted in REF and in sequence ALT alleles: ACGTN and the IUPAC ambiguity
    /// codes (some reference builds carry them), in either case.
    static let isBase: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for c in "ACGTNRYSWKMBDHVacgtnryswkmbdhv".utf8 { table[Int(c)] = true }
        return table
    }()

    /// htslib's `bcf_acgt2int`: A, C, G, T (either case) to 0...3, anything else to -1.
    @inline(__always) static func acgt(_ b: UInt8) -> Int {
        switch upper(b) {
        case 65: return 0
        case 67: return 1
        case 71: return 2
        case 84: return 3
        default: return -1
        }
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes in `range` as a `String` (UTF-8, invalid sequences repaired).
    @inline(__always)
    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: self[range]), as: UTF8.self)
    }

    @inline(__always)
    func equals(_ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for i in 0..<range.count where self[range.lowerBound + i] != p[i] { return false }
        return true
    }

    @inline(__always)
    func equals(_ range: Range<Int>, _ bytes: [UInt8]) -> Bool {
        guard range.count == bytes.count else { return false }
        for i in 0..<range.count where self[range.lowerBound + i] != bytes[i] { return false }
        return true
    }

    @inline(__always)
    func firstIndex(of byte: UInt8, in range: Range<Int>) -> Int? {
        var i = range.lowerBound
        while i < range.upperBound {
            if self[i] == byte { return i }
            i += 1
        }
        return nil
    }
}

/// Number parsing without allocation. Each returns `nil` for text that is not the number.
enum Numbers {
    /// A non-negative or negative whole number that fits in an `Int` (at most 18 digits).
    static func integer(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        var i = range.lowerBound
        guard i < range.upperBound else { return nil }
        var negative = false
        if bytes[i] == ASCII.minus || bytes[i] == ASCII.plus {
            negative = bytes[i] == ASCII.minus
            i += 1
        }
        guard i < range.upperBound, range.upperBound - i <= 18 else { return nil }
        var value = 0
        while i < range.upperBound {
            let d = bytes[i] &- ASCII.zero
            guard d < 10 else { return nil }
            value = value &* 10 &+ Int(d)
            i += 1
        }
        return negative ? -value : value
    }

    /// Whether the bytes are a floating-point number as VCF writers produce them:
    /// `1`, `-1.5`, `.5`, `1e-05`, `3.2E+10`, `nan`, `inf`, `-Infinity`.
    static func isFloat(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        let end = range.upperBound
        guard i < end else { return false }
        if bytes[i] == ASCII.minus || bytes[i] == ASCII.plus { i += 1 }
        guard i < end else { return false }
        if !ASCII.isDigit(bytes[i]) && bytes[i] != ASCII.dot {
            // nan, inf, infinity in any case
            let word = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self).lowercased()
            return word == "nan" || word == "inf" || word == "infinity"
        }
        var digits = 0
        while i < end, ASCII.isDigit(bytes[i]) { i += 1; digits += 1 }
        if i < end, bytes[i] == ASCII.dot {
            i += 1
            while i < end, ASCII.isDigit(bytes[i]) { i += 1; digits += 1 }
        }
        guard digits > 0 else { return false }
        if i < end, bytes[i] == 101 || bytes[i] == 69 {  // e E
            i += 1
            if i < end, bytes[i] == ASCII.minus || bytes[i] == ASCII.plus { i += 1 }
            var exponentDigits = 0
            while i < end, ASCII.isDigit(bytes[i]) { i += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return false }
        }
        return i == end
    }

    static func double(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Double? {
        guard isFloat(bytes, range) else { return nil }
        let text = bytes.string(range)
        if let value = Double(text) { return value }
        switch text.lowercased().trimmingPrefix(while: { $0 == "+" || $0 == "-" }) {
        case "nan": return .nan
        case "inf", "infinity": return text.hasPrefix("-") ? -.infinity : .infinity
        default: return nil
        }
    }
}

extension Substring {
    fileprivate func trimmingPrefix(while predicate: (Character) -> Bool) -> Substring {
        var s = self
        while let first = s.first, predicate(first) { s = s.dropFirst() }
        return s
    }
}

extension String {
    fileprivate func trimmingPrefix(while predicate: (Character) -> Bool) -> Substring {
        Substring(self).trimmingPrefix(while: predicate)
    }
}

/// `withUnsafeBytes` for a closure with a typed error (the standard library's version rethrows `any Error`).
@inline(__always)
func withBytes<R, E: Error>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    let result: Result<R, E> = array.withUnsafeBytes { raw in Result { () throws(E) -> R in try body(raw) } }
    return try result.get()
}

/// `withUTF8` for a closure with a typed error.
@inline(__always)
func withUTF8Bytes<R, E: Error>(_ text: String, _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    var copy = text
    let result: Result<R, E> = copy.withUTF8 { buffer in Result { () throws(E) -> R in try body(UnsafeRawBufferPointer(buffer)) } }
    return try result.get()
}
