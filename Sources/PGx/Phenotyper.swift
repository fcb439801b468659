import Foundation
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
    public func entry(for diplotype: NamedAlleleMatcher.Diplotype) -> Entry? { diplotypes[[diplotype.first, diplotype.second].sorted()] }
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

    public init(pack: KnowledgePack) throws(KnowledgeError) {
        var tables: [String: PhenotypeTable] = [:]
        var notes: [String: String] = [:]
        let current = pack.paths(under: "phenotype/").filter { !$0.hasPrefix("phenotype/fallback/") }
        for path in current {
            let table = try Self.decode(try pack.data(path), path: path, pack: pack.manifest.name)
            tables[table.gene] = table
        }
        // Genes whose current table was not in the source snapshot: use the newest CPIC table that was, and say so.
        for path in pack.paths(under: "phenotype/fallback/") where path.contains(".cpic.") {
            let table = try Self.decode(try pack.data(path), path: path, pack: pack.manifest.name)
            guard tables[table.gene] == nil else { continue }
            tables[table.gene] = table
            notes[table.gene] = "phenotype from an older CPIC table (\(path)); re-check against CPIC before clinical use"
        }
        self.tables = tables
        self.notes = notes
    }

    public static func bundled() throws(KnowledgeError) -> Phenotyper { try Phenotyper(pack: KnowledgePack.bundled("pgx")) }

    /// The phenotype of one diplotype of `gene`, or `nil` when the gene has no table or the table no row.
    public func phenotype(gene: String, diplotype: NamedAlleleMatcher.Diplotype, packVersion: String) -> PhenotypeCall? {
        guard let table = tables[gene], let entry = table.entry(for: diplotype) else { return nil }
        return PhenotypeCall(
            phenotype: entry.phenotype, activityScore: entry.activityScore, lookupKey: entry.lookupKey,
            source: "pgx \(packVersion): \(table.path)")
    }

    private struct RawTable: Decodable {
        var gene: String
        var version: String?
        /// Newer tables: one entry per allele with its function and activity value.
        var namedAlleles: [RawAllele]?
        /// Older tables: allele name → function (or activity value).
        var haplotypes: [String: String]?
        var diplotypes: [RawDiplotype]
    }

    private struct RawAllele: Decodable {
        var name: String
        var activityValue: String?
        var functionValue: String?
    }

    private struct RawDiplotype: Decodable {
        var generesult: String?
        var phenotype: String?
        var activityScore: String?
        var lookupkey: String?
        var diplotypekey: [String: Int]
    }

    static func decode(_ bytes: [UInt8], path: String, pack: String) throws(KnowledgeError) -> PhenotypeTable {
        let raw: RawTable
        do {
            raw = try JSONDecoder().decode(RawTable.self, from: Data(bytes))
        } catch {
            throw KnowledgeError(pack: pack, path: path, message: "not a phenotype table: \(error)")
        }
        var diplotypes: [[String]: PhenotypeTable.Entry] = [:]
        for row in raw.diplotypes {
            // Two names for a diplotype; one for a hemizygous call (G6PD in males), kept apart from homozygous rows.
            let names = row.diplotypekey.flatMap { name, count in Array(repeating: name, count: count) }.sorted()
            guard names.count == 2 || names.count == 1, let phenotype = row.generesult ?? row.phenotype else { continue }
            diplotypes[names] = PhenotypeTable.Entry(phenotype: phenotype, activityScore: row.activityScore, lookupKey: row.lookupkey ?? phenotype)
        }
        var functions: [String: PhenotypeTable.AlleleFunction] = [:]
        for allele in raw.namedAlleles ?? [] where functions[allele.name] == nil {
            functions[allele.name] = PhenotypeTable.AlleleFunction(function: allele.functionValue, activityValue: allele.activityValue)
        }
        for (name, value) in raw.haplotypes ?? [:] where functions[name] == nil {
            functions[name] = PhenotypeTable.AlleleFunction(function: value, activityValue: nil)
        }
        return PhenotypeTable(
            gene: raw.gene, version: raw.version ?? "unknown", path: path,
            alleleFunctions: functions, diplotypes: diplotypes)
    }
}
