import BGZF
import Foundation
import GenomicFiles
import Knowledge
import Logging
import PGx
import Records
import ServiceLifecycle
import Store
import VCF

/// What an analyser made of one dataset, before the store gives the findings their IDs and provenance.
struct FindingDraft: Sendable {
    var kind: String
    var subject: String
    var summary: String
    var label: String?
    var interpretation: String?
    var evidence: String
}

/// An analyser the job runner can apply to a stored genome. Analysers are pure over their inputs; this adapter
/// opens the (encrypted) file and turns their results into findings.
protocol GenomeAnalyser: Sendable {
    /// The name runs are queued under (`pgx`).
    var name: String { get }
    var version: String { get }
    /// Knowledge pack name → version, recorded in every finding's provenance.
    var knowledge: [String: String] { get }
    /// Which dataset kinds it applies to.
    var datasetKinds: Set<DatasetKind> { get }
    func analyse(_ file: ReadableFile, sample: String, progress: @escaping @Sendable (Double) async -> Void) async throws -> [FindingDraft]
}

/// Pharmacogenomics over a germline VCF: one finding per gene (diplotype, phenotype) and one per drug with a
/// guideline recommendation, each carrying the PGx analyser's JSON as evidence.
struct PGxGenomeAnalyser: GenomeAnalyser {
    let name = "pgx"
    let version = "1"
    let datasetKinds: Set<DatasetKind> = [.germlineVCF]
    let knowledge: [String: String]
    let definitions: PGxDefinitions
    let analyser: PGxAnalyser

    static func load() async throws -> PGxGenomeAnalyser {
        let pack = try KnowledgePack.bundled("pgx")
        let definitions = try PGxDefinitions(pack: pack)
        let knowledge = try await PGxKnowledge.loading(pack, definitions: definitions).value
        return PGxGenomeAnalyser(
            knowledge: [pack.manifest.name: pack.manifest.version], definitions: definitions, analyser: PGxAnalyser(knowledge: knowledge))
    }

    func analyse(_ file: ReadableFile, sample: String, progress: @escaping @Sendable (Double) async -> Void) async throws -> [FindingDraft] {
        let vcf = try VCFFile(file: file)
        guard vcf.header.sampleIndex(sample) != nil else { throw AnalysisError("sample '\(sample)' is not in the file") }
        let calls = try await PGxSiteIndex(definitions: definitions).collect(from: vcf).filter { $0.sample == sample }
        await progress(0.6)
        guard let call = calls.first else { throw AnalysisError("no genotypes for sample '\(sample)'") }
        let outside = try Self.outsideCalls(in: vcf.header)
        let report = analyser.analyse(call, outsideCalls: outside)
        await progress(0.9)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var drafts: [FindingDraft] = []
        for gene in report.genes {
            let diplotype = gene.printCalls.first ?? gene.diplotypes.first
            let phenotype = gene.phenotype
            let summary: String
            if gene.called || gene.outsideCall {
                summary = "\(gene.gene) \(gene.printCalls.joined(separator: " or ")): \(phenotype ?? "phenotype not assigned")"
                    + (gene.outsideCall ? " (outside call: \(outside.filter { $0.gene == gene.gene }.map(\.source).joined(separator: "; ")))" : "")
            } else {
                summary = "\(gene.gene): not called\(gene.missingPositions.isEmpty ? "" : " (\(gene.missingPositions.count) positions missing)")"
            }
            drafts.append(
                FindingDraft(
                    kind: "pgx.gene", subject: gene.gene, summary: summary, label: gene.called ? diplotype : nil, interpretation: gene.called ? phenotype : nil,
                    evidence: String(decoding: try encoder.encode(gene), as: UTF8.self)))
        }
        for drug in report.drugs {
            let classifications = Set(drug.recommendations.map(\.classification)).sorted()
            // The recommendation's first paragraph; the full text and its source stay in the evidence.
            let first = drug.recommendations.first.map { $0.text.split(separator: "\n").first.map(String.init) ?? $0.text } ?? "no recommendation for this genotype"
            let summary = "\(drug.drug) (\(drug.source)): \(first.prefix(200))"
            drafts.append(
                FindingDraft(
                    kind: "pgx.drug", subject: drug.drug, summary: summary, label: drug.source,
                    interpretation: classifications.isEmpty ? nil : classifications.joined(separator: ", "),
                    evidence: String(decoding: try encoder.encode(drug), as: UTF8.self)))
        }
        return drafts
    }
}

extension PGxGenomeAnalyser {
    /// The VCF header key of an outside call: a gene call made outside Tailor (CYP2D6 from an SV-aware caller, HLA-B
    /// from HLA typing) that travels with the genome it completes, as
    /// `##tailorPGxOutsideCall=<Gene=CYP2D6,Diplotype="*4/*4",Phenotype="Poor Metabolizer",ActivityScore=0,Source="lab, test, date">`
    /// (the columns of PharmCAT's outside-call TSV, plus where the call came from).
    ///
    /// Carried in the uploaded file, the call is covered by the dataset's SHA-256 in every finding's provenance, stays
    /// immutable with the genome and is checked at upload (a malformed line is a 422); the gene finding says it is an
    /// outside call and names the line and source. (A separate upload kind for outside calls is the fuller design for
    /// calls from another lab; it needs a dataset kind, a schema change and re-analysis of the genome it completes.)
    static let outsideCallKey = "tailorPGxOutsideCall"

    /// The outside calls in a VCF header, parsed with PharmCAT's outside-call rules.
    static func outsideCalls(in header: VCFHeader) throws -> [OutsideCall] {
        var calls: [OutsideCall] = []
        for (index, line) in header.metaLines.filter({ $0.key == outsideCallKey }).enumerated() {
            let columns = ["Gene", "Diplotype", "Phenotype", "ActivityScore"].map { line[$0] ?? "" }
            let source = line["Source"].map { " from \($0)" } ?? ""
            let name = "##\(outsideCallKey) #\(index + 1)\(source)"
            guard line.fields != nil, columns.allSatisfy({ !$0.contains("\t") && !$0.contains("\n") }) else {
                throw AnalysisError("\(name): write it as <Gene=…,Diplotype=\"…\",Phenotype=\"…\",ActivityScore=…,Source=\"…\">")
            }
            do {
                calls += try OutsideCall.parse(columns.joined(separator: "\t"), name: name)
            } catch {
                throw AnalysisError(String(describing: error))
            }
        }
        return calls
    }
}

struct AnalysisError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Works the analysis queue: claims a run, opens its encrypted genome, runs the analyser, and stores the findings
/// with the run's success in one transaction (or records why it failed). A run interrupted by a crash is queued
/// again at the next start.
struct AnalysisService: Service {
    let queue: JobQueue
    let blobs: BlobStore
    let analysers: [String: any GenomeAnalyser]
    let logger: Logger
    /// How long to wait between looks at an empty queue.
    var pollInterval: Duration = .milliseconds(250)

    func run() async throws {
        // SQLite is one process's database: whatever was running died with the last process.
        try await queue.requeueInterrupted(all: queue.store.database.engine == .sqlite)
        var lastStaleCheck = ContinuousClock.now
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let worked = try await workOne()
            if ContinuousClock.now - lastStaleCheck > .milliseconds(JobQueue.staleAfter / 2) {
                // A peer on the same PostgreSQL may have died mid-run.
                try? await queue.requeueInterrupted(all: false)
                lastStaleCheck = .now
            }
            if !worked {
                try? await Task.sleep(for: pollInterval)
            }
        }
    }

    /// Claims and runs one queued run; `false` when the queue was empty.
    @discardableResult
    func workOne() async throws -> Bool {
        let claim: JobQueue.Claim?
        do { claim = try await queue.claimNext() } catch {
            logger.error("cannot claim an analysis run", metadata: ["error": "\(error)"])
            return false
        }
        guard let claim else { return false }
        let run = claim.run
        var logger = self.logger
        logger[metadataKey: "run"] = "\(run.id)"
        logger.info("analysis started", metadata: ["analyser": "\(run.analyser)", "attempt": "\(run.attempts)"])
        do {
            guard let analyser = analysers[run.analyser] else { throw AnalysisError("no analyser named '\(run.analyser)' in this server") }
            guard let sample = claim.sampleNames.first else { throw AnalysisError("the dataset has no sample") }
            let blobs = self.blobs
            let blob = claim.blob
            let filename = claim.dataset.filename
            let queue = self.queue
            // The analysis runs beside a heartbeat that tells peers this run is alive.
            let drafts = try await withThrowingTaskGroup(of: [FindingDraft]?.self) { group in
                group.addTask {
                    // Read straight from the encrypted file, named after the user's file for messages.
                    let file = try blobs.open(name: blob.name, wrappedKey: blob.wrappedKey, displayName: filename)
                    return try await analyser.analyse(file, sample: sample) { value in try? await queue.progress(run.id, value) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try await Task.sleep(for: .milliseconds(JobQueue.heartbeatInterval))
                        try? await queue.heartbeat(run.id)
                    }
                    return nil
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let drafts = result { return drafts }
                }
                throw AnalysisError("the analysis ended without a result")
            }
            let now = WallClock.millis()
            let provenance = Provenance(
                analyser: analyser.name, analyserVersion: analyser.version, knowledge: analyser.knowledge,
                inputDigests: [claim.dataset.id.rawValue: claim.dataset.sha256])
            let findings = drafts.map { draft in
                Finding(
                    id: .random(), patientID: run.patientID, runID: run.id, datasetID: claim.dataset.id, kind: draft.kind, subject: draft.subject,
                    summary: draft.summary, label: draft.label, interpretation: draft.interpretation, evidence: draft.evidence, provenance: provenance,
                    createdAt: now)
            }
            try await queue.complete(run, findings: findings)
            logger.info("analysis finished", metadata: ["findings": "\(findings.count)"])
        } catch {
            logger.warning("analysis failed", metadata: ["error": "\(error)"])
            try? await queue.fail(run, error: String(describing: error))
        }
        return true
    }
}
