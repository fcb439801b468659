import Foundation
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

    /// Decodes every `definition/alleles/*_translation.json` of the pack, checking each table's shape.
    ///
    /// - Throws: ``KnowledgeError`` naming the file and what is inconsistent.
    public init(pack: KnowledgePack) throws(KnowledgeError) {
        var genes: [GeneDefinition] = []
        for path in pack.paths(under: "definition/alleles/") where path.hasSuffix("_translation.json") {
            genes.append(try Self.decode(try pack.data(path), path: path, pack: pack.manifest.name))
        }
        guard !genes.isEmpty else { throw KnowledgeError(pack: pack.manifest.name, message: "no allele definitions in the pack") }
        self.genes = genes
        self.packVersion = pack.manifest.version
    }

    /// The definitions compiled into this build.
    public static func bundled() throws(KnowledgeError) -> PGxDefinitions { try PGxDefinitions(pack: KnowledgePack.bundled("pgx")) }

    public func gene(_ name: String) -> GeneDefinition? { genes.first { $0.gene == name } }

    private struct RawFile: Decodable {
        var gene: String
        var chromosome: String
        var genomeBuild: String
        var version: String
        var source: String
        var variants: [GeneDefinition.DefinitionPosition]
        var namedAlleles: [RawAllele]
    }

    private struct RawAllele: Decodable {
        var name: String
        var id: String?
        var alleles: [String?]
        var reference: Bool
    }

    static func decode(_ bytes: [UInt8], path: String, pack: String) throws(KnowledgeError) -> GeneDefinition {
        let raw: RawFile
        do {
            raw = try JSONDecoder().decode(RawFile.self, from: Data(bytes))
        } catch {
            throw KnowledgeError(pack: pack, path: path, message: "not an allele-definition table: \(error)")
        }
        for allele in raw.namedAlleles where allele.alleles.count != raw.variants.count {
            throw KnowledgeError(
                pack: pack, path: path, message: "allele \(allele.name) has \(allele.alleles.count) cells for \(raw.variants.count) positions")
        }
        guard let first = raw.namedAlleles.first, first.reference else {
            throw KnowledgeError(pack: pack, path: path, message: "the first named allele must be the reference allele")
        }
        return GeneDefinition(
            gene: raw.gene, chromosome: raw.chromosome, genomeBuild: raw.genomeBuild, version: raw.version, source: raw.source,
            positions: raw.variants,
            alleles: raw.namedAlleles.map { .init(name: $0.name, id: $0.id, alleles: $0.alleles, isReference: $0.reference) })
    }
}
