/// Calls a gene's diplotypes from a sample's calls at its defining positions, as PharmCAT's Named Allele
/// Matcher does (docs/methods/NamedAlleleMatcher-101):
///
/// - a blank cell in the definition table means "the reference row's base" but adds nothing to the score;
/// - an allele's score is its number of non-blank cells at positions the sample has data for; a diplotype's
///   score is the sum of its two alleles';
/// - a position with no usable call is dropped from every allele (never assumed to be reference), so
///   alleles that differ only there tie, and an allele defined only by missing positions cannot be called;
/// - unphased data: a pair of alleles is plausible when, at every position, their two bases are the
///   sample's two bases; phased data (or effectively phased: heterozygous at no more than one position,
///   within one phase set): each strand is matched on its own;
/// - every top-scoring diplotype is reported, so ambiguity is visible rather than hidden.
public struct NamedAlleleMatcher: Sendable {
    public let definition: GeneDefinition
    public let exemptions: GeneExemptions.Gene
    /// The table in the sparse form matching walks, made once per gene.
    let prepared: Prepared

    public init(definition: GeneDefinition, exemptions: GeneExemptions.Gene = .init()) {
        self.definition = definition
        self.exemptions = exemptions
        self.prepared = Prepared(definition)
    }

    struct Prepared: Sendable {
        struct Allele: Sendable {
            var name: String
            var isReference: Bool
            /// Definition indexes of the allele's non-blank cells (its score before missing positions).
            var defined: [Int]
            /// The cells that differ from the reference row's base.
            var nonReference: [(index: Int, cell: String)]
        }
        /// The reference row's base at each position (the position's REF where the row is blank).
        var referenceBases: [String]
        /// REF and ALTs of each position: any other allele in the VCF is undocumented.
        var knownAlleles: [Set<String>]
        var alleles: [Allele]

        init(_ definition: GeneDefinition) {
            let reference = definition.alleles[0]
            let refBases = definition.positions.indices.map { reference.alleles[$0] ?? definition.positions[$0].ref }
            referenceBases = refBases
            knownAlleles = definition.positions.map { Set([$0.ref] + $0.alts) }
            alleles = definition.alleles.map { allele in
                let defined = allele.alleles.indices.filter { allele.alleles[$0] != nil }
                return Allele(
                    name: allele.name, isReference: allele.isReference, defined: defined,
                    nonReference: defined.compactMap { i in allele.alleles[i] == refBases[i] ? nil : (i, allele.alleles[i]!) })
            }
        }
    }

    /// Genes whose undocumented alleles are read as reference, with a warning, so that their toxicity
    /// recommendations still appear (PharmCAT's rule); any other gene is not called from an undocumented allele.
    static let undocumentedAsReference: Set<String> = ["CACNA1S", "DPYD", "G6PD", "NUDT15", "RYR1", "TPMT"]

    /// The outcome for one gene and sample.
    public struct GeneCall: Sendable, Hashable {
        public var gene: String
        /// Top-scoring diplotypes, as allele-name pairs (each pair in name order); empty when not called.
        public var diplotypes: [Diplotype]
        /// Whether the call used phase (GT `|` within one phase set, or effectively phased data).
        public var phased: Bool
        /// Definition positions with no usable call.
        public var missingPositions: [GeneDefinition.DefinitionPosition]
        /// Why the gene was not called, or what limits the call.
        public var warnings: [String]

        public var isCalled: Bool { !diplotypes.isEmpty }
    }

    /// Two named alleles, or one for a hemizygous call (G6PD in a male: `second` is `nil`).
    public struct Diplotype: Sendable, Hashable, CustomStringConvertible {
        public var first: String
        public var second: String?
        public var score: Int

        public init(first: String, second: String?, score: Int) {
            self.first = first
            self.second = second
            self.score = score
        }

        public var alleles: [String] { [first] + (second.map { [$0] } ?? []) }
        public var description: String { alleles.joined(separator: "/") }
    }

    /// What the sample shows at the gene's positions, before any allele is named.
    struct Observation {
        var result: GeneCall
        /// Definition indexes of the positions with a complete call.
        var active: [Int] = []
        /// The two strands' bases at each active position (a haploid call is seen on both).
        var strands: [(String, String)] = []
        /// Every active call is haploid (chrX in a male).
        var haploid = false
        /// Phased, or effectively phased (heterozygous at no more than one position, or all in one phase set).
        var phased = false
        /// Whether the call can go on (no undocumented allele, no missing required position, some data).
        var usable = false
    }

    /// Reads the sample's calls at the gene's positions: missing positions, undocumented alleles (read as
    /// reference for the toxicity genes, stopping the call otherwise), required positions, and phase.
    func observe(_ sample: SampleSiteCalls) -> Observation {
        let positions = definition.positions
        let missing = sample.missingPositions(of: definition)
        var o = Observation(result: GeneCall(gene: definition.gene, diplotypes: [], phased: false, missingPositions: missing, warnings: []))
        let called = sample.calls[definition.gene] ?? GeneSiteCalls()
        let missingRequired = exemptions.requiredPositions.filter { p in missing.contains { $0.position == p } }
        if !missingRequired.isEmpty {
            o.result.warnings.append(
                "not called: required position(s) \(missingRequired.map { "\(definition.chromosome):\($0)" }.joined(separator: ", ")) missing")
            return o
        }
        let missingTier1 = missing.filter { exemptions.amp1Positions.contains($0.position) }
        if !missingTier1.isEmpty {
            o.result.warnings.append(
                "\(missingTier1.count) position(s) of AMP Tier-1 alleles (\(exemptions.amp1Alleles.joined(separator: ", "))) missing: those alleles cannot be ruled out"
            )
        }
        var phaseSets = Set<String>()
        var allPhased = true
        var heterozygous = 0
        var undocumented = false
        var haploidCalls = 0
        // Active positions: a call with every allele present. '0/.' counts as missing (see missingPositions); a partial
        // call that shows a non-reference allele ('./1') leaves the gene uncalled rather than guessing the other strand.
        var partial: [String] = []
        for index in positions.indices {
            guard let call = called[index], call.alleles.count >= 1 else { continue }
            if call.alleles.contains(where: { $0 == nil }) {
                if call.alleles.contains(where: { $0 != nil && $0 != positions[index].ref }) {
                    partial.append("\(definition.chromosome):\(positions[index].position) (\(positions[index].rsid ?? "no rsID"))")
                }
                continue
            }
            var first = call.alleles[0]!
            var second = call.alleles.count >= 2 ? call.alleles[1]! : first  // haploid: one strand, seen twice
            if call.alleles.count == 1 { haploidCalls += 1 }
            let known = prepared.knownAlleles[index]
            for base in (first == second ? [first] : [first, second].sorted()) where !known.contains(base) {
                let place = "\(definition.chromosome):\(positions[index].position) (\(positions[index].rsid ?? "no rsID"))"
                if Self.undocumentedAsReference.contains(definition.gene) {
                    o.result.warnings.append("undocumented allele \(base) at \(place) read as reference so that toxicity guidance still applies")
                    if first == base { first = positions[index].ref }
                    if second == base { second = positions[index].ref }
                } else {
                    undocumented = true
                    o.result.warnings.append("undocumented allele \(base) at \(place): the gene cannot be called from it")
                }
            }
            o.active.append(index)
            o.strands.append((first, second))
            if first != second {
                heterozygous += 1
                if !call.phased { allPhased = false }
                if let set = call.phaseSet { phaseSets.insert(set) }
            }
        }
        guard !undocumented else { return o }
        guard partial.isEmpty else {
            o.result.warnings.append(
                "not called: partial genotype with a variant allele and a missing one at \(partial.joined(separator: ", ")); the other allele is unknown")
            return o
        }
        guard !o.active.isEmpty else {
            o.result.warnings.append("no calls at any of the \(positions.count) defining positions")
            return o
        }
        o.haploid = haploidCalls == o.active.count
        o.phased = o.haploid || heterozygous <= 1 || (allPhased && phaseSets.count <= 1)
        o.result.phased = o.phased
        o.usable = true
        return o
    }

    /// Calls the gene for one sample.
    public func call(_ sample: SampleSiteCalls) -> GeneCall {
        let o = observe(sample)
        guard o.usable else { return o.result }
        var result = o.result
        if let reason = Self.withheld[definition.gene] {
            result.warnings.append(reason)
            return result
        }
        let positions = definition.positions
        let active = o.active, strands = o.strands, phased = o.phased

        // Sparse matching: an allele differs from the reference row only at its few non-reference cells, and a sample
        // only at its few non-reference calls, so each test walks those, not every position (a 313-position gene
        // costs what its variants cost). Equivalent to comparing every allele's base with the sample's at every
        // active position, blank cells reading as the reference row's base.
        var slotOf = [Int](repeating: -1, count: positions.count)
        for (slot, index) in active.enumerated() { slotOf[index] = slot }
        let refBase = prepared.referenceBases
        func nonReference(_ strand: Strand) -> [Int] {
            active.indices.filter { !Self.matches(refBase[active[$0]], strand.of(strands[$0])) }
        }
        let nonRef1 = nonReference(.first), nonRef2 = nonReference(.second)
        let heterozygous = active.indices.filter { strands[$0].0 != strands[$0].1 }
        let homNonRef = Set(nonRef1).intersection(nonRef2).filter { strands[$0].0 == strands[$0].1 }.sorted()
        struct Candidate {
            var name: String
            var score: Int
            /// Non-reference cells at active positions: slot → cell.
            var cells: [Int: String]
        }
        var candidates: [Candidate] = []
        for allele in prepared.alleles {
            let score = allele.defined.reduce(0) { $0 + (slotOf[$1] >= 0 ? 1 : 0) }
            // An allele none of whose defining positions has data cannot be told from the reference.
            if score == 0 && !allele.isReference { continue }
            var cells: [Int: String] = [:]
            for (index, cell) in allele.nonReference where slotOf[index] >= 0 { cells[slotOf[index]] = cell }
            candidates.append(Candidate(name: allele.name, score: score, cells: cells))
        }
        func base(_ c: Candidate, _ slot: Int) -> String { c.cells[slot] ?? refBase[active[slot]] }
        func onStrand(_ c: Candidate, _ strand: Strand, _ nonRef: [Int]) -> Bool {
            c.cells.allSatisfy { Self.matches($0.value, strand.of(strands[$0.key])) }
                && nonRef.allSatisfy { Self.matches(base(c, $0), strand.of(strands[$0])) }
        }
        var found: [Diplotype] = []
        if o.haploid {
            for a in candidates where onStrand(a, .first, nonRef1) { found.append(Diplotype(first: a.name, second: nil, score: a.score)) }
        } else if phased {
            let firstStrand = candidates.filter { onStrand($0, .first, nonRef1) }
            let secondStrand = candidates.filter { onStrand($0, .second, nonRef2) }
            for a in firstStrand {
                for b in secondStrand { found.append(Self.diplotype(a.name, b.name, score: a.score + b.score)) }
            }
        } else {
            // Alleles whose every base is one of the sample's two bases there; then pairs that reproduce each genotype.
            let compatible = candidates.filter { c in
                c.cells.allSatisfy { Self.matches($0.value, strands[$0.key].0) || Self.matches($0.value, strands[$0.key].1) }
                    && homNonRef.allSatisfy { Self.matches(base(c, $0), strands[$0].0) }
            }
            let varying = Set(heterozygous).union(homNonRef)
            for (i, a) in compatible.enumerated() {
                for b in compatible[i...] {
                    let slots = varying.union(a.cells.keys).union(b.cells.keys)
                    let plausible = slots.allSatisfy { slot in
                        let (x, y) = (base(a, slot), base(b, slot)), genotype = strands[slot]
                        return (Self.matches(x, genotype.0) && Self.matches(y, genotype.1)) || (Self.matches(x, genotype.1) && Self.matches(y, genotype.0))
                    }
                    if plausible { found.append(Self.diplotype(a.name, b.name, score: a.score + b.score)) }
                }
            }
        }
        guard let best = found.map(\.score).max() else {
            result.warnings.append("no pair of named alleles explains the genotypes (a novel or combined haplotype)")
            return result
        }
        var seen = Set<String>()
        // With unphased data for a gene that has frequency priorities (NAT2), PharmCAT keeps every plausible pair,
        // not only the top-scoring ones, and lets the priority list choose among them.
        let priorityMode = !phased && !exemptions.unphasedPriorities.isEmpty
        result.diplotypes = found.filter { priorityMode || $0.score == best }.filter { seen.insert($0.description).inserted }
            .sorted { a, b in
                a.score != b.score ? a.score > b.score : a.alleles.lexicographicallyPrecedes(b.alleles, by: AlleleName.precedes)
            }
        // NAT2: an unphased tie that population frequency resolves (PharmCAT: the first priority, in its order,
        // whose list is contained in the tied calls).
        let tied = Set(result.diplotypes.map(\.description))
        if !phased, result.diplotypes.count > 1,
            let priority = exemptions.unphasedPriorities.first(where: { $0.list.isSubset(of: tied) }),
            let pick = result.diplotypes.first(where: { $0.description == priority.pick })
        {
            result.warnings.append(
                "unphased tie between \(result.diplotypes.map(\.description).joined(separator: ", ")) resolved to \(pick) by population frequency (PharmCAT's priority list)"
            )
            result.diplotypes = [pick]
        }
        if result.diplotypes.count > 1 {
            result.warnings.append(
                priorityMode
                    ? "ambiguous: \(result.diplotypes.count) diplotypes are possible from unphased data and no frequency priority chooses between them; phased data would"
                    : "ambiguous: \(result.diplotypes.count) diplotypes fit equally well; phased data or the missing positions would tell them apart")
        }
        return result
    }

    /// Genes not called by table matching, and why (PharmCAT's gene exceptions). DPYD and RYR1 are called by
    /// ``LowestFunctionCaller``.
    static let withheld: [String: String] = [
        "CYP2D6":
            "not called from a VCF: gene deletions, duplications and hybrids are invisible in SNV/indel calls; give CYP2D6 as an outside call from an SV-aware caller",
        "DPYD": "DPYD is called by its lowest-function rule, not by diplotype matching",
        "RYR1": "RYR1 is called by its lowest-function rule, not by diplotype matching",
    ]

    /// Whether a definition cell matches a called base: exact for sequences, by IUPAC code for single letters.
    static func matches(_ cell: String, _ base: String) -> Bool {
        if cell == base { return true }
        guard cell.utf8.count == 1, base.utf8.count == 1, let options = iupac[cell] else { return false }
        return options.contains(base)
    }

    static let iupac: [String: Set<String>] = [
        "R": ["A", "G"], "Y": ["C", "T"], "S": ["G", "C"], "W": ["A", "T"], "K": ["G", "T"], "M": ["A", "C"],
        "B": ["C", "G", "T"], "D": ["A", "G", "T"], "H": ["A", "C", "T"], "V": ["A", "C", "G"], "N": ["A", "C", "G", "T"],
    ]

    static func diplotype(_ a: String, _ b: String, score: Int) -> Diplotype {
        AlleleName.precedes(b, a) ? Diplotype(first: b, second: a, score: score) : Diplotype(first: a, second: b, score: score)
    }
}

/// Orders allele names as people read them: `*2` before `*10`, `*4A` before `*4B`.
enum AlleleName {
    static func precedes(_ a: String, _ b: String) -> Bool {
        let ka = key(a), kb = key(b)
        for (x, y) in zip(ka, kb) where x != y {
            switch (x, y) {
            case (.number(let p), .number(let q)): return p < q
            case (.text(let p), .text(let q)): return p < q
            case (.number, .text): return true
            case (.text, .number): return false
            }
        }
        return ka.count < kb.count
    }

    enum Part: Equatable {
        case number(Int)
        case text(String)
    }

    static func key(_ name: String) -> [Part] {
        var parts: [Part] = []
        var digits = "", text = ""
        for c in name {
            if c.isNumber {
                if !text.isEmpty { parts.append(.text(text)); text = "" }
                digits.append(c)
            } else {
                if !digits.isEmpty { parts.append(.number(Int(digits) ?? 0)); digits = "" }
                text.append(c)
            }
        }
        if !digits.isEmpty { parts.append(.number(Int(digits) ?? 0)) }
        if !text.isEmpty { parts.append(.text(text)) }
        return parts
    }
}

/// One of a diploid call's two strands. (A key path would say the same, but applying one is far slower than a branch,
/// and this runs for every candidate allele at every variant position.)
enum Strand {
    case first, second
}

/// The strand's base of a pair of strand bases.
extension Strand {
    @inline(__always) func of(_ pair: (String, String)) -> String { self == .first ? pair.0 : pair.1 }
}
