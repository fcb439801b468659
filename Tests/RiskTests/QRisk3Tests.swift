import Foundation
import Knowledge
import Testing

@testable import Risk

// Reference values: ClinRisk's own QRISK3-2017 C algorithm scores (`QRISK_C_algorithm_score`, one decimal) of the
// 49 test patients shipped with the QRISK3 R package as data/QRISK3_2019_test.RData; the same table as CSV is
// YanLiUK/QRISK3_valid RawData/QRISK3_2019_test.csv @89d7c65 (the package author's validation repository, scores
// produced by calling ClinRisk's C functions). Coding of that file: gender 1 = female, 0 = male; ethrisk as the C
// index; smoke_cat in R coding 1–5 (C index + 1); BMI to be computed from weight and height (the file's `bmi` column
// is a stale constant — rows 15/16 and 39/40 only match with BMI recomputed).

struct QRiskCase: Sendable, CustomTestStringConvertible {
    var id: Int
    var expected: Double
    var female: Bool
    /// b_AF … b_type2 in the file's column order (12 flags).
    var flags: [Int]
    var weight, height: Double
    var ethrisk: Int
    var familyHistory: Int
    var ratio, sbp, sbpSD: Double
    var smokeRCode: Int
    var town: Double

    var testDescription: String { "row \(id): \(expected)%" }

    var input: QRisk3Input {
        QRisk3Input(
            sex: female ? .female : .male, age: 64, ethnicity: QRisk3Ethnicity(ethrisk: ethrisk), smoking: QRisk3Smoking(rCode: smokeRCode),
            heightCm: height, weightKg: weight, cholesterolHDLRatio: ratio, systolicBP: sbp, systolicBPSD: sbpSD, townsend: town,
            atrialFibrillation: flags[0] == 1, atypicalAntipsychotic: flags[1] == 1, corticosteroids: flags[2] == 1,
            erectileDysfunction: flags[3] == 1,
            migraine: flags[4] == 1, rheumatoidArthritis: flags[5] == 1, chronicKidneyDisease: flags[6] == 1, severeMentalIllness: flags[7] == 1,
            systemicLupusErythematosus: flags[8] == 1, treatedHypertension: flags[9] == 1, type1Diabetes: flags[10] == 1,
            type2Diabetes: flags[11] == 1,
            familyHistoryCHD: familyHistory == 1)
    }
}

/// The file's rows: score, then the columns after `age` (all rows are age 64, surv 10).
private let clinRiskRows: [String] = [
    "17.2,1,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0", "17.9,1,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,1,1",
    "36,1,1,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0", "21.6,1,0,1,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0",
    "24.1,1,0,0,1,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0", "17.2,1,0,0,0,1,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0",
    "19.1,1,0,0,0,0,1,0,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0", "20.9,1,0,0,0,0,0,1,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0",
    "22.3,1,0,0,0,0,0,0,1,0,0,0,0,0,80,178,2,0,4,180,20,1,0", "19.3,1,0,0,0,0,0,0,0,1,0,0,0,0,80,178,2,0,4,180,20,1,0",
    "23.5,1,0,0,0,0,0,0,0,0,1,0,0,0,80,178,2,0,4,180,20,1,0", "20.1,1,0,0,0,0,0,0,0,0,0,1,0,0,80,178,2,0,4,180,20,1,0",
    "45.6,1,0,0,0,0,0,0,0,0,0,0,1,0,80,178,2,0,4,180,20,1,0", "30.9,1,0,0,0,0,0,0,0,0,0,0,0,1,80,178,2,0,4,180,20,1,0",
    "17.2,1,0,0,0,0,0,0,0,0,0,0,0,0,75,178,2,0,4,180,20,1,0", "17.3,1,0,0,0,0,0,0,0,0,0,0,0,0,80,170,2,0,4,180,20,1,0",
    "17.5,1,0,0,0,0,0,0,0,0,0,0,0,0,80,178,4,0,4,180,20,1,0", "14.2,1,0,0,0,0,0,0,0,0,0,0,0,0,80,178,5,0,4,180,20,1,0",
    "21.9,1,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,1,4,180,20,1,0", "19.8,1,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,5,180,20,1,0",
    "37.8,1,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,10,180,20,1,0", "16.5,1,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,175,20,1,0",
    "16.6,1,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,15,1,0", "19.1,1,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,2,0",
    "24.5,1,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,3,0", "27.1,0,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0",
    "42,0,1,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0", "30.2,0,0,1,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0",
    "35.2,0,0,0,1,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0", "30.4,0,0,0,0,1,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0",
    "29.7,0,0,0,0,0,1,0,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0", "32.3,0,0,0,0,0,0,1,0,0,0,0,0,0,80,178,2,0,4,180,20,1,0",
    "38.2,0,0,0,0,0,0,0,1,0,0,0,0,0,80,178,2,0,4,180,20,1,0", "30,0,0,0,0,0,0,0,0,1,0,0,0,0,80,178,2,0,4,180,20,1,0",
    "38.8,0,0,0,0,0,0,0,0,0,1,0,0,0,80,178,2,0,4,180,20,1,0", "30.1,0,0,0,0,0,0,0,0,0,0,1,0,0,80,178,2,0,4,180,20,1,0",
    "55.2,0,0,0,0,0,0,0,0,0,0,0,1,0,80,178,2,0,4,180,20,1,0", "41.5,0,0,0,0,0,0,0,0,0,0,0,0,1,80,178,2,0,4,180,20,1,0",
    "27.2,0,0,0,0,0,0,0,0,0,0,0,0,0,75,178,2,0,4,180,20,1,0", "27.1,0,0,0,0,0,0,0,0,0,0,0,0,0,80,170,2,0,4,180,20,1,0",
    "33.4,0,0,0,0,0,0,0,0,0,0,0,0,0,80,178,4,0,4,180,20,1,0", "22,0,0,0,0,0,0,0,0,0,0,0,0,0,80,178,5,0,4,180,20,1,0",
    "34.1,0,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,1,4,180,20,1,0", "31.3,0,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,5,180,20,1,0",
    "59.1,0,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,10,180,20,1,0", "26.1,0,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,175,20,1,0",
    "25.9,0,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,15,1,0", "29.9,0,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,2,0",
    "36,0,0,0,0,0,0,0,0,0,0,0,0,0,80,178,2,0,4,180,20,3,0",
]

private let clinRiskCases: [QRiskCase] = clinRiskRows.enumerated().map { i, row in
    let v = row.split(separator: ",").map { Double($0)! }
    return QRiskCase(
        id: i + 1, expected: v[0], female: v[1] == 1, flags: v[2...13].map { Int($0) }, weight: v[14], height: v[15], ethrisk: Int(v[16]),
        familyHistory: Int(v[17]), ratio: v[18], sbp: v[19], sbpSD: v[20], smokeRCode: Int(v[21]), town: v[22])
}

private func base(_ sex: Sex, age: Double = 64) -> QRisk3Input {
    QRisk3Input(
        sex: sex, age: age, ethnicity: .indian, smoking: .nonSmoker, heightCm: 178, weightKg: 80, cholesterolHDLRatio: 4, systolicBP: 180,
        systolicBPSD: 20, townsend: 0)
}

@Suite struct QRisk3Tests {
    let qrisk: QRisk3

    init() throws { qrisk = try QRisk3.bundled() }

    @Test(arguments: clinRiskCases)
    func reproducesClinRiskTestScores(_ c: QRiskCase) throws {
        let result = try qrisk.evaluate(c.input)
        let value = try #require(result.value)
        #expect((value * 10).rounded() / 10 == c.expected, "\(value) rounds differently from ClinRisk's \(c.expected)")
        #expect(result.disclaimer == QRisk3.disclaimer)
        #expect(result.horizonYears == 10 && result.unit == "%")
    }

    /// The file's own `bmi` column (25.2493372 for every row) is stale: scoring it instead of height/weight misses
    /// ClinRisk's value for row 39 — the test that BMI is recomputed can fail.
    @Test func bmiComesFromHeightAndWeight() throws {
        #expect(abs(QRisk3.bmi(heightCm: 178, weightKg: 80) - 25.2493372) < 1e-7)
        let row39 = clinRiskCases[38]
        #expect(row39.weight == 75 && row39.expected == 27.2)
        var patient = try QRisk3.validate(row39.input)
        #expect((qrisk.score(patient) * 10).rounded() / 10 == 27.2)
        patient.bmi = 25.2493372
        #expect((qrisk.score(patient) * 10).rounded() / 10 == 27.1)
    }

    // MARK: Coding traps

    @Test(arguments: [Sex.female, .male])
    func ethnicityIndexZeroAndOneAreBothWhiteOrNotStated(_ sex: Sex) throws {
        var notStated = base(sex)
        notStated.ethnicity = nil
        var white = base(sex)
        white.ethnicity = QRisk3Ethnicity(ethrisk: 1)
        var zero = base(sex)
        zero.ethnicity = QRisk3Ethnicity(ethrisk: 0)
        #expect(zero.ethnicity == .whiteOrNotStated)
        let a = try qrisk.evaluate(notStated).value
        #expect(a == (try qrisk.evaluate(white).value))
        #expect(a == (try qrisk.evaluate(zero).value))
        #expect(a != (try qrisk.evaluate(base(sex)).value))  // Indian differs
        #expect(QRisk3Ethnicity(ethrisk: 10) == nil)
    }

    @Test(arguments: [(1, QRisk3Smoking.nonSmoker), (2, .exSmoker), (3, .lightSmoker), (4, .moderateSmoker), (5, .heavySmoker)])
    func smokingRCodingIsTheCIndexPlusOne(rCode: Int, smoking: QRisk3Smoking) {
        #expect(QRisk3Smoking(rCode: rCode) == smoking)
        #expect(smoking.rawValue == rCode - 1)
    }

    @Test func smokingOutOfRangeCodesAreRefused() {
        #expect(QRisk3Smoking(rCode: 0) == nil)
        #expect(QRisk3Smoking(rCode: 6) == nil)
        #expect(QRisk3Smoking(rawValue: 5) == nil)
    }

    @Test(arguments: [Sex.female, .male])
    func heavierSmokingRaisesRisk(_ sex: Sex) throws {
        var previous = -1.0
        for smoking in QRisk3Smoking.allCases where smoking != .exSmoker {
            var input = base(sex)
            input.smoking = smoking
            let value = try #require(try qrisk.evaluate(input).value)
            #expect(value > previous)
            previous = value
        }
    }

    /// The C code takes age as an integer: the algorithm scores completed years.
    @Test func ageIsScoredInCompletedYears() throws {
        #expect(try qrisk.evaluate(base(.female, age: 64.8)).value == (try qrisk.evaluate(base(.female, age: 64)).value))
        #expect(try qrisk.evaluate(base(.female, age: 65)).value != (try qrisk.evaluate(base(.female, age: 64)).value))
    }

    // MARK: Applicability

    @Test(arguments: [(24.0, false), (24.9, false), (25.0, true), (50.0, true), (84.0, true), (84.9, true), (85.0, false), (90.0, false)])
    func ageRange25To84(age: Double, applies: Bool) throws {
        for sex in [Sex.female, .male] {
            let result = try qrisk.evaluate(base(sex, age: age))
            #expect((result.value != nil) == applies)
            if !applies {
                #expect(
                    result.notApplicable == [
                        "age \(RiskFormat.number(age.rounded(.down))) years is outside 25–84 years, the range QRISK3 was derived in"
                    ])
            }
            #expect(result.disclaimer == QRisk3.disclaimer, "the disclaimer must be on every result, applicable or not")
        }
    }

    @Test func disclaimerIsClinRisksTextWithItsCopyright() {
        let text = QRisk3.disclaimer
        #expect(text.hasPrefix("Copyright 2017 ClinRisk Ltd."))
        #expect(text.contains("faithfully implements QRISK3-2017"))
        #expect(text.contains("ClinRisk Ltd. stress, therefore, that it is the responsibility of the end user"))
        #expect(text.hasSuffix("Inaccurate implementations of risk scores can lead to wrong patients being given the wrong treatment."))
    }

    @Test func equationInfoCitesThePaperAndThePack() throws {
        let pack = try KnowledgePack.bundled("risk")
        let result = try qrisk.evaluate(base(.male))
        #expect(result.equation.citation.contains("BMJ 2017;357:j2099"))
        #expect(result.equation.population.contains("25–84"))
        #expect(result.equation.knowledge == RiskPack.label(pack))
    }

    @Test func erectileDysfunctionOnlyEntersTheMaleEquation() throws {
        var female = base(.female)
        female.erectileDysfunction = true
        let f = try qrisk.evaluate(female)
        #expect(f.value == (try qrisk.evaluate(base(.female)).value))
        #expect(f.warnings.contains { $0.contains("male equation only") })
        var male = base(.male)
        male.erectileDysfunction = true
        #expect(try qrisk.evaluate(male).value != (try qrisk.evaluate(base(.male)).value))
    }

    // MARK: Errors

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var change: @Sendable (inout QRisk3Input) -> Void
        var field: String
        var text: String
        var testDescription: String { "\(field): \(text)" }
    }

    @Test(arguments: [
        ErrorCase(change: { $0.sex = nil }, field: "sex", text: "sex is required"),
        ErrorCase(change: { $0.age = nil }, field: "age", text: "age is required"),
        ErrorCase(change: { $0.age = 150 }, field: "age", text: "0–120 years"),
        ErrorCase(change: { $0.smoking = nil }, field: "smoking", text: "smoking is required"),
        ErrorCase(change: { $0.heightCm = 1.78 }, field: "heightCm", text: "100–250 cm"),
        ErrorCase(change: { $0.weightKg = 5 }, field: "weightKg", text: "20–350 kg"),
        ErrorCase(
            change: {
                $0.heightCm = 250; $0.weightKg = 40
            }, field: "bmi", text: "10–80 kg/m²"),
        ErrorCase(change: { $0.systolicBP = 30 }, field: "systolicBP", text: "60–300 mmHg"),
        ErrorCase(change: { $0.systolicBP = nil }, field: "systolicBP", text: "systolicBP is required"),
        ErrorCase(change: { $0.systolicBPSD = -1 }, field: "systolicBPSD", text: "0–100 mmHg"),
        ErrorCase(change: { $0.cholesterolHDLRatio = 0.5 }, field: "cholesterolHDLRatio", text: "1–20 TC/HDL"),
        ErrorCase(change: { $0.cholesterolHDLRatio = 25 }, field: "cholesterolHDLRatio", text: "1–20 TC/HDL"),
        ErrorCase(change: { $0.townsend = 20 }, field: "townsend", text: "-10–15 points"),
        ErrorCase(change: { $0.townsend = .nan }, field: "townsend", text: "-10–15 points"),
        ErrorCase(
            change: {
                $0.type1Diabetes = true; $0.type2Diabetes = true
            }, field: "type2Diabetes", text: "cannot both be set"),
    ])
    func impossibleInputsThrowNamingFieldRangeAndUnit(_ c: ErrorCase) {
        var input = base(.female)
        c.change(&input)
        do {
            _ = try qrisk.evaluate(input)
            Issue.record("accepted an input that should have been refused")
        } catch {
            #expect(error.field == c.field)
            #expect(error.description.contains(c.text), "\(error.description)")
        }
    }

    // MARK: Expression compiler

    @Test(arguments: [
        ("age_1", QRisk3Feature.age1, QRisk3Feature.one), ("b_AF", .atrialFibrillation, .one), ("fh_cvd", .familyHistory, .one),
        ("age_1*bmi_2", .age1, .bmi2), ("age_2*(smoke_cat==3)", .age2, .smoke3), ("age_2 * (smoke_cat == 0)", .age2, .smoke0),
        ("age_1*b_impotence2", .age1, .impotence),
    ])
    func compilesKnownExpressions(expression: String, first: QRisk3Feature, second: QRisk3Feature) throws {
        let term = try QRisk3Term(expression: expression, coefficient: 2.5)
        #expect(term.first == first && term.second == second && term.coefficient == 2.5)
    }

    @Test(arguments: ["b_XX", "age_1*b_unknown", "age_1*b_AF*fh_cvd", "(smoke_cat==5)", "age_1*(smoke_cat>1)", "", "age_1*", "exp(age_1)"])
    func refusesUnknownExpressions(_ expression: String) {
        #expect(throws: QRisk3FormatError.self) { try QRisk3Term(expression: expression, coefficient: 1) }
    }

    @Test func loadingFailsWithAClearErrorOnAnUnknownExpression() throws {
        let pack = try KnowledgePack.bundled("risk")
        let original = String(decoding: try pack.data(QRisk3.coefficientPath), as: UTF8.self)
        #expect(throws: Never.self) { try QRisk3(json: Array(original.utf8), pack: "risk", knowledge: "test") }

        let altered = original.replacingOccurrences(of: "\"age_1*b_AF\"", with: "\"age_1*b_AFX\"")
        #expect(altered != original)
        do {
            _ = try QRisk3(json: Array(altered.utf8), pack: "risk", knowledge: "test")
            Issue.record("an unknown expression was accepted")
        } catch {
            #expect(error.path == QRisk3.coefficientPath)
            #expect(error.message.contains("age_1*b_AFX") && error.message.contains("unknown factor 'b_AFX'"), "\(error.message)")
        }
    }

    @Test(arguments: [
        ("\"pow(dage,-2)\"", "\"exp(dage)\"", "fractional polynomial"),
        ("\"bmi_1\": 0.154946178197861", "\"bmi_3\": 0.154946178197861", "centre"),
    ])
    func loadingChecksTransformsAndCentring(find: String, replace: String, message: String) throws {
        let pack = try KnowledgePack.bundled("risk")
        let original = String(decoding: try pack.data(QRisk3.coefficientPath), as: UTF8.self)
        let altered = original.replacingOccurrences(of: find, with: replace)
        #expect(altered != original, "the fixture text was not found")
        #expect {
            try QRisk3(json: Array(altered.utf8), pack: "risk", knowledge: "test")
        } throws: { ($0 as? KnowledgeError)?.message.contains(message) == true }
    }

    @Test func fractionalPolynomialsMatchTheirDefinitions() throws {
        let p = try FractionalPolynomial("pow(dbmi,-2)*log(dbmi)", variable: "dbmi")
        #expect(abs(p(2.5) - pow(2.5, -2) * log(2.5)) < 1e-15)
        #expect(try FractionalPolynomial("dage", variable: "dage")(6.4) == 6.4)
        #expect(try FractionalPolynomial("pow(dage,3)", variable: "dage")(2) == 8)
        #expect(throws: QRisk3FormatError.self) { try FractionalPolynomial("pow(dbmi,-2)", variable: "dage") }
    }

    // MARK: Speed (printed, not asserted)

    @Test func timePerPatient() throws {
        var inputs: [QRisk3Input] = []
        for i in 0..<5000 {
            var input = base(i % 2 == 0 ? .female : .male, age: 25 + Double(i % 60))
            input.smoking = QRisk3Smoking(rawValue: i % 5)
            input.ethnicity = QRisk3Ethnicity(rawValue: 1 + i % 9)
            input.systolicBP = 100 + Double(i % 80)
            input.treatedHypertension = i % 3 == 0
            input.type2Diabetes = i % 7 == 0
            inputs.append(input)
        }
        let patients = try inputs.map { input throws(RiskInputError) in try QRisk3.validate(input) }
        var sink = 0.0
        let full = bestOfFive { for input in inputs { sink += (try? qrisk.evaluate(input).value) ?? 0 } }
        let core = bestOfFive { for patient in patients { sink += qrisk.score(patient) } }
        print("QRISK3: evaluate \(full / inputs.count) per patient; score only \(core / patients.count) [sink \(sink > 0)]")
    }
}

/// The fastest of five timed runs of `body`.
private func bestOfFive(_ body: () -> Void) -> Duration {
    let clock = ContinuousClock()
    return (0..<5).map { _ in clock.measure(body) }.min()!
}
