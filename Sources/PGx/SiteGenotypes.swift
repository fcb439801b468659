public import GenomicFiles
import VCF

/// A sample's call at one defining position, in the allele strings of the VCF (not indexes), so that it
/// can be compared with a definition's cells directly.
public struct SiteCall: Sendable, Hashable {
    /// The called alleles (`nil` = missing allele), in GT order.
    public var alleles: [String?]
    /// Whether the GT is phased (`|`).
    public var phased: Bool
    /// The FORMAT/PS phase set, when given: calls in different sets are not phased with each other.
    public var phaseSet: String?

    public init(alleles: [String?], phased: Bool, phaseSet: String? = nil) {
        self.alleles = alleles
        self.phased = phased
        self.phaseSet = phaseSet
    }
}

/// One sample's calls at the defining positions of every gene, and the positions the VCF did not cover.
///
/// A position absent from the VCF, or called `./.`, is **missing**, never assumed to be reference: the
/// matcher leaves it out and says so.
public struct SampleSiteCalls: Sendable {
    public var sample: String
    /// Per gene, per position index of its definition: the call, or nothing when missing.
    public var calls: [String: [Int: SiteCall]]

    public init(sample: String, calls: [String: [Int: SiteCall]]) {
        self.sample = sample
        self.calls = calls
    }

    /// The definition positions with no usable call, per gene.
    public func missingPositions(of gene: GeneDefinition) -> [GeneDefinition.DefinitionPosition] {
        let called = calls[gene.gene] ?? [:]
        return gene.positions.indices.filter { index in
            guard let call = called[index] else { return true }
            return call.alleles.allSatisfy { $0 == nil }
        }.map { gene.positions[$0] }
    }
}

/// The problem that stops PGx calling for a whole file.
public struct PGxInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(message: String) { self.message = message }
}

/// Finds the defining positions of every gene in a VCF, in one streaming pass over all samples.
public struct PGxSiteIndex: Sendable {
    /// Position key (canonical contig, POS) → the genes and definition-position indexes it serves.
    let sites: [Key: [(gene: String, index: Int)]]

    struct Key: Hashable, Sendable {
        var contig: String
        var position: Int
    }

    /// One region per gene, spanning its defining positions.
    let regions: [GenomicRegion]

    public init(definitions: PGxDefinitions) {
        regions = definitions.genes.compactMap { gene in
            let positions = gene.positions.map(\.position)
            guard let low = positions.min(), let high = positions.max() else { return nil }
            return GenomicRegion(contig: gene.chromosome, start: low, end: high)
        }
        var sites: [Key: [(gene: String, index: Int)]] = [:]
        for gene in definitions.genes {
            for (index, position) in gene.positions.enumerated() {
                sites[Key(contig: ContigName.canonical(gene.chromosome), position: position.position), default: []].append((gene.gene, index))
            }
        }
        self.sites = sites
    }

    /// Records the calls of one VCF record if it is at a defining position.
    func add(_ view: VCFRecordView, header: VCFHeader, to calls: inout [[String: [Int: SiteCall]]]) throws(VCFError) {
        guard let targets = sites[Key(contig: ContigName.canonical(view.chrom), position: view.position)] else { return }
        let alleles = view.alleles
        let genotypes = try view.genotypes(header: header)
        let phaseSets = try view.formatValues("PS", header: header)
        for (sample, genotype) in genotypes.enumerated() {
            let phaseSet = phaseSets.isEmpty ? nil : phaseSets[sample].flatMap { $0 == "." ? nil : $0 }
            let call = SiteCall(alleles: genotype.alleles.map { $0.map { alleles[$0] } }, phased: genotype.isPhased, phaseSet: phaseSet)
            for target in targets { calls[sample][target.gene, default: [:]][target.index] = call }
        }
    }

    /// The number of distinct positions the definitions use.
    public var count: Int { sites.count }

    /// Reads every sample's calls at the defining positions.
    ///
    /// - Throws: ``PGxInputError`` when the file is recognisably GRCh37 (the definitions are GRCh38), and
    ///   the file's read and parse errors.
    public func collect(from file: VCFFile) async throws -> [SampleSiteCalls] {
        if file.header.build.build == .grch37 {
            throw PGxInputError(
                message:
                    "\(file.path) is GRCh37 (\(file.header.build.reason)); the allele definitions are GRCh38 positions, so genes cannot be called from it"
            )
        }
        let header = file.header
        let samples = header.samples
        let index = self
        // With a tabix/CSI index, read only the genes' regions instead of the whole genome.
        if file.container == .bgzf, let genomeIndex = try GenomicIndex.load(forVCF: file.path, header: header) {
            var calls = [[String: [Int: SiteCall]]](repeating: [:], count: samples.count)
            for region in regions {
                try file.query(region, index: genomeIndex) { (view) throws(VCFError) in try index.add(view, header: header, to: &calls) }
            }
            return samples.enumerated().map { SampleSiteCalls(sample: $1, calls: calls[$0]) }
        }
        let (calls, _) = try await file.scan(
            initial: [[String: [Int: SiteCall]]](repeating: [:], count: samples.count),
            record: { (acc: inout [[String: [Int: SiteCall]]], view: VCFRecordView) throws(VCFError) in
                try index.add(view, header: header, to: &acc)
            },
            merge: { total, part in
                for sample in part.indices {
                    total[sample].merge(part[sample]) { mine, theirs in mine.merging(theirs) { _, new in new } }
                }
            })
        return samples.enumerated().map { SampleSiteCalls(sample: $1, calls: calls[$0]) }
    }
}
