import Foundation
public import Knowledge

// QRISK3-2017: 10-year risk of cardiovascular disease, UK (Hippisley-Cox et al., BMJ 2017;357:j2099), as in
// ClinRisk's C source (© ClinRisk Ltd, LGPL-3):
//     score = 100 · (1 - S10 ^ exp(a)),
//     a = Iethrisk[ethrisk] + Ismoke[smoke_cat] + Σ coefficient · Π factors,
// where the factors are centred fractional polynomials of age and BMI, centred continuous values, 0/1 flags and
// smoking-category indicators. The coefficient file of the `risk` pack lists the terms as text ("age_1*b_AF"); they
// are compiled once, at load, into pairs of feature slots, so a patient costs one pass over ~55 multiply-adds.

/// ClinRisk's ethnicity categories, with the C index `ethrisk` as raw value.
public enum QRisk3Ethnicity: Int, Codable, Sendable, Hashable, CaseIterable {
    case whiteOrNotStated = 1
    case indian = 2
    case pakistani = 3
    case bangladeshi = 4
    case otherAsian = 5
    case blackCaribbean = 6
    case blackAfrican = 7
    case chinese = 8
    case otherEthnicGroup = 9

    /// From the C index `ethrisk`, where 0 and 1 both mean "White or not stated" (their coefficients are equal).
    public init?(ethrisk: Int) {
        self.init(rawValue: ethrisk == 0 ? 1 : ethrisk)
    }
}

/// ClinRisk's smoking categories, with the C index `smoke_cat` (0–4) as raw value.
public enum QRisk3Smoking: Int, Codable, Sendable, Hashable, CaseIterable {
    case nonSmoker = 0
    case exSmoker = 1
    /// Fewer than 10 a day.
    case lightSmoker = 2
    /// 10 to 19 a day.
    case moderateSmoker = 3
    /// 20 or more a day.
    case heavySmoker = 4

    /// From the R/SAS coding 1–5 of the same categories (the C index plus one): a classic off-by-one trap.
    public init?(rCode: Int) {
        self.init(rawValue: rCode - 1)
    }
}

/// A patient's QRISK3 inputs. BMI is not an input: it is computed from height and weight, so a stale or mistyped
/// BMI cannot slip in.
///
/// Accepted values (anything else throws ``RiskInputError`` naming the field, the range and the unit): age 0–120
/// years; height 100–250 cm; weight 20–350 kg; the resulting BMI 10–80 kg/m²; total/HDL cholesterol ratio 1–20;
/// systolic BP 60–300 mmHg; its standard deviation 0–100 mmHg; Townsend score −10 to 15. Sex, smoking and every
/// continuous value are required: no value is imputed. Ages outside 25–84 give a "not applicable" result.
public struct QRisk3Input: Codable, Sendable, Hashable {
    public var sex: Sex?
    /// Age in years; the algorithm uses completed years (the C code takes an integer age).
    public var age: Double?
    /// nil = not stated, which QRISK3 scores as White.
    public var ethnicity: QRisk3Ethnicity?
    public var smoking: QRisk3Smoking?
    public var heightCm: Double?
    public var weightKg: Double?
    /// Total cholesterol / HDL cholesterol.
    public var cholesterolHDLRatio: Double?
    /// Systolic blood pressure, mmHg.
    public var systolicBP: Double?
    /// Standard deviation of at least two recent systolic readings, mmHg.
    public var systolicBPSD: Double?
    /// Townsend deprivation score of the patient's area.
    public var townsend: Double?
    public var atrialFibrillation: Bool
    public var atypicalAntipsychotic: Bool
    /// On regular steroid tablets.
    public var corticosteroids: Bool
    /// Diagnosis of or treatment for erectile dysfunction (male equation only).
    public var erectileDysfunction: Bool
    public var migraine: Bool
    public var rheumatoidArthritis: Bool
    /// Chronic kidney disease stage 3, 4 or 5.
    public var chronicKidneyDisease: Bool
    public var severeMentalIllness: Bool
    public var systemicLupusErythematosus: Bool
    /// On blood-pressure treatment.
    public var treatedHypertension: Bool
    public var type1Diabetes: Bool
    public var type2Diabetes: Bool
    /// Angina or heart attack in a first-degree relative aged under 60.
    public var familyHistoryCHD: Bool

    public init(
        sex: Sex?, age: Double?, ethnicity: QRisk3Ethnicity? = nil, smoking: QRisk3Smoking?, heightCm: Double?, weightKg: Double?,
        cholesterolHDLRatio: Double?, systolicBP: Double?, systolicBPSD: Double?, townsend: Double?, atrialFibrillation: Bool = false,
        atypicalAntipsychotic: Bool = false, corticosteroids: Bool = false, erectileDysfunction: Bool = false, migraine: Bool = false,
        rheumatoidArthritis: Bool = false, chronicKidneyDisease: Bool = false, severeMentalIllness: Bool = false,
        systemicLupusErythematosus: Bool = false, treatedHypertension: Bool = false, type1Diabetes: Bool = false,
        type2Diabetes: Bool = false, familyHistoryCHD: Bool = false
    ) {
        self.sex = sex
        self.age = age
        self.ethnicity = ethnicity
        self.smoking = smoking
        self.heightCm = heightCm
        self.weightKg = weightKg
        self.cholesterolHDLRatio = cholesterolHDLRatio
        self.systolicBP = systolicBP
        self.systolicBPSD = systolicBPSD
        self.townsend = townsend
        self.atrialFibrillation = atrialFibrillation
        self.atypicalAntipsychotic = atypicalAntipsychotic
        self.corticosteroids = corticosteroids
        self.erectileDysfunction = erectileDysfunction
        self.migraine = migraine
        self.rheumatoidArthritis = rheumatoidArthritis
        self.chronicKidneyDisease = chronicKidneyDisease
        self.severeMentalIllness = severeMentalIllness
        self.systemicLupusErythematosus = systemicLupusErythematosus
        self.treatedHypertension = treatedHypertension
        self.type1Diabetes = type1Diabetes
        self.type2Diabetes = type2Diabetes
        self.familyHistoryCHD = familyHistoryCHD
    }

    private enum CodingKeys: String, CodingKey {
        case sex, age, ethnicity, smoking, heightCm, weightKg, cholesterolHDLRatio, systolicBP, systolicBPSD, townsend
        case atrialFibrillation, atypicalAntipsychotic, corticosteroids, erectileDysfunction, migraine, rheumatoidArthritis
        case chronicKidneyDisease, severeMentalIllness, systemicLupusErythematosus, treatedHypertension, type1Diabetes, type2Diabetes
        case familyHistoryCHD
    }

    /// Conditions may be left out of JSON input; absent means "no".
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func flag(_ key: CodingKeys) throws -> Bool { try c.decodeIfPresent(Bool.self, forKey: key) ?? false }
        self.init(
            sex: try c.decodeIfPresent(Sex.self, forKey: .sex), age: try c.decodeIfPresent(Double.self, forKey: .age),
            ethnicity: try c.decodeIfPresent(QRisk3Ethnicity.self, forKey: .ethnicity),
            smoking: try c.decodeIfPresent(QRisk3Smoking.self, forKey: .smoking), heightCm: try c.decodeIfPresent(Double.self, forKey: .heightCm),
            weightKg: try c.decodeIfPresent(Double.self, forKey: .weightKg),
            cholesterolHDLRatio: try c.decodeIfPresent(Double.self, forKey: .cholesterolHDLRatio),
            systolicBP: try c.decodeIfPresent(Double.self, forKey: .systolicBP),
            systolicBPSD: try c.decodeIfPresent(Double.self, forKey: .systolicBPSD),
            townsend: try c.decodeIfPresent(Double.self, forKey: .townsend), atrialFibrillation: try flag(.atrialFibrillation),
            atypicalAntipsychotic: try flag(.atypicalAntipsychotic), corticosteroids: try flag(.corticosteroids),
            erectileDysfunction: try flag(.erectileDysfunction), migraine: try flag(.migraine), rheumatoidArthritis: try flag(.rheumatoidArthritis),
            chronicKidneyDisease: try flag(.chronicKidneyDisease), severeMentalIllness: try flag(.severeMentalIllness),
            systemicLupusErythematosus: try flag(.systemicLupusErythematosus), treatedHypertension: try flag(.treatedHypertension),
            type1Diabetes: try flag(.type1Diabetes), type2Diabetes: try flag(.type2Diabetes), familyHistoryCHD: try flag(.familyHistoryCHD))
    }
}

/// The QRISK3-2017 equations (female and male) with their coefficients loaded and their terms compiled.
public struct QRisk3: Sendable {
    public static let equationName = "QRISK3"

    /// ClinRisk's additional licence terms require this text to be held with every score and shown (or prominently
    /// linked) wherever a score is displayed. Quoted from the header of ClinRisk's QRISK3-2017 C source.
    public static let disclaimer = """
        Copyright 2017 ClinRisk Ltd.
        The initial version of this file, to be found at http://svn.clinrisk.co.uk/opensource/qrisk2, faithfully implements QRISK3-2017.
        ClinRisk Ltd. have released this code under the GNU Lesser General Public License to enable others to implement the algorithm faithfully.
        However, the nature of the GNU Lesser General Public License is such that we cannot prevent, for example, someone accidentally altering the coefficients, getting the inputs wrong, or just poor programming.
        ClinRisk Ltd. stress, therefore, that it is the responsibility of the end user to check that the source that they receive produces the same results as the original code found at https://qrisk.org.
        Inaccurate implementations of risk scores can lead to wrong patients being given the wrong treatment.
        """

    /// The ages (completed years) the algorithm is for: 25–84, the range the QRISK3 R package enforces ("Age of
    /// patients must be between 25 and 84").
    public static let ageRange: ClosedRange<Double> = 25...84

    static let outcome = "10-year cardiovascular disease"

    let female: QRisk3Equation
    let male: QRisk3Equation
    public let equation: EquationInfo

    private static let cached = Result { () throws(KnowledgeError) -> QRisk3 in try QRisk3(pack: KnowledgePack.bundled("risk")) }

    /// The equations of the bundled `risk` pack, parsed and compiled once per process.
    public static func bundled() throws(KnowledgeError) -> QRisk3 { try cached.get() }

    public static let coefficientPath = "qrisk3/qrisk3_2017_coefficients.json"

    public init(pack: KnowledgePack) throws(KnowledgeError) {
        try self.init(json: try pack.data(Self.coefficientPath), pack: pack.manifest.name, knowledge: RiskPack.label(pack))
    }

    /// From the bytes of a coefficient file (the pack's or, in tests, an altered copy).
    init(json: [UInt8], pack: String, knowledge: String) throws(KnowledgeError) {
        let path = Self.coefficientPath
        let raw: [String: QRisk3Equation.Raw]
        do {
            raw = try JSONDecoder().decode([String: QRisk3Equation.Raw].self, from: Data(json))
        } catch {
            throw KnowledgeError(pack: pack, path: path, message: "unreadable: \(error)")
        }
        func compiled(_ sex: String) throws(KnowledgeError) -> QRisk3Equation {
            guard let r = raw[sex] else { throw KnowledgeError(pack: pack, path: path, message: "no '\(sex)' equation") }
            do {
                return try QRisk3Equation(r)
            } catch {
                throw KnowledgeError(pack: pack, path: path, message: "\(sex): \(error.message)")
            }
        }
        female = try compiled("female")
        male = try compiled("male")
        equation = EquationInfo(
            id: "qrisk3-2017",
            name: "QRISK3-2017 (ClinRisk), 10-year cardiovascular disease",
            citation: "Hippisley-Cox J, Coupland C, Brindle P. Development and validation of QRISK3 risk prediction algorithms to estimate "
                + "future risk of cardiovascular disease: prospective cohort study. BMJ 2017;357:j2099. Algorithm: ClinRisk Ltd QRISK3-2017 "
                + "C source (LGPL-3), as shipped in the QRISK3 R package (inst/extdata/QRISK3_2017_src.txt).",
            population: "UK population, ages 25–84 (UK 10-year CVD); sex-specific equations with UK ethnicity categories and the "
                + "Townsend deprivation score.",
            knowledge: knowledge)
    }

    /// kg / m², from centimetres and kilograms.
    public static func bmi(heightCm: Double, weightKg: Double) -> Double {
        let metres = heightCm / 100
        return weightKg / (metres * metres)
    }

    /// The 10-year risk (%). Impossible values throw, naming the field; an age outside 25–84 gives a result that is
    /// "not applicable". Every result carries ClinRisk's disclaimer.
    public func evaluate(_ input: QRisk3Input) throws(RiskInputError) -> RiskResult {
        let patient = try Self.validate(input)
        if let reason = RiskCheck.outside(Double(patient.age), "age", Self.ageRange, unit: "years", equation: Self.equationName) {
            return .notApplicable(equation, outcome: Self.outcome, horizonYears: 10, unit: "%", reasons: [reason], disclaimer: Self.disclaimer)
        }
        let value = (patient.sex == .female ? female : male).score(patient)
        var warnings: [String] = []
        if patient.sex == .female && input.erectileDysfunction {
            warnings.append("erectileDysfunction is part of the male equation only and was not used.")
        }
        return RiskResult(
            equation: equation, outcome: Self.outcome, horizonYears: 10, value: value, unit: "%", warnings: warnings, disclaimer: Self.disclaimer)
    }

    /// The score for a patient already validated (no range checks; the benchmark's and tests' entry point).
    func score(_ patient: QRisk3Patient) -> Double {
        (patient.sex == .female ? female : male).score(patient)
    }

    static func validate(_ input: QRisk3Input) throws(RiskInputError) -> QRisk3Patient {
        let eq = equationName
        guard let sex = input.sex else { throw RiskInputError(equation: eq, field: "sex", problem: .missing) }
        let age = try RiskCheck.required(input.age, "age", plausible: 0...120, unit: "years", equation: eq)
        guard let smoking = input.smoking else { throw RiskInputError(equation: eq, field: "smoking", problem: .missing) }
        let height = try RiskCheck.required(input.heightCm, "heightCm", plausible: 100...250, unit: "cm", equation: eq)
        let weight = try RiskCheck.required(input.weightKg, "weightKg", plausible: 20...350, unit: "kg", equation: eq)
        let bmi = try RiskCheck.required(
            bmi(heightCm: height, weightKg: weight), "bmi", plausible: 10...80, unit: "kg/m²", equation: eq,
            hint: "computed from heightCm and weightKg; are they in cm and kg?")
        let ratio = try RiskCheck.required(
            input.cholesterolHDLRatio, "cholesterolHDLRatio", plausible: 1...20, unit: "TC/HDL", equation: eq)
        let sbp = try RiskCheck.required(input.systolicBP, "systolicBP", plausible: 60...300, unit: "mmHg", equation: eq)
        let sbpSD = try RiskCheck.required(input.systolicBPSD, "systolicBPSD", plausible: 0...100, unit: "mmHg", equation: eq)
        let town = try RiskCheck.required(input.townsend, "townsend", plausible: -10...15, unit: "points", equation: eq)
        if input.type1Diabetes && input.type2Diabetes {
            throw RiskInputError(equation: eq, field: "type2Diabetes", problem: .invalid("type 1 and type 2 diabetes cannot both be set"))
        }
        return QRisk3Patient(
            sex: sex, age: Int(age.rounded(.down)), ethrisk: input.ethnicity?.rawValue ?? 0, smokeCategory: smoking.rawValue, bmi: bmi,
            cholesterolHDLRatio: ratio, systolicBP: sbp, systolicBPSD: sbpSD, townsend: town,
            flags: QRisk3Patient.flags([
                input.atrialFibrillation, input.atypicalAntipsychotic, input.corticosteroids, input.erectileDysfunction, input.migraine,
                input.rheumatoidArthritis, input.chronicKidneyDisease, input.severeMentalIllness, input.systemicLupusErythematosus,
                input.treatedHypertension, input.type1Diabetes, input.type2Diabetes, input.familyHistoryCHD,
            ]))
    }
}

/// A validated patient, in the C code's terms.
struct QRisk3Patient: Sendable, Hashable {
    var sex: Sex
    /// Completed years.
    var age: Int
    /// C index 0–9 (0 = not stated).
    var ethrisk: Int
    /// C index 0–4.
    var smokeCategory: Int
    var bmi: Double
    var cholesterolHDLRatio: Double
    var systolicBP: Double
    var systolicBPSD: Double
    var townsend: Double
    /// The 0/1 conditions as bits, bit i for `QRisk3Feature.flags[i]` (no array to allocate per patient).
    var flags: UInt16

    static func flags(_ values: [Bool]) -> UInt16 {
        var bits: UInt16 = 0
        for (i, on) in values.enumerated() where on { bits |= 1 << i }
        return bits
    }
}

/// The values a QRISK3 term can multiply, each a slot of the per-patient feature vector.
enum QRisk3Feature: Int, CaseIterable, Sendable {
    /// Always 1: the second factor of a single-factor term.
    case one
    // Centred continuous values.
    case age1, age2, bmi1, bmi2, rati, sbp, sbps5, town
    // 0/1 conditions (same order as `QRisk3Patient.flags`).
    case atrialFibrillation, atypicalAntipsychotic, corticosteroids, impotence, migraine, rheumatoidArthritis, renal
    case severeMentalIllness, sle, treatedHypertension, type1, type2, familyHistory
    // Smoking-category indicators `(smoke_cat==k)`.
    case smoke0, smoke1, smoke2, smoke3, smoke4

    static let flags: [QRisk3Feature] = [
        .atrialFibrillation, .atypicalAntipsychotic, .corticosteroids, .impotence, .migraine, .rheumatoidArthritis, .renal,
        .severeMentalIllness, .sle, .treatedHypertension, .type1, .type2, .familyHistory,
    ]

    /// The centred continuous features, by their names in ClinRisk's code (also the keys of `centre`).
    static let continuous: [String: QRisk3Feature] = [
        "age_1": .age1, "age_2": .age2, "bmi_1": .bmi1, "bmi_2": .bmi2, "rati": .rati, "sbp": .sbp, "sbps5": .sbps5, "town": .town,
    ]

    /// Names of the 0/1 variables in ClinRisk's code.
    static let booleans: [String: QRisk3Feature] = [
        "b_AF": .atrialFibrillation, "b_atypicalantipsy": .atypicalAntipsychotic, "b_corticosteroids": .corticosteroids,
        "b_impotence2": .impotence, "b_migraine": .migraine, "b_ra": .rheumatoidArthritis, "b_renal": .renal, "b_semi": .severeMentalIllness,
        "b_sle": .sle, "b_treatedhyp": .treatedHypertension, "b_type1": .type1, "b_type2": .type2, "fh_cvd": .familyHistory,
    ]
}

/// Why a coefficient file could not be understood.
struct QRisk3FormatError: Error, Sendable, Equatable {
    var message: String
}

/// One term `coefficient · x[first] · x[second]` (single-factor terms use `.one` as second factor).
struct QRisk3Term: Sendable, Hashable {
    var coefficient: Double
    var first: QRisk3Feature
    var second: QRisk3Feature

    /// Compiles an expression of ClinRisk's code such as `age_1`, `b_AF`, `age_1*bmi_2` or `age_2*(smoke_cat==3)`:
    /// a product of one or two factors, each a known variable or a smoking-category test. Anything else is refused,
    /// so a changed coefficient file fails at load instead of being scored wrongly.
    init(expression: String, coefficient: Double) throws(QRisk3FormatError) {
        let text = expression.filter { !$0.isWhitespace }
        let factors = text.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(factors.count) else {
            throw QRisk3FormatError(message: "term '\(expression)': expected one or two factors joined by '*'")
        }
        var features: [QRisk3Feature] = []
        for factor in factors {
            if let feature = QRisk3Feature.continuous[factor] ?? QRisk3Feature.booleans[factor] {
                features.append(feature)
            } else if factor.hasPrefix("(smoke_cat=="), factor.hasSuffix(")"),
                let k = Int(factor.dropFirst("(smoke_cat==".count).dropLast()), (0...4).contains(k),
                let feature = QRisk3Feature(rawValue: QRisk3Feature.smoke0.rawValue + k)
            {
                features.append(feature)
            } else {
                throw QRisk3FormatError(message: "term '\(expression)': unknown factor '\(factor)'")
            }
        }
        self.coefficient = coefficient
        self.first = features[0]
        self.second = features.count == 2 ? features[1] : .one
    }
}

/// A fractional-polynomial transform x^power · (ln x)^logPower, from ClinRisk's text such as `pow(dbmi,-2)*log(dbmi)`.
struct FractionalPolynomial: Sendable, Hashable {
    var power: Double
    var logPower: Int

    init(_ text: String, variable: String) throws(QRisk3FormatError) {
        var power = 0.0
        var logPower = 0
        for factor in text.filter({ !$0.isWhitespace }).split(separator: "*", omittingEmptySubsequences: false) {
            if factor == variable {
                power += 1
            } else if factor == "log(\(variable))" {
                logPower += 1
            } else if factor.hasPrefix("pow(\(variable),"), factor.hasSuffix(")"),
                let p = Double(factor.dropFirst("pow(\(variable),".count).dropLast())
            {
                power += p
            } else {
                throw QRisk3FormatError(
                    message:
                        "fractional polynomial '\(text)': unknown factor '\(factor)' (expected \(variable), pow(\(variable),p) or log(\(variable)))")
            }
        }
        self.power = power
        self.logPower = logPower
    }

    func callAsFunction(_ x: Double) -> Double {
        var value = power == 1 ? x : pow(x, power)
        for _ in 0..<logPower { value *= log(x) }
        return value
    }
}

/// One sex's equation, compiled.
struct QRisk3Equation: Sendable {
    /// The layout of one sex in the coefficient file.
    struct Raw: Decodable, Sendable {
        var survivor10: Double
        var Iethrisk: [Double]
        var Ismoke: [Double]
        var fp: [String: String]
        var centre: [String: Double]
        var terms: [Pair]

        struct Pair: Decodable, Sendable {
            var expression: String
            var coefficient: Double
            init(from decoder: any Decoder) throws {
                var c = try decoder.unkeyedContainer()
                expression = try c.decode(String.self)
                coefficient = try c.decode(Double.self)
                guard c.isAtEnd else {
                    throw DecodingError.dataCorruptedError(in: c, debugDescription: "a term is [expression, coefficient]")
                }
            }
        }
    }

    var survivor10: Double
    /// Indexed by the C `ethrisk` 0–9.
    var ethnicity: [Double]
    /// Indexed by the C `smoke_cat` 0–4.
    var smoking: [Double]
    var age1, age2, bmi1, bmi2: FractionalPolynomial
    /// Centring constant per feature slot (0 for slots that are not centred).
    var centre: [Double]
    var terms: [QRisk3Term]

    init(_ raw: Raw) throws(QRisk3FormatError) {
        guard raw.survivor10 > 0 && raw.survivor10 < 1 else { throw QRisk3FormatError(message: "survivor10 \(raw.survivor10) is not a survival") }
        guard raw.Iethrisk.count == 10 else { throw QRisk3FormatError(message: "Iethrisk has \(raw.Iethrisk.count) entries, expected 10") }
        guard raw.Iethrisk[0] == raw.Iethrisk[1] else {
            throw QRisk3FormatError(message: "Iethrisk[0] and Iethrisk[1] differ; both must be 'White or not stated'")
        }
        guard raw.Ismoke.count == 5 else { throw QRisk3FormatError(message: "Ismoke has \(raw.Ismoke.count) entries, expected 5") }
        guard Set(raw.fp.keys) == ["age_1", "age_2", "bmi_1", "bmi_2"] else {
            throw QRisk3FormatError(message: "fp must define exactly age_1, age_2, bmi_1, bmi_2; found \(raw.fp.keys.sorted())")
        }
        guard Set(raw.centre.keys) == Set(QRisk3Feature.continuous.keys) else {
            throw QRisk3FormatError(message: "centre must give \(QRisk3Feature.continuous.keys.sorted()); found \(raw.centre.keys.sorted())")
        }
        survivor10 = raw.survivor10
        ethnicity = raw.Iethrisk
        smoking = raw.Ismoke
        age1 = try FractionalPolynomial(raw.fp["age_1"]!, variable: "dage")
        age2 = try FractionalPolynomial(raw.fp["age_2"]!, variable: "dage")
        bmi1 = try FractionalPolynomial(raw.fp["bmi_1"]!, variable: "dbmi")
        bmi2 = try FractionalPolynomial(raw.fp["bmi_2"]!, variable: "dbmi")
        var centre = [Double](repeating: 0, count: QRisk3Feature.allCases.count)
        for (name, value) in raw.centre { centre[QRisk3Feature.continuous[name]!.rawValue] = value }
        self.centre = centre
        var terms: [QRisk3Term] = []
        for pair in raw.terms { terms.append(try QRisk3Term(expression: pair.expression, coefficient: pair.coefficient)) }
        guard !terms.isEmpty else { throw QRisk3FormatError(message: "no terms") }
        self.terms = terms
    }

    /// 100 · (1 - S10^exp(a)), every continuous value centred before use, including inside interactions.
    func score(_ p: QRisk3Patient) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: QRisk3Feature.allCases.count) { x in
            let dage = Double(p.age) / 10
            let dbmi = p.bmi / 10
            func set(_ f: QRisk3Feature, _ value: Double) { x[f.rawValue] = value }
            func centred(_ f: QRisk3Feature, _ value: Double) { x[f.rawValue] = value - centre[f.rawValue] }
            set(.one, 1)
            centred(.age1, age1(dage))
            centred(.age2, age2(dage))
            centred(.bmi1, bmi1(dbmi))
            centred(.bmi2, bmi2(dbmi))
            centred(.rati, p.cholesterolHDLRatio)
            centred(.sbp, p.systolicBP)
            centred(.sbps5, p.systolicBPSD)
            centred(.town, p.townsend)
            for (i, feature) in QRisk3Feature.flags.enumerated() { set(feature, p.flags & (1 << i) != 0 ? 1 : 0) }
            for k in 0...4 { x[QRisk3Feature.smoke0.rawValue + k] = p.smokeCategory == k ? 1 : 0 }

            var a = ethnicity[p.ethrisk] + smoking[p.smokeCategory]
            for term in terms { a += term.coefficient * x[term.first.rawValue] * x[term.second.rawValue] }
            return 100 * (1 - pow(survivor10, exp(a)))
        }
    }
}
