import ArgumentParser
import Foundation
import GenomicFiles
import PGx
import VCF

/// `tailor pgx VCF`: star-allele diplotypes per gene for every sample, streamed in one pass.
struct PGxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgx",
        abstract: "Pharmacogene diplotypes, phenotypes and CPIC/DPWG drug recommendations from a GRCh38 VCF (PharmCAT's data).",
        discussion: """
            Positions absent from the VCF, or without a call, are reported as missing and never assumed to be reference. \
            When several diplotypes fit equally well all are listed. Decision support for qualified clinicians; not a diagnosis.
            """
    )

    @Argument(help: "A VCF file (plain, gzip or BGZF), GRCh38, with the PharmCAT positions genotyped.")
    var file: String

    @Option(help: "Only this sample.")
    var sample: String?

    @Flag(help: "Print one JSON document.")
    var json = false

    @Flag(help: "Print one JSON line per sample.")
    var ndjson = false

    @Flag(help: "Print a self-contained HTML report.")
    var html = false

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(
        name: .customLong("outside-calls"),
        help: "PharmCAT-style outside calls (TSV: gene, diplotype, phenotype, activity score), e.g. CYP2D6 from an SV-aware caller.")
    var outsideCalls: String?

    func validate() throws {
        if [json, ndjson, html].filter({ $0 }).count > 1 { throw ValidationError("choose one of --json, --ndjson and --html") }
    }

    func run() async throws {
        let output: [PGxSampleReport]
        do throws(any Error) {
            let knowledge = try PGxKnowledge.bundled()
            var outside: [OutsideCall] = []
            if let outsideCalls {
                guard let data = FileManager.default.contents(atPath: outsideCalls) else {
                    throw PGxInputError(message: "\(outsideCalls): cannot be read")
                }
                outside = try OutsideCall.parse(String(decoding: data, as: UTF8.self), name: outsideCalls)
            }
            let options = VCFReadOptions(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
            let vcf = try VCFFile(path: file, options: options)
            if let sample, vcf.header.sampleIndex(sample) == nil {
                throw ValidationError("sample '\(sample)' is not in \(file) (it has: \(vcf.header.samples.prefix(10).joined(separator: ", ")))")
            }
            let calls = try await PGxSiteIndex(definitions: knowledge.definitions).collect(from: vcf)
            let analyser = PGxAnalyser(knowledge: knowledge)
            output = calls.filter { sample == nil || $0.sample == sample }.map { analyser.analyse($0, outsideCalls: outside) }
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let encoder = JSONEncoder()
        if html {
            print(PGxHTML.render(output), terminator: "")
        } else if ndjson {
            encoder.outputFormatting = [.withoutEscapingSlashes]
            for sample in output { print(String(decoding: try encoder.encode(sample), as: UTF8.self)) }
        } else if json {
            encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
        } else {
            for sample in output { print(PGxText.render(sample)) }
        }
    }
}
