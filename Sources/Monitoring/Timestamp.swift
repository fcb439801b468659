import Foundation

/// An instant read from an RFC 3339 / ISO 8601 date-time, with the UTC offset it was written in.
public struct ParsedTimestamp: Sendable, Hashable {
    /// Milliseconds since 1970 UTC.
    public var millis: Int64
    /// The offset written in the text (`Z` is 0). Taken as the patient's local zone: a client that knows the zone
    /// sends local time with its offset, and AM/PM and day boundaries follow it.
    public var utcOffsetMinutes: Int
}

/// Why a timestamp text was not accepted.
public struct TimestampError: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "timestamp \"\(text)\": \(reason)" }
}

/// Parses `YYYY-MM-DDThh:mm[:ss[.fff…]](Z|±hh:mm|±hhmm)`.
///
/// A UTC offset is required: a reading without one cannot be placed on the patient's day or in the morning/evening
/// HBPM slots (brief §2.3), and guessing the zone would silently move readings across days. Date-only values are
/// refused for the same reason. Fractions beyond milliseconds are truncated. Hand-written because `ISO8601DateFormatter`
/// does not report the offset it parsed and is far slower on 100,000-line uploads.
public func parseTimestamp(_ text: String) throws(TimestampError) -> ParsedTimestamp {
    let result = text.utf8.withContiguousStorageIfAvailable { parseTimestampBytes($0, original: text) }
        ?? Array(text.utf8).withUnsafeBufferPointer { parseTimestampBytes($0, original: text) }
    return try result.get()
}

private func parseTimestampBytes(_ b: UnsafeBufferPointer<UInt8>, original: String) -> Result<ParsedTimestamp, TimestampError> {
    func fail(_ reason: String) -> Result<ParsedTimestamp, TimestampError> { .failure(TimestampError(text: original, reason: reason)) }
    var i = 0
    func digits(_ n: Int) -> Int? {
        guard i + n <= b.count else { return nil }
        var v = 0
        for k in 0..<n {
            let c = b[i + k]
            guard c >= 48 && c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        i += n
        return v
    }
    func expect(_ c: UInt8) -> Bool {
        guard i < b.count, b[i] == c else { return false }
        i += 1
        return true
    }
    let shape = "expected YYYY-MM-DDThh:mm:ss with Z or a ±hh:mm offset"
    guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")),
          let day = digits(2) else { return fail(shape) }
    guard i < b.count else { return fail("a date without a time of day cannot be placed in the day; send a date-time with offset") }
    guard b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: "t") || b[i] == UInt8(ascii: " ") else { return fail(shape) }
    i += 1
    guard let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2) else { return fail(shape) }
    var second = 0
    var millis = 0
    if expect(UInt8(ascii: ":")) {
        guard let s = digits(2) else { return fail(shape) }
        second = s
        if expect(UInt8(ascii: ".")) {
            var n = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if n < 3 { millis = millis * 10 + Int(b[i] - 48) }
                n += 1
                i += 1
            }
            guard n > 0 else { return fail("expected digits after '.'") }
            for _ in n..<max(n, 3) { millis *= 10 }
        }
    }
    var offset = 0
    guard i < b.count else { return fail("a UTC offset (Z or ±hh:mm) is required to place the reading in the patient's day") }
    if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
        i += 1
    } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
        let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
        i += 1
        guard let oh = digits(2) else { return fail(shape) }
        _ = expect(UInt8(ascii: ":"))
        guard let om = digits(2), oh <= 18, om < 60 else { return fail("invalid UTC offset") }
        offset = sign * (oh * 60 + om)
    } else {
        return fail(shape)
    }
    guard i == b.count else { return fail("unexpected text after the timestamp") }
    guard (1...12).contains(month), day >= 1, day <= LocalTime.daysInMonth(year: year, month: month) else {
        return fail("no such date")
    }
    guard hour <= 23, minute <= 59, second <= 60 else { return fail("no such time of day") }
    // A leap second (:60) is folded into the next second, like POSIX time.
    let days = LocalTime.daysFromCivil(year: year, month: month, day: day)
    let localMillis = ((days * 24 + Int64(hour)) * 60 + Int64(minute)) * 60_000 + Int64(second) * 1000 + Int64(millis)
    return .success(ParsedTimestamp(millis: localMillis - Int64(offset) * 60_000, utcOffsetMinutes: offset))
}
