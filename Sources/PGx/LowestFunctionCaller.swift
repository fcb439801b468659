/// Calls DPYD and RYR1 as PharmCAT does (docs/methods/Gene-Definition-Exceptions; `LowestFunctionGeneCaller`):
/// their named alleles are single variants, a person can carry several on one strand, and what matters for
/// prescribing is the **lowest-function** variant on each strand.
///
/// - Phased (or effectively phased) data: each strand lists the variants on it (`[a + b]` when several), and
///   the strand's lowest-function variant represents it.
/// - Unphased data with several heterozygous variants: the strands cannot be told apart, so the variants are
///   listed (a homozygous one twice) and the **two lowest-function** ones are used, the conservative choice.
/// - An allele defined by several positions (DPYD's HapB3: intronic c.1129-5923C>G with exonic c.1236G>A)
///   absorbs the allele defined by a subset of them (the intronic-only c.1129-5923C>G) on the same strand.
///
/// "Lowest function": DPYD by CPIC activity value (an allele without one first, as PharmCAT orders them); RYR1
/// malignant-hyperthermia-associated variants first. Ties by allele name.
public struct LowestFunctionCaller: Sendable {
    public let definition: GeneDefinition
    public let exemptions: GeneExemptions.Gene
    /// Allele → function and activity value, from the gene's phenotype table.
    public let functions: [String: PhenotypeTable.AlleleFunction]

    public static let genes: Set<String> = ["DPYD", "RYR1"]

    /// Reads the sample's calls at the gene's positions (shared preparation with the matcher).
    let observer: NamedAlleleMatcher
    /// Each non-reference allele's defining cells (definition index, base), computed once per gene.
    let variants: [Variant]
    /// Allele → the alleles whose defining positions strictly include its own (HapB3 absorbs the intronic-only allele).
    let absorbers: [String: [String]]

    struct Variant: Sendable {
        var name: String
        var cells: [(index: Int, cell: String)]
    }

    /// Definition index → the variants with a cell there: a sample's candidates are the variants at its
    /// non-reference positions, a handful, not all of RYR1's 338.
    let variantsAt: [[Int]]
    /// Allele name → its place in lowest-function order (lower = lower function), computed once.
    let functionRank: [String: Int]
    /// Allele name → its place in name order (`*2` before `*10`), computed once.
    let nameRank: [String: Int]

    public init(definition: GeneDefinition, exemptions: GeneExemptions.Gene = .init(), functions: [String: PhenotypeTable.AlleleFunction]) {
        self.definition = definition
        self.exemptions = exemptions
        self.functions = functions
        self.observer = NamedAlleleMatcher(definition: definition, exemptions: exemptions)
        let variants = definition.alleles.dropFirst().map { allele in
            Variant(name: allele.name, cells: allele.alleles.enumerated().compactMap { i, cell in cell.map { (i, $0) } })
        }
        self.variants = variants
        var absorbers: [String: [String]] = [:]
        let multi = variants.filter { $0.cells.count > 1 }
        for small in variants {
            let positions = Set(small.cells.map(\.index))
            for big in multi where big.cells.count > small.cells.count && positions.isSubset(of: big.cells.map(\.index)) {
                absorbers[small.name, default: []].append(big.name)
            }
        }
        self.absorbers = absorbers
        var at = [[Int]](repeating: [], count: definition.positions.count)
        for (v, variant) in variants.enumerated() {
            for cell in variant.cells { at[cell.index].append(v) }
        }
        variantsAt = at
        let names = ["Reference"] + definition.alleles.map(\.name)
        let byName = names.sorted(by: AlleleName.precedes)
        nameRank = Dictionary(byName.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let caller = Self.lowerFunction(gene: definition.gene, functions: functions)
        functionRank = Dictionary(names.sorted(by: caller).enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public struct Call: Sendable, Hashable {
        public var gene: String
        /// Phased: one diplotype of strand labels (`Reference/c.2846A>T`, `[c.498G>A + c.2582A>G]/Reference`);
        /// unphased: each variant found, once.
        public var labels: [String]
        /// As PharmCAT prints them: `c.2846A>T (heterozygous)`, `c.2933A>G (homozygous)`.
        public var printCalls: [String]
        /// The two alleles the phenotype and guidelines are looked up with.
        public var recommendation: [String]
        public var phased: Bool
        public var missingPositions: [GeneDefinition.DefinitionPosition]
        public var warnings: [String]

        public var isCalled: Bool { !recommendation.isEmpty }
    }

    public func call(_ sample: SampleSiteCalls) -> Call {
        let o = observer.observe(sample)
        var call = Call(
            gene: definition.gene, labels: [], printCalls: [], recommendation: [], phased: o.phased, missingPositions: o.result.missingPositions,
            warnings: o.result.warnings)
        guard o.usable else { return call }
        // Each variant's cells at the active positions, as (slot in the observation, base).
        var slotOf = [Int](repeating: -1, count: definition.positions.count)
        for (slot, index) in o.active.enumerated() { slotOf[index] = slot }
        struct Active {
            var name: String
            var cells: [(slot: Int, cell: String)]
            var definedInactive: Bool
        }
        var present: [Active] = []
        var partial: [(name: String, hits: Int, of: Int)] = []
        // Candidates: variants with a cell where the sample is not the reference (a variant none of whose cells the
        // sample carries is on neither strand, and cannot be partly present either).
        let reference = observer.prepared.referenceBases
        var candidates = Set<Int>()
        for (slot, index) in o.active.enumerated() {
            let (a, b) = o.strands[slot]
            if !NamedAlleleMatcher.matches(reference[index], a) || !NamedAlleleMatcher.matches(reference[index], b) {
                candidates.formUnion(variantsAt[index])
            }
        }
        for v in candidates.sorted().map({ variants[$0] }) {
            let cells = v.cells.compactMap { slotOf[$0.index] >= 0 ? (slot: slotOf[$0.index], cell: $0.cell) : nil }
            guard !cells.isEmpty else { continue }
            present.append(Active(name: v.name, cells: cells, definedInactive: cells.count < v.cells.count))
        }
        func isPresent(_ v: Active, on strand: Strand) -> Bool {
            v.cells.allSatisfy { NamedAlleleMatcher.matches($0.cell, strand.of(o.strands[$0.slot])) }
        }
        for v in present where v.cells.count > 1 {
            // Part of a multi-position allele without the rest (DPYD: exonic c.1236G>A without the intronic marker).
            for strand in [Strand.first, Strand.second] {
                let hits = v.cells.filter { NamedAlleleMatcher.matches($0.cell, strand.of(o.strands[$0.slot])) }.count
                let explained = present.contains { $0.name != v.name && (absorbers[$0.name]?.contains(v.name) ?? false) && isPresent($0, on: strand) }
                if hits > 0 && hits < v.cells.count && !explained { partial.append((v.name, hits, v.cells.count)) }
            }
            if v.definedInactive && isPresent(v, on: .first) {
                call.warnings.append("\(v.name) called without all of its defining positions (some are missing from the VCF)")
            }
        }
        for p in partial {
            call.warnings.append("only part of \(p.name) is present (\(p.hits) of its \(p.of) variants): it is not called")
        }
        let order = { (a: String, b: String) -> Bool in self.lower(a, b) }
        if o.phased {
            var strandAlleles: [[String]] = []
            for strand in [Strand.first, Strand.second] {
                let all = present.filter { isPresent($0, on: strand) }.map(\.name)
                let found = all.filter { small in !(absorbers[small]?.contains { all.contains($0) } ?? false) }
                strandAlleles.append(found.sorted(by: byName))
            }
            if o.haploid { strandAlleles.removeLast() }
            let labels = strandAlleles.map { $0.isEmpty ? "Reference" : $0.count == 1 ? $0[0] : "[" + $0.joined(separator: " + ") + "]" }
            let ordered = labels.sorted(by: Self.labelOrder)
            call.labels = [ordered.joined(separator: "/")]
            if ordered.count == 2, ordered[0] == "Reference", ordered[1] != "Reference" {
                call.printCalls = ["\(ordered[1]) (heterozygous)"]
            } else {
                call.printCalls = call.labels
            }
            call.recommendation = strandAlleles.map { $0.sorted(by: order).first ?? "Reference" }.sorted(by: Self.labelOrder)
            if strandAlleles.contains(where: { $0.count > 1 }) {
                call.warnings.append("a strand carries several variants: its lowest-function variant is used for the phenotype")
            }
        } else {
            var copies: [String: Int] = [:]
            for v in present {
                let n = [Strand.first, Strand.second].filter { isPresent(v, on: $0) }.count
                if n > 0 { copies[v.name] = n }
            }
            for (small, bigs) in absorbers {
                guard let n = copies[small] else { continue }
                let absorbed = bigs.reduce(0) { $0 + (copies[$1] ?? 0) }
                copies[small] = n - absorbed > 0 ? n - absorbed : nil
            }
            let names = copies.keys.sorted(by: byName)
            call.labels = names
            call.printCalls = names.map { copies[$0] == 2 ? "\($0) (homozygous)" : $0 }
            var list = names.flatMap { Array(repeating: $0, count: copies[$0]!) }.sorted(by: order)
            while list.count < 2 { list.append("Reference") }
            call.recommendation = Array(list.prefix(2)).sorted(by: Self.labelOrder)
            if names.isEmpty { call.labels = ["Reference/Reference"]; call.printCalls = call.labels }
            if list.count > 2 {
                call.warnings.append(
                    "unphased: \(list.count) variant alleles; the two lowest-function ones (\(call.recommendation.joined(separator: ", "))) are used for the phenotype, which may understate activity if they are on the same strand"
                )
            }
        }
        return call
    }

    /// Whether allele `a` has lower function than `b` for this gene (by the precomputed order).
    func lower(_ a: String, _ b: String) -> Bool {
        (functionRank[a] ?? Int.max, a) < (functionRank[b] ?? Int.max, b)
    }

    /// The lowest-function order: DPYD by CPIC activity value (an allele without one first, as PharmCAT orders
    /// them; "Reference" never lowest), RYR1 malignant-hyperthermia-associated first; ties by allele name.
    static func lowerFunction(gene: String, functions: [String: PhenotypeTable.AlleleFunction]) -> (String, String) -> Bool {
        { a, b in
            if gene == "RYR1" {
                let ma = functions[a]?.function?.contains("Malignant") == true, mb = functions[b]?.function?.contains("Malignant") == true
                if ma != mb { return ma }
                return AlleleName.precedes(a, b)
            }
            let va = a == "Reference" ? 9 : functions[a]?.activityValue.flatMap(Double.init) ?? -1
            let vb = b == "Reference" ? 9 : functions[b]?.activityValue.flatMap(Double.init) ?? -1
            if va != vb { return va < vb }
            return AlleleName.precedes(a, b)
        }
    }

    /// Name order by the precomputed ranks (names outside the table after, by text).
    func byName(_ a: String, _ b: String) -> Bool { (nameRank[a] ?? Int.max, a) < (nameRank[b] ?? Int.max, b) }

    /// Reference first, single alleles before combinations, then by name.
    static func labelOrder(_ a: String, _ b: String) -> Bool {
        func rank(_ s: String) -> Int { s == "Reference" ? 0 : s.hasPrefix("[") ? 2 : 1 }
        if rank(a) != rank(b) { return rank(a) < rank(b) }
        return AlleleName.precedes(a, b)
    }
}
