import Foundation

// Blood-pressure metrics over home readings: the platform's 7-day HBPM average (brief §2.3), the ACC/AHA category
// (§2.1), control against a target, weekly means and their trend (§3.2.5).

/// Where BP was measured decides which thresholds apply (brief §2.3: "use home thresholds for home data, not office").
public enum BPSetting: String, Sendable, Codable, Hashable {
    case office, home
}

/// 2017 ACC/AHA blood-pressure category (brief §2.1, unchanged in 2025). Raw values are stable wire names.
public enum BPCategory: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    case normal, elevated, stage1, stage2, severe

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: BPCategory, b: BPCategory) -> Bool { a.rank < b.rank }

    /// Thresholds for one setting. Each is the lowest value that belongs to the next category up.
    public struct Thresholds: Sendable, Hashable {
        /// SBP at or above which BP is at least elevated (DBP has no elevated band).
        public var elevatedSBP: Double
        /// SBP / DBP at or above which BP is at least stage 1.
        public var stage1SBP: Double, stage1DBP: Double
        /// SBP / DBP at or above which BP is at least stage 2.
        public var stage2SBP: Double, stage2DBP: Double
        /// SBP / DBP strictly above which BP is severe (crisis).
        public var severeSBP: Double, severeDBP: Double

        /// Office thresholds, brief §2.1 (2017 ACC/AHA): elevated SBP 120–129; stage 1 130–139 or 80–89; stage 2
        /// ≥140 or ≥90; severe >180 and/or >120.
        public static let office = Thresholds(elevatedSBP: 120, stage1SBP: 130, stage1DBP: 80, stage2SBP: 140,
                                              stage2DBP: 90, severeSBP: 180, severeDBP: 120)

        /// Home (HBPM) thresholds from the corresponding-values table, brief §2.3 (2017 guideline): office 120/80,
        /// 130/80 and 140/90 correspond to HBPM 120/80, 130/80 and 135/85, so elevated and stage 1 start at the same
        /// values as in the office and stage 2 starts at 135/85. The table gives no home value for the crisis level;
        /// the §2.3 flag for a single home reading is >180/120, so severe keeps the office limits.
        public static let home = Thresholds(elevatedSBP: 120, stage1SBP: 130, stage1DBP: 80, stage2SBP: 135,
                                            stage2DBP: 85, severeSBP: 180, severeDBP: 120)

        public static func `for`(_ setting: BPSetting) -> Thresholds { setting == .home ? .home : .office }
    }

    /// Category of a (mean) SBP/DBP pair. When SBP and DBP fall in different categories the higher one is used (§2.1).
    public static func classify(systolic: Double, diastolic: Double, setting: BPSetting = .office) -> BPCategory {
        let t = Thresholds.for(setting)
        let bySBP: BPCategory = systolic > t.severeSBP ? .severe : systolic >= t.stage2SBP ? .stage2
            : systolic >= t.stage1SBP ? .stage1 : systolic >= t.elevatedSBP ? .elevated : .normal
        let byDBP: BPCategory = diastolic > t.severeDBP ? .severe : diastolic >= t.stage2DBP ? .stage2
            : diastolic >= t.stage1DBP ? .stage1 : .normal
        return max(bySBP, byDBP)
    }
}

/// A BP goal: both means must be strictly below these values.
public struct BPTarget: Sendable, Codable, Hashable {
    public var systolic: Double
    public var diastolic: Double
    public init(systolic: Double, diastolic: Double) {
        self.systolic = systolic
        self.diastolic = diastolic
    }
    /// <130/80 for all adults, 2017 and 2025 guidelines (brief §2.2 "Target"); also the §3.2.5 achievement example.
    public static let standard = BPTarget(systolic: 130, diastolic: 80)

    public func isMet(systolic s: Double, diastolic d: Double) -> Bool { s < systolic && d < diastolic }
}

/// Mean and count of a subset of readings (the AM or PM half of a home average).
public struct BPMean: Sendable, Codable, Hashable {
    public var count: Int
    public var systolic: Double?
    public var diastolic: Double?
}

/// The platform's home BP average (brief §2.3).
public struct HomeBPAverage: Sendable, Codable, Hashable {
    /// Window length: 7 days (brief §2.3).
    public static let windowDays = 7
    /// Minimum number of days with readings, counted after day 1 is excluded (brief §2.3 "minimum 3 days").
    public static let minimumDays = 3
    /// Minimum number of valid readings, counted after day 1 is excluded (brief §2.3, AHA/ESH convention).
    public static let minimumReadings = 12

    /// Window (windowStart, windowEnd]: the 7 × 24 h ending at `asOf`.
    public var windowStart: Int64
    public var windowEnd: Int64
    /// The local day dropped as "day 1" (days since 1970 in the readings' local time), if any readings were in the window.
    public var excludedDay: Int64?
    /// Readings dropped with day 1.
    public var excludedReadings: Int
    /// Readings averaged (after excluding day 1).
    public var count: Int
    /// Distinct local days among the averaged readings.
    public var days: Int
    public var meanSystolic: Double?
    public var meanDiastolic: Double?
    /// Morning (local time before 12:00) and evening halves.
    public var am: BPMean
    public var pm: BPMean
    /// True when the minimums are met; the means are still reported (flagged) when they are not.
    public var sufficient: Bool
    /// Why the average is not sufficient; nil when it is.
    public var insufficientReason: String?

    /// Home and device readings only: office and ambulatory BP have other thresholds (brief §2.3 corresponding values).
    public static func isHomeReading(_ r: Reading) -> Bool {
        r.kind == .bloodPressure && (r.source == .home || r.source == .device)
    }

    /// Computes the average over the 7 × 24 h ending at `asOf` (inclusive).
    ///
    /// "Day 1" is the earliest local calendar day (by each reading's `utcOffsetMinutes`, else `defaultUTCOffsetMinutes`)
    /// holding a reading in the window: the first day of a monitoring week carries the most measurement anxiety and
    /// is excluded by the platform rule. The minimums then apply to what is left.
    public static func compute(_ readings: [Reading], asOf: Int64, defaultUTCOffsetMinutes: Int = 0) -> HomeBPAverage {
        let start = asOf - Int64(windowDays) * LocalTime.millisPerDay
        var firstDay = Int64.max
        for r in readings where r.at > start && r.at <= asOf && isHomeReading(r) {
            firstDay = min(firstDay, LocalTime.dayIndex(r.at, offsetMinutes: r.utcOffsetMinutes ?? defaultUTCOffsetMinutes))
        }
        var count = 0, excluded = 0
        var sumS = 0.0, sumD = 0.0
        var amN = 0, amS = 0.0, amD = 0.0
        var days = Set<Int64>()
        for r in readings where r.at > start && r.at <= asOf && isHomeReading(r) {
            let offset = r.utcOffsetMinutes ?? defaultUTCOffsetMinutes
            let day = LocalTime.dayIndex(r.at, offsetMinutes: offset)
            if day == firstDay { excluded += 1; continue }
            let d = r.value2 ?? 0
            count += 1
            sumS += r.value
            sumD += d
            days.insert(day)
            if LocalTime.millisOfDay(r.at, offsetMinutes: offset) < 12 * LocalTime.millisPerHour {
                amN += 1; amS += r.value; amD += d
            }
        }
        let pmN = count - amN
        var reasons: [String] = []
        if days.count < minimumDays {
            reasons.append("\(days.count) day\(days.count == 1 ? "" : "s") with readings after excluding day 1 (need ≥\(minimumDays))")
        }
        if count < minimumReadings {
            reasons.append("\(count) valid reading\(count == 1 ? "" : "s") after excluding day 1 (need ≥\(minimumReadings))")
        }
        func mean(_ sum: Double, _ n: Int) -> Double? { n > 0 ? sum / Double(n) : nil }
        return HomeBPAverage(
            windowStart: start, windowEnd: asOf, excludedDay: firstDay == .max ? nil : firstDay, excludedReadings: excluded,
            count: count, days: days.count, meanSystolic: mean(sumS, count), meanDiastolic: mean(sumD, count),
            am: BPMean(count: amN, systolic: mean(amS, amN), diastolic: mean(amD, amN)),
            pm: BPMean(count: pmN, systolic: mean(sumS - amS, pmN), diastolic: mean(sumD - amD, pmN)),
            sufficient: reasons.isEmpty, insufficientReason: reasons.isEmpty ? nil : reasons.joined(separator: "; "))
    }

    /// Home category of the mean, when there is one.
    public var category: BPCategory? {
        guard let s = meanSystolic, let d = meanDiastolic else { return nil }
        return BPCategory.classify(systolic: s, diastolic: d, setting: .home)
    }
}

/// Whether the home average is at target.
public struct BPControl: Sendable, Codable, Hashable {
    public var target: BPTarget
    /// nil when the average is not sufficient (control cannot be judged on too few readings).
    public var controlled: Bool?
    /// Mean minus target (positive = above target).
    public var systolicAboveTarget: Double?
    public var diastolicAboveTarget: Double?

    public static func assess(_ average: HomeBPAverage, target: BPTarget = .standard) -> BPControl {
        guard let s = average.meanSystolic, let d = average.meanDiastolic else {
            return BPControl(target: target, controlled: nil)
        }
        return BPControl(target: target, controlled: average.sufficient ? target.isMet(systolic: s, diastolic: d) : nil,
                         systolicAboveTarget: s - target.systolic, diastolicAboveTarget: d - target.diastolic)
    }
}

/// One week's home average. Week 0 ends at `asOf`, week 1 seven days earlier, and so on; a week whose average is
/// `sufficient` is a "protocol week" (brief §3.2.4: HBPM ≥12 per week in protocol weeks).
public struct WeeklyBP: Sendable, Codable, Hashable {
    /// 0 = the week ending at asOf, 1 = the week before, …
    public var weeksAgo: Int
    public var average: HomeBPAverage
    public var isProtocolWeek: Bool { average.sufficient }

    /// Weekly averages for `weeks` weeks ending at `asOf`, oldest first.
    public static func series(_ readings: [Reading], asOf: Int64, weeks: Int, defaultUTCOffsetMinutes: Int = 0) -> [WeeklyBP] {
        let home = readings.filter(HomeBPAverage.isHomeReading)
        return (0..<max(0, weeks)).reversed().map { k in
            WeeklyBP(weeksAgo: k, average: HomeBPAverage.compute(
                home, asOf: asOf - Int64(k) * 7 * LocalTime.millisPerDay, defaultUTCOffsetMinutes: defaultUTCOffsetMinutes))
        }
    }
}

/// Ordinary least squares slope of y on x; nil with fewer than 2 points or no spread in x.
public func olsSlope(_ points: [(x: Double, y: Double)]) -> Double? {
    guard points.count >= 2 else { return nil }
    let n = Double(points.count)
    let mx = points.reduce(0) { $0 + $1.x } / n
    let my = points.reduce(0) { $0 + $1.y } / n
    var sxy = 0.0, sxx = 0.0
    for p in points {
        sxy += (p.x - mx) * (p.y - my)
        sxx += (p.x - mx) * (p.x - mx)
    }
    return sxx > 0 ? sxy / sxx : nil
}

/// Trend of weekly mean SBP (brief §3.2.5).
public struct BPTrend: Sendable, Codable, Hashable {
    /// Weeks looked at: the last 4 (brief §3.2.5 "over 4 weeks").
    public static let weeks = 4
    /// Change over 4 weeks beyond which SBP is improving or worsening: ±2 mmHg (brief §3.2.5).
    public static let changeThreshold = 2.0

    /// OLS slope of weekly mean SBP on week index, mmHg/week (negative = falling = better).
    public var slopePerWeek: Double
    /// `slopePerWeek × 4`: the fitted change expressed over 4 weeks, compared with ±2 mmHg.
    public var changeOver4Weeks: Double
    /// Protocol weeks used (at least 2).
    public var weeksUsed: Int
    /// Weeks looked at (4 for the §3.2.5 rule; the summary also reports the trend over all reported weeks).
    public var span: Int

    /// Uses the protocol weeks among the last `span` (weeksAgo 0…span−1); x = −weeksAgo so gaps keep their spacing.
    public static func compute(_ weekly: [WeeklyBP], span: Int = weeks) -> BPTrend? {
        let points = weekly.filter { $0.weeksAgo < span && $0.isProtocolWeek }
            .compactMap { w in w.average.meanSystolic.map { (x: Double(-w.weeksAgo), y: $0) } }
        guard let slope = olsSlope(points) else { return nil }
        return BPTrend(slopePerWeek: slope, changeOver4Weeks: slope * Double(weeks), weeksUsed: points.count, span: span)
    }
}
