import Foundation

/// What an alert is about. Raw values are stable wire names.
public enum AlertKind: String, Sendable, Codable, CaseIterable, Hashable {
    /// A single BP reading >180 systolic or >120 diastolic (brief §2.1, §2.3).
    case crisis
    /// The 7-day home average above target in the last 2 consecutive protocol weeks.
    case sustainedHigh
    /// A glucose reading <54 mg/dL (brief §2.7).
    case hypoglycaemiaLevel2
    /// A glucose reading <70 mg/dL (brief §2.7).
    case hypoglycaemiaLevel1
    /// CGM time below range above its consensus target (brief §2.8).
    case cgmTimeBelowRange
}

public enum AlertSeverity: String, Sendable, Codable, CaseIterable, Hashable, Comparable {
    case info, warning, urgent
    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: AlertSeverity, b: AlertSeverity) -> Bool { a.rank < b.rank }
}

public struct MonitoringAlert: Sendable, Codable, Hashable {
    public var kind: AlertKind
    public var severity: AlertSeverity
    /// Times (ms) of the reading(s) or the end of the window the alert is about.
    public var at: [Int64]
    /// Client ids of the readings, when known.
    public var externalIDs: [String]
    public var message: String
    /// The rule and its source.
    public var ruleSource: String
}

/// Alert rules. Only readings in the look-back window raise per-reading alerts, so a year of history does not
/// re-raise last spring's values.
public enum MonitoringAlerts {
    /// Crisis message from brief §2.1.
    public static let crisisMessage = "check for target-organ damage: if present this is an emergency; if absent this is severe hypertension, not a self-management path"

    public static func evaluate(_ readings: [Reading], asOf: Int64, lookbackDays: Int = 7, weekly: [WeeklyBP],
                                target: BPTarget, cgm: CGMMetrics?) -> [MonitoringAlert] {
        let start = asOf - Int64(lookbackDays) * LocalTime.millisPerDay
        var alerts: [MonitoringAlert] = []
        let severe = BPCategory.Thresholds.office
        for r in readings where r.at > start && r.at <= asOf {
            switch r.kind {
            case .bloodPressure:
                let d = r.value2 ?? 0
                if r.value > severe.severeSBP || d > severe.severeDBP {
                    alerts.append(MonitoringAlert(
                        kind: .crisis, severity: .urgent, at: [r.at], externalIDs: r.externalID.map { [$0] } ?? [],
                        message: "BP \(format(r.value))/\(format(d)) mmHg is above 180/120: \(crisisMessage)",
                        ruleSource: "single reading >180/120 (2017 ACC/AHA severe category, brief §2.1; HBPM flag, brief §2.3)"))
                }
            case .glucose:
                // Capillary checks alert one by one. CGM traces (a value every 5 min) are judged by time below
                // range instead, so one low episode does not raise dozens of alerts.
                if r.value < GlucoseThreshold.level2Hypo {
                    alerts.append(MonitoringAlert(
                        kind: .hypoglycaemiaLevel2, severity: .urgent, at: [r.at], externalIDs: r.externalID.map { [$0] } ?? [],
                        message: "glucose \(format(r.value)) mg/dL is below 54 mg/dL (level 2 hypoglycaemia)",
                        ruleSource: "ADA Standards of Care 2025 §6: level 2 <54 mg/dL (brief §2.7)"))
                } else if r.value < GlucoseThreshold.level1Hypo {
                    alerts.append(MonitoringAlert(
                        kind: .hypoglycaemiaLevel1, severity: .warning, at: [r.at], externalIDs: r.externalID.map { [$0] } ?? [],
                        message: "glucose \(format(r.value)) mg/dL is below 70 mg/dL (level 1 hypoglycaemia)",
                        ruleSource: "ADA Standards of Care 2025 §6: level 1 <70 mg/dL (brief §2.7)"))
                }
            default:
                break
            }
        }

        let lastTwo = weekly.filter { $0.weeksAgo < 2 }
        if lastTwo.count == 2, lastTwo.allSatisfy({ w in
            guard w.isProtocolWeek, let s = w.average.meanSystolic, let d = w.average.meanDiastolic else { return false }
            return !target.isMet(systolic: s, diastolic: d)
        }) {
            let means = lastTwo.map { "\(format(($0.average.meanSystolic ?? 0).rounded()))/\(format(($0.average.meanDiastolic ?? 0).rounded()))" }
            alerts.append(MonitoringAlert(
                kind: .sustainedHigh, severity: .warning, at: lastTwo.map(\.average.windowEnd), externalIDs: [],
                message: "7-day home average above target \(format(target.systolic))/\(format(target.diastolic)) for 2 consecutive weeks (\(means.joined(separator: ", ")) mmHg)",
                ruleSource: "platform HBPM average (brief §2.3) vs target <130/80 (brief §2.2)"))
        }

        if let cgm {
            let failed = cgm.targets.filter { ($0.metric == "tbr70" || $0.metric == "tbr54") && !$0.met }
            if !failed.isEmpty {
                let level2 = failed.contains { $0.metric == "tbr54" }
                let detail = failed.map { "\($0.metric == "tbr54" ? "<54" : "<70") mg/dL \(format($0.value))% (target \($0.target))" }
                alerts.append(MonitoringAlert(
                    kind: .cgmTimeBelowRange, severity: level2 ? .urgent : .warning, at: [cgm.windowEnd], externalIDs: [],
                    message: "CGM time below range above target: \(detail.joined(separator: "; "))\(cgm.sufficient ? "" : " (CGM data not sufficient: \(cgm.insufficientReason ?? ""))")",
                    ruleSource: "International Consensus on Time in Range, Battelino 2019 (brief §2.8)"))
            }
        }
        return alerts.sorted { ($0.severity, $0.at.first ?? 0) > ($1.severity, $1.at.first ?? 0) }
    }
}
