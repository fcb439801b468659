import ArgumentParser
import Foundation
import GenomicFiles
import PGx
import VCF

/// `tailor pgx VCF`: star-allele diplotypes per gene for every sample, streamed in one pass.
struct PGxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgx",
        abstract: "Call pharmacogene diplotypes from a GRCh38 VCF (PharmCAT's allele definitions; phenotypes and drug guidance to follow).",
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

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    struct SampleOutput: Encodable {
        var sample: String
        var knowledge: String
        var genes: [GeneOutput]
    }

    struct GeneOutput: Encodable {
        var gene: String
        var diplotypes: [String]
        /// The phenotype shared by every top diplotype; `nil` when not called, when the gene has no table, or when ties disagree.
        var phenotype: String?
        var activity_score: String?
        var phenotype_source: String?
        var score: Int?
        var phased: Bool
        var missing_positions: [String]
        var warnings: [String]
    }

    func run() async throws {
        let output: [SampleOutput]
        do {
            let definitions = try PGxDefinitions.bundled()
            let phenotyper = try Phenotyper.bundled()
            let options = VCFReadOptions(threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
            let vcf = try VCFFile(path: file, options: options)
            if let sample, vcf.header.sampleIndex(sample) == nil {
                throw ValidationError("sample '\(sample)' is not in \(file) (it has: \(vcf.header.samples.prefix(10).joined(separator: ", ")))")
            }
            let calls = try await PGxSiteIndex(definitions: definitions).collect(from: vcf)
            output = calls.filter { sample == nil || $0.sample == sample }.map { sampleCalls in
                SampleOutput(
                    sample: sampleCalls.sample, knowledge: "pgx \(definitions.packVersion)",
                    genes: definitions.genes.map { gene in
                        let call = NamedAlleleMatcher(definition: gene).call(sampleCalls)
                        var warnings = call.warnings
                        let phenotypes = call.diplotypes.map {
                            phenotyper.phenotype(gene: gene.gene, diplotype: $0, packVersion: definitions.packVersion)
                        }
                        var phenotype: PhenotypeCall?
                        if let first = phenotypes.first, let found = first {
                            if phenotypes.allSatisfy({ $0?.phenotype == found.phenotype && $0?.activityScore == found.activityScore }) {
                                phenotype = found
                            } else {
                                warnings.append("the equally good diplotypes have different phenotypes; no phenotype is given")
                            }
                        } else if call.isCalled {
                            warnings.append("no phenotype mapping for \(call.diplotypes.map(\.description).joined(separator: " or "))")
                        }
                        if phenotype != nil, let note = phenotyper.notes[gene.gene] { warnings.append(note) }
                        return GeneOutput(
                            gene: call.gene, diplotypes: call.diplotypes.map(\.description), phenotype: phenotype?.phenotype,
                            activity_score: phenotype?.activityScore, phenotype_source: phenotype?.source, score: call.diplotypes.first?.score,
                            phased: call.phased,
                            missing_positions: call.missingPositions.map { "\(gene.chromosome):\($0.position)" + ($0.rsid.map { " \($0)" } ?? "") },
                            warnings: warnings)
                    })
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let encoder = JSONEncoder()
        if ndjson {
            encoder.outputFormatting = [.withoutEscapingSlashes]
            for sample in output { print(String(decoding: try encoder.encode(sample), as: UTF8.self)) }
        } else if json {
            encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
        } else {
            for sample in output {
                print("sample\t\(sample.sample)\t(knowledge \(sample.knowledge))")
                for gene in sample.genes {
                    var call = gene.diplotypes.isEmpty ? "not called" : gene.diplotypes.joined(separator: " or ")
                    if let phenotype = gene.phenotype { call += "\t\(phenotype)" + (gene.activity_score.map { " (activity score \($0))" } ?? "") }
                    let missing = gene.missing_positions.isEmpty ? "" : "\t\(gene.missing_positions.count) missing position(s)"
                    print("  \(gene.gene)\t\(call)\(missing)")
                    for warning in gene.warnings { print("    \(warning)") }
                }
            }
        }
    }
}
