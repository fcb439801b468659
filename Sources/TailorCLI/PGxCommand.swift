import ArgumentParser
import Foundation
import GenomicFiles
import Knowledge
import PGx
import VCF

/// `tailor pgx VCF`: star-allele diplotypes per gene for every sample, streamed in one pass.
struct PGxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgx",
        abstract: "Pharmacogene diplotypes, phenotypes and CPIC/DPWG drug recommendations from a VCF (PharmCAT's data).",
        discussion: """
            Positions absent from the VCF, or without a call, are reported as missing and never assumed to be reference. \
            When several diplotypes fit equally well all are listed. GRCh38 input gives every matcher gene (CYP2D6 only as an \
            outside call); GRCh37 input \
            (recognised from the contig lengths) for the genes whose every position maps exactly, the others say so. \
            Decision support for qualified clinicians; not a diagnosis.
            """
    )

    @Argument(help: "A VCF file (plain, gzip or BGZF; a .tbi/.csi beside it is used), with the PharmCAT positions genotyped.")
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

    @Flag(
        name: .customLong("assume-reference"),
        help: "Read positions ABSENT from the VCF as homozygous reference (gVCF-like files that omit reference sites). Labelled in every call it touches; `./.` stays missing.")
    var assumeReference = false

    @Option(
        name: .customLong("outside-calls"),
        help: "PharmCAT-style outside calls (TSV: gene, diplotype, phenotype, activity score), e.g. CYP2D6 from an SV-aware caller.")
    var outsideCalls: String?

    func validate() throws {
        if [json, ndjson, html].filter({ $0 }).count > 1 { throw ValidationError("choose one of --json, --ndjson and --html") }
    }

    func run() async throws {
        do throws(any Error) {
            let pack = try KnowledgePack.bundled("pgx")
            let definitions = try PGxDefinitions(pack: pack)
            // Phenotype tables and guidelines load on other cores while the VCF is read.
            let loading = PGxKnowledge.loading(pack, definitions: definitions)
            var outside: [OutsideCall] = []
            if let outsideCalls {
                guard let data = FileManager.default.contents(atPath: outsideCalls) else {
                    throw PGxInputError(message: "\(outsideCalls): cannot be read")
                }
                outside = try OutsideCall.parse(String(decoding: data, as: UTF8.self), name: outsideCalls)
            }
            let workers = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
            let vcf = try VCFFile(path: file, options: VCFReadOptions(threads: workers))
            if outsideCalls != nil, sample == nil, vcf.header.samples.count > 1 {
                // One person's calls must never be applied to everyone in a cohort file.
                throw ValidationError(
                    "--outside-calls describes one person, and \(file) has \(vcf.header.samples.count) samples: choose one with --sample")
            }
            if let sample, vcf.header.sampleIndex(sample) == nil {
                throw ValidationError("sample '\(sample)' is not in \(file) (it has: \(vcf.header.samples.prefix(10).joined(separator: ", ")))")
            }
            let calls = try await PGxSiteIndex(definitions: definitions).collect(from: vcf, assumeReference: assumeReference)
                .filter { sample == nil || $0.sample == sample }
            let knowledge = try await loading.value
            let analyser = PGxAnalyser(knowledge: knowledge)
            let sessions = (0..<workers).map { _ in PGxCohortSession(analyser: analyser, outsideCalls: outside) }
            if ndjson {
                // Streamed: each worker writes its share of a block into one buffer, and the buffers are written in
                // sample order as soon as the block is done, so memory does not grow with the output.
                for start in stride(from: 0, to: calls.count, by: 512 * workers) {
                    let block = Array(calls[start..<min(start + 512 * workers, calls.count)])
                    for buffer in try await Self.lines(block, sessions: sessions) { try Self.writeToStandardOutput(buffer) }
                }
                return
            }
            let output = try await Self.reports(calls, sessions: sessions)
            if html {
                print(PGxHTML.render(output), terminator: "")
            } else if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes, .sortedKeys]
                print(String(decoding: try encoder.encode(output), as: UTF8.self))
            } else {
                for sample in output { print(PGxText.render(sample)) }
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Writes bytes to standard output without copying them into `Data` first.
    static func writeToStandardOutput(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(1, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw PGxInputError(message: "cannot write the output: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }

    /// Runs `work` on the samples in contiguous shares, one share per session (worker), and returns the shares'
    /// results in file order.
    static func inShares<Part: Sendable>(
        _ calls: [SampleSiteCalls], sessions: [PGxCohortSession],
        _ work: @escaping @Sendable (PGxCohortSession, [SampleSiteCalls]) throws -> Part
    ) async throws -> [Part] {
        let share = max(1, (calls.count + sessions.count - 1) / sessions.count)
        return try await withThrowingTaskGroup(of: (Int, Part).self) { group in
            for (part, start) in stride(from: 0, to: calls.count, by: share).enumerated() {
                let slice = Array(calls[start..<min(start + share, calls.count)])
                let session = sessions[part]
                group.addTask { (part, try work(session, slice)) }
            }
            var parts: [Int: Part] = [:]
            for try await (part, result) in group { parts[part] = result }
            return parts.keys.sorted().map { parts[$0]! }
        }
    }

    /// NDJSON for the samples: one buffer per share, each sample's line written straight into it.
    static func lines(_ calls: [SampleSiteCalls], sessions: [PGxCohortSession]) async throws -> [[UInt8]] {
        try await inShares(calls, sessions: sessions) { session, slice in
            var buffer: [UInt8] = []
            buffer.reserveCapacity(slice.count * 100_000)
            for sample in slice {
                _ = try session.analyse(sample, appendingJSONTo: &buffer)
                buffer.append(10)
            }
            return buffer
        }
    }

    /// The reports, in file order.
    static func reports(_ calls: [SampleSiteCalls], sessions: [PGxCohortSession]) async throws -> [PGxSampleReport] {
        try await inShares(calls, sessions: sessions) { session, slice in
            var scratch: [UInt8] = []
            return try slice.map { sample in
                scratch.removeAll(keepingCapacity: true)
                return try session.analyse(sample, appendingJSONTo: &scratch)
            }
        }.flatMap { $0 }
    }
}
