import Foundation

// CGM metrics and targets from the International Consensus on Time in Range (Battelino, Diabetes Care 2019;42:1593),
// brief §2.8, and GMI/eAG conversions from brief §2.7.

/// Glucose thresholds in mg/dL.
public enum GlucoseThreshold {
    /// Level 1 hypoglycaemia: <70 mg/dL (ADA 2025 §6, brief §2.7); lower bound of TIR (brief §2.8).
    public static let level1Hypo = 70.0
    /// Level 2 hypoglycaemia: <54 mg/dL (ADA 2025 §6, brief §2.7; TBR level 2, brief §2.8).
    public static let level2Hypo = 54.0
    /// Upper bound of TIR; TAR level 1 + 2 is >180 mg/dL (brief §2.8).
    public static let rangeHigh = 180.0
    /// TAR level 2: >250 mg/dL (brief §2.8).
    public static let veryHigh = 250.0
}

/// Glucose Management Indicator, % = 3.31 + 0.02392 × mean CGM glucose (mg/dL) (Bergenstal 2018, brief §2.7).
public func glucoseManagementIndicator(meanGlucose: Double) -> Double { 3.31 + 0.02392 * meanGlucose }

/// Estimated average glucose, mg/dL = 28.7 × A1C − 46.7 (ADAG, brief §2.7).
public func estimatedAverageGlucose(a1c: Double) -> Double { 28.7 * a1c - 46.7 }

/// Which column of the consensus target table applies (brief §2.8). Pregnancy targets use other ranges and are not
/// computed here.
public enum CGMTargetProfile: String, Sendable, Codable, CaseIterable, Hashable {
    case standard
    case olderOrHighRisk = "older-or-high-risk"
}

/// One metric against its consensus target.
public struct CGMTargetCheck: Sendable, Codable, Hashable {
    /// Metric name: tir, tbr70, tbr54, tar180, tar250, cv.
    public var metric: String
    public var value: Double
    /// The target in words, e.g. ">70%".
    public var target: String
    public var met: Bool
}

/// CGM summary over a window (brief §2.8).
public struct CGMMetrics: Sendable, Codable, Hashable {
    /// Minimum days of data, sensor active ≥70% (brief §2.8 "data sufficiency").
    public static let minimumDays = 14
    public static let minimumActivePercent = 70.0
    /// Default expected interval between sensor readings (5 min, typical CGM sampling; monitoring brief).
    public static let defaultIntervalMinutes = 5

    public var windowStart: Int64
    public var windowEnd: Int64
    public var count: Int
    public var meanGlucose: Double
    /// Sample standard deviation (n − 1), mg/dL.
    public var standardDeviation: Double
    /// Coefficient of variation = SD ÷ mean × 100.
    public var cv: Double
    public var gmi: Double
    /// Percent of readings 70–180 mg/dL inclusive.
    public var tir: Double
    /// Percent <70 (levels 1 + 2) and <54 (level 2).
    public var tbr70: Double
    public var tbr54: Double
    /// Percent >180 (levels 1 + 2) and >250 (level 2).
    public var tar180: Double
    public var tar250: Double
    /// Distinct local days with at least one reading.
    public var daysOfWear: Int
    /// Percent of expected readings present: distinct expected-interval slots holding a reading ÷ slots in the window.
    public var sensorActivePercent: Double
    public var sufficient: Bool
    public var insufficientReason: String?
    public var profile: CGMTargetProfile
    public var targets: [CGMTargetCheck]

    /// Metrics for CGM readings in (asOf − windowDays, asOf]; nil when there are none.
    public static func compute(_ readings: [Reading], asOf: Int64, windowDays: Int = 14,
                               intervalMinutes: Int = defaultIntervalMinutes, profile: CGMTargetProfile = .standard,
                               defaultUTCOffsetMinutes: Int = 0) -> CGMMetrics? {
        let start = asOf - Int64(windowDays) * LocalTime.millisPerDay
        let interval = Int64(max(1, intervalMinutes)) * LocalTime.millisPerMinute
        var n = 0, sum = 0.0, sumSq = 0.0
        var inRange = 0, below70 = 0, below54 = 0, above180 = 0, above250 = 0
        var days = Set<Int64>()
        var slots = Set<Int64>()
        for r in readings where r.kind == .cgmGlucose && r.at > start && r.at <= asOf {
            let g = r.value
            n += 1; sum += g; sumSq += g * g
            if g < GlucoseThreshold.level1Hypo { below70 += 1 }
            if g < GlucoseThreshold.level2Hypo { below54 += 1 }
            if g > GlucoseThreshold.rangeHigh { above180 += 1 }
            if g > GlucoseThreshold.veryHigh { above250 += 1 }
            if g >= GlucoseThreshold.level1Hypo && g <= GlucoseThreshold.rangeHigh { inRange += 1 }
            days.insert(LocalTime.dayIndex(r.at, offsetMinutes: r.utcOffsetMinutes ?? defaultUTCOffsetMinutes))
            slots.insert((r.at - start - 1) / interval)
        }
        guard n > 0 else { return nil }
        let mean = sum / Double(n)
        let variance = n > 1 ? max(0, (sumSq - Double(n) * mean * mean) / Double(n - 1)) : 0
        let sd = variance.squareRoot()
        func pct(_ k: Int) -> Double { Double(k) * 100 / Double(n) }
        let expected = (asOf - start) / interval
        let active = expected > 0 ? min(100, Double(slots.count) * 100 / Double(expected)) : 0
        var reasons: [String] = []
        if days.count < minimumDays { reasons.append("\(days.count) days of wear (need ≥\(minimumDays))") }
        if active < minimumActivePercent { reasons.append("sensor active \(format(active))% (need ≥\(format(minimumActivePercent))%)") }
        var m = CGMMetrics(windowStart: start, windowEnd: asOf, count: n, meanGlucose: mean, standardDeviation: sd,
                           cv: mean > 0 ? sd / mean * 100 : 0, gmi: glucoseManagementIndicator(meanGlucose: mean),
                           tir: pct(inRange), tbr70: pct(below70), tbr54: pct(below54), tar180: pct(above180),
                           tar250: pct(above250), daysOfWear: days.count, sensorActivePercent: active,
                           sufficient: reasons.isEmpty, insufficientReason: reasons.isEmpty ? nil : reasons.joined(separator: "; "),
                           profile: profile, targets: [])
        m.targets = targetChecks(m, profile: profile)
        return m
    }

    /// Consensus targets (brief §2.8). Standard adults: TIR >70%, TBR<70 <4%, TBR<54 <1%, TAR>180 <25%, TAR>250 <5%,
    /// %CV ≤36%. Older or high-risk: TIR >50%, TBR<70 <1%, TAR>250 <10% (the table gives no TBR<54, TAR>180 or %CV
    /// target for this column, so none is checked).
    public static func targetChecks(_ m: CGMMetrics, profile: CGMTargetProfile) -> [CGMTargetCheck] {
        switch profile {
        case .standard:
            [CGMTargetCheck(metric: "tir", value: m.tir, target: ">70%", met: m.tir > 70),
             CGMTargetCheck(metric: "tbr70", value: m.tbr70, target: "<4%", met: m.tbr70 < 4),
             CGMTargetCheck(metric: "tbr54", value: m.tbr54, target: "<1%", met: m.tbr54 < 1),
             CGMTargetCheck(metric: "tar180", value: m.tar180, target: "<25%", met: m.tar180 < 25),
             CGMTargetCheck(metric: "tar250", value: m.tar250, target: "<5%", met: m.tar250 < 5),
             CGMTargetCheck(metric: "cv", value: m.cv, target: "≤36%", met: m.cv <= 36)]
        case .olderOrHighRisk:
            [CGMTargetCheck(metric: "tir", value: m.tir, target: ">50%", met: m.tir > 50),
             CGMTargetCheck(metric: "tbr70", value: m.tbr70, target: "<1%", met: m.tbr70 < 1),
             CGMTargetCheck(metric: "tar250", value: m.tar250, target: "<10%", met: m.tar250 < 10)]
        }
    }
}
