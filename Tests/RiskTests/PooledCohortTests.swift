import Foundation
import Knowledge
import Testing

@testable import Risk

/// A published PCE figure with the inputs it was computed for.
struct PublishedPCE: Sendable, CustomTestStringConvertible {
    let label: String
    let input: PooledCohortInput
    /// Percent.
    let expected: Double
    /// Allowed absolute difference, percentage points.
    let tolerance: Double
    var testDescription: String { label }
}

/// The inputs of Goff 2013 Table A: 55 years, TC 213, HDL 50, untreated SBP 120, non-smoker, no diabetes.
func tableA(_ sex: Sex, _ race: PooledCohortRace) -> PooledCohortInput {
    PooledCohortInput(
        sex: sex, race: race, age: 55, totalCholesterol: 213, hdl: 50, systolicBP: 120, onBPTreatment: false, smoker: false, diabetes: false)
}

/// preventr's test defaults (`estimate_risk_partial`): 50 years, TC 200, HDL 45, treated SBP 160, diabetes, non-smoker.
func preventrPCE(
    sex: Sex = .female, race: PooledCohortRace = .white, age: Double = 50, total: Double = 200, hdl: Double = 45, sbp: Double = 160,
    treated: Bool = true, smoker: Bool = false, diabetes: Bool = true
) -> PooledCohortInput {
    PooledCohortInput(
        sex: sex, race: race, age: age, totalCholesterol: total, hdl: hdl, systolicBP: sbp, onBPTreatment: treated, smoker: smoker,
        diabetes: diabetes)
}

@Suite struct PooledCohortTests {
    let pce: PooledCohortEquations

    init() throws { pce = try PooledCohortEquations.bundled() }

    // Goff 2013 Table A, published risks: ±0.1 percentage point (risk-and-care.md §1.1).
    @Test(arguments: [
        PublishedPCE(label: "Table A White female 2.1 %", input: tableA(.female, .white), expected: 2.1, tolerance: 0.1),
        PublishedPCE(label: "Table A African-American female 3.0 %", input: tableA(.female, .africanAmerican), expected: 3.0, tolerance: 0.1),
        PublishedPCE(label: "Table A White male 5.3 %", input: tableA(.male, .white), expected: 5.3, tolerance: 0.1),
        PublishedPCE(label: "Table A African-American male 6.1 %", input: tableA(.male, .africanAmerican), expected: 6.1, tolerance: 0.1),
        // The brief's exact recomputation column, at its 2 decimals.
        PublishedPCE(label: "exact White female 2.06 %", input: tableA(.female, .white), expected: 2.06, tolerance: 0.005),
        PublishedPCE(label: "exact African-American female 3.03 %", input: tableA(.female, .africanAmerican), expected: 3.03, tolerance: 0.005),
        PublishedPCE(label: "exact White male 5.38 %", input: tableA(.male, .white), expected: 5.38, tolerance: 0.005),
        PublishedPCE(label: "exact African-American male 6.06 %", input: tableA(.male, .africanAmerican), expected: 6.06, tolerance: 0.005),
    ])
    func goffTableA(_ example: PublishedPCE) throws {
        let result = try pce.estimate(example.input)
        let value = try #require(result.value)
        #expect(abs(value - example.expected) <= example.tolerance + 1e-9, "\(value) vs \(example.expected)")
        #expect(result.unit == "%")
        #expect(result.horizonYears == 10)
        #expect(result.notApplicable.isEmpty)
    }

    // preventr tests/testthat/test-other_models.R, `pce_orig` rows (rounded half-up to 3 decimals of a fraction,
    // i.e. 0.1 percentage point): a published check of the 4-decimal mean sums.
    @Test(arguments: [
        PublishedPCE(label: "F 50 White", input: preventrPCE(), expected: 6.4, tolerance: 0.05),
        PublishedPCE(label: "F 50 Black", input: preventrPCE(race: .africanAmerican), expected: 24.5, tolerance: 0.05),
        PublishedPCE(label: "F 67 White", input: preventrPCE(age: 67), expected: 27.0, tolerance: 0.05),
        PublishedPCE(label: "M 59 White", input: preventrPCE(sex: .male, age: 59), expected: 26.2, tolerance: 0.05),
        PublishedPCE(label: "M 59 SBP 148", input: preventrPCE(sex: .male, age: 59, sbp: 148), expected: 23.2, tolerance: 0.05),
        PublishedPCE(
            label: "M 59 SBP 148 untreated", input: preventrPCE(sex: .male, age: 59, sbp: 148, treated: false), expected: 20.0,
            tolerance: 0.05),
        PublishedPCE(
            label: "M 59 TC 189", input: preventrPCE(sex: .male, age: 59, total: 189, sbp: 148, treated: false), expected: 19.0,
            tolerance: 0.05),
        PublishedPCE(
            label: "M 59 HDL 60", input: preventrPCE(sex: .male, age: 59, hdl: 60, sbp: 148, treated: false), expected: 16.4,
            tolerance: 0.05),
        PublishedPCE(
            label: "M 59 HDL 60 Black", input: preventrPCE(sex: .male, race: .africanAmerican, age: 59, hdl: 60, sbp: 148, treated: false),
            expected: 17.5, tolerance: 0.05),
        PublishedPCE(
            label: "M 59 Black no diabetes",
            input: preventrPCE(sex: .male, race: .africanAmerican, age: 59, hdl: 60, sbp: 148, treated: false, diabetes: false),
            expected: 9.6, tolerance: 0.05),
        PublishedPCE(
            label: "M 59 Black smoker",
            input: preventrPCE(sex: .male, race: .africanAmerican, age: 59, hdl: 60, sbp: 148, treated: false, smoker: true, diabetes: false),
            expected: 16.0, tolerance: 0.05),
    ])
    func preventrComparison(_ example: PublishedPCE) throws {
        let value = try #require(try pce.estimate(example.input).value)
        #expect(abs(value - example.expected) <= example.tolerance + 1e-9, "\(value) vs \(example.expected)")
    }

    @Test func infoCitesPaperPopulationAndPack() throws {
        let result = try pce.estimate(tableA(.female, .white))
        #expect(result.equation.id == "pce-2013")
        #expect(result.equation.citation.contains("Goff DC"))
        #expect(result.equation.citation.contains("Table A"))
        #expect(result.equation.population.contains("40–79"))
        #expect(result.equation.knowledge == RiskPack.label(try KnowledgePack.bundled("risk")))
        #expect(result.outcome == PooledCohortEquations.outcome)
    }

    @Test(arguments: Sex.allCases)
    func otherRaceUsesWhiteEquationsWithAWarning(sex: Sex) throws {
        let white = try pce.estimate(tableA(sex, .white))
        let other = try pce.estimate(tableA(sex, .other))
        #expect(other.value == white.value)
        #expect(white.warnings.isEmpty)
        #expect(other.warnings.count == 1)
        #expect(other.warnings.first?.contains("White equations") == true)
    }

    @Test(arguments: [PooledCohortRace.white, .africanAmerican])
    func mmolPerLGivesTheSameRiskAsMgPerDL(race: PooledCohortRace) throws {
        var mg = preventrPCE(sex: .male, race: race, age: 59, hdl: 60, sbp: 148)
        var mmol = mg
        mmol.totalCholesterol = 200 * CholesterolUnit.mmolPerMg
        mmol.hdl = 60 * CholesterolUnit.mmolPerMg
        mmol.cholesterolUnit = .mmolPerL
        let a = try #require(try pce.estimate(mg).value)
        let b = try #require(try pce.estimate(mmol).value)
        #expect(abs(a - b) < 1e-9)
        mg.onBPTreatment = false
        #expect(try pce.estimate(mg).value != a)
    }

    @Test func treatedAndUntreatedSBPUseDifferentTerms() throws {
        var input = tableA(.female, .africanAmerican)
        let untreated = try #require(try pce.estimate(input).value)
        input.onBPTreatment = true
        let treated = try #require(try pce.estimate(input).value)
        #expect(treated > untreated)
    }

    /// One derivation-range bound: the value just inside gives a risk, just outside a reason naming the input.
    struct Bound: Sendable, CustomTestStringConvertible {
        let field: String
        let value: Double
        let inside: Bool
        var testDescription: String { "\(field) \(value) \(inside ? "inside" : "outside")" }
    }

    @Test(arguments: [
        Bound(field: "age", value: 40, inside: true), Bound(field: "age", value: 39.9, inside: false),
        Bound(field: "age", value: 79, inside: true), Bound(field: "age", value: 79.1, inside: false),
        Bound(field: "total cholesterol", value: 130, inside: true), Bound(field: "total cholesterol", value: 129.9, inside: false),
        Bound(field: "total cholesterol", value: 320, inside: true), Bound(field: "total cholesterol", value: 320.1, inside: false),
        Bound(field: "HDL cholesterol", value: 20, inside: true), Bound(field: "HDL cholesterol", value: 19.9, inside: false),
        Bound(field: "HDL cholesterol", value: 100, inside: true), Bound(field: "HDL cholesterol", value: 100.1, inside: false),
        Bound(field: "systolic BP", value: 90, inside: true), Bound(field: "systolic BP", value: 89.9, inside: false),
        Bound(field: "systolic BP", value: 200, inside: true), Bound(field: "systolic BP", value: 200.1, inside: false),
    ])
    func derivationRangeBoundaries(_ bound: Bound) throws {
        var input = tableA(.male, .white)
        switch bound.field {
        case "age": input.age = bound.value
        case "total cholesterol": input.totalCholesterol = bound.value
        case "HDL cholesterol": input.hdl = bound.value
        default: input.systolicBP = bound.value
        }
        let result = try pce.estimate(input)
        if bound.inside {
            #expect(result.value != nil)
            #expect(result.notApplicable.isEmpty)
        } else {
            #expect(result.value == nil)
            #expect(result.notApplicable.count == 1)
            #expect(result.notApplicable.first?.hasPrefix(bound.field + " ") == true, "\(result.notApplicable)")
            #expect(result.notApplicable.first?.contains("the range PCE was derived in") == true)
        }
    }

    @Test func everyOffendingInputGetsItsOwnReason() throws {
        var input = tableA(.female, .white)
        input.age = 35
        input.systolicBP = 210
        input.hdl = 110
        let result = try pce.estimate(input)
        #expect(result.value == nil)
        #expect(
            result.notApplicable == [
                "age 35 years is outside 40–79 years, the range PCE was derived in",
                "HDL cholesterol 110 mg/dL is outside 20–100 mg/dL, the range PCE was derived in",
                "systolic BP 210 mmHg is outside 90–200 mmHg, the range PCE was derived in",
            ])
    }

    @Test func mmolPerLDerivationRangeIsNamedInMmolPerL() throws {
        var input = tableA(.female, .white)
        input.cholesterolUnit = .mmolPerL
        input.totalCholesterol = 9
        input.hdl = 1.3
        let result = try pce.estimate(input)
        #expect(result.notApplicable == ["total cholesterol 9 mmol/L is outside 3.36–8.28 mmol/L, the range PCE was derived in"])
    }

    /// An impossible input and the error it must raise.
    struct Impossible: Sendable, CustomTestStringConvertible {
        let label: String
        let input: PooledCohortInput
        let field: String
        let message: String
        let hint: String?
        var testDescription: String { label }
    }

    static let impossible: [Impossible] = {
        func with(_ change: (inout PooledCohortInput) -> Void) -> PooledCohortInput {
            var input = tableA(.female, .white)
            change(&input)
            return input
        }
        return [
            Impossible(
                label: "SBP 30", input: with { $0.systolicBP = 30 }, field: "systolicBP",
                message: "PCE: systolicBP 30 mmHg is outside the accepted range 60–300 mmHg", hint: nil),
            Impossible(
                label: "HDL 1.2 mg/dL", input: with { $0.hdl = 1.2 }, field: "hdl",
                message: "PCE: hdl 1.2 mg/dL is outside the accepted range 5–300 mg/dL (was it given in mmol/L?)", hint: "was it given in mmol/L?"),
            Impossible(
                label: "TC 5.2 mg/dL", input: with { $0.totalCholesterol = 5.2 }, field: "totalCholesterol",
                message: "PCE: totalCholesterol 5.2 mg/dL is outside the accepted range 50–1000 mg/dL (was it given in mmol/L?)",
                hint: "was it given in mmol/L?"),
            Impossible(
                label: "TC 213 mmol/L",
                input: with {
                    $0.cholesterolUnit = .mmolPerL; $0.hdl = 1.3
                }, field: "totalCholesterol",
                message: "PCE: totalCholesterol 213 mmol/L is outside the accepted range 1.3–26 mmol/L (was it given in mg/dL?)",
                hint: "was it given in mg/dL?"),
            Impossible(
                label: "TC 5000", input: with { $0.totalCholesterol = 5000 }, field: "totalCholesterol",
                message: "PCE: totalCholesterol 5000 mg/dL is outside the accepted range 50–1000 mg/dL", hint: nil),
            Impossible(
                label: "age 150", input: with { $0.age = 150 }, field: "age",
                message: "PCE: age 150 years is outside the accepted range 18–120 years", hint: nil),
            Impossible(
                label: "age NaN", input: with { $0.age = .nan }, field: "age",
                message: "PCE: age nan years is outside the accepted range 18–120 years", hint: nil),
            Impossible(
                label: "HDL above TC", input: with { $0.hdl = 220 }, field: "hdl",
                message: "PCE: hdl: HDL cholesterol 220 mg/dL is not below total cholesterol 213 mg/dL, which contains it", hint: nil),
        ]
    }()

    @Test(arguments: impossible)
    func impossibleValuesThrowNamingFieldRangeAndUnit(_ example: Impossible) {
        do {
            _ = try pce.estimate(example.input)
            Issue.record("\(example.label) was accepted")
        } catch {
            #expect(error.equation == "PCE")
            #expect(error.field == example.field)
            #expect(error.hint == example.hint)
            #expect(error.description == example.message)
        }
    }

    @Test func jsonInputDefaultsToMgPerDL() throws {
        let json = """
            {"sex":"male","race":"africanAmerican","age":55,"totalCholesterol":213,"hdl":50,"systolicBP":120,
             "onBPTreatment":false,"smoker":false,"diabetes":false}
            """
        let input = try JSONDecoder().decode(PooledCohortInput.self, from: Data(json.utf8))
        #expect(input == tableA(.male, .africanAmerican))
        let roundTrip = try JSONDecoder().decode(PooledCohortInput.self, from: JSONEncoder().encode(input))
        #expect(roundTrip == input)
    }

    @Test func coefficientsComeFromThePackAndSumAsPublished() throws {
        // Table A: IndSum −29.67 / 86.16 / 60.69 / 18.97 for the worked example (ln age = 4.01).
        let published = [-29.67, 86.16, 60.69, 18.97]
        for (index, sum) in published.enumerated() {
            let c = pce.groups[index]
            let risk = PooledCohortEquations.tenYearRisk(
                c, age: 55, totalMgPerDL: 213, hdlMgPerDL: 50, systolicBP: 120, onBPTreatment: false, smoker: false, diabetes: false)
            let indSum = log(log(1 - risk) / log(c.baselineSurvival)) + c.meanSum
            #expect(abs(indSum - sum) < 0.011, "group \(index): \(indSum)")
        }
        #expect(pce.groups[0].lnUntreatedSBP == 1.957)  // not the 1.857 misprint (brief §1.1)
    }
}
