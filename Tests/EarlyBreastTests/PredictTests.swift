import Foundation
import Testing

@testable import EarlyBreast

// PREDICT v2.1 and v3.2 against
// 1. published values: the Winton Centre's own cljs test of PREDICT v2.1 (github.com/WintonCentre/predict-v21-cljs,
//    test/predict/models/predict_test.cljs), which checks intermediate quantities against the authors' R code and pins
//    the 15-year benefit vector of all four treatments for one patient — the only per-patient PREDICT output we found
//    published (oncology.md §0.6: no paper publishes any);
// 2. self-consistency values: Fixtures/predict_reference_cases.json, computed by Fixtures/predict_reference.py, an
//    independent Python port of the published equations (oncology.md §5.2–5.4; ../shared/data/predict) written in the
//    R code's matrix form, which itself reproduces the published cljs vector to 1e-15. It is NOT an R or web-tool output.
// 3. the constants themselves, compared with the verbatim data files (Fixtures/coefficients_v3.csv,
//    predict_v2.1_model.json, predict_v3.2_model.json).

struct ReferenceOutcome: Decodable, Sendable {
    let years: Int
    let overallSurvival: Double
    let breastCancerDeaths: Double
    let otherCauseDeaths: Double
}

struct ReferenceChemotherapy: Decodable, Sendable {
    let regimen: String
    let before: String
    let outcomes: [ReferenceOutcome]
    let beforeOutcomes: [ReferenceOutcome]
}

struct ReferenceCase: Decodable, Sendable {
    let name: String
    let input: PredictInput
    let ladder: [String]
    let excluded: [String]
    let surgeryOnly: [ReferenceOutcome]
    let regimens: [String: [ReferenceOutcome]]
    let chemotherapyOptions: [String: ReferenceChemotherapy]
}

struct ReferenceFile: Decodable {
    let cases: [ReferenceCase]
}

func referenceCases() throws -> [ReferenceCase] {
    try JSONDecoder().decode(ReferenceFile.self, from: Data(contentsOf: Fixture.url("predict_reference_cases.json"))).cases
}

func expectMatches(_ actual: [PredictOutcome], _ expected: [ReferenceOutcome], _ label: String) {
    #expect(actual.map(\.years) == expected.map(\.years), "\(label)")
    for (a, e) in zip(actual, expected) {
        #expect(close(a.overallSurvival, e.overallSurvival), "\(label) OS \(a.years) y: \(a.overallSurvival) vs \(e.overallSurvival)")
        #expect(close(a.breastCancerDeaths, e.breastCancerDeaths), "\(label) breast deaths \(a.years) y")
        #expect(close(a.otherCauseDeaths, e.otherCauseDeaths), "\(label) other deaths \(a.years) y")
        #expect(close(a.breastCancerSpecificSurvival, 100 - e.breastCancerDeaths), "\(label) BCSS \(a.years) y")
        #expect(close(a.overallSurvival + a.breastCancerDeaths + a.otherCauseDeaths, 100, 1e-9), "\(label) alive + dead = 100")
    }
}

/// The Winton Centre cljs test patient: age 25, 2 mm, grade 1, 2 nodes, ER+, HER2+, Ki-67+, screen-detected.
let wintonPatient = PredictPatient(
    age: 25, size: 2, nodes: 2, gradeGiven: 1, erPositive: true, her2: .positive, ki67: .positive, pr: .unknown, screen: 1, currentSmoker: false,
    heartDoseGy: 0)

@Suite struct PredictPublishedValueTests {
    /// `prognostic-index-test`: (approx= 0.5200516 (prognostic-index inputs)), epsilon 1e-7.
    @Test func prognosticIndex() {
        #expect(abs(PredictV21.breastIndex(wintonPatient) - 0.5200516) < 1e-7)
    }

    /// `m-oth-prognostic-index-test`: 0.5597244192408362 at age 65 (radiotherapy disabled).
    @Test func otherCauseIndex() {
        var p = wintonPatient
        p.age = 65
        #expect(abs(PredictV21.otherIndex(p) - 0.5597244192408362) < 1e-12)
    }

    /// `base-m-cum-br-test`: cumulative baseline breast hazards at 1 and 10 years, ER- and ER+.
    @Test(arguments: [(false, 1, 0.015012789617578808), (true, 1, 0.0011302439325964351), (true, 10, 0.05193237928632519), (false, 10, 0.22253215565946607)])
    func breastBaseline(erPositive: Bool, years: Int, expected: Double) {
        var p = wintonPatient
        p.erPositive = erPositive
        let cumulative = PredictV21.baseline(p).breastIncrements.prefix(years).reduce(0, +)
        #expect(abs(cumulative - expected) < 1e-12)
    }

    /// `base-m-cum-oth*-test`, `base-m-br-test` and `s-cum-oth-test` (values printed from R to 7 decimals; epsilon 1e-7).
    @Test func baselineVectors() {
        let cumulativeOther = [
            0.003255573, 0.007875150, 0.013531566, 0.020144040, 0.027680291, 0.036128375, 0.045487139, 0.055761969, 0.066962590, 0.079101799,
            0.092194686, 0.106258128, 0.121310438, 0.137371129, 0.154460731,
        ]
        let annualBreastERPositive = [
            0.001130244, 0.003085806, 0.004406595, 0.005250795, 0.005796647, 0.006150640, 0.006376906, 0.006515610, 0.006592877, 0.006626260,
            0.006627880, 0.006606300, 0.006567684, 0.006516544, 0.006456227,
        ]
        let survivalOtherAge25 = [
            0.9995388, 0.9988846, 0.9980843, 0.9971495, 0.9960851, 0.9948934, 0.9935748, 0.9921292, 0.9905557, 0.9888532, 0.9870202, 0.9850551,
            0.9829562, 0.9807216, 0.9783494,
        ]
        let b = PredictV21.baseline(wintonPatient)
        var cumulative = 0.0
        for k in 0..<15 {
            cumulative += b.otherIncrements[k]
            #expect(abs(cumulative - cumulativeOther[k]) < 1e-7, "H0oth(\(k + 1))")
            #expect(abs(b.breastIncrements[k] - annualBreastERPositive[k]) < 1e-7, "ΔH0br(\(k + 1))")
            #expect(abs(exp(-exp(b.otherIndex) * cumulative) - survivalOtherAge25[k]) < 1e-7, "S_oth(\(k + 1))")
        }
    }

    /// `cljs-predict-test`: benefit of endocrine + 3rd-gen chemotherapy + trastuzumab + bisphosphonates over surgery,
    /// years 1–15, as a fraction. Checked here in percentage points to 1e-9 pp, and through the public API at 5/10/15 years.
    @Test func allFourTreatmentsBenefitVector() throws {
        let published = [
            0.0014235998353466783, 0.005289672012324664, 0.010759822493926374, 0.017200767587482346, 0.024213922849740006, 0.0315433093601687,
            0.0390198769320368, 0.046529416795973236, 0.05399349285357215, 0.06135767218134225, 0.0685840054034158, 0.07564607730104955,
            0.08252566579852982, 0.08921043783391924, 0.09569233116719345,
        ]
        let b = PredictV21.baseline(wintonPatient)
        func curve(_ r: PredictRegimen) -> PredictCurve {
            let rx = (1...15).map { PredictV21.breastTreatment(r, patient: wintonPatient, year: $0) }
            return PredictEngine.curve(b, breastTreatment: rx, otherTreatment: 0)
        }
        let surgery = curve(PredictRegimen())
        let all = curve(PredictRegimen(endocrine: true, chemotherapy: .third, trastuzumab: true, bisphosphonates: true))
        for k in 0..<15 {
            #expect(abs((all.overall[k] - surgery.overall[k]) - 100 * published[k]) < 1e-9, "year \(k + 1)")
        }
        // The same through the public API (bisphosphonates need a postmenopausal patient there).
        let input = PredictInput(
            age: 25, tumourSizeMM: 2, grade: 1, positiveNodes: 2, er: .positive, her2: .positive, ki67: .positive, detection: .screening,
            menopause: .postmenopausal, endocrine: true, chemotherapy: .third, trastuzumab: true, bisphosphonates: true)
        let result = try Predict.estimate(input)
        for (i, years) in [5, 10, 15].enumerated() {
            #expect(abs(result.total[i].overallSurvival - 100 * published[years - 1]) < 1e-9)
        }
    }
}

@Suite struct PredictReferenceCaseTests {
    @Test func allReferenceCasesLoad() throws {
        #expect(try referenceCases().count == 13)
    }

    /// Each case of Fixtures/predict_reference_cases.json: the ladder shown, the treatments left out, and every number.
    @Test(arguments: 0..<13)
    func matchesTheEquations(index: Int) throws {
        let c = try referenceCases()[index]
        let result = try Predict.estimate(c.input)
        #expect(result.notApplicable.isEmpty, "\(c.name)")
        #expect(result.steps.map(\.regimen) == c.ladder, "\(c.name)")
        #expect(result.excluded.map(\.treatment.rawValue) == c.excluded, "\(c.name)")
        expectMatches(result.surgeryOnly, c.surgeryOnly, "\(c.name) surgery")
        var previous = c.surgeryOnly
        for step in result.steps {
            let expected = try #require(c.regimens[step.regimen])
            expectMatches(step.outcomes, expected, "\(c.name) \(step.regimen)")
            for (i, gain) in step.benefit.enumerated() {
                #expect(close(gain.overallSurvival, expected[i].overallSurvival - previous[i].overallSurvival), "\(c.name) \(step.regimen) benefit")
                #expect(close(gain.breastCancerDeathsAverted, previous[i].breastCancerDeaths - expected[i].breastCancerDeaths))
            }
            previous = expected
        }
        for (i, total) in result.total.enumerated() {
            #expect(close(total.overallSurvival, previous[i].overallSurvival - c.surgeryOnly[i].overallSurvival), "\(c.name) total")
        }
        #expect(result.chemotherapyOptions.map(\.generation) == [.second, .third])
        for option in result.chemotherapyOptions {
            let expected = try #require(c.chemotherapyOptions[option.generation.rawValue])
            #expect(option.regimen == expected.regimen)
            expectMatches(option.outcomes, expected.outcomes, "\(c.name) chemo \(option.generation)")
            for (i, gain) in option.benefit.enumerated() {
                #expect(close(gain.overallSurvival, expected.outcomes[i].overallSurvival - expected.beforeOutcomes[i].overallSurvival))
            }
        }
        #expect(result.model.provisional == (c.input.version == .v32))
        #expect(result.warnings.contains(Predict.provisionalWarning) == (c.input.version == .v32))
    }
}

@Suite struct PredictConstantTests {
    /// coefficients_v3.csv, verbatim, is exactly what v3.2 uses.
    @Test func v3CoefficientsMatchTheCSV() throws {
        let rows = try Fixture.text("coefficients_v3.csv").split(whereSeparator: \.isNewline).dropFirst().map { $0.split(separator: ",").map(String.init) }
        let swift: [String: Double] = [
            "ag1_er0": PredictV32.ag1_er0, "ag2_er0": PredictV32.ag2_er0, "sz1_er0": PredictV32.sz1_er0, "nd1_er0": PredictV32.nd1_er0,
            "gr1_er0": PredictV32.gr1_er0, "sc1_er0": PredictV32.sc1_er0, "yr1_er0": PredictV32.yr1_er0, "ag1_er1": PredictV32.ag1_er1,
            "ag2_er1": PredictV32.ag2_er1, "sz1_er1": PredictV32.sz1_er1, "nd1_er1": PredictV32.nd1_er1, "gr1_er1": PredictV32.gr1_er1,
            "sc1_er1": PredictV32.sc1_er1, "yr1_er1": PredictV32.yr1_er1, "ag_ot_ea.beta.1": PredictV32.ag_ot_ea_beta_1,
            "ag_ot_ea.beta.2": PredictV32.ag_ot_ea_beta_2, "yr_ot_ea.beta": PredictV32.yr_ot_ea_beta, "h0_br_i": PredictV32.h0_br_i,
            "h0_br_t1": PredictV32.h0_br_t1, "h0_br_t2": PredictV32.h0_br_t2, "h1_br_i": PredictV32.h1_br_i, "h1_br_t1": PredictV32.h1_br_t1,
            "h1_br_t2": PredictV32.h1_br_t2, "h_ot_i": PredictV32.h_ot_i, "h_ot_t1": PredictV32.h_ot_t1, "h_ot_t2": PredictV32.h_ot_t2,
        ]
        #expect(rows.count == 26)
        for row in rows {
            #expect(Double(row[1]) == swift[row[0]], "\(row[0])")
        }
    }

    /// predict_v2.1_model.json: betas, centring constants, baselines and treatment effects.
    @Test func v21ConstantsMatchTheModelJSON() throws {
        let model = try #require(try Fixture.json("predict_v2.1_model.json") as? [String: Any])
        let index = try #require(model["breast_prognostic_index"] as? [String: Any])
        let pos = try #require(index["ER_positive"] as? [String: Any])
        let neg = try #require(index["ER_negative"] as? [String: Any])
        func term(_ group: [String: Any], _ name: String) -> (beta: Double?, transform: String) {
            let t = group[name] as? [String: Any] ?? [:]
            return (t["beta"] as? Double, t["transform"] as? String ?? "")
        }
        func mentions(_ text: String, _ value: Double) -> Bool { text.contains(String(abs(value))) }
        #expect(term(pos, "age_term_1").beta == PredictV21.erPosAge1Beta && mentions(term(pos, "age_term_1").transform, PredictV21.erPosAge1Centre))
        #expect(term(pos, "age_term_2").beta == PredictV21.erPosAge2Beta && mentions(term(pos, "age_term_2").transform, PredictV21.erPosAge2Centre))
        #expect(term(pos, "size_mm").beta == PredictV21.erPosSizeBeta && mentions(term(pos, "size_mm").transform, PredictV21.erPosSizeCentre))
        #expect(term(pos, "nodes").beta == PredictV21.erPosNodesBeta && mentions(term(pos, "nodes").transform, PredictV21.erPosNodesCentre))
        #expect(term(pos, "grade").beta == PredictV21.erPosGradeBeta)
        #expect(term(pos, "screen_detected").beta == PredictV21.erPosScreenBeta)
        #expect(term(neg, "age_term_1").beta == PredictV21.erNegAgeBeta && mentions(term(neg, "age_term_1").transform, PredictV21.erNegAgeCentre))
        #expect(term(neg, "size_mm").beta == PredictV21.erNegSizeBeta && mentions(term(neg, "size_mm").transform, PredictV21.erNegSizeCentre))
        #expect(term(neg, "nodes").beta == PredictV21.erNegNodesBeta && mentions(term(neg, "nodes").transform, PredictV21.erNegNodesCentre))
        #expect(term(neg, "grade").beta == PredictV21.erNegGradeBeta && term(neg, "grade").transform == "1 if grade in {2,3} else 0")
        #expect(term(neg, "screen_detected").beta == 0 && term(neg, "ki67").beta == 0)
        let her2 = try #require(pos["her2"] as? [String: Double])
        #expect(her2["positive"] == PredictV21.her2Positive && her2["negative"] == PredictV21.her2Negative && her2["unknown"] == 0)
        #expect(neg["her2"] as? [String: Double] == her2)
        let ki67 = try #require(pos["ki67"] as? [String: Double])
        #expect(ki67["positive"] == PredictV21.ki67Positive && ki67["negative"] == PredictV21.ki67Negative)
        let other = try #require(model["other_mortality_index"] as? String)
        #expect(mentions(other, PredictV21.otherAgeBeta) && mentions(other, PredictV21.otherAgeCentre))
        let baselines = try #require(model["baseline_cumulative_hazards"] as? [String: String])
        let o = PredictV21.otherBaseline, p = PredictV21.erPosBaseline, n = PredictV21.erNegBaseline
        #expect([o.intercept, o.lnT, o.sqrtT].allSatisfy { mentions(baselines["other"] ?? "", $0) })
        #expect([p.intercept, p.invSqrtT, p.lnTOverSqrtT].allSatisfy { mentions(baselines["breast_ER_positive"] ?? "", $0) })
        #expect([n.intercept, n.invT2, n.invT].allSatisfy { mentions(baselines["breast_ER_negative"] ?? "", $0) })
        let rx = try #require(model["treatment_log_hazard_ratios_on_breast_mortality"] as? [String: Double])
        #expect(rx["chemo_generation_2"] == PredictV21.chemoSecond && rx["chemo_generation_3"] == PredictV21.chemoThird)
        #expect(rx["endocrine_5y (ER+ only)"] == PredictV21.endocrine && rx["trastuzumab (HER2+ only)"] == PredictV21.trastuzumab)
        #expect(rx["bisphosphonate (postmenopausal)"] == PredictV21.bisphosphonate)
        let missing = try #require(model["missing_value_rules"] as? [String: String])
        #expect(missing["screen"] == "unknown (input 2) -> 0.204" && missing["grade"]?.hasPrefix("unknown (input 9) -> 2.13") == true)
    }

    /// predict_v3.2_model.json: time-varying HER2, PR, smoking, base constants, treatment effects and harms.
    @Test func v32ConstantsMatchTheModelJSON() throws {
        let model = try #require(try Fixture.json("predict_v3.2_model.json") as? [String: Any])
        let index = try #require(model["breast_prognostic_index"] as? [String: Any])
        let her2 = try #require(index["her2_ER_positive_time_varying_years_1_to_15"] as? [String: Any])
        #expect(her2["positive"] as? [Double] == PredictV32.her2PositiveERPositive)
        #expect(her2["negative"] as? [Double] == PredictV32.her2NegativeERPositive)
        let her2Neg = try #require(index["her2_ER_negative"] as? [String: Double])
        #expect(her2Neg["positive"] == PredictV32.her2PositiveERNegative && her2Neg["negative"] == PredictV32.her2NegativeERNegative)
        let pr = try #require(index["pr"] as? [String: Double])
        #expect(pr["ER+/PR+"] == PredictV32.prPositiveERPositive && pr["ER+/PR-"] == PredictV32.prNegativeERPositive)
        #expect(pr["ER-/PR+"] == PredictV32.prPositiveERNegative && pr["ER-/PR-"] == PredictV32.prNegativeERNegative)
        #expect((index["ER_positive"] as? String)?.hasSuffix("+ 0.70") == true && PredictV32.baseBreastERPositive == 0.70)
        #expect((index["ER_negative"] as? String)?.hasSuffix("+ 0.55") == true && PredictV32.baseBreastERNegative == 0.55)
        #expect((model["other_mortality_index"] as? String)?.contains("- 0.062") == true && PredictV32.baseOther == -0.062)
        // Smoking betas: "ln(1/1.025) = -0.024693", "ln(1.25/1.025) = 0.198451".
        #expect(abs(PredictV32.neverSmokerBeta - -0.024693) < 5e-7)
        #expect(abs(PredictV32.currentSmokerBeta - 0.198451) < 5e-7)
        let effects = try #require(model["treatment_effects"] as? [String: Any])
        let breast = try #require(effects["breast_mortality_log_HR"] as? [String: Any])
        #expect(breast["chemo_gen2"] as? Double == PredictV32.chemoSecond && breast["chemo_gen3"] as? Double == PredictV32.chemoThird)
        #expect(breast["endocrine (ER+)"] as? Double == PredictV32.endocrine)
        #expect(breast["extended_endocrine_years_11_15_additional"] as? Double == PredictV32.extendedEndocrineExtra)
        #expect(breast["trastuzumab (HER2+)"] as? Double == PredictV32.trastuzumab && breast["bisphosphonate"] as? Double == PredictV32.bisphosphonate)
        #expect(breast["radiotherapy"] as? String == "ln(0.82) = -0.198451" && abs(log(PredictV32.radiotherapyBreastHR) - -0.198451) < 5e-7)
        let other = try #require(effects["other_mortality_log_HR"] as? [String: String])
        #expect(other["chemotherapy (any generation)"] == "ln(1.2) = 0.182322" && abs(log(PredictV32.chemoOtherHR) - 0.182322) < 5e-7)
        #expect(other["radiotherapy"] == "ln(1.02) * heart_dose_Gy" && PredictV32.radiotherapyOtherHRPerGy == 1.02)
        let fixed = try #require(model["fixed_inputs"] as? [String: Any])
        #expect(fixed["year_of_diagnosis"] as? Int == 2017 && PredictV32.yearsSince2000 == 17)
        #expect(fixed["age_transform"] as? String == "a = (age - 24) / 100" && PredictV32.ageOffset == 24)
    }
}

/// The implementation pitfalls of oncology.md §5.4, each as a test.
@Suite struct PredictPitfallTests {
    static func patient(_ version: PredictVersion = .v21) -> PredictInput {
        PredictInput(
            age: 58, tumourSizeMM: 22, grade: 2, positiveNodes: 1, er: .positive, her2: .negative, ki67: .unknown, pr: .positive,
            detection: .symptomatic, menopause: .postmenopausal, endocrine: true, chemotherapy: .third, version: version)
    }

    /// "ER- with unknown grade (2.13) gives grade term 0 in v2.1 (grade==2||grade==3)": the same numbers as grade 1.
    @Test func v21ERNegativeUnknownGradeScoresLikeGrade1() throws {
        var unknown = Self.patient()
        unknown.er = .negative
        unknown.grade = nil
        var grade1 = unknown
        grade1.grade = 1
        var grade2 = unknown
        grade2.grade = 2
        let u = try Predict.estimate(unknown), g1 = try Predict.estimate(grade1), g2 = try Predict.estimate(grade2)
        #expect(u.surgeryOnly == g1.surgeryOnly)
        #expect(u.surgeryOnly != g2.surgeryOnly)
        #expect(u.notes.contains { $0.contains("unknown grade adds nothing") })
    }

    /// v3.2 uses the grade itself for ER- disease, so an unknown grade (2.13) lies between grades 2 and 3.
    @Test func v32ERNegativeUnknownGradeIs213() throws {
        var unknown = Self.patient(.v32)
        unknown.er = .negative
        unknown.grade = nil
        var g2 = unknown
        g2.grade = 2
        var g3 = unknown
        g3.grade = 3
        let os = try [unknown, g2, g3].map { try #require(Predict.estimate($0).surgeryOnly.last?.overallSurvival) }
        #expect(os[0] < os[1] && os[0] > os[2])
        var erNeg = PredictPatient(
            age: 58, size: 22, nodes: 1, gradeGiven: nil, erPositive: false, her2: .negative, ki67: .unknown, pr: .positive, screen: 0,
            currentSmoker: false, heartDoseGy: 0)
        let unknownIndex = PredictV32.breastIndex(erNeg)[0]
        erNeg.gradeGiven = 2
        #expect(abs(unknownIndex - PredictV32.breastIndex(erNeg)[0] - 0.13 * PredictV32.gr1_er0) < 1e-12)
    }

    /// "Extended endocrine must be 0 when ER-" (v3.2 `h10 <- if (h == 0) 0`).
    @Test func extendedEndocrineDoesNothingInERNegativeDisease() throws {
        var plain = Self.patient(.v32)
        plain.er = .negative
        plain.endocrine = false
        var extended = plain
        extended.endocrine = true
        extended.extendedEndocrine = true
        let a = try Predict.estimate(plain), b = try Predict.estimate(extended)
        #expect(a.steps == b.steps)
        #expect(a.chemotherapyOptions == b.chemotherapyOptions)
        #expect(b.excluded.map(\.treatment) == [.endocrine])
        #expect(b.notes.contains("10-year hormone therapy has no effect in ER-negative disease (R: h10 is 0 when h is 0)"))
        // In ER+ disease it adds benefit, and only after year 10.
        let five = try Predict.estimate(Self.patient(.v32))
        var tenInput = Self.patient(.v32)
        tenInput.extendedEndocrine = true
        let ten = try Predict.estimate(tenInput)
        #expect(ten.steps[0].regimen == "h10" && ten.steps[0].label == "hormone (endocrine) therapy, 10 years")
        #expect(close(ten.steps[0].outcomes[0].overallSurvival, five.steps[0].outcomes[0].overallSurvival, 1e-12))  // 5 years
        #expect(close(ten.steps[0].outcomes[1].overallSurvival, five.steps[0].outcomes[1].overallSurvival, 1e-12))  // 10 years
        #expect(ten.steps[0].outcomes[2].overallSurvival > five.steps[0].outcomes[2].overallSurvival)  // 15 years
    }

    /// "In v3.2 the radiotherapy heart-dose harm applies to every 'r' regimen regardless of the radio flag: pass heart
    /// Gy = 0 when there is no RT." A heart dose without radiotherapy changes nothing.
    @Test func heartDoseWithoutRadiotherapyIsIgnored() throws {
        let none = try Predict.estimate(Self.patient(.v32))
        var dosed = Self.patient(.v32)
        dosed.heartDoseGy = 12
        let ignored = try Predict.estimate(dosed)
        #expect(ignored.surgeryOnly == none.surgeryOnly && ignored.steps == none.steps && ignored.chemotherapyOptions == none.chemotherapyOptions)
        #expect(ignored.notes.contains("heart dose ignored: no radiotherapy, so no radiotherapy harm is applied"))
        // With radiotherapy, more heart dose means fewer alive (ln 1.02 per Gy on other-cause mortality).
        var low = Self.patient(.v32)
        low.radiotherapy = true
        low.heartDoseGy = 0
        var high = low
        high.heartDoseGy = 10
        let l = try Predict.estimate(low), h = try Predict.estimate(high)
        #expect(l.steps[0].regimen == "r" && h.steps[0].regimen == "r")
        #expect(h.steps[0].outcomes[2].overallSurvival < l.steps[0].outcomes[2].overallSurvival)
        #expect(h.steps[0].outcomes[2].otherCauseDeaths > l.steps[0].outcomes[2].otherCauseDeaths)
    }

    /// "Bisphosphonate benefit should only be offered to postmenopausal women."
    @Test(arguments: [
        (MenopausalStatus.postmenopausal, nil as String?),
        (.premenopausal, "bisphosphonate benefit applies only to postmenopausal women"),
        (.unknown, "menopausal status is needed: bisphosphonate benefit applies only to postmenopausal women"),
    ])
    func bisphosphonatesOnlyAfterMenopause(menopause: MenopausalStatus, reason: String?) throws {
        for version in PredictVersion.allCases {
            var input = Self.patient(version)
            input.menopause = menopause
            input.bisphosphonates = true
            let result = try Predict.estimate(input)
            #expect(result.steps.contains { $0.treatment == .bisphosphonates } == (reason == nil))
            #expect(result.excluded.first { $0.treatment == .bisphosphonates }?.reason == reason)
            let sentences = BreastText.patientSummary(result).sentences
            #expect(sentences.contains("Not shown: bisphosphonates, because \(reason ?? "").") == (reason != nil))
        }
    }

    /// "Ki67 affects ER+ only."
    @Test(arguments: PredictVersion.allCases)
    func ki67IgnoredInERNegativeDisease(version: PredictVersion) throws {
        var unknown = Self.patient(version)
        unknown.er = .negative
        var positive = unknown
        positive.ki67 = .positive
        let a = try Predict.estimate(unknown), b = try Predict.estimate(positive)
        #expect(a.surgeryOnly == b.surgeryOnly && a.steps == b.steps)
        #expect(b.notes.contains("Ki-67 affects ER-positive disease only in PREDICT; ignored"))
        // …and does matter in ER+ disease.
        var erPos = Self.patient(version)
        erPos.ki67 = .positive
        #expect(try Predict.estimate(erPos).surgeryOnly != Predict.estimate(Self.patient(version)).surgeryOnly)
    }

    @Test func radiotherapyIsNotPartOfV21() throws {
        var input = Self.patient()
        input.radiotherapy = true
        let result = try Predict.estimate(input)
        #expect(!result.steps.contains { $0.treatment == .radiotherapy })
        #expect(result.excluded.first?.reason.contains("r.enabled = 0") == true)
    }

    @Test func trastuzumabNeedsHER2Positive() throws {
        for her2 in [MarkerStatus.negative, .unknown] {
            var input = Self.patient()
            input.her2 = her2
            input.trastuzumab = true
            let result = try Predict.estimate(input)
            #expect(!result.steps.contains { $0.treatment == .trastuzumab })
            #expect(result.excluded.map(\.treatment) == [.trastuzumab])
        }
    }
}

@Suite struct PredictReportTests {
    /// The patient sentences use natural frequencies and the issue's wording.
    @Test func patientSummary() throws {
        let input = PredictInput(
            age: 25, tumourSizeMM: 2, grade: 1, positiveNodes: 2, er: .positive, her2: .positive, ki67: .positive, detection: .screening,
            menopause: .postmenopausal, endocrine: true, chemotherapy: .third, trastuzumab: true, bisphosphonates: true)
        let report = try EarlyBreast.predict(input)
        let s = report.patientSummary.sentences
        #expect(report.patientSummary.horizonYears == 10)
        // Reference case 0: surgery 90.61 %, then +2.57, +2.01, +1.09, +0.47 pp at 10 years.
        #expect(s.contains("Of 100 women like you who have surgery only, about 91 are alive at 10 years."))
        #expect(s.contains("Of 100 women like you, about 3 more are alive at 10 years with hormone (endocrine) therapy."))
        #expect(s.contains("Of 100 women like you, about 2 more are alive at 10 years with chemotherapy."))
        #expect(s.contains("Of 100 women like you, about 1 more is alive at 10 years with trastuzumab."))
        #expect(s.contains("Of 100 women like you, fewer than 1 more is alive at 10 years with bisphosphonates."))
        #expect(s.last?.contains("not a prediction for you") == true)
        let text = BreastText.clinician(report.result)
        #expect(text.contains("+ 3rd-generation chemotherapy [hc]"))
        #expect(text.contains("Copyright (c) 2022 University of Cambridge"))
    }

    @Test(arguments: [(2.49, "about 2 more are alive"), (0.5, "about 1 more is alive"), (0.2, "fewer than 1 more is alive"), (-0.1, "no more are alive"), (-1.6, "about 2 fewer are alive")])
    func wordsForGains(points: Double, words: String) {
        #expect(BreastText.moreAlive(points) == words)
    }

    @Test func jsonRoundTrip() throws {
        let json = #"{"age": 52, "tumourSizeMM": 18, "grade": "unknown", "positiveNodes": 0, "er": "positive", "her2": "negative", "chemotherapy": 3, "endocrine": true, "menopause": "postmenopausal", "version": "3.2"}"#
        let input = try JSONDecoder().decode(PredictInput.self, from: Data(json.utf8))
        #expect(input.grade == nil && input.chemotherapy == .third && input.version == .v32 && input.detection == .unknown)
        let report = try EarlyBreast.predict(input)
        let data = try JSONEncoder().encode(report)
        #expect(try JSONDecoder().decode(PredictReport.self, from: data) == report)
        #expect(report.patientSummary.sentences.first?.contains("provisional") == true)
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(text.contains("\"provisional\":true"))
    }
}
