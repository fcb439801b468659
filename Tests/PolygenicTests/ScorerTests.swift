import Foundation
import GenomicFiles
import Testing
import VCF

@testable import Polygenic

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ text: String, name: String = "input.vcf") throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-prs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let path = dir.appendingPathComponent(name).path
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    return path
}

/// plink2's .sscore: IID → (ALLELE_CT, SUM).
func plink2Scores(_ path: String) throws -> [String: (count: Int, sum: Double)] {
    var out: [String: (Int, Double)] = [:]
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
    let header = lines[0].split(separator: "\t").map(String.init)
    let iid = header.firstIndex(of: "#IID")!
    let count = header.firstIndex(of: "ALLELE_CT")!
    let sum = header.firstIndex(of: "SCORE1_SUM")!
    for line in lines.dropFirst() {
        let f = line.split(separator: "\t").map(String.init)
        out[f[iid]] = (Int(f[count])!, Double(f[sum])!)
    }
    return out
}

/// plink2 prints six significant digits: agreement means within half a unit of the sixth.
func agreesWithPlink2(_ ours: Double, _ theirs: Double) -> Bool {
    abs(ours - theirs) <= max(1e-9, abs(theirs) * 5e-6)
}

let header = """
    ##fileformat=VCFv4.2
    ##contig=<ID=1,length=249250621>
    ##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
    #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\ts1\ts2\ts3\ts4

    """

@Suite struct ScorerTests {
    /// One batch, and batches of one BGZF block (lines and position groups straddling batch boundaries).
    @Test(arguments: [(1, 64), (2, 64), (1, 1), (2, 1)])
    func cinecaMatchesPlink2OnTheSameVariants(threads: Int, blocksPerBatch: Int) async throws {
        let score = try ScoringFile(path: fixture("PGS001229_22.txt"))
        let vcf = try VCFFile(path: fixture("cineca_120.vcf.gz"), options: VCFReadOptions(threads: threads, blocksPerBatch: blocksPerBatch))
        let result = try await PolygenicScorer(scores: [score]).score(vcf, missing: .skip)
        let expected = try plink2Scores(fixture("cineca_120_PGS001229_22.plink2.sscore"))
        #expect(result.samples.count == 120)
        #expect(expected.count == 120)
        for (i, sample) in result.samples.enumerated() {
            let want = try #require(expected[sample])
            #expect(agreesWithPlink2(result.sum(sample: i, score: 0), want.sum), "\(sample)")
            #expect(result.denominator(sample: i, score: 0) == want.count)
        }
        // plink2 scored the 782 rows left after dropping A/T and C/G; pgsc_calc's matcher leaves the same.
        let labels = Dictionary(grouping: result.outcomes[0], by: \.label).mapValues(\.count)
        #expect(labels["matched"] == 782)
        let ambiguous = result.outcomes[0].filter { if case .excluded("ambiguous", _) = $0 { return true } else { return false } }
        #expect(ambiguous.count == 835 - 782 - (labels["unmatched"] ?? 0))
        #expect(abs(result.matchedFraction(score: 0) - 782.0 / 835.0) < 1e-12)
    }

    @Test func severalScoresInOnePassEqualSeparateRuns() async throws {
        let a = try ScoringFile(path: fixture("PGS001229_22.txt"))
        let b = try ScoringFile(path: fixture("PGS001229_22_duplicate.txt"))
        let both = try await PolygenicScorer(scores: [a, b]).score(try VCFFile(path: fixture("cineca_120.vcf.gz")))
        let onlyA = try await PolygenicScorer(scores: [a]).score(try VCFFile(path: fixture("cineca_120.vcf.gz")))
        let onlyB = try await PolygenicScorer(scores: [b]).score(try VCFFile(path: fixture("cineca_120.vcf.gz")))
        for i in 0..<both.samples.count {
            // Equal up to the order of floating-point additions (batches fold at different points).
            #expect(abs(both.sum(sample: i, score: 0) - onlyA.sum(sample: i, score: 0)) < 1e-12)
            #expect(abs(both.sum(sample: i, score: 1) - onlyB.sum(sample: i, score: 0)) < 1e-12)
        }
        // The duplicate file's rs5746679 counts A, the opposite allele to PGS001229's G.
        #expect(b.variants.contains { $0.rsID == "rs5746679" && $0.effectAllele == "A" })
        #expect(both.outcomes[1].contains { if case .matched(.altref, let site) = $0 { return site.hasPrefix("22:17080378") } else { return false } })
    }

    @Test func missingCallsAreSkippedOrMeanImputed() async throws {
        let vcf = header + "1\t100\t.\tG\tA\t.\t.\t.\tGT\t0/1\t1/1\t./.\t0/0\n"
        let score = try ScoringFile(bytes: Array("chr_name\tchr_position\teffect_allele\tother_allele\teffect_weight\n1\t100\tA\tG\t0.5\n".utf8), path: "s.txt")
        let path = try temporaryFile(vcf)
        let skipped = try await PolygenicScorer(scores: [score]).score(try VCFFile(path: path), missing: .skip)
        #expect((0..<4).map { skipped.sum(sample: $0, score: 0) } == [0.5, 1.0, 0, 0])
        #expect((0..<4).map { skipped.denominator(sample: $0, score: 0) } == [2, 2, 0, 2])
        let imputed = try await PolygenicScorer(scores: [score]).score(try VCFFile(path: path), missing: .meanImputation)
        // A frequency among called samples: 3 of 6 alleles; a missing call gets 2 × 0.5 × 0.5.
        #expect(imputed.sum(sample: 2, score: 0) == 0.5)
        #expect(imputed.denominator(sample: 2, score: 0) == 0)
        #expect(MissingGenotypes.pgscCalcDefault(sampleCount: 4) == .skip)
        #expect(MissingGenotypes.pgscCalcDefault(sampleCount: 50) == .meanImputation)
    }

    @Test func dominantAndRecessiveTransformDosage() async throws {
        let vcf = header + "1\t100\t.\tG\tA\t.\t.\t.\tGT\t0/0\t0/1\t1/1\t0|1\n" + "1\t200\t.\tC\tT\t.\t.\t.\tGT\t0/0\t0/1\t1/1\t1|1\n"
        let text = """
            chr_name\tchr_position\teffect_allele\tother_allele\teffect_weight\tis_dominant\tis_recessive
            1\t100\tA\tG\t1\tTrue\tFalse
            1\t200\tT\tC\t10\tFalse\tTrue
            """
        let score = try ScoringFile(bytes: Array(text.utf8), path: "s.txt")
        let r = try await PolygenicScorer(scores: [score]).score(try VCFFile(path: try temporaryFile(vcf)), missing: .skip)
        #expect((0..<4).map { r.sum(sample: $0, score: 0) } == [0, 1, 11, 11])
    }

    @Test func splitMultiallelicRecordsAtOnePosition() async throws {
        // Two adjacent records at one position (a split multi-allelic site): each row meets only its own record.
        let vcf = header + "1\t100\t.\tG\tA\t.\t.\t.\tGT\t0/1\t0/0\t0/0\t0/0\n" + "1\t100\t.\tG\tT\t.\t.\t.\tGT\t0/0\t1/1\t0/0\t0/1\n"
        let text = "chr_name\tchr_position\teffect_allele\tother_allele\teffect_weight\n1\t100\tA\tG\t1\n1\t100\tT\tG\t100\n"
        let score = try ScoringFile(bytes: Array(text.utf8), path: "s.txt")
        let r = try await PolygenicScorer(scores: [score]).score(try VCFFile(path: try temporaryFile(vcf)), missing: .skip)
        #expect((0..<4).map { r.sum(sample: $0, score: 0) } == [1, 200, 0, 100])
        #expect(r.outcomes[0].allSatisfy { $0.label == "matched" })
    }

    @Test func joinedMultiallelicRecordIsExcludedByDefault() async throws {
        let vcf = header + "1\t100\t.\tG\tA,T\t.\t.\t.\tGT\t0/1\t2/2\t0/0\t1/2\n"
        let text = "chr_name\tchr_position\teffect_allele\tother_allele\teffect_weight\n1\t100\tT\tG\t1\n"
        let score = try ScoringFile(bytes: Array(text.utf8), path: "s.txt")
        let path = try temporaryFile(vcf)
        let strict = try await PolygenicScorer(scores: [score]).score(try VCFFile(path: path), missing: .skip)
        #expect(strict.outcomes[0] == [.excluded(reason: "multiallelic", site: "1:100 G>A,T")])
        let kept = try await PolygenicScorer(scores: [score], options: MatchOptions(keepMultiallelic: true)).score(try VCFFile(path: path), missing: .skip)
        #expect((0..<4).map { kept.sum(sample: $0, score: 0) } == [0, 2, 0, 1])
    }

    @Test func duplicateRowsOnOneTargetAreDropped() async throws {
        let vcf = header + "1\t100\t.\tG\tA\t.\t.\t.\tGT\t0/1\t1/1\t0/0\t0/0\n"
        let text = "chr_name\tchr_position\teffect_allele\tother_allele\teffect_weight\n1\t100\tA\tG\t1\n1\t100\tA\tG\t2\n"
        let score = try ScoringFile(bytes: Array(text.utf8), path: "s.txt")
        let r = try await PolygenicScorer(scores: [score]).score(try VCFFile(path: try temporaryFile(vcf)), missing: .skip)
        #expect(r.outcomes[0].allSatisfy { if case .excluded("duplicate_ID", _) = $0 { return true } else { return false } })
        #expect(r.sum(sample: 1, score: 0) == 0)
    }

    @Test func recordsOfOnePositionFarApartAreRefused() async throws {
        let vcf = header + "1\t100\t.\tG\tA\t.\t.\t.\tGT\t0/1\t1/1\t0/0\t0/0\n" + "1\t150\t.\tC\tT\t.\t.\t.\tGT\t0/1\t1/1\t0/0\t0/0\n"
            + "1\t100\t.\tG\tA\t.\t.\t.\tGT\t0/1\t1/1\t0/0\t0/0\n"
        let text = "chr_name\tchr_position\teffect_allele\tother_allele\teffect_weight\n1\t100\tA\tG\t1\n1\t150\tT\tC\t1\n"
        let score = try ScoringFile(bytes: Array(text.utf8), path: "s.txt")
        await #expect(throws: ScoringError.self) {
            try await PolygenicScorer(scores: [score]).score(try VCFFile(path: try temporaryFile(vcf)))
        }
    }

    @Test func aScoreOfTheOtherBuildIsRefused() async throws {
        // The header's chromosome 1 length is GRCh37's; PGS000001's harmonised positions are GRCh38.
        let score = try ScoringFile(path: fixture("PGS000001_hmPOS_GRCh38.txt"))
        let vcf = header + "1\t100\t.\tG\tA\t.\t.\t.\tGT\t0/1\t1/1\t0/0\t0/0\n"
        await #expect {
            try await PolygenicScorer(scores: [score]).score(try VCFFile(path: try temporaryFile(vcf)))
        } throws: { error in
            "\(error)".contains("GRCh38 but the VCF is GRCh37")
        }
    }
}
