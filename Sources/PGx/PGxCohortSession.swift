import Foundation

/// Analyses the samples of a cohort one after another, remembering what it has worked out: a gene's result for a
/// genotype pattern it has seen, a guideline's recommendations for a combination of its genes' lookup keys it has
/// seen, and the JSON of both. In a real cohort most people share a few patterns per gene (a panel's variants are
/// mostly rare), so after the first samples most of the work is lookups. Results are identical to
/// ``PGxAnalyser/analyse(_:outsideCalls:)`` (a test checks it).
///
/// Not thread-safe by design: give each worker its own session (no locks on the hot path). It is `Sendable` only so
/// that a worker task can own it; two tasks must never use one session at the same time.
public final class PGxCohortSession: @unchecked Sendable {
    public let analyser: PGxAnalyser
    let outsideCalls: [OutsideCall]
    private var genes: [String: [GenotypeKey: GeneEntry]] = [:]
    /// Genes some guideline keys on a diplotype (DPWG's CYP2C9, UGT1A1 rows): only theirs enter the memo keys.
    private let diplotypeKeyed: Set<String>
    private let encoder = JSONEncoder()

    /// A gene result remembered for a genotype pattern, with its JSON and the interned signature of what the
    /// recommender reads of it (-1: nothing).
    struct GeneEntry {
        var value: PGxSampleReport.GeneResult
        var json: [UInt8]
        var signature: Int
    }

    /// Signature text → small integer, so guideline outcome keys are a few integers.
    private var signatureIDs: [String: Int] = [:]
    /// Report order of every (guideline index, drug): sorting a sample's entries compares integers.
    private let drugRank: [String: Int]

    /// The interned signature of a gene result's lookups.
    func signatureID(_ gene: PGxSampleReport.GeneResult) -> Int {
        guard let lookup = PGxAnalyser.lookups([gene])[gene.gene] else { return -1 }
        let text = signature(lookup)
        if let known = signatureIDs[text] { return known }
        signatureIDs[text] = signatureIDs.count
        return signatureIDs.count - 1
    }

    public init(analyser: PGxAnalyser, outsideCalls: [OutsideCall] = []) {
        self.analyser = analyser
        self.outsideCalls = outsideCalls
        diplotypeKeyed = Set(analyser.knowledge.guidelines.guidelines.flatMap { $0.recommendations.flatMap(\.diplotypes.keys) })
        var pairs: [(drug: String, source: String, name: String, key: String)] = []
        for (index, guideline) in analyser.knowledge.guidelines.guidelines.enumerated() {
            for drug in Set(guideline.drugs + guideline.recommendations.flatMap(\.drugs)) {
                pairs.append((drug, guideline.source, guideline.name, "\(index)\u{0}\(drug)"))
            }
        }
        pairs.sort { ($0.drug, $0.source, $0.name) < ($1.drug, $1.source, $1.name) }
        drugRank = Dictionary(uniqueKeysWithValues: pairs.enumerated().map { ($1.key, $0) })
        // Sorted keys: the same input gives byte-identical output, run after run.
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
    }

    /// This session's own copy of each call table it has read: workers sharing one table would contend on its
    /// reference counts (every read of a shared array is an atomic retain and release), which made two cores slower
    /// than one. Keyed by the original table, which is kept alive with its copy so that its identity cannot be reused
    /// by another table.
    private var tables: [ObjectIdentifier: (original: SiteCallTable, copy: SiteCallTable)] = [:]

    /// The sample with its calls read through this session's copies of their tables.
    func detached(_ sample: SampleSiteCalls) -> SampleSiteCalls {
        var copy = sample
        for (gene, calls) in sample.calls {
            let table: SiteCallTable
            if let known = tables[calls.tableID] {
                table = known.copy
            } else {
                table = calls.table.detachedCopy()
                tables[calls.tableID] = (calls.table, table)
            }
            copy.calls[gene] = calls.reading(table)
        }
        return copy
    }

    /// The report and its one-line JSON (the `--ndjson` line, without the newline).
    public func analyse(_ sample: SampleSiteCalls) throws -> (report: PGxSampleReport, json: [UInt8]) {
        var line: [UInt8] = []
        let report = try analyse(sample, appendingJSONTo: &line)
        return (report, line)
    }

    /// The report, with its one-line JSON appended to `output` (no newline): a worker writes its whole share into
    /// one buffer, so the ~80 kB of recommendation text per sample is copied once, not once per layer.
    public func analyse(_ original: SampleSiteCalls, appendingJSONTo output: inout [UInt8]) throws -> PGxSampleReport {
        let sample = detached(original)
        var vcfJSON: [String: [UInt8]] = [:]
        var vcfSignatures: [String: Int] = [:]
        var drugEntries: [(rank: Int, drug: PGxSampleReport.DrugResult, json: [UInt8])] = []
        var encodeError: (any Error)?
        let report = analyser.analyse(
            sample, outsideCalls: outsideCalls,
            gene: { definition, sample in
                let key = Self.genotypeKey(definition, sample)
                if let hit = self.genes[definition.gene]?[key] {
                    vcfJSON[definition.gene] = hit.json
                    vcfSignatures[definition.gene] = hit.signature
                    return hit.value
                }
                let result = self.analyser.vcfResult(definition, sample)
                let entry = GeneEntry(value: result, json: result.json, signature: self.signatureID(result))
                self.genes[definition.gene, default: [:]][key] = entry
                vcfJSON[definition.gene] = entry.json
                vcfSignatures[definition.gene] = entry.signature
                return result
            },
            drugs: { genes in
                do {
                    // A gene replaced by an outside call has its own signature.
                    var signatures: [String: Int] = [:]
                    for gene in genes { signatures[gene.gene] = gene.outsideCall ? self.signatureID(gene) : vcfSignatures[gene.gene] ?? self.signatureID(gene) }
                    drugEntries = try self.drugEntries(genes, signatures: signatures)
                    return drugEntries.map(\.drug)
                } catch {
                    encodeError = error
                    return []
                }
            })
        if let encodeError { throw encodeError }
        // Genes from the VCF reuse their remembered JSON; outside calls (a few per run) are encoded as they come.
        let geneJSON = report.genes.map { gene in gene.outsideCall || vcfJSON[gene.gene] == nil ? gene.json : vcfJSON[gene.gene]! }
        output += Array(#"{"sample":"#.utf8) + Array(try encoder.encode(report.sample))
        output += Array(#","knowledge":"#.utf8) + Array(try encoder.encode(report.knowledge))
        output += Array(#","genes":["#.utf8)
        for (i, fragment) in geneJSON.enumerated() {
            if i > 0 { output.append(UInt8(ascii: ",")) }
            output += fragment
        }
        output += Array(#"],"drugs":["#.utf8)
        for (i, entry) in drugEntries.enumerated() {
            if i > 0 { output.append(UInt8(ascii: ",")) }
            output += entry.json
        }
        output += Array("]}".utf8)
        return report
    }

    /// One guideline's drug entries for one combination of its genes' lookups, with their JSON and report ranks.
    struct GuidelineOutcome {
        var entries: [(rank: Int, drug: PGxSampleReport.DrugResult, json: [UInt8])]
    }
    private var outcomes: [[Int]: GuidelineOutcome] = [:]

    /// The sample's drug entries with their JSON, in report order, assembled from each guideline's remembered
    /// outcome: a guideline's outcome depends only on the lookups of its own genes, which repeat across a cohort even
    /// when the whole combination does not.
    func drugEntries(
        _ genes: [PGxSampleReport.GeneResult], signatures: [String: Int]
    ) throws -> [(rank: Int, drug: PGxSampleReport.DrugResult, json: [UInt8])] {
        let library = analyser.knowledge.guidelines
        var lookups: [String: GeneLookup]?
        var entries: [(rank: Int, drug: PGxSampleReport.DrugResult, json: [UInt8])] = []
        for (index, guideline) in library.guidelines.enumerated() {
            var key = [index]
            for gene in guideline.genes { key.append(signatures[gene] ?? -1) }
            if let known = outcomes[key] {
                entries += known.entries
                continue
            }
            if lookups == nil { lookups = PGxAnalyser.lookups(genes) }
            let found = analyser.drugResults(library.recommendations(guideline: index, for: lookups!))
            let outcome = GuidelineOutcome(
                entries: try found.map { (drugRank["\(index)\u{0}\($0.drug)"] ?? Int.max, $0, Array(try encoder.encode($0))) })
            outcomes[key] = outcome
            entries += outcome.entries
        }
        entries.sort { $0.rank < $1.rank }
        return entries
    }

    func signature(_ lookup: GeneLookup) -> String {
        lookup.keys.sorted().joined(separator: ",") + "/" + (diplotypeKeyed.contains(lookup.gene) ? lookup.diplotypes.sorted().joined(separator: ",") : "")
            + "/" + lookup.fallbackKeys.sorted().joined(separator: ",")
    }

    /// The sample's calls at a gene's positions: equal keys are equal inputs to the gene's analysis.
    /// Codes are compared within one table (one run's collection); a pattern from another table is another key.
    struct GenotypeKey: Hashable {
        var notCallable: String?
        var assumedReference: Int?
        var table: ObjectIdentifier?
        var codes: [UInt16]
    }

    static func genotypeKey(_ definition: GeneDefinition, _ sample: SampleSiteCalls) -> GenotypeKey {
        let calls = sample.calls[definition.gene]
        return GenotypeKey(
            notCallable: sample.notCallable[definition.gene], assumedReference: sample.assumedReference[definition.gene],
            table: calls?.tableID, codes: calls?.codes ?? [])
    }
}
