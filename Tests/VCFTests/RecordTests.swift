import Testing
import VCF

/// One row per VCF pitfall in docs/domain/genomic-files.md §4, plus the errors a lab will meet.
@Suite struct RecordTests {
    let header: VCFHeader
    init() throws { header = try makeHeader() }

    @Test func fixedColumnsAreDecoded() throws {
        let r = try record("chr1\t100\trs1;rs2\tA\tG,T\t29.5\tPASS\tDP=10;AF=0.5,0.1;DB\tGT:DP\t0/1:7\t1|2:9", header: header)
        #expect(r.chrom == "chr1")
        #expect(r.position == 100)
        #expect(r.ids == ["rs1", "rs2"])
        #expect(r.ref == "A")
        #expect(r.alts == ["G", "T"])
        #expect(r.alleleCount == 3)
        #expect(r.quality == 29.5)
        #expect(r.filters == ["PASS"])
        #expect(r.formatKeys == ["GT", "DP"])
        #expect(try r.info("DP", header: header) == .integers([10]))
        #expect(try r.info("AF", header: header) == .floats([0.5, 0.1]))
        #expect(try r.info("DB", header: header) == .flag)
        #expect(try r.info("MISSING", header: header) == nil)
    }

    // §4.3 Missing values: '.' in QUAL, ID, INFO; FILTER '.' is "not filtered", not PASS; list elements may be missing.
    @Test func missingValues() throws {
        let r = try record("chr1\t100\t.\tA\tG\t.\t.\tAF=.,0.2;NOTE=.\tGT\t0/1\t./.", header: header)
        #expect(r.ids.isEmpty)
        #expect(r.quality == nil)
        #expect(r.filters == nil)
        #expect(try r.info("AF", header: header) == .floats([nil, 0.2]))
        #expect(try r.info("NOTE", header: header) == .strings([nil]))
        let empty = try record("chr1\t100\t.\tA\tG\t.\tLowQual;q10\t.\tGT\t0/1\t0/0", header: header)
        #expect(empty.filters == ["LowQual", "q10"])
        #expect(empty.withView { $0.infoKeys }.isEmpty)
    }

    // §4.2 Numbers: negative integers; floats as nan, inf, 1e-05; undeclared keys read as strings.
    @Test(arguments: ["1e-05", "-1.5", ".5", "3.2E+10", "nan", "NaN", "inf", "-Infinity", "7"])
    func qualAcceptsEveryFloatSpelling(_ qual: String) throws {
        let r = try record("chr1\t100\t.\tA\tG\t\(qual)\tPASS\t.\tGT\t0/1\t0/0", header: header)
        let value = try #require(r.quality)
        if qual.lowercased() == "nan" {
            #expect(value.isNaN)
        } else {
            #expect(value == Double(qual) ?? (qual.hasPrefix("-") ? -.infinity : .infinity))
        }
    }

    @Test func negativeIntegersAndUndeclaredKeys() throws {
        let r = try record("chr1\t100\t.\tA\tG\t.\tPASS\tDP=-3;XYZ=a,b\tGT\t0/1\t0/0", header: header)
        #expect(try r.info("DP", header: header) == .integers([-3]))
        #expect(try r.info("XYZ", header: header) == .strings(["a", "b"]))
    }

    // §4.3 Trailing FORMAT fields may be dropped per sample.
    @Test func droppedTrailingFormatFields() throws {
        let r = try record("chr1\t100\t.\tA\tG\t.\tPASS\t.\tGT:AD:DP\t0/1\t1/1:0,9:9", header: header)
        #expect(try r.withView { (v) throws(VCFError) in try v.formatValues("DP", header: header) } == [nil, "9"])
        #expect(try r.genotypes(header: header).map(\.description) == ["0/1", "1/1"])
    }

    // §4.4 GT forms; §4.5 multi-allelic.
    @Test(arguments: [
        ("0/1", [0, 1] as [Int?], false),
        ("1|0", [1, 0], true),
        ("1", [1], false),
        (".", [nil], false),
        ("./.", [nil, nil], false),
        ("./1", [nil, 1], false),
        ("0/.", [0, nil], false),
        ("10/12", [10, 12], false),
        ("0/1/2", [0, 1, 2], false),
        ("0|1/2", [0, 1, 2], false),
        ("|1", [1], true),
    ])
    func genotypeForms(_ text: String, _ alleles: [Int?], _ phased: Bool) throws {
        let genotype = try #require(Genotype(text, alleleCount: 13))
        #expect(genotype.alleles == alleles)
        #expect(genotype.isPhased == phased)
        #expect(genotype.description == text)
    }

    @Test func mixedPhaseIsPerSeparator() throws {
        let genotype = try #require(Genotype("0|1/2", alleleCount: 3))
        #expect(genotype.phased == [true, false])
        #expect(!genotype.isPhased)
        #expect(Genotype("./1", alleleCount: 2)?.isPartiallyMissing == true)
        #expect(Genotype("./.", alleleCount: 2)?.isMissing == true)
    }

    // §4.4 PS: phased calls belong to a phase set; calls in different sets are not phased with each other.
    @Test func phaseSetsAreReadPerSample() throws {
        let r = try record("chr1\t100\t.\tA\tG\t.\tPASS\t.\tGT:PS\t0|1:100\t1|0:.", header: header)
        #expect(try r.withView { (v) throws(VCFError) in try v.formatValues("PS", header: header) } == ["100", "."])
        #expect(try r.genotypes(header: header).map(\.isPhased) == [true, true])
    }

    @Test(arguments: ["", "0/", "/", "a/b", "0//1", "0/1 ", "0\\1", "1.1"])
    func malformedGenotypesAreRejected(_ text: String) {
        #expect(Genotype(text, alleleCount: 3) == nil)
    }

    /// The coding visitor gives what `genotypes(header:)` gives, each distinct genotype once.
    @Test func forEachGenotypeMatchesGenotypesAndDecodesEachTextOnce() throws {
        let header = try makeHeader(samples: ["A", "B", "C", "D", "E"])
        let r = try record("chr1\t100\t.\tA\tG,T\t.\tPASS\t.\tGT:DP\t0/1:3\t0/1\t1|2\t./.\t0/1:7", header: header)
        var distinct: [String] = []
        var codes: [Int] = []
        try r.withView { (v) throws(VCFError) in
            try v.forEachGenotypeCode(header: header) { distinct.append($0.description) } _: { (_, code) throws(VCFError) in codes.append(code) }
        }
        #expect(codes.map { distinct[$0] } == (try r.genotypes(header: header).map(\.description)))
        #expect(distinct == ["0/1", "1|2", "./."])
        let two = try makeHeader()
        let bad = try record("chr1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/2", header: two)
        #expect(throws: VCFError.self) {
            try bad.withView { (v) throws(VCFError) in try v.forEachGenotypeCode(header: two) { _ in } _: { _, _ in } }
        }
    }

    @Test func genotypeNamingAnAbsentAlleleIsAnErrorThatNamesTheSample() throws {
        let r = try record("chr1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/2", header: header)
        #expect(throws: VCFError.self) { try r.genotypes(header: header) }
        do {
            _ = try r.genotypes(header: header)
        } catch {
            #expect(error.field == "sample S2 GT")
            #expect(error.message.contains("0/2"))
        }
    }

    // §4.5 Number=G order: (j,k) at k(k+1)/2 + j.
    @Test(arguments: [((0, 0), 0), ((0, 1), 1), ((1, 1), 2), ((0, 2), 3), ((1, 2), 4), ((2, 2), 5), ((2, 1), 4)])
    func genotypeListIndex(_ pair: (Int, Int), _ index: Int) {
        #expect(Genotype.genotypeListIndex(pair.0, pair.1) == index)
    }

    // §4.6 ALT forms.
    @Test(arguments: [
        "A,T", "*", "<DEL>", "<NON_REF>", "<*>", "<DUP:TANDEM>", "G]17:198982]", "]13:123456]T", "A[2:321682[", ".A", "A.", "ACGTN", "acgt",
    ])
    func altFormsAreAccepted(_ alt: String) throws {
        let r = try record("chr1\t100\t.\tA\t\(alt)\t.\tPASS\t.\tGT\t0/1\t0/0", header: header)
        #expect(r.alts.joined(separator: ",") == alt)
    }

    // §4.7 END: overlap and span use INFO/END for symbolic alleles and gVCF blocks.
    @Test func referenceEndUsesInfoEnd() throws {
        let sv = try record("chr1\t1000\t.\tN\t<DEL>\t.\tPASS\tEND=5000\tGT\t0/1\t0/0", header: header)
        #expect(sv.referenceEnd == 5000)
        let deletion = try record("chr1\t1000\t.\tACGT\tA\t.\tPASS\t.\tGT\t0/1\t0/0", header: header)
        #expect(deletion.referenceEnd == 1003)
    }

    // §4.8 Percent-encoding: decoded in 4.3, literal in 4.2.
    @Test func percentEncodingOnlyFrom43() throws {
        let line = "chr1\t100\t.\tA\tG\t.\tPASS\tNOTE=a%3Bb%2Cc%25\tGT\t0/1\t0/0"
        let v43 = try makeHeader(version: "VCFv4.3")
        #expect(try record(line, header: v43).info("NOTE", header: v43) == .strings(["a;b,c%"]))
        #expect(try record(line, header: header).info("NOTE", header: header) == .strings(["a%3Bb%2Cc%25"]))
    }

    // §4.9 Real-file oddities: CRLF endings, lower-case and IUPAC bases, empty ID/QUAL as htslib reads them.
    @Test func realFileOddities() throws {
        let crlf = try record("chr1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0\r", header: header)
        #expect(try crlf.genotypes(header: header).map(\.description) == ["0/1", "0/0"])
        #expect(try record("chr1\t100\t.\tacgR\ta\t.\tPASS\t.\tGT\t0/1\t0/0", header: header).ref == "acgR")
        let empty = try record("chr1\t100\t\tA\tG\t\tPASS\t.\tGT\t0/1\t0/0", header: header)
        #expect(empty.ids.isEmpty && empty.quality == nil)
    }

    /// Found by the fuzzer: a separator followed by a combining mark is one Swift Character, so the text
    /// accessors must split bytes, exactly as the line parser does, or ALT indexes stop matching GT.
    @Test func separatorsFollowedByCombiningMarksSplitLikeTheParser() throws {
        let r = try record("chr1\t100\trs1;\u{301}rs2\tN\tN.,\u{301}.\t.\tq1;\u{301}q2\tNOTE=a,\u{301}b\tGT:\u{301}DP\t0/2\t0/0", header: header)
        #expect(r.alleleCount == 3)
        #expect(r.alts.count == 2)
        #expect(r.ids.count == 2)
        #expect(r.filters?.count == 2)
        #expect(r.formatKeys.count == 2)
        if case .strings(let values) = try r.info("NOTE", header: header) { #expect(values.count == 2) } else { Issue.record("NOTE not decoded") }
    }

    @Test func sitesOnlyRecord() throws {
        let sites = try makeHeader(samples: [])
        let r = try record("chr1\t100\t.\tA\tG\t.\tPASS\tDP=3", header: sites)
        #expect(r.formatKeys.isEmpty)
        #expect(try r.genotypes(header: sites).isEmpty)
    }

    @Test(arguments: [
        ("chr1\t100\t.\tA\tG", "", "at least 8"),
        ("chr1 100 . A G . PASS .", "", "tabs, not spaces"),
        ("\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0", "CHROM", "empty"),
        ("chr1\tabc\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0", "POS", "'abc' is not a position"),
        ("chr1\t-5\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0", "POS", "not a position"),
        ("chr1\t100\t.\t\tG\t.\tPASS\t.\tGT\t0/1\t0/0", "REF", "empty"),
        ("chr1\t100\t.\tA1\tG\t.\tPASS\t.\tGT\t0/1\t0/0", "REF", "not a nucleotide code"),
        ("chr1\t100\t.\tA\t\t.\tPASS\t.\tGT\t0/1\t0/0", "ALT", "empty"),
        ("chr1\t100\t.\tA\tG,,T\t.\tPASS\t.\tGT\t0/1\t0/0", "ALT", "empty allele"),
        ("chr1\t100\t.\tA\t<DEL\t.\tPASS\t.\tGT\t0/1\t0/0", "ALT", "not closed"),
        ("chr1\t100\t.\tA\tG1\t.\tPASS\t.\tGT\t0/1\t0/0", "ALT", "neither bases"),
        ("chr1\t100\t.\tA\tG\thigh\tPASS\t.\tGT\t0/1\t0/0", "QUAL", "not a number"),
        ("chr1\t100\t.\tA\tG\t.\t\t.\tGT\t0/1\t0/0", "FILTER", "empty"),
        ("chr1\t100\t.\tA\tG\t.\tPASS\t\tGT\t0/1\t0/0", "INFO", "empty"),
        ("chr1\t100\t.\tA\tG\t.\tPASS\t.", "FORMAT", "no FORMAT column"),
    ])
    func malformedLinesNameTheField(_ line: String, _ field: String, _ message: String) {
        do {
            _ = try record(line, header: header)
            Issue.record("accepted: \(line)")
        } catch {
            #expect(error.field == (field.isEmpty ? nil : field))
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test(arguments: [("chr1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1", "found 1"), ("chr1\t100\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t0/0\t1/1", "found 3")])
    func wrongSampleCountIsReported(_ line: String, _ message: String) throws {
        let r = try record(line, header: header)
        #expect {
            try r.genotypes(header: header)
        } throws: { error in
            (error as? VCFError)?.message.contains(message) == true
        }
    }
}
