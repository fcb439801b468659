import ArgumentParser
import EarlyBreast
import Foundation

/// `tailor breast …`: early-breast-cancer decision support.
struct BreastCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breast",
        abstract: "Early breast cancer: 21-gene recurrence score with TAILORx/RxPONDER rules; PREDICT survival and treatment benefit.",
        discussion: """
            Inputs come from --input (a JSON object, '-' reads standard input) and/or flags named after the JSON fields \
            (--positive-nodes 2, --endocrine); flags override the file. Impossible values are refused with the accepted \
            range; patients outside a model's population get "not applicable, because …", never an extrapolated number. \
            Every result carries its model version, citation and population; the text output ends with plain-language \
            sentences for the patient. Decision support for qualified clinicians; not a diagnosis.
            """,
        subcommands: [RecurrenceScore.self, Predict.self]
    )

    typealias Field = RiskCommand.Field

    static let status = ["positive", "negative", "unknown"]
    static let menopause = Field(name: "menopause", kind: .text, choices: MenopausalStatus.allCases.map(\.rawValue))

    /// Runs a model call, turning a refused input into "error: …" on standard error and exit code 1.
    static func refusing<T>(_ body: () throws(BreastInputError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Prints a report as pretty JSON (sorted keys) or as text.
    static func emit<T: Encodable>(_ report: T, json: Bool, text: () -> String) throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(text())
        }
    }

    struct RecurrenceScore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "recurrence-score",
            abstract: "21-gene recurrence score (Paik 2004 algorithm, or a laboratory score) and the TAILORx/RxPONDER decision rule.",
            discussion: "Inputs: --expression FILE or --score N, and " + fields.filter { $0.name != "score" }.map(\.flag).joined(separator: ", ")
                + ". FILE is a two-column table (gene, value; tab, comma or space separated; '#' comments; optional header) of "
                + "reference-normalised RT-PCR expression on the 0–15 scale for all 16 cancer genes (assay names or HGNC symbols); "
                + "a table missing genes is refused with their names. A score computed here is a research approximation, not "
                + "the commercial assay. The rules apply to HR+/HER2- early breast cancer.")
        static let fields: [Field] = [
            Field(name: "score", kind: .number), Field(name: "age", kind: .number), BreastCommand.menopause,
            Field(name: "positiveNodes", kind: .integer), Field(name: "hormoneReceptor", kind: .text, choices: BreastCommand.status),
            Field(name: "her2", kind: .text, choices: BreastCommand.status),
        ]

        @Option(help: "Expression table file ('-' reads standard input).")
        var expression: String?

        @OptionGroup var inputs: RiskCommand.Inputs

        func run() async throws {
            // `expression` may also come inside --input JSON as {"expression": {"GRB7": 9.1, …}}.
            let request = try inputs.decode(RecurrenceScoreRequest.self, accepted: Self.fields + [Field(name: "expression", kind: .text)])
            var table: RecurrenceScoreExpression? = nil
            if let path = expression {
                let data: Data
                if path == "-" {
                    data = FileHandle.standardInput.readDataToEndOfFile()
                } else {
                    guard let read = FileManager.default.contents(atPath: path) else { throw ValidationError("\(path): cannot be read") }
                    data = read
                }
                let text = String(decoding: data, as: UTF8.self)
                table = try BreastCommand.refusing { () throws(BreastInputError) in try RecurrenceScoreExpression.parse(text, source: path) }
                guard request.expression == nil else { throw ValidationError("give --expression or an expression object in --input, not both") }
            } else if let named = request.expression {
                table = try BreastCommand.refusing { () throws(BreastInputError) in try RecurrenceScoreExpression(named: named) }
            }
            let context = request.context
            let score = request.score
            let report = try BreastCommand.refusing { () throws(BreastInputError) in
                try EarlyBreast.recurrenceScore(score: score, expression: table, context: context)
            }
            try BreastCommand.emit(report, json: inputs.json) {
                BreastText.clinician(report.recurrenceScore, decision: report.decision) + "\n\nFor the patient:\n"
                    + report.patientSummary.joined(separator: "\n")
            }
        }
    }

    struct Predict: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "predict",
            abstract: "PREDICT Breast v2.1: survival at 5, 10 and 15 years and the benefit of each adjuvant treatment (v3.2 behind --version 3.2, provisional).",
            discussion: "Inputs: " + fields.map(\.flag).joined(separator: ", ")
                + ". Required: --age (PREDICT applies at 25–85), --tumour-size-mm, --positive-nodes, --er positive|negative. "
                + "--grade 1|2|3|unknown; --detection screening|symptomatic|unknown; --chemotherapy none|second|third (or 0/2/3). "
                + "Treatments are added in the PREDICT tool's order (v3.2: radiotherapy first): hormone therapy (ER+ only), "
                + "chemotherapy, trastuzumab (HER2+ only), bisphosphonates (postmenopausal only). v3.2 only: --pr, --radiotherapy "
                + "with --heart-dose-gy, --extended-endocrine (10 years), --current-smoker. --summary-years 5|10|15 chooses the "
                + "horizon of the patient's sentences (default 10).")
        static let fields: [Field] = [
            Field(name: "age", kind: .number), Field(name: "tumourSizeMM", kind: .number),
            Field(name: "grade", kind: .text, choices: ["1", "2", "3", "unknown"]), Field(name: "positiveNodes", kind: .integer),
            Field(name: "er", kind: .text, choices: ["positive", "negative"]), Field(name: "her2", kind: .text, choices: BreastCommand.status),
            Field(name: "ki67", kind: .text, choices: BreastCommand.status), Field(name: "pr", kind: .text, choices: BreastCommand.status),
            Field(name: "detection", kind: .text, choices: Detection.allCases.map(\.rawValue)), BreastCommand.menopause,
            Field(name: "endocrine", kind: .flag), Field(name: "extendedEndocrine", kind: .flag),
            Field(name: "chemotherapy", kind: .text, choices: ChemotherapyGeneration.allCases.map(\.rawValue) + ["0", "2", "3"]),
            Field(name: "trastuzumab", kind: .flag), Field(name: "bisphosphonates", kind: .flag), Field(name: "radiotherapy", kind: .flag),
            Field(name: "heartDoseGy", kind: .number), Field(name: "currentSmoker", kind: .flag),
            Field(name: "version", kind: .text, choices: PredictVersion.allCases.map(\.rawValue)),
        ]

        @Option(help: "Horizon of the patient's plain-language sentences: 5, 10 or 15 years.")
        var summaryYears = 10

        @OptionGroup var inputs: RiskCommand.Inputs

        func validate() throws {
            guard [5, 10, 15].contains(summaryYears) else { throw ValidationError("--summary-years must be 5, 10 or 15") }
        }

        func run() async throws {
            let input = try inputs.decode(PredictInput.self, accepted: Self.fields)
            let years = summaryYears
            let report = try BreastCommand.refusing { () throws(BreastInputError) in try EarlyBreast.predict(input, summaryYears: years) }
            try BreastCommand.emit(report, json: inputs.json) {
                BreastText.clinician(report.result) + "\n\nFor the patient (\(years) years):\n" + report.patientSummary.sentences.joined(separator: "\n")
            }
        }
    }
}
