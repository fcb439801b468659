import Foundation
import Knowledge
import Testing

@testable import Risk

/// The AHA / preventr worked-example patient (`estimate_risk_partial` defaults): 50 years, TC 200 mg/dL, HDL 45,
/// SBP 160 on treatment, diabetes, non-smoker, eGFR 90, BMI 35, no statin.
func ahaExample(
    sex: Sex = .female, age: Double = 50, total: Double = 200, hdl: Double = 45, sbp: Double = 160, treated: Bool = true,
    statin: Bool = false, diabetes: Bool = true, smoker: Bool = false, egfr: Double = 90, bmi: Double = 35, uacr: Double? = nil,
    hba1c: Double? = nil, zip: String? = nil, model: PreventModel? = nil
) -> PreventInput {
    PreventInput(
        sex: sex, age: age, totalCholesterol: total, hdl: hdl, systolicBP: sbp, onBPTreatment: treated, onStatin: statin, smoker: smoker,
        diabetes: diabetes, egfr: egfr, bmi: bmi, uacr: uacr, hba1c: hba1c, zip: zip, model: model)
}

/// Published PREVENT risks for one patient: percent, outcomes in `PreventOutcome` order (total CVD, ASCVD, HF, CHD,
/// stroke), as preventr prints them (a fraction rounded half-up to 3 decimals, i.e. 0.1 percentage point).
struct PublishedPrevent: Sendable, CustomTestStringConvertible {
    let label: String
    let input: PreventInput
    let model: PreventModel
    let tenYear: [Double]
    let thirtyYear: [Double]
    var testDescription: String { label }
}

/// Sources: martingmayer/preventr tests/testthat/test-prevent_equations.R (expect_equal blocks),
/// tests/testthat/_snaps/prevent_equations.md (snapshots) and tests/testthat/test-other_models.R (PREVENT rows).
let publishedPrevent: [PublishedPrevent] = [
    // test-prevent_equations.R: the worked example and one optional predictor at a time, then all three.
    .init(
        label: "base F (AHA worked example)", input: ahaExample(), model: .base,
        tenYear: [14.7, 9.2, 8.1, 4.4, 5.4], thirtyYear: [53.0, 35.4, 39.0, 19.8, 22.1]),
    .init(
        label: "base M", input: ahaExample(sex: .male), model: .base,
        tenYear: [16.3, 10.2, 10.6, 5.6, 5.2], thirtyYear: [51.4, 34.9, 42.4, 21.6, 19.7]),
    .init(
        label: "HbA1c 9.2 F", input: ahaExample(hba1c: 9.2), model: .hba1c,
        tenYear: [16.5, 10.3, 10.7, 5.5, 5.3], thirtyYear: [54.1, 35.6, 44.9, 21.9, 20.0]),
    .init(
        label: "HbA1c 9.2 M", input: ahaExample(sex: .male, hba1c: 9.2), model: .hba1c,
        tenYear: [18.7, 11.2, 13.0, 6.3, 5.6], thirtyYear: [52.4, 34.0, 45.7, 21.1, 18.8]),
    .init(
        label: "UACR 92 F", input: ahaExample(uacr: 92), model: .uacr,
        tenYear: [18.1, 11.1, 10.5, 5.5, 6.5], thirtyYear: [56.5, 38.1, 43.7, 22.0, 24.1]),
    .init(
        label: "UACR 92 M", input: ahaExample(sex: .male, uacr: 92), model: .uacr,
        tenYear: [19.5, 12.3, 13.0, 6.6, 6.3], thirtyYear: [53.5, 36.8, 44.8, 22.7, 21.3]),
    .init(
        label: "ZIP 14738 F", input: ahaExample(zip: "14738"), model: .sdi,
        tenYear: [12.7, 8.0, 7.0, 3.8, 4.7], thirtyYear: [48.5, 32.2, 35.8, 17.9, 20.2]),
    .init(
        label: "ZIP 14738 M", input: ahaExample(sex: .male, zip: "14738"), model: .sdi,
        tenYear: [14.3, 8.8, 8.9, 4.9, 4.3], thirtyYear: [48.0, 31.7, 38.4, 19.9, 17.1]),
    .init(
        label: "full F", input: ahaExample(uacr: 92, hba1c: 9.2, zip: "14738"), model: .full,
        tenYear: [17.4, 10.5, 11.4, 5.6, 5.6], thirtyYear: [53.4, 34.8, 44.3, 21.3, 20.4]),
    .init(
        label: "full M", input: ahaExample(sex: .male, uacr: 92, hba1c: 9.2, zip: "14738"), model: .full,
        tenYear: [19.1, 11.2, 13.1, 6.8, 5.2], thirtyYear: [51.3, 32.6, 43.8, 21.6, 16.7]),

    // _snaps/prevent_equations.md: UACR 40, HbA1c 7.5, the three SDI categories, the full model at 75.
    .init(
        label: "UACR 40 F", input: ahaExample(uacr: 40), model: .uacr,
        tenYear: [16.0, 9.9, 8.9, 4.8, 5.9], thirtyYear: [54.2, 36.3, 40.7, 20.6, 22.9]),
    .init(
        label: "UACR 40 M", input: ahaExample(sex: .male, uacr: 40), model: .uacr,
        tenYear: [17.2, 11.0, 11.0, 5.9, 5.6], thirtyYear: [51.4, 35.5, 42.0, 21.8, 20.2]),
    .init(
        label: "HbA1c 7.5 F", input: ahaExample(hba1c: 7.5), model: .hba1c,
        tenYear: [13.6, 8.3, 8.1, 4.1, 4.6], thirtyYear: [50.1, 32.2, 38.9, 18.2, 18.8]),
    .init(
        label: "HbA1c 7.5 M", input: ahaExample(sex: .male, hba1c: 7.5), model: .hba1c,
        tenYear: [15.5, 9.4, 10.1, 5.1, 4.7], thirtyYear: [49.1, 31.7, 41.1, 19.2, 17.5]),
    .init(
        label: "ZIP 03883 (SDI 3) F", input: ahaExample(zip: "03883"), model: .sdi,
        tenYear: [12.7, 8.0, 7.0, 3.8, 4.7], thirtyYear: [48.5, 32.2, 35.8, 17.9, 20.2]),
    .init(
        label: "ZIP 03883 (SDI 3) M", input: ahaExample(sex: .male, zip: "03883"), model: .sdi,
        tenYear: [14.3, 8.8, 8.9, 4.9, 4.3], thirtyYear: [48.0, 31.7, 38.4, 19.9, 17.1]),
    .init(
        label: "ZIP 49544 (SDI 5) F", input: ahaExample(zip: "49544"), model: .sdi,
        tenYear: [14.4, 9.2, 8.0, 4.5, 5.2], thirtyYear: [51.4, 34.8, 38.0, 20.1, 21.5]),
    .init(
        label: "ZIP 49544 (SDI 5) M", input: ahaExample(sex: .male, zip: "49544"), model: .sdi,
        tenYear: [15.4, 9.4, 9.9, 5.3, 4.7], thirtyYear: [48.7, 32.2, 40.0, 20.3, 17.6]),
    .init(
        label: "ZIP 49507 (SDI 10) F", input: ahaExample(zip: "49507"), model: .sdi,
        tenYear: [15.7, 10.0, 8.9, 4.8, 5.8], thirtyYear: [53.5, 36.7, 40.4, 21.1, 23.2]),
    .init(
        label: "ZIP 49507 (SDI 10) M", input: ahaExample(sex: .male, zip: "49507"), model: .sdi,
        tenYear: [18.2, 11.4, 12.3, 6.2, 5.9], thirtyYear: [53.0, 36.1, 44.7, 22.5, 20.9]),
    .init(
        label: "full, 75, statin, smoker, no DM, F",
        input: ahaExample(age: 75, statin: true, diabetes: false, smoker: true, uacr: 40, hba1c: 7.5, zip: "49507"), model: .full,
        tenYear: [36.1, 22.7, 29.5, 13.7, 12.8], thirtyYear: [49.5, 32.1, 41.2, 20.2, 18.5]),
    .init(
        label: "full, 75, statin, smoker, no DM, M",
        input: ahaExample(sex: .male, age: 75, statin: true, diabetes: false, smoker: true, uacr: 40, hba1c: 7.5, zip: "49507"),
        model: .full, tenYear: [39.4, 26.3, 33.9, 14.1, 17.7], thirtyYear: [44.9, 30.1, 37.9, 16.4, 20.6]),

    // _snaps/prevent_equations.md, "Additional checks of results".
    .init(
        label: "67, HbA1c 9 F", input: ahaExample(age: 67, hba1c: 9), model: .hba1c,
        tenYear: [26.6, 16.3, 20.1, 9.7, 8.2], thirtyYear: [53.5, 34.3, 46.4, 22.0, 18.4]),
    .init(
        label: "67, HbA1c 9 M", input: ahaExample(sex: .male, age: 67, hba1c: 9), model: .hba1c,
        tenYear: [30.9, 19.4, 24.6, 11.2, 10.4], thirtyYear: [50.5, 33.1, 45.1, 20.3, 18.8]),
    .init(
        label: "67, statin, UACR 1000 F", input: ahaExample(age: 67, statin: true, uacr: 1000), model: .uacr,
        tenYear: [35.3, 22.2, 28.9, 12.7, 12.4], thirtyYear: [61.3, 41.9, 53.4, 26.5, 25.2]),
    .init(
        label: "67, statin, UACR 1000 M", input: ahaExample(sex: .male, age: 67, statin: true, uacr: 1000), model: .uacr,
        tenYear: [39.8, 26.0, 34.9, 15.5, 15.1], thirtyYear: [58.2, 40.7, 52.2, 26.2, 25.0]),
    .init(
        label: "71, HbA1c + UACR, no ZIP (full, missing SDI) F", input: ahaExample(age: 71, statin: true, uacr: 1000, hba1c: 9),
        model: .full, tenYear: [41.4, 26.1, 38.4, 17.1, 13.6], thirtyYear: [59.3, 39.4, 55.5, 27.2, 21.8]),
    .init(
        label: "71, HbA1c + UACR, no ZIP (full, missing SDI) M",
        input: ahaExample(sex: .male, age: 71, statin: true, uacr: 1000, hba1c: 9), model: .full,
        tenYear: [47.8, 30.4, 44.7, 19.1, 17.3], thirtyYear: [55.2, 35.6, 51.2, 22.9, 20.8]),
    .init(
        label: "71, HbA1c + UACR + ZIP 49507 F", input: ahaExample(age: 71, statin: true, uacr: 1000, hba1c: 9, zip: "49507"),
        model: .full, tenYear: [42.5, 27.4, 39.5, 18.0, 14.4], thirtyYear: [59.9, 40.7, 56.3, 28.3, 22.7]),
    .init(
        label: "71, HbA1c + UACR + ZIP 49507 M",
        input: ahaExample(sex: .male, age: 71, statin: true, uacr: 1000, hba1c: 9, zip: "49507"), model: .full,
        tenYear: [51.1, 33.2, 48.9, 21.3, 19.2], thirtyYear: [57.7, 37.9, 54.6, 24.9, 22.5]),
    .init(
        label: "71, untreated SBP 145, HbA1c 6.7, UACR 10 F", input: ahaExample(age: 71, sbp: 145, treated: false, uacr: 10, hba1c: 6.7),
        model: .full, tenYear: [16.3, 10.0, 11.1, 5.8, 5.2], thirtyYear: [35.7, 22.0, 27.5, 13.5, 11.8]),
    .init(
        label: "71, untreated SBP 145, HbA1c 6.7, UACR 10 M",
        input: ahaExample(sex: .male, age: 71, sbp: 145, treated: false, uacr: 10, hba1c: 6.7), model: .full,
        tenYear: [20.3, 13.4, 14.1, 8.2, 6.2], thirtyYear: [35.7, 23.7, 27.8, 15.1, 11.6]),
    .init(
        label: "35, SBP 145, UACR 10 F", input: ahaExample(age: 35, sbp: 145, uacr: 10), model: .uacr,
        tenYear: [6.0, 3.9, 2.8, 1.8, 2.3], thirtyYear: [32.5, 19.9, 20.2, 10.2, 11.7]),
    .init(
        label: "35, SBP 145, UACR 10 M", input: ahaExample(sex: .male, age: 35, sbp: 145, uacr: 10), model: .uacr,
        tenYear: [6.1, 4.0, 3.1, 2.2, 1.8], thirtyYear: [30.5, 19.7, 20.7, 11.4, 9.1]),

    // test-other_models.R: the PREVENT rows next to the PCE comparison, one input changed at a time.
    .init(
        label: "67 F", input: ahaExample(age: 67), model: .base,
        tenYear: [23.0, 14.0, 14.7, 7.3, 7.9], thirtyYear: [51.4, 32.9, 39.0, 18.8, 19.4]),
    .init(
        label: "59 M", input: ahaExample(sex: .male, age: 59), model: .base,
        tenYear: [21.1, 13.4, 14.6, 7.5, 7.0], thirtyYear: [51.8, 35.5, 43.3, 22.2, 20.3]),
    .init(
        label: "59 M, SBP 148", input: ahaExample(sex: .male, age: 59, sbp: 148), model: .base,
        tenYear: [18.7, 11.7, 12.7, 6.6, 5.9], thirtyYear: [48.7, 32.5, 40.2, 20.4, 17.8]),
    .init(
        label: "59 M, SBP 148 untreated", input: ahaExample(sex: .male, age: 59, sbp: 148, treated: false), model: .base,
        tenYear: [15.3, 10.0, 10.2, 6.0, 4.7], thirtyYear: [43.7, 29.9, 35.0, 19.6, 15.2]),
    .init(
        label: "59 M, TC 189", input: ahaExample(sex: .male, age: 59, total: 189, sbp: 148, treated: false), model: .base,
        tenYear: [15.1, 9.6, 10.2, 5.6, 4.6], thirtyYear: [43.3, 29.0, 35.0, 18.5, 15.1]),
    .init(
        label: "59 M, HDL 60", input: ahaExample(sex: .male, age: 59, hdl: 60, sbp: 148, treated: false), model: .base,
        tenYear: [13.6, 8.4, 10.2, 4.5, 4.4], thirtyYear: [40.1, 25.8, 35.0, 15.1, 14.5]),
    .init(
        label: "59 M, statin", input: ahaExample(sex: .male, age: 59, hdl: 60, sbp: 148, treated: false, statin: true), model: .base,
        tenYear: [12.3, 7.9, 10.2, 4.3, 4.0], thirtyYear: [39.9, 26.3, 35.0, 15.9, 14.4]),
    .init(
        label: "59 M, no diabetes",
        input: ahaExample(sex: .male, age: 59, hdl: 60, sbp: 148, treated: false, statin: true, diabetes: false), model: .base,
        tenYear: [6.7, 4.3, 4.8, 2.3, 2.3], thirtyYear: [30.1, 19.4, 23.6, 11.2, 10.7]),
    .init(
        label: "59 M, smoker",
        input: ahaExample(sex: .male, age: 59, hdl: 60, sbp: 148, treated: false, statin: true, diabetes: false, smoker: true),
        model: .base, tenYear: [9.6, 6.0, 7.4, 3.2, 3.2], thirtyYear: [33.4, 21.3, 27.1, 12.2, 11.9]),
    .init(
        label: "59 M, eGFR 67",
        input: ahaExample(sex: .male, age: 59, hdl: 60, sbp: 148, treated: false, statin: true, diabetes: false, smoker: true, egfr: 67),
        model: .base, tenYear: [9.9, 6.2, 7.6, 3.3, 3.3], thirtyYear: [35.5, 22.8, 29.1, 13.2, 12.8]),
    .init(
        label: "F, BMI 28", input: ahaExample(bmi: 28), model: .base,
        tenYear: [14.7, 9.2, 6.1, 4.4, 5.4], thirtyYear: [53.0, 35.4, 32.6, 19.8, 22.1]),
    .init(
        label: "F, BMI 28, HbA1c 9", input: ahaExample(bmi: 28, hba1c: 9), model: .hba1c,
        tenYear: [16.1, 10.0, 7.9, 5.3, 5.2], thirtyYear: [53.6, 35.2, 37.5, 21.4, 19.9]),
    .init(
        label: "F, BMI 28, ZIP 46350", input: ahaExample(bmi: 28, zip: "46350"), model: .sdi,
        tenYear: [14.4, 9.2, 6.2, 4.5, 5.2], thirtyYear: [51.4, 34.8, 32.2, 20.1, 21.5]),
    .init(
        label: "F, BMI 28, UACR 460", input: ahaExample(bmi: 28, uacr: 460), model: .uacr,
        tenYear: [22.8, 13.7, 11.0, 6.9, 8.1], thirtyYear: [61.0, 41.6, 42.6, 24.8, 26.5]),
    .init(
        label: "F, BMI 28, all three", input: ahaExample(bmi: 28, uacr: 460, hba1c: 9, zip: "46350"), model: .full,
        tenYear: [23.5, 14.1, 12.8, 7.8, 7.4], thirtyYear: [59.6, 40.1, 44.4, 25.6, 23.5]),
]

@Suite struct PreventTests {
    let prevent: PreventEquations

    init() throws { prevent = try PreventEquations.bundled() }

    @Test(arguments: publishedPrevent)
    func reproducesPublishedRisks(_ example: PublishedPrevent) throws {
        let results = try prevent.estimate(example.input)
        #expect(results.count == 10)
        let expected = example.tenYear + example.thirtyYear
        for (index, result) in results.enumerated() {
            let outcome = PreventOutcome.allCases[index % 5]
            let years = index < 5 ? 10 : 30
            #expect(result.outcome == outcome.outcome(horizonYears: years))
            #expect(result.horizonYears == Double(years))
            #expect(result.unit == "%")
            #expect(result.equation.id == "prevent-\(example.model.rawValue)")
            let value = try #require(result.value)
            #expect(abs(value - expected[index]) <= 0.05 + 1e-9, "\(years)-year \(outcome): \(value) vs \(expected[index])")
        }
    }

    @Test func workedExampleAsTheBriefStatesIt() throws {
        let results = try prevent.estimate(ahaExample())
        func percent(_ outcome: PreventOutcome, _ years: Int) throws -> Double {
            let result = try #require(results.first { $0.outcome == outcome.outcome(horizonYears: years) })
            return ((try #require(result.value)) * 10).rounded() / 10
        }
        #expect(try percent(.totalCVD, 10) == 14.7)
        #expect(try percent(.ascvd, 10) == 9.2)
        #expect(try percent(.heartFailure, 10) == 8.1)
        #expect(try percent(.chd, 10) == 4.4)
        #expect(try percent(.stroke, 10) == 5.4)
        #expect(try percent(.totalCVD, 30) == 53.0)
        #expect(try percent(.ascvd, 30) == 35.4)
        #expect(try percent(.heartFailure, 30) == 39.0)
        let male = try prevent.estimate(ahaExample(sex: .male))
        #expect(((try #require(male[0].value)) * 10).rounded() / 10 == 16.3)
        #expect(results.allSatisfy { $0.warnings.isEmpty && $0.disclaimer == nil })
        #expect(results[0].equation.name == "AHA PREVENT (base model), 2023")
        #expect(results[0].equation.citation.contains("10.1161/CIRCULATIONAHA.123.067626"))
        #expect(results[0].equation.population.contains("over 6 million"))
        #expect(results[0].equation.knowledge == RiskPack.label(try KnowledgePack.bundled("risk")))
    }

    // preventr's prep_terms snapshot (dat: 65 y, F, SBP 160 treated, TC 200, HDL 50, no statin, diabetes, non-smoker,
    // eGFR 90, BMI 35, HbA1c 8.5, UACR 40, ZIP 10001).
    @Test func termsMatchPreventrPrepTerms() {
        var p = PreventPredictors(
            age: 65, totalMmolPerL: 200 * 0.02586, hdlMmolPerL: 50 * 0.02586, systolicBP: 160, onBPTreatment: true, onStatin: false,
            smoker: false, diabetes: true, egfr: 90, bmi: 35, uacr: 40, hba1c: 8.5, sdiDecile: 7)
        let expected: [PreventTerm: Double] = [
            .age: 1, .ageSquared: 1, .nonHDL: 0.379, .hdl: -0.02333333, .sbpBelow110: 0, .sbp110AndAbove: 1.5, .diabetes: 1, .smoking: 0,
            .bmiBelow30: 1, .bmi30AndAbove: 1, .egfrBelow60: 0, .egfr60AndAbove: 0, .bpTreatment: 1, .statin: 0, .bpTreatmentSBP: 1.5,
            .statinNonHDL: 0, .ageNonHDL: 0.379, .ageHDL: -0.02333333, .ageSBP: 1.5, .ageDiabetes: 1, .ageSmoking: 0, .ageBMI: 1,
            .ageEGFR: 0, .sdi4To6: 0, .sdi7To10: 1, .missingSDI: 0, .lnUACR: 3.68887945, .missingUACR: 0, .hba1cDiabetes: 3.2,
            .hba1cNoDiabetes: 0, .missingHbA1c: 0, .constant: 1,
        ]
        var terms = PreventEquations.terms(p)
        for term in PreventTerm.allCases {
            #expect(abs(terms[term.rawValue] - expected[term]!) < 5e-8, "\(term.csvName): \(terms[term.rawValue])")
        }
        // No diabetes: HbA1c moves to the no-DM term; missing optional predictors switch their indicators on.
        p.diabetes = false
        p.uacr = nil
        p.hba1c = 8.5
        p.sdiDecile = nil
        terms = PreventEquations.terms(p)
        #expect(terms[PreventTerm.hba1cDiabetes.rawValue] == 0)
        #expect(abs(terms[PreventTerm.hba1cNoDiabetes.rawValue] - 3.2) < 1e-12)
        #expect(terms[PreventTerm.lnUACR.rawValue] == 0)
        #expect(terms[PreventTerm.missingUACR.rawValue] == 1)
        #expect(terms[PreventTerm.missingSDI.rawValue] == 1)
        #expect(terms[PreventTerm.missingHbA1c.rawValue] == 0)
        // SDI 4–6 and 1–3 (reference).
        p.sdiDecile = 5
        terms = PreventEquations.terms(p)
        #expect(terms[PreventTerm.sdi4To6.rawValue] == 1 && terms[PreventTerm.sdi7To10.rawValue] == 0)
        p.sdiDecile = 2
        terms = PreventEquations.terms(p)
        #expect(terms[PreventTerm.sdi4To6.rawValue] == 0 && terms[PreventTerm.sdi7To10.rawValue] == 0)
        #expect(terms[PreventTerm.missingSDI.rawValue] == 0)
    }

    // SDI deciles: preventr's get_sdi snapshots (03883 → 3, 49544 → 5, 49507 → 10), its prep_terms categories
    // (44221 → 4–6, 01005 → 1–3, 10001 → 7–10), and the CSV for the rest.
    @Test(arguments: [
        ("03883", SDILookup.decile(3)), ("49544", .decile(5)), ("49507", .decile(10)), ("14738", .decile(3)), ("46350", .decile(6)),
        ("44221", .decile(5)), ("01005", .decile(2)), ("10001", .decile(7)), ("01001", .decile(4)), ("49507-1234", .decile(10)),
        (" 49507 ", .decile(10)), ("01066", .noDecile), ("99999", .unknownZIP), ("00000", .unknownZIP),
    ])
    func sdiLookup(zip: String, expected: SDILookup) throws {
        #expect(try prevent.sdi(zip: zip) == expected)
    }

    @Test(arguments: ["1234", "123456", "ABCDE", "4950-71234", "", "49507-12"])
    func malformedZIPThrows(zip: String) {
        #expect(throws: RiskInputError(equation: "PREVENT", field: "zip", problem: .invalid("'\(zip)' is not a 5-digit US ZIP code"))) {
            try prevent.sdi(zip: zip)
        }
    }

    struct ModelChoice: Sendable, CustomTestStringConvertible {
        let uacr: Double?
        let hba1c: Double?
        let zip: String?
        let expected: PreventModel
        var testDescription: String {
            "UACR \(uacr.map { "\($0)" } ?? "–") HbA1c \(hba1c.map { "\($0)" } ?? "–") ZIP \(zip ?? "–") → \(expected)"
        }
    }

    @Test(arguments: [
        ModelChoice(uacr: nil, hba1c: nil, zip: nil, expected: .base),
        ModelChoice(uacr: 40, hba1c: nil, zip: nil, expected: .uacr),
        ModelChoice(uacr: nil, hba1c: 7.5, zip: nil, expected: .hba1c),
        ModelChoice(uacr: nil, hba1c: nil, zip: "49507", expected: .sdi),
        ModelChoice(uacr: 40, hba1c: 7.5, zip: nil, expected: .full),
        ModelChoice(uacr: 40, hba1c: nil, zip: "49507", expected: .full),
        ModelChoice(uacr: nil, hba1c: 7.5, zip: "49507", expected: .full),
        ModelChoice(uacr: 40, hba1c: 7.5, zip: "49507", expected: .full),
        // A ZIP without a decile, or not in the table, is missing SDI and does not count.
        ModelChoice(uacr: nil, hba1c: nil, zip: "99999", expected: .base),
        ModelChoice(uacr: nil, hba1c: nil, zip: "01066", expected: .base),
        ModelChoice(uacr: 40, hba1c: nil, zip: "99999", expected: .uacr),
        ModelChoice(uacr: nil, hba1c: 7.5, zip: "01066", expected: .hba1c),
        ModelChoice(uacr: 40, hba1c: 7.5, zip: "99999", expected: .full),
    ])
    func automaticModelChoice(_ choice: ModelChoice) throws {
        let input = ahaExample(age: 45, sbp: 148, statin: true, uacr: choice.uacr, hba1c: choice.hba1c, zip: choice.zip)
        let results = try prevent.estimate(input)
        #expect(results.allSatisfy { $0.equation.id == "prevent-\(choice.expected.rawValue)" })
    }

    @Test func unknownZIPIsTheSameAsNoZIPWithAWarning() throws {
        // preventr: "Invalid zip is same as no zip" and, with UACR and HbA1c, the full model either way.
        for (uacr, hba1c) in [(nil, nil), (40.0, 7.5)] as [(Double?, Double?)] {
            let unknown = try prevent.estimate(ahaExample(uacr: uacr, hba1c: hba1c, zip: "99999"))
            let none = try prevent.estimate(ahaExample(uacr: uacr, hba1c: hba1c))
            #expect(unknown.map(\.value) == none.map(\.value))
            #expect(unknown[0].warnings.contains { $0.hasPrefix("ZIP 99999 is not in the SDI table") })
        }
        let noDecile = try prevent.estimate(ahaExample(uacr: 40, hba1c: 7.5, zip: "01066"))
        #expect(noDecile.map(\.value) == (try prevent.estimate(ahaExample(uacr: 40, hba1c: 7.5))).map(\.value))
        #expect(
            noDecile[0].warnings == [
                "ZIP 01066 has no SDI decile: the full model: UACR, HbA1c and SDI (chosen automatically) uses its missing-SDI term"
            ])
        #expect(noDecile[0].disclaimer == nil)
    }

    @Test func sdiResultsCarryTheAttribution() throws {
        let results = try prevent.estimate(ahaExample(zip: "49507"))
        #expect(results.allSatisfy { $0.disclaimer?.contains("Robert Graham Center") == true })
    }

    @Test func missingIndicatorsStandInForAbsentPredictors() throws {
        // Forcing the full model with no optional predictor uses all three missing terms, which differs from base.
        let full = try prevent.estimate(ahaExample(model: .full))
        let base = try prevent.estimate(ahaExample())
        #expect(full[0].equation.id == "prevent-full")
        #expect(full[0].value != base[0].value)
        #expect(full[0].warnings.count == 3)
        #expect(full[0].warnings.allSatisfy { $0.contains("(chosen by the caller) uses its missing-") })
        // By hand from the pack: the full 10-year female total-CVD column with missing_* = 1.
        let terms = PreventEquations.terms(
            PreventPredictors(
                age: 50, totalMmolPerL: 200 * 0.02586, hdlMmolPerL: 45 * 0.02586, systolicBP: 160, onBPTreatment: true, onStatin: false,
                smoker: false, diabetes: true, egfr: 90, bmi: 35, uacr: nil, hba1c: nil, sdiDecile: nil))
        #expect(terms[PreventTerm.missingUACR.rawValue] == 1 && terms[PreventTerm.missingHbA1c.rawValue] == 1)
        let byHand = prevent.risk(model: .full, horizon: 0, sex: .female, outcome: 0, terms: terms) * 100
        #expect(abs(try #require(full[0].value) - byHand) < 1e-12)
    }

    @Test func forcedModelIgnoresPredictorsItDoesNotUse() throws {
        let forced = try prevent.estimate(ahaExample(uacr: 92, hba1c: 9.2, zip: "14738", model: .base))
        let base = try prevent.estimate(ahaExample())
        #expect(forced.map(\.value) == base.map(\.value))
        #expect(
            forced[0].warnings == [
                "UACR given but not used by the base model (chosen by the caller)",
                "HbA1c given but not used by the base model (chosen by the caller)",
                "ZIP given but its SDI is not used by the base model (chosen by the caller)",
            ])
        let uacrOnly = try prevent.estimate(ahaExample(uacr: 92, hba1c: 9.2, model: .uacr))
        let auto = try prevent.estimate(ahaExample(uacr: 92))
        #expect(uacrOnly.map(\.value) == auto.map(\.value))
        #expect(uacrOnly[0].equation.id == "prevent-uacr")
    }

    @Test func thirtyYearHorizonWarnsAbove59() throws {
        for (age, warns) in [(59.0, false), (60.0, true), (67.0, true)] {
            let results = try prevent.estimate(ahaExample(age: age))
            #expect(results[..<5].allSatisfy { $0.warnings.isEmpty })
            #expect(results[5...].allSatisfy { $0.warnings.contains { $0.hasPrefix("30-year horizon intended for ages 30–59") } == warns })
            #expect(results.allSatisfy { $0.value != nil })
        }
    }

    @Test(arguments: [PreventModel.base, .full])
    func mmolPerLGivesTheSameRisksAsMgPerDL(model: PreventModel) throws {
        var mmol = ahaExample(uacr: 40, hba1c: 7.5, zip: "49507", model: model)
        mmol.cholesterolUnit = .mmolPerL
        mmol.totalCholesterol = 200 * 0.02586
        mmol.hdl = 45 * 0.02586
        let a = try prevent.estimate(ahaExample(uacr: 40, hba1c: 7.5, zip: "49507", model: model))
        let b = try prevent.estimate(mmol)
        for (x, y) in zip(a, b) { #expect(abs(try #require(x.value) - (try #require(y.value))) < 1e-9) }
    }

    /// One validity bound: just inside gives risks, just outside a reason naming the input.
    struct Bound: Sendable, CustomTestStringConvertible {
        let label: String
        let value: Double
        let inside: Bool
        var testDescription: String { "\(label) \(value) \(inside ? "inside" : "outside")" }
        func apply(_ input: inout PreventInput) {
            switch label {
            case "age": input.age = value
            case "total cholesterol": input.totalCholesterol = value
            case "HDL cholesterol": input.hdl = value
            case "systolic BP": input.systolicBP = value
            case "BMI": input.bmi = value
            case "eGFR": input.egfr = value
            case "UACR": input.uacr = value
            default: input.hba1c = value
            }
        }
    }

    @Test(arguments: [
        Bound(label: "age", value: 30, inside: true), Bound(label: "age", value: 29.9, inside: false),
        Bound(label: "age", value: 79, inside: true), Bound(label: "age", value: 79.1, inside: false),
        Bound(label: "total cholesterol", value: 130, inside: true), Bound(label: "total cholesterol", value: 129.9, inside: false),
        Bound(label: "total cholesterol", value: 320, inside: true), Bound(label: "total cholesterol", value: 320.1, inside: false),
        Bound(label: "HDL cholesterol", value: 20, inside: true), Bound(label: "HDL cholesterol", value: 19.9, inside: false),
        Bound(label: "HDL cholesterol", value: 100, inside: true), Bound(label: "HDL cholesterol", value: 100.1, inside: false),
        Bound(label: "systolic BP", value: 90, inside: true), Bound(label: "systolic BP", value: 89.9, inside: false),
        Bound(label: "systolic BP", value: 180, inside: true), Bound(label: "systolic BP", value: 180.1, inside: false),
        Bound(label: "BMI", value: 18.5, inside: true), Bound(label: "BMI", value: 18.4, inside: false),
        Bound(label: "BMI", value: 39.9, inside: true), Bound(label: "BMI", value: 40, inside: false),
        Bound(label: "eGFR", value: 15, inside: true), Bound(label: "eGFR", value: 14.9, inside: false),
        Bound(label: "eGFR", value: 140, inside: true), Bound(label: "eGFR", value: 140.1, inside: false),
        Bound(label: "UACR", value: 0.1, inside: true), Bound(label: "UACR", value: 0.09, inside: false),
        Bound(label: "UACR", value: 25_000, inside: true), Bound(label: "UACR", value: 25_000.1, inside: false),
        Bound(label: "HbA1c", value: 4.5, inside: true), Bound(label: "HbA1c", value: 4.4, inside: false),
        Bound(label: "HbA1c", value: 15, inside: true), Bound(label: "HbA1c", value: 15.1, inside: false),
    ])
    func validityBoundaries(_ bound: Bound) throws {
        var input = ahaExample()
        bound.apply(&input)
        let results = try prevent.estimate(input)
        #expect(results.count == 10)
        if bound.inside {
            #expect(results.allSatisfy { $0.value != nil && $0.notApplicable.isEmpty })
        } else {
            #expect(results.allSatisfy { $0.value == nil && $0.notApplicable.count == 1 })
            #expect(results[0].notApplicable[0].hasPrefix(bound.label + " "), "\(results[0].notApplicable)")
            #expect(results[0].notApplicable[0].contains("the range PREVENT was derived in"))
        }
    }

    @Test func everyOffendingInputGetsItsOwnReason() throws {
        let results = try prevent.estimate(ahaExample(age: 82, sbp: 190, egfr: 10, bmi: 45, uacr: 30_000))
        #expect(results.allSatisfy { $0.value == nil })
        #expect(
            results[8].notApplicable == [
                "age 82 years is outside 30–79 years, the range PREVENT was derived in",
                "systolic BP 190 mmHg is outside 90–180 mmHg, the range PREVENT was derived in (the paper allows up to 200; above 180 is hypertensive urgency)",
                "BMI 45 kg/m² is outside 18.5–39.9 kg/m², the range PREVENT was derived in",
                "eGFR 10 mL/min/1.73m² is outside 15–140 mL/min/1.73m², the range PREVENT was derived in",
                "UACR 30000 mg/g is outside 0.1–25000 mg/g, the range PREVENT was derived in",
            ])
        #expect(results[8].equation.id == "prevent-uacr")
        #expect(results[8].outcome == "30-year coronary heart disease")
    }

    struct Impossible: Sendable, CustomTestStringConvertible {
        let input: PreventInput
        let field: String
        let message: String
        var testDescription: String { message }
    }

    @Test(arguments: [
        Impossible(input: ahaExample(sbp: 30), field: "systolicBP", message: "PREVENT: systolicBP 30 mmHg is outside the accepted range 60–300 mmHg"),
        Impossible(
            input: ahaExample(hdl: 1.2), field: "hdl",
            message: "PREVENT: hdl 1.2 mg/dL is outside the accepted range 5–300 mg/dL (was it given in mmol/L?)"),
        Impossible(input: ahaExample(age: 8), field: "age", message: "PREVENT: age 8 years is outside the accepted range 18–120 years"),
        Impossible(input: ahaExample(bmi: 3.5), field: "bmi", message: "PREVENT: bmi 3.5 kg/m² is outside the accepted range 10–100 kg/m²"),
        Impossible(
            input: ahaExample(egfr: 0), field: "egfr", message: "PREVENT: egfr 0 mL/min/1.73m² is outside the accepted range 1–250 mL/min/1.73m²"),
        Impossible(
            input: ahaExample(uacr: -1), field: "uacr", message: "PREVENT: uacr -1 mg/g is outside the accepted range 0–100000 mg/g"),
        Impossible(
            input: ahaExample(hba1c: 53), field: "hba1c",
            message: "PREVENT: hba1c 53 % is outside the accepted range 2–25 % (was it given in mmol/mol (IFCC)? PREVENT needs % (NGSP))"),
        Impossible(
            input: ahaExample(total: 40, hdl: 45), field: "totalCholesterol",
            message: "PREVENT: totalCholesterol 40 mg/dL is outside the accepted range 50–1000 mg/dL"),
        Impossible(
            input: ahaExample(total: 150, hdl: 150), field: "hdl",
            message: "PREVENT: hdl: HDL cholesterol 150 mg/dL is not below total cholesterol 150 mg/dL, which contains it"),
        Impossible(input: ahaExample(zip: "4950"), field: "zip", message: "PREVENT: zip: '4950' is not a 5-digit US ZIP code"),
    ])
    func impossibleValuesThrow(_ example: Impossible) {
        #expect {
            _ = try prevent.estimate(example.input)
        } throws: { error in
            guard let error = error as? RiskInputError else { return false }
            return error.field == example.field && error.description == example.message
        }
    }

    @Test func jsonInput() throws {
        let json = """
            {"sex":"female","age":50,"totalCholesterol":200,"hdl":45,"systolicBP":160,"onBPTreatment":true,"onStatin":false,
             "smoker":false,"diabetes":true,"egfr":90,"bmi":35,"zip":"14738"}
            """
        let input = try JSONDecoder().decode(PreventInput.self, from: Data(json.utf8))
        #expect(input == ahaExample(zip: "14738"))
        #expect(try JSONDecoder().decode(PreventInput.self, from: JSONEncoder().encode(input)) == input)
    }

    @Test func modelIndexFollowsAllCases() {
        #expect(PreventModel.allCases.map(\.index) == Array(0..<5))
    }

    @Test func packTablesAreComplete() throws {
        // Spot checks against Appendix A: base 10-yr female total-CVD constant and age; full 30-yr male SDI 7–10.
        func coefficient(_ model: PreventModel, _ horizon: Int, _ sex: Int, _ outcome: Int, _ term: PreventTerm) -> Double {
            prevent.coefficients[
                PreventEquations.offset(
                    model: model.index, horizon: horizon, sex: sex, outcome: outcome) + term.rawValue]
        }
        #expect(coefficient(.base, 0, 0, 0, .constant) == -3.307728)
        #expect(coefficient(.base, 0, 0, 0, .age) == 0.7939329)
        #expect(coefficient(.base, 0, 0, 0, .ageSquared) == 0)
        #expect(coefficient(.base, 1, 0, 0, .ageSquared) == -0.0928369)
        #expect(coefficient(.full, 1, 1, 0, .sdi7To10) == 0.1887637)
        #expect(coefficient(.uacr, 0, 1, 2, .missingUACR) == 0.1472194)
        #expect(coefficient(.base, 0, 0, 0, .lnUACR) == 0)
    }

    /// Not a pass/fail test: prints the time per patient (run `swift test -c release -Xswiftc -enable-testing
    /// --filter benchmark` for release numbers).
    @Test func benchmark() throws {
        let pce = try PooledCohortEquations.bundled()
        let patients = (0..<1000).map { (i: Int) -> PreventInput in
            let sex: Sex = i % 2 == 0 ? .female : .male
            let age = 40 + Double(i % 39)
            let total = 150 + Double(i % 150)
            let hdl = 30 + Double(i % 60)
            let sbp = 100 + Double(i % 80)
            let uacr: Double? = i % 3 == 0 ? 30 : nil
            let hba1c: Double? = i % 5 == 0 ? 6.5 : nil
            let zip: String? = i % 7 == 0 ? "49507" : nil
            return ahaExample(sex: sex, age: age, total: total, hdl: hdl, sbp: sbp, uacr: uacr, hba1c: hba1c, zip: zip)
        }
        let pceInputs = patients.map {
            PooledCohortInput(
                sex: $0.sex, race: .white, age: $0.age, totalCholesterol: $0.totalCholesterol, hdl: $0.hdl, systolicBP: $0.systolicBP,
                onBPTreatment: $0.onBPTreatment, smoker: $0.smoker, diabetes: $0.diabetes)
        }
        let kidney = patients.map { KidneyFunctionInput(sex: $0.sex, age: $0.age, creatinine: 0.5 + $0.age / 80) }
        let rounds = 5
        let clock = ContinuousClock()
        var checksum = 0.0
        let preventTime = clock.measure {
            for _ in 0..<rounds { for p in patients { checksum += (try? prevent.estimate(p))?[0].value ?? 0 } }
        }
        let pceTime = clock.measure {
            for _ in 0..<rounds { for p in pceInputs { checksum += (try? pce.estimate(p))?.value ?? 0 } }
        }
        let egfrTime = clock.measure {
            for _ in 0..<rounds { for k in kidney { checksum += (try? KidneyFunction.ckdEpi2021(k))?.value ?? 0 } }
        }
        let n = Double(rounds * patients.count)
        func microseconds(_ d: Duration) -> String {
            let (seconds, attoseconds) = d.components
            return RiskFormat.number((Double(seconds) + Double(attoseconds) * 1e-18) / n * 1e6, digits: 3)
        }
        print(
            "benchmark µs/patient: PREVENT (10 results) \(microseconds(preventTime)), PCE \(microseconds(pceTime)), "
                + "CKD-EPI 2021 \(microseconds(egfrTime)) (checksum \(RiskFormat.number(checksum, digits: 0)))")
        #expect(checksum > 0)
    }
}
