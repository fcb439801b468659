public import Knowledge

/// One gene's allele-definition table (PharmCAT's `<GENE>_translation.json`): the positions that define
/// its named alleles, and each allele's base at each position.
public struct GeneDefinition: Sendable, Hashable {
    public var gene: String
    /// UCSC-style chromosome name, e.g. `chr10`.
    public var chromosome: String
    /// e.g. `GRCh38.p14`.
    public var genomeBuild: String
    /// The definitions' data version, cited with every call.
    public var version: String
    public var source: String
    public var positions: [DefinitionPosition]
    /// Named alleles in table order; the first is the reference allele.
    public var alleles: [NamedAllele]

    public init(
        gene: String, chromosome: String, genomeBuild: String = "GRCh38", version: String = "test", source: String = "test",
        positions: [DefinitionPosition], alleles: [NamedAllele]
    ) {
        self.gene = gene
        self.chromosome = chromosome
        self.genomeBuild = genomeBuild
        self.version = version
        self.source = source
        self.positions = positions
        self.alleles = alleles
    }

    /// A defining position, in VCF coordinates and representation.
    public struct DefinitionPosition: Sendable, Hashable, Codable {
        public var position: Int
        public var rsid: String?
        public var chromosomeHgvsName: String?
        public var ref: String
        public var alts: [String]

        public init(position: Int, rsid: String? = nil, chromosomeHgvsName: String? = nil, ref: String, alts: [String]) {
            self.position = position
            self.rsid = rsid
            self.chromosomeHgvsName = chromosomeHgvsName
            self.ref = ref
            self.alts = alts
        }
    }

    /// A row of the table: the allele (VCF representation) at each position, `nil` where the allele does not define it.
    public struct NamedAllele: Sendable, Hashable {
        public var name: String
        public var id: String?
        public var alleles: [String?]
        public var isReference: Bool

        public init(name: String, id: String? = nil, alleles: [String?], isReference: Bool) {
            self.name = name
            self.id = id
            self.alleles = alleles
            self.isReference = isReference
        }

        /// The number of positions the allele defines (PharmCAT's allele score before missing positions).
        public var definedCount: Int { alleles.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
    }
}

/// The pharmacogenomic knowledge Tailor calls genes with: every gene definition from the `pgx` pack.
public struct PGxDefinitions: Sendable {
    public var genes: [GeneDefinition]
    /// The pack version the definitions came from.
    public var packVersion: String
    /// Gene → PharmVar sub-allele → its allele (SLCO1B1 `*45.001` → `*45`), for phenotypes and reports.
    public var parentAllele: [String: [String: String]] = [:]
    /// Gene → GRCh38 definition position → GRCh37 position, where the pack places it exactly (`derived/grch37.tsv`).
    public var grch37: [String: [Int: Int]] = [:]

    /// Reads every gene's definition table from the compact form the pack builder derived from PharmCAT's
    /// `definition/alleles/<GENE>_translation.json` (`derived/definitions/<GENE>.tsv`), checking each table's shape.
    ///
    /// - Throws: ``KnowledgeError`` naming the file and what is inconsistent.
    public init(pack: KnowledgePack) throws(KnowledgeError) {
        var genes: [GeneDefinition] = []
        for path in pack.paths(under: "derived/definitions/") where path.hasSuffix(".tsv") {
            genes.append(try Self.parse(try pack.data(path), path: path, pack: pack.manifest.name))
        }
        guard !genes.isEmpty else { throw KnowledgeError(pack: pack.manifest.name, message: "no allele definitions in the pack") }
        self.genes = genes
        self.packVersion = pack.manifest.version
        for gene in genes {
            for allele in gene.alleles where allele.name.hasPrefix("*") {
                if let dot = allele.name.firstIndex(of: "."), allele.name[allele.name.index(after: dot)...].allSatisfy(\.isNumber) {
                    parentAllele[gene.gene, default: [:]][allele.name] = String(allele.name[..<dot])
                }
            }
        }
        let mapPath = "derived/grch37.tsv"
        if pack.manifest.files.contains(where: { $0.path == mapPath }) {
            for (number, line) in try pack.data(mapPath).split(separator: 10).enumerated() where line.first != 35 {
                let f = line.split(separator: 9).map { String(decoding: $0, as: UTF8.self) }
                guard f.count == 4, f[0] == "M", let p38 = Int(f[2]), let p37 = Int(f[3]) else {
                    throw KnowledgeError(pack: pack.manifest.name, path: mapPath, message: "line \(number + 1) is not 'M gene grch38 grch37'")
                }
                grch37[f[1], default: [:]][p38] = p37
            }
        }
    }

    /// The definitions compiled into this build.
    public static func bundled() throws(KnowledgeError) -> PGxDefinitions { try PGxDefinitions(pack: KnowledgePack.bundled("pgx")) }

    public func gene(_ name: String) -> GeneDefinition? { genes.first { $0.gene == name } }

    static func parse(_ bytes: [UInt8], path: String, pack: String) throws(KnowledgeError) -> GeneDefinition {
        var header: [String]?
        var positions: [GeneDefinition.DefinitionPosition] = []
        var alleles: [GeneDefinition.NamedAllele] = []
        // Split bytes, not Characters: much faster, and exactly where the builder put the separators.
        for (number, line) in bytes.split(separator: 10).enumerated() where line.first != 35 {
            let f = line.split(separator: 9, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            func bad(_ why: String) -> KnowledgeError { KnowledgeError(pack: pack, path: path, message: "line \(number + 1): \(why)") }
            switch f[0] {
            case "G" where f.count == 6: header = f
            case "P" where f.count == 6:
                guard let position = Int(f[1]) else { throw bad("position '\(f[1])' is not a number") }
                positions.append(
                    .init(
                        position: position, rsid: f[2].isEmpty ? nil : f[2], chromosomeHgvsName: f[3].isEmpty ? nil : f[3], ref: f[4],
                        alts: f[5].isEmpty ? [] : f[5].split(separator: ",").map(String.init)))
            case "N" where f.count >= 4:
                let cells = f.dropFirst(4).map { $0.isEmpty ? nil : $0 }
                guard cells.count == positions.count else { throw bad("allele \(f[1]) has \(cells.count) cells for \(positions.count) positions") }
                alleles.append(.init(name: f[1], id: f[2].isEmpty ? nil : f[2], alleles: cells, isReference: f[3] == "1"))
            default:
                throw bad("not a definition row: \(f.joined(separator: " ").prefix(80))")
            }
        }
        guard let header else { throw KnowledgeError(pack: pack, path: path, message: "no gene line") }
        guard let first = alleles.first, first.isReference else {
            throw KnowledgeError(pack: pack, path: path, message: "the first named allele must be the reference allele")
        }
        return GeneDefinition(
            gene: header[1], chromosome: header[2], genomeBuild: header[3], version: header[4], source: header[5], positions: positions,
            alleles: alleles)
    }
}
