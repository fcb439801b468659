import Foundation

/// Settings for one patient's summary. Defaults follow the brief; the care plan overrides target, goal start,
/// CGM profile and behaviour goals.
public struct MonitoringOptions: Sendable, Codable, Hashable {
    public var bpTarget: BPTarget
    /// When the BP goal started; nil = no goal, no achievement status.
    public var goalStart: Int64?
    public var cgmProfile: CGMTargetProfile
    public var cgmIntervalMinutes: Int
    /// CGM window: 14 days (brief §2.8 data sufficiency).
    public var cgmWindowDays: Int
    public var hbpmReadingsPerWeek: Int
    public var behaviourGoals: [BehaviourGoal]
    /// Weeks of weekly BP means reported (12 covers the §3.2.5 no-progress horizon).
    public var weeks: Int
    /// Look-back for per-reading alerts.
    public var alertLookbackDays: Int
    /// Local offset for readings that carry none, and for asOf's own day.
    public var defaultUTCOffsetMinutes: Int

    public init(bpTarget: BPTarget = .standard, goalStart: Int64? = nil, cgmProfile: CGMTargetProfile = .standard,
                cgmIntervalMinutes: Int = CGMMetrics.defaultIntervalMinutes, cgmWindowDays: Int = CGMMetrics.minimumDays,
                hbpmReadingsPerWeek: Int = MonitoringAdherence.hbpmReadingsPerWeek, behaviourGoals: [BehaviourGoal] = [],
                weeks: Int = 12, alertLookbackDays: Int = 7, defaultUTCOffsetMinutes: Int = 0) {
        self.bpTarget = bpTarget
        self.goalStart = goalStart
        self.cgmProfile = cgmProfile
        self.cgmIntervalMinutes = cgmIntervalMinutes
        self.cgmWindowDays = cgmWindowDays
        self.hbpmReadingsPerWeek = hbpmReadingsPerWeek
        self.behaviourGoals = behaviourGoals
        self.weeks = weeks
        self.alertLookbackDays = alertLookbackDays
        self.defaultUTCOffsetMinutes = defaultUTCOffsetMinutes
    }
}

/// Latest value and count of one kind.
public struct KindSummary: Sendable, Codable, Hashable {
    public var kind: ReadingKind
    public var count: Int
    public var latest: Reading?
}

/// Everything the server returns about one patient's monitoring, as of one instant. Field names are the JSON API.
public struct MonitoringSummary: Sendable, Codable, Hashable {
    public var asOf: Int64
    public var options: MonitoringOptions
    /// Per kind present, in `ReadingKind.allCases` order (readings up to asOf).
    public var kinds: [KindSummary]
    public var homeBP: HomeBPAverage
    /// Home category of the 7-day average (home thresholds, brief §2.3); nil without readings.
    public var homeBPCategory: BPCategory?
    public var bpControl: BPControl
    /// Oldest first; the last element is the current week.
    public var weeklyBP: [WeeklyBP]
    /// SBP trend over the last 4 weeks (the §3.2.5 rule).
    public var bpTrend: BPTrend?
    /// SBP trend over all reported weeks (`options.weeks`).
    public var bpTrendAllWeeks: BPTrend?
    public var goal: GoalAssessment?
    public var cgm: CGMMetrics?
    public var bpAdherence: MonitoringAdherence
    public var behaviour: [BehaviourAdherence]
    public var alerts: [MonitoringAlert]

    /// Computes the summary. Readings after `asOf` are ignored; order of `readings` does not matter.
    public static func compute(_ readings: [Reading], asOf: Int64, options: MonitoringOptions = MonitoringOptions()) -> MonitoringSummary {
        let offset = options.defaultUTCOffsetMinutes
        var counts = [Int](repeating: 0, count: ReadingKind.allCases.count)
        var latest = [Reading?](repeating: nil, count: ReadingKind.allCases.count)
        let kindIndex = Dictionary(uniqueKeysWithValues: ReadingKind.allCases.enumerated().map { ($1, $0) })
        var home: [Reading] = []
        for r in readings where r.at <= asOf {
            let i = kindIndex[r.kind]!
            counts[i] += 1
            if latest[i].map({ $0.at < r.at }) ?? true { latest[i] = r }
            if HomeBPAverage.isHomeReading(r) { home.append(r) }
        }
        let kinds = ReadingKind.allCases.enumerated().compactMap { i, k in
            counts[i] > 0 ? KindSummary(kind: k, count: counts[i], latest: latest[i]) : nil
        }
        let weekly = WeeklyBP.series(home, asOf: asOf, weeks: max(2, options.weeks), defaultUTCOffsetMinutes: offset)
        let current = weekly.last?.average ?? HomeBPAverage.compute(home, asOf: asOf, defaultUTCOffsetMinutes: offset)
        let cgm = CGMMetrics.compute(readings, asOf: asOf, windowDays: options.cgmWindowDays,
                                     intervalMinutes: options.cgmIntervalMinutes, profile: options.cgmProfile,
                                     defaultUTCOffsetMinutes: offset)
        let goal = options.goalStart.map {
            GoalAssessment.assess(weekly: weekly, goalStart: $0, asOf: asOf, target: options.bpTarget)
        }
        return MonitoringSummary(
            asOf: asOf, options: options, kinds: kinds, homeBP: current, homeBPCategory: current.category,
            bpControl: BPControl.assess(current, target: options.bpTarget), weeklyBP: weekly,
            bpTrend: BPTrend.compute(weekly), bpTrendAllWeeks: BPTrend.compute(weekly, span: weekly.count), goal: goal, cgm: cgm,
            bpAdherence: MonitoringAdherence.compute(home, kind: .bloodPressure, asOf: asOf,
                                                     scheduledPerWeek: options.hbpmReadingsPerWeek),
            behaviour: options.behaviourGoals.map {
                BehaviourAdherence.compute(readings, goal: $0, asOf: asOf, defaultUTCOffsetMinutes: offset)
            },
            alerts: MonitoringAlerts.evaluate(readings, asOf: asOf, lookbackDays: options.alertLookbackDays,
                                              weekly: weekly, target: options.bpTarget, cgm: cgm))
    }
}
