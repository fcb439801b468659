import Foundation
import Testing

@testable import Risk

/// A published eGFR (whole mL/min/1.73m², as preventr's `calc_egfr` rounds).
struct PublishedEGFR: Sendable, CustomTestStringConvertible {
    let creatinine: Double
    let unit: CreatinineUnit
    let sex: Sex
    let age: Double
    let expected: Double
    var testDescription: String { "\(creatinine) \(unit.rawValue) \(sex) \(Int(age)) y → \(Int(expected))" }
}

@Suite struct KidneyFunctionTests {
    // preventr tests/testthat/test-helpers.R (`calc_egfr`, CKD-EPI 2021); the first two are the brief's examples.
    @Test(arguments: [
        PublishedEGFR(creatinine: 1.5, unit: .mgPerDL, sex: .female, age: 43, expected: 44),
        PublishedEGFR(creatinine: 88, unit: .umolPerL, sex: .male, age: 43, expected: 96),
        PublishedEGFR(creatinine: 1.5, unit: .mgPerDL, sex: .female, age: 55, expected: 41),
        PublishedEGFR(creatinine: 1.5, unit: .mgPerDL, sex: .male, age: 55, expected: 55),
        PublishedEGFR(creatinine: 1.5, unit: .mgPerDL, sex: .male, age: 43, expected: 59),
        PublishedEGFR(creatinine: 102, unit: .umolPerL, sex: .female, age: 43, expected: 60),
        PublishedEGFR(creatinine: 111, unit: .umolPerL, sex: .male, age: 77, expected: 59),
        PublishedEGFR(creatinine: 155, unit: .umolPerL, sex: .female, age: 43, expected: 37),
    ])
    func ckdEpi2021MatchesPublishedValues(_ example: PublishedEGFR) throws {
        let input = KidneyFunctionInput(sex: example.sex, age: example.age, creatinine: example.creatinine, creatinineUnit: example.unit)
        let result = try KidneyFunction.ckdEpi2021(input)
        let value = try #require(result.value)
        #expect(value.rounded() == example.expected, "\(value)")
        #expect(result.unit == "mL/min/1.73m²")
        #expect(result.horizonYears == nil)
        #expect(result.equation.id == "ckd-epi-2021-cr")
        #expect(result.equation.citation.contains("Inker LA"))
        #expect(result.warnings.isEmpty)
    }

    @Test(arguments: Sex.allCases)
    func micromolesAndMilligramsAgree(sex: Sex) throws {
        for mg in [0.5, 0.7, 0.9, 1.2, 3.0] {
            let a = try KidneyFunction.ckdEpi2021(KidneyFunctionInput(sex: sex, age: 60, creatinine: mg))
            let b = try KidneyFunction.ckdEpi2021(KidneyFunctionInput(sex: sex, age: 60, creatinine: mg * 88.4, creatinineUnit: .umolPerL))
            #expect(abs(try #require(a.value) - (try #require(b.value))) < 1e-9)
        }
    }

    @Test func kneeOfTheSplineIsContinuous() {
        // At Scr = κ both power terms are 1: 142 · 0.9938^age (· 1.012 for women).
        #expect(abs(KidneyFunction.egfr2021(creatinineMgPerDL: 0.7, age: 50, sex: .female) - 142 * pow(0.9938, 50) * 1.012) < 1e-9)
        #expect(abs(KidneyFunction.egfr2021(creatinineMgPerDL: 0.9, age: 50, sex: .male) - 142 * pow(0.9938, 50)) < 1e-9)
        // Below κ the α exponent applies, above it −1.200.
        #expect(abs(KidneyFunction.egfr2021(creatinineMgPerDL: 1.8, age: 0, sex: .male) - 142 * pow(2, -1.2)) < 1e-9)
        #expect(abs(KidneyFunction.egfr2021(creatinineMgPerDL: 0.45, age: 0, sex: .male) - 142 * pow(0.5, -0.302)) < 1e-9)
    }

    @Test func adultsOnly() throws {
        let adult = try KidneyFunction.ckdEpi2021(KidneyFunctionInput(sex: .female, age: 18, creatinine: 0.8))
        #expect(adult.value != nil)
        let child = try KidneyFunction.ckdEpi2021(KidneyFunctionInput(sex: .female, age: 17.9, creatinine: 0.8))
        #expect(child.value == nil)
        #expect(child.notApplicable == ["age 17.9 years is below 18 years: CKD-EPI 2021 is an equation for adults"])
    }

    struct Impossible: Sendable, CustomTestStringConvertible {
        let input: KidneyFunctionInput
        let field: String
        let message: String
        var testDescription: String { message }
    }

    @Test(arguments: [
        Impossible(
            input: KidneyFunctionInput(sex: .male, age: 43, creatinine: 88), field: "creatinine",
            message: "CKD-EPI 2021: creatinine 88 mg/dL is outside the accepted range 0.1–20 mg/dL (was it given in µmol/L?)"),
        Impossible(
            input: KidneyFunctionInput(sex: .male, age: 43, creatinine: 1.1, creatinineUnit: .umolPerL), field: "creatinine",
            message: "CKD-EPI 2021: creatinine 1.1 µmol/L is outside the accepted range 8.84–1768 µmol/L (was it given in mg/dL?)"),
        Impossible(
            input: KidneyFunctionInput(sex: .male, age: 43, creatinine: 0), field: "creatinine",
            message: "CKD-EPI 2021: creatinine 0 mg/dL is outside the accepted range 0.1–20 mg/dL"),
        Impossible(
            input: KidneyFunctionInput(sex: .male, age: 43, creatinine: 5000, creatinineUnit: .umolPerL), field: "creatinine",
            message: "CKD-EPI 2021: creatinine 5000 µmol/L is outside the accepted range 8.84–1768 µmol/L"),
        Impossible(
            input: KidneyFunctionInput(sex: .female, age: -1, creatinine: 1), field: "age",
            message: "CKD-EPI 2021: age -1 years is outside the accepted range 0–120 years"),
    ])
    func impossibleValuesThrow(_ example: Impossible) {
        #expect {
            _ = try KidneyFunction.ckdEpi2021(example.input)
        } throws: { error in
            guard let error = error as? RiskInputError else { return false }
            return error.field == example.field && error.description == example.message
        }
    }

    @Test func creatinineCystatinC() throws {
        // At Scr = κ and Scys = 0.8 every power term is 1: 135 · 0.9961^age (· 0.963 for women).
        let female = try KidneyFunction.ckdEpi2021CystatinC(KidneyFunctionInput(sex: .female, age: 50, creatinine: 0.7, cystatinC: 0.8))
        #expect(abs(try #require(female.value) - 135 * pow(0.9961, 50) * 0.963) < 1e-9)
        let male = try KidneyFunction.ckdEpi2021CystatinC(KidneyFunctionInput(sex: .male, age: 50, creatinine: 0.9, cystatinC: 0.8))
        #expect(abs(try #require(male.value) - 135 * pow(0.9961, 50)) < 1e-9)
        #expect(male.equation.id == "ckd-epi-2021-cr-cys")
        // Doubling cystatin C above 0.8 multiplies by 2^−0.778; doubling creatinine above κ by 2^−0.544.
        let cys = KidneyFunction.egfr2021(creatinineMgPerDL: 0.9, cystatinC: 1.6, age: 50, sex: .male)
        #expect(abs(cys / (try #require(male.value)) - pow(2, -0.778)) < 1e-12)
        let cr = KidneyFunction.egfr2021(creatinineMgPerDL: 1.8, cystatinC: 0.8, age: 50, sex: .male)
        #expect(abs(cr / (try #require(male.value)) - pow(2, -0.544)) < 1e-12)
    }

    @Test func creatinineCystatinCNeedsCystatinC() {
        #expect(throws: RiskInputError(equation: "CKD-EPI 2021 creatinine–cystatin C", field: "cystatinC", problem: .missing)) {
            try KidneyFunction.ckdEpi2021CystatinC(KidneyFunctionInput(sex: .male, age: 50, creatinine: 1))
        }
        #expect(throws: RiskInputError.self) {
            try KidneyFunction.ckdEpi2021CystatinC(KidneyFunctionInput(sex: .male, age: 50, creatinine: 1, cystatinC: 80))
        }
    }

    @Test func superseded2009IsLabelledAndRaceBased() throws {
        let input = KidneyFunctionInput(sex: .female, age: 50, creatinine: 0.7)
        let other = try KidneyFunction.ckdEpi2009SupersededForComparison(input, black: false)
        let black = try KidneyFunction.ckdEpi2009SupersededForComparison(input, black: true)
        let value = try #require(other.value)
        // At Scr = κ: 141 · 0.993^age · 1.018 (female); the race multiplier is 1.159.
        #expect(abs(value - 141 * pow(0.993, 50) * 1.018) < 1e-9)
        #expect(abs(try #require(black.value) / value - 1.159) < 1e-12)
        #expect(other.equation.name.contains("superseded"))
        #expect(other.warnings.first?.contains("CKD-EPI 2021") == true)
        // Above κ the 2009 slope is −1.209 (2021: −1.200).
        let high = KidneyFunction.egfr2009(creatinineMgPerDL: 1.4, age: 50, sex: .female, black: false)
        #expect(abs(high / value - pow(2, -1.209)) < 1e-12)
    }

    @Test func jsonAcceptsEitherSpellingOfMicromoles() throws {
        for unit in ["umol/L", "µmol/L", "μmol/L"] {
            let json = #"{"sex":"male","age":43,"creatinine":88,"creatinineUnit":"\#(unit)"}"#
            let input = try JSONDecoder().decode(KidneyFunctionInput.self, from: Data(json.utf8))
            #expect(input.creatinineUnit == .umolPerL)
        }
        let defaulted = try JSONDecoder().decode(KidneyFunctionInput.self, from: Data(#"{"sex":"female","age":43,"creatinine":1.5}"#.utf8))
        #expect(defaulted == KidneyFunctionInput(sex: .female, age: 43, creatinine: 1.5))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(KidneyFunctionInput.self, from: Data(#"{"sex":"female","age":43,"creatinine":1.5,"creatinineUnit":"g"}"#.utf8))
        }
    }
}
