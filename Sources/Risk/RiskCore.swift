import Foundation
public import Knowledge

// The shared vocabulary of every clinical risk equation: what a result looks like, how inputs are checked, and
// where the coefficients come from. Equations are pure functions of a validated input and a loaded coefficient
// table; loading (the risk knowledge pack) happens once, at the edge.

/// Biological sex as the equations were derived with it (every equation here has sex-specific coefficients).
public enum Sex: String, Codable, Sendable, Hashable, CaseIterable {
    case female, male
}

/// Why an input was refused. Two different things are kept apart:
/// - an *impossible* value (systolic 30 mmHg, HDL 1.2 "mg/dL" that is really mmol/L) is an error, thrown, with the
///   accepted range, so the caller fixes the input;
/// - a *possible* value outside the population an equation was derived in (age 35 for PCE) is not an error: the
///   equation answers "not applicable, because …" (see ``RiskResult/notApplicable``), never an extrapolated number.
public struct RiskInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Problem: Sendable, Equatable {
        /// A required input was not given.
        case missing
        /// The value is outside what is physiologically plausible in the stated unit.
        case implausible(value: Double, accepted: ClosedRange<Double>, unit: String)
        /// Anything else wrong with the field (an unknown code, an inconsistent combination), in words.
        case invalid(String)
    }

    /// The equation being computed, e.g. "PREVENT".
    public var equation: String
    /// The input's name as the JSON input and the CLI flag spell it, e.g. "systolicBP".
    public var field: String
    public var problem: Problem
    /// An optional hint, e.g. "was it given in mmol/L?".
    public var hint: String?

    public init(equation: String, field: String, problem: Problem, hint: String? = nil) {
        self.equation = equation
        self.field = field
        self.problem = problem
        self.hint = hint
    }

    public var description: String {
        let text: String
        switch problem {
        case .missing: text = "\(field) is required"
        case .implausible(let value, let accepted, let unit):
            text = "\(field) \(RiskFormat.number(value)) \(unit) is outside the accepted range \(RiskFormat.number(accepted.lowerBound))–\(RiskFormat.number(accepted.upperBound)) \(unit)"
        case .invalid(let message): text = "\(field): \(message)"
        }
        return "\(equation): " + text + (hint.map { " (\($0))" } ?? "")
    }
}

/// Validation helpers shared by the equations, so every equation words its errors the same way.
public enum RiskCheck {
    /// Returns the value if present and plausible; throws naming the field, the value, the range and the unit.
    public static func required(
        _ value: Double?, _ field: String, plausible range: ClosedRange<Double>, unit: String, equation: String, hint: String? = nil
    ) throws(RiskInputError) -> Double {
        guard let value else { throw RiskInputError(equation: equation, field: field, problem: .missing) }
        return try plausible(value, field, range, unit: unit, equation: equation, hint: hint)
    }

    /// Returns nil for nil, else the plausible value (optional inputs such as UACR).
    public static func optional(
        _ value: Double?, _ field: String, plausible range: ClosedRange<Double>, unit: String, equation: String, hint: String? = nil
    ) throws(RiskInputError) -> Double? {
        guard let value else { return nil }
        return try plausible(value, field, range, unit: unit, equation: equation, hint: hint)
    }

    static func plausible(
        _ value: Double, _ field: String, _ range: ClosedRange<Double>, unit: String, equation: String, hint: String?
    ) throws(RiskInputError) -> Double {
        guard value.isFinite, range.contains(value) else {
            throw RiskInputError(equation: equation, field: field, problem: .implausible(value: value, accepted: range, unit: unit), hint: hint)
        }
        return value
    }

    /// A reason for "not applicable" when `value` lies outside the derivation range (nil when inside).
    public static func outside(_ value: Double, _ label: String, _ range: ClosedRange<Double>, unit: String, equation: String) -> String? {
        guard !range.contains(value) else { return nil }
        let unitText = unit.isEmpty ? "" : " " + unit
        return "\(label) \(RiskFormat.number(value))\(unitText) is outside \(RiskFormat.number(range.lowerBound))–\(RiskFormat.number(range.upperBound))\(unitText), the range \(equation) was derived in"
    }
}

/// Units for cholesterol concentrations. PCE works in mg/dL, PREVENT in mmol/L; inputs may come in either.
public enum CholesterolUnit: String, Codable, Sendable, Hashable {
    case mgPerDL = "mg/dL"
    case mmolPerL = "mmol/L"

    /// mg/dL × 0.02586 = mmol/L (the factor preventr and the PREVENT paper use).
    public static let mmolPerMg = 0.02586

    public func toMgPerDL(_ value: Double) -> Double { self == .mgPerDL ? value : value / Self.mmolPerMg }
}

/// Units for serum creatinine.
public enum CreatinineUnit: String, Codable, Sendable, Hashable {
    case mgPerDL = "mg/dL"
    case umolPerL = "µmol/L"

    /// µmol/L ÷ 88.4 = mg/dL.
    public func toMgPerDL(_ value: Double) -> Double { self == .mgPerDL ? value : value / 88.4 }

    public init?(text: String) {
        switch text.lowercased() {
        case "mg/dl": self = .mgPerDL
        case "µmol/l", "umol/l", "μmol/l": self = .umolPerL
        default: return nil
        }
    }
}

/// Where an equation comes from and whom it was built for, carried on every result so a score is never shown
/// without its version, its citation and the population it was validated in.
public struct EquationInfo: Codable, Sendable, Hashable {
    /// Stable machine name, e.g. "prevent-base".
    public var id: String
    /// Human name with version, e.g. "AHA PREVENT (base model), 2023".
    public var name: String
    public var citation: String
    /// The population the equation was derived and validated in, in words.
    public var population: String
    /// The knowledge pack (name and version) the coefficients were read from.
    public var knowledge: String

    public init(id: String, name: String, citation: String, population: String, knowledge: String) {
        self.id = id
        self.name = name
        self.citation = citation
        self.population = population
        self.knowledge = knowledge
    }
}

/// One answer of one equation for one outcome.
public struct RiskResult: Codable, Sendable, Hashable {
    public var equation: EquationInfo
    /// What is estimated, e.g. "10-year total cardiovascular disease".
    public var outcome: String
    /// Horizon in years for absolute risks (nil for eGFR).
    public var horizonYears: Double?
    /// The estimate, in `unit`; nil when not applicable.
    public var value: Double?
    /// "%" for risks, "mL/min/1.73m²" for eGFR.
    public var unit: String
    /// Non-empty exactly when `value` is nil: why the equation does not apply to this patient.
    public var notApplicable: [String]
    /// Caveats that do not stop the estimate (e.g. "30-year horizon intended for ages 30–59").
    public var warnings: [String]
    /// Text that must accompany the displayed score (QRISK3's ClinRisk disclaimer).
    public var disclaimer: String?

    public init(
        equation: EquationInfo, outcome: String, horizonYears: Double?, value: Double?, unit: String, notApplicable: [String] = [],
        warnings: [String] = [], disclaimer: String? = nil
    ) {
        precondition((value == nil) == !notApplicable.isEmpty, "a result has a value or reasons it does not apply, not both")
        self.equation = equation
        self.outcome = outcome
        self.horizonYears = horizonYears
        self.value = value
        self.unit = unit
        self.notApplicable = notApplicable
        self.warnings = warnings
        self.disclaimer = disclaimer
    }

    /// A result that does not apply, with its reasons.
    public static func notApplicable(
        _ equation: EquationInfo, outcome: String, horizonYears: Double?, unit: String, reasons: [String], disclaimer: String? = nil
    ) -> RiskResult {
        RiskResult(equation: equation, outcome: outcome, horizonYears: horizonYears, value: nil, unit: unit, notApplicable: reasons, disclaimer: disclaimer)
    }
}

/// Number formatting without Foundation's locale: shortest round-trip text, at most `digits` decimals.
public enum RiskFormat {
    public static func number(_ value: Double, digits: Int = 3) -> String {
        guard value.isFinite else { return String(value) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int64(rounded)) }
        return String(rounded)
    }
}

/// Reads the coefficient tables of the bundled `risk` knowledge pack. Parsing is done once per process by the
/// equation types' `bundled()` loaders; the equations themselves never touch files.
public enum RiskPack {
    /// The pack name and version, as cited on every result ("risk 2026.11-1").
    public static func label(_ pack: KnowledgePack) -> String { "\(pack.manifest.name) \(pack.manifest.version)" }

    /// A CSV file of the pack as rows of fields (header first). Handles double-quoted fields with commas.
    public static func csv(_ pack: KnowledgePack, _ path: String) throws(KnowledgeError) -> [[String]] {
        let bytes = try pack.data(path)
        let text = String(decoding: bytes, as: UTF8.self)
        var rows: [[String]] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.isEmpty {
            var fields: [String] = []
            var field = ""
            var quoted = false
            for character in line {
                if character == "\"" {
                    quoted.toggle()
                } else if character == "," && !quoted {
                    fields.append(field)
                    field = ""
                } else {
                    field.append(character)
                }
            }
            fields.append(field)
            rows.append(fields)
        }
        return rows
    }

    /// A numeric cell, or an error naming the file, row and column.
    public static func number(_ text: String, path: String, row: Int, column: String, pack: String = "risk") throws(KnowledgeError) -> Double {
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)) else {
            throw KnowledgeError(pack: pack, path: path, message: "row \(row), column \(column): '\(text)' is not a number")
        }
        return value
    }
}
