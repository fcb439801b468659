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

/// The distinct calls seen at each site of a run, shared by every sample: a cohort's thousand samples at a site
/// have a handful of distinct genotypes, so a sample stores a small code per site, not a call.
public final class SiteCallTable: Sendable {
    /// Per slot (a gene's first slot + definition index): the distinct calls, indexed by code - 1.
    let calls: [[SiteCall]]

    init(calls: [[SiteCall]]) { self.calls = calls }

    /// A copy that shares no storage with this one. Threads that read one table contend on its reference counts
    /// (every read of a shared array is an atomic retain and release): each worker reads its own copy.
    public func detachedCopy() -> SiteCallTable {
        SiteCallTable(
            calls: calls.map { slot in
                slot.map { call in
                    SiteCall(
                        alleles: call.alleles.map { $0.map { String(decoding: Array($0.utf8), as: UTF8.self) } }, phased: call.phased,
                        phaseSet: call.phaseSet.map { String(decoding: Array($0.utf8), as: UTF8.self) })
                }
            })
    }
}

/// One sample's calls at one gene's positions, by definition index: a code per position (0 = no record in the
/// VCF) into the run's ``SiteCallTable``. Equal codes from the same table are equal calls, so a cohort session can
/// recognise a genotype pattern it has seen by comparing a few hundred small integers.
public struct GeneSiteCalls: Sendable {
    /// Per definition index: 0 when the VCF has no record there, else 1 + the call's index in its slot's table.
    public let codes: [UInt16]
    let table: SiteCallTable
    /// The table slot of definition index 0.
    let offset: Int

    init(codes: [UInt16], table: SiteCallTable, offset: Int) {
        self.codes = codes
        self.table = table
        self.offset = offset
    }

    public init() { self.init([:]) }

    /// Calls given sparsely (tests, hand-built inputs), with a table of their own.
    public init(_ sparse: [Int: SiteCall]) {
        let count = (sparse.keys.max() ?? -1) + 1
        var codes = [UInt16](repeating: 0, count: count)
        var calls = [[SiteCall]](repeating: [], count: count)
        for (index, call) in sparse {
            codes[index] = 1
            calls[index] = [call]
        }
        self.init(codes: codes, table: SiteCallTable(calls: calls), offset: 0)
    }

    /// How many positions have a call record (possibly `./.`).
    public var called: Int { codes.reduce(0) { $0 + ($1 == 0 ? 0 : 1) } }

    /// The call at a definition position index, `nil` when the VCF has no record there.
    public subscript(index: Int) -> SiteCall? {
        guard index < codes.count, codes[index] > 0 else { return nil }
        return table.calls[offset + index][Int(codes[index]) - 1]
    }

    /// The table these codes index, for telling patterns from different runs apart.
    public var tableID: ObjectIdentifier { ObjectIdentifier(table) }

    /// The same calls read through another copy of the table (see ``SiteCallTable/detachedCopy()``).
    func reading(_ other: SiteCallTable) -> GeneSiteCalls { GeneSiteCalls(codes: codes, table: other, offset: offset) }
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

    /// Calls given sparsely (tests, hand-built inputs): gene → definition position index → call.
    public init(sample: String, calls: [String: [Int: SiteCall]], notCallable: [String: String] = [:]) {
        self.init(sample: sample, calls: calls.mapValues(GeneSiteCalls.init), notCallable: notCallable)
    }

    /// The definition positions with no usable call, per gene.
    /// A call with one allele missing and the other the reference (`0/.`) says nothing a variant could be judged
    /// by, so it counts as missing, as PharmCAT counts it; `./1` is not missing (it shows a variant) but is not a
    /// complete genotype either: the matcher refuses to call the gene from it.
    public func missingPositions(of gene: GeneDefinition) -> [GeneDefinition.DefinitionPosition] {
        let called = calls[gene.gene] ?? GeneSiteCalls()
        return gene.positions.indices.filter { index in
            guard let call = called[index] else { return true }
            return call.alleles.allSatisfy { $0 == nil || $0 == gene.positions[index].ref }
                && call.alleles.contains { $0 == nil }
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
    /// Each slot's reference base in this index's build (GRCh38 only: the pack has no GRCh37 reference bases, so a
    /// GRCh37 index has none and cannot assume reference).
    let slotReferences: [String]

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
        slotReferences = definitions.genes.flatMap { $0.positions.map(\.ref) }
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
        slotReferences = []
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

    /// What collection accumulates: a code per sample per slot (flat, sample-major) and each slot's distinct calls.
    struct Collected: Sendable {
        var codes: [UInt16]
        var calls: [[SiteCall]?]
        let slots: Int

        init(samples: Int, slots: Int) {
            codes = [UInt16](repeating: 0, count: samples * slots)
            calls = [[SiteCall]?](repeating: nil, count: slots)
            self.slots = slots
        }

        /// Takes the slots `part` has records for (a later record at a slot replaces an earlier one, as in a scan).
        mutating func merge(_ part: Collected) {
            let samples = slots == 0 ? 0 : codes.count / slots
            for (slot, table) in part.calls.enumerated() {
                guard let table else { continue }
                calls[slot] = table
                for sample in 0..<samples { codes[sample * slots + slot] = part.codes[sample * slots + slot] }
            }
        }
    }

    /// Records the calls of one VCF record if it is at a defining position: each distinct genotype once, and a code
    /// per sample.
    func add(_ view: VCFRecordView, header: VCFHeader, to collected: inout Collected) throws(VCFError) {
        guard let targets = sites[Key(contig: ContigName.canonical(view.chrom), position: view.position)] else { return }
        let alleles = view.alleles
        let slots = collected.slots
        var table: [SiteCall] = []
        let phaseSets = try view.formatValues("PS", header: header)
        if phaseSets.isEmpty {
            try view.forEachGenotypeCode(header: header) { genotype in
                table.append(SiteCall(alleles: genotype.alleles.map { $0.map { alleles[$0] } }, phased: genotype.isPhased))
            } _: { (sample, code) throws(VCFError) in
                guard code < Int(UInt16.max) else { throw VCFError(.record, "more than 65,534 distinct genotypes at one site", field: "GT") }
                for slot in targets { collected.codes[sample * slots + slot] = UInt16(code + 1) }
            }
        } else {
            // Phase sets make calls per sample: number the distinct (genotype, phase set) pairs.
            var seen: [SiteCall: Int] = [:]
            for (sample, genotype) in try view.genotypes(header: header).enumerated() {
                let phaseSet = phaseSets[sample].flatMap { $0 == "." ? nil : $0 }
                let call = SiteCall(alleles: genotype.alleles.map { $0.map { alleles[$0] } }, phased: genotype.isPhased, phaseSet: phaseSet)
                let code: Int
                if let known = seen[call] {
                    code = known
                } else {
                    code = table.count
                    guard code < Int(UInt16.max) else { throw VCFError(.record, "more than 65,534 distinct genotypes at one site", field: "GT") }
                    table.append(call)
                    seen[call] = code
                }
                for slot in targets { collected.codes[sample * slots + slot] = UInt16(code + 1) }
            }
        }
        for slot in targets { collected.calls[slot] = table }
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
    /// - Parameter assumeReference: read positions ABSENT from the file as homozygous reference (gVCF-like inputs
    ///   that leave reference sites out); `./.` stays missing; what was assumed is counted per sample and gene
    ///   (``SampleSiteCalls/assumedReference``). GRCh38 only.
    public func collect(from file: VCFFile, assumeReference: Bool = false) async throws -> [SampleSiteCalls] {
        if file.header.build.build == .grch37 && build == .grch38 {
            guard !grch37.isEmpty else {
                throw PGxInputError(
                    message:
                        "\(file.path) is GRCh37 (\(file.header.build.reason)); the allele definitions are GRCh38 positions, so genes cannot be called from it"
                )
            }
            guard !assumeReference else {
                throw PGxInputError(
                    message: "\(file.path) is GRCh37: assuming reference needs each position's GRCh37 reference base, which the pack does not have")
            }
            return try await PGxSiteIndex(grch37: self).collect(from: file)
        }
        let header = file.header
        let samples = header.samples
        guard !samples.isEmpty else {
            throw PGxInputError(message: "\(file.path) has no samples (a sites-only VCF): there are no genotypes to call")
        }
        let index = self
        // With a tabix/CSI index, read only the genes' regions instead of the whole genome.
        var collected = Collected(samples: samples.count, slots: slotCount)
        if file.container == .bgzf, let genomeIndex = try GenomicIndex.load(forVCF: file.path, header: header) {
            for region in regions {
                try file.query(region, index: genomeIndex) { (view) throws(VCFError) in try index.add(view, header: header, to: &collected) }
            }
        } else {
            let empty = collected
            (collected, _) = try await file.scan(
                initial: empty,
                record: { (acc: inout Collected, view: VCFRecordView) throws(VCFError) in try index.add(view, header: header, to: &acc) },
                merge: { total, part in total.merge(part) })
        }
        let slots = slotCount
        // Assumed reference: one more call per slot (REF/REF), given to every sample without a record there.
        var assumed = [[String: Int]](repeating: [:], count: assumeReference ? samples.count : 0)
        if assumeReference {
            for (gene, start, count) in layout {
                for slot in start..<start + count {
                    var table = collected.calls[slot] ?? []
                    table.append(SiteCall(alleles: [slotReferences[slot], slotReferences[slot]], phased: false))
                    collected.calls[slot] = table
                    let code = UInt16(table.count)
                    for sample in samples.indices where collected.codes[sample * slots + slot] == 0 {
                        collected.codes[sample * slots + slot] = code
                        assumed[sample][gene, default: 0] += 1
                    }
                }
            }
        }
        let table = SiteCallTable(calls: collected.calls.map { $0 ?? [] })
        return samples.enumerated().map { sample, name in
            var genes: [String: GeneSiteCalls] = [:]
            for (gene, start, count) in layout {
                let base = sample * slots + start
                genes[gene] = GeneSiteCalls(codes: Array(collected.codes[base..<base + count]), table: table, offset: start)
            }
            var result = SampleSiteCalls(sample: name, calls: genes, notCallable: notCallable)
            if assumeReference { result.assumedReference = assumed[sample] }
            return result
        }
    }
}
