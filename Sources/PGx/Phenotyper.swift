public import Knowledge

/// A gene's mapping from diplotypes to phenotype and activity score (PharmCAT's `phenotype/<GENE>.json`,
/// CPIC's where CPIC has one), and each allele's function.
public struct PhenotypeTable: Sendable {
    public var gene: String
    public var version: String
    /// The pack path it came from, cited with every phenotype.
    public var path: String
    /// Allele name → (function, activity value).
    public var alleleFunctions: [String: AlleleFunction]
    /// Sorted allele-name pair → phenotype entry.
    var diplotypes: [[String]: Entry]

    public struct AlleleFunction: Sendable, Hashable {
        public var function: String?
        public var activityValue: String?
    }

    public struct Entry: Sendable, Hashable {
        public var phenotype: String
        public var activityScore: String?
        /// The key guidelines are looked up by (a phenotype or an activity score).
        public var lookupKey: String
    }

    /// The phenotype of a diplotype, or `nil` when the table has no row for it.
    public func entry(for diplotype: NamedAlleleMatcher.Diplotype) -> Entry? { diplotypes[diplotype.alleles.sorted()] }
}

/// A diplotype's phenotype with its source.
public struct PhenotypeCall: Sendable, Hashable {
    public var phenotype: String
    public var activityScore: String?
    public var lookupKey: String
    /// e.g. `pgx 2025-11-05-00-25: phenotype/CYP2C19.json`.
    public var source: String
}

/// The phenotype tables of the `pgx` pack.
public struct Phenotyper: Sendable {
    public var tables: [String: PhenotypeTable]
    /// Notes on tables older than the pack's data (the fallbacks).
    public var notes: [String: String]

    /// Reads the compact tables the pack builder derived from the phenotype JSON (`derived/phenotype/<GENE>.tsv`).
    public init(pack: KnowledgePack) throws(KnowledgeError) {
        var tables: [String: PhenotypeTable] = [:]
        var notes: [String: String] = [:]
        for path in pack.paths(under: "derived/phenotype/") where path.hasSuffix(".tsv") {
            let table = try Self.parse(try pack.data(path), path: path, pack: pack.manifest.name)
            tables[table.gene] = table
            if table.path.hasPrefix("phenotype/fallback/") {
                notes[table.gene] = "phenotype from an older CPIC table (\(table.path)); re-check against CPIC before clinical use"
            }
        }
        guard !tables.isEmpty else { throw KnowledgeError(pack: pack.manifest.name, message: "no derived phenotype tables in the pack") }
        self.tables = tables
        self.notes = notes
    }

    public static func bundled() throws(KnowledgeError) -> Phenotyper { try Phenotyper(pack: KnowledgePack.bundled("pgx")) }

    /// The phenotype of one diplotype of `gene`, or `nil` when the gene has no table or the table no row.
    public func phenotype(gene: String, diplotype: NamedAlleleMatcher.Diplotype, packVersion: String) -> PhenotypeCall? {
        phenotype(gene: gene, alleles: diplotype.alleles, packVersion: packVersion)
    }

    /// The phenotype of a diplotype given as allele names (one name for a hemizygous or single-allele call, e.g.
    /// MT-RNR1 `m.1555A>G`), or `nil` when the gene has no table or the table no row.
    public func phenotype(gene: String, alleles: [String], packVersion: String) -> PhenotypeCall? {
        guard let table = tables[gene], let entry = table.diplotypes[alleles.sorted()] else { return nil }
        return PhenotypeCall(
            phenotype: entry.phenotype, activityScore: entry.activityScore, lookupKey: entry.lookupKey,
            source: "pgx \(packVersion): \(table.path)")
    }

    static func parse(_ bytes: [UInt8], path: String, pack: String) throws(KnowledgeError) -> PhenotypeTable {
        let gene = String(path.split(separator: "/").last!.dropLast(4))
        var source = path
        var functions: [String: PhenotypeTable.AlleleFunction] = [:]
        var diplotypes: [[String]: PhenotypeTable.Entry] = [:]
        // Split bytes, not Characters: much faster, and exactly where the builder put the separators.
        for (number, line) in bytes.split(separator: 10).enumerated() where line.first != 35 {
            let f = line.split(separator: 9, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
            func optional(_ i: Int) -> String? { i < f.count && !f[i].isEmpty ? f[i] : nil }
            switch f[0] {
            case "S" where f.count == 2: source = f[1]
            case "A" where f.count == 4:
                if functions[f[1]] == nil { functions[f[1]] = .init(function: optional(2), activityValue: optional(3)) }
            case "H" where f.count == 3:
                if functions[f[1]] == nil { functions[f[1]] = .init(function: optional(2), activityValue: nil) }
            case "D" where f.count == 6:
                // One name for a hemizygous call (G6PD in males), kept apart from homozygous rows.
                let names = f[2].isEmpty ? [f[1]] : [f[1], f[2]].sorted()
                diplotypes[names] = .init(phenotype: f[3], activityScore: optional(4), lookupKey: f[5])
            default:
                throw KnowledgeError(
                    pack: pack, path: path, message: "line \(number + 1) is not a phenotype row: \(f.joined(separator: " ").prefix(80))")
            }
        }
        return PhenotypeTable(gene: gene, version: "", path: source, alleleFunctions: functions, diplotypes: diplotypes)
    }
}
