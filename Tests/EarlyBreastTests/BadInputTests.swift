import Foundation
import Testing

@testable import EarlyBreast

struct ImpossiblePredictInput: Sendable, CustomTestStringConvertible {
    let input: PredictInput
    let message: String
    var testDescription: String { message }
}

func basePatient(_ version: PredictVersion = .v21) -> PredictInput {
    PredictInput(age: 60, tumourSizeMM: 20, grade: 2, positiveNodes: 0, er: .positive, her2: .negative, version: version)
}

func changed(_ version: PredictVersion = .v21, _ change: (inout PredictInput) -> Void) -> PredictInput {
    var input = basePatient(version)
    change(&input)
    return input
}

@Suite struct BadInputTests {
    // MARK: Expression tables

    /// An expression table missing genes names every one (assay name and HGNC symbol) and computes nothing.
    @Test func missingGenesAreNamed() throws {
        let text = try Fixture.text("rs_expression_missing_genes.tsv")
        let expression = try RecurrenceScoreExpression.parse(text)
        #expect(expression.missingGenes == [.her2, .scube2, .ctsl2])
        #expect(throws: BreastInputError(
            model: "21-gene recurrence score", field: "expression", problem: .missingGenes(["HER2 (ERBB2)", "SCUBE2", "CTSL2 (CTSV)"]),
            hint: "all 16 cancer genes are needed; reference genes are not, as values must already be reference-normalised")) {
            try RecurrenceScore.compute(expression)
        }
        do {
            _ = try EarlyBreast.recurrenceScore(score: nil, expression: expression, context: RecurrenceScoreContext())
            Issue.record("a score was computed from partial data")
        } catch {
            #expect(error.description.hasPrefix(
                "21-gene recurrence score: expression lacks 3 required genes: HER2 (ERBB2), SCUBE2, CTSL2 (CTSV); no score is computed from partial data"))
        }
    }

    /// The complete fixture table scores; the same table with three genes removed is the one above.
    @Test func completeFixtureTableScores() throws {
        let result = try RecurrenceScore.compute(RecurrenceScoreExpression.parse(try Fixture.text("rs_expression_example.tsv")))
        #expect(result.reportedScore == 28)  // the "no floor binds" vector of RecurrenceScoreTests
        #expect(close(try #require(result.unscaled), 8.1105, 1e-9))
    }

    @Test func expressionOutsideTheScale() {
        var values = RecurrenceScoreTests.allEight
        values["Ki67"] = 40
        #expect(throws: BreastInputError.self) { try RecurrenceScore.compute(RecurrenceScoreExpression(named: values)) }
        do {
            _ = try RecurrenceScore.compute(RecurrenceScoreExpression(named: values))
        } catch {
            #expect(error.description == "21-gene recurrence score: Ki67 (MKI67) 40 is outside the accepted range 0–15 "
                + "(reference-normalised expression on the 0–15 scale of Paik 2004, +1 unit ≈ 2-fold RNA)")
        }
    }

    @Test(arguments: [
        ("GRB7\t8\nHER2\thigh\n", "21-gene recurrence score: expression: line 2: 'high' for HER2 is not a number"),
        ("GRB7\t8\nGRB7\t9\n", "21-gene recurrence score: expression: line 2: GRB7 appears twice"),
        ("GRB7\n", "21-gene recurrence score: expression: line 1: expected a gene and a value, found 'GRB7'"),
        ("ER\t8\nESR1\t9\n", "21-gene recurrence score: expression: 'ER' and 'ESR1' are both ER (ESR1)"),
    ])
    func malformedTables(text: String, message: String) {
        do {
            _ = try RecurrenceScoreExpression.parse(text)
            Issue.record("parsed")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func scoreRequestsNeedExactlyOneSource() {
        #expect(throws: BreastInputError.self) { try EarlyBreast.recurrenceScore(RecurrenceScoreRequest()) }
        #expect(throws: BreastInputError.self) {
            try EarlyBreast.recurrenceScore(RecurrenceScoreRequest(score: 20, expression: RecurrenceScoreTests.allEight))
        }
        do {
            _ = try EarlyBreast.recurrenceScore(RecurrenceScoreRequest(score: 120))
        } catch {
            #expect(error.description == "21-gene recurrence score: score 120 is outside the accepted range 0–100")
        }
    }

    @Test func impossibleRuleContext() {
        do {
            _ = try RecurrenceScoreRules.decide(score: 10, context: RecurrenceScoreContext(age: 60, positiveNodes: -2, hormoneReceptor: .positive, her2: .negative))
            Issue.record("accepted")
        } catch {
            #expect(error.description == "TAILORx/RxPONDER rules: positiveNodes -2 nodes is outside the accepted range 0–100 nodes")
        }
        #expect(throws: BreastInputError.self) {
            try RecurrenceScoreRules.decide(score: 10, context: RecurrenceScoreContext(age: 400, positiveNodes: 0, hormoneReceptor: .positive, her2: .negative))
        }
    }

    // MARK: PREDICT

    static let impossible: [ImpossiblePredictInput] = [
        ImpossiblePredictInput(input: changed { $0.age = 150 }, message: "PREDICT v2.1: age 150 years is outside the accepted range 0–120 years"),
        ImpossiblePredictInput(
            input: changed { $0.tumourSizeMM = 0 },
            message: "PREDICT v2.1: tumourSizeMM 0 mm is outside the accepted range 0.1–500 mm (invasive tumour size in millimetres, above 0 and at most 500)"),
        ImpossiblePredictInput(
            input: changed { $0.tumourSizeMM = 650 },
            message: "PREDICT v2.1: tumourSizeMM 650 mm is outside the accepted range 0.1–500 mm (invasive tumour size in millimetres, above 0 and at most 500)"),
        ImpossiblePredictInput(
            input: changed { $0.positiveNodes = -1 }, message: "PREDICT v2.1: positiveNodes -1 nodes is outside the accepted range 0–100 nodes"),
        ImpossiblePredictInput(
            input: changed { $0.positiveNodes = 140 }, message: "PREDICT v2.1: positiveNodes 140 nodes is outside the accepted range 0–100 nodes"),
        ImpossiblePredictInput(input: changed { $0.grade = 4 }, message: "PREDICT v2.1: grade 4 is outside the accepted range 1–3"),
        ImpossiblePredictInput(
            input: changed { $0.er = .unknown }, message: "PREDICT v2.1: er: ER status must be positive or negative; PREDICT has no unknown ER status"),
        ImpossiblePredictInput(
            input: changed(.v32) {
                $0.radiotherapy = true
                $0.heartDoseGy = 80
            }, message: "PREDICT v3.2: heartDoseGy 80 Gy is outside the accepted range 0–50 Gy"),
        ImpossiblePredictInput(
            input: changed(.v32) { $0.radiotherapy = true },
            message: "PREDICT v3.2: heartDoseGy is required (PREDICT v3.2 needs the mean heart dose (Gy) with radiotherapy: it raises non-breast mortality by ln(1.02) per Gy)"),
        ImpossiblePredictInput(input: changed { $0.age = .nan }, message: "PREDICT v2.1: age nan years is outside the accepted range 0–120 years"),
    ]

    /// Impossible values are refused with the field, the value and the accepted range.
    @Test(arguments: impossible)
    func impossiblePredictInputs(_ c: ImpossiblePredictInput) {
        do {
            _ = try Predict.estimate(c.input)
            Issue.record("accepted \(c.input)")
        } catch {
            #expect(error.description == c.message)
        }
    }

    /// Outside the ages PREDICT accepts (25–85) the answer is "not applicable", never an extrapolated number.
    @Test(arguments: [(24.9, PredictVersion.v21), (86, .v21), (18, .v32), (90, .v32)])
    func outsideTheAgeRangeIsNotApplicable(age: Double, version: PredictVersion) throws {
        let report = try EarlyBreast.predict(changed(version) { $0.age = age })
        let r = report.result
        #expect(r.notApplicable == ["age \(BreastFormat.number(age)) years is outside 25–85 years, the ages the PREDICT tool accepts"])
        #expect(r.surgeryOnly.isEmpty && r.steps.isEmpty && r.total.isEmpty && r.chemotherapyOptions.isEmpty)
        #expect(report.patientSummary.sentences.first?.hasPrefix("PREDICT cannot give numbers for you: age") == true)
        #expect(BreastText.clinician(r).contains("not applicable, because age"))
    }

    @Test(arguments: [25.0, 85.0])
    func ageBoundariesApply(age: Double) throws {
        #expect(try Predict.estimate(changed { $0.age = age }).notApplicable.isEmpty)
    }

    @Test func jsonErrorsNameTheField() {
        let bad = #"{"age": 52, "tumourSizeMM": 18, "grade": "high", "positiveNodes": 0, "er": "positive"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PredictInput.self, from: Data(bad.utf8)) }
        let chemo = #"{"age": 52, "tumourSizeMM": 18, "positiveNodes": 0, "er": "positive", "chemotherapy": 1}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PredictInput.self, from: Data(chemo.utf8)) }
    }
}
