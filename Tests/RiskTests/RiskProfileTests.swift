import Foundation
import Testing

@testable import Risk

/// The integrated profile: every value it reports must be what the equations give when called directly with the
/// converted inputs, and every missing, stale or impossible input must be named.
@Suite struct RiskProfileTests {
    static let builder = try! RiskProfileBuilder.bundled()
    static let at = day("2026-11-30")

    static func day(_ text: String) -> RiskDate { RiskDate(iso: text)! }

    static func measure(_ value: Double, _ unit: String?, _ date: String, _ code: String) -> RiskMeasurement {
        RiskMeasurement(value: value, unit: unit, date: day(date), source: "LOINC \(code)", entryID: "ent_\(code)")
    }

    /// The AHA worked-example patient (risk-and-care.md §1.2: F 50 y, TC 200, HDL 45, SBP 160 treated, diabetes,
    /// non-smoker, eGFR 90, BMI 35, no statin) as a record would hold her on 2026-11-30.
    static func ahaPatient() -> RiskProfileInput {
        RiskProfileInput(
            sex: .female, birthDate: day("1976-05-10"), systolicBP: measure(160, "mm[Hg]", "2026-10-02", "8480-6"),
            totalCholesterol: measure(200, "mg/dL", "2026-09-01", "2093-3"), hdl: measure(45, "mg/dL", "2026-09-01", "2085-9"),
            bmi: measure(35, "kg/m2", "2026-10-02", "39156-5"), egfr: measure(90, "mL/min/{1.73_m2}", "2026-09-01", "98979-8"),
            diabetes: RiskIndicator(present: true, evidence: "Diabetes (SNOMED 44054006), active"),
            smoker: RiskIndicator(present: false, evidence: "smoking status 'Never smoker'", date: day("2026-10-02")),
            onStatin: RiskIndicator(present: false, evidence: "no active statin on the medication list"),
            onBPTreatment: RiskIndicator(present: true, evidence: "hydrochlorothiazide, active"))
    }

    static func direct(
        sex: Sex = .female, age: Double = 50, total: Double = 200, hdl: Double = 45, unit: CholesterolUnit = .mgPerDL, sbp: Double = 160,
        egfr: Double = 90, bmi: Double = 35, uacr: Double? = nil, hba1c: Double? = nil
    ) -> PreventInput {
        PreventInput(
            sex: sex, age: age, totalCholesterol: total, hdl: hdl, cholesterolUnit: unit, systolicBP: sbp, onBPTreatment: true, onStatin: false,
            smoker: false, diabetes: true, egfr: egfr, bmi: bmi, uacr: uacr, hba1c: hba1c)
    }

    @Test func everythingOnRecordGivesTheEquationsOwnValues() throws {
        let profile = Self.builder.build(Self.ahaPatient(), at: Self.at)
        #expect(profile.age == 50)
        #expect(profile.sex == .female)
        #expect(profile.missing.isEmpty, "\(profile.missing)")
        let expected = try Self.builder.prevent.estimate(Self.direct())
        #expect(profile.prevent.map(\.value) == expected.map(\.value))
        #expect(profile.prevent.map(\.equation.id) == Array(repeating: "prevent-base", count: 10))
        // The published worked example: 10-year total CVD 14.7 %.
        #expect((profile.prevent[0].value! * 10).rounded() / 10 == 14.7)
        #expect(profile.prevent[0].equation.population.contains("aged 30–79"))

        let pce = try Self.builder.pce.estimate(
            PooledCohortInput(
                sex: .female, race: .other, age: 50, totalCholesterol: 200, hdl: 45, systolicBP: 160, onBPTreatment: true, smoker: false,
                diabetes: true))
        #expect(profile.pce.value == pce.value)
        #expect(profile.pce.warnings.contains { $0.contains("race is not recorded") })
        #expect(profile.pce.warnings.contains { $0.contains("the White equations were used") })
        #expect(profile.egfr.value == 90)
        #expect(profile.egfr.warnings.first?.contains("as reported (LOINC 98979-8)") == true)

        let sbp = try #require(profile.inputs.first { $0.name == "systolicBP" })
        #expect(sbp.text == "SBP 160 mmHg on 2026-10-02")
        #expect(sbp.daysBefore == 59)
        #expect(!sbp.stale)
        #expect(sbp.usedBy == ["PREVENT", "PCE"])
        #expect(sbp.entryID == "ent_8480-6")
        #expect(profile.inputs.first { $0.name == "onStatin" }?.usedBy == ["PREVENT"])
        #expect(profile.inputs.first { $0.name == "diabetes" }?.text == "diabetes: yes (Diabetes (SNOMED 44054006), active)")
    }

    @Test func missingHDLMakesBothCardiovascularEquationsNotApplicableNamingIt() {
        var input = Self.ahaPatient()
        input.hdl = nil
        let profile = Self.builder.build(input, at: Self.at)
        #expect(profile.missing == ["no HDL cholesterol on record"])
        #expect(profile.prevent.count == 10)
        for result in profile.prevent {
            #expect(result.value == nil)
            #expect(result.notApplicable == ["no HDL cholesterol on record"])
        }
        #expect(profile.pce.value == nil)
        #expect(profile.pce.notApplicable == ["no HDL cholesterol on record"])
        // eGFR does not need HDL.
        #expect(profile.egfr.value == 90)
    }

    @Test func everyMissingInputIsNamed() {
        let profile = Self.builder.build(RiskProfileInput(recordedSex: "unknown"), at: Self.at)
        #expect(
            profile.missing == [
                "no birth date on record",
                "sex is recorded as 'unknown', not female or male: the equations have separate coefficients for each",
                "no systolic blood pressure on record", "no total cholesterol on record", "no HDL cholesterol on record",
                "no BMI, or weight and height, on record", "no creatinine or eGFR on record", "no smoking status on record",
                "diabetes status unknown", "blood-pressure treatment unknown", "statin use unknown",
            ])
        #expect(profile.age == nil)
        #expect(profile.pce.notApplicable.count == 8)
        #expect(!profile.pce.notApplicable.contains("statin use unknown"))
        #expect(profile.prevent.allSatisfy { $0.notApplicable.contains("statin use unknown") })
        #expect(profile.egfr.notApplicable == ["no creatinine or eGFR on record"])
    }

    @Test func lipidsInMillimolesAreUsedInTheirUnit() throws {
        var input = Self.ahaPatient()
        input.totalCholesterol = Self.measure(5.2, "mmol/L", "2026-09-01", "2093-3")
        input.hdl = Self.measure(1.3, "mmol/L", "2026-09-01", "2085-9")
        let profile = Self.builder.build(input, at: Self.at)
        let expected = try Self.builder.prevent.estimate(Self.direct(total: 5.2, hdl: 1.3, unit: .mmolPerL))
        #expect(profile.prevent.map(\.value) == expected.map(\.value))
        #expect(profile.prevent[0].value != nil)
        let pce = try Self.builder.pce.estimate(
            PooledCohortInput(
                sex: .female, race: .other, age: 50, totalCholesterol: 5.2, hdl: 1.3, cholesterolUnit: .mmolPerL, systolicBP: 160,
                onBPTreatment: true, smoker: false, diabetes: true))
        #expect(profile.pce.value == pce.value)
        #expect(profile.inputs.first { $0.name == "hdl" }?.text == "HDL cholesterol 1.3 mmol/L on 2026-09-01")
    }

    @Test func mixedLipidUnitsAreBothConvertedToMilligrams() throws {
        var input = Self.ahaPatient()
        input.totalCholesterol = Self.measure(5.2, "mmol/L", "2026-09-01", "2093-3")
        input.hdl = Self.measure(45, "mg/dl", "2026-09-01", "2085-9")
        let profile = Self.builder.build(input, at: Self.at)
        let expected = try Self.builder.prevent.estimate(Self.direct(total: 5.2 / 0.02586, hdl: 45))
        #expect(profile.prevent.map(\.value) == expected.map(\.value))
        let total = try #require(profile.inputs.first { $0.name == "totalCholesterol" })
        #expect(total.unit == "mg/dL")
        #expect(abs(total.value! - 201.083) < 0.001)
    }

    @Test func creatinineGivesTheCKDEPI2021eGFRThatPREVENTUses() throws {
        var input = Self.ahaPatient()
        input.egfr = nil
        // 110 µmol/L on 2026-04-01, when she was 49.
        input.creatinine = Self.measure(110, "umol/L", "2026-04-01", "2160-0")
        let profile = Self.builder.build(input, at: Self.at)
        let egfr = KidneyFunction.egfr2021(creatinineMgPerDL: 110 / 88.4, age: 49, sex: .female)
        #expect(profile.egfr.value == egfr)
        #expect(profile.egfr.equation.id == "ckd-epi-2021-cr")
        #expect(egfr < 60)  // the example is on the eGFR spline's other side, so a wrong eGFR shows
        let expected = try Self.builder.prevent.estimate(Self.direct(egfr: egfr))
        #expect(profile.prevent.map(\.value) == expected.map(\.value))
        #expect(profile.prevent[0].value != (try Self.builder.prevent.estimate(Self.direct()))[0].value)
        #expect(profile.inputs.first { $0.name == "creatinine" }?.usedBy == ["CKD-EPI 2021"])
        #expect(profile.inputs.first { $0.name == "egfr" }?.usedBy == ["PREVENT"])
        #expect(profile.inputs.first { $0.name == "egfr" }?.date == Self.day("2026-04-01"))
    }

    @Test func theNewerOfReportedEGFRAndCreatinineIsUsed() throws {
        var input = Self.ahaPatient()
        input.creatinine = Self.measure(1.4, "mg/dL", "2026-11-01", "2160-0")
        var profile = Self.builder.build(input, at: Self.at)
        #expect(profile.egfr.value == KidneyFunction.egfr2021(creatinineMgPerDL: 1.4, age: 50, sex: .female))
        input.creatinine = Self.measure(1.4, "mg/dL", "2026-09-01", "2160-0")  // same day as the reported eGFR: the report wins
        profile = Self.builder.build(input, at: Self.at)
        #expect(profile.egfr.value == 90)
        #expect(!profile.inputs.contains { $0.name == "creatinine" })
    }

    @Test func weightAndHeightGiveTheBMI() throws {
        var input = Self.ahaPatient()
        input.bmi = nil
        input.weight = Self.measure(200, "[lb_av]", "2026-10-02", "29463-7")
        input.height = Self.measure(165, "cm", "2025-01-15", "8302-2")
        let profile = Self.builder.build(input, at: Self.at)
        let bmi = 200 * 0.45359237 / (1.65 * 1.65)
        let expected = try Self.builder.prevent.estimate(Self.direct(bmi: bmi))
        #expect(profile.prevent.map(\.value) == expected.map(\.value))
        let used = try #require(profile.inputs.first { $0.name == "bmi" })
        #expect(used.value == bmi)
        #expect(used.date == Self.day("2025-01-15"))  // as old as its older part
        #expect(used.text.hasPrefix("BMI 33.3 kg/m² from weight 200 [lb_av] on 2026-10-02 and height 165 cm on 2025-01-15"))
    }

    @Test func unusableUnitsAreNamedNotGuessed() {
        var input = Self.ahaPatient()
        input.totalCholesterol = Self.measure(2.0, "g/L", "2026-09-01", "2093-3")
        input.systolicBP = Self.measure(142, nil, "2026-10-02", "8480-6")
        input.hba1c = Self.measure(53, "mmol/mol", "2026-09-01", "4548-4")
        let profile = Self.builder.build(input, at: Self.at)
        #expect(profile.missing.contains("total cholesterol 2 g/L on 2026-09-01: unit 'g/L' is not mg/dL or mmol/L"))
        #expect(profile.missing.contains("systolic blood pressure 142 on 2026-10-02: unit (none recorded) is not mmHg (UCUM mm[Hg])"))
        #expect(profile.pce.value == nil)
        #expect(profile.prevent.allSatisfy { $0.value == nil })

        // An unusable optional predictor is left out, with a warning, and does not stop the estimate.
        input = Self.ahaPatient()
        input.hba1c = Self.measure(53, "mmol/mol", "2026-09-01", "4548-4")
        let withOptional = Self.builder.build(input, at: Self.at)
        #expect(withOptional.prevent[0].equation.id == "prevent-base")
        #expect(withOptional.prevent[0].warnings.contains { $0.hasPrefix("not used: HbA1c 53 mmol/mol on 2026-09-01: HbA1c in mmol/mol (IFCC)") })
    }

    @Test func optionalPredictorsChooseThePREVENTModel() throws {
        var input = Self.ahaPatient()
        input.uacr = Self.measure(10.4, "mg/mmol", "2026-09-01", "9318-7")
        input.hba1c = Self.measure(9.2, "%", "2026-09-01", "4548-4")
        let profile = Self.builder.build(input, at: Self.at)
        let expected = try Self.builder.prevent.estimate(Self.direct(uacr: 10.4 * 8.84, hba1c: 9.2))
        #expect(profile.prevent.map(\.value) == expected.map(\.value))
        #expect(profile.prevent[0].equation.id == "prevent-full")
        #expect(profile.inputs.first { $0.name == "uacr" }?.usedBy == ["PREVENT"])
    }

    @Test func inputsOlderThanAYearAreFlaggedInTheResultsTheyFed() {
        var input = Self.ahaPatient()
        input.hdl = Self.measure(45, "mg/dL", "2025-11-29", "2085-9")  // 366 days before
        input.totalCholesterol = Self.measure(200, "mg/dL", "2025-11-30", "2093-3")  // 365 days: not yet
        let profile = Self.builder.build(input, at: Self.at)
        let hdl = profile.inputs.first { $0.name == "hdl" }
        #expect(hdl?.stale == true)
        #expect(hdl?.daysBefore == 366)
        #expect(profile.inputs.first { $0.name == "totalCholesterol" }?.stale == false)
        let warning = "HDL cholesterol 45 mg/dL on 2025-11-29: 366 days before 2026-11-30, older than 365 days"
        #expect(profile.prevent.allSatisfy { $0.warnings.contains(warning) })
        #expect(profile.pce.warnings.contains(warning))
        #expect(!profile.egfr.warnings.contains(warning))
        #expect(profile.prevent[0].value != nil)  // flagged, still used
        #expect(!profile.prevent[0].warnings.contains { $0.contains("total cholesterol") })
    }

    @Test func impossibleStoredValuesBecomeNotApplicableWithTheErrorText() {
        var input = Self.ahaPatient()
        input.systolicBP = Self.measure(30, "mmHg", "2026-10-02", "8480-6")
        let profile = Self.builder.build(input, at: Self.at)
        let preventReason = "PREVENT: systolicBP 30 mmHg is outside the accepted range 60–300 mmHg"
        #expect(profile.prevent.allSatisfy { $0.notApplicable == [preventReason] })
        #expect(profile.pce.notApplicable == ["PCE: systolicBP 30 mmHg is outside the accepted range 60–300 mmHg"])

        input = Self.ahaPatient()
        input.egfr = nil
        input.creatinine = Self.measure(88, "mg/dL", "2026-09-01", "2160-0")  // µmol/L stored as mg/dL
        let kidney = Self.builder.build(input, at: Self.at)
        #expect(kidney.egfr.notApplicable.first?.contains("was it given in µmol/L?") == true, "\(kidney.egfr.notApplicable)")
        #expect(kidney.prevent[0].notApplicable.first?.hasPrefix("no usable eGFR: CKD-EPI 2021: creatinine 88 mg/dL") == true)
        #expect(kidney.pce.value != nil)
    }

    @Test func outsideTheDerivationRangeIsNotApplicable() {
        var input = Self.ahaPatient()
        input.birthDate = Self.day("1992-11-15")  // 34: PREVENT from 30, PCE from 40
        let profile = Self.builder.build(input, at: Self.at)
        #expect(profile.age == 34)
        #expect(profile.prevent[0].value != nil)
        #expect(profile.pce.notApplicable == ["age 34 years is outside 40–79 years, the range PCE was derived in"])
    }

    @Test func knownCardiovascularDiseaseIsOutsideThePopulations() {
        var input = Self.ahaPatient()
        input.knownASCVD = RiskIndicator(present: true, evidence: "Ischemic heart disease (SNOMED 414545008), active")
        var profile = Self.builder.build(input, at: Self.at)
        let reason =
            "Ischemic heart disease (SNOMED 414545008), active: the equation estimates a first cardiovascular event in adults without known cardiovascular disease"
        #expect(profile.pce.notApplicable == [reason])
        #expect(profile.prevent.allSatisfy { $0.notApplicable == [reason] })
        #expect(profile.egfr.value == 90)
        #expect(profile.missing.isEmpty)

        input.knownASCVD = RiskIndicator(present: false, evidence: "none on the problem list")
        input.knownHeartFailure = RiskIndicator(present: true, evidence: "Chronic congestive heart failure (SNOMED 88805009), active")
        profile = Self.builder.build(input, at: Self.at)
        #expect(profile.pce.value != nil)
        #expect(profile.prevent.allSatisfy { $0.value == nil && $0.notApplicable.first?.contains("heart failure is one of its outcomes") == true })
    }

    @Test func aCalculationDateBeforeBirthIsNamed() {
        let profile = Self.builder.build(Self.ahaPatient(), at: Self.day("1970-01-01"))
        #expect(profile.age == nil)
        #expect(profile.missing.first == "the calculation date 1970-01-01 is before the birth date 1976-05-10")
        // Inputs after the calculation date are still shown with their (negative) age.
        #expect(profile.inputs.first { $0.name == "systolicBP" }?.daysBefore ?? 0 < 0)
    }

    @Test func recordedDatesAreSaid() {
        var input = Self.ahaPatient()
        input.systolicBP?.dateIsRecorded = true
        let profile = Self.builder.build(input, at: Self.at)
        #expect(profile.inputs.first { $0.name == "systolicBP" }?.text == "SBP 160 mmHg recorded 2026-10-02 (measurement date not recorded)")
    }

    @Test func datesCountDaysAndYears() throws {
        #expect(RiskDate(iso: "1970-01-01")?.daysSinceEpoch == 0)
        #expect(RiskDate(iso: "2000-03-01")?.daysSinceEpoch == 11017)
        #expect(RiskDate(epochMillis: 1_790_000_000_000) == Self.day("2026-09-21"))
        #expect(RiskDate(epochMillis: -1) == Self.day("1969-12-31"))
        #expect(RiskDate(epochMillis: Int64.min).year < -200_000_000)  // absurd, but no overflow
        for days in stride(from: -200_000, through: 200_000, by: 997) {
            #expect(RiskDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        for text in ["2026-02-29", "2026-13-01", "1799-12-31", "2201-01-01", "2026-1-01", "２０２６-01-01", "20261130"] {
            #expect(RiskDate(iso: text) == nil, "\(text)")
        }
        #expect(RiskDate(iso: "2024-02-29") != nil)
        #expect(Self.day("2026-11-30").completedYears(since: Self.day("1976-11-30")) == 50)
        #expect(Self.day("2026-11-29").completedYears(since: Self.day("1976-11-30")) == 49)
        #expect(Self.day("2025-02-28").completedYears(since: Self.day("2024-02-29")) == 0)
        #expect(Self.day("2025-03-01").completedYears(since: Self.day("2024-02-29")) == 1)
        let json = try JSONEncoder().encode(Self.day("2026-09-21"))
        #expect(String(decoding: json, as: UTF8.self) == #""2026-09-21""#)
        #expect(try JSONDecoder().decode(RiskDate.self, from: json) == Self.day("2026-09-21"))
    }
}
