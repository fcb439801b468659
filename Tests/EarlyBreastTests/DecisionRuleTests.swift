import Foundation
import Testing

@testable import EarlyBreast

/// One patient and the row of rs_decision_rules.tsv that must apply (oncology.md §5.1 decision table).
struct RuleCase: Sendable, CustomTestStringConvertible {
    let score: Int
    let age: Double?
    let menopause: MenopausalStatus
    let nodes: Int
    let rule: String
    var testDescription: String { "RS \(score), age \(age.map { String(Int($0)) } ?? "?"), \(menopause.rawValue), \(nodes) nodes → \(rule)" }
}

@Suite struct DecisionRuleTests {
    /// Every built-in rule is the corresponding TSV row, verbatim (the test vectors of ../shared/data/oncotype_rs).
    @Test(arguments: 0..<9)
    func rulesAreTheFixtureRows(index: Int) throws {
        let rows = try Fixture.tsv("rs_decision_rules.tsv")
        #expect(rows[0] == ["population", "nodes", "age_or_menopause", "rs_range", "recommendation", "evidence"])
        #expect(rows.count == 10)
        let row = rows[index + 1]
        let rule = RecurrenceScoreRules.all[index]
        #expect(row[0] == rule.population)
        #expect(row[1] == rule.nodes.rawValue)
        #expect(row[2] == rule.ageOrMenopause)
        #expect(row[3] == rule.scoreRangeText)
        #expect(row[4] == rule.recommendation)
        #expect(row[5] == rule.evidence)
    }

    static let cases: [RuleCase] = [
        // Node-negative, over 50 or postmenopausal (TAILORx): endocrine alone to 25, chemotherapy from 26.
        RuleCase(score: 0, age: 62, menopause: .postmenopausal, nodes: 0, rule: "n0-over50-rs0-25"),
        RuleCase(score: 25, age: 51, menopause: .unknown, nodes: 0, rule: "n0-over50-rs0-25"),
        RuleCase(score: 26, age: 51, menopause: .unknown, nodes: 0, rule: "n0-over50-rs26-100"),
        RuleCase(score: 18, age: 48, menopause: .postmenopausal, nodes: 0, rule: "n0-over50-rs0-25"),  // "> 50 y OR postmenopausal"
        RuleCase(score: 18, age: nil, menopause: .postmenopausal, nodes: 0, rule: "n0-over50-rs0-25"),
        RuleCase(score: 30, age: 55, menopause: .premenopausal, nodes: 0, rule: "n0-over50-rs26-100"),
        // Node-negative, 50 or younger (TAILORx exploratory).
        RuleCase(score: 15, age: 50, menopause: .premenopausal, nodes: 0, rule: "n0-50orYounger-rs0-15"),
        RuleCase(score: 16, age: 50, menopause: .premenopausal, nodes: 0, rule: "n0-50orYounger-rs16-25"),
        RuleCase(score: 25, age: 42, menopause: .unknown, nodes: 0, rule: "n0-50orYounger-rs16-25"),
        RuleCase(score: 26, age: 42, menopause: .premenopausal, nodes: 0, rule: "n0-50orYounger-rs26-100"),
        // 1–3 nodes (RxPONDER).
        RuleCase(score: 25, age: 66, menopause: .postmenopausal, nodes: 1, rule: "n1to3-post-rs0-25"),
        RuleCase(score: 0, age: 58, menopause: .postmenopausal, nodes: 3, rule: "n1to3-post-rs0-25"),
        RuleCase(score: 12, age: 44, menopause: .premenopausal, nodes: 2, rule: "n1to3-pre-rs0-25"),
        RuleCase(score: 26, age: 44, menopause: .premenopausal, nodes: 2, rule: "n1to3-any-rs26-100"),
        RuleCase(score: 40, age: 70, menopause: .unknown, nodes: 3, rule: "n1to3-any-rs26-100"),
        // 4 or more nodes: the score is not used to de-escalate.
        RuleCase(score: 3, age: 60, menopause: .postmenopausal, nodes: 4, rule: "n4plus-any"),
        RuleCase(score: 90, age: nil, menopause: .unknown, nodes: 17, rule: "n4plus-any"),
    ]

    @Test(arguments: cases)
    func choosesTheRule(_ c: RuleCase) throws {
        let context = RecurrenceScoreContext(age: c.age, menopause: c.menopause, positiveNodes: c.nodes, hormoneReceptor: .positive, her2: .negative)
        let decision = try RecurrenceScoreRules.decide(score: c.score, context: context)
        #expect(decision.notApplicable.isEmpty)
        let rule = try #require(decision.rule)
        #expect(rule.id == c.rule)
        #expect((rule.minimumScore...rule.maximumScore).contains(c.score))
        #expect(!rule.evidence.isEmpty)
        #expect(decision.patientText?.isEmpty == false)
    }

    @Test func eachRuleCitesItsTrial() {
        for rule in RecurrenceScoreRules.all {
            let trial = ["TAILORx", "RxPONDER", "ASCO 2022"].contains { rule.evidence.contains($0) }
            #expect(trial, "\(rule.id)")
        }
        #expect(RecurrenceScoreRules.all.filter { $0.nodes == .oneToThree && $0.maximumScore == 25 }.allSatisfy { $0.evidence.contains("RxPONDER") })
        #expect(RecurrenceScoreRules.all.filter { $0.nodes == .none && $0.maximumScore <= 25 }.allSatisfy { $0.evidence.contains("TAILORx") })
    }

    /// The absolute gains the TSV quotes for RS 16–20 and 21–25 reach the patient's words.
    @Test(arguments: [(16, "about 1.6"), (20, "about 1.6"), (21, "about 6.5"), (25, "about 6.5")])
    func youngerWomenSeeTheirScoreBand(score: Int, text: String) throws {
        let context = RecurrenceScoreContext(age: 45, menopause: .premenopausal, positiveNodes: 0, hormoneReceptor: .positive, her2: .negative)
        let decision = try RecurrenceScoreRules.decide(score: score, context: context)
        #expect(decision.patientText?.contains(text) == true)
        #expect(decision.rule?.advice == .consider)
    }

    struct NotApplicable: Sendable, CustomTestStringConvertible {
        let context: RecurrenceScoreContext
        let score: Int
        let reason: String
        var testDescription: String { reason }
    }

    @Test(arguments: [
        NotApplicable(
            context: RecurrenceScoreContext(age: 60, menopause: .postmenopausal, positiveNodes: 0, hormoneReceptor: .negative, her2: .negative),
            score: 10, reason: "the tumour is hormone-receptor negative: the rules apply to HR+/HER2- early breast cancer (TAILORx, RxPONDER)"),
        NotApplicable(
            context: RecurrenceScoreContext(age: 60, menopause: .postmenopausal, positiveNodes: 0, hormoneReceptor: .positive, her2: .positive),
            score: 10, reason: "the tumour is HER2 positive: the rules apply to HR+/HER2- early breast cancer (TAILORx, RxPONDER)"),
        NotApplicable(
            context: RecurrenceScoreContext(age: 60, menopause: .postmenopausal, positiveNodes: 0, hormoneReceptor: .positive, her2: .unknown),
            score: 10, reason: "HER2 status is needed: the rules apply to HR+/HER2- early breast cancer"),
        NotApplicable(
            context: RecurrenceScoreContext(age: 60, menopause: .postmenopausal, positiveNodes: nil, hormoneReceptor: .positive, her2: .negative),
            score: 10, reason: "the number of positive nodes is needed: the rules differ for 0, 1–3 and ≥4 positive nodes"),
        NotApplicable(
            context: RecurrenceScoreContext(age: 60, menopause: .unknown, positiveNodes: 2, hormoneReceptor: .positive, her2: .negative),
            score: 20,
            reason: "menopausal status is needed: with 1–3 positive nodes and a score of 25 or less, RxPONDER's result differs for pre- and postmenopausal women"),
        NotApplicable(
            context: RecurrenceScoreContext(age: nil, menopause: .premenopausal, positiveNodes: 0, hormoneReceptor: .positive, her2: .negative),
            score: 20, reason: "age (or postmenopausal status) is needed: for node-negative disease the rules differ at age 50"),
    ])
    func saysWhyNoRuleApplies(_ c: NotApplicable) throws {
        let decision = try RecurrenceScoreRules.decide(score: c.score, context: c.context)
        #expect(decision.rule == nil)
        #expect(decision.patientText == nil)
        #expect(decision.notApplicable.contains(c.reason), "\(decision.notApplicable)")
    }

    @Test func reportForTheCLI() throws {
        let report = try EarlyBreast.recurrenceScore(
            RecurrenceScoreRequest(score: 23, age: 58, menopause: .postmenopausal, positiveNodes: 2, hormoneReceptor: .positive, her2: .negative))
        #expect(report.decision.rule?.id == "n1to3-post-rs0-25")
        #expect(report.patientSummary.first == "Your recurrence score is 23 on a scale of 0 to 100.")
        #expect(report.patientSummary[1].contains("RxPONDER"))
        let text = BreastText.clinician(report.recurrenceScore, decision: report.decision)
        #expect(text.contains("evidence: RxPONDER (Kalinsky NEJM 2021;385:2336); ASCO 2022"))
        // JSON round trip of the request and encodability of the report.
        let json = #"{"expression": {"GRB7": 8, "HER2": 8, "ER": 8, "PGR": 8, "BCL2": 8, "SCUBE2": 8, "Ki67": 8, "STK15": 8, "Survivin": 8, "CCNB1": 8, "MYBL2": 8, "Stromelysin3": 8, "CTSL2": 8, "CD68": 8, "GSTM1": 8, "BAG1": 8}, "age": 45, "menopause": "premenopausal", "positiveNodes": 0, "hormoneReceptor": "positive", "her2": "negative"}"#
        let request = try JSONDecoder().decode(RecurrenceScoreRequest.self, from: Data(json.utf8))
        let computed = try EarlyBreast.recurrenceScore(request)
        #expect(computed.recurrenceScore.reportedScore == 53)
        #expect(computed.decision.rule?.id == "n0-50orYounger-rs26-100")
        let encoded = try JSONEncoder().encode(computed)
        let back = try JSONDecoder().decode(RecurrenceScoreReport.self, from: encoded)
        #expect(back == computed)
    }
}
