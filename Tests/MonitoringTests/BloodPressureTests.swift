import Foundation
import Testing
@testable import Monitoring

@Suite struct HomeAverageTests {
    /// 8 local days (2026-03-01 … 03-08, UTC+1), 4 readings a day. Day n (1…8): morning SBP 120+2n / DBP 70+n,
    /// evening SBP 130+2n / DBP 80+n. asOf = 03-08 23:00 local, so the 7 × 24 h window starts 03-01 23:00 and holds
    /// days 2…8; day 2 is "day 1" of the window and is excluded, leaving days 3…8 (6 days, 24 readings).
    /// Mean n over 3…8 = 33/6 = 5.5 → AM SBP 120+11 = 131, PM SBP 130+11 = 141, overall 136;
    /// AM DBP 70+5.5 = 75.5, PM DBP 85.5, overall 80.5. (Keeping day 2 would give mean n = 5 → SBP 135.)
    @Test func eightDaysExcludesDayOne() {
        let readings = T.hbpmDays(firstDay: (2026, 3, 1), days: 0..<8, offset: 60) { d, am in
            let n = Double(d + 1)
            return am ? (120 + 2 * n, 70 + n) : (130 + 2 * n, 80 + n)
        }
        let asOf = T.ms(2026, 3, 8, 23, 0, offset: 60)
        let avg = HomeBPAverage.compute(readings, asOf: asOf)
        #expect(avg.count == 24)
        #expect(avg.days == 6)
        #expect(avg.excludedReadings == 4)
        #expect(avg.excludedDay == LocalTime.daysFromCivil(year: 2026, month: 3, day: 2))
        #expect(avg.meanSystolic == 136)
        #expect(avg.meanDiastolic == 80.5)
        #expect(avg.am == BPMean(count: 12, systolic: 131, diastolic: 75.5))
        #expect(avg.pm == BPMean(count: 12, systolic: 141, diastolic: 85.5))
        #expect(avg.sufficient)
        #expect(avg.insufficientReason == nil)
        #expect(avg.category == .stage2)  // home stage 2 starts at 135/85 (corresponding values)
    }

    /// AM/PM follows local time: 11:30 at UTC−5 is 16:30 UTC but is a morning reading.
    @Test func amPmUsesLocalOffset() {
        let base = T.ms(2026, 3, 1, 11, 30, offset: -300)
        let readings = (0..<5).flatMap { d in
            [T.bp(base + Int64(d) * T.day, 130, 80, offset: -300), T.bp(base + Int64(d) * T.day + 2 * T.minute, 130, 80, offset: -300),
             T.bp(base + Int64(d) * T.day + 8 * T.hour, 130, 80, offset: -300)]
        }
        let avg = HomeBPAverage.compute(readings, asOf: base + 5 * T.day)
        #expect(avg.am.count == 8)
        #expect(avg.pm.count == 4)
    }

    /// Days 1–3 with 4 readings each: day 1 excluded leaves 2 days and 8 readings — both minimums fail.
    @Test func twoDaysIsInsufficient() {
        let readings = T.hbpmDays(firstDay: (2026, 3, 1), days: 0..<3) { _, _ in (140, 90) }
        let avg = HomeBPAverage.compute(readings, asOf: T.ms(2026, 3, 3, 23))
        #expect(!avg.sufficient)
        #expect(avg.days == 2)
        #expect(avg.count == 8)
        #expect(avg.insufficientReason == "2 days with readings after excluding day 1 (need ≥3); 8 valid readings after excluding day 1 (need ≥12)")
        #expect(avg.meanSystolic == 140)  // still reported, flagged insufficient
        #expect(BPControl.assess(avg).controlled == nil)
    }

    /// Days 1–4, day 4 missing its last reading: 4+4+3 = 11 after excluding day 1, over 3 days.
    @Test func elevenReadingsIsInsufficient() {
        var readings = T.hbpmDays(firstDay: (2026, 3, 1), days: 0..<4) { _, _ in (140, 90) }
        readings.removeLast()
        let avg = HomeBPAverage.compute(readings, asOf: T.ms(2026, 3, 4, 23))
        #expect(avg.count == 11)
        #expect(avg.days == 3)
        #expect(avg.insufficientReason == "11 valid readings after excluding day 1 (need ≥12)")
        // One more reading makes it sufficient.
        readings.append(T.bp(T.ms(2026, 3, 4, 20), 140, 90))
        #expect(HomeBPAverage.compute(readings, asOf: T.ms(2026, 3, 4, 23)).sufficient)
    }

    @Test func clinicAndAmbulatoryReadingsAreNotHomeData() {
        var readings = T.hbpmDays(firstDay: (2026, 3, 1), days: 0..<5) { _, _ in (130, 80) }
        readings.append(T.bp(T.ms(2026, 3, 4, 10), 200, 110, source: .clinic))
        readings.append(T.bp(T.ms(2026, 3, 4, 11), 200, 110, source: .ambulatory))
        let avg = HomeBPAverage.compute(readings, asOf: T.ms(2026, 3, 5, 23))
        #expect(avg.count == 16)
        #expect(avg.meanSystolic == 130)
    }
}

@Suite struct CategoryTests {
    @Test(arguments: [
        (119.0, 79.0, BPCategory.normal),
        (120, 79, .elevated),
        (129, 79, .elevated),
        (129, 80, .stage1),
        (130, 79, .stage1),
        (139, 89, .stage1),
        (140, 89, .stage2),
        (139, 90, .stage2),
        (140, 90, .stage2),
        (180, 120, .stage2),
        (181, 100, .severe),
        (150, 121, .severe),
        (110, 95, .stage2),  // the higher of the two categories
    ])
    func office(sbp: Double, dbp: Double, expected: BPCategory) {
        #expect(BPCategory.classify(systolic: sbp, diastolic: dbp, setting: .office) == expected)
    }

    /// Home thresholds: stage 2 from 135/85 (corresponding values, brief §2.3).
    @Test(arguments: [
        (119.0, 79.0, BPCategory.normal),
        (120, 79, .elevated),
        (129, 80, .stage1),
        (134, 84, .stage1),
        (135, 84, .stage2),
        (130, 85, .stage2),
        (181, 100, .severe),
        (150, 121, .severe),
    ])
    func home(sbp: Double, dbp: Double, expected: BPCategory) {
        #expect(BPCategory.classify(systolic: sbp, diastolic: dbp, setting: .home) == expected)
    }
}

@Suite struct TrendAndGoalTests {
    static let asOf = T.ms(2026, 6, 28, 23)

    /// Home readings for the 4 weeks ending at `asOf`, 4 a day, every reading of week k (0 = latest) equal to
    /// `values[k]`. Each weekly window holds exactly its own 7 days, so each weekly mean is that value.
    static func weeks(_ values: [(Double, Double)]) -> [Reading] {
        let lastDay = (2026, 6, 28)
        let first = T.ms(lastDay.0, lastDay.1, lastDay.2) - Int64(7 * values.count - 1) * T.day
        var out: [Reading] = []
        for d in 0..<(7 * values.count) {
            let weeksAgo = (7 * values.count - 1 - d) / 7
            let (s, dia) = values[weeksAgo]
            for (h, m) in [(7, 0), (7, 5), (19, 0), (19, 5)] {
                out.append(T.bp(first + Int64(d) * T.day + Int64(h) * T.hour + Int64(m) * T.minute, s, dia))
            }
        }
        return out
    }

    @Test func olsOnALine() {
        // y = 3 + 2x exactly → slope 2.
        #expect(olsSlope([(0, 3), (1, 5), (2, 7), (3, 9)]) == 2)
        #expect(olsSlope([(0, 1)]) == nil)
        #expect(olsSlope([(1, 1), (1, 2)]) == nil)
    }

    /// Weekly means 134 (latest), 136, 138, 140 (4 weeks ago) → x = 0, −1, −2, −3 → slope −2 mmHg/week,
    /// change over 4 weeks −8 mmHg.
    @Test func slopeOfWeeklyMeans() throws {
        let readings = Self.weeks([(134, 85), (136, 85), (138, 85), (140, 85)])
        let weekly = WeeklyBP.series(readings, asOf: Self.asOf, weeks: 4)
        #expect(weekly.map { $0.average.meanSystolic } == [140, 138, 136, 134])
        #expect(weekly.allSatisfy { $0.isProtocolWeek })
        let trend = try #require(BPTrend.compute(weekly))
        #expect(abs(trend.slopePerWeek - -2) < 1e-12)
        #expect(abs(trend.changeOver4Weeks - -8) < 1e-12)
        #expect(trend.weeksUsed == 4)
    }

    struct GoalCase: Sendable, CustomTestStringConvertible {
        var name: String
        var weekly: [(Double, Double)]  // latest first
        var weeksSinceStart: Int
        var status: GoalAchievementStatus
        var review: Bool
        var testDescription: String { name }
    }

    @Test(arguments: [
        GoalCase(name: "two weeks below target", weekly: [(125, 75), (128, 78), (140, 90), (150, 95)], weeksSinceStart: 6, status: .achieved, review: false),
        GoalCase(name: "only the latest week below target", weekly: [(125, 75), (131, 78), (132, 80), (133, 80)], weeksSinceStart: 6, status: .improving, review: false),
        GoalCase(name: "falling 2 mmHg/week", weekly: [(134, 85), (136, 85), (138, 85), (140, 85)], weeksSinceStart: 6, status: .improving, review: false),
        GoalCase(name: "rising 2 mmHg/week", weekly: [(136, 85), (134, 85), (132, 85), (130, 85)], weeksSinceStart: 6, status: .worsening, review: false),
        GoalCase(name: "0.5 mmHg/week is exactly 2 over 4 weeks, not beyond", weekly: [(141.5, 85), (141, 85), (140.5, 85), (140, 85)], weeksSinceStart: 6, status: .inProgress, review: false),
        GoalCase(name: "flat at 8 weeks", weekly: [(140, 85), (140, 85), (140, 85), (140, 85)], weeksSinceStart: 8, status: .inProgress, review: false),
        GoalCase(name: "flat at 12 weeks", weekly: [(140, 85), (140, 85), (140, 85), (140, 85)], weeksSinceStart: 12, status: .noProgress, review: true),
        GoalCase(name: "DBP above target blocks achieved", weekly: [(125, 80), (125, 80), (125, 80), (125, 80)], weeksSinceStart: 13, status: .noProgress, review: true),
    ])
    func achievement(_ c: GoalCase) {
        let weekly = WeeklyBP.series(Self.weeks(c.weekly), asOf: Self.asOf, weeks: 4)
        let start = Self.asOf - Int64(c.weeksSinceStart) * 7 * T.day
        let a = GoalAssessment.assess(weekly: weekly, goalStart: start, asOf: Self.asOf)
        #expect(a.status == c.status)
        #expect(a.reviewProposed == c.review)
        #expect(a.weeksSinceStart == c.weeksSinceStart)
        if c.review { #expect(a.reason == "control not reached after 12 weeks: reassess per guideline") }
    }

    @Test func goalCodesAreFHIRCodes() {
        #expect(GoalAchievementStatus.inProgress.rawValue == "in-progress")
        #expect(GoalAchievementStatus.noProgress.rawValue == "no-progress")
        #expect(GoalAchievementStatus.allCases.count == 9)
    }

    @Test func adherence() {
        // 7 days × 4 = 28 readings scheduled; drop 7 → 21/28 = 0.75.
        var readings = Self.weeks([(130, 80)])
        readings.removeLast(7)
        let a = MonitoringAdherence.compute(readings, kind: .bloodPressure, asOf: Self.asOf)
        #expect(a.scheduled == 28)
        #expect(a.received == 21)
        #expect(a.ratio == 0.75)
    }

    @Test func behaviourDaysMet() {
        // 7 planned days ending 2026-06-28; steps on 5 of them, 3 at ≥7000 (one day re-synced higher later).
        let goal = BehaviourGoal(kind: .steps, dailyMinimum: 7000)
        let steps: [(Int, Double)] = [(22, 8000), (23, 3000), (24, 7000), (26, 6999), (27, 5000), (27, 9000)]
        let readings = steps.map { Reading(kind: .steps, at: T.ms(2026, 6, $0.0, 22), value: $0.1, source: .device) }
        let b = BehaviourAdherence.compute(readings, goal: goal, asOf: Self.asOf)
        #expect(b.daysMet == 3)
        #expect(b.daysPlanned == 7)
        #expect(b.ratio == 3.0 / 7.0)
    }
}
