import Foundation

// TAILORx / RxPONDER treatment rules for HR-positive, HER2-negative early breast cancer by nodal status, age or
// menopausal status, and recurrence score. Source of truth: docs/domain/oncology.md §5.1 (decision table) and
// ../shared/data/oncotype_rs/rs_decision_rules.tsv, whose nine rows are transcribed below verbatim (the tests compare
// them with the TSV); each rule cites its trial. Nothing here goes beyond what those two sources state.

/// What a rule says about chemotherapy, for machines (the words are in ``RecurrenceScoreRule/recommendation``).
public enum ChemotherapyAdvice: String, Codable, Sendable, Hashable {
    /// Endocrine therapy alone: no chemotherapy benefit at this score.
    case endocrineAlone
    /// Chemotherapy (or ovarian function suppression) may be considered.
    case consider
    /// Chemotherapy may be offered.
    case mayBeOffered
    /// Chemotherapy plus endocrine therapy.
    case chemotherapyAndEndocrine
    /// The score is not used to de-escalate; chemotherapy generally indicated.
    case scoreNotUsed
}

/// The patient group a rule applies to, for nodes and age/menopause.
public enum RuleNodes: String, Codable, Sendable, Hashable {
    case none = "0", oneToThree = "1-3", fourOrMore = ">=4"
}

/// One row of `rs_decision_rules.tsv`.
public struct RecurrenceScoreRule: Codable, Sendable, Hashable {
    /// Stable id, e.g. "n0-over50-rs0-25".
    public var id: String
    /// Column `population`.
    public var population: String
    public var nodes: RuleNodes
    /// Column `age_or_menopause`, verbatim (">50 y or postmenopausal", "<=50 y", "postmenopausal", "premenopausal", "any").
    public var ageOrMenopause: String
    /// Column `rs_range` as bounds (inclusive); "any" is 0–100.
    public var minimumScore: Int
    public var maximumScore: Int
    /// Column `recommendation`, verbatim.
    public var recommendation: String
    /// Column `evidence`, verbatim: the trial(s) and guideline the rule rests on.
    public var evidence: String
    public var advice: ChemotherapyAdvice

    /// The `rs_range` column as the TSV writes it ("0-25", "26-100", "any").
    public var scoreRangeText: String { minimumScore == 0 && maximumScore == 100 && nodes == .fourOrMore ? "any" : "\(minimumScore)-\(maximumScore)" }
}

/// Who the rules are applied to. Optional fields are optional because a score alone is still worth reporting; the
/// decision then says which inputs it needs.
public struct RecurrenceScoreContext: Codable, Sendable, Hashable {
    /// Years.
    public var age: Double?
    public var menopause: MenopausalStatus
    /// Number of positive axillary lymph nodes.
    public var positiveNodes: Int?
    /// Oestrogen/progesterone receptor status; the rules are for hormone-receptor-positive disease.
    public var hormoneReceptor: MarkerStatus
    /// The rules are for HER2-negative disease.
    public var her2: MarkerStatus

    public init(
        age: Double? = nil, menopause: MenopausalStatus = .unknown, positiveNodes: Int? = nil, hormoneReceptor: MarkerStatus = .unknown,
        her2: MarkerStatus = .unknown
    ) {
        self.age = age
        self.menopause = menopause
        self.positiveNodes = positiveNodes
        self.hormoneReceptor = hormoneReceptor
        self.her2 = her2
    }

    enum CodingKeys: String, CodingKey {
        case age, menopause, positiveNodes, hormoneReceptor, her2
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            age: try c.decodeIfPresent(Double.self, forKey: .age), menopause: try c.decodeIfPresent(MenopausalStatus.self, forKey: .menopause) ?? .unknown,
            positiveNodes: try c.decodeIfPresent(Int.self, forKey: .positiveNodes),
            hormoneReceptor: try c.decodeIfPresent(MarkerStatus.self, forKey: .hormoneReceptor) ?? .unknown,
            her2: try c.decodeIfPresent(MarkerStatus.self, forKey: .her2) ?? .unknown)
    }
}

/// The rule that applies, or why none does.
public struct RecurrenceScoreDecision: Codable, Sendable, Hashable {
    /// The reported (whole-number) score the rule was chosen with.
    public var score: Int
    /// Nil exactly when `notApplicable` is non-empty.
    public var rule: RecurrenceScoreRule?
    public var notApplicable: [String]
    /// The rule in words a patient can read.
    public var patientText: String?
    /// Caveats that do not stop the decision.
    public var notes: [String]
}

/// The TAILORx / RxPONDER / ASCO 2022 rules.
public enum RecurrenceScoreRules {
    static let population = "HR+/HER2- early breast cancer"

    /// The nine rows of `rs_decision_rules.tsv`, in its order.
    public static let all: [RecurrenceScoreRule] = [
        RecurrenceScoreRule(
            id: "n0-over50-rs0-25", population: population, nodes: .none, ageOrMenopause: ">50 y or postmenopausal", minimumScore: 0,
            maximumScore: 25, recommendation: "endocrine therapy alone (no chemo benefit)",
            evidence: "TAILORx (Sparano NEJM 2018;379:111); ASCO 2022 (Andre JCO 2022;40:1816)", advice: .endocrineAlone),
        RecurrenceScoreRule(
            id: "n0-over50-rs26-100", population: population, nodes: .none, ageOrMenopause: ">50 y or postmenopausal", minimumScore: 26,
            maximumScore: 100, recommendation: "chemotherapy + endocrine", evidence: "TAILORx high-RS cohort; ASCO 2022",
            advice: .chemotherapyAndEndocrine),
        RecurrenceScoreRule(
            id: "n0-50orYounger-rs0-15", population: population, nodes: .none, ageOrMenopause: "<=50 y", minimumScore: 0, maximumScore: 15,
            recommendation: "endocrine therapy alone", evidence: "TAILORx exploratory by age; ASCO 2022", advice: .endocrineAlone),
        RecurrenceScoreRule(
            id: "n0-50orYounger-rs16-25", population: population, nodes: .none, ageOrMenopause: "<=50 y", minimumScore: 16,
            maximumScore: 25,
            recommendation: "consider chemotherapy (or ovarian function suppression); ~1.6 pp (RS 16-20) and ~6.5 pp (RS 21-25) "
                + "lower 9-y distant recurrence with chemo",
            evidence: "TAILORx exploratory (Sparano 2018; Sparano NEJM 2019;380:2395)", advice: .consider),
        RecurrenceScoreRule(
            id: "n0-50orYounger-rs26-100", population: population, nodes: .none, ageOrMenopause: "<=50 y", minimumScore: 26,
            maximumScore: 100, recommendation: "chemotherapy + endocrine", evidence: "TAILORx; ASCO 2022", advice: .chemotherapyAndEndocrine),
        RecurrenceScoreRule(
            id: "n1to3-post-rs0-25", population: population, nodes: .oneToThree, ageOrMenopause: "postmenopausal", minimumScore: 0,
            maximumScore: 25, recommendation: "endocrine therapy alone (iDFS HR ~0.97, no benefit)",
            evidence: "RxPONDER (Kalinsky NEJM 2021;385:2336); ASCO 2022", advice: .endocrineAlone),
        RecurrenceScoreRule(
            id: "n1to3-pre-rs0-25", population: population, nodes: .oneToThree, ageOrMenopause: "premenopausal", minimumScore: 0,
            maximumScore: 25,
            recommendation: "chemotherapy may be offered (iDFS HR ~0.60; ~5 pp absolute 5-y iDFS gain; part may be ovarian suppression)",
            evidence: "RxPONDER; ASCO 2022", advice: .mayBeOffered),
        RecurrenceScoreRule(
            id: "n1to3-any-rs26-100", population: population, nodes: .oneToThree, ageOrMenopause: "any", minimumScore: 26, maximumScore: 100,
            recommendation: "chemotherapy + endocrine (not randomised in RxPONDER)", evidence: "ASCO 2022", advice: .chemotherapyAndEndocrine),
        RecurrenceScoreRule(
            id: "n4plus-any", population: population, nodes: .fourOrMore, ageOrMenopause: "any", minimumScore: 0, maximumScore: 100,
            recommendation: "RS not used to de-escalate; chemotherapy generally indicated", evidence: "ASCO 2022 / NCCN",
            advice: .scoreNotUsed),
    ]

    static func rule(_ id: String) -> RecurrenceScoreRule { all.first { $0.id == id }! }

    /// Accepted ages (years) and node counts; outside them the input is refused as impossible.
    public static let acceptedAge: ClosedRange<Double> = 0...120
    public static let acceptedNodes: ClosedRange<Int> = 0...100

    /// Chooses the rule for a reported score and a patient.
    ///
    /// Node-negative: the TSV's first group is "> 50 y *or* postmenopausal", so a postmenopausal woman of 50 or younger
    /// is in it; "≤ 50 y" is everyone else (age 50 or less and not known to be postmenopausal). 1–3 nodes with RS ≤ 25
    /// needs the menopausal status (RxPONDER's result differs by it).
    ///
    /// - Throws: for an age or node count that cannot be right.
    public static func decide(score: Int, context: RecurrenceScoreContext) throws(BreastInputError) -> RecurrenceScoreDecision {
        let model = "TAILORx/RxPONDER rules"
        let age = try BreastCheck.optional(context.age, "age", accepted: acceptedAge, unit: "years", model: model)
        let nodes = try context.positiveNodes.map { n throws(BreastInputError) in
            try BreastCheck.whole(n, "positiveNodes", accepted: acceptedNodes, unit: "nodes", model: model)
        }
        let reported = min(100, max(0, score))
        var reasons: [String] = []
        switch context.hormoneReceptor {
        case .positive: break
        case .negative: reasons.append("the tumour is hormone-receptor negative: the rules apply to HR+/HER2- early breast cancer (TAILORx, RxPONDER)")
        case .unknown: reasons.append("hormone-receptor status is needed: the rules apply to HR+/HER2- early breast cancer")
        }
        switch context.her2 {
        case .negative: break
        case .positive: reasons.append("the tumour is HER2 positive: the rules apply to HR+/HER2- early breast cancer (TAILORx, RxPONDER)")
        case .unknown: reasons.append("HER2 status is needed: the rules apply to HR+/HER2- early breast cancer")
        }
        guard let nodes else {
            reasons.append("the number of positive nodes is needed: the rules differ for 0, 1–3 and ≥4 positive nodes")
            return RecurrenceScoreDecision(score: reported, rule: nil, notApplicable: reasons, patientText: nil, notes: [])
        }
        var chosen: RecurrenceScoreRule?
        switch nodes {
        case 4...:
            chosen = rule("n4plus-any")
        case 1...3:
            if reported >= 26 {
                chosen = rule("n1to3-any-rs26-100")
            } else {
                switch context.menopause {
                case .postmenopausal: chosen = rule("n1to3-post-rs0-25")
                case .premenopausal: chosen = rule("n1to3-pre-rs0-25")
                case .unknown:
                    reasons.append("menopausal status is needed: with 1–3 positive nodes and a score of 25 or less, RxPONDER's result differs for pre- and postmenopausal women")
                }
            }
        default:
            let olderOrPost: Bool?
            if context.menopause == .postmenopausal {
                olderOrPost = true
            } else if let age {
                olderOrPost = age > 50
            } else {
                olderOrPost = nil
            }
            switch olderOrPost {
            case true?: chosen = rule(reported <= 25 ? "n0-over50-rs0-25" : "n0-over50-rs26-100")
            case false?: chosen = rule(reported <= 15 ? "n0-50orYounger-rs0-15" : (reported <= 25 ? "n0-50orYounger-rs16-25" : "n0-50orYounger-rs26-100"))
            case nil: reasons.append("age (or postmenopausal status) is needed: for node-negative disease the rules differ at age 50")
            }
        }
        guard reasons.isEmpty, let chosen else {
            return RecurrenceScoreDecision(score: reported, rule: nil, notApplicable: reasons, patientText: nil, notes: [])
        }
        var notes: [String] = []
        if chosen.id.hasPrefix("n0-50orYounger"), context.menopause == .unknown {
            notes.append("chosen by age (50 or younger) because menopausal status was not given")
        }
        return RecurrenceScoreDecision(score: reported, rule: chosen, notApplicable: [], patientText: patientText(chosen, score: reported), notes: notes)
    }

    /// The rule in plain words. Every figure is the rule's own (rs_decision_rules.tsv).
    static func patientText(_ rule: RecurrenceScoreRule, score: Int) -> String {
        switch rule.id {
        case "n0-over50-rs0-25":
            return "In the TAILORx trial, women like you (no affected lymph nodes, over 50 or after the menopause) with a score of "
                + "\(score) did not benefit from adding chemotherapy to hormone (endocrine) therapy, so hormone therapy alone is recommended."
        case "n0-over50-rs26-100", "n0-50orYounger-rs26-100", "n1to3-any-rs26-100":
            return "With a score of \(score), chemotherapy as well as hormone (endocrine) therapy is recommended."
        case "n0-50orYounger-rs0-15":
            return "For women aged 50 or younger with no affected lymph nodes and a score of \(score), hormone (endocrine) therapy alone is recommended."
        case "n0-50orYounger-rs16-25":
            let gain = score <= 20 ? "about 1.6" : "about 6.5"
            return "For women aged 50 or younger with no affected lymph nodes and a score of \(score), chemotherapy (or treatment that "
                + "stops the ovaries working) may be considered: in the TAILORx trial, \(gain) fewer women in 100 with scores like yours had "
                + "the cancer spread elsewhere in the body within 9 years when they had chemotherapy."
        case "n1to3-post-rs0-25":
            return "In the RxPONDER trial, women after the menopause with 1–3 affected lymph nodes and a score of \(score) did not benefit "
                + "from adding chemotherapy, so hormone (endocrine) therapy alone is recommended."
        case "n1to3-pre-rs0-25":
            return "In the RxPONDER trial, women before the menopause with 1–3 affected lymph nodes and a score of \(score) did better with "
                + "chemotherapy (about 5 more in 100 free of invasive cancer at 5 years; part of this may be because chemotherapy stops the "
                + "ovaries working), so chemotherapy may be offered."
        default:
            return "With 4 or more affected lymph nodes, the score is not used to decide against chemotherapy; chemotherapy is generally recommended."
        }
    }
}
