import ArgumentParser
import Foundation
import GenomicFiles
import VCF

/// `tailor vcf …`: reading and checking VCF files.
struct VCFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vcf",
        abstract: "Read, check and summarise VCF files (plain, gzip or BGZF; VCF 4.0–4.4).",
        subcommands: [Stats.self]
    )

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count records, variant classes, Ts/Tv and per-sample genotypes (the same counts as 'bcftools stats -s -').",
            discussion: """
                The file is validated as it is read: the first malformed line stops the run with its line number and field, \
                unless --lenient is given, in which case bad lines are skipped, counted and listed.
                """
        )

        @Argument(help: "A VCF file: .vcf, .vcf.gz (gzip or BGZF) or .vcf.bgz.")
        var file: String

        @Option(help: "Only records overlapping CHROM[:START[-END]] (1-based, inclusive). Uses a .tbi/.csi index when present.")
        var region: String?

        @Option(help: "Worker threads for inflating and parsing (default: all cores).")
        var threads: Int?

        @Flag(help: "Print JSON instead of text.")
        var json = false

        @Flag(help: "Skip and count malformed lines instead of stopping at the first; accept a BGZF file without its EOF marker.")
        var lenient = false

        func validate() throws {
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        }

        func run() async throws {
            let region = try region.map { try GenomicRegion(parsing: $0) }
            let options = VCFReadOptions(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, lenient: lenient)
            let report: VCFStatsReport
            do {
                report = try await VCFStatistics.compute(path: file, region: region, options: options)
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
            print(json ? try StatsOutput.json(report) : StatsOutput.text(report))
        }
    }
}
