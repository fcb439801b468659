import Foundation

// Words for the patient and numbers for the clinician. The patient text uses natural frequencies ("Of 100 women like
// you, about N more are alive at 10 years with chemotherapy"), as the PREDICT tool presents its results, and rounds to
// whole women; the clinician text keeps two decimals of percentage points so it can be checked against the model.

/// Plain-language sentences for the patient at one horizon.
public struct PatientSummary: Codable, Sendable, Hashable {
    public var horizonYears: Int
    public var sentences: [String]
}

public enum BreastText {
    /// "about 3 more are alive", "about 1 more is alive", "fewer than 1 more is alive", "about 2 fewer are alive".
    static func moreAlive(_ points: Double) -> String {
        let n = Int(abs(points).rounded(.toNearestOrAwayFromZero))
        if points >= 0.5 { return "about \(n) more \(n == 1 ? "is" : "are") alive" }
        if points > 0 { return "fewer than 1 more is alive" }
        if points > -0.5 { return "no more are alive" }
        return "about \(n) fewer \(n == 1 ? "is" : "are") alive"
    }

    static func about(_ percent: Double) -> String { "about \(Int(percent.rounded(.toNearestOrAwayFromZero)))" }

    /// The PREDICT result in plain words at `years` (5, 10 or 15).
    public static func patientSummary(_ result: PredictResult, years: Int = 10) -> PatientSummary {
        var s: [String] = []
        guard result.notApplicable.isEmpty else {
            s.append("PREDICT cannot give numbers for you: " + result.notApplicable.joined(separator: "; ") + ".")
            return PatientSummary(horizonYears: years, sentences: s)
        }
        guard let surgery = result.surgeryOnly.first(where: { $0.years == years }) else {
            return PatientSummary(horizonYears: years, sentences: ["PREDICT reports 5, 10 and 15 years only."])
        }
        if result.model.provisional {
            s.append("These numbers come from a provisional version of PREDICT (3.2) that has not been checked by other scientists in this form.")
        }
        s.append("Of 100 women like you who have surgery only, \(about(surgery.overallSurvival)) are alive at \(years) years.")
        if result.steps.count > 1 { s.append("Each treatment below adds to the ones listed before it.") }
        for step in result.steps {
            guard let gain = step.benefit.first(where: { $0.years == years }) else { continue }
            s.append("Of 100 women like you, \(moreAlive(gain.overallSurvival)) at \(years) years with \(step.treatment.name).")
        }
        if !result.steps.isEmpty, let final = result.finalOutcome(years: years) {
            s.append(
                "With \(result.steps.count == 1 ? "this treatment" : "all these treatments"), \(about(final.overallSurvival)) in 100 are alive at \(years) years; "
                    + "\(about(final.breastCancerDeaths)) die of breast cancer and \(about(final.otherCauseDeaths)) of other causes.")
        } else {
            s.append("Of 100 women like you, \(about(surgery.breastCancerDeaths)) die of breast cancer and \(about(surgery.otherCauseDeaths)) of other causes within \(years) years.")
        }
        for exclusion in result.excluded {
            s.append("Not shown: \(exclusion.treatment.name), because \(exclusion.reason).")
        }
        s.append("These are estimates for groups of women like you, not a prediction for you, and treatments have side effects these numbers do not show.")
        return PatientSummary(horizonYears: years, sentences: s)
    }

    /// The PREDICT result as a table for the clinician.
    public static func clinician(_ result: PredictResult) -> String {
        var lines: [String] = ["\(result.model.name)"]
        guard result.notApplicable.isEmpty else {
            lines.append("not applicable, because " + result.notApplicable.joined(separator: "; "))
            appendSources(result, to: &lines)
            return lines.joined(separator: "\n")
        }
        for w in result.warnings { lines.append("warning: \(w)") }
        let header = "years".padding(toLength: 44, withPad: " ", startingAt: 0) + result.horizons.map { pad(String($0), 30) }.joined()
        lines.append("")
        lines.append("Overall survival % (benefit over previous row, pp) | breast-cancer deaths % | other deaths %")
        lines.append(header)
        func row(_ label: String, _ outcomes: [PredictOutcome], _ benefit: [PredictBenefit]?) -> String {
            var text = label.padding(toLength: 44, withPad: " ", startingAt: 0)
            for (i, o) in outcomes.enumerated() {
                var cell = BreastFormat.fixed(o.overallSurvival, digits: 2)
                if let b = benefit?[i] { cell += " (+" + BreastFormat.fixed(b.overallSurvival, digits: 2) + ")" }
                cell += " | " + BreastFormat.fixed(o.breastCancerDeaths, digits: 1) + " | " + BreastFormat.fixed(o.otherCauseDeaths, digits: 1)
                text += pad(cell, 30)
            }
            return text
        }
        lines.append(row("surgery only [s]", result.surgeryOnly, nil))
        for step in result.steps { lines.append(row("+ \(step.label) [\(step.regimen)]", step.outcomes, step.benefit)) }
        if !result.steps.isEmpty {
            lines.append("total benefit (pp): " + result.total.map { "\($0.years) y +\(BreastFormat.fixed($0.overallSurvival, digits: 2))" }.joined(separator: ", "))
        }
        lines.append("")
        lines.append("Chemotherapy options (each added to the rows before chemotherapy), OS benefit pp:")
        for option in result.chemotherapyOptions {
            let name = option.generation == .second ? "2nd generation" : "3rd generation"
            lines.append("  \(name) [\(option.regimen)]: " + option.benefit.map { "\($0.years) y +\(BreastFormat.fixed($0.overallSurvival, digits: 2))" }.joined(separator: ", "))
        }
        for e in result.excluded { lines.append("not included: \(e.treatment.name): \(e.reason)") }
        for n in result.notes { lines.append("note: \(n)") }
        appendSources(result, to: &lines)
        return lines.joined(separator: "\n")
    }

    static func appendSources(_ result: PredictResult, to lines: inout [String]) {
        lines.append("source: \(result.model.citation)")
        lines.append("applies to: \(result.model.population)")
        lines.append("knowledge: \(result.model.knowledge)")
        lines.append(result.model.attribution)
        lines.append(result.disclaimer)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0)
    }

    /// The recurrence-score report in plain words.
    public static func patientSummary(_ score: RecurrenceScoreResult, decision: RecurrenceScoreDecision) -> [String] {
        var s: [String] = []
        let origin = score.source == .computed ? " (calculated from the gene test values given, a research approximation)" : ""
        s.append("Your recurrence score is \(score.reportedScore) on a scale of 0 to 100\(origin).")
        if let text = decision.patientText {
            s.append(text)
        } else {
            s.append("We cannot say which trial result applies to you: " + decision.notApplicable.joined(separator: "; ") + ".")
        }
        s.append("Your care team will weigh this with everything else about your cancer and your health.")
        return s
    }

    /// The recurrence-score report for the clinician.
    public static func clinician(_ score: RecurrenceScoreResult, decision: RecurrenceScoreDecision) -> String {
        var lines: [String] = []
        lines.append("\(score.model.name): RS \(score.reportedScore) (\(score.source.rawValue); unrounded \(BreastFormat.number(score.score, digits: 2)))")
        if let g = score.groupScores, let u = score.unscaled {
            lines.append("  group scores: HER2 \(BreastFormat.number(g.her2)), estrogen \(BreastFormat.number(g.estrogen)), "
                + "proliferation \(BreastFormat.number(g.proliferation)), invasion \(BreastFormat.number(g.invasion)); RSu \(BreastFormat.number(u, digits: 4))")
        }
        lines.append("  risk group: Paik 2004 \(score.paik2004.rawValue) (<18 / 18–30 / ≥31); TAILORx \(score.tailorx.rawValue) (0–10 / 11–25 / 26–100)")
        if let rule = decision.rule {
            lines.append("  rule [\(rule.id)]: \(rule.population), nodes \(rule.nodes.rawValue), \(rule.ageOrMenopause), RS \(rule.scoreRangeText)")
            lines.append("  recommendation: \(rule.recommendation)")
            lines.append("  evidence: \(rule.evidence)")
        } else {
            lines.append("  decision rules not applicable, because " + decision.notApplicable.joined(separator: "; "))
        }
        for n in decision.notes { lines.append("  note: \(n)") }
        for w in score.warnings { lines.append("  warning: \(w)") }
        lines.append("  source: \(score.model.citation)")
        lines.append("  \(score.model.attribution)")
        return lines.joined(separator: "\n")
    }
}
