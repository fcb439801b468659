import BGZF
import Foundation
import Testing
import VCF

@testable import GenomicFiles

@Suite struct VCFFileTests {
    static let golden = BcftoolsStats(text: (try? Fixtures.text("sample.bcftools-stats.txt")) ?? "")

    @Test(arguments: [
        ("sample.vcf", VCFContainer.plain), ("sample.vcf.gz", .bgzf), ("sample.plain.vcf.gz", .gzip), ("crlf.vcf", .plain),
    ])
    func recognisesContainer(_ name: String, _ container: VCFContainer) throws {
        let file = try VCFFile(path: Fixtures.path(name))
        #expect(file.container == container)
        #expect(file.header.samples == ["S0001", "S0002", "S0003"])
        #expect(file.header.build.build == .grch38)
    }

    /// The golden numbers are bcftools 1.16's own output for the same file.
    @Test(arguments: ["sample.vcf", "sample.vcf.gz", "sample.plain.vcf.gz"], [1, 2, 3])
    func statsEqualBcftoolsInEveryContainerAndThreadCount(_ name: String, _ threads: Int) async throws {
        // One block per batch forces many batches, so lines are stitched across batch boundaries.
        let options = VCFReadOptions(threads: threads, blocksPerBatch: 1)
        let report = try await VCFStatistics.compute(path: Fixtures.path(name), options: options)
        #expect(BcftoolsStats(report.stats) == Self.golden)
        #expect(report.summary.records == 3000)
        #expect(report.stats.genotypes == 9000)
    }

    @Test func crlfFileReadsLikeLF() async throws {
        let report = try await VCFStatistics.compute(path: Fixtures.path("crlf.vcf"))
        #expect(report.stats.records == 200)
        #expect(report.summary.skippedLines == 0)
    }

    @Test func headerOnlyFileHasNoRecords() async throws {
        let report = try await VCFStatistics.compute(path: Fixtures.path("header-only.vcf"))
        #expect(report.stats.records == 0)
        #expect(report.stats.samples.count == 3)
    }

    @Test(arguments: [1, 2])
    func strictModeStopsAtTheBadLineWithItsNumber(_ threads: Int) async throws {
        let expectedLine = Int(try Fixtures.text("bad-line.txt").trimmingCharacters(in: .whitespacesAndNewlines))!
        await #expect {
            _ = try await VCFStatistics.compute(path: Fixtures.path("bad-line.vcf.gz"), options: VCFReadOptions(threads: threads, blocksPerBatch: 1))
        } throws: { error in
            guard let error = error as? VCFError else { return false }
            return error.line == expectedLine && error.field == "POS" && error.message.contains("'12x'")
                && error.description.hasPrefix(Fixtures.path("bad-line.vcf.gz") + ":\(expectedLine): POS:")
        }
    }

    @Test func lenientModeSkipsCountsAndListsBadLines() async throws {
        let expected = try Fixtures.text("bad-lines.txt").split(separator: "\n").map { Int($0)! }
        let report = try await VCFStatistics.compute(path: Fixtures.path("bad-lines.vcf"), options: VCFReadOptions(lenient: true))
        #expect(report.summary.skippedLines == 3)
        #expect(report.summary.problems.map(\.line) == expected)
        #expect(report.stats.records == 297)
        #expect(report.summary.problems[1].field == "sample S0001 GT")
        #expect(report.summary.problems[2].field == "QUAL")
    }

    @Test func lenientModeKeepsNothingFromABadLine() async throws {
        // The line with a bad GT is dropped whole: its other samples are not counted either.
        let strictPrefix = try await VCFStatistics.compute(path: Fixtures.path("bad-lines.vcf"), options: VCFReadOptions(lenient: true))
        let genotypes = strictPrefix.stats.samples.reduce(0) { $0 + $1.homRef + $1.homAlt + $1.het + $1.missing + $1.haploidRef + $1.haploidAlt }
        #expect(strictPrefix.stats.genotypes == 297 * 3)
        #expect(genotypes <= 297 * 3)
    }

    @Test func missingEOFMarkerIsAnErrorUnlessLenient() async throws {
        await #expect {
            _ = try await VCFStatistics.compute(path: Fixtures.path("no-eof.vcf.gz"))
        } throws: { error in
            (error as? BGZFError)?.kind == .missingEOFMarker
        }
        let report = try await VCFStatistics.compute(path: Fixtures.path("no-eof.vcf.gz"), options: VCFReadOptions(lenient: true))
        #expect(report.stats.records == 3000)
        #expect(report.summary.warnings.contains { $0.contains("end-of-file marker") })
    }

    @Test(arguments: [1, 2])
    func truncatedFileNamesTheOffset(_ threads: Int) async throws {
        await #expect {
            _ = try await VCFStatistics.compute(path: Fixtures.path("truncated.vcf.gz"), options: VCFReadOptions(threads: threads))
        } throws: { error in
            guard let error = error as? BGZFError, case .truncated = error.kind else { return false }
            return error.description.contains("byte ") && error.path == Fixtures.path("truncated.vcf.gz")
        }
    }

    @Test(arguments: [
        ("sample.bcf", "BCF"), ("empty.vcf", "empty"), ("not-a-vcf.fa", "##fileformat"), ("does-not-exist.vcf", "cannot open"),
    ])
    func badInputsGetClearErrors(_ name: String, _ message: String) async throws {
        await #expect {
            _ = try await VCFStatistics.compute(path: Fixtures.path(name))
        } throws: { error in
            "\(error)".contains(message) && "\(error)".contains(name)
        }
    }
}

@Suite struct RegionTests {
    @Test(arguments: [
        ("chr1", GenomicRegion(contig: "chr1", start: 1, end: .max)),
        ("chr1:1000", GenomicRegion(contig: "chr1", start: 1000, end: 1000)),
        ("chr1:1,000-2,000", GenomicRegion(contig: "chr1", start: 1000, end: 2000)),
        ("chr1:1000-", GenomicRegion(contig: "chr1", start: 1000, end: .max)),
        ("HLA-A*01:01:1-5", GenomicRegion(contig: "HLA-A*01:01", start: 1, end: 5)),
    ])
    func parsesRegions(_ text: String, _ region: GenomicRegion) throws {
        #expect(try GenomicRegion(parsing: text) == region)
    }

    @Test(arguments: ["", "chr1:0-5", "chr1:10-5", "chr1:a-b", ":1-2"])
    func rejectsBadRegions(_ text: String) {
        #expect(throws: VCFError.self) { try GenomicRegion(parsing: text) }
    }

    @Test func tabixAndCSIQueriesEqualBcftoolsAndStreaming() async throws {
        let region = try GenomicRegion(parsing: try Fixtures.text("sample.region.txt").trimmingCharacters(in: .whitespacesAndNewlines))
        let golden = BcftoolsStats(text: try Fixtures.text("sample.region.bcftools-stats.txt"))
        let tabix = try await VCFStatistics.compute(path: Fixtures.path("sample.vcf.gz"), region: region)
        #expect(tabix.usedIndex)
        #expect(BcftoolsStats(tabix.stats) == golden)
        let csi = try await VCFStatistics.compute(path: Fixtures.path("sample-csi.vcf.gz"), region: region)
        #expect(csi.usedIndex)
        #expect(BcftoolsStats(csi.stats) == golden)
        let streamed = try await VCFStatistics.compute(path: try Fixtures.isolatedCopy("sample.vcf.gz"), region: region)
        #expect(!streamed.usedIndex)
        #expect(BcftoolsStats(streamed.stats) == golden)
    }

    struct Entry: Sendable {
        var chrom: String
        var position: Int
        var end: Int
    }

    @Test func everyRegionAgreesBetweenIndexAndStream() async throws {
        // Many windows of many sizes, including edges: the index query must return exactly the records a
        // full stream finds overlapping the window (REF span or INFO/END).
        let plain = try VCFFile(path: Fixtures.path("sample.vcf"))
        let (records, _) = try await plain.scan(
            initial: [Entry](),
            record: { (acc: inout [Entry], v: VCFRecordView) throws(VCFError) in
                acc.append(Entry(chrom: v.chrom, position: v.position, end: v.referenceEnd))
            },
            merge: { $0 += $1 })
        #expect(records.count == 3000)
        let file = try VCFFile(path: Fixtures.path("sample.vcf.gz"))
        let index = try #require(try GenomicIndex.load(forVCF: Fixtures.path("sample.vcf.gz"), header: file.header))
        var seed: UInt64 = 42
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        var checked = 0
        for contig in ["chr1", "chr2", "chr7", "chr21", "chrX", "chrY"] {
            for _ in 0..<40 {
                let start = 1 + next(160_000_000)
                let length = [1, 100, 20_000, 1_000_000, 30_000_000][next(5)]
                let region = GenomicRegion(contig: contig, start: start, end: start + length - 1)
                var got: [Int] = []
                try file.query(region, index: index) { got.append($0.position) }
                let expected = records.filter { $0.chrom == contig && $0.position <= region.end && $0.end >= region.start }.map(\.position)
                #expect(got == expected, "\(region)")
                checked += expected.count
            }
        }
        #expect(checked > 100)
    }

    @Test func unknownContigIsReportedNotSilentlyEmpty() async throws {
        let report = try await VCFStatistics.compute(path: Fixtures.path("sample.vcf.gz"), region: GenomicRegion(contig: "chr99"))
        #expect(report.stats.records == 0)
        #expect(report.summary.warnings.contains { $0.contains("contig 'chr99' is not among the file's 24 ##contig lines") })
        let known = try await VCFStatistics.compute(path: Fixtures.path("sample.vcf.gz"), region: GenomicRegion(contig: "7"))
        #expect(known.summary.warnings.isEmpty)
        #expect(known.stats.records > 0)
    }

    @Test func queriesDoNotDisturbTheStreamAndAStreamIsReadOnce() async throws {
        let file = try VCFFile(path: Fixtures.path("sample.vcf.gz"), options: VCFReadOptions(blocksPerBatch: 1))
        let index = try #require(try GenomicIndex.load(forVCF: Fixtures.path("sample.vcf.gz"), header: file.header))
        var queried = 0
        try file.query(GenomicRegion(contig: "chr20"), index: index) { _ in queried += 1 }
        #expect(queried > 0)
        let (count, _) = try await file.scan(initial: 0, record: { (n: inout Int, _: VCFRecordView) throws(VCFError) in n += 1 }, merge: { $0 += $1 })
        #expect(count == 3000)
        await #expect(throws: VCFError.self) {
            _ = try await file.scan(initial: 0, record: { (n: inout Int, _: VCFRecordView) throws(VCFError) in n += 1 }, merge: { $0 += $1 })
        }
    }

    @Test(arguments: ["sample.vcf.gz", "sample-csi.vcf.gz"])
    func anIndexLoadedForOneContigAnswersLikeAFullOne(_ name: String) throws {
        let file = try VCFFile(path: Fixtures.path(name))
        let full = try #require(try GenomicIndex.load(forVCF: Fixtures.path(name), header: file.header))
        let partial = try #require(try GenomicIndex.load(forVCF: Fixtures.path(name), header: file.header, onlyContig: "3"))
        let region = GenomicRegion(contig: "chr3", start: 20_000_000, end: 120_000_000)
        #expect(full.chunks(for: region) == partial.chunks(for: region))
        #expect(!partial.chunks(for: region).isEmpty)
        #expect(partial.covers("chr3") && !partial.covers("chr4") && full.covers("chr4"))
        #expect(throws: VCFError.self) { try file.query(GenomicRegion(contig: "chr4"), index: partial) { _ in } }
    }

    @Test func deletionSpanningIntoTheRegionIsReturned() throws {
        let file = try VCFFile(path: Fixtures.path("spanning.vcf.gz"))
        let index = try #require(try GenomicIndex.load(forVCF: Fixtures.path("spanning.vcf.gz"), header: file.header))
        var positions: [Int] = []
        try file.query(GenomicRegion(contig: "5", start: 600_000, end: 700_000), index: index) { positions.append($0.position) }
        #expect(positions == [1000])
        positions = []
        try file.query(GenomicRegion(contig: "chr5", start: 1, end: 3_000_000), index: index) { positions.append($0.position) }
        #expect(positions == [1000, 500_000, 2_000_000])
        positions = []
        try file.query(GenomicRegion(contig: "chr9", start: 1, end: 3_000_000), index: index) { positions.append($0.position) }
        #expect(positions.isEmpty)
    }

    @Test(arguments: [(1, 16384), (0, 1), (16384, 16385), (100_000, 5_000_000)])
    func binsMatchTheUCSCScheme(_ range: (Int, Int)) {
        let bins = GenomicIndex.bins(begin: range.0, end: range.1, minShift: 14, depth: 5)
        #expect(bins.first == 0)
        // The level-5 (16 kb) bins are 4681 + pos >> 14.
        #expect(bins.contains(UInt32(4681 + (range.0 >> 14))))
        #expect(bins.contains(UInt32(4681 + ((range.1 - 1) >> 14))))
    }
}
