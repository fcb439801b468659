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
    private var genes: [String: [GenotypeKey: Entry<PGxSampleReport.GeneResult>]] = [:]
    /// Genes some guideline keys on a diplotype (DPWG's CYP2C9, UGT1A1 rows): only theirs enter the memo keys.
    private let diplotypeKeyed: Set<String>
    private let encoder = JSONEncoder()

    struct Entry<Value> {
        var value: Value
        var json: [UInt8] = []
    }

    public init(analyser: PGxAnalyser, outsideCalls: [OutsideCall] = []) {
        self.analyser = analyser
        self.outsideCalls = outsideCalls
        diplotypeKeyed = Set(analyser.knowledge.guidelines.guidelines.flatMap { $0.recommendations.flatMap(\.diplotypes.keys) })
        // Sorted keys: the same input gives byte-identical output, run after run.
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
    }

    /// This session's own copy of each call table it has read: workers sharing one table would contend on its
    /// reference counts (every read of a shared array is an atomic retain and release), which made two cores slower
    /// than one. Keyed by the original table.
    private var tables: [ObjectIdentifier: SiteCallTable] = [:]

    /// The sample with its calls read through this session's copies of their tables.
    func detached(_ sample: SampleSiteCalls) -> SampleSiteCalls {
        var copy = sample
        for (gene, calls) in sample.calls {
            let table: SiteCallTable
            if let known = tables[calls.tableID] {
                table = known
            } else {
                table = calls.table.detachedCopy()
                tables[calls.tableID] = table
            }
            copy.calls[gene] = calls.reading(table)
        }
        return copy
    }

    /// The report and its one-line JSON (the `--ndjson` line, without the newline).
    public func analyse(_ original: SampleSiteCalls) throws -> (report: PGxSampleReport, json: [UInt8]) {
        let sample = detached(original)
        var vcfJSON: [String: [UInt8]] = [:]
        var drugJSON: [UInt8] = []
        var encodeError: (any Error)?
        let report = analyser.analyse(
            sample, outsideCalls: outsideCalls,
            gene: { definition, sample in
                let key = Self.genotypeKey(definition, sample)
                if let hit = self.genes[definition.gene]?[key] {
                    vcfJSON[definition.gene] = hit.json
                    return hit.value
                }
                let result = self.analyser.vcfResult(definition, sample)
                do {
                    let json = Array(try self.encoder.encode(result))
                    self.genes[definition.gene, default: [:]][key] = Entry(value: result, json: json)
                    vcfJSON[definition.gene] = json
                } catch {
                    encodeError = error
                }
                return result
            },
            drugs: { genes in
                do {
                    let (result, json) = try self.drugs(genes)
                    drugJSON = json
                    return result
                } catch {
                    encodeError = error
                    return []
                }
            })
        if let encodeError { throw encodeError }
        // Genes from the VCF reuse their remembered JSON; outside calls (a few per run) are encoded as they come.
        let geneJSON = try report.genes.map { gene in
            try gene.outsideCall || vcfJSON[gene.gene] == nil ? Array(encoder.encode(gene)) : vcfJSON[gene.gene]!
        }
        var line: [UInt8] = []
        line.reserveCapacity(drugJSON.count + geneJSON.reduce(0) { $0 + $1.count } + 256)
        line += Array(#"{"sample":"#.utf8) + Array(try encoder.encode(report.sample))
        line += Array(#","knowledge":"#.utf8) + Array(try encoder.encode(report.knowledge))
        line += Array(#","genes":["#.utf8)
        for (i, fragment) in geneJSON.enumerated() {
            if i > 0 { line.append(UInt8(ascii: ",")) }
            line += fragment
        }
        line += Array(#"],"drugs":"#.utf8) + drugJSON + [UInt8(ascii: "}")]
        return (report, line)
    }

    /// One guideline's drug entries for one combination of its genes' lookups, with their JSON.
    struct GuidelineOutcome {
        var entries: [(drug: PGxSampleReport.DrugResult, json: [UInt8])]
    }
    private var outcomes: [String: GuidelineOutcome] = [:]

    /// The sample's drug entries and their JSON array, assembled from each guideline's remembered outcome: a
    /// guideline's outcome depends only on the lookups of its own genes, which repeat across a cohort even when the
    /// whole combination does not.
    func drugs(_ genes: [PGxSampleReport.GeneResult]) throws -> ([PGxSampleReport.DrugResult], [UInt8]) {
        let lookups = PGxAnalyser.lookups(genes)
        var signatures: [String: String] = [:]
        for (gene, lookup) in lookups { signatures[gene] = signature(lookup) }
        let library = analyser.knowledge.guidelines
        var entries: [(drug: PGxSampleReport.DrugResult, json: [UInt8])] = []
        for (index, guideline) in library.guidelines.enumerated() {
            var key = String(index)
            for gene in guideline.genes { key += "|" + (signatures[gene] ?? "-") }
            if let known = outcomes[key] {
                entries += known.entries
                continue
            }
            let found = PGxAnalyser.drugResults(library.recommendations(guideline: index, for: lookups))
            let outcome = GuidelineOutcome(entries: try found.map { ($0, Array(try encoder.encode($0))) })
            outcomes[key] = outcome
            entries += outcome.entries
        }
        entries.sort { PGxAnalyser.drugOrder($0.drug, $1.drug) }
        var json: [UInt8] = [UInt8(ascii: "[")]
        for (i, entry) in entries.enumerated() {
            if i > 0 { json.append(UInt8(ascii: ",")) }
            json += entry.json
        }
        json.append(UInt8(ascii: "]"))
        return (entries.map(\.drug), json)
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
