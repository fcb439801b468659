import Foundation

// One patient's inputs to PREDICT Breast (oncology.md §5.2 "Inputs", §5.3 for the v3.2-only ones). Unknown values are
// first-class because the model has rules for them (screen 0.204, grade 2.13, HER2/Ki67/PR term 0); ER status has no
// unknown in PREDICT (the authors' cljs model: "ER Status … unknown not allowed").

/// How the tumour was found. PREDICT codes screen-detected 1, symptomatic 0, unknown 0.204 (oncology.md §5.2).
public enum Detection: String, Codable, Sendable, Hashable, CaseIterable {
    case screening, symptomatic, unknown
}

/// Chemotherapy regimen generation; PREDICT's log hazard ratios are −0.248 (2nd) and −0.446 (3rd) (oncology.md §5.2).
public enum ChemotherapyGeneration: String, Codable, Sendable, Hashable, CaseIterable {
    case none, second, third

    /// From the R code's 0/2/3 or from words ("2", "2nd", "second").
    public init?(text: String) {
        switch text.lowercased() {
        case "none", "0", "no": self = .none
        case "second", "2", "2nd": self = .second
        case "third", "3", "3rd": self = .third
        default: return nil
        }
    }
}

/// Which PREDICT model to run.
public enum PredictVersion: String, Codable, Sendable, Hashable, CaseIterable {
    /// The peer-reviewed model of the public web tool (default).
    case v21 = "2.1"
    /// The authors' development code (R/benefits32.R, 2025-04-11): provisional.
    case v32 = "3.2"
}

/// Patient, tumour and treatment plan.
public struct PredictInput: Codable, Sendable, Hashable {
    /// Age at diagnosis, years.
    public var age: Double
    /// Invasive tumour size, mm (the largest tumour if there was more than one).
    public var tumourSizeMM: Double
    /// Histological grade 1–3; nil when unknown (PREDICT then uses 2.13).
    public var grade: Int?
    /// Number of positive axillary lymph nodes.
    public var positiveNodes: Int
    /// Oestrogen-receptor status: positive or negative (PREDICT has no unknown).
    public var er: MarkerStatus
    public var her2: MarkerStatus
    /// Ki-67 (positive means more than 10 %, as the PREDICT tool defines it); affects ER-positive tumours only.
    public var ki67: MarkerStatus
    /// Progesterone-receptor status (v3.2 only).
    public var pr: MarkerStatus
    public var detection: Detection
    /// Needed for bisphosphonates, whose benefit applies to postmenopausal women only (oncology.md §5.4).
    public var menopause: MenopausalStatus

    // Treatment plan: each selected treatment adds a step to the benefit ladder.
    /// Hormone (endocrine) therapy, 5 years.
    public var endocrine: Bool
    /// v3.2: extend hormone therapy to 10 years (an extra effect in years 11–15); ER-positive only.
    public var extendedEndocrine: Bool
    public var chemotherapy: ChemotherapyGeneration
    public var trastuzumab: Bool
    public var bisphosphonates: Bool
    /// v3.2 only (radiotherapy is disabled in v2.1: `r.enabled = 0`).
    public var radiotherapy: Bool
    /// v3.2: mean heart dose of radiotherapy, Gy; required with radiotherapy, ignored without it (oncology.md §5.4).
    public var heartDoseGy: Double?
    /// v3.2: current smoker (never or ex-smokers are not).
    public var currentSmoker: Bool
    public var version: PredictVersion

    public init(
        age: Double, tumourSizeMM: Double, grade: Int?, positiveNodes: Int, er: MarkerStatus, her2: MarkerStatus = .unknown,
        ki67: MarkerStatus = .unknown, pr: MarkerStatus = .unknown, detection: Detection = .unknown, menopause: MenopausalStatus = .unknown,
        endocrine: Bool = false, extendedEndocrine: Bool = false, chemotherapy: ChemotherapyGeneration = .none, trastuzumab: Bool = false,
        bisphosphonates: Bool = false, radiotherapy: Bool = false, heartDoseGy: Double? = nil, currentSmoker: Bool = false,
        version: PredictVersion = .v21
    ) {
        self.age = age
        self.tumourSizeMM = tumourSizeMM
        self.grade = grade
        self.positiveNodes = positiveNodes
        self.er = er
        self.her2 = her2
        self.ki67 = ki67
        self.pr = pr
        self.detection = detection
        self.menopause = menopause
        self.endocrine = endocrine
        self.extendedEndocrine = extendedEndocrine
        self.chemotherapy = chemotherapy
        self.trastuzumab = trastuzumab
        self.bisphosphonates = bisphosphonates
        self.radiotherapy = radiotherapy
        self.heartDoseGy = heartDoseGy
        self.currentSmoker = currentSmoker
        self.version = version
    }

    enum CodingKeys: String, CodingKey {
        case age, tumourSizeMM, grade, positiveNodes, er, her2, ki67, pr, detection, menopause
        case endocrine, extendedEndocrine, chemotherapy, trastuzumab, bisphosphonates, radiotherapy, heartDoseGy, currentSmoker, version
    }

    /// Required: age, tumourSizeMM, positiveNodes, er. Everything else defaults to unknown / not given, as on a clinical
    /// form. `grade` may be 1–3, null, absent or "unknown"; `chemotherapy` may be "none"/"second"/"third" or 0/2/3.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var grade: Int? = nil
        if let text = try? c.decodeIfPresent(String.self, forKey: .grade) {
            if let number = Int(text) {
                grade = number
            } else if text.lowercased() != "unknown" {
                throw DecodingError.dataCorruptedError(forKey: .grade, in: c, debugDescription: "grade '\(text)' is not 1, 2, 3 or unknown")
            }
        } else {
            grade = try c.decodeIfPresent(Int.self, forKey: .grade)
        }
        var chemo = ChemotherapyGeneration.none
        if let number = try? c.decodeIfPresent(Int.self, forKey: .chemotherapy) {
            guard let parsed = ChemotherapyGeneration(text: String(number)) else {
                throw DecodingError.dataCorruptedError(forKey: .chemotherapy, in: c, debugDescription: "chemotherapy \(number) is not 0, 2 or 3")
            }
            chemo = parsed
        } else if let text = try c.decodeIfPresent(String.self, forKey: .chemotherapy) {
            guard let parsed = ChemotherapyGeneration(text: text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .chemotherapy, in: c, debugDescription: "chemotherapy '\(text)' is not none, second or third")
            }
            chemo = parsed
        }
        self.init(
            age: try c.decode(Double.self, forKey: .age), tumourSizeMM: try c.decode(Double.self, forKey: .tumourSizeMM), grade: grade,
            positiveNodes: try c.decode(Int.self, forKey: .positiveNodes), er: try c.decode(MarkerStatus.self, forKey: .er),
            her2: try c.decodeIfPresent(MarkerStatus.self, forKey: .her2) ?? .unknown,
            ki67: try c.decodeIfPresent(MarkerStatus.self, forKey: .ki67) ?? .unknown,
            pr: try c.decodeIfPresent(MarkerStatus.self, forKey: .pr) ?? .unknown,
            detection: try c.decodeIfPresent(Detection.self, forKey: .detection) ?? .unknown,
            menopause: try c.decodeIfPresent(MenopausalStatus.self, forKey: .menopause) ?? .unknown,
            endocrine: try c.decodeIfPresent(Bool.self, forKey: .endocrine) ?? false,
            extendedEndocrine: try c.decodeIfPresent(Bool.self, forKey: .extendedEndocrine) ?? false, chemotherapy: chemo,
            trastuzumab: try c.decodeIfPresent(Bool.self, forKey: .trastuzumab) ?? false,
            bisphosphonates: try c.decodeIfPresent(Bool.self, forKey: .bisphosphonates) ?? false,
            radiotherapy: try c.decodeIfPresent(Bool.self, forKey: .radiotherapy) ?? false,
            heartDoseGy: try c.decodeIfPresent(Double.self, forKey: .heartDoseGy),
            currentSmoker: try c.decodeIfPresent(Bool.self, forKey: .currentSmoker) ?? false,
            version: try c.decodeIfPresent(PredictVersion.self, forKey: .version) ?? .v21)
    }
}
