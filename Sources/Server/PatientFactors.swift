import Foundation
import Monitoring
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
        return try entries(fromLeaves: leaves, effectiveAt: effectiveAt)
    }

    /// Entries from `(path, value)` pairs, each checked against its definition.
    static func entries(fromLeaves leaves: [(String, JSONDocument)], effectiveAt: Int64) throws -> [RecordStore.NewEntry] {
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
                // Every item a word from the list, or the whole answer is refused.
                var list: [String]?
                if case .array(let items) = raw {
                    let chosen = items.compactMap { item -> String? in
                        guard case .string(let word) = item, words.contains(word) else { return nil }
                        return word
                    }
                    list = chosen.count == items.count ? chosen : nil
                }
                guard let list else {
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

// MARK: FHIR

/// Factors as FHIR: Tailor publishes the intake as a FHIR `Questionnaire` whose item `linkId`s are the intake paths
/// (`diet.sodiumMgPerDay`), so a patient app or EHR answers with a `QuestionnaireResponse`; single factors may also
/// come as `Observation`s coded with the catalogue's codes (LOINC where one exists). Either may arrive in a Bundle.
extension PatientFactorCatalogue {
    static let questionnaireURL = "urn:tailor:questionnaire:patient-factors"

    /// The intake as a FHIR R4 Questionnaire.
    static func questionnaire() -> JSONDocument {
        func item(_ d: FactorDefinition) -> JSONDocument {
            var fields: [String: JSONDocument] = [
                "linkId": .string(d.path), "text": .string(d.display),
                "code": .array([.object(["system": .string(d.system), "code": .string(d.code)])]),
            ]
            switch d.value {
            case .number(let range, let unit):
                fields["type"] = .string("decimal")
                fields["extension"] = .array([
                    .object(["url": .string("http://hl7.org/fhir/StructureDefinition/minValue"), "valueDecimal": .number(range.lowerBound)]),
                    .object(["url": .string("http://hl7.org/fhir/StructureDefinition/maxValue"), "valueDecimal": .number(range.upperBound)]),
                    .object(["url": .string("http://hl7.org/fhir/StructureDefinition/questionnaire-unit"), "valueCoding": .object(["code": .string(unit)])]),
                ])
            case .choice(let words), .list(let words):
                fields["type"] = .string("choice")
                if case .list = d.value { fields["repeats"] = .bool(true) }
                fields["answerOption"] = .array(words.map { .object(["valueCoding": .object(["code": .string($0)])]) })
            case .flag: fields["type"] = .string("boolean")
            case .text: fields["type"] = .string("string")
            }
            return .object(fields)
        }
        return .object([
            "resourceType": .string("Questionnaire"), "url": .string(questionnaireURL), "status": .string("active"),
            "title": .string("Tailor patient factors: lifestyle, environment, psychosocial state and preferences"),
            "item": .array(definitions.map(item)),
        ])
    }

    /// Factor entries from a FHIR `QuestionnaireResponse`, `Observation` or `Bundle` of them. Every answer is checked
    /// exactly as the JSON intake checks it; an unknown linkId or code is refused naming its FHIR path.
    static func entries(fromFHIR document: JSONDocument, now: Int64) throws -> [RecordStore.NewEntry] {
        guard case .object(let resource) = document, case .string(let type)? = resource["resourceType"] else {
            throw APIError.unprocessable("invalid_body", "expected a FHIR resource with a resourceType", field: "resourceType")
        }
        switch type {
        case "Bundle":
            guard case .array(let entries)? = resource["entry"], !entries.isEmpty else {
                throw APIError.unprocessable("invalid_body", "Bundle.entry: no entries", field: "Bundle.entry")
            }
            return try entries.enumerated().flatMap { index, entry -> [RecordStore.NewEntry] in
                guard case .object(let fields) = entry, let inner = fields["resource"] else {
                    throw APIError.unprocessable("invalid_body", "Bundle.entry[\(index)].resource: missing", field: "Bundle.entry[\(index)].resource")
                }
                do { return try Self.entries(fromFHIR: inner, now: now) } catch let error as APIError {
                    throw APIError(error.status, error.code, "Bundle.entry[\(index)]: \(error.message)", field: "Bundle.entry[\(index)]." + (error.field ?? ""))
                }
            }
        case "QuestionnaireResponse":
            let at = try fhirTime(resource["authored"], path: "QuestionnaireResponse.authored") ?? now
            var answers: [String: JSONDocument] = [:]
            func collect(_ items: JSONDocument?, _ path: String) throws {
                guard case .array(let list)? = items else { return }
                for (index, item) in list.enumerated() {
                    let here = "\(path)[\(index)]"
                    guard case .object(let fields) = item, case .string(let linkId)? = fields["linkId"] else {
                        throw APIError.unprocessable("invalid_body", "\(here).linkId: missing", field: here + ".linkId")
                    }
                    try collect(fields["item"], here + ".item")
                    guard case .array(let values)? = fields["answer"], !values.isEmpty else { continue }
                    guard let definition = byPath[linkId] else {
                        throw APIError.unprocessable("invalid_field", "\(here).linkId: '\(linkId)' is not an item of \(questionnaireURL)", field: here + ".linkId")
                    }
                    let parsed = try values.enumerated().map { try answerValue($1, path: "\(here).answer[\($0)]") }
                    if case .list = definition.value {
                        answers[linkId] = .array(parsed)
                    } else {
                        guard parsed.count == 1 else {
                            throw APIError.unprocessable("invalid_field", "\(here).answer: one answer expected for \(linkId)", field: here + ".answer")
                        }
                        answers[linkId] = parsed[0]
                    }
                }
            }
            try collect(resource["item"], "QuestionnaireResponse.item")
            return try entries(fromLeaves: answers.sorted { $0.key < $1.key }, effectiveAt: at)
        case "Observation":
            let codings: [JSONDocument]
            if case .object(let code)? = resource["code"], case .array(let list)? = code["coding"] { codings = list } else { codings = [] }
            let definition = codings.lazy.compactMap { coding -> FactorDefinition? in
                guard case .object(let c) = coding, case .string(let system)? = c["system"], case .string(let code)? = c["code"] else { return nil }
                return byCode["\(system)|\(code)"]
            }.first
            guard let definition else {
                throw APIError.unprocessable(
                    "invalid_field", "Observation.code: not a patient factor Tailor records (see GET /api/v1/factors/questionnaire for the codes)",
                    field: "Observation.code")
            }
            let at = try fhirTime(resource["effectiveDateTime"], path: "Observation.effectiveDateTime") ?? now
            let value: JSONDocument
            if case .object(let quantity)? = resource["valueQuantity"], let number = quantity["value"] {
                value = number
            } else if let text = resource["valueString"] {
                value = text
            } else if let flag = resource["valueBoolean"] {
                value = flag
            } else if case .object(let concept)? = resource["valueCodeableConcept"], case .array(let list)? = concept["coding"],
                case .object(let coding)? = list.first, let code = coding["code"]
            {
                value = code
            } else {
                throw APIError.unprocessable("invalid_field", "Observation.value[x]: missing", field: "Observation.value")
            }
            return try entries(fromLeaves: [(definition.path, value)], effectiveAt: at)
        default:
            throw APIError.unprocessable(
                "invalid_body", "resourceType \(type): send a QuestionnaireResponse, Observation or Bundle of them", field: "resourceType")
        }
    }

    static func answerValue(_ answer: JSONDocument, path: String) throws -> JSONDocument {
        guard case .object(let fields) = answer else { throw APIError.unprocessable("invalid_field", "\(path): not an object", field: path) }
        for key in ["valueDecimal", "valueInteger", "valueString", "valueBoolean"] {
            if let value = fields[key] { return value }
        }
        if case .object(let coding)? = fields["valueCoding"], let code = coding["code"] { return code }
        throw APIError.unprocessable("invalid_field", "\(path): expected valueDecimal, valueInteger, valueString, valueBoolean or valueCoding", field: path)
    }

    static func fhirTime(_ value: JSONDocument?, path: String) throws -> Int64? {
        guard let value else { return nil }
        guard case .string(let text) = value, let parsed = try? parseTimestamp(text) else {
            throw APIError.unprocessable("invalid_field", "\(path): expected a FHIR dateTime with a time zone", field: path)
        }
        return parsed.millis
    }
}
