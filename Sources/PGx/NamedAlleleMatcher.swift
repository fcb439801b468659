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

    public init(definition: GeneDefinition) { self.definition = definition }

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

    public struct Diplotype: Sendable, Hashable, CustomStringConvertible {
        public var first: String
        public var second: String
        public var score: Int

        public init(first: String, second: String, score: Int) {
            self.first = first
            self.second = second
            self.score = score
        }

        public var description: String { "\(first)/\(second)" }
    }

    /// Calls the gene for one sample.
    public func call(_ sample: SampleSiteCalls) -> GeneCall {
        let positions = definition.positions
        let missing = sample.missingPositions(of: definition)
        var result = GeneCall(gene: definition.gene, diplotypes: [], phased: false, missingPositions: missing, warnings: [])
        let called = sample.calls[definition.gene] ?? [:]
        // Active positions: a call with both alleles present. A partly missing call ('./1') is left out too.
        var active: [Int] = []
        var strands: [(String, String)] = []
        var phaseSets = Set<String>()
        var allPhased = true
        var heterozygous = 0
        for index in positions.indices {
            guard let call = called[index], call.alleles.count >= 1, call.alleles.allSatisfy({ $0 != nil }) else { continue }
            let first = call.alleles[0]!
            let second = call.alleles.count >= 2 ? call.alleles[1]! : first  // haploid: one strand, seen twice
            let known = Set([positions[index].ref] + positions[index].alts)
            for base in Set([first, second]).sorted() where !known.contains(base) {
                result.warnings.append(
                    "undocumented allele \(base) at \(definition.chromosome):\(positions[index].position) (\(positions[index].rsid ?? "no rsID")): the gene cannot be called from it"
                )
            }
            active.append(index)
            strands.append((first, second))
            if first != second {
                heterozygous += 1
                if !call.phased { allPhased = false }
                if let set = call.phaseSet { phaseSets.insert(set) }
            }
        }
        guard result.warnings.isEmpty else { return result }
        if let reason = Self.withheld[definition.gene] {
            // Genes whose calls need rules beyond table matching: never guess.
            let allReference = zip(active, strands).allSatisfy { index, strand in
                strand.0 == positions[index].ref && strand.1 == positions[index].ref
            }
            if definition.gene == "CYP2D6" || !allReference {
                result.warnings.append(reason)
                return result
            }
        }
        guard !active.isEmpty else {
            result.warnings.append("no calls at any of the \(positions.count) defining positions")
            return result
        }
        // Expected base of every allele at every active position (blank = the reference row's base), and scores.
        let reference = definition.alleles[0]
        struct Candidate {
            var name: String
            var bases: [String]
            var score: Int
        }
        var candidates: [Candidate] = []
        for allele in definition.alleles {
            var bases: [String] = []
            var score = 0
            for index in active {
                if let cell = allele.alleles[index] {
                    bases.append(cell)
                    score += 1
                } else {
                    bases.append(reference.alleles[index] ?? positions[index].ref)
                }
            }
            // An allele none of whose defining positions has data cannot be told from the reference.
            if score == 0 && !allele.isReference { continue }
            candidates.append(Candidate(name: allele.name, bases: bases, score: score))
        }
        let phased = heterozygous <= 1 || (allPhased && phaseSets.count <= 1)
        result.phased = phased
        var found: [Diplotype] = []
        if phased {
            let firstStrand = candidates.filter { c in zip(c.bases, strands).allSatisfy { Self.matches($0, $1.0) } }
            let secondStrand = candidates.filter { c in zip(c.bases, strands).allSatisfy { Self.matches($0, $1.1) } }
            for a in firstStrand {
                for b in secondStrand { found.append(Self.diplotype(a.name, b.name, score: a.score + b.score)) }
            }
        } else {
            // Alleles whose every base is one of the sample's two bases there; then pairs that reproduce each genotype.
            let compatible = candidates.filter { c in
                zip(c.bases, strands).allSatisfy { Self.matches($0, $1.0) || Self.matches($0, $1.1) }
            }
            for (i, a) in compatible.enumerated() {
                for b in compatible[i...] {
                    let plausible = zip(zip(a.bases, b.bases), strands).allSatisfy { pair, genotype in
                        (Self.matches(pair.0, genotype.0) && Self.matches(pair.1, genotype.1))
                            || (Self.matches(pair.0, genotype.1) && Self.matches(pair.1, genotype.0))
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
        result.diplotypes = found.filter { $0.score == best }.filter { seen.insert($0.description).inserted }
            .sorted { [$0.first, $0.second].lexicographicallyPrecedes([$1.first, $1.second], by: AlleleName.precedes) }
        if result.diplotypes.count > 1 {
            result.warnings.append(
                "ambiguous: \(result.diplotypes.count) diplotypes fit equally well; phased data or the missing positions would tell them apart")
        }
        return result
    }

    /// Genes not called by table matching alone, and why (PharmCAT's gene exceptions).
    static let withheld: [String: String] = [
        "CYP2D6":
            "not called from a VCF: gene deletions, duplications and hybrids are invisible in SNV/indel calls; give CYP2D6 as an outside call from an SV-aware caller",
        "DPYD":
            "not called: DPYD's rule (phenotype from the two lowest-function variants, variants listed per strand) is not implemented yet",
        "RYR1": "not called: RYR1's rule (variants listed per strand, malignant-hyperthermia variants first) is not implemented yet",
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
