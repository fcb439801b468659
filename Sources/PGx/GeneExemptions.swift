public import Knowledge
import Foundation

/// PharmCAT's per-gene matcher exceptions (`definition/alleles/exemptions.json`): positions that must be
/// present, NAT2's tie-breaks for unphased data, and the AMP Tier-1 alleles whose positions, when missing,
/// deserve a warning. (Its ignored positions and alleles are already absent from the shipped definition
/// tables: PharmCAT removes them, by rsID, when it writes them, so they are not applied a second time.)
public struct GeneExemptions: Sendable {
    public struct Gene: Sendable, Hashable {
        /// Positions without which the gene is not called (NAT2's five key SNPs).
        public var requiredPositions: [Int] = []
        /// Unphased ties resolved by population frequency: when the tied diplotypes include all of `list`, report `pick`.
        public var unphasedPriorities: [Priority] = []
        /// AMP Tier-1 alleles and their positions: missing ones make the call less certain than it looks.
        public var amp1Alleles: [String] = []
        public var amp1Positions: Set<Int> = []

        public init() {}

        public struct Priority: Sendable, Hashable {
            /// The tied diplotypes, as `*1/*6` labels.
            public var list: Set<String>
            public var pick: String
        }
    }

    public var genes: [String: Gene]

    public subscript(gene: String) -> Gene { genes[gene] ?? Gene() }

    public init(genes: [String: Gene] = [:]) { self.genes = genes }

    /// Reads the exemptions from the pack, checking their shape.
    public init(pack: KnowledgePack) throws(KnowledgeError) {
        let path = "definition/alleles/exemptions.json"
        let bytes = try pack.data(path)
        func bad(_ why: String) -> KnowledgeError { KnowledgeError(pack: pack.manifest.name, path: path, message: why) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)), let table = object as? [String: [String: Any]] else {
            throw bad("not an object of gene exemptions")
        }
        var genes: [String: Gene] = [:]
        for (name, entry) in table {
            var gene = Gene()
            gene.requiredPositions = (entry["requiredPositions"] as? [Int]) ?? []
            for priority in (entry["unphasedDiplotypePriorities"] as? [[String: Any]]) ?? [] {
                guard let list = priority["list"] as? [String], let pick = priority["pick"] as? String, list.contains(pick) else {
                    throw bad("\(name): an unphased priority without a list containing its pick")
                }
                gene.unphasedPriorities.append(.init(list: Set(list), pick: pick))
            }
            // PharmCAT tries them in the order of their picks' allele names.
            gene.unphasedPriorities.sort { a, b in
                a.pick.split(separator: "/").map(String.init).lexicographicallyPrecedes(
                    b.pick.split(separator: "/").map(String.init), by: AlleleName.precedes)
            }
            gene.amp1Alleles = (entry["amp1Alleles"] as? [String]) ?? []
            gene.amp1Positions = Set((entry["amp1Positions"] as? [Int]) ?? [])
            genes[name] = gene
        }
        self.genes = genes
    }
}
