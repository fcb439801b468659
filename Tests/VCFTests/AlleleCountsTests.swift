import Testing

@testable import VCF

@Suite struct AlleleCountsTests {
    func counts(_ line: String, allele: Int, samples: Int) throws -> [Int8] {
        var out: [Int8] = []
        let r = try VCFRecord(parsing: line, sampleCount: samples)
        try r.withView { (view) throws(VCFError) in try view.alleleCounts(of: allele, sampleCount: samples, into: &out) }
        return out
    }

    @Test(arguments: [
        // Regular lines (the fixed-stride path) and irregular ones (the general path) must agree.
        ("1\t5\t.\tA\tG\t.\t.\t.\tGT\t0/0\t0/1\t1|1\t./.", 1, [0, 1, 2, -1] as [Int8]),
        ("1\t5\t.\tA\tG\t.\t.\t.\tGT\t0/0\t0/1\t1|1\t./.", 0, [2, 1, 0, -1]),
        ("1\t5\t.\tA\tG\t.\t.\t.\tGT:DP\t0/0:3\t0/1:4\t1|1:5\t./.:0", 1, [0, 1, 2, -1]),
        ("1\t5\t.\tA\tG\t.\t.\t.\tGT\t0\t1\t1/1\t.", 1, [0, 1, 2, -1]),
        ("1\t5\t.\tA\tG,T\t.\t.\t.\tGT\t0/2\t2/2\t1/2\t./1", 2, [1, 2, 1, -1]),
        ("1\t5\t.\tA\tG\t.\t.\t.\tGT\t0/0\t0/1\t1/.\t1/1", 1, [0, 1, -1, 2]),
    ])
    func countsMatchTheGenotypes(line: String, allele: Int, expected: [Int8]) throws {
        #expect(try counts(line, allele: allele, samples: 4) == expected)
    }

    @Test func anAlleleTheRecordDoesNotHaveIsAnError() {
        #expect(throws: VCFError.self) {
            try counts("1\t5\t.\tA\tG\t.\t.\t.\tGT\t0/0\t0/2\t1/1\t0/0", allele: 1, samples: 4)
        }
        #expect(throws: VCFError.self) {
            try counts("1\t5\t.\tA\tG\t.\t.\t.\tGT\t0/0\t0/1\t1/1", allele: 1, samples: 4)
        }
    }
}
