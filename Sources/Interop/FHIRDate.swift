/// FHIR R4 `date`, `dateTime` and `instant` values, parsed by hand over UTF-8 bytes.
///
/// Why not `ISO8601DateFormatter`: FHIR allows partial dates (`2019`, `2019-05`) that the formatter rejects, and a
/// 60-bundle import parses ~20 000 timestamps, where a formatter per call is measurably slow. This parser is
/// allocation-free and validates ranges (month 1–12, day within the month, hour 0–23, offset ≤ 14:00), so a
/// malformed value is an error instead of a silently shifted time.
public enum FHIRDate {
    /// Milliseconds since 1970-01-01T00:00:00Z at the *start* of the value's precision (a partial date means its first
    /// instant, UTC). A time without an offset is read as UTC: FHIR requires the offset, but EHR exports sometimes omit
    /// it, and rejecting the whole bundle over it would help no one. Returns `nil` when the text is not a valid value.
    public static func epochMillis(_ text: String, allowTime: Bool = true) -> Int64? {
        var utf8 = Array(text.utf8)[...]
        func digits(_ count: Int) -> Int? {
            guard utf8.count >= count else { return nil }
            var value = 0
            for _ in 0..<count {
                let byte = utf8.removeFirst()
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        func take(_ byte: UInt8) -> Bool {
            guard utf8.first == byte else { return false }
            utf8.removeFirst()
            return true
        }
        guard let year = digits(4), year >= 1 else { return nil }
        var month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0, offsetMinutes = 0
        if take(0x2D) {  // -
            guard let m = digits(2), (1...12).contains(m) else { return nil }
            month = m
            if take(0x2D) {
                guard let d = digits(2), (1...daysIn(month: month, year: year)).contains(d) else { return nil }
                day = d
                if take(0x54) {  // T
                    guard allowTime, let h = digits(2), h < 24, take(0x3A), let mi = digits(2), mi < 60, take(0x3A),
                        let s = digits(2), s <= 60
                    else { return nil }
                    hour = h
                    minute = mi
                    second = min(s, 59)
                    if take(0x2E) {  // fraction: keep milliseconds, accept any number of digits
                        var scale = 100, sawDigit = false
                        while let byte = utf8.first, byte >= 0x30, byte <= 0x39 {
                            utf8.removeFirst()
                            millis += Int(byte - 0x30) * scale
                            scale /= 10
                            sawDigit = true
                        }
                        guard sawDigit else { return nil }
                    }
                    if take(0x5A) {  // Z
                    } else if let sign = utf8.first, sign == 0x2B || sign == 0x2D {
                        utf8.removeFirst()
                        guard let oh = digits(2), take(0x3A), let om = digits(2), om < 60, oh * 60 + om <= 14 * 60 else { return nil }
                        offsetMinutes = (sign == 0x2B ? 1 : -1) * (oh * 60 + om)
                    }
                }
            }
        }
        guard utf8.isEmpty else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    /// `true` for a FHIR `date` (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`): what `Patient.birthDate` must be.
    public static func isValidDate(_ text: String) -> Bool { epochMillis(text, allowTime: false) != nil }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
