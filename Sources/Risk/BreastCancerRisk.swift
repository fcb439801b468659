import Foundation
public import Knowledge

// NCI Breast Cancer Risk Assessment Tool (BCRAT, the "Gail model"): absolute risk of invasive breast cancer over an
// age interval, for a woman with the given relative-risk factors, competing with death from other causes.
//
// The computation follows NCI's algorithm as implemented in the BCRA R package 2.1.2 (`recode.check.R`,
// `relative.risk.R`, `absolute.risk.R`): raw answers are recoded to categories, the race-specific model turns them
// into two relative risks (before and from age 50), and the risk is integrated year by year over the SEER incidence
// (λ1) and competing mortality (λ2) of the woman's race group. All constants come from the `risk` knowledge pack
// (`gail/BrCa_{beta,1_AR,lambda1,lambda2}.csv`); none are written here.

/// BCRAT's race/ethnicity groups, with BCRAT's own codes 1–11 as raw values (so files written for the BCRA package
/// or NCI's SAS macro read directly). The group chooses both the relative-risk model and the population rates.
public enum BreastCancerRace: Int, Codable, Sendable, Hashable, CaseIterable {
    case white = 1
    case black = 2
    case hispanicUSBorn = 3
    /// "Other" (including Native American and unknown race): White betas and White rates.
    case other = 4
    case hispanicForeignBorn = 5
    case chinese = 6
    case japanese = 7
    case filipino = 8
    case hawaiian = 9
    case otherPacificIslander = 10
    case otherAsian = 11

    /// The column of `BrCa_beta.csv` / `BrCa_1_AR.csv` holding this group's relative-risk model.
    var modelColumn: String {
        switch self {
        case .white: "Wh.Gail"
        case .black: "AA.CARE"
        case .hispanicUSBorn: "HU.Gail"
        case .other: "NA.Gail"
        case .hispanicForeignBorn: "HF.Gail"
        case .chinese, .japanese, .filipino, .hawaiian, .otherPacificIslander, .otherAsian: "Asian.AABCS"
        }
    }

    /// The prefix (before the period) of this group's columns in `BrCa_lambda1.csv` / `BrCa_lambda2.csv`.
    var rateColumnPrefix: String {
        switch self {
        case .white: "Wh"
        case .black: "AA"
        case .hispanicUSBorn: "HU"
        case .other: "NA"
        case .hispanicForeignBorn: "HF"
        case .chinese: "Ch"
        case .japanese: "Ja"
        case .filipino: "Fi"
        case .hawaiian: "Hw"
        case .otherPacificIslander: "oP"
        case .otherAsian: "oA"
        }
    }

    /// The "average woman" of White and Other uses the 1992–96 average-White rates; every other group its own rates.
    var averageRateColumnPrefix: String {
        switch self {
        case .white, .other: "Wh_Avg"
        default: rateColumnPrefix
        }
    }

    /// The relative-risk model applied, in words (shown with every result: race-specific models must be named).
    var modelDescription: String {
        switch self {
        case .white: "Gail model (White women)"
        case .black: "CARE model (Black women)"
        case .hispanicUSBorn: "SFBCS model (US-born Hispanic women)"
        case .other: "Gail model (White betas, used for Other)"
        case .hispanicForeignBorn: "SFBCS model (foreign-born Hispanic women)"
        case .chinese, .japanese, .filipino, .hawaiian, .otherPacificIslander, .otherAsian: "AABCS model (Asian and Pacific Islander women)"
        }
    }
}

/// A woman's answers to the BCRAT questions. `nil` means "unknown" wherever BCRAT accepts unknown; unknowns are
/// counted in the lowest-risk category, exactly as BCRAT does (and said so in the result's warnings).
///
/// Accepted values (anything else throws ``RiskInputError`` naming the field, the range and the unit): age and
/// projection age 0–120 years; age at menarche 6–20 years; age at first live birth 10–60 years, not before menarche
/// and not after the current age; biopsies 0–50; first-degree relatives 0–30. A projection age must be later than the
/// current age, atypical hyperplasia needs at least one biopsy, and a nulliparous woman has no age at first birth.
/// Possible but out-of-scope values are not errors: below 35, from 90, a projection past 90 and the exclusions below
/// give "not applicable" results with the reason.
public struct BreastCancerRiskInput: Codable, Sendable, Hashable {
    /// Current age in years (T1). Required.
    public var age: Double?
    /// Age the projection runs to (T2); nil means five years from now.
    public var projectionAge: Double?
    /// Race/ethnicity group. Required: it selects the model and the rates.
    public var race: BreastCancerRace?
    /// Number of breast biopsies ever done (benign or not), nil = unknown.
    public var biopsies: Int?
    /// Whether any biopsy showed atypical hyperplasia; nil = unknown (or no biopsy).
    public var atypicalHyperplasia: Bool?
    /// Age at first menstrual period in years; nil = unknown.
    public var ageAtMenarche: Double?
    /// Age at first live birth in years; nil = unknown, unless `nulliparous`.
    public var ageAtFirstLiveBirth: Double?
    /// No live birth. BCRAT puts nulliparous women with first births at 25–29.
    public var nulliparous: Bool
    /// Mother, sisters and daughters with breast cancer; nil = unknown.
    public var firstDegreeRelatives: Int?
    /// The exclusions of NCI's tool: the model does not apply to women with any of these.
    public var priorBreastCancer: Bool
    public var priorDCISOrLCIS: Bool
    /// Radiation therapy to the chest (e.g. for Hodgkin lymphoma).
    public var chestRadiation: Bool
    /// A known BRCA1/BRCA2 mutation.
    public var brcaMutation: Bool

    public init(
        age: Double?, projectionAge: Double? = nil, race: BreastCancerRace?, biopsies: Int? = nil, atypicalHyperplasia: Bool? = nil,
        ageAtMenarche: Double? = nil, ageAtFirstLiveBirth: Double? = nil, nulliparous: Bool = false, firstDegreeRelatives: Int? = nil,
        priorBreastCancer: Bool = false, priorDCISOrLCIS: Bool = false, chestRadiation: Bool = false, brcaMutation: Bool = false
    ) {
        self.age = age
        self.projectionAge = projectionAge
        self.race = race
        self.biopsies = biopsies
        self.atypicalHyperplasia = atypicalHyperplasia
        self.ageAtMenarche = ageAtMenarche
        self.ageAtFirstLiveBirth = ageAtFirstLiveBirth
        self.nulliparous = nulliparous
        self.firstDegreeRelatives = firstDegreeRelatives
        self.priorBreastCancer = priorBreastCancer
        self.priorDCISOrLCIS = priorDCISOrLCIS
        self.chestRadiation = chestRadiation
        self.brcaMutation = brcaMutation
    }

    private enum CodingKeys: String, CodingKey {
        case age, projectionAge, race, biopsies, atypicalHyperplasia, ageAtMenarche, ageAtFirstLiveBirth, nulliparous
        case firstDegreeRelatives, priorBreastCancer, priorDCISOrLCIS, chestRadiation, brcaMutation
    }

    /// Yes/no answers may be left out of JSON input; absent means "no".
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        age = try c.decodeIfPresent(Double.self, forKey: .age)
        projectionAge = try c.decodeIfPresent(Double.self, forKey: .projectionAge)
        race = try c.decodeIfPresent(BreastCancerRace.self, forKey: .race)
        biopsies = try c.decodeIfPresent(Int.self, forKey: .biopsies)
        atypicalHyperplasia = try c.decodeIfPresent(Bool.self, forKey: .atypicalHyperplasia)
        ageAtMenarche = try c.decodeIfPresent(Double.self, forKey: .ageAtMenarche)
        ageAtFirstLiveBirth = try c.decodeIfPresent(Double.self, forKey: .ageAtFirstLiveBirth)
        nulliparous = try c.decodeIfPresent(Bool.self, forKey: .nulliparous) ?? false
        firstDegreeRelatives = try c.decodeIfPresent(Int.self, forKey: .firstDegreeRelatives)
        priorBreastCancer = try c.decodeIfPresent(Bool.self, forKey: .priorBreastCancer) ?? false
        priorDCISOrLCIS = try c.decodeIfPresent(Bool.self, forKey: .priorDCISOrLCIS) ?? false
        chestRadiation = try c.decodeIfPresent(Bool.self, forKey: .chestRadiation) ?? false
        brcaMutation = try c.decodeIfPresent(Bool.self, forKey: .brcaMutation) ?? false
    }
}

/// The answer for one woman: her projection and lifetime risk, the same for the "average woman" of her age and race
/// group (relative risk 1, 1-AR = 1), and the relative risks behind them.
public struct BreastCancerRiskAssessment: Codable, Sendable, Hashable {
    /// Risk from the current age to the projection age (five years by default).
    public var projection: RiskResult
    /// Risk from the current age to 90.
    public var lifetime: RiskResult
    /// The average woman's risk over the projection interval.
    public var averageProjection: RiskResult
    /// The average woman's risk to 90.
    public var averageLifetime: RiskResult
    /// exp(LP1): relative risk applied at ages below 50.
    public var relativeRiskBefore50: Double
    /// exp(LP2): relative risk applied from age 50.
    public var relativeRiskFrom50: Double
    /// For a five-year projection: whether it is at or above the historical NSABP P-1 cut-off (information only).
    public var atOrAboveHistorical5YearCutoff: Bool?

    public var results: [RiskResult] { [projection, lifetime, averageProjection, averageLifetime] }
}

/// BCRAT's recoded relative-risk covariates (the categories of `recode.check.R`) and the hyperplasia factor.
struct GailCovariates: Sendable, Hashable {
    /// NB: 0 (none or unknown), 1, 2 (two or more).
    var biopsies: Int
    /// AM: 0 (≥14 or unknown), 1 (12–13), 2 (<12).
    var menarche: Int
    /// AF: 0 (<20 or unknown), 1 (20–24), 2 (25–29 or nulliparous), 3 (≥30).
    var firstBirth: Int
    /// NR: 0 (none or unknown), 1, 2 (two or more).
    var relatives: Int
    /// R_Hyp: 1.00 without biopsy, 0.93 biopsied without atypical hyperplasia, 1.82 with it, 1.00 if unknown.
    var hyperplasiaRR: Double
}

/// The Gail/BCRAT equation with its constants loaded. Build it once (``bundled()``); ``assess(_:)`` is then pure.
public struct BreastCancerRisk: Sendable {
    public static let equationName = "Gail/BCRAT"
    /// The 5-year risk that was the historical "high-risk" cut-off (NSABP P-1 trial eligibility). Information only.
    public static let historical5YearCutoff = 1.67
    /// NCI's web tool is for women aged 35 or older.
    public static let minimumAge = 35.0
    /// The rate tables end at 90: no projection beyond it.
    public static let lastAge = 90.0

    /// Relative-risk coefficients of one model (a column of `BrCa_beta.csv`).
    struct Betas: Sendable, Hashable {
        var biopsies, menarche, firstBirth, relatives, from50TimesBiopsies, firstBirthTimesRelatives: Double
    }

    /// Everything the integration needs for one race group, resolved at load so that evaluation only indexes arrays.
    struct Group: Sendable {
        var betas: Betas
        /// 1 - attributable risk below 50 and from 50.
        var oneMinusARBefore50: Double
        var oneMinusARFrom50: Double
        /// λ1 and λ2 per single year of age, index 0 = age 20 … 69 = age 89.
        var incidence: [Double]
        var mortality: [Double]
        var averageIncidence: [Double]
        var averageMortality: [Double]
        var equation: EquationInfo
    }

    let groups: [Group]  // index race.rawValue - 1
    /// The pack name and version the constants were read from.
    public let knowledge: String

    private static let cached = Result { () throws(KnowledgeError) -> BreastCancerRisk in
        try BreastCancerRisk(pack: KnowledgePack.bundled("risk"))
    }

    /// The equation with the constants of the bundled `risk` pack, parsed once per process.
    public static func bundled() throws(KnowledgeError) -> BreastCancerRisk { try cached.get() }

    /// Reads and checks the four Gail tables of a `risk` pack.
    public init(pack: KnowledgePack) throws(KnowledgeError) {
        let label = RiskPack.label(pack)
        let beta = try GailTable(pack, "gail/BrCa_beta.csv")
        let attributable = try GailTable(pack, "gail/BrCa_1_AR.csv")
        let lambda1 = try GailTable(pack, "gail/BrCa_lambda1.csv")
        let lambda2 = try GailTable(pack, "gail/BrCa_lambda2.csv")
        try lambda1.checkFiveYearAgeGroups()
        try lambda2.checkFiveYearAgeGroups()

        var groups: [Group] = []
        for race in BreastCancerRace.allCases {
            let column = race.modelColumn
            let betas = Betas(
                biopsies: try beta.value("N_Biop", column), menarche: try beta.value("AgeMen", column),
                firstBirth: try beta.value("AgeFst", column), relatives: try beta.value("N_Rels", column),
                from50TimesBiopsies: try beta.value("A50*NB", column), firstBirthTimesRelatives: try beta.value("AF*NR", column))
            let (incidenceColumn, incidence) = try lambda1.singleYears(prefix: race.rateColumnPrefix)
            let (_, mortality) = try lambda2.singleYears(prefix: race.rateColumnPrefix)
            let (averageColumn, averageIncidence) = try lambda1.singleYears(prefix: race.averageRateColumnPrefix)
            let (_, averageMortality) = try lambda2.singleYears(prefix: race.averageRateColumnPrefix)
            let equation = EquationInfo(
                id: "gail-bcrat",
                name: "NCI Breast Cancer Risk Assessment Tool (Gail model), BCRA 2.1.2 algorithm",
                citation: Self.citation(race),
                population:
                    "Women. Relative risks: \(race.modelDescription); rates: SEER invasive breast cancer incidence and competing "
                    + "mortality \(incidenceColumn) (average woman: \(averageColumn)). NCI's tool is for women aged 35 or older without "
                    + "prior breast cancer, DCIS/LCIS, chest radiation or a known BRCA mutation; validate calibration per group before use.",
                knowledge: label)
            groups.append(
                Group(
                    betas: betas, oneMinusARBefore50: try attributable.value("Age<50", column),
                    oneMinusARFrom50: try attributable.value("Age>=50", column), incidence: incidence, mortality: mortality,
                    averageIncidence: averageIncidence, averageMortality: averageMortality, equation: equation))
        }
        self.groups = groups
        self.knowledge = label
    }

    static func citation(_ race: BreastCancerRace) -> String {
        let gail =
            "Gail MH et al. Projecting individualized probabilities of developing breast cancer for white females who are being "
            + "examined annually. JNCI 1989;81(24):1879-86, doi:10.1093/jnci/81.24.1879"
        let model: String
        switch race {
        case .white, .other: model = gail
        case .black:
            model =
                "Gail MH et al. Projecting individualized absolute invasive breast cancer risk in African American women. "
                + "JNCI 2007;99(23):1782-92 (CARE model); " + gail
        case .hispanicUSBorn, .hispanicForeignBorn:
            model =
                "Banegas MP et al. Projecting individualized absolute invasive breast cancer risk in US Hispanic women. "
                + "JNCI 2016;109 (SFBCS model); " + gail
        default:
            model =
                "Matsuno RK et al. Projecting individualized absolute invasive breast cancer risk in Asian and Pacific Islander "
                + "American women. JNCI 2011;103(12):951-61 (AABCS model); " + gail
        }
        return model + ". Algorithm and constants: NCI BCRAT as implemented in the BCRA R package 2.1.2 (GPL>=2)."
    }

    // MARK: - Evaluation

    /// Risks for one woman. Impossible or contradictory answers throw, naming the field; a woman the tool is not meant
    /// for (younger than 35, prior breast cancer, …) gets results that are "not applicable" with the reasons.
    public func assess(_ input: BreastCancerRiskInput) throws(RiskInputError) -> BreastCancerRiskAssessment {
        let woman = try Self.validate(input)
        let group = groups[woman.race.rawValue - 1]
        let (rr1, rr2) = Self.relativeRisks(woman.covariates, group.betas)

        var reasons: [String] = []
        if input.priorBreastCancer { reasons.append("prior breast cancer: the model estimates a first invasive breast cancer") }
        if input.priorDCISOrLCIS { reasons.append("prior DCIS or LCIS: NCI's tool does not apply") }
        if input.chestRadiation { reasons.append("prior chest radiation: NCI's tool does not apply") }
        if input.brcaMutation { reasons.append("known BRCA mutation: NCI's tool does not apply; use a model of genetic risk") }
        if woman.age < Self.minimumAge {
            reasons.append("age \(RiskFormat.number(woman.age)) years is below 35, the youngest age NCI's tool is for")
        }
        if woman.age >= Self.lastAge {
            reasons.append("age \(RiskFormat.number(woman.age)) years: the model's rates end at 90")
        }
        var projectionReasons = reasons
        if reasons.isEmpty && woman.projectionAge > Self.lastAge {
            projectionReasons.append("projection age \(RiskFormat.number(woman.projectionAge)) years is beyond 90, where the model's rates end")
        }

        let t1 = woman.age
        let t2 = woman.projectionAge
        // t1 + 5 - t1 need not be exactly 5 in floating point: a five-year projection is recognised with a tolerance.
        let fiveYear = abs((t2 - t1) - 5) < 1e-9
        let horizon = fiveYear ? 5 : t2 - t1
        let projectionOutcome =
            fiveYear ? Outcome.fiveYear : "invasive breast cancer from age \(RiskFormat.number(t1)) to \(RiskFormat.number(t2))"
        let averageProjectionOutcome = fiveYear ? Outcome.fiveYearAverage : projectionOutcome + Outcome.average

        func result(_ outcome: String, to end: Double, reasons: [String], average isAverage: Bool, warnings: [String]) -> RiskResult {
            let years = end == t2 ? horizon : end - t1
            guard reasons.isEmpty else {
                return .notApplicable(group.equation, outcome: outcome, horizonYears: years, unit: "%", reasons: reasons)
            }
            let value =
                isAverage
                ? Self.integrate(
                    from: t1, to: end, factorBefore50: 1, factorFrom50: 1, incidence: group.averageIncidence, mortality: group.averageMortality)
                : Self.integrate(
                    from: t1, to: end, factorBefore50: group.oneMinusARBefore50 * rr1, factorFrom50: group.oneMinusARFrom50 * rr2,
                    incidence: group.incidence, mortality: group.mortality)
            return RiskResult(equation: group.equation, outcome: outcome, horizonYears: years, value: value, unit: "%", warnings: warnings)
        }

        var projection = result(projectionOutcome, to: t2, reasons: projectionReasons, average: false, warnings: woman.warnings)
        var cutoff: Bool?
        if fiveYear, let value = projection.value {
            let above = value >= Self.historical5YearCutoff
            cutoff = above
            projection.warnings.append(
                "For information only: a 5-year risk of 1.67% or more was the historical \"high-risk\" cut-off of the NSABP P-1 trial; "
                    + "this estimate is \(above ? "at or above" : "below") it. It is not a treatment recommendation.")
        }
        return BreastCancerRiskAssessment(
            projection: projection,
            lifetime: result(Outcome.lifetime, to: Self.lastAge, reasons: reasons, average: false, warnings: woman.warnings),
            averageProjection: result(averageProjectionOutcome, to: t2, reasons: projectionReasons, average: true, warnings: []),
            averageLifetime: result(Outcome.lifetimeAverage, to: Self.lastAge, reasons: reasons, average: true, warnings: []),
            relativeRiskBefore50: rr1, relativeRiskFrom50: rr2, atOrAboveHistorical5YearCutoff: cutoff)
    }

    /// What each result estimates (constants, so that a typical assessment builds no strings for them).
    enum Outcome {
        static let fiveYear = "5-year invasive breast cancer"
        static let lifetime = "invasive breast cancer to age 90 (lifetime)"
        static let average = " — average woman of the same age and race group"
        static let fiveYearAverage = fiveYear + average
        static let lifetimeAverage = lifetime + average
    }

    /// A validated woman: ages, group, recoded covariates, and notes on unknowns and model-specific grouping.
    struct Woman: Sendable {
        var age: Double
        var projectionAge: Double
        var race: BreastCancerRace
        var covariates: GailCovariates
        var warnings: [String]
    }

    static func validate(_ input: BreastCancerRiskInput) throws(RiskInputError) -> Woman {
        let eq = equationName
        let age = try RiskCheck.required(input.age, "age", plausible: 0...120, unit: "years", equation: eq)
        guard let race = input.race else { throw RiskInputError(equation: eq, field: "race", problem: .missing) }
        let projectionAge = try RiskCheck.optional(input.projectionAge, "projectionAge", plausible: 0...120, unit: "years", equation: eq) ?? age + 5
        guard projectionAge > age else {
            throw RiskInputError(
                equation: eq, field: "projectionAge", problem: .invalid("must be later than the current age (\(RiskFormat.number(age)) years)"))
        }
        let biopsies = try RiskCheck.optional(input.biopsies.map(Double.init), "biopsies", plausible: 0...50, unit: "biopsies", equation: eq)
        let menarche = try RiskCheck.optional(input.ageAtMenarche, "ageAtMenarche", plausible: 6...20, unit: "years", equation: eq)
        let firstBirth = try RiskCheck.optional(input.ageAtFirstLiveBirth, "ageAtFirstLiveBirth", plausible: 10...60, unit: "years", equation: eq)
        let relatives = try RiskCheck.optional(
            input.firstDegreeRelatives.map(Double.init), "firstDegreeRelatives", plausible: 0...30, unit: "relatives", equation: eq)

        if let menarche, menarche > age {
            throw RiskInputError(
                equation: eq, field: "ageAtMenarche", problem: .invalid("later than the current age (\(RiskFormat.number(age)) years)"))
        }
        if let firstBirth {
            if input.nulliparous {
                throw RiskInputError(equation: eq, field: "ageAtFirstLiveBirth", problem: .invalid("given for a woman marked nulliparous"))
            }
            if firstBirth > age {
                throw RiskInputError(
                    equation: eq, field: "ageAtFirstLiveBirth", problem: .invalid("later than the current age (\(RiskFormat.number(age)) years)"))
            }
            if let menarche, firstBirth < menarche {
                throw RiskInputError(
                    equation: eq, field: "ageAtFirstLiveBirth",
                    problem: .invalid("earlier than the age at menarche (\(RiskFormat.number(menarche)) years)"))
            }
        }
        if input.atypicalHyperplasia == true && (biopsies ?? 0) == 0 {
            throw RiskInputError(
                equation: eq, field: "atypicalHyperplasia", problem: .invalid("reported without a breast biopsy (biopsies is 0 or unknown)"))
        }

        // BCRAT categories before the race-specific model (recode.check.R).
        var warnings: [String] = []
        let nb: Int
        switch biopsies {
        case nil:
            nb = 0
            warnings.append("Number of biopsies unknown: counted as none, as BCRAT does.")
        case let n? where n < 1: nb = 0
        case let n? where n < 2: nb = 1
        default: nb = 2
        }
        let am: Int
        switch menarche {
        case nil:
            am = 0
            if race != .hispanicUSBorn { warnings.append("Age at menarche unknown: counted as 14 or older, as BCRAT does.") }
        case let m? where m >= 14: am = 0
        case let m? where m >= 12: am = 1
        default: am = 2
        }
        let af: Int
        if input.nulliparous {
            af = 2
        } else {
            switch firstBirth {
            case nil:
                af = 0
                if race != .black { warnings.append("Age at first live birth unknown: counted as before 20, as BCRAT does.") }
            case let f? where f < 20: af = 0
            case let f? where f < 25: af = 1
            case let f? where f < 30: af = 2
            default: af = 3
            }
        }
        let nr: Int
        switch relatives {
        case nil:
            nr = 0
            warnings.append("Number of first-degree relatives with breast cancer unknown: counted as none, as BCRAT does.")
        case let n? where n < 1: nr = 0
        case let n? where n < 2: nr = 1
        default: nr = 2
        }
        let hyperplasiaRR: Double
        if nb == 0 {
            hyperplasiaRR = 1.00
        } else {
            switch input.atypicalHyperplasia {
            case false?: hyperplasiaRR = 0.93
            case true?: hyperplasiaRR = 1.82
            case nil:
                hyperplasiaRR = 1.00
                warnings.append("Atypical hyperplasia unknown: no adjustment for it (factor 1.00).")
            }
        }
        let raw = GailCovariates(biopsies: nb, menarche: am, firstBirth: af, relatives: nr, hyperplasiaRR: hyperplasiaRR)
        let covariates = recode(raw, race: race, nulliparous: input.nulliparous)
        for (label, before, after) in [
            ("number of biopsies", raw.biopsies, covariates.biopsies), ("age at menarche", raw.menarche, covariates.menarche),
            ("age at first live birth", raw.firstBirth, covariates.firstBirth),
            ("number of affected relatives", raw.relatives, covariates.relatives),
        ] where before != after {
            warnings.append("The \(race.modelDescription) groups the \(label) differently: BCRAT category \(before) is used as \(after).")
        }
        return Woman(age: age, projectionAge: projectionAge, race: race, covariates: covariates, warnings: warnings)
    }

    /// The race-specific recodes of BCRAT: the CARE, SFBCS and AABCS models pool or drop some categories.
    static func recode(_ raw: GailCovariates, race: BreastCancerRace, nulliparous: Bool) -> GailCovariates {
        var c = raw
        switch race {
        case .black:
            c.firstBirth = 0  // CARE has no age-at-first-birth term
            if c.menarche == 2 { c.menarche = 1 }  // CARE pools menarche <12 with 12–13
        case .hispanicUSBorn, .hispanicForeignBorn:
            if c.biopsies == 2 { c.biopsies = 1 }
            if c.firstBirth == 2 && !nulliparous { c.firstBirth = 1 }  // 25–29 pooled with 20–24
            if c.firstBirth == 3 { c.firstBirth = 2 }  // ≥30 pooled with nulliparous
            if c.relatives == 2 { c.relatives = 1 }
            if race == .hispanicUSBorn { c.menarche = 0 }  // no menarche term for US-born Hispanic women
        case .chinese, .japanese, .filipino, .hawaiian, .otherPacificIslander, .otherAsian:
            if c.relatives == 2 { c.relatives = 1 }
        case .white, .other:
            break
        }
        return c
    }

    /// RR1 = exp(LP1) below 50 and RR2 = exp(LP2) from 50.
    static func relativeRisks(_ c: GailCovariates, _ b: Betas) -> (Double, Double) {
        let lp1 =
            Double(c.biopsies) * b.biopsies + Double(c.menarche) * b.menarche + Double(c.firstBirth) * b.firstBirth
            + Double(c.relatives) * b.relatives + Double(c.firstBirth * c.relatives) * b.firstBirthTimesRelatives + log(c.hyperplasiaRR)
        let lp2 = lp1 + Double(c.biopsies) * b.from50TimesBiopsies
        return (exp(lp1), exp(lp2))
    }

    /// Absolute risk (%) from `t1` to `t2` (20 ≤ t1 < t2 ≤ 90): over each year of age j from ⌊t1⌋ to ⌈t2⌉, with
    /// fractional first and last intervals, hazard h_j = λ1_j·(1-AR)·RR + λ2_j and
    /// P_j = [(1-AR)·RR·λ1_j / h_j] · exp(-Σ_{k<j} h_k ℓ_k) · (1 - exp(-h_j ℓ_j)).
    /// `factorBefore50`/`factorFrom50` are (1-AR)·RR for the two age bands. The running survival is kept as a product
    /// of the per-year factors, which is exp(-Σ h ℓ) with one exponential per year instead of two.
    static func integrate(
        from t1: Double, to t2: Double, factorBefore50: Double, factorFrom50: Double, incidence: [Double], mortality: [Double]
    ) -> Double {
        let start = Int(t1.rounded(.down))
        let count = Int(t2.rounded(.up)) - start
        let t2Floor = t2.rounded(.down)
        var survival = 1.0
        var risk = 0.0
        for j in 0..<count {
            let length: Double
            if count == 1 {
                length = t2 - t1
            } else if j == 0 {
                length = 1 - (t1 - Double(start))
            } else if j == count - 1 {
                length = t2 > t2Floor ? t2 - t2Floor : 1
            } else {
                length = 1
            }
            let year = start + j
            let index = year - 20
            let breastCancer = incidence[index] * (year < 50 ? factorBefore50 : factorFrom50)
            let hazard = breastCancer + mortality[index]
            let staying = exp(-hazard * length)
            risk += breastCancer / hazard * survival * (1 - staying)
            survival *= staying
        }
        return 100 * risk
    }

    /// The woman's own absolute risk (%) between two ages, given recoded covariates (no applicability checks).
    func absoluteRisk(from t1: Double, to t2: Double, race: BreastCancerRace, covariates: GailCovariates) -> Double {
        let group = groups[race.rawValue - 1]
        let (rr1, rr2) = Self.relativeRisks(covariates, group.betas)
        return Self.integrate(
            from: t1, to: t2, factorBefore50: group.oneMinusARBefore50 * rr1, factorFrom50: group.oneMinusARFrom50 * rr2,
            incidence: group.incidence, mortality: group.mortality)
    }

    /// The average woman's absolute risk (%) between two ages (RR = 1, 1-AR = 1).
    func averageRisk(from t1: Double, to t2: Double, race: BreastCancerRace) -> Double {
        let group = groups[race.rawValue - 1]
        return Self.integrate(
            from: t1, to: t2, factorBefore50: 1, factorFrom50: 1, incidence: group.averageIncidence, mortality: group.averageMortality)
    }

    func relativeRisks(_ covariates: GailCovariates, race: BreastCancerRace) -> (Double, Double) {
        Self.relativeRisks(covariates, groups[race.rawValue - 1].betas)
    }
}

/// One Gail CSV: a header row, then rows named by their first field.
private struct GailTable {
    let pack: String
    let path: String
    let header: [String]
    let rows: [[String]]

    init(_ pack: KnowledgePack, _ path: String) throws(KnowledgeError) {
        let all = try RiskPack.csv(pack, path)
        guard let header = all.first, all.count > 1 else { throw KnowledgeError(pack: pack.manifest.name, path: path, message: "empty table") }
        for (i, row) in all.enumerated() where row.count != header.count {
            throw KnowledgeError(pack: pack.manifest.name, path: path, message: "row \(i) has \(row.count) fields, the header \(header.count)")
        }
        self.pack = pack.manifest.name
        self.path = path
        self.header = header
        self.rows = Array(all.dropFirst())
    }

    func column(_ name: String) throws(KnowledgeError) -> Int {
        guard let index = header.firstIndex(of: name) else { throw KnowledgeError(pack: pack, path: path, message: "no column '\(name)'") }
        return index
    }

    func value(_ row: String, _ column: String) throws(KnowledgeError) -> Double {
        let c = try self.column(column)
        guard let r = rows.firstIndex(where: { $0[0] == row }) else { throw KnowledgeError(pack: pack, path: path, message: "no row '\(row)'") }
        return try RiskPack.number(rows[r][c], path: path, row: r + 1, column: column, pack: pack)
    }

    /// The rows must be the 14 five-year age groups [20,25) … [85,90), in order: the single-year expansion relies on it.
    func checkFiveYearAgeGroups() throws(KnowledgeError) {
        let expected = stride(from: 20, to: 90, by: 5).map { "[\($0),\($0 + 5))" }
        guard rows.map({ $0[0] }) == expected else {
            throw KnowledgeError(pack: pack, path: path, message: "rows must be the age groups \(expected.joined(separator: " ")) in order")
        }
    }

    /// The column whose name starts with `prefix` + "." (e.g. "AA" → "AA.1994_98"), expanded to one rate per single
    /// year of age 20…89; also returns the column's full name (it carries the calendar years of the rates).
    func singleYears(prefix: String) throws(KnowledgeError) -> (String, [Double]) {
        let matches = header.indices.filter { header[$0].split(separator: ".").first.map(String.init) == prefix }
        guard matches.count == 1, let c = matches.first else {
            throw KnowledgeError(pack: pack, path: path, message: "expected one rate column for '\(prefix)', found \(matches.count)")
        }
        var years: [Double] = []
        years.reserveCapacity(70)
        for (r, row) in rows.enumerated() {
            let rate = try RiskPack.number(row[c], path: path, row: r + 1, column: header[c], pack: pack)
            guard rate > 0 && rate < 1 else {
                throw KnowledgeError(pack: pack, path: path, message: "rate \(rate) in \(header[c]) is not a yearly hazard")
            }
            years.append(contentsOf: repeatElement(rate, count: 5))
        }
        return (header[c], years)
    }
}
