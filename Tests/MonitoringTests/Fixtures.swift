import Foundation
@testable import Monitoring

/// Shared builders. Times are built from civil dates so expectations read as calendar facts.
enum T {
    static let minute: Int64 = 60_000
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000

    /// Epoch ms of a local civil time at `offset` minutes east of UTC.
    static func ms(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, offset: Int = 0) -> Int64 {
        LocalTime.daysFromCivil(year: y, month: mo, day: d) * day + Int64(h) * hour + Int64(mi) * minute - Int64(offset) * minute
    }

    static func bp(_ at: Int64, _ s: Double, _ d: Double, source: ReadingSource = .home, offset: Int? = nil, id: String? = nil) -> Reading {
        Reading(kind: .bloodPressure, at: at, value: s, value2: d, source: source, utcOffsetMinutes: offset, externalID: id)
    }

    /// Four home readings a day (07:00, 07:05, 19:00, 19:05 local) for each day in `days` (day 0 = `firstDay`),
    /// with values chosen per day and half (am: true/false).
    static func hbpmDays(firstDay: (Int, Int, Int), days: Range<Int>, offset: Int = 0,
                         value: (_ day: Int, _ am: Bool) -> (Double, Double)) -> [Reading] {
        let base = ms(firstDay.0, firstDay.1, firstDay.2, offset: offset)
        var out: [Reading] = []
        for d in days {
            for (h, m, am) in [(7, 0, true), (7, 5, true), (19, 0, false), (19, 5, false)] {
                let (s, dia) = value(d, am)
                out.append(bp(base + Int64(d) * day + Int64(h) * hour + Int64(m) * minute, s, dia, offset: offset))
            }
        }
        return out
    }
}
