import Foundation
import Testing
import VCF

@testable import Polygenic

func fixture(_ name: String) -> String {
    Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)!.path
}

@Suite struct ScoringFileTests {
    @Test func readsPGSCatalogHeaderAndRows() throws {
        let file = try ScoringFile(path: fixture("PGS001229_22.txt"))
        #expect(file.id == "PGS001229")
        #expect(file.name == "GBE_INI50")
        #expect(file.traitReported == "Standing height")
        #expect(file.genomeBuild == .grch37)
        #expect(file.declaredVariants == 51209)
        #expect(file.variants.count == 835)
        #expect(!file.harmonised)
        let first = file.variants[0]
        #expect(first.rsID == "rs5746679")
        #expect(first.chromosome == "22" && first.position == 17080378)
        #expect(first.effectAllele == "G" && first.otherAllele == "A")
        #expect(first.weight == 1.045457e-02)
        #expect(first.effectType == .additive)
        #expect(first.line == 16)
    }

    @Test func harmonisedFileUsesHarmonisedPositionsAndBuild() throws {
        let file = try ScoringFile(path: fixture("PGS000001_hmPOS_GRCh38.txt"))
        #expect(file.harmonised)
        #expect(file.genomeBuild == .grch38)
        #expect(file.variants.count == 77)
        #expect(file.variants.allSatisfy { $0.position != nil && $0.chromosome != nil })
    }

    @Test func dominantAndRecessiveColumns() throws {
        let file = try ScoringFile(path: fixture("scorefile_dominant_and_recessive.txt"))
        let types = Dictionary(grouping: file.variants, by: \.effectType).mapValues(\.count)
        #expect((types[.dominant] ?? 0) > 0)
        #expect((types[.recessive] ?? 0) > 0)
        #expect(file.genomeBuild == .grch37)
    }

    @Test(arguments: [
        ("rsID\tchr_name\tchr_position\teffect_allele\tother_allele\n", "no effect_weight column"),
        ("chr_name\tchr_position\teffect_weight\n22\t1\t0.1\n", "no effect_allele column"),
        ("chr_name\tchr_position\teffect_allele\teffect_weight\n22\t1\tA\tbig\n", "bad.txt:2: effect_weight 'big' is not a number"),
        ("chr_name\tchr_position\teffect_allele\teffect_weight\n22\t-5\tA\t0.1\n", "bad.txt:2: chr_position '-5' is not a positive integer"),
        ("chr_name\tchr_position\teffect_allele\teffect_weight\n", "no variant rows"),
        ("#pgs_id=PGS1\n", "no column header line"),
        ("chr_name\tchr_position\teffect_allele\teffect_weight\tis_dominant\tis_recessive\n22\t5\tA\t0.1\tTrue\tTrue\n", "both is_dominant and is_recessive"),
    ])
    func malformedFilesNameTheProblem(text: String, message: String) {
        #expect {
            try ScoringFile(bytes: Array(text.utf8), path: "bad.txt")
        } throws: { error in
            "\(error)".contains(message) && "\(error)".hasPrefix("bad.txt")
        }
    }

    @Test func unusableRowsKeepTheirReason() throws {
        let text = """
            rsID\tchr_name\tchr_position\teffect_allele\tother_allele\teffect_weight\tis_haplotype
            rs1\t\t\tA\tG\t0.1\tFalse
            rs2\t1\t100\tA\tG\t0.1\tTrue
            rs3\t1\t200\te4\t\t0.1\tFalse
            rs4\tchr1\t300\ta\tg\t-0.2\tFalse
            """
        let file = try ScoringFile(bytes: Array(text.utf8), path: "mixed.txt")
        #expect(file.variants.map { $0.unusable == nil } == [false, false, false, true])
        #expect(file.variants[0].unusable?.contains("rsID-only") == true)
        #expect(file.variants[1].unusable?.contains("haplotype") == true)
        #expect(file.variants[2].unusable?.contains("complex") == true)
        #expect(file.variants[3].chromosome == "1" && file.variants[3].effectAllele == "A")
        #expect(file.id == "mixed")
    }
}

@Suite struct MatchingTests {
    @Test(arguments: [
        // effect, other, ref, alt, expected best strategy (nil = none), ambiguous
        ("G", "A", "G", "A", MatchStrategy.refalt, false),
        ("A", "G", "G", "A", .altref, false),
        ("C", "T", "G", "A", .refaltFlip, false),
        ("T", "C", "G", "A", .altrefFlip, false),
        ("A", "T", "A", "T", .refalt, true),
        ("G", "A", "C", "T", .refaltFlip, false),
    ] as [(String, String, String, String, MatchStrategy, Bool)])
    func strategiesInPriorityOrder(effect: String, other: String, ref: String, alt: String, best: MatchStrategy, ambiguous: Bool) {
        let found = AlleleMatch.candidates(effect: effect, other: other, ref: ref, alts: [alt])
        #expect(found.first?.strategy == best)
        #expect(found.first?.ambiguous == ambiguous)
    }

    @Test func withoutOtherAllele() {
        let found = AlleleMatch.candidates(effect: "A", other: nil, ref: "G", alts: ["A"])
        #expect(found.map(\.strategy) == [.noOtherAlt])
        #expect(found[0].alleleIndex == 1)
    }

    @Test func multiallelicSitesAreFlaggedAndOptionsDecide() {
        let found = AlleleMatch.candidates(effect: "T", other: "C", ref: "C", alts: ["A", "T"])
        #expect(found.count == 1 && found[0].alleleIndex == 2 && found[0].multiallelic)
        #expect(AlleleMatch.exclusion(found[0], options: MatchOptions()) == "multiallelic")
        #expect(AlleleMatch.exclusion(found[0], options: MatchOptions(keepMultiallelic: true)) == nil)
        let ambiguous = AlleleMatch.candidates(effect: "A", other: "T", ref: "A", alts: ["T"])[0]
        #expect(AlleleMatch.exclusion(ambiguous, options: MatchOptions()) == "ambiguous")
        #expect(AlleleMatch.exclusion(ambiguous, options: MatchOptions(keepAmbiguous: true)) == nil)
        let flip = AlleleMatch.candidates(effect: "C", other: "T", ref: "G", alts: ["A"])[0]
        #expect(AlleleMatch.exclusion(flip, options: MatchOptions(ignoreStrandFlips: true)) == "strand_flip")
    }
}

/// Normalisation against pgsc_calc's 1000 Genomes reference sums (a tenth of them), by superpopulation.
/// Expected values computed independently with Python's statistics.pstdev (ddof 0, as pgsc_calc).
@Suite struct ReferenceDistributionTests {
    @Test(arguments: [
        ("AFR", 88, -0.0377888984951215, 45.45454545454545),
        ("AMR", 51, 1.2477463594004066, 84.31372549019608),
        ("EAS", 57, -0.6680370135361838, 24.56140350877193),
        ("EUR", 64, 0.5544795754495332, 70.3125),
        ("SAS", 61, 0.36138138072577963, 60.65573770491803),
    ])
    func zScoreAndPercentileAgainstEachPopulation(population: String, size: Int, z: Double, percentile: Double) throws {
        let reference = try ReferenceDistribution.read(
            scoresPath: fixture("reference_scores_subset.txt"), populationsPath: fixture("reference_populations_subset.psam"))
        // The reference was scored with the harmonised PGS001229 file; the identifier matches without its suffix.
        let n = try #require(reference.normalise(3.0, score: "PGS001229", population: population))
        #expect(n.referenceSize == size)
        #expect(abs(n.z - z) < 1e-9)
        #expect(abs(n.percentile - percentile) < 1e-9)
    }

    @Test func unknownPopulationOrScoreGivesNothing() throws {
        let reference = try ReferenceDistribution.read(
            scoresPath: fixture("reference_scores_subset.txt"), populationsPath: fixture("reference_populations_subset.psam"))
        #expect(reference.normalise(3.0, score: "PGS001229", population: "XYZ") == nil)
        #expect(reference.normalise(3.0, score: "PGS000001", population: "EUR") == nil)
        #expect(throws: ScoringFileError.self) {
            try ReferenceDistribution.read(scoresPath: fixture("reference_scores_subset.txt"), populationsPath: fixture("PGS001229_22.txt"))
        }
    }
}
