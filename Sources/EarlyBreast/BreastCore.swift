import Foundation

// The shared vocabulary of the early-breast-cancer module: how inputs are checked, how a model is cited, and the
// tumour and patient descriptors both the 21-gene recurrence score rules and PREDICT use. It mirrors the Risk module's
// conventions (RiskCore.swift) without depending on it: an impossible value is a thrown error naming the field and the
// accepted range; a possible value outside a model's population is "not applicable, because …", never an extrapolation.
// Source of truth for every clinical constant: docs/domain/oncology.md §5 and ../shared/data/{oncotype_rs,predict}.

/// Why an input was refused. As in the Risk module, two things are kept apart:
/// - an *impossible* value (tumour size −3 mm, a grade of 7, an expression value of 40 on a 0–15 scale) is an error,
///   thrown, with the accepted range, so the caller fixes the input;
/// - a *possible* patient outside the population a model was built for (PREDICT at age 90) is not an error: the result
///   says "not applicable, because …".
public struct BreastInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// A required input was not given.
        case missing
        /// The value is outside what is possible (or what the model accepts as input) in the stated unit.
        case implausible(value: Double, accepted: ClosedRange<Double>, unit: String)
        /// An expression table lacks genes the score needs; each entry names the assay gene and its HGNC symbol.
        /// No score is computed from partial data.
        case missingGenes([String])
        /// Anything else wrong with the field (an unknown code, an inconsistent combination), in words.
        case invalid(String)
    }

    /// The model being computed, e.g. "PREDICT v2.1" or "21-gene recurrence score".
    public var model: String
    /// The input's name as the JSON input and the CLI flag spell it, e.g. "tumourSizeMM".
    public var field: String
    public var problem: Problem
    /// An optional hint, e.g. "was the size given in cm?".
    public var hint: String?

    public init(model: String, field: String, problem: Problem, hint: String? = nil) {
        self.model = model
        self.field = field
        self.problem = problem
        self.hint = hint
    }

    public var description: String {
        let text: String
        switch problem {
        case .missing: text = "\(field) is required"
        case .implausible(let value, let accepted, let unit):
            let unitText = unit.isEmpty ? "" : " " + unit
            text = "\(field) \(BreastFormat.number(value))\(unitText) is outside the accepted range "
                + "\(BreastFormat.number(accepted.lowerBound))–\(BreastFormat.number(accepted.upperBound))\(unitText)"
        case .missingGenes(let genes):
            text = "\(field) lacks \(genes.count) required gene\(genes.count == 1 ? "" : "s"): \(genes.joined(separator: ", ")); "
                + "no score is computed from partial data"
        case .invalid(let message): text = "\(field): \(message)"
        }
        return "\(model): " + text + (hint.map { " (\($0))" } ?? "")
    }
}

/// Validation helpers, so every model words its errors the same way.
enum BreastCheck {
    /// The value if present, finite and inside `range`; otherwise an error naming the field, the value, the range and
    /// the unit.
    static func required(
        _ value: Double?, _ field: String, accepted range: ClosedRange<Double>, unit: String, model: String, hint: String? = nil
    ) throws(BreastInputError) -> Double {
        guard let value else { throw BreastInputError(model: model, field: field, problem: .missing) }
        return try accepted(value, field, range, unit: unit, model: model, hint: hint)
    }

    /// nil for nil, else the accepted value.
    static func optional(
        _ value: Double?, _ field: String, accepted range: ClosedRange<Double>, unit: String, model: String, hint: String? = nil
    ) throws(BreastInputError) -> Double? {
        guard let value else { return nil }
        return try accepted(value, field, range, unit: unit, model: model, hint: hint)
    }

    static func accepted(
        _ value: Double, _ field: String, _ range: ClosedRange<Double>, unit: String, model: String, hint: String?
    ) throws(BreastInputError) -> Double {
        guard value.isFinite, range.contains(value) else {
            throw BreastInputError(model: model, field: field, problem: .implausible(value: value, accepted: range, unit: unit), hint: hint)
        }
        return value
    }

    /// A whole number inside `range` (node counts, grades).
    static func whole(_ value: Int, _ field: String, accepted range: ClosedRange<Int>, unit: String, model: String) throws(BreastInputError) -> Int {
        guard range.contains(value) else {
            throw BreastInputError(
                model: model, field: field,
                problem: .implausible(value: Double(value), accepted: Double(range.lowerBound)...Double(range.upperBound), unit: unit))
        }
        return value
    }
}

/// Where a model comes from and whom it was built for, carried on every result so a number is never shown without its
/// version, its citation and the population it applies to.
public struct BreastModelInfo: Codable, Sendable, Hashable {
    /// Stable machine name, e.g. "predict-2.1".
    public var id: String
    /// Human name with version, e.g. "PREDICT Breast v2.1".
    public var name: String
    public var citation: String
    /// The population the model applies to, in words.
    public var population: String
    /// Where the constants come from (these models ship as cited constants in the source, not as a knowledge pack).
    public var knowledge: String
    /// Licence notice or trademark text that must accompany results.
    public var attribution: String
    /// True for a model that is not peer reviewed in this form (PREDICT v3.2 development code).
    public var provisional: Bool

    public init(id: String, name: String, citation: String, population: String, knowledge: String, attribution: String, provisional: Bool) {
        self.id = id
        self.name = name
        self.citation = citation
        self.population = population
        self.knowledge = knowledge
        self.attribution = attribution
        self.provisional = provisional
    }
}

/// A receptor or marker status as pathology reports it.
public enum MarkerStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case positive, negative, unknown
}

/// Menopausal status. It decides whether bisphosphonates apply (PREDICT, postmenopausal only: oncology.md §5.4) and
/// which RxPONDER rule applies to 1–3 positive nodes (oncology.md §5.1).
public enum MenopausalStatus: String, Codable, Sendable, Hashable, CaseIterable {
    case premenopausal, postmenopausal, unknown
}

/// Number formatting without Foundation's locale: shortest round-trip text, at most `digits` decimals.
public enum BreastFormat {
    public static func number(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return String(value) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return String(rounded)
    }

    /// Fixed decimals ("12.30"), for aligned clinician tables.
    public static func fixed(_ value: Double, digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (abs(value) * scale).rounded()
        let whole = Int64(rounded / scale)
        let fraction = Int64(rounded - Double(whole) * scale)
        let sign = value < 0 && rounded > 0 ? "-" : ""
        guard digits > 0 else { return sign + String(whole) }
        var fractionText = String(fraction)
        while fractionText.count < digits { fractionText = "0" + fractionText }
        return sign + String(whole) + "." + fractionText
    }
}
