import Foundation

/// Which hypertension guideline decides drug therapy in stage 1: the 2017 rule (PCE 10-yr ASCVD ≥10%) or the
/// 2025 rule (PREVENT 10-yr total CVD ≥7.5%). Default is the newer one.
public enum GuidelineVersion: String, Codable, Sendable, Hashable, CaseIterable {
    case accAha2017 = "acc-aha-2017"
    case ahaAcc2025 = "aha-acc-2025"
}

public enum PlanSex: String, Codable, Sendable, Hashable { case female, male }

/// A calendar date without time zone (FHIR `date`), so due dates never shift with the server's clock.
public struct PlanDate: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        self.init(year: parts[0], month: parts[1], day: parts[2])
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = PlanDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected YYYY-MM-DD, got \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    public var description: String {
        func pad(_ v: Int, _ n: Int) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Days since the civil epoch (proleptic Gregorian), for exact date arithmetic without Calendar.
    var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe
    }

    init(dayNumber z: Int) {
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    public func adding(days: Int) -> PlanDate { PlanDate(dayNumber: dayNumber + days) }
    public func adding(weeks: Int) -> PlanDate { adding(days: 7 * weeks) }
    public static func < (a: PlanDate, b: PlanDate) -> Bool { a.dayNumber < b.dayNumber }
}

/// The blood-pressure summary the monitoring module computed (this module never averages readings itself).
public struct BPSummary: Codable, Sendable, Hashable {
    public enum Source: String, Codable, Sendable, Hashable { case home, clinic }
    public var meanSBP: Double
    public var meanDBP: Double
    public var source: Source
    public var readingCount: Int
    /// Whether the averaging protocol was met (≥12 valid readings over ≥3 days, day 1 excluded).
    public var sufficient: Bool

    public init(meanSBP: Double, meanDBP: Double, source: Source, readingCount: Int, sufficient: Bool) {
        self.meanSBP = meanSBP
        self.meanDBP = meanDBP
        self.source = source
        self.readingCount = readingCount
        self.sufficient = sufficient
    }
}

public struct Conditions: Codable, Sendable, Hashable {
    public enum DiabetesType: String, Codable, Sendable, Hashable { case type1, type2 }
    public var clinicalASCVD: Bool
    public var diabetes: DiabetesType?
    public var ckd: Bool
    public var heartFailure: Bool
    public var pregnancy: Bool
    public var gout: Bool
    /// Other coded conditions (e.g. SNOMED or ICD-10 codes), carried through unchanged.
    public var codes: [String]

    public init(
        clinicalASCVD: Bool = false, diabetes: DiabetesType? = nil, ckd: Bool = false, heartFailure: Bool = false, pregnancy: Bool = false,
        gout: Bool = false, codes: [String] = []
    ) {
        self.clinicalASCVD = clinicalASCVD
        self.diabetes = diabetes
        self.ckd = ckd
        self.heartFailure = heartFailure
        self.pregnancy = pregnancy
        self.gout = gout
        self.codes = codes
    }

    /// Flag lookup by the names the pack uses (`clinicalASCVD`, `diabetes`, `ckd`, `heartFailure`, `pregnancy`, `gout`).
    func has(_ name: String) -> Bool {
        switch name {
        case "clinicalASCVD": clinicalASCVD
        case "diabetes": diabetes != nil
        case "ckd": ckd
        case "heartFailure": heartFailure
        case "pregnancy": pregnancy
        case "gout": gout
        default: codes.contains(name)
        }
    }
}

public struct RiskScores: Codable, Sendable, Hashable {
    /// AHA PREVENT 10-year total CVD risk, percent.
    public var prevent10yTotalCVD: Double?
    /// 2013 Pooled Cohort Equations 10-year ASCVD risk, percent.
    public var pce10yASCVD: Double?
    public init(prevent10yTotalCVD: Double? = nil, pce10yASCVD: Double? = nil) {
        self.prevent10yTotalCVD = prevent10yTotalCVD
        self.pce10yASCVD = pce10yASCVD
    }
}

public struct Labs: Codable, Sendable, Hashable {
    public var a1c: Double?
    public var egfr: Double?
    public var uacr: Double?
    public var potassium: Double?
    public init(a1c: Double? = nil, egfr: Double? = nil, uacr: Double? = nil, potassium: Double? = nil) {
        self.a1c = a1c
        self.egfr = egfr
        self.uacr = uacr
        self.potassium = potassium
    }
}

public enum DietPattern: String, Codable, Sendable, Hashable { case dashLike, mediterranean, typical, other }

public struct PatientFactors: Codable, Sendable, Hashable {
    public var dietPattern: DietPattern?
    public var sodiumMgPerDay: Double?
    public var potassiumMgPerDay: Double?
    public var activityMinPerWeek: Double?
    public var resistanceMinPerWeek: Double?
    public var isometricSessionsPerWeek: Double?
    public var stepsPerDay: Double?
    public var alcoholDrinksPerDay: Double?
    public var smoking: Bool?
    public var sleepHours: Double?
    public var bmi: Double?
    public var weightKg: Double?
    public var pss10: Double?
    public var phq9: Double?
    public var gad7: Double?
    public var sdiDecile: Int?
    public var safePlaceToExercise: Bool?
    public var foodAccess: Bool?

    public init(
        dietPattern: DietPattern? = nil, sodiumMgPerDay: Double? = nil, potassiumMgPerDay: Double? = nil, activityMinPerWeek: Double? = nil,
        resistanceMinPerWeek: Double? = nil, isometricSessionsPerWeek: Double? = nil, stepsPerDay: Double? = nil, alcoholDrinksPerDay: Double? = nil,
        smoking: Bool? = nil, sleepHours: Double? = nil, bmi: Double? = nil, weightKg: Double? = nil, pss10: Double? = nil, phq9: Double? = nil,
        gad7: Double? = nil, sdiDecile: Int? = nil, safePlaceToExercise: Bool? = nil, foodAccess: Bool? = nil
    ) {
        self.dietPattern = dietPattern
        self.sodiumMgPerDay = sodiumMgPerDay
        self.potassiumMgPerDay = potassiumMgPerDay
        self.activityMinPerWeek = activityMinPerWeek
        self.resistanceMinPerWeek = resistanceMinPerWeek
        self.isometricSessionsPerWeek = isometricSessionsPerWeek
        self.stepsPerDay = stepsPerDay
        self.alcoholDrinksPerDay = alcoholDrinksPerDay
        self.smoking = smoking
        self.sleepHours = sleepHours
        self.bmi = bmi
        self.weightKg = weightKg
        self.pss10 = pss10
        self.phq9 = phq9
        self.gad7 = gad7
        self.sdiDecile = sdiDecile
        self.safePlaceToExercise = safePlaceToExercise
        self.foodAccess = foodAccess
    }
}

/// Importance and confidence rulers (0–10) for one intervention domain (`sodium`, `aerobic`, `stress`, …).
public struct Ruler: Codable, Sendable, Hashable {
    public var importance: Double?
    public var confidence: Double?
    public init(importance: Double? = nil, confidence: Double? = nil) {
        self.importance = importance
        self.confidence = confidence
    }
}

public struct Preferences: Codable, Sendable, Hashable {
    /// Rulers by intervention id (the ids of `lifestyle.json`, plus `stress`).
    public var domains: [String: Ruler]
    /// Intervention ids the patient does not want to work on now.
    public var unwilling: [String]
    public var costConstrained: Bool
    public var language: String?
    public init(domains: [String: Ruler] = [:], unwilling: [String] = [], costConstrained: Bool = false, language: String? = nil) {
        self.domains = domains
        self.unwilling = unwilling
        self.costConstrained = costConstrained
        self.language = language
    }
}

public struct DiabetesDetails: Codable, Sendable, Hashable {
    public enum OlderAdultStatus: String, Codable, Sendable, Hashable { case healthy, complex, veryComplex }
    public var durationYears: Double?
    /// Clinician's judgement that the duration is "short" (the ADA text gives no number of years).
    public var shortDuration: Bool?
    public var lifestyleOrMetforminOnly: Bool?
    public var severeHypoglycaemiaHistory: Bool
    public var limitedLifeExpectancy: Bool
    public var advancedComplications: Bool
    public var extensiveComorbidity: Bool
    /// Set for older adults (ADA section 13 categories).
    public var olderAdultStatus: OlderAdultStatus?
    /// Older or at high risk of hypoglycaemia (selects the CGM target set).
    public var highHypoglycaemiaRisk: Bool
    public var usesCGM: Bool

    public init(
        durationYears: Double? = nil, shortDuration: Bool? = nil, lifestyleOrMetforminOnly: Bool? = nil, severeHypoglycaemiaHistory: Bool = false,
        limitedLifeExpectancy: Bool = false, advancedComplications: Bool = false, extensiveComorbidity: Bool = false,
        olderAdultStatus: OlderAdultStatus? = nil, highHypoglycaemiaRisk: Bool = false, usesCGM: Bool = false
    ) {
        self.durationYears = durationYears
        self.shortDuration = shortDuration
        self.lifestyleOrMetforminOnly = lifestyleOrMetforminOnly
        self.severeHypoglycaemiaHistory = severeHypoglycaemiaHistory
        self.limitedLifeExpectancy = limitedLifeExpectancy
        self.advancedComplications = advancedComplications
        self.extensiveComorbidity = extensiveComorbidity
        self.olderAdultStatus = olderAdultStatus
        self.highHypoglycaemiaRisk = highHypoglycaemiaRisk
        self.usesCGM = usesCGM
    }
}

/// A pharmacogenomic finding as Tailor's PGx module reports it (CPIC/DPWG recommendation for one drug).
public struct PGxInput: Codable, Sendable, Hashable {
    public var gene: String
    public var phenotype: String
    public var drug: String
    /// The guideline's own recommendation text, shown verbatim.
    public var recommendation: String
    /// Classification/strength as the guideline states it (e.g. "Strong", "Optional").
    public var classification: String?
    /// `CPIC` or `DPWG`.
    public var source: String
    public var guidelineURL: String?
    /// The guideline annotation's own flags, when the PGx module provides them (preferred over reading the text).
    public var alternativeRecommended: Bool?
    public var doseAdjustment: Bool?

    public init(
        gene: String, phenotype: String, drug: String, recommendation: String, classification: String? = nil, source: String,
        guidelineURL: String? = nil, alternativeRecommended: Bool? = nil, doseAdjustment: Bool? = nil
    ) {
        self.gene = gene
        self.phenotype = phenotype
        self.drug = drug
        self.recommendation = recommendation
        self.classification = classification
        self.source = source
        self.guidelineURL = guidelineURL
        self.alternativeRecommended = alternativeRecommended
        self.doseAdjustment = doseAdjustment
    }
}

public struct HereditaryInput: Codable, Sendable, Hashable {
    public var gene: String
    public var condition: String?
    /// e.g. `pathogenic`, `likely pathogenic`, `uncertain significance`.
    public var significance: String
    public var inheritance: String?
    /// Number of P/LP alleles found (2 = homozygous or compound heterozygous); nil when not reported.
    public var alleles: Int?
    public init(gene: String, condition: String? = nil, significance: String, inheritance: String? = nil, alleles: Int? = nil) {
        self.gene = gene
        self.condition = condition
        self.significance = significance
        self.inheritance = inheritance
        self.alleles = alleles
    }
}

/// Everything the plan engine needs about one patient. Missing values stay nil; the engine says what is missing
/// and what it assumed instead of guessing.
public struct CarePlanInput: Codable, Sendable, Hashable {
    public var age: Int
    public var sex: PlanSex
    /// Self-identified race. Used ONLY for the 2017 first-line drug rule for Black adults, and shown as such.
    public var race: String?
    public var bp: BPSummary?
    public var conditions: Conditions
    /// Drug classes or ingredient names, e.g. "ACE inhibitor", "lisinopril" (free text such as "lisinopril (angioedema)" is matched by words).
    public var allergies: [String]
    public var currentMedications: [String]
    public var risk: RiskScores
    public var labs: Labs
    public var factors: PatientFactors
    public var preferences: Preferences
    public var diabetes: DiabetesDetails?
    public var pgx: [PGxInput]
    public var hereditary: [HereditaryInput]
    public var guideline: GuidelineVersion
    public var asOf: PlanDate

    public init(
        age: Int, sex: PlanSex, race: String? = nil, bp: BPSummary?, conditions: Conditions = Conditions(), allergies: [String] = [],
        currentMedications: [String] = [], risk: RiskScores = RiskScores(), labs: Labs = Labs(), factors: PatientFactors = PatientFactors(),
        preferences: Preferences = Preferences(), diabetes: DiabetesDetails? = nil, pgx: [PGxInput] = [], hereditary: [HereditaryInput] = [],
        guideline: GuidelineVersion = .ahaAcc2025, asOf: PlanDate
    ) {
        self.age = age
        self.sex = sex
        self.race = race
        self.bp = bp
        self.conditions = conditions
        self.allergies = allergies
        self.currentMedications = currentMedications
        self.risk = risk
        self.labs = labs
        self.factors = factors
        self.preferences = preferences
        self.diabetes = diabetes
        self.pgx = pgx
        self.hereditary = hereditary
        self.guideline = guideline
        self.asOf = asOf
    }

    enum CodingKeys: String, CodingKey {
        case age, sex, race, bp, conditions, allergies, currentMedications, risk, labs, factors, preferences, diabetes, pgx, hereditary, guideline, asOf
    }

    /// Lenient decoding for the server: arrays and groups may be omitted; `guideline` defaults to the 2025 rule.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        age = try c.decode(Int.self, forKey: .age)
        sex = try c.decode(PlanSex.self, forKey: .sex)
        race = try c.decodeIfPresent(String.self, forKey: .race)
        bp = try c.decodeIfPresent(BPSummary.self, forKey: .bp)
        conditions = try c.decodeIfPresent(Conditions.self, forKey: .conditions) ?? Conditions()
        allergies = try c.decodeIfPresent([String].self, forKey: .allergies) ?? []
        currentMedications = try c.decodeIfPresent([String].self, forKey: .currentMedications) ?? []
        risk = try c.decodeIfPresent(RiskScores.self, forKey: .risk) ?? RiskScores()
        labs = try c.decodeIfPresent(Labs.self, forKey: .labs) ?? Labs()
        factors = try c.decodeIfPresent(PatientFactors.self, forKey: .factors) ?? PatientFactors()
        preferences = try c.decodeIfPresent(Preferences.self, forKey: .preferences) ?? Preferences()
        diabetes = try c.decodeIfPresent(DiabetesDetails.self, forKey: .diabetes)
        pgx = try c.decodeIfPresent([PGxInput].self, forKey: .pgx) ?? []
        hereditary = try c.decodeIfPresent([HereditaryInput].self, forKey: .hereditary) ?? []
        guideline = try c.decodeIfPresent(GuidelineVersion.self, forKey: .guideline) ?? .ahaAcc2025
        asOf = try c.decode(PlanDate.self, forKey: .asOf)
    }
}
