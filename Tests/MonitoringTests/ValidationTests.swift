import Foundation
import Testing
@testable import Monitoring

@Suite struct ValidationTests {
    static let now = T.ms(2026, 3, 10, 12)
    static let validator = ReadingValidator(now: now)

    static func raw(_ kind: String, value: Double? = nil, s: Double? = nil, d: Double? = nil, unit: String? = nil,
                    at: RawReading.Time = .text("2026-03-10T08:00:00+01:00")) -> RawReading {
        RawReading(index: 3, path: "readings[3]", kind: kind, at: at, value: value, systolic: s, diastolic: d, unit: unit)
    }

    static func reject(_ raw: RawReading) -> [ReadingRejection] {
        var problems: [ReadingRejection] = []
        #expect(validator.validate(raw, problems: &problems) == nil)
        return problems
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var raw: RawReading
        var field: String
        var reasonContains: String
        var testDescription: String { "\(field): \(reasonContains)" }
    }

    @Test(arguments: [
        Bad(raw: raw("blood-pressure", s: 400, d: 80), field: "readings[3].systolic", reasonContains: "outside the plausible range 50–300 mmHg"),
        Bad(raw: raw("blood-pressure", s: 120, d: 10), field: "readings[3].diastolic", reasonContains: "20–200"),
        Bad(raw: raw("blood-pressure", s: 90, d: 95), field: "readings[3].diastolic", reasonContains: "not below systolic"),
        Bad(raw: raw("blood-pressure", s: 120), field: "readings[3].diastolic", reasonContains: "missing diastolic"),
        Bad(raw: raw("blood-pressure", value: 120), field: "readings[3].value", reasonContains: "uses \"systolic\""),
        Bad(raw: raw("glucose", value: 5, unit: "mg/dL"), field: "readings[3].value", reasonContains: "10–1000 mg/dL"),
        Bad(raw: raw("glucose", value: 80, unit: "mmol/L"), field: "readings[3].value", reasonContains: "1441.28 mg/dL after conversion"),
        Bad(raw: raw("weight", value: 0.5, unit: "kg"), field: "readings[3].value", reasonContains: "1–500 kg"),
        Bad(raw: raw("heart-rate", value: 350), field: "readings[3].value", reasonContains: "20–300"),
        Bad(raw: raw("steps", value: -1), field: "readings[3].value", reasonContains: "0–200000"),
        Bad(raw: raw("sleep", value: 25, unit: "h"), field: "readings[3].value", reasonContains: "0–24 h"),
        Bad(raw: raw("weight", value: 12, unit: "stone"), field: "readings[3].unit", reasonContains: "accepted: kg, g, lb, lbs, [lb_av]"),
        Bad(raw: raw("glucose", value: 100), field: "readings[3].unit", reasonContains: "missing unit for glucose; accepted: mg/dL, mmol/L"),
        Bad(raw: raw("blood-pressure", s: 120, d: 80, unit: "kPa"), field: "readings[3].unit", reasonContains: "not accepted for blood-pressure"),
        Bad(raw: raw("temperature", value: 37), field: "readings[3].kind", reasonContains: "unknown kind \"temperature\""),
        Bad(raw: raw("blood-pressure", s: 120, d: 80, at: .text("2026-03-10T12:06:00Z")), field: "readings[3].at", reasonContains: "6 min in the future"),
        Bad(raw: raw("blood-pressure", s: 120, d: 80, at: .epochMillis(Double(now + 2 * 86_400_000))), field: "readings[3].at", reasonContains: "2 days in the future"),
        Bad(raw: raw("blood-pressure", s: 120, d: 80, at: .text("2026-03-10T08:00:00")), field: "readings[3].at", reasonContains: "UTC offset"),
        Bad(raw: raw("blood-pressure", s: 120, d: 80, at: .text("2026-02-30T08:00:00Z")), field: "readings[3].at", reasonContains: "no such date"),
        Bad(raw: raw("blood-pressure", s: 120, d: 80, at: .epochMillis(1.5)), field: "readings[3].at", reasonContains: "whole number"),
    ])
    func rejected(_ bad: Bad) {
        let problems = Self.reject(bad.raw)
        #expect(problems.contains { $0.field == bad.field && $0.reason.contains(bad.reasonContains) && $0.index == 3 },
                "got \(problems)")
    }

    @Test func fiveMinutesAheadIsAccepted() {
        var problems: [ReadingRejection] = []
        let r = Self.validator.validate(Self.raw("blood-pressure", s: 120, d: 80, at: .text("2026-03-10T12:05:00Z")), problems: &problems)
        #expect(r?.at == Self.now + 5 * T.minute)
    }

    @Test(arguments: [
        ("glucose", 6.1, "mmol/L", 6.1 * 18.016),
        ("cgm-glucose", 5.5, "mmol/l", 5.5 * 18.016),
        ("glucose", 110, "mg/dl", 110),
        ("weight", 180, "lb", 180 * 0.45359237),
        ("weight", 180, "[lb_av]", 180 * 0.45359237),
        ("weight", 72_500, "g", 72.5),
        ("sleep", 450, "min", 7.5),
        ("steps", 8000, "{steps}", 8000),
        ("steps", 8000, "/d", 8000),
        ("heart-rate", 64, "bpm", 64),
    ] as [(String, Double, String, Double)])
    func conversions(kind: String, value: Double, unit: String, canonical: Double) throws {
        var problems: [ReadingRejection] = []
        let r = try #require(Self.validator.validate(Self.raw(kind, value: value, unit: unit), problems: &problems), "\(problems)")
        #expect(abs(r.value - canonical) < 1e-9)
        #expect(r.utcOffsetMinutes == 60)
        #expect(r.at == T.ms(2026, 3, 10, 7))
    }

    @Test func mmolWorkedExample() {
        // 6.1 mmol/L × 18.016 = 109.8976 mg/dL
        #expect(abs(6.1 * MonitoringUnits.glucoseMgPerDLPerMmolPerL - 109.8976) < 1e-9)
    }

    @Test func severalProblemsAreAllReported() {
        let problems = Self.reject(RawReading(index: 0, path: "readings[0]", kind: "weight", at: .text("yesterday"), value: 900, unit: "stone"))
        #expect(Set(problems.map(\.field)) == ["readings[0].at", "readings[0].unit", "readings[0].value"])
    }

    @Test func oneBadReadingDoesNotDropOthers() {
        let raws = [
            RawReading(index: 0, path: "readings[0]", kind: "blood-pressure", at: .epochMillis(Double(Self.now - T.hour)), systolic: 130, diastolic: 85, externalID: "a"),
            RawReading(index: 1, path: "readings[1]", kind: "blood-pressure", at: .epochMillis(Double(Self.now - T.hour)), systolic: 130, diastolic: 250, externalID: "b"),
            RawReading(index: 2, path: "readings[2]", kind: "weight", at: .epochMillis(Double(Self.now)), value: 80, unit: "kg", externalID: "c"),
        ]
        let result = Self.validator.validate(raws)
        #expect(result.accepted.map(\.externalID) == ["a", "c"])
        #expect(result.rejections.map(\.field) == ["readings[1].diastolic"])
        #expect(result.rejections.first?.externalID == "b")
        #expect(result.receivedCount == 3)
        #expect(result.rejectedCount == 1)
        #expect(result.acceptedCount == 2)
        #expect(result.accepted.first?.source == .home)
    }

    @Test(arguments: [
        ("2026-03-01T07:05:00+01:00", T.ms(2026, 3, 1, 6, 5), 60 as Int),
        ("2026-03-01T07:05:00.250Z", T.ms(2026, 3, 1, 7, 5) + 250, 0),
        ("2024-02-29T23:59:59-0530", T.ms(2024, 3, 1, 5, 29) + 59_000, -330),
        ("1970-01-01T00:00Z", 0, 0),
    ])
    func timestamps(text: String, millis: Int64, offset: Int) throws {
        let t = try parseTimestamp(text)
        #expect(t.millis == millis)
        #expect(t.utcOffsetMinutes == offset)
    }

    @Test(arguments: ["2026-03-01", "2026-13-01T00:00Z", "2026-03-01T25:00Z", "2026-03-01T07:05:00+01:00x", "", "garbage"])
    func badTimestamps(text: String) {
        #expect(throws: TimestampError.self) { try parseTimestamp(text) }
    }

    @Test func daysFromCivilMatchesFoundation() {
        for (y, m, d) in [(1970, 1, 1), (2000, 2, 29), (2026, 3, 1), (1969, 12, 31), (2100, 3, 1)] {
            var c = DateComponents(); c.year = y; c.month = m; c.day = d
            var cal = Calendar(identifier: .gregorian); cal.timeZone = TimeZone(identifier: "UTC")!
            let expected = Int64(cal.date(from: c)!.timeIntervalSince1970) / 86_400
            #expect(LocalTime.daysFromCivil(year: y, month: m, day: d) == expected)
        }
    }

    @Test func loincCodes() {
        #expect(ReadingKind.bloodPressure.loinc == "85354-9")
        #expect(ReadingKind.glucose.loinc == "2339-0")
        #expect(ReadingKind.cgmGlucose.loinc == "99504-3")
        #expect(ReadingKind.weight.loinc == "29463-7")
        #expect(ReadingKind.steps.loinc == "41950-7")
        #expect(ReadingKind.sleep.loinc == "93832-4")
        #expect(ReadingKind.heartRate.loinc == "8867-4")
    }
}
