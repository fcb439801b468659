import ArgumentParser
import Foundation
import Risk

/// `tailor risk <equation> …`: one clinical risk equation for one patient, from flags or a JSON file of inputs.
struct RiskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk",
        abstract: "Clinical risk equations: AHA PREVENT, 2013 Pooled Cohort Equations, NCI BCRAT (Gail), QRISK3-2017, CKD-EPI eGFR.",
        discussion: """
            Inputs come from --input (a JSON object, '-' for standard input) and/or flags named after the JSON fields \
            (--systolic-bp 142, --smoker, --sex female); flags override the file. Impossible values are refused with the \
            accepted range; values outside the population an equation was derived in give "not applicable, because …", \
            never an extrapolated number. Every result carries its equation version, citation, the population it was \
            validated in and the knowledge-pack version. Decision support for qualified clinicians; not a diagnosis.
            """,
        subcommands: [Prevent.self, PCE.self, Gail.self, QRISK3.self, EGFR.self]
    )

    /// What every equation subcommand shares: the input file, the field flags and the output format.
    struct Inputs: ParsableArguments {
        @Option(help: "A JSON object of inputs ('-' reads standard input).")
        var input: String?

        @Flag(help: "Print the results as JSON.")
        var json = false

        @Argument(parsing: .allUnrecognized, help: "Inputs as flags named after the JSON fields, e.g. --total-cholesterol 200 --smoker.")
        var fields: [String] = []

        /// The JSON object the flags and the file describe, with field names resolved against `accepted`.
        func object(accepted: [Field]) throws -> [String: Any] {
            // A yes/no input not given is "no", as on a clinical form.
            var object: [String: Any] = [:]
            for field in accepted where field.kind == .flag { object[field.name] = false }
            if let input {
                let data: Data
                if input == "-" {
                    data = FileHandle.standardInput.readDataToEndOfFile()
                } else {
                    guard let read = FileManager.default.contents(atPath: input) else { throw ValidationError("\(input): cannot be read") }
                    data = read
                }
                guard let parsed = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
                    throw ValidationError("\(input): not a JSON object of inputs")
                }
                for (key, value) in parsed {
                    guard let field = Field.find(key, in: accepted) else {
                        throw ValidationError("\(input): unknown input '\(key)'; accepted: \(accepted.map(\.name).joined(separator: ", "))")
                    }
                    object[field.name] = value
                }
            }
            var i = 0
            while i < fields.count {
                let flag = fields[i]
                guard flag.hasPrefix("--") else { throw ValidationError("unexpected argument '\(flag)'") }
                var name = String(flag.dropFirst(2))
                var value: String? = nil
                if let eq = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                guard let field = Field.find(name, in: accepted) else {
                    throw ValidationError("unknown option '\(flag)'; accepted: \(accepted.map(\.flag).joined(separator: ", "))")
                }
                if value == nil, field.kind != .flag {
                    guard i + 1 < fields.count else { throw ValidationError("\(field.flag) needs a value") }
                    i += 1
                    value = fields[i]
                }
                object[field.name] = try field.value(value)
                i += 1
            }
            return object
        }

        /// Decodes `T` from the inputs, turning decoding failures into messages that name the field.
        func decode<T: Decodable>(_ type: T.Type, accepted: [Field]) throws -> T {
            let object = try object(accepted: accepted)
            let data = try JSONSerialization.data(withJSONObject: object)
            do {
                return try JSONDecoder().decode(T.self, from: data)
            } catch let DecodingError.keyNotFound(key, _) {
                let flag = Field.find(key.stringValue, in: accepted)?.flag ?? key.stringValue
                throw ValidationError("missing required input \(key.stringValue) (\(flag))")
            } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
                throw ValidationError("input \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)")
            } catch let DecodingError.dataCorrupted(context) {
                let path = context.codingPath.map(\.stringValue).joined(separator: ".")
                let field = Field.find(path, in: accepted)
                let choices = field?.choices.map { "; one of \($0.joined(separator: ", "))" } ?? ""
                throw ValidationError("input \(path): not an accepted value\(choices)")
            }
        }

        /// Prints results as text or JSON, and fails (exit 1) on a refused input.
        func report(_ compute: () throws -> [RiskResult]) throws {
            let results: [RiskResult]
            do {
                results = try compute()
            } catch let error as RiskInputError {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(results), as: UTF8.self))
                return
            }
            print(RiskText.render(results))
        }
    }

    /// One input field: its JSON name, its kind, and the values it accepts.
    struct Field {
        enum Kind { case number, integer, text, flag }
        var name: String
        var kind: Kind
        var choices: [String]? = nil

        /// The field's name in kebab case, acronyms kept whole: `onBPTreatment` → `--on-bp-treatment`.
        var flag: String {
            let chars = Array(name)
            var out = "--"
            for (i, c) in chars.enumerated() {
                if c.isUppercase, i > 0 {
                    let previous = chars[i - 1]
                    let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                    if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { out.append("-") }
                }
                out.append(Character(c.lowercased()))
            }
            return out
        }

        /// Matches a flag or JSON key loosely: case and dashes do not matter (`--systolic-bp` is `systolicBP`).
        static func find(_ key: String, in fields: [Field]) -> Field? {
            let wanted = key.lowercased().replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "")
            return fields.first { $0.name.lowercased() == wanted }
        }

        func value(_ text: String?) throws -> Any {
            switch kind {
            case .flag:
                guard let text else { return true }
                switch text.lowercased() {
                case "true", "yes", "1": return true
                case "false", "no", "0": return false
                default: throw ValidationError("\(flag) takes true or false, not '\(text)'")
                }
            case .number:
                guard let text, let v = Double(text) else { throw ValidationError("\(flag) needs a number, not '\(text ?? "")'") }
                return v
            case .integer:
                guard let text, let v = Int(text) else { throw ValidationError("\(flag) needs a whole number, not '\(text ?? "")'") }
                return v
            case .text:
                return text ?? ""
            }
        }
    }

    static let sex = Field(name: "sex", kind: .text, choices: ["female", "male"])

    struct Prevent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prevent",
            abstract: "AHA PREVENT 10- and 30-year total CVD, ASCVD, heart failure, CHD and stroke risk (race-free; ages 30–79).",
            discussion: "Inputs: " + fields.map(\.flag).joined(separator: ", ")
                + ". Lipids in mg/dL unless --cholesterol-unit mmol/L. UACR (mg/g), HbA1c (%) and ZIP (for the Social Deprivation Index) choose the model unless --model is given.")
        static let fields: [Field] = [
            sex, Field(name: "age", kind: .number), Field(name: "totalCholesterol", kind: .number), Field(name: "hdl", kind: .number),
            Field(name: "cholesterolUnit", kind: .text, choices: ["mg/dL", "mmol/L"]), Field(name: "systolicBP", kind: .number),
            Field(name: "onBPTreatment", kind: .flag), Field(name: "onStatin", kind: .flag), Field(name: "smoker", kind: .flag),
            Field(name: "diabetes", kind: .flag), Field(name: "egfr", kind: .number), Field(name: "bmi", kind: .number),
            Field(name: "uacr", kind: .number), Field(name: "hba1c", kind: .number), Field(name: "zip", kind: .text),
            Field(name: "model", kind: .text, choices: PreventModel.allCases.map(\.rawValue)),
        ]
        @OptionGroup var inputs: Inputs

        func run() async throws {
            let input = try inputs.decode(PreventInput.self, accepted: Self.fields)
            let equations = try PreventEquations.bundled()
            try inputs.report { try equations.estimate(input) }
        }
    }

    struct PCE: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pce",
            abstract: "2013 ACC/AHA Pooled Cohort Equations: 10-year hard ASCVD risk (ages 40–79).",
            discussion: "Inputs: " + fields.map(\.flag).joined(separator: ", ")
                + ". --race white, africanAmerican or other (other uses the White equations, as the guideline advises; PREVENT is race-free).")
        static let fields: [Field] = [
            sex, Field(name: "race", kind: .text, choices: PooledCohortRace.allCases.map(\.rawValue)), Field(name: "age", kind: .number),
            Field(name: "totalCholesterol", kind: .number), Field(name: "hdl", kind: .number),
            Field(name: "cholesterolUnit", kind: .text, choices: ["mg/dL", "mmol/L"]), Field(name: "systolicBP", kind: .number),
            Field(name: "onBPTreatment", kind: .flag), Field(name: "smoker", kind: .flag), Field(name: "diabetes", kind: .flag),
        ]
        @OptionGroup var inputs: Inputs

        func run() async throws {
            let input = try inputs.decode(PooledCohortInput.self, accepted: Self.fields)
            let equations = try PooledCohortEquations.bundled()
            try inputs.report { [try equations.estimate(input)] }
        }
    }

    struct Gail: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gail",
            abstract: "NCI Breast Cancer Risk Assessment Tool (Gail model): 5-year and lifetime invasive breast cancer risk.",
            discussion: "Inputs: " + fields.map(\.flag).joined(separator: ", ")
                + ". --race is BCRAT's code 1–11 (1 White, 2 Black, 3 Hispanic US-born, 4 Other, 5 Hispanic foreign-born, 6 Chinese, 7 Japanese, 8 Filipino, 9 Hawaiian, 10 Other Pacific Islander, 11 Other Asian). Leave a history item out when it is unknown.")
        static let fields: [Field] = [
            Field(name: "age", kind: .number), Field(name: "projectionAge", kind: .number), Field(name: "race", kind: .integer),
            Field(name: "biopsies", kind: .integer), Field(name: "atypicalHyperplasia", kind: .flag), Field(name: "ageAtMenarche", kind: .number),
            Field(name: "ageAtFirstLiveBirth", kind: .number), Field(name: "nulliparous", kind: .flag),
            Field(name: "firstDegreeRelatives", kind: .integer), Field(name: "priorBreastCancer", kind: .flag),
            Field(name: "priorDCISOrLCIS", kind: .flag), Field(name: "chestRadiation", kind: .flag), Field(name: "brcaMutation", kind: .flag),
        ]
        @OptionGroup var inputs: Inputs

        func run() async throws {
            let input = try inputs.decode(BreastCancerRiskInput.self, accepted: Self.fields)
            let model = try BreastCancerRisk.bundled()
            try inputs.report { try model.assess(input).results }
        }
    }

    struct QRISK3: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "qrisk3",
            abstract: "QRISK3-2017 10-year cardiovascular risk (UK; ages 25–84), shown with ClinRisk's disclaimer.",
            discussion: "Inputs: " + fields.map(\.flag).joined(separator: ", ")
                + ". --ethnicity is QRISK3's code 1–9 (1 White or not stated, 2 Indian, 3 Pakistani, 4 Bangladeshi, 5 Other Asian, 6 Black Caribbean, 7 Black African, 8 Chinese, 9 Other); --smoking 0–4 (non, ex, light <10/day, moderate 10–19, heavy ≥20).")
        static let fields: [Field] = [
            sex, Field(name: "age", kind: .number), Field(name: "ethnicity", kind: .integer), Field(name: "smoking", kind: .integer),
            Field(name: "heightCm", kind: .number), Field(name: "weightKg", kind: .number), Field(name: "cholesterolHDLRatio", kind: .number),
            Field(name: "systolicBP", kind: .number), Field(name: "systolicBPSD", kind: .number), Field(name: "townsend", kind: .number),
            Field(name: "atrialFibrillation", kind: .flag), Field(name: "atypicalAntipsychotic", kind: .flag),
            Field(name: "corticosteroids", kind: .flag), Field(name: "erectileDysfunction", kind: .flag), Field(name: "migraine", kind: .flag),
            Field(name: "rheumatoidArthritis", kind: .flag), Field(name: "chronicKidneyDisease", kind: .flag),
            Field(name: "severeMentalIllness", kind: .flag), Field(name: "systemicLupusErythematosus", kind: .flag),
            Field(name: "treatedHypertension", kind: .flag), Field(name: "type1Diabetes", kind: .flag), Field(name: "type2Diabetes", kind: .flag),
            Field(name: "familyHistoryCHD", kind: .flag),
        ]
        @OptionGroup var inputs: Inputs

        func run() async throws {
            let input = try inputs.decode(QRisk3Input.self, accepted: Self.fields)
            let model = try Risk.QRisk3.bundled()
            try inputs.report { [try model.evaluate(input)] }
        }
    }

    struct EGFR: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "egfr",
            abstract: "eGFR by the race-free CKD-EPI 2021 equation (creatinine, or creatinine with cystatin C).",
            discussion: "Inputs: " + fields.map(\.flag).joined(separator: ", ") + ". Creatinine in mg/dL unless --creatinine-unit µmol/L (or umol/L); cystatin C in mg/L.")
        static let fields: [Field] = [
            sex, Field(name: "age", kind: .number), Field(name: "creatinine", kind: .number),
            Field(name: "creatinineUnit", kind: .text, choices: ["mg/dL", "µmol/L", "umol/L"]), Field(name: "cystatinC", kind: .number),
        ]
        @OptionGroup var inputs: Inputs

        func run() async throws {
            let input = try inputs.decode(KidneyFunctionInput.self, accepted: Self.fields)
            try inputs.report {
                var results = [try KidneyFunction.ckdEpi2021(input)]
                if input.cystatinC != nil { results.append(try KidneyFunction.ckdEpi2021CystatinC(input)) }
                return results
            }
        }
    }
}

/// Plain-text rendering of risk results for the terminal.
enum RiskText {
    static func render(_ results: [RiskResult]) -> String {
        var lines: [String] = []
        var shown = Set<String>()
        for r in results {
            let horizon = r.horizonYears.map { _ in "" } ?? ""
            if let value = r.value {
                let digits = r.unit == "%" ? 1 : 0
                lines.append("\(r.equation.name) — \(r.outcome)\(horizon): \(String(format: "%.\(digits)f", value)) \(r.unit == "%" ? "%" : r.unit)")
            } else {
                lines.append("\(r.equation.name) — \(r.outcome): not applicable, because " + r.notApplicable.joined(separator: "; "))
            }
            for w in r.warnings { lines.append("  note: \(w)") }
            if shown.insert(r.equation.id).inserted {
                lines.append("  source: \(r.equation.citation)")
                lines.append("  validated in: \(r.equation.population)")
                lines.append("  knowledge: \(r.equation.knowledge)")
            }
        }
        if let disclaimer = results.compactMap(\.disclaimer).first {
            lines.append("")
            lines.append(disclaimer)
        }
        return lines.joined(separator: "\n")
    }
}
