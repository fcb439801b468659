import Foundation

// The functions `tailor breast …` calls: one request in, one JSON-encodable report out. Everything is a pure function of
// the input; no files, no knowledge pack, no clock.

/// `tailor breast recurrence-score`: a score (supplied, or computed from expression) and the clinical context the
/// TAILORx/RxPONDER rules need. Give `score` or `expression`, not both.
public struct RecurrenceScoreRequest: Codable, Sendable, Hashable {
    /// A laboratory-reported recurrence score, 0–100.
    public var score: Double?
    /// Reference-normalised expression by gene name (assay names or HGNC symbols), 0–15.
    public var expression: [String: Double]?
    public var age: Double?
    public var menopause: MenopausalStatus
    public var positiveNodes: Int?
    public var hormoneReceptor: MarkerStatus
    public var her2: MarkerStatus

    public init(
        score: Double? = nil, expression: [String: Double]? = nil, age: Double? = nil, menopause: MenopausalStatus = .unknown,
        positiveNodes: Int? = nil, hormoneReceptor: MarkerStatus = .unknown, her2: MarkerStatus = .unknown
    ) {
        self.score = score
        self.expression = expression
        self.age = age
        self.menopause = menopause
        self.positiveNodes = positiveNodes
        self.hormoneReceptor = hormoneReceptor
        self.her2 = her2
    }

    enum CodingKeys: String, CodingKey {
        case score, expression, age, menopause, positiveNodes, hormoneReceptor, her2
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            score: try c.decodeIfPresent(Double.self, forKey: .score), expression: try c.decodeIfPresent([String: Double].self, forKey: .expression),
            age: try c.decodeIfPresent(Double.self, forKey: .age), menopause: try c.decodeIfPresent(MenopausalStatus.self, forKey: .menopause) ?? .unknown,
            positiveNodes: try c.decodeIfPresent(Int.self, forKey: .positiveNodes),
            hormoneReceptor: try c.decodeIfPresent(MarkerStatus.self, forKey: .hormoneReceptor) ?? .unknown,
            her2: try c.decodeIfPresent(MarkerStatus.self, forKey: .her2) ?? .unknown)
    }

    public var context: RecurrenceScoreContext {
        RecurrenceScoreContext(age: age, menopause: menopause, positiveNodes: positiveNodes, hormoneReceptor: hormoneReceptor, her2: her2)
    }
}

/// The recurrence score, the rule that applies, and the words for the patient.
public struct RecurrenceScoreReport: Codable, Sendable, Hashable {
    public var recurrenceScore: RecurrenceScoreResult
    public var decision: RecurrenceScoreDecision
    public var patientSummary: [String]
}

/// PREDICT numbers and the words for the patient.
public struct PredictReport: Codable, Sendable, Hashable {
    public var result: PredictResult
    public var patientSummary: PatientSummary
}

public enum EarlyBreast {
    /// Scores (or wraps a supplied score) and applies the TAILORx/RxPONDER rules.
    ///
    /// - Throws: ``BreastInputError``: neither or both of score and expression; missing genes (all named, no partial
    ///   score); values outside 0–15 (expression) or 0–100 (score); an impossible age or node count.
    public static func recurrenceScore(_ request: RecurrenceScoreRequest) throws(BreastInputError) -> RecurrenceScoreReport {
        let expression = try request.expression.map { named throws(BreastInputError) in try RecurrenceScoreExpression(named: named) }
        return try recurrenceScore(score: request.score, expression: expression, context: request.context)
    }

    /// As ``recurrenceScore(_:)`` with an expression table already parsed (``RecurrenceScoreExpression/parse(_:source:)``).
    public static func recurrenceScore(
        score: Double?, expression: RecurrenceScoreExpression?, context: RecurrenceScoreContext
    ) throws(BreastInputError) -> RecurrenceScoreReport {
        let result: RecurrenceScoreResult
        switch (score, expression) {
        case (let score?, nil): result = try RecurrenceScore.supplied(score)
        case (nil, let expression?): result = try RecurrenceScore.compute(expression)
        case (nil, nil):
            throw BreastInputError(
                model: RecurrenceScoreExpression.modelName, field: "score", problem: .missing,
                hint: "give a laboratory score (0–100) or an expression table of the 16 cancer genes")
        case (_?, _?):
            throw BreastInputError(
                model: RecurrenceScoreExpression.modelName, field: "score",
                problem: .invalid("give a laboratory score or an expression table, not both"))
        }
        let decision = try RecurrenceScoreRules.decide(score: result.reportedScore, context: context)
        return RecurrenceScoreReport(recurrenceScore: result, decision: decision, patientSummary: BreastText.patientSummary(result, decision: decision))
    }

    /// PREDICT for one patient and plan, with the patient's summary at `summaryYears` (5, 10 or 15).
    ///
    /// - Throws: ``BreastInputError`` for impossible inputs (see ``Predict/estimate(_:)``).
    public static func predict(_ input: PredictInput, summaryYears: Int = 10) throws(BreastInputError) -> PredictReport {
        let result = try Predict.estimate(input)
        return PredictReport(result: result, patientSummary: BreastText.patientSummary(result, years: summaryYears))
    }
}
