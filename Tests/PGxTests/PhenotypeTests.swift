import PGx
import Testing

@Suite struct PhenotypeTests {
    static let phenotyper = try! Phenotyper.bundled()

    /// Rows of CPIC's diplotype-to-phenotype tables as PharmCAT ships them.
    @Test(arguments: [
        ("CYP2C19", "*1", "*2", "Intermediate Metabolizer", nil as String?),
        ("CYP2C19", "*2", "*2", "Poor Metabolizer", nil),
        ("CYP2C19", "*17", "*17", "Ultrarapid Metabolizer", nil),
        ("CYP2C9", "*1", "*3", "Intermediate Metabolizer", "1.0"),
        ("CYP2C9", "*1", "*2", "Intermediate Metabolizer", "1.5"),
        ("TPMT", "*3A", "*3A", "Poor Metabolizer", nil),
        ("SLCO1B1", "*1", "*5", "Decreased Function", nil),
    ])
    func cpicTables(_ gene: String, _ a: String, _ b: String, _ phenotype: String, _ activity: String?) throws {
        let call = try #require(
            Self.phenotyper.phenotype(gene: gene, diplotype: .init(first: a, second: b, score: 0), packVersion: "v"))
        #expect(call.phenotype == phenotype)
        #expect(call.activityScore == activity)
        #expect(call.source == "pgx v: phenotype/\(gene).json")
        // The pair's order does not matter.
        #expect(Self.phenotyper.phenotype(gene: gene, diplotype: .init(first: b, second: a, score: 0), packVersion: "v") == call)
    }

    @Test func olderFallbackTablesAreUsedAndFlagged() {
        #expect(Self.phenotyper.tables["G6PD"]?.path == "phenotype/fallback/G6PD.cpic.2023-08-16.json")
        #expect(Self.phenotyper.notes["G6PD"]?.contains("older CPIC table") == true)
        #expect(Self.phenotyper.tables["CYP2C19"]?.path == "phenotype/CYP2C19.json")
        #expect(Self.phenotyper.notes["CYP2C19"] == nil)
        #expect(Self.phenotyper.tables["CYP2C19"]?.alleleFunctions["*2"]?.function == "No function")
    }

    @Test func unknownPairsHaveNoPhenotype() {
        #expect(Self.phenotyper.phenotype(gene: "CYP2C19", diplotype: .init(first: "*1", second: "*999", score: 0), packVersion: "v") == nil)
        #expect(Self.phenotyper.phenotype(gene: "NOGENE", diplotype: .init(first: "*1", second: "*1", score: 0), packVersion: "v") == nil)
    }
}
