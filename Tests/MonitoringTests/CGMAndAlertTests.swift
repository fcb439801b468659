import Foundation
import Testing
@testable import Monitoring

@Suite struct CGMTests {
    @Test func gmiWorkedExample() {
        // 3.31 + 0.02392 × 150 = 3.31 + 3.588 = 6.898 %
        #expect(abs(glucoseManagementIndicator(meanGlucose: 150) - 6.898) < 1e-12)
    }

    @Test func eAGWorkedExample() {
        // 28.7 × 6 − 46.7 = 172.2 − 46.7 = 125.5 mg/dL (the brief rounds to 126)
        #expect(abs(estimatedAverageGlucose(a1c: 6) - 125.5) < 1e-12)
    }

    /// 14 days at 5-min intervals = 4032 readings ending at asOf (23:59 UTC, so all fall in 14 local days),
    /// repeating a 16-reading pattern: 1×50, 1×65, 10×120, 2×200, 2×300 mg/dL.
    /// TBR<54 = 1/16 = 6.25 %, TBR<70 = 2/16 = 12.5 %, TIR = 10/16 = 62.5 %, TAR>180 = 4/16 = 25 %,
    /// TAR>250 = 2/16 = 12.5 %, mean = (50 + 65 + 1200 + 400 + 600)/16 = 2315/16 = 144.6875 mg/dL.
    static let asOf = T.ms(2026, 3, 14, 23, 59)
    static let pattern: [Double] = [50, 65] + Array(repeating: 120, count: 10) + [200, 200, 300, 300]
    static func trace(every step: Int = 1) -> [Reading] {
        (0..<4032).filter { $0 % step == 0 }.map { k in
            Reading(kind: .cgmGlucose, at: asOf - Int64(k) * 5 * T.minute, value: pattern[k % 16], source: .device)
        }
    }

    @Test func timeInRanges() throws {
        let m = try #require(CGMMetrics.compute(Self.trace(), asOf: Self.asOf))
        #expect(m.count == 4032)
        #expect(m.tbr54 == 6.25)
        #expect(m.tbr70 == 12.5)
        #expect(m.tir == 62.5)
        #expect(m.tar180 == 25)
        #expect(m.tar250 == 12.5)
        #expect(abs(m.meanGlucose - 144.6875) < 1e-9)
        #expect(abs(m.gmi - (3.31 + 0.02392 * 144.6875)) < 1e-9)
        #expect(m.daysOfWear == 14)
        #expect(m.sensorActivePercent == 100)
        #expect(m.sufficient)
        let failed = Set(m.targets.filter { !$0.met }.map(\.metric))
        // TAR>180 25 % is not <25 %; every target fails for this trace, CV included (SD ≈ 69 > 36 % of 145).
        #expect(failed == ["tir", "tbr70", "tbr54", "tar180", "tar250", "cv"])
    }

    @Test func olderAdultProfileHasItsOwnTargets() throws {
        let m = try #require(CGMMetrics.compute(Self.trace(), asOf: Self.asOf, profile: .olderOrHighRisk))
        #expect(m.targets.map(\.metric) == ["tir", "tbr70", "tar250"])
        #expect(m.targets.first { $0.metric == "tir" }?.met == true)  // 62.5 > 50
    }

    /// Every other reading missing: sensor active 50 % < 70 % → insufficient.
    @Test func sensorActiveAndSufficiency() throws {
        let m = try #require(CGMMetrics.compute(Self.trace(every: 2), asOf: Self.asOf))
        #expect(m.sensorActivePercent == 50)
        #expect(!m.sufficient)
        #expect(m.insufficientReason == "sensor active 50% (need ≥70%)")
        let week = Self.trace().filter { $0.at > Self.asOf - 7 * T.day }
        let short = try #require(CGMMetrics.compute(week, asOf: Self.asOf))
        #expect(short.daysOfWear == 7)
        #expect(short.sensorActivePercent == 50)
    }

    @Test func noCGMReadingsNoMetrics() {
        #expect(CGMMetrics.compute([], asOf: Self.asOf) == nil)
    }
}

@Suite struct AlertTests {
    static let asOf = T.ms(2026, 3, 10, 23)

    @Test(arguments: [(181.0, 100.0, true), (180, 120, false), (150, 121, true), (179, 119, false)])
    func crisis(sbp: Double, dbp: Double, alerts: Bool) {
        let r = T.bp(Self.asOf - T.hour, sbp, dbp, id: "r1")
        let found = MonitoringAlerts.evaluate([r], asOf: Self.asOf, weekly: [], target: .standard, cgm: nil)
        #expect(found.contains { $0.kind == .crisis } == alerts)
        if let a = found.first {
            #expect(a.severity == .urgent)
            #expect(a.at == [r.at])
            #expect(a.externalIDs == ["r1"])
            #expect(a.message.contains("target-organ damage"))
        }
    }

    @Test func oldCrisisOutsideLookbackIsNotReRaised() {
        let r = T.bp(Self.asOf - 30 * T.day, 200, 130)
        #expect(MonitoringAlerts.evaluate([r], asOf: Self.asOf, weekly: [], target: .standard, cgm: nil).isEmpty)
    }

    @Test(arguments: [(53.9, AlertKind.hypoglycaemiaLevel2), (54, .hypoglycaemiaLevel1), (69.9, .hypoglycaemiaLevel1)])
    func hypoglycaemia(value: Double, kind: AlertKind) {
        let r = Reading(kind: .glucose, at: Self.asOf - T.hour, value: value, source: .home)
        let found = MonitoringAlerts.evaluate([r], asOf: Self.asOf, weekly: [], target: .standard, cgm: nil)
        #expect(found.map(\.kind) == [kind])
    }

    @Test func seventyIsNotLow() {
        let r = Reading(kind: .glucose, at: Self.asOf - T.hour, value: 70, source: .home)
        #expect(MonitoringAlerts.evaluate([r], asOf: Self.asOf, weekly: [], target: .standard, cgm: nil).isEmpty)
    }

    @Test func sustainedHighNeedsTwoProtocolWeeksAboveTarget() {
        let high = TrendAndGoalTests.weeks([(140, 85), (138, 85)])
        let weekly = WeeklyBP.series(high, asOf: TrendAndGoalTests.asOf, weeks: 2)
        let alerts = MonitoringAlerts.evaluate(high, asOf: TrendAndGoalTests.asOf, weekly: weekly, target: .standard, cgm: nil)
        #expect(alerts.map(\.kind) == [.sustainedHigh])
        let mixed = TrendAndGoalTests.weeks([(125, 75), (138, 85)])
        let weekly2 = WeeklyBP.series(mixed, asOf: TrendAndGoalTests.asOf, weeks: 2)
        #expect(MonitoringAlerts.evaluate(mixed, asOf: TrendAndGoalTests.asOf, weekly: weekly2, target: .standard, cgm: nil).isEmpty)
    }

    @Test func cgmTimeBelowRange() throws {
        let cgm = try #require(CGMMetrics.compute(CGMTests.trace(), asOf: CGMTests.asOf))
        let alerts = MonitoringAlerts.evaluate([], asOf: CGMTests.asOf, weekly: [], target: .standard, cgm: cgm)
        #expect(alerts.map(\.kind) == [.cgmTimeBelowRange])
        #expect(alerts.first?.severity == .urgent)  // TBR<54 above 1 %
    }
}

@Suite struct SummaryTests {
    @Test func summaryBundlesEverythingAndEncodes() throws {
        var readings = TrendAndGoalTests.weeks([(134, 80), (136, 80), (138, 80), (140, 80)])
        readings.append(T.bp(TrendAndGoalTests.asOf - T.hour, 185, 100, source: .clinic))
        readings.append(Reading(kind: .weight, at: TrendAndGoalTests.asOf - T.day, value: 80, source: .home))
        let options = MonitoringOptions(goalStart: TrendAndGoalTests.asOf - 6 * 7 * T.day)
        let s = MonitoringSummary.compute(readings, asOf: TrendAndGoalTests.asOf, options: options)
        #expect(s.homeBP.meanSystolic == 134)
        #expect(s.homeBPCategory == .stage1)
        #expect(s.bpControl.controlled == false)
        #expect(s.goal?.status == .improving)
        #expect(s.weeklyBP.count == 12)
        #expect(s.bpTrend?.span == 4)
        #expect(s.bpTrendAllWeeks?.weeksUsed == 4)  // only 4 of the 12 weeks have readings
        #expect(abs((s.bpTrendAllWeeks?.slopePerWeek ?? 0) - -2) < 1e-12)
        #expect(s.alerts.first?.kind == .crisis)
        #expect(s.alerts.contains { $0.kind == .sustainedHigh })
        #expect(s.kinds.map(\.kind) == [.bloodPressure, .weight])
        #expect(s.bpAdherence.received == 28)
        let data = try JSONEncoder().encode(s)
        let back = try JSONDecoder().decode(MonitoringSummary.self, from: data)
        #expect(back == s)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(json.keys).isSuperset(of: ["asOf", "homeBP", "bpControl", "weeklyBP", "alerts", "bpAdherence"]))
    }

    @Test func dedupKeepsFirst() {
        let a = T.bp(1_000, 130, 80, id: "first")
        let b = T.bp(1_000, 131, 81, id: "second")
        let c = T.bp(1_000, 130, 80, source: .clinic)
        #expect(a.dedupKey == b.dedupKey)
        #expect(deduplicated([a, b, c]).map(\.externalID) == ["first", nil])
    }
}
