import Foundation
import Records
import Store

// Patient factors (issue #9 item 1): the lifestyle, environment, psychosocial and preference facts a care plan adapts
// to, taken in as one structured intake and kept in the record as `factor` entries, one per item, so each change has
// a date and an author and the newest value wins. Pure: the routes read and write entries through the access gate.

/// One factor the intake knows: its code, record category, and what a valid value is.
struct FactorDefinition: Sendable {
    enum Value: Sendable {
        /// A number in `range` (inclusive), in `unit`.
        case number(ClosedRange<Double>, unit: String)
        /// One of a fixed set of words.
        case choice([String])
        /// A yes/no answer (stored as `yes` / `no`).
        case flag
        /// A comma-separated list of words from a fixed set.
        case list([String])
        /// Free text up to 200 characters.
        case text
    }

    /// The JSON path in the intake (`diet.sodiumMgPerDay`), also the error's field name.
    var path: String
    /// The code in the record. LOINC where the care brief gives one (risk-and-care.md §2.5, §2.9); otherwise Tailor's
    /// own code under `urn:tailor:factor`, documented here rather than borrowed from a system it does not belong to.
    var system: String
    var code: String
    var category: String
    var display: String
    var value: Value
}

enum PatientFactorCatalogue {
    static let tailor = "urn:tailor:factor"
    static let loinc = "http://loinc.org"

    /// The intervention domains a patient rates and may refuse: the careplan pack's lifestyle intervention IDs
    /// (`knowledge-src/careplan/lifestyle.json`) and its stress pathway.
    static let domains = ["sodium", "weight", "dash", "potassium", "aerobic", "resistance", "isometric", "alcohol", "sleep", "stress"]

    static let definitions: [FactorDefinition] = [
        .init(path: "diet.pattern", system: tailor, code: "diet-pattern", category: "lifestyle", display: "Usual diet pattern",
              value: .choice(["dash-like", "mediterranean", "vegetarian", "typical-western", "other"])),
        .init(path: "diet.sodiumMgPerDay", system: tailor, code: "sodium-mg-per-day", category: "lifestyle", display: "Usual sodium intake",
              value: .number(0...20_000, unit: "mg/d")),
        .init(path: "diet.potassiumMgPerDay", system: tailor, code: "potassium-mg-per-day", category: "lifestyle", display: "Usual potassium intake",
              value: .number(0...20_000, unit: "mg/d")),
        .init(path: "activity.minutesPerWeek", system: tailor, code: "activity-minutes-per-week", category: "lifestyle",
              display: "Moderate-to-vigorous activity", value: .number(0...5_000, unit: "min/wk")),
        .init(path: "activity.stepsPerDay", system: loinc, code: "41950-7", category: "lifestyle", display: "Number of steps in 24 hour Measured",
              value: .number(0...100_000, unit: "/d")),
        .init(path: "alcohol.drinksPerDay", system: tailor, code: "alcohol-drinks-per-day", category: "lifestyle",
              display: "Standard drinks per day (14 g ethanol)", value: .number(0...50, unit: "/d")),
        .init(path: "smoking", system: tailor, code: "smoking", category: "lifestyle", display: "Tobacco use", value: .choice(["never", "former", "current"])),
        .init(path: "sleep.hoursPerNight", system: loinc, code: "93832-4", category: "lifestyle", display: "Sleep duration",
              value: .number(0...24, unit: "h")),
        .init(path: "environment.areaDeprivationDecile", system: tailor, code: "area-deprivation-decile", category: "environment",
              display: "Area deprivation (decile, 10 = most deprived)", value: .number(1...10, unit: "{decile}")),
        .init(path: "environment.safePlaceToExercise", system: tailor, code: "safe-place-to-exercise", category: "environment",
              display: "Has a safe place to exercise", value: .flag),
        .init(path: "environment.foodAccess", system: tailor, code: "food-access", category: "environment", display: "Access to healthy food",
              value: .choice(["good", "limited"])),
        .init(path: "psychosocial.pss10", system: tailor, code: "pss-10", category: "psychosocial", display: "Perceived Stress Scale (PSS-10)",
              value: .number(0...40, unit: "{score}")),
        .init(path: "psychosocial.phq9", system: loinc, code: "44261-6", category: "psychosocial", display: "PHQ-9 total score",
              value: .number(0...27, unit: "{score}")),
        .init(path: "psychosocial.gad7", system: loinc, code: "70274-6", category: "psychosocial", display: "GAD-7 total score",
              value: .number(0...21, unit: "{score}")),
        .init(path: "preferences.unwilling", system: tailor, code: "unwilling-to-change", category: "preference",
              display: "Would not change", value: .list(domains)),
        .init(path: "preferences.costConstraint", system: tailor, code: "cost-constraint", category: "preference",
              display: "Cost constraint", value: .choice(["none", "some", "severe"])),
        .init(path: "preferences.language", system: tailor, code: "language", category: "preference", display: "Preferred language", value: .text),
    ] + domains.flatMap { domain in
        [
            FactorDefinition(
                path: "preferences.importance.\(domain)", system: tailor, code: "importance-\(domain)", category: "preference",
                display: "Importance of changing \(domain) (0–10)", value: .number(0...10, unit: "{score}")),
            FactorDefinition(
                path: "preferences.confidence.\(domain)", system: tailor, code: "confidence-\(domain)", category: "preference",
                display: "Confidence in changing \(domain) (0–10)", value: .number(0...10, unit: "{score}")),
        ]
    }

    static let byPath = Dictionary(uniqueKeysWithValues: definitions.map { ($0.path, $0) })
    static let byCode = Dictionary(uniqueKeysWithValues: definitions.map { ("\($0.system)|\($0.code)", $0) })

    /// Turns an intake document (nested JSON objects) into factor entries, or throws naming the first bad field.
    /// Unknown fields are refused rather than dropped, so a typo never silently loses what the patient said.
    static func entries(from document: [String: JSONDocument], effectiveAt: Int64) throws -> [RecordStore.NewEntry] {
        var leaves: [(String, JSONDocument)] = []
        func walk(_ object: [String: JSONDocument], _ prefix: String) throws {
            for key in object.keys.sorted() {
                let path = prefix.isEmpty ? key : prefix + "." + key
                if case .object(let nested) = object[key]!, byPath[path] == nil {
                    // An empty group says nothing: refused rather than stored as "no answer".
                    guard !nested.isEmpty else {
                        throw APIError.unprocessable("invalid_field", "\(path): an empty object; send its fields or leave it out", field: path)
                    }
                    try walk(nested, path)
                } else {
                    leaves.append((path, object[key]!))
                }
            }
        }
        try walk(document, "")
        guard !leaves.isEmpty else { throw APIError.unprocessable("invalid_field", "the intake is empty: send at least one factor", field: "factors") }
        return try leaves.map { path, raw -> RecordStore.NewEntry in
            guard let definition = byPath[path] else {
                let known = definitions.map(\.path).filter { $0.hasPrefix(path.split(separator: ".").first.map(String.init) ?? "") }
                throw APIError.unprocessable(
                    "invalid_field", "\(path): not a factor Tailor records" + (known.isEmpty ? "" : "; known here: \(known.prefix(12).joined(separator: ", "))"),
                    field: path)
            }
            if case .null = raw {
                throw APIError.unprocessable("invalid_field", "\(path): null is not a value; send the current answer", field: path)
            }
            var entry = RecordStore.NewEntry(
                type: .factor, category: definition.category, system: definition.system, code: definition.code, display: definition.display)
            entry.effectiveAt = effectiveAt
            switch definition.value {
            case .number(let range, let unit):
                guard case .number(let number) = raw, number.isFinite, range.contains(number) else {
                    throw APIError.unprocessable(
                        "invalid_field", "\(path): expected a number from \(range.lowerBound.formatted()) to \(range.upperBound.formatted()) \(unit)",
                        field: path)
                }
                entry.valueNumber = number
                entry.unit = unit
            case .choice(let words):
                guard case .string(let word) = raw, words.contains(word) else {
                    throw APIError.unprocessable("invalid_field", "\(path): expected one of \(words.joined(separator: ", "))", field: path)
                }
                entry.valueText = word
            case .flag:
                guard case .bool(let flag) = raw else { throw APIError.unprocessable("invalid_field", "\(path): expected true or false", field: path) }
                entry.valueText = flag ? "yes" : "no"
            case .list(let words):
                guard case .array(let items) = raw, case let list = items.compactMap({ item -> String? in
                    if case .string(let word) = item { return word } else { return nil }
                }), list.count == items.count, list.allSatisfy(words.contains) else {
                    throw APIError.unprocessable("invalid_field", "\(path): expected a list drawn from \(words.joined(separator: ", "))", field: path)
                }
                entry.valueText = list.joined(separator: ",")
            case .text:
                guard case .string(let text) = raw, (1...200).contains(text.count), !text.contains("\0") else {
                    throw APIError.unprocessable("invalid_field", "\(path): expected text of 1–200 characters", field: path)
                }
                entry.valueText = text
            }
            return entry
        }
    }

    /// The newest value of each factor in a record (entries of type `factor` with a code the catalogue knows).
    static func current(_ entries: [ClinicalEntry]) -> [String: ClinicalEntry] {
        var newest: [String: ClinicalEntry] = [:]
        for entry in entries where entry.type == .factor {
            guard let definition = byCode["\(entry.system)|\(entry.code)"] else { continue }
            let when = entry.effectiveAt ?? entry.recordedAt
            if let seen = newest[definition.path], (seen.effectiveAt ?? seen.recordedAt, seen.recordedAt) >= (when, entry.recordedAt) { continue }
            newest[definition.path] = entry
        }
        return newest
    }
}
