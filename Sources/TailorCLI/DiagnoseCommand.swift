import ArgumentParser
import Foundation
import Phenotype

/// `tailor diagnose --hpo HP:…`: rank the rare diseases and genes that best explain a patient's phenotype.
struct DiagnoseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Rank rare diseases and genes that explain a patient's HPO phenotype (phenotype only for now).",
        discussion: """
            Observed features (--hpo) and features looked for and found absent (--exclude) are matched against the \
            HPO disease annotations bundled with Tailor (HPO release shown in every report). Obsolete and alternative \
            HPO IDs are mapped to the current term with a note; IDs this release does not know are skipped with a \
            warning naming them; text that is not an HPO ID is an error. Each candidate comes with the matched terms \
            that support it and the features that count against it. Decision support for qualified clinicians; not a \
            diagnosis.
            """
    )

    @Option(
        name: .customLong("hpo"),
        help: "Observed HPO terms, comma-separated and/or repeated (e.g. --hpo HP:0001250,HP:0001263).")
    var observed: [String] = []

    @Option(
        name: .customLong("exclude"),
        help: "HPO terms looked for and found absent, comma-separated and/or repeated; they count against diseases that usually show them.")
    var excluded: [String] = []

    @Option(help: "A GA4GH Phenopacket (v2 JSON): its phenotypicFeatures are used (excluded: true → --exclude), with any --hpo/--exclude added.")
    var phenopacket: String?

    @Option(help: "How many genes and diseases to show (default 10).")
    var top: Int = 10

    @Flag(help: "Print one JSON document (candidates with scores, matched term pairs, contradictions, HPO version and attribution).")
    var json = false

    func validate() throws {
        if observed.isEmpty, phenopacket == nil { throw ValidationError("give observed HPO terms with --hpo, or a --phenopacket file") }
        guard (1...1000).contains(top) else { throw ValidationError("--top must be between 1 and 1000") }
        // Bad IDs are a usage error, named, before the knowledge pack is loaded.
        do {
            _ = try PhenotypeQuery(parsing: observed, excluded: excluded)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        do throws(any Error) {
            var query = try PhenotypeQuery(parsing: observed, excluded: excluded)
            if let phenopacket {
                let packet = try Phenopacket(contentsOf: phenopacket)
                let fromFile = try packet.phenotypeQuery()
                query = PhenotypeQuery(observed: fromFile.observed + query.observed, excluded: fromFile.excluded + query.excluded)
            }
            let knowledge = try PhenotypeKnowledge.bundled()
            let ranking = try knowledge.rank(query, limit: top)
            // Skipped terms must never pass silently: standard error as well as the report.
            for warning in ranking.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes, .sortedKeys]
                print(String(decoding: try encoder.encode(ranking), as: UTF8.self))
            } else {
                print(PhenotypeText.render(ranking, genes: top, diseases: top))
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
