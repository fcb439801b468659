public import Foundation
public import Knowledge

// The `careplan` knowledge pack decoded into typed rules. The engine never reads files: it is handed a
// `CarePlanKnowledge` loaded once at the edge, so a plan is a pure function of (rules, patient).

/// A citation as the pack states it: text plus a URL when the source has one.
public struct Citation: Codable, Sendable, Hashable {
    public var citation: String
    public var url: String?
    public init(citation: String, url: String?) {
        self.citation = citation
        self.url = url
    }
}

/// A rule sentence with its id, source key and verify flag — the common shape of most pack rules.
public struct TextRule: Codable, Sendable, Hashable {
    public var id: String
    public var text: String
    public var source: String
    public var verify: Bool
}

public struct HypertensionRules: Codable, Sendable {
    public struct Thresholds: Codable, Sendable {
        public var sbpAtLeast: Double?
        public var dbpAtLeast: Double?
        public var sbpAbove: Double?
        public var dbpAbove: Double?
        /// True when either reading reaches the threshold ("if SBP and DBP fall in different categories, use the higher").
        func matches(sbp: Double, dbp: Double) -> Bool {
            if sbpAtLeast == nil, dbpAtLeast == nil, sbpAbove == nil, dbpAbove == nil { return true }
            if let t = sbpAtLeast, sbp >= t { return true }
            if let t = dbpAtLeast, dbp >= t { return true }
            if let t = sbpAbove, sbp > t { return true }
            if let t = dbpAbove, dbp > t { return true }
            return false
        }
    }
    public struct Category: Codable, Sendable {
        public var id: String
        public var name: String
        public var rank: Int
        public var clinic: Thresholds
        public var home: Thresholds
    }
    public struct AboveTarget: Codable, Sendable {
        public var sbp: Double
        public var dbp: Double
    }
    public struct Decision: Codable, Sendable {
        public var id: String
        public var category: String
        /// `any`, `highRisk` or `notHighRisk`.
        public var when: String
        public var drugIndicated: Bool
        public var drugClasses: Int
        public var twoClassesIfAboveTargetBy: AboveTarget?
        public var singlePillPreferred: Bool?
        public var reassess: String
        public var action: String
    }
    public struct Guideline: Codable, Sendable {
        public var id: String
        public var name: String
        public var source: String
        /// `pce` or `prevent`.
        public var riskScore: String
        public var riskScoreName: String
        public var riskThresholdPercent: Double
        public var highRiskConditions: [String]
        public var decisions: [Decision]
    }
    public struct Target: Codable, Sendable {
        public var id: String
        public var sbpBelow: Double
        public var dbpBelow: Double
        public var olderAdultAge: Int
        public var olderAdultSbpBelow: Double
        public var text: String
        public var source: String
        public var verify: Bool
    }
    public var sources: [String: Citation]
    public var categoryRule: TextRule
    public var categories: [Category]
    public var homeThresholdRule: TextRule
    public var severeRule: TextRule
    public var sufficiencyRule: TextRule
    public var guidelines: [Guideline]
    public var target: Target
    public var followUp: TextRule
    public var uacr: TextRule
    public var riskMissing: TextRule
}

public struct LifestyleRules: Codable, Sendable {
    public struct Gap: Codable, Sendable {
        public var factor: String
        public var op: String
        public var value: Double?
        public var limitMale: Double?
        public var limitFemale: Double?
        public var unit: String?
        public var source: String?
    }
    public struct Contraindication: Codable, Sendable {
        public var condition: String?
        public var medicationClass: String?
        public var text: String
    }
    public struct Intervention: Codable, Sendable {
        public var id: String
        public var name: String
        public var goal: String
        /// Expected SBP reduction in mmHg (positive numbers), low–high, in people with hypertension.
        public var deltaSBPHypertension: [Double]?
        public var deltaSBPNormotension: [Double]?
        public var mmHgPerKg: Double?
        public var gap: Gap
        public var classLOE: String?
        public var contraindications: [Contraindication]?
        public var source: String
        public var verify: Bool
    }
    public struct Combination: Codable, Sendable {
        public var id: String
        public var text: String
        public var largestWeight: Double
        public var restWeight: Double
        public var source: String
        public var verify: Bool
    }
    public struct Ranking: Codable, Sendable {
        public var id: String
        public var text: String
        public var neutralRuler: Double
        public var source: String
        public var verify: Bool
    }
    public var sources: [String: Citation]
    public var combination: Combination
    public var ranking: Ranking
    public var interventions: [Intervention]
}

public struct StressRules: Codable, Sendable {
    public struct Trigger: Codable, Sendable {
        public var id: String
        public var factor: String
        public var atLeast: Double
        public var text: String
        public var source: String
        public var verify: Bool
    }
    public struct Adjunct: Codable, Sendable {
        public var id: String
        public var text: String
        public var deltaSBP: [Double]
        public var deltaDBP: [Double]
        public var source: String
        public var verify: Bool
    }
    public struct Approach: Codable, Sendable {
        public var id: String
        public var name: String
        public var classLOE: String
        public var effect: String
        public var offered: Bool
        public var source: String
        public var verify: Bool
    }
    public var sources: [String: Citation]
    public var trigger: Trigger
    public var adjunctRule: Adjunct
    public var approaches: [Approach]
}

public struct DiabetesRules: Codable, Sendable {
    public struct A1CTarget: Codable, Sendable {
        public var id: String
        public var name: String
        public var below: Double?
        public var range: [Double]?
        public var text: String
        public var criteriaAll: [String]?
        public var criteriaAny: [String]?
        public var olderStatus: String?
        public var source: String
        public var verify: Bool
    }
    public struct Glucose: Codable, Sendable {
        public var id: String
        public var preMealMgdl: [Double]
        public var postMealBelowMgdl: Double
        public var text: String
        public var source: String
        public var verify: Bool
    }
    public struct Testing: Codable, Sendable {
        public var id: String
        public var atGoal: String
        public var notAtGoal: String
        public var text: String
        public var source: String
        public var verify: Bool
    }
    public struct Hypo: Codable, Sendable {
        public var id: String
        public var level1BelowMgdl: Double
        public var level2BelowMgdl: Double
        public var text: String
        public var source: String
        public var verify: Bool
    }
    /// One CGM target set (International Consensus on Time in Range); nil = the consensus sets no target.
    public struct CGMTargets: Codable, Sendable, Hashable {
        public var id: String
        public var name: String
        public var sufficiency: String
        public var tirLowMgdl: Double
        public var tirHighMgdl: Double
        public var tirAbovePercent: Double
        public var tbr70BelowPercent: Double?
        public var tbr63BelowPercent: Double?
        public var tbr54BelowPercent: Double?
        public var tar180BelowPercent: Double?
        public var tar140BelowPercent: Double?
        public var tar250BelowPercent: Double?
        public var cvAtMostPercent: Double?
        public var source: String
        public var verify: Bool
    }
    public var sources: [String: Citation]
    public var a1cTargets: [A1CTarget]
    public var glucose: Glucose
    public var testing: Testing
    public var hypoglycaemia: Hypo
    public var noRaceAdjustment: TextRule
    public var cgmTargets: [CGMTargets]
    public var cgmNotes: TextRule
}

public struct DrugRules: Codable, Sendable {
    public struct Agent: Codable, Sendable, Hashable {
        public var name: String
        public var atc: String
    }
    public struct DrugClass: Codable, Sendable {
        public var id: String
        public var name: String
        public var group: String
        public var firstLine: Bool
        public var agents: [Agent]
        public var aliases: [String]
        public var source: String
        public var verify: Bool
    }
    public struct BlackAdults: Codable, Sendable {
        public var id: String
        public var guideline: String
        public var race: String
        public var unlessConditions: [String]
        public var preferredClasses: [String]
        public var text: String
        public var source: String
        public var verify: Bool
    }
    public struct NeverCombine: Codable, Sendable {
        public var id: String
        public var groups: [String]
        public var text: String
        public var source: String
        public var verify: Bool
    }
    public struct ConditionExclusion: Codable, Sendable {
        public var id: String
        public var condition: String
        public var excludeClasses: [String]
        public var text: String
        public var source: String
        public var verify: Bool
    }
    public struct ConditionNote: Codable, Sendable {
        public var id: String
        public var condition: String
        public var text: String
        public var source: String
        public var verify: Bool
    }
    public struct GLP1: Codable, Sendable {
        public var id: String
        public var bmiAtLeast: Double
        public var text: String
        public var source: String
        public var verify: Bool
    }
    public var sources: [String: Citation]
    public var classes: [DrugClass]
    public var agentSource: TextRule
    public var firstLineOrder: [String]
    public var firstLineRule: TextRule
    public var blackAdultsRule: BlackAdults
    public var twoDrugRule: TextRule
    public var neverCombine: NeverCombine
    public var conditionExclusions: [ConditionExclusion]
    public var conditionNotes: [ConditionNote]
    public var allergyRule: TextRule
    public var glp1Obesity: GLP1
    public var pgxRule: TextRule
}

public struct SurveillanceRules: Codable, Sendable {
    public struct Gene: Codable, Sendable {
        public var gene: String
        public var category: String
        public var condition: String
        public var inheritance: String
        public var variantsToReport: String
        public var inSFv32: Bool
        public var inSFv33: Bool
        public var verify: Bool
    }
    public var sources: [String: Citation]
    public var referralRule: TextRule
    public var reportingRule: TextRule
    public var genes: [Gene]
}

public struct GoalRules: Codable, Sendable {
    public struct Target: Codable, Sendable {
        public var low: Double?
        public var high: Double?
        public var unit: String
    }
    public struct Template: Codable, Sendable {
        public var intervention: String
        public var category: String
        public var description: String
        public var minutesPerDay: Double?
        public var daysPerWeek: Double?
        public var dueWeeks: Int
        public var measure: String?
        public var target: Target?
        public var shrinkable: Bool
        public var tracking: [String]
        public var source: String
    }
    public struct Confidence: Codable, Sendable {
        public var id: String
        public var minimumConfidence: Double
        public var shrinkFactor: Double
        public var text: String
        public var source: String
        public var verify: Bool
    }
    public var sources: [String: Citation]
    public var confidenceRule: Confidence
    public var templates: [Template]
}

/// All rules of the `careplan` pack, decoded and cross-checked (every `source` key resolves).
public struct CarePlanKnowledge: Sendable {
    public var packName: String
    public var packVersion: String
    public var hypertension: HypertensionRules
    public var lifestyle: LifestyleRules
    public var stress: StressRules
    public var diabetes: DiabetesRules
    public var drugs: DrugRules
    public var surveillance: SurveillanceRules
    public var goals: GoalRules

    public static let packName = "careplan"

    /// Loads the pack compiled into this build (Knowledge's `Bundle.module`), verifying every file's digest.
    public static func load() throws(KnowledgeError) -> CarePlanKnowledge {
        try load(from: KnowledgePack.bundled(packName))
    }

    /// Loads from a pack on disk (e.g. one just rebuilt from `knowledge-src/careplan`).
    public static func load(from pack: KnowledgePack) throws(KnowledgeError) -> CarePlanKnowledge {
        let k = CarePlanKnowledge(
            packName: pack.manifest.name, packVersion: pack.manifest.version,
            hypertension: try decode(pack, "hypertension.json"), lifestyle: try decode(pack, "lifestyle.json"),
            stress: try decode(pack, "stress.json"), diabetes: try decode(pack, "diabetes.json"), drugs: try decode(pack, "drugs.json"),
            surveillance: try decode(pack, "surveillance.json"), goals: try decode(pack, "goals.json"))
        try k.checkSources()
        return k
    }

    /// Decodes one file; a decoding failure names the file and the field path (e.g. `interventions[3].gap.factor`).
    static func decode<T: Decodable>(_ pack: KnowledgePack, _ path: String) throws(KnowledgeError) -> T {
        let bytes = try pack.data(path)
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw KnowledgeError(pack: pack.manifest.name, path: path, message: Self.describe(error))
        } catch {
            throw KnowledgeError(pack: pack.manifest.name, path: path, message: "unreadable: \(error)")
        }
    }

    static func fieldPath(_ path: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
        var text = ""
        for key in path + (last.map { [$0] } ?? []) {
            if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
        }
        return text.isEmpty ? "(top level)" : text
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): return "field \(fieldPath(context.codingPath, key)) is missing"
        case .typeMismatch(let type, let context): return "field \(fieldPath(context.codingPath)) is not a \(type)"
        case .valueNotFound(let type, let context): return "field \(fieldPath(context.codingPath)) is null, expected \(type)"
        case .dataCorrupted(let context): return "field \(fieldPath(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// Every rule's `source` must resolve in its file's `sources` table: a rule without a citation is a load error.
    func checkSources() throws(KnowledgeError) {
        func check(_ file: String, _ table: [String: Citation], _ refs: [(String, String)]) throws(KnowledgeError) {
            for (field, key) in refs where table[key] == nil {
                throw KnowledgeError(pack: packName, path: file, message: "field \(field).source: unknown source '\(key)'")
            }
        }
        let h = hypertension
        try check(
            "hypertension.json", h.sources,
            [("categoryRule", h.categoryRule.source), ("homeThresholdRule", h.homeThresholdRule.source), ("severeRule", h.severeRule.source),
             ("sufficiencyRule", h.sufficiencyRule.source), ("target", h.target.source), ("followUp", h.followUp.source), ("uacr", h.uacr.source),
             ("riskMissing", h.riskMissing.source)] + h.guidelines.map { ("guidelines[\($0.id)]", $0.source) })
        let l = lifestyle
        try check(
            "lifestyle.json", l.sources,
            [("combination", l.combination.source), ("ranking", l.ranking.source)] + l.interventions.map { ("interventions[\($0.id)]", $0.source) }
                + l.interventions.compactMap { i in i.gap.source.map { ("interventions[\(i.id)].gap", $0) } })
        let s = stress
        try check(
            "stress.json", s.sources,
            [("trigger", s.trigger.source), ("adjunctRule", s.adjunctRule.source)] + s.approaches.map { ("approaches[\($0.id)]", $0.source) })
        let d = diabetes
        try check(
            "diabetes.json", d.sources,
            d.a1cTargets.map { ("a1cTargets[\($0.id)]", $0.source) } + d.cgmTargets.map { ("cgmTargets[\($0.id)]", $0.source) }
                + [("glucose", d.glucose.source), ("testing", d.testing.source), ("hypoglycaemia", d.hypoglycaemia.source),
                   ("noRaceAdjustment", d.noRaceAdjustment.source), ("cgmNotes", d.cgmNotes.source)])
        let r = drugs
        try check(
            "drugs.json", r.sources,
            r.classes.map { ("classes[\($0.id)]", $0.source) } + r.conditionExclusions.map { ("conditionExclusions[\($0.id)]", $0.source) }
                + r.conditionNotes.map { ("conditionNotes[\($0.id)]", $0.source) }
                + [("agentSource", r.agentSource.source), ("firstLineRule", r.firstLineRule.source), ("blackAdultsRule", r.blackAdultsRule.source),
                   ("twoDrugRule", r.twoDrugRule.source), ("neverCombine", r.neverCombine.source), ("allergyRule", r.allergyRule.source),
                   ("glp1Obesity", r.glp1Obesity.source), ("pgxRule", r.pgxRule.source)])
        try check(
            "surveillance.json", surveillance.sources,
            [("referralRule", surveillance.referralRule.source), ("reportingRule", surveillance.reportingRule.source)])
        try check(
            "goals.json", goals.sources, [("confidenceRule", goals.confidenceRule.source)] + goals.templates.map { ("templates[\($0.intervention)]", $0.source) })
        for id in r.firstLineOrder where !r.classes.contains(where: { $0.id == id }) {
            throw KnowledgeError(pack: packName, path: "drugs.json", message: "field firstLineOrder: unknown class '\(id)'")
        }
        for g in ["acc-aha-2017", "aha-acc-2025"] where !h.guidelines.contains(where: { $0.id == g }) {
            throw KnowledgeError(pack: packName, path: "hypertension.json", message: "field guidelines: no rules for '\(g)'")
        }
    }

    /// Resolves a source key of `file`'s table to a citation.
    func citation(_ table: [String: Citation], _ key: String) -> Citation { table[key] ?? Citation(citation: key, url: nil) }
}
