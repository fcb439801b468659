public import GenomicFiles
public import VCF

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

/// One sample's calls at one gene's positions, by definition index: a flat array, not a dictionary, because a
/// cohort holds a thousand of them per gene.
public struct GeneSiteCalls: Sendable, Hashable {
    var slots: [SiteCall?]

    public init() { slots = [] }

    public init(count: Int) { slots = Array(repeating: nil, count: count) }

    public init(_ sparse: [Int: SiteCall]) {
        slots = Array(repeating: nil, count: (sparse.keys.max() ?? -1) + 1)
        for (index, call) in sparse { slots[index] = call }
    }

    init(slots: ArraySlice<SiteCall?>) { self.slots = Array(slots) }

    /// How many positions have a call record (possibly `./.`).
    public var called: Int { slots.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    /// The call at a definition position index, `nil` when missing.
    public subscript(index: Int) -> SiteCall? {
        get { index < slots.count ? slots[index] : nil }
        set {
            if index >= slots.count { slots += Array(repeating: nil, count: index + 1 - slots.count) }
            slots[index] = newValue
        }
    }
}

/// One sample's calls at the defining positions of every gene, and the positions the VCF did not cover.
///
/// A position absent from the VCF, or called `./.`, is **missing**, never assumed to be reference: the
/// matcher leaves it out and says so.
public struct SampleSiteCalls: Sendable {
    public var sample: String
    /// Per gene, per position index of its definition: the call, or nothing when missing.
    public var calls: [String: GeneSiteCalls]
    /// Genes that cannot be called from this input at all, and why (e.g. GRCh37 positions not placed exactly).
    public var notCallable: [String: String]

    public init(sample: String, calls: [String: GeneSiteCalls], notCallable: [String: String] = [:]) {
        self.sample = sample
        self.calls = calls
        self.notCallable = notCallable
    }

    /// Positions absent from the VCF that were filled in as homozygous reference (`--assume-reference`), per gene.
    public var assumedReference: [String: Int] = [:]

    /// The same calls with every position the VCF does not have at all read as homozygous reference, for gVCF-like
    /// inputs that leave out reference sites. A position present but uncalled (`./.`) stays missing. What was
    /// assumed is counted per gene and reported with every call it touches.
    public func assumingReference(_ definitions: PGxDefinitions) -> SampleSiteCalls {
        var copy = self
        for gene in definitions.genes where notCallable[gene.gene] == nil {
            var calls = self.calls[gene.gene] ?? GeneSiteCalls(count: gene.positions.count)
            var filled = 0
            for (index, position) in gene.positions.enumerated() where calls[index] == nil {
                calls[index] = SiteCall(alleles: [position.ref, position.ref], phased: false)
                filled += 1
            }
            copy.calls[gene.gene] = calls
            if filled > 0 { copy.assumedReference[gene.gene] = filled }
        }
        return copy
    }

    /// Calls given sparsely (tests, hand-built inputs): gene → definition position index → call.
    public init(sample: String, calls: [String: [Int: SiteCall]], notCallable: [String: String] = [:]) {
        self.init(sample: sample, calls: calls.mapValues(GeneSiteCalls.init), notCallable: notCallable)
    }

    /// The definition positions with no usable call, per gene.
    public func missingPositions(of gene: GeneDefinition) -> [GeneDefinition.DefinitionPosition] {
        let called = calls[gene.gene] ?? GeneSiteCalls()
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
    /// Position key (canonical contig, POS) → the slots (gene's first slot + definition index) it fills.
    let sites: [Key: [Int]]
    /// Each indexed gene's share of a sample's slots.
    let layout: [(gene: String, start: Int, count: Int)]
    var slotCount: Int { layout.last.map { $0.start + $0.count } ?? 0 }

    struct Key: Hashable, Sendable {
        var contig: String
        var position: Int
    }

    /// One region per gene, spanning its defining positions.
    let regions: [GenomicRegion]

    /// The genome build the positions are in.
    public let build: GenomeBuild
    /// Genes left out (GRCh37: not every position placed exactly), and why.
    public let notCallable: [String: String]
    /// The same index for GRCh37 input, when the definitions carry GRCh37 positions.
    let grch37: [Key: [Int]]
    let grch37Regions: [GenomicRegion]
    let grch37Layout: [(gene: String, start: Int, count: Int)]
    let grch37NotCallable: [String: String]

    public init(definitions: PGxDefinitions) {
        (sites, regions, layout) = Self.index(definitions.genes.map { gene in (gene, gene.positions.map(\.position)) })
        build = .grch38
        notCallable = [:]
        // GRCh37: a gene is indexed only when every one of its positions has an exact GRCh37 place.
        var mapped: [(GeneDefinition, [Int])] = []
        var excluded: [String: String] = [:]
        for gene in definitions.genes {
            let map = definitions.grch37[gene.gene] ?? [:]
            let placed = gene.positions.compactMap { map[$0.position] }
            if placed.count == gene.positions.count {
                mapped.append((gene, placed))
            } else {
                excluded[gene.gene] =
                    "not called: needs GRCh38 (\(placed.count) of its \(gene.positions.count) positions can be placed exactly on GRCh37, the input's build)"
            }
        }
        (grch37, grch37Regions, grch37Layout) = Self.index(mapped)
        grch37NotCallable = excluded
    }

    private init(grch37 from: PGxSiteIndex) {
        sites = from.grch37
        regions = from.grch37Regions
        layout = from.grch37Layout
        build = .grch37
        notCallable = from.grch37NotCallable
        grch37 = [:]
        grch37Regions = []
        grch37Layout = []
        grch37NotCallable = [:]
    }

    /// Site keys, one region per gene, and the slot layout, for genes with the given positions (aligned with their
    /// definition rows).
    private static func index(
        _ genes: [(GeneDefinition, [Int])]
    ) -> ([Key: [Int]], [GenomicRegion], [(gene: String, start: Int, count: Int)]) {
        var sites: [Key: [Int]] = [:]
        var regions: [GenomicRegion] = []
        var layout: [(gene: String, start: Int, count: Int)] = []
        var next = 0
        for (gene, positions) in genes {
            guard let low = positions.min(), let high = positions.max() else { continue }
            regions.append(GenomicRegion(contig: gene.chromosome, start: low, end: high))
            layout.append((gene.gene, next, positions.count))
            for (index, position) in positions.enumerated() {
                sites[Key(contig: ContigName.canonical(gene.chromosome), position: position), default: []].append(next + index)
            }
            next += positions.count
        }
        return (sites, regions, layout)
    }

    /// Records the calls of one VCF record if it is at a defining position.
    func add(_ view: VCFRecordView, header: VCFHeader, to calls: inout [[SiteCall?]]) throws(VCFError) {
        guard let targets = sites[Key(contig: ContigName.canonical(view.chrom), position: view.position)] else { return }
        let alleles = view.alleles
        let phaseSets = try view.formatValues("PS", header: header)
        if phaseSets.isEmpty {
            // No phase sets: one SiteCall per distinct GT text, shared by every sample that has it.
            try view.forEachGenotype(header: header, make: { genotype in
                SiteCall(alleles: genotype.alleles.map { $0.map { alleles[$0] } }, phased: genotype.isPhased)
            }) { (sample, call) throws(VCFError) in
                for slot in targets { calls[sample][slot] = call }
            }
            return
        }
        for (sample, genotype) in try view.genotypes(header: header).enumerated() {
            let phaseSet = phaseSets[sample].flatMap { $0 == "." ? nil : $0 }
            let call = SiteCall(alleles: genotype.alleles.map { $0.map { alleles[$0] } }, phased: genotype.isPhased, phaseSet: phaseSet)
            for slot in targets { calls[sample][slot] = call }
        }
    }

    /// The number of distinct positions the definitions use.
    public var count: Int { sites.count }

    /// Reads every sample's calls at the defining positions.
    ///
    /// GRCh37 input (recognised from the header's contig lengths) is read at the GRCh37 places of the genes whose every
    /// position the pack places exactly; the other genes are listed in `notCallable`.
    ///
    /// - Throws: ``PGxInputError`` when the file is GRCh37 and the pack has no GRCh37 positions, and
    ///   the file's read and parse errors.
    public func collect(from file: VCFFile) async throws -> [SampleSiteCalls] {
        if file.header.build.build == .grch37 && build == .grch38 {
            guard !grch37.isEmpty else {
                throw PGxInputError(
                    message:
                        "\(file.path) is GRCh37 (\(file.header.build.reason)); the allele definitions are GRCh38 positions, so genes cannot be called from it"
                )
            }
            return try await PGxSiteIndex(grch37: self).collect(from: file)
        }
        let header = file.header
        let samples = header.samples
        let index = self
        // With a tabix/CSI index, read only the genes' regions instead of the whole genome.
        let empty = [[SiteCall?]](repeating: [SiteCall?](repeating: nil, count: slotCount), count: samples.count)
        var calls: [[SiteCall?]]
        if file.container == .bgzf, let genomeIndex = try GenomicIndex.load(forVCF: file.path, header: header) {
            calls = empty
            for region in regions {
                try file.query(region, index: genomeIndex) { (view) throws(VCFError) in try index.add(view, header: header, to: &calls) }
            }
        } else {
            (calls, _) = try await file.scan(
                initial: empty,
                record: { (acc: inout [[SiteCall?]], view: VCFRecordView) throws(VCFError) in try index.add(view, header: header, to: &acc) },
                merge: { total, part in
                    for sample in part.indices {
                        for (slot, call) in part[sample].enumerated() where call != nil { total[sample][slot] = call }
                    }
                })
        }
        return samples.enumerated().map { sample, name in
            var genes: [String: GeneSiteCalls] = [:]
            for (gene, start, count) in layout { genes[gene] = GeneSiteCalls(slots: calls[sample][start..<start + count]) }
            return SampleSiteCalls(sample: name, calls: genes, notCallable: notCallable)
        }
    }
}
