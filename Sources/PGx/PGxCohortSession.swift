import Foundation

/// Analyses the samples of a cohort one after another, remembering what it has worked out: a gene's result for a
/// genotype pattern it has seen, the recommendations for a combination of lookup keys it has seen, and the JSON of
/// both. In a real cohort most people share a few patterns per gene (a panel's variants are mostly rare), so after
/// the first samples almost every gene is a lookup. Results are identical to ``PGxAnalyser/analyse(_:outsideCalls:)``.
///
/// Not thread-safe by design: give each worker its own session (no locks on the hot path). It is `Sendable` only so
/// that a worker task can own it; two tasks must never use one session at the same time.
public final class PGxCohortSession: @unchecked Sendable {
    public let analyser: PGxAnalyser
    let outsideCalls: [OutsideCall]
    private var genes: [String: [GenotypeKey: Entry<PGxSampleReport.GeneResult>]] = [:]
    private var drugs: [String: Entry<[PGxSampleReport.DrugResult]>] = [:]
    private var geneJSON: [PGxSampleReport.GeneResult: [UInt8]] = [:]
    private var drugJSON: [String: [UInt8]] = [:]
    /// Genes some guideline keys on a diplotype (DPWG's CYP2C9, UGT1A1 rows): only theirs enter the memo keys.
    private let diplotypeKeyed: Set<String>
    /// Guideline index + the lookups of its genes → its matching rows.
    private var guidelineMatches: [String: [MatchedRecommendation]] = [:]
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

    /// The report and its one-line JSON (the `--ndjson` line, without the newline).
    public func analyse(_ sample: SampleSiteCalls) throws -> (report: PGxSampleReport, json: [UInt8]) {
        var geneJSON: [[UInt8]] = []
        var drugJSON: [UInt8] = []
        var encodeError: (any Error)?
        let report = analyser.analyse(
            sample, outsideCalls: outsideCalls,
            gene: { definition, sample in
                let key = Self.genotypeKey(definition, sample)
                if let hit = self.genes[definition.gene]?[key] { return hit.value }
                let result = self.analyser.vcfResult(definition, sample)
                self.genes[definition.gene, default: [:]][key] = Entry(value: result)
                return result
            },
            drugs: { genes in
                let key = self.lookupKey(genes)
                if let hit = self.drugs[key] {
                    drugJSON = hit.json
                    return hit.value
                }
                let result = self.analyser.drugs(for: genes) { index, lookups in
                    let guideline = self.analyser.knowledge.guidelines.guidelines[index]
                    var key = String(index)
                    for gene in guideline.genes { key += "|" + (lookups[gene].map(self.signature) ?? "-") }
                    if let hit = self.guidelineMatches[key] { return hit }
                    let found = self.analyser.knowledge.guidelines.recommendations(guideline: index, for: lookups)
                    self.guidelineMatches[key] = found
                    return found
                }
                do {
                    drugJSON = try self.json(result)
                } catch {
                    encodeError = error
                }
                self.drugs[key] = Entry(value: result, json: drugJSON)
                return result
            })
        if let encodeError { throw encodeError }
        for gene in report.genes {
            if let known = self.geneJSON[gene] {
                geneJSON.append(known)
            } else {
                let encoded = Array(try encoder.encode(gene))
                self.geneJSON[gene] = encoded
                geneJSON.append(encoded)
            }
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

    /// A JSON array of drug results, each drug's JSON made once.
    private func json(_ drugs: [PGxSampleReport.DrugResult]) throws -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (i, drug) in drugs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            // A drug entry is fixed by its guideline, drug, rows and the keys they matched.
            var key = drug.guideline.id + "\u{0}" + drug.drug
            for r in drug.recommendations {
                key += "\u{0}" + r.id + "\u{1}" + r.lookupKey.sorted { $0.key < $1.key }.map { $0.key + "=" + $0.value }.joined(separator: ",")
            }
            if let known = drugJSON[key] {
                out += known
            } else {
                let encoded = Array(try encoder.encode(drug))
                drugJSON[key] = encoded
                out += encoded
            }
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    func signature(_ lookup: GeneLookup) -> String {
        lookup.keys.sorted().joined(separator: ",") + "/" + (diplotypeKeyed.contains(lookup.gene) ? lookup.diplotypes.sorted().joined(separator: ",") : "")
            + "/" + lookup.fallbackKeys.sorted().joined(separator: ",")
    }

    /// The sample's calls at a gene's positions: equal keys are equal inputs to the gene's analysis.
    struct GenotypeKey: Hashable {
        var notCallable: String?
        var assumedReference: Int?
        var calls: GeneSiteCalls?
    }

    static func genotypeKey(_ definition: GeneDefinition, _ sample: SampleSiteCalls) -> GenotypeKey {
        GenotypeKey(
            notCallable: sample.notCallable[definition.gene], assumedReference: sample.assumedReference[definition.gene],
            calls: sample.calls[definition.gene])
    }

    /// What the recommender reads of the genes: equal keys give equal recommendations.
    func lookupKey(_ genes: [PGxSampleReport.GeneResult]) -> String {
        var key = ""
        for gene in genes where !gene.lookupKeys.isEmpty {
            key += gene.gene + "=" + gene.lookupKeys.joined(separator: ",") + "|"
                + (diplotypeKeyed.contains(gene.gene) ? gene.recommendationDiplotypes.joined(separator: ",") : "") + "|"
                + (gene.phenotype ?? "") + "|" + (gene.activityScore ?? "") + ";"
        }
        return key
    }
}
