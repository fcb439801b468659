import Foundation

public enum PlanSection: String, Codable, Sendable, Hashable, CaseIterable {
    case hypertension, lifestyle, stress, medication, diabetes, surveillance, dataGaps
}

/// One recommendation: what, by which rule, from which source, and why it applies to this patient.
public struct PlanItem: Codable, Sendable, Hashable, Identifiable {
    public enum Kind: String, Codable, Sendable, Hashable { case assessment, lifestyle, medication, monitoring, referral, target, note }
    public var id: String
    public var section: PlanSection
    public var kind: Kind
    public var title: String
    public var detail: String
    /// Rule id in the `careplan` pack.
    public var rule: String
    public var source: Citation
    /// Patient-specific reason, with the values used.
    public var why: String
    public var evidence: String?
    /// True when the rule or a value it uses is marked "(verify)" in the brief or is not stated there.
    public var verify: Bool
    /// Expected SBP reduction (mmHg, positive) for lifestyle items, low–high.
    public var expectedSBPReduction: ClosedRange<Double>?
    /// Ranking score (ΔSBP × importance × confidence) for lifestyle items.
    public var score: Double?
    /// Notes attached by PGx findings, allergies or conditions.
    public var notes: [String]
}

/// The hypertension decision in one place, for callers that need the facts rather than the text.
public struct HypertensionAssessment: Codable, Sendable, Hashable {
    public var category: String
    public var categoryName: String
    public var guideline: GuidelineVersion
    /// nil = cannot be decided (the risk score the guideline needs is missing, stage 1 only).
    public var drugIndicated: Bool?
    public var drugClassesToStart: Int
    public var singlePillPreferred: Bool
    public var decisionRule: String
    public var reason: String
    public var reassess: String
    public var targetSBP: Double
    public var targetDBP: Double
    public var missingInputs: [String]
}

/// The proposed antihypertensive choice: options in order, and what was excluded and why.
public struct DrugChoice: Codable, Sendable, Hashable {
    public struct Option: Codable, Sendable, Hashable {
        public var classId: String
        public var className: String
        /// The first agent of the class that no allergy or PGx finding rules out.
        public var agent: String?
        public var notes: [String]
    }
    public struct Exclusion: Codable, Sendable, Hashable {
        public var classId: String
        public var agent: String?
        public var reason: String
        public var rule: String
    }
    public var options: [Option]
    /// The suggested start: one class, or two of different classes.
    public var suggested: [String]
    public var excluded: [Exclusion]
}

/// The combined expected SBP reduction of the ranked lifestyle items (largest + 50% of the rest, as a range).
public struct CombinedEffect: Codable, Sendable, Hashable {
    public var low: Double
    public var high: Double
    public var rule: String
    public var explanation: String
}

public struct CarePlan: Codable, Sendable, Hashable {
    public var packName: String
    public var packVersion: String
    public var guideline: GuidelineVersion
    public var asOf: PlanDate
    public var hypertension: HypertensionAssessment?
    public var items: [PlanItem]
    /// Ranked lifestyle item ids, best first.
    public var lifestyleRanking: [String]
    public var combinedEffect: CombinedEffect?
    public var drugChoice: DrugChoice?
    public var cgmTargets: DiabetesRules.CGMTargets?
    public var a1cTargetBelow: Double?
    public var goals: [ProposedGoal]

    public func items(in section: PlanSection) -> [PlanItem] { items.filter { $0.section == section } }
    public func item(_ id: String) -> PlanItem? { items.first { $0.id == id } }
}

/// Why a plan could not be made: an input that is impossible or inconsistent, named with its value.
public struct CarePlanError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "care plan: \(field): \(message)" }
}

enum Fmt {
    /// 3.3, 10, 7.5 — no trailing zeros.
    static func n(_ v: Double) -> String {
        if v == v.rounded() { return String(Int(v)) }
        let s = String(format: "%.1f", v)
        return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
    }
    static func range(_ r: ClosedRange<Double>) -> String { r.lowerBound == r.upperBound ? n(r.lowerBound) : "\(n(r.lowerBound))–\(n(r.upperBound))" }
}
