import Foundation
import Testing

@testable import EarlyBreast

/// A hand-derived expression vector: expected values worked out by hand from the formula in
/// Fixtures/rs21_formula.json (Paik 2004; same formula as bhklab/genefu R/oncotypedx.R) and re-checked with a one-off
/// Python evaluation of that formula. Genes not listed are at `rest`.
struct ExpressionVector: Sendable, CustomTestStringConvertible {
    let name: String
    let values: [String: Double]
    let her2: Double, estrogen: Double, proliferation: Double, invasion: Double
    let rsu: Double
    let score: Double
    let reported: Int
    let paik: RecurrenceScoreRiskGroup
    let tailorx: RecurrenceScoreRiskGroup
    var testDescription: String { name }
}

@Suite struct RecurrenceScoreTests {
    static let allEight = Dictionary(uniqueKeysWithValues: RecurrenceScoreGene.cancerGenes.map { ($0.rawValue, 8.0) })

    static let vectors: [ExpressionVector] = [
        // Every gene 8: groups all 8; RSu = 8·(0.47 − 0.34 + 1.04 + 0.10 + 0.05 − 0.08 − 0.07) = 9.36; RS = 20·2.66 = 53.2.
        ExpressionVector(
            name: "all genes 8", values: allEight, her2: 8, estrogen: 8, proliferation: 8, invasion: 8, rsu: 9.36, score: 53.2, reported: 53,
            paik: .high, tailorx: .high),
        // Both floors bind: HER2 group 0.9·5 + 0.1·9 = 5.4 → 8; proliferation 5 → 6.5. ER group (8 + 10.8 + 8 + 7)/4 = 8.45;
        // invasion (6 + 8)/2 = 7. RSu = 3.76 − 2.873 + 6.76 + 0.7 + 0.3 − 0.56 − 0.56 = 7.527; RS = 16.54 → 17.
        ExpressionVector(
            name: "HER2 and proliferation floors",
            values: [
                "GRB7": 5, "HER2": 9, "ER": 10, "PGR": 9, "BCL2": 8, "SCUBE2": 7, "Ki67": 5, "STK15": 5, "Survivin": 5, "CCNB1": 5, "MYBL2": 5,
                "CTSL2": 6, "Stromelysin3": 8, "CD68": 6, "GSTM1": 7, "BAG1": 8,
            ], her2: 8, estrogen: 8.45, proliferation: 6.5, invasion: 7, rsu: 7.527, score: 16.54, reported: 17, paik: .low, tailorx: .intermediate),
        // RSu = 3.76 − 5.1 + 6.76 + 0.2 + 0 − 1.2 − 1.05 = 3.37 → 20·(3.37 − 6.7) < 0 → clamped to 0.
        ExpressionVector(
            name: "clamped at 0",
            values: [
                "GRB7": 2, "HER2": 2, "ER": 15, "PGR": 15, "BCL2": 15, "SCUBE2": 15, "Ki67": 2, "STK15": 2, "Survivin": 2, "CCNB1": 2, "MYBL2": 2,
                "CTSL2": 2, "Stromelysin3": 2, "CD68": 0, "GSTM1": 15, "BAG1": 15,
            ], her2: 8, estrogen: 15, proliferation: 6.5, invasion: 2, rsu: 3.37, score: 0, reported: 0, paik: .low, tailorx: .low),
        // RSu = 7.05 + 0 + 15.6 + 1.5 + 0.75 = 24.9 → 364 → clamped to 100.
        ExpressionVector(
            name: "clamped at 100",
            values: [
                "GRB7": 15, "HER2": 15, "ER": 0, "PGR": 0, "BCL2": 0, "SCUBE2": 0, "Ki67": 15, "STK15": 15, "Survivin": 15, "CCNB1": 15,
                "MYBL2": 15, "CTSL2": 15, "Stromelysin3": 15, "CD68": 15, "GSTM1": 0, "BAG1": 0,
            ], her2: 15, estrogen: 0, proliferation: 15, invasion: 15, rsu: 24.9, score: 100, reported: 100, paik: .high, tailorx: .high),
        // HER2 group 9.1, ER (8.8 + 10.8 + 8.5 + 8)/4 = 9.025, proliferation 34/5 = 6.8, invasion 7.5;
        // RSu = 4.277 − 3.0685 + 7.072 + 0.75 + 0.35 − 0.64 − 0.63 = 8.1105; RS = 28.21 → 28.
        ExpressionVector(
            name: "no floor binds, HGNC symbols",
            values: [
                "GRB7": 9, "ERBB2": 10, "ESR1": 11, "PGR": 9, "BCL2": 8.5, "SCUBE2": 8, "MKI67": 6, "AURKA": 7, "BIRC5": 6.5, "CCNB1": 7.5,
                "MYBL2": 7, "CTSV": 7, "MMP11": 8, "CD68": 7, "GSTM1": 8, "BAG1": 9,
            ], her2: 9.1, estrogen: 9.025, proliferation: 6.8, invasion: 7.5, rsu: 8.1105, score: 28.21, reported: 28, paik: .intermediate,
            tailorx: .high),
    ]

    @Test(arguments: vectors)
    func scoreFromExpression(_ v: ExpressionVector) throws {
        let result = try RecurrenceScore.compute(RecurrenceScoreExpression(named: v.values))
        let groups = try #require(result.groupScores)
        #expect(close(groups.her2, v.her2, 1e-12))
        #expect(close(groups.estrogen, v.estrogen, 1e-12))
        #expect(close(groups.proliferation, v.proliferation, 1e-12))
        #expect(close(groups.invasion, v.invasion, 1e-12))
        #expect(close(try #require(result.unscaled), v.rsu, 1e-9))
        #expect(close(result.score, v.score, 1e-9))
        #expect(result.reportedScore == v.reported)
        #expect(result.paik2004 == v.paik)
        #expect(result.tailorx == v.tailorx)
        #expect(result.source == .computed)
        #expect(result.warnings.first == RecurrenceScore.approximationWarning)
        #expect(result.model.attribution.contains("trademarks of Exact Sciences"))
    }

    /// The built-in gene table is rs21_genes.tsv (assay name, HGNC symbol, Entrez id, group, weight), row by row.
    @Test func geneTableMatchesFixture() throws {
        let rows = try Fixture.tsv("rs21_genes.tsv")
        #expect(rows[0].prefix(5) == ["symbol_assay", "hgnc_symbol", "entrez_id", "group", "within_group_weight"])
        let data = rows.dropFirst()
        #expect(data.count == RecurrenceScoreGene.allCases.count)
        for (row, gene) in zip(data, RecurrenceScoreGene.allCases) {
            #expect(row[0] == gene.rawValue)
            #expect(row[1] == gene.hgncSymbol)
            #expect(Int(row[2]) == gene.entrezID)
            #expect(row[3] == gene.group.rawValue)
            #expect((row[4].isEmpty ? nil : Double(row[4])) == gene.weight, "\(gene)")
        }
        #expect(RecurrenceScoreGene.cancerGenes.count == 16)
        #expect(RecurrenceScoreGene.referenceGenes.map(\.rawValue) == ["ACTB", "GAPDH", "RPLPO", "GUS", "TFRC"])
    }

    /// The RSu and scaling constants are those of rs21_formula.json.
    @Test func formulaConstantsMatchFixture() throws {
        let formula = try #require(try Fixture.json("rs21_formula.json") as? [String: Any])
        let rsu = try #require(formula["RSu"] as? String)
        var terms: [String: Double] = [:]
        var sign = 1.0
        for token in rsu.split(separator: " ") {
            if token == "+" { sign = 1 } else if token == "-" { sign = -1 } else {
                let parts = token.split(separator: "*")
                terms[String(parts[1])] = sign * (Double(parts[0]) ?? .nan)
            }
        }
        #expect(terms["HER2"] == RecurrenceScore.rsuHER2)
        #expect(terms["ER"] == RecurrenceScore.rsuEstrogen)
        #expect(terms["PROLIFERATION"] == RecurrenceScore.rsuProliferation)
        #expect(terms["INVASION"] == RecurrenceScore.rsuInvasion)
        #expect(terms["CD68"] == RecurrenceScore.rsuCD68)
        #expect(terms["GSTM1"] == RecurrenceScore.rsuGSTM1)
        #expect(terms["BAG1"] == RecurrenceScore.rsuBAG1)
        #expect(formula["RS"] as? String == "clamp(20*(RSu - 6.7), 0, 100)")
        let groups = try #require(formula["group_scores"] as? [String: String])
        #expect(groups["HER2"] == "max(8, 0.9*GRB7 + 0.1*HER2)")
        #expect(groups["PROLIFERATION"] == "max(6.5, (Survivin + Ki67 + MYBL2 + CCNB1 + STK15) / 5)")
        #expect(RecurrenceScore.her2Floor == 8 && RecurrenceScore.proliferationFloor == 6.5)
    }

    @Test(arguments: [(17, RecurrenceScoreRiskGroup.low), (18, .intermediate), (30, .intermediate), (31, .high)])
    func paikBoundaries(score: Int, group: RecurrenceScoreRiskGroup) {
        #expect(RecurrenceScore.paik2004Group(score) == group)
    }

    @Test(arguments: [(10, RecurrenceScoreRiskGroup.low), (11, .intermediate), (25, .intermediate), (26, .high)])
    func tailorxBoundaries(score: Int, group: RecurrenceScoreRiskGroup) {
        #expect(RecurrenceScore.tailorxGroup(score) == group)
    }

    @Test func parsesAnExpressionTable() throws {
        let text = """
            # normalised RT-PCR, sample S1
            gene\tvalue
            GRB7\t8
            HER2\t8
            ESR1\t8
            PGR\t8
            BCL2\t8
            SCUBE2\t8
            Ki-67\t8
            STK15\t8
            Survivin\t8
            Cyclin B1\t8
            MYBL2\t8
            Stromelysin-3\t8
            CTSL2\t8
            CD68\t8
            GSTM1\t8
            BAG1\t8
            ACTB\t10
            XIST\t3
            """
        let expression = try RecurrenceScoreExpression.parse(text)
        #expect(expression.missingGenes.isEmpty)
        #expect(expression.ignoredNames == ["XIST"])
        let result = try RecurrenceScore.compute(expression)
        #expect(result.reportedScore == 53)
        #expect(result.warnings.contains("1 name(s) in the table are not assay genes and were ignored"))
        // Commas work as separators too.
        let csv = try RecurrenceScoreExpression.parse(text.replacingOccurrences(of: "\t", with: ","))
        #expect(csv.values == expression.values)
    }

    @Test func suppliedScores() throws {
        let s = try RecurrenceScore.supplied(25.5)
        #expect(s.reportedScore == 26)  // half away from zero, as the assay reports whole numbers
        #expect(s.tailorx == .high)
        #expect(s.source == .supplied && s.groupScores == nil)
        #expect(s.warnings == ["the assay reports whole numbers; 25.5 was rounded for the decision rules"])
        #expect(try RecurrenceScore.supplied(11).warnings.isEmpty)
    }

    @Test(arguments: ["Stromelysin3", "STMY3", "MMP11", "stromelysin-3"])
    func geneAliases(name: String) {
        #expect(RecurrenceScoreGene(name: name) == .stromelysin3)
    }
}
