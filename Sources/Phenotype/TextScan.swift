/// Line and field scanning over raw bytes: the HPO files are tens of megabytes, and splitting them into Swift
/// strings first would cost more than the rest of the load.
enum TextScan {
    typealias Bytes = UnsafeBufferPointer<UInt8>

    /// Calls `body` with each line (without `\n` or `\r\n`) as a range of `bytes`, and its 1-based line number.
    static func forEachLine<E: Error>(_ bytes: Bytes, _ body: (Range<Int>, Int) throws(E) -> Void) throws(E) {
        var start = 0
        var number = 0
        let count = bytes.count
        while start < count {
            var end = start
            while end < count, bytes[end] != 0x0A { end += 1 }
            number += 1
            var stop = end
            if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
            try body(start..<stop, number)
            start = end + 1
        }
    }

    /// Splits `line` at tabs into `fields` (reused to avoid allocation); returns the number of fields.
    @discardableResult
    static func splitTabs(_ bytes: Bytes, _ line: Range<Int>, into fields: inout [Range<Int>]) -> Int {
        fields.removeAll(keepingCapacity: true)
        var start = line.lowerBound
        var i = start
        while i < line.upperBound {
            if bytes[i] == 0x09 {
                fields.append(start..<i)
                start = i + 1
            }
            i += 1
        }
        fields.append(start..<line.upperBound)
        return fields.count
    }

    static func string(_ bytes: Bytes, _ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    static func hasPrefix(_ bytes: Bytes, _ range: Range<Int>, _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard range.count >= count else { return false }
        let p = prefix.utf8Start
        for k in 0..<count where bytes[range.lowerBound + k] != p[k] { return false }
        return true
    }

    static func equals(_ bytes: Bytes, _ range: Range<Int>, _ text: StaticString) -> Bool {
        range.count == text.utf8CodeUnitCount && hasPrefix(bytes, range, text)
    }

    /// The `HP:NNNNNNN` number at the start of `range` (followed by the end, a space, a tab, `!` or `{`), or nil.
    static func termNumber(_ bytes: Bytes, _ range: Range<Int>) -> Int? {
        guard range.count >= 10 else { return nil }
        if range.count > 10 {
            let next = bytes[range.lowerBound + 10]
            guard next == 0x20 || next == 0x09 || next == UInt8(ascii: "!") || next == UInt8(ascii: "{") else { return nil }
        }
        return HPOTermID.number(in: UnsafeBufferPointer(rebasing: bytes[range.lowerBound..<(range.lowerBound + 10)]))
    }

    /// A non-negative decimal integer filling `range`, or nil.
    static func integer(_ bytes: Bytes, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for i in range {
            let b = bytes[i]
            guard b >= 0x30, b <= 0x39 else { return nil }
            value = value * 10 + Int(b - 0x30)
        }
        return value
    }
}
