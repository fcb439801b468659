import Foundation

/// FHIR R4 `goal-achievement` codes (http://terminology.hl7.org/CodeSystem/goal-achievement). Raw values are the codes.
public enum GoalAchievementStatus: String, Sendable, Codable, CaseIterable, Hashable {
    case inProgress = "in-progress"
    case improving
    case worsening
    case noChange = "no-change"
    case achieved
    case sustaining
    case notAchieved = "not-achieved"
    case noProgress = "no-progress"
    case notAttainable = "not-attainable"
}

/// The achievement status of a home-BP goal by the brief's §3.2.5 rules, with the evidence.
public struct GoalAssessment: Sendable, Codable, Hashable {
    /// Consecutive protocol weeks below target that make a goal achieved (brief §3.2.5).
    public static let weeksBelowTargetForAchieved = 2
    /// Weeks after which a goal that is neither achieved nor moving is `no-progress` (brief §3.2.5).
    public static let weeksBeforeNoProgress = 12
    /// Reason given when review is proposed (brief §3.2.5 → §2.2 escalation).
    public static let noProgressReason = "control not reached after 12 weeks: reassess per guideline"

    public var status: GoalAchievementStatus
    /// True when the care team should review the plan (no progress after 12 weeks).
    public var reviewProposed: Bool
    public var reason: String
    public var trend: BPTrend?
    /// Whole weeks since the goal started.
    public var weeksSinceStart: Int

    /// Rules, first match wins:
    /// 1. `achieved`: the two most recent weeks are both protocol weeks with mean SBP and DBP below target.
    /// 2. `improving` / `worsening`: the 4-week SBP trend changes by more than 2 mmHg; falling SBP (negative slope)
    ///    is improving, rising is worsening.
    /// 3. `no-progress`: none of the above and ≥12 weeks since the goal started → `reviewProposed`.
    /// 4. otherwise `in-progress`.
    ///
    /// `weekly` is `WeeklyBP.series(…)` ending at `asOf`.
    public static func assess(weekly: [WeeklyBP], goalStart: Int64, asOf: Int64, target: BPTarget = .standard) -> GoalAssessment {
        let weeksSinceStart = Int(max(0, asOf - goalStart) / (7 * LocalTime.millisPerDay))
        let trend = BPTrend.compute(weekly)
        let recent = weekly.filter { $0.weeksAgo < weeksBelowTargetForAchieved }
        let achieved = recent.count == weeksBelowTargetForAchieved && recent.allSatisfy { w in
            guard w.isProtocolWeek, let s = w.average.meanSystolic, let d = w.average.meanDiastolic else { return false }
            return target.isMet(systolic: s, diastolic: d)
        }
        let targetText = "\(format(target.systolic))/\(format(target.diastolic))"
        if achieved {
            return GoalAssessment(status: .achieved, reviewProposed: false,
                                  reason: "weekly home mean below \(targetText) in the last 2 protocol weeks",
                                  trend: trend, weeksSinceStart: weeksSinceStart)
        }
        if let trend, abs(trend.changeOver4Weeks) > BPTrend.changeThreshold {
            let falling = trend.changeOver4Weeks < 0
            return GoalAssessment(status: falling ? .improving : .worsening, reviewProposed: false,
                                  reason: "weekly mean SBP \(falling ? "falling" : "rising") \(format(abs(trend.changeOver4Weeks))) mmHg over 4 weeks",
                                  trend: trend, weeksSinceStart: weeksSinceStart)
        }
        if weeksSinceStart >= weeksBeforeNoProgress {
            return GoalAssessment(status: .noProgress, reviewProposed: true, reason: noProgressReason,
                                  trend: trend, weeksSinceStart: weeksSinceStart)
        }
        return GoalAssessment(status: .inProgress, reviewProposed: false,
                              reason: trend == nil ? "not enough protocol weeks for a trend yet" : "weekly mean SBP within ±2 mmHg over 4 weeks",
                              trend: trend, weeksSinceStart: weeksSinceStart)
    }
}

/// Readings received ÷ readings scheduled (brief §3.2.4).
public struct MonitoringAdherence: Sendable, Codable, Hashable {
    /// HBPM protocol: ≥2 readings in the morning and ≥2 before supper (brief §2.3) = 4 a day, 28 a week.
    public static let hbpmReadingsPerWeek = 28

    public var kind: ReadingKind
    public var received: Int
    public var scheduled: Int
    /// received ÷ scheduled, not capped (extra readings can exceed 1); nil when nothing was scheduled.
    public var ratio: Double?

    /// Counts readings of `kind` in (asOf − days, asOf]; scheduled = perWeek × days / 7, rounded.
    public static func compute(_ readings: [Reading], kind: ReadingKind, asOf: Int64, days: Int = 7,
                               scheduledPerWeek: Int = hbpmReadingsPerWeek, sources: Set<ReadingSource>? = nil) -> MonitoringAdherence {
        let start = asOf - Int64(days) * LocalTime.millisPerDay
        let received = readings.reduce(0) { n, r in
            n + (r.kind == kind && r.at > start && r.at <= asOf && (sources?.contains(r.source) ?? true) ? 1 : 0)
        }
        let scheduled = Int((Double(scheduledPerWeek) * Double(days) / 7).rounded())
        return MonitoringAdherence(kind: kind, received: received, scheduled: scheduled,
                                   ratio: scheduled > 0 ? Double(received) / Double(scheduled) : nil)
    }
}

/// A daily behaviour goal such as "≥7,000 steps" or "≥7 h sleep"; the number is the care plan's, not this module's.
public struct BehaviourGoal: Sendable, Codable, Hashable {
    public var kind: ReadingKind
    /// The day's value must be at least this (canonical unit of `kind`).
    public var dailyMinimum: Double
    public init(kind: ReadingKind, dailyMinimum: Double) {
        self.kind = kind
        self.dailyMinimum = dailyMinimum
    }
}

/// Behaviour goal adherence: days met ÷ days planned (brief §3.2.4).
public struct BehaviourAdherence: Sendable, Codable, Hashable {
    public var goal: BehaviourGoal
    public var daysMet: Int
    public var daysPlanned: Int
    public var ratio: Double?

    /// The planned days are the `days` local days ending with the day of `asOf`. A day's value is the largest reading
    /// of that day (steps and sleep are daily totals; a re-sync later in the day supersedes a partial count).
    public static func compute(_ readings: [Reading], goal: BehaviourGoal, asOf: Int64, days: Int = 7,
                               defaultUTCOffsetMinutes: Int = 0) -> BehaviourAdherence {
        let lastDay = LocalTime.dayIndex(asOf, offsetMinutes: defaultUTCOffsetMinutes)
        let firstDay = lastDay - Int64(days) + 1
        var best: [Int64: Double] = [:]
        for r in readings where r.kind == goal.kind && r.at <= asOf {
            let day = LocalTime.dayIndex(r.at, offsetMinutes: r.utcOffsetMinutes ?? defaultUTCOffsetMinutes)
            guard day >= firstDay && day <= lastDay else { continue }
            best[day] = max(best[day] ?? -.infinity, r.value)
        }
        let met = best.values.filter { $0 >= goal.dailyMinimum }.count
        return BehaviourAdherence(goal: goal, daysMet: met, daysPlanned: days,
                                  ratio: days > 0 ? Double(met) / Double(days) : nil)
    }
}
