import ArgumentParser
import Foundation
import GenomicFiles
import Polygenic
import VCF

/// `tailor prs …`: polygenic scores from PGS Catalog scoring files.
struct PRSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prs",
        abstract: "Polygenic scores from PGS Catalog scoring files, matched and summed as pgsc_calc does.",
        subcommands: [Score.self]
    )

    struct Score: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score every sample of a VCF against one or more scoring files in one pass.",
            discussion: """
                Variants are matched by position and alleles with pgsc_calc's strategies (same strand, then strand flips, then \
                rows without an other allele); A/T and C/G variants and multi-allelic sites are left out by default, as are rows \
                that meet several records equally well. A score with fewer than --min-overlap of its rows matched is flagged. \
                Missing genotypes are mean-imputed from the cohort's allele frequency when there are 50 or more samples, else \
                skipped (pgsc_calc's rule), unless --missing says otherwise. Every score is reported with its match rate and \
                the ancestry caveat: raw sums are not comparable across genetic ancestries. A scoring file whose genome build \
                differs from the VCF's is refused. Decision support for qualified clinicians; not a diagnosis.
                """)

        @Option(help: "The VCF to score (plain, gzip or BGZF), sorted by position.")
        var vcf: String

        @Option(name: .customLong("score"), parsing: .upToNextOption, help: "PGS Catalog scoring files (format 2.0; .txt or .txt.gz).")
        var scores: [String] = []

        @Flag(help: "Print one JSON line per score summary, then one per sample (streams for large cohorts).")
        var ndjson = false

        @Flag(help: "Print pgsc_calc's aggregated table: sampleset, FID, IID, PGS, SUM, DENOM, AVG (tab-separated).")
        var tsv = false

        @Option(name: .customLong("match-log"), help: "Write the per-row match log (matched / excluded with the reason / unmatched) here.")
        var matchLog: String?

        @Option(help: "Missing genotypes: mean-imputation or no-mean-imputation (default: by cohort size, as pgsc_calc).")
        var missing: String?

        @Option(name: .customLong("min-overlap"), help: "Flag a score with a smaller matched fraction (0–1).")
        var minOverlap: Double = 0.75

        @Flag(name: .customLong("keep-ambiguous"), help: "Keep A/T and C/G variants (assumes score and VCF are on the same strand).")
        var keepAmbiguous = false

        @Flag(name: .customLong("keep-multiallelic"), help: "Keep matches at multi-allelic VCF records.")
        var keepMultiallelic = false

        @Flag(name: .customLong("ignore-strand-flips"), help: "Refuse matches that need the complementary strand.")
        var ignoreStrandFlips = false

        @Option(
            name: .customLong("reference"),
            help: "Reference sums to normalise against: pgsc_calc's aggregated scores (or this command's --tsv output) for a reference panel.")
        var reference: String?

        @Option(name: .customLong("reference-populations"), help: "IID → population table for the reference (e.g. a .psam with SuperPop).")
        var referencePopulations: String?

        @Option(help: "The reference population to normalise every sample against (e.g. EUR); see the ancestry caveat.")
        var population: String?

        @Option(help: "Worker threads (default: all cores).")
        var threads: Int?

        func validate() throws {
            if scores.isEmpty { throw ValidationError("give at least one --score file") }
            if ndjson && tsv { throw ValidationError("choose one of --ndjson and --tsv") }
            if !(0...1).contains(minOverlap) { throw ValidationError("--min-overlap must be between 0 and 1, not \(minOverlap)") }
            if let missing, MissingGenotypes(rawValue: missing) == nil {
                throw ValidationError("--missing must be mean-imputation or no-mean-imputation, not '\(missing)'")
            }
            if (reference != nil) != (referencePopulations != nil) || (reference != nil) != (population != nil) {
                throw ValidationError("--reference, --reference-populations and --population go together")
            }
        }

        func run() async throws {
            do throws(any Error) {
                let files = try scores.map { path throws(ScoringFileError) in try ScoringFile(path: path) }
                let options = MatchOptions(
                    keepAmbiguous: keepAmbiguous, keepMultiallelic: keepMultiallelic, ignoreStrandFlips: ignoreStrandFlips,
                    minimumOverlap: minOverlap)
                let referenceSums = try reference.map { path throws(ScoringFileError) in
                    try ReferenceDistribution.read(scoresPath: path, populationsPath: referencePopulations!)
                }
                // Checked before the VCF is read, so a wrong population costs nothing.
                if let population, let referenceSums {
                    for f in files where referenceSums.sums[ReferenceDistribution.key(f.id)]?[population] == nil {
                        let known = (referenceSums.sums[ReferenceDistribution.key(f.id)] ?? [:]).keys.sorted().joined(separator: ", ")
                        throw ValidationError("the reference has no \(population) sums for \(f.id) (it has: \(known.isEmpty ? "none for this score" : known))")
                    }
                }
                let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
                let file = try VCFFile(path: vcf, options: VCFReadOptions(threads: workers))
                let result = try await PolygenicScorer(scores: files, options: options).score(
                    file, missing: missing.flatMap(MissingGenotypes.init(rawValue:)))
                let referenceLabel = population.map { "\($0) (\(reference!))" }
                let summaries = files.indices.map { ScoreSummary(scores: result, index: $0, reference: referenceLabel) }
                if let matchLog { try Data(result.matchLog().utf8).write(to: URL(fileURLWithPath: matchLog)) }
                for summary in summaries {
                    var line = "\(summary.id): \(summary.matched) of \(summary.rows) variants matched"
                    if !summary.excluded.isEmpty {
                        line += "; excluded " + summary.excluded.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                    }
                    if summary.unmatched > 0 { line += "; \(summary.unmatched) not found" }
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                    for warning in summary.warnings { FileHandle.standardError.write(Data("warning: \(summary.id): \(warning)\n".utf8)) }
                }
                try write(result, summaries: summaries, reference: referenceSums)
            } catch let error as ValidationError {
                throw error
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }

        func write(_ result: CohortScores, summaries: [ScoreSummary], reference: ReferenceDistribution?) throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
            var out: [UInt8] = []
            out.reserveCapacity(1 << 20)
            func flush(force: Bool = false) throws {
                if force || out.count > 1 << 20 {
                    try PGxCommand.writeToStandardOutput(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
            if tsv {
                out += Array("sampleset\tFID\tIID\tPGS\tSUM\tDENOM\tAVG".utf8)
                if population != nil { out += Array("\tZ\tPERCENTILE\tREFERENCE".utf8) }
                out.append(10)
                for (i, sample) in result.samples.enumerated() {
                    for v in result.values(sample: i, reference: reference, population: population) {
                        var row = ["tailor", sample, sample, v.score, String(v.sum), String(v.denominator), v.average.map { String($0) } ?? "NA"]
                        if let n = v.normalised { row += [String(n.z), String(n.percentile), n.population] }
                        out += Array((row.joined(separator: "\t") + "\n").utf8)
                    }
                    try flush()
                }
            } else if ndjson {
                struct Line<T: Encodable>: Encodable {
                    var type: String
                    var value: T
                    func encode(to encoder: any Encoder) throws {
                        var c = encoder.container(keyedBy: Key.self)
                        try c.encode(type, forKey: .type)
                        try value.encode(to: encoder)
                    }
                    enum Key: String, CodingKey { case type }
                }
                struct Sample: Encodable {
                    var sample: String
                    var scores: [SampleScore]
                }
                for summary in summaries { out += try encoder.encode(Line(type: "score", value: summary)) + [10] }
                for (i, sample) in result.samples.enumerated() {
                    out += try encoder.encode(Line(type: "sample", value: Sample(sample: sample, scores: result.values(sample: i, reference: reference, population: population)))) + [10]
                    try flush()
                }
            } else {
                struct Document: Encodable {
                    var scores: [ScoreSummary]
                    var samples: [Sample]
                    struct Sample: Encodable {
                        var sample: String
                        var scores: [SampleScore]
                    }
                }
                let document = Document(
                    scores: summaries,
                    samples: result.samples.enumerated().map { i, s in
                        Document.Sample(sample: s, scores: result.values(sample: i, reference: reference, population: population))
                    })
                encoder.outputFormatting.insert(.prettyPrinted)
                out += try encoder.encode(document) + [10]
            }
            try flush(force: true)
        }
    }
}
