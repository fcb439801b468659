import Testing
import VCF

/// Per-sample counts as `bcftools stats -s -` (1.16) reports them. Each row is one two-sample record and
/// the PSC values bcftools printed for it (hom-ref, hom-alt, het, ts, tv, indels, singletons, hap-ref,
/// hap-alt, missing), recorded from bcftools 1.16 on this machine.
@Suite struct StatsTests {
    typealias Counts = [Int]

    static let bcftoolsTruth: [(String, String, String, String, Counts, Counts)] = [
        ("A", "G", "0/0", "0/1", [1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 1, 1, 0, 0, 1, 0, 0, 0]),
        ("A", "G", "1/1", "0/0", [0, 1, 0, 1, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "AT", "0/1", "0/0", [0, 0, 0, 0, 0, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "AT", "1/1", "0/0", [0, 0, 0, 0, 0, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("AT", "A", "0/1", "0/0", [0, 0, 0, 0, 0, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "G,AT", "0/1", "0/0", [0, 0, 1, 1, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "G,AT", "0/2", "0/0", [0, 0, 0, 0, 0, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "G,AT", "1/2", "0/0", [0, 0, 1, 1, 0, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "AT,G", "1/2", "0/0", [0, 0, 1, 0, 0, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "AT,G", "2/2", "0/0", [0, 1, 0, 1, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "<DEL>", "0/1", "0/0", [0, 0, 0, 0, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("AC", "GT", "0/1", "0/0", [0, 0, 0, 0, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "*", "0/1", "0/0", [0, 0, 0, 0, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "<NON_REF>", "0/1", "0/0", [0, 0, 1, 0, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "G,<DEL>", "1/2", "0/0", [0, 0, 1, 1, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "<DEL>,G", "1/2", "0/0", [0, 0, 1, 0, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("N", "C", "0/1", "0/0", [0, 0, 1, 1, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "N", "0/1", "0/0", [0, 0, 1, 0, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "AC,GT", "1/2", "0/0", [0, 0, 0, 0, 0, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "G", "0/1/1", "0|0", [0, 0, 1, 1, 0, 0, 1, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ("A", "G", "1", "0", [0, 0, 0, 0, 0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]),
        ("A", "AT", "1", "0", [0, 0, 0, 0, 0, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]),
        ("A", "G", "./1", "0/.", [0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
        ("A", ".", "0/0", "0/0", [1, 0, 0, 0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ]

    static func counts(_ s: SampleStats) -> Counts {
        [s.homRef, s.homAlt, s.het, s.transitions, s.transversions, s.indels, s.singletons, s.haploidRef, s.haploidAlt, s.missing]
    }

    @Test(arguments: bcftoolsTruth)
    func perSampleCountsMatchBcftools(_ row: (String, String, String, String, Counts, Counts)) throws {
        let (ref, alt, g1, g2, expected1, expected2) = row
        let header = try makeHeader()
        let result = try stats(["chr1\t100\t.\t\(ref)\t\(alt)\t.\tPASS\t.\tGT\t\(g1)\t\(g2)"], header: header)
        #expect(Self.counts(result.samples[0]) == expected1)
        #expect(Self.counts(result.samples[1]) == expected2)
        #expect(result.genotypes == 2)
    }

    @Test func siteCountsMatchBcftoolsDefinitions() throws {
        let header = try makeHeader()
        let result = try stats(
            [
                "chr1\t1\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0",  // SNV, transition
                "chr1\t2\t.\tA\tC,T\t.\tPASS\t.\tGT\t1/2\t0/0",  // multi-allelic SNV site, 2 transversions
                "chr1\t3\t.\tA\tG,AT\t.\tPASS\t.\tGT\t0/1\t0/2",  // SNV + indel: counts in both
                "chr1\t4\t.\tAC\tGT\t.\tPASS\t.\tGT\t0/1\t0/0",  // MNV
                "chr1\t5\t.\tN\t<DEL>\t.\tPASS\tEND=90\tGT\t0/1\t0/0",  // other
                "chr1\t6\t.\tA\t.\t.\tPASS\t.\tGT\t0/0\t0/0",  // no ALT
                "chr1\t7\t.\tA\t<NON_REF>\t.\tPASS\tEND=9\tGT\t0/0\t0/0",  // no ALT (gVCF block)
            ], header: header)
        #expect(result.records == 7)
        #expect(result.snvs == 3)
        #expect(result.indels == 1)
        #expect(result.mnvs == 1)
        #expect(result.others == 1)
        #expect(result.noAlts == 2)
        #expect(result.multiallelicSites == 2)
        #expect(result.multiallelicSNVSites == 1)
        #expect(result.transitions == 2)
        #expect(result.transversions == 2)
        #expect(result.transitionsFirstAlt == 2)
        #expect(result.transversionsFirstAlt == 1)
        #expect(result.tsTvRatio == 1.0)
    }

    @Test func meanDepthUsesFormatDPWhereGiven() throws {
        let header = try makeHeader()
        let result = try stats(
            ["chr1\t1\t.\tA\tG\t.\tPASS\t.\tGT:DP\t0/1:10\t0/0:.", "chr1\t2\t.\tA\tG\t.\tPASS\t.\tGT:DP\t0/1:20\t0/0"], header: header)
        #expect(result.samples[0].meanDepth == 15)
        #expect(result.samples[1].depthCount == 0)
    }

    @Test func mergingPartialsEqualsOneAccumulator() throws {
        let header = try makeHeader()
        let lines = Self.bcftoolsTruth.map { "chr1\t100\t.\t\($0.0)\t\($0.1)\t.\tPASS\t.\tGT\t\($0.2)\t\($0.3)" }
        let whole = try stats(lines, header: header)
        var merged = VCFStatsAccumulator(header: header)
        for half in [Array(lines.prefix(9)), Array(lines.dropFirst(9))] {
            var part = VCFStatsAccumulator(header: header)
            for line in half { try record(line, header: header).withView { (v) throws(VCFError) in try part.add(v) } }
            merged.merge(part)
        }
        #expect(merged.result == whole)
    }

    @Test func badDepthNamesTheSample() throws {
        let header = try makeHeader()
        #expect {
            _ = try stats(["chr1\t1\t.\tA\tG\t.\tPASS\t.\tGT:DP\t0/1:deep\t0/0:3"], header: header)
        } throws: { error in
            (error as? VCFError)?.field == "sample S1 DP"
        }
    }
}
