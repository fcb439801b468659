import Foundation

/// The categories of patient data that consent and access are decided on.
public enum DataCategory: String, Sendable, Codable, CaseIterable, Hashable {
    /// Genome files, samples, analysis runs and their findings.
    case genomic
    /// Demographics-adjacent clinical record: observations, conditions, medications, phenotypes, reported factors.
    case clinical
    /// Home and device readings.
    case monitoring
}

/// A research use, in the spirit of GA4GH's Data Use Ontology (DUO).
///
/// DUO's terms nest: general research use (GRU) covers health/medical/biomedical research (HMB), which covers
/// disease-specific research (DS) for any disease. A patient's permission for a broader use covers every narrower one.
public enum ResearchUse: Sendable, Hashable, Codable, CustomStringConvertible {
    /// DUO:0000042 general research use.
    case general
    /// DUO:0000006 health, medical or biomedical research.
    case healthMedical
    /// DUO:0000007 disease-specific research, for one disease (a MONDO, OMIM, ICD or SNOMED code as text).
    case diseaseSpecific(String)

    /// The DUO term for this use.
    public var duoCode: String {
        switch self {
        case .general: "DUO:0000042"
        case .healthMedical: "DUO:0000006"
        case .diseaseSpecific: "DUO:0000007"
        }
    }

    public var description: String {
        switch self {
        case .general: "general research (DUO:0000042)"
        case .healthMedical: "health/medical research (DUO:0000006)"
        case .diseaseSpecific(let disease): "research on \(disease) (DUO:0000007)"
        }
    }

    /// Whether a permission for `self` covers a request for `requested`.
    public func covers(_ requested: ResearchUse) -> Bool {
        switch (self, requested) {
        case (.general, _): true
        case (.healthMedical, .healthMedical), (.healthMedical, .diseaseSpecific): true
        case (.diseaseSpecific(let granted), .diseaseSpecific(let asked)): granted.caseInsensitiveCompare(asked) == .orderedSame
        default: false
        }
    }

    private enum CodingKeys: String, CodingKey { case code, disease }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let code = try container.decode(String.self, forKey: .code)
        switch code {
        case "DUO:0000042": self = .general
        case "DUO:0000006": self = .healthMedical
        case "DUO:0000007":
            let disease = try container.decode(String.self, forKey: .disease)
            guard !disease.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw DecodingError.dataCorruptedError(forKey: .disease, in: container, debugDescription: "disease-specific research needs a disease")
            }
            self = .diseaseSpecific(disease)
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .code, in: container,
                debugDescription: "unknown research use '\(code)'; expected DUO:0000042, DUO:0000006 or DUO:0000007")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(duoCode, forKey: .code)
        if case .diseaseSpecific(let disease) = self { try container.encode(disease, forKey: .disease) }
    }
}

/// One patient's consent: what their data may be used for, by category, and whether they want to be told of
/// secondary (incidental) findings. Stored as versions; the newest version is in force from the next request on.
public struct ConsentDirective: Sendable, Hashable, Codable {
    /// Categories the patient allows their care team to use in their care.
    public var treatment: Set<DataCategory>
    /// Research uses the patient allows; empty means no research use at all.
    public var researchUses: [ResearchUse]
    /// Categories research may draw on when a use is permitted.
    public var researchCategories: Set<DataCategory>
    /// Whether the patient wants secondary findings (ACMG SF) reported to them.
    public var secondaryFindings: Bool

    public init(
        treatment: Set<DataCategory> = Set(DataCategory.allCases), researchUses: [ResearchUse] = [],
        researchCategories: Set<DataCategory> = [], secondaryFindings: Bool = false
    ) {
        self.treatment = treatment
        self.researchUses = researchUses
        self.researchCategories = researchCategories
        self.secondaryFindings = secondaryFindings
    }

    /// What applies before a patient has recorded anything: their data is used in their care (the usual
    /// implied consent to treatment), never for research (research is opt-in), and no secondary findings.
    public static let `default` = ConsentDirective()

    private enum CodingKeys: String, CodingKey { case treatment, researchUses, researchCategories, secondaryFindings }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        treatment = try container.decode(Set<DataCategory>.self, forKey: .treatment)
        researchUses = try container.decode([ResearchUse].self, forKey: .researchUses)
        researchCategories = try container.decode(Set<DataCategory>.self, forKey: .researchCategories)
        secondaryFindings = try container.decode(Bool.self, forKey: .secondaryFindings)
    }

    /// Categories are written in a fixed order (genomic, clinical, monitoring), so the same consent is the same JSON.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(DataCategory.allCases.filter(treatment.contains), forKey: .treatment)
        try container.encode(researchUses, forKey: .researchUses)
        try container.encode(DataCategory.allCases.filter(researchCategories.contains), forKey: .researchCategories)
        try container.encode(secondaryFindings, forKey: .secondaryFindings)
    }

    /// Whether the care team may use `category` in this patient's care.
    public func permitsTreatment(_ category: DataCategory) -> Bool { treatment.contains(category) }

    /// Whether research of kind `use` may draw on `category` of this patient's data.
    public func permitsResearch(_ use: ResearchUse, category: DataCategory) -> Bool {
        researchCategories.contains(category) && researchUses.contains { $0.covers(use) }
    }
}

/// A stored consent version: the directive plus who recorded it and when.
public struct ConsentRecord: Sendable, Hashable, Codable {
    public var id: ConsentID
    public var patientID: PatientID
    public var version: Int
    public var directive: ConsentDirective
    /// Milliseconds since 1970 (UTC).
    public var recordedAt: Int64
    public var recordedBy: UserID

    public init(id: ConsentID, patientID: PatientID, version: Int, directive: ConsentDirective, recordedAt: Int64, recordedBy: UserID) {
        self.id = id
        self.patientID = patientID
        self.version = version
        self.directive = directive
        self.recordedAt = recordedAt
        self.recordedBy = recordedBy
    }
}
