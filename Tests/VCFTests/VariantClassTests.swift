import Testing
import VCF

/// htslib's variant typing (`bcf_set_variant_type`), which decides the SNP/indel/MNP/other counts.
@Suite struct VariantClassTests {
    @Test(arguments: [
        ("A", "G", VariantClass.snv),
        ("A", "a", .snv),  // htslib's single-base fast path compares case-sensitively
        ("A", "A", .reference),
        ("A", ".", .reference),
        ("A", "X", .reference),
        ("A", "<*>", .reference),
        ("A", "<NON_REF>", .reference),
        ("A", "<X>", .reference),
        ("A", "<DEL>", .other),
        ("A", "*", .overlap),
        ("A", "AT", .indel),
        ("AT", "A", .indel),
        ("ACGT", "AGGT", .snv),  // a SNV written with padding
        ("AC", "GT", .mnv),
        ("ACG", "TCA", .mnv),
        ("ACG", "T", .other),
        ("A", "GT", .other),
        ("G", "G]17:198982]", .breakend),
        ("acgt", "ACG", .indel),
    ])
    func classifies(_ ref: String, _ alt: String, _ expected: VariantClass) {
        #expect(VariantClass.classify(ref: ref, alt: alt) == expected)
    }
}

@Suite struct NormalizationTests {
    @Test(arguments: [
        (Variant(chrom: "1", position: 100, ref: "CTT", alt: "CT"), Variant(chrom: "1", position: 100, ref: "CT", alt: "C")),
        (Variant(chrom: "1", position: 100, ref: "AC", alt: "AT"), Variant(chrom: "1", position: 101, ref: "C", alt: "T")),
        (Variant(chrom: "1", position: 100, ref: "GATC", alt: "GTTC"), Variant(chrom: "1", position: 101, ref: "A", alt: "T")),
        (Variant(chrom: "1", position: 100, ref: "A", alt: "G"), Variant(chrom: "1", position: 100, ref: "A", alt: "G")),
        (Variant(chrom: "1", position: 100, ref: "A", alt: "<DEL>"), Variant(chrom: "1", position: 100, ref: "A", alt: "<DEL>")),
        (Variant(chrom: "1", position: 100, ref: "A", alt: "*"), Variant(chrom: "1", position: 100, ref: "A", alt: "*")),
        (Variant(chrom: "1", position: 100, ref: "AAAC", alt: "AAC"), Variant(chrom: "1", position: 100, ref: "AA", alt: "A")),
    ])
    func trims(_ input: Variant, _ expected: Variant) {
        #expect(input.trimmed() == expected)
    }

    @Test func splitsMultiallelicRecordsAndProjectsGenotypes() throws {
        let header = try makeHeader()
        let r = try record("chr1\t100\t.\tATT\tAT,GTT,<DEL>\t.\tPASS\t.\tGT\t1/2\t0|3", header: header)
        let split = r.splitAlleles()
        #expect(split.map(\.variant.description) == ["chr1:100 AT>A", "chr1:100 A>G", "chr1:100 ATT><DEL>"])
        #expect(split.map(\.altIndex) == [1, 2, 3])
        let genotypes = try r.genotypes(header: header)
        #expect(genotypes[0].projected(onto: 2).description == "0/1")
        #expect(genotypes[0].projected(onto: 2, others: .missing).description == "./1")
        #expect(genotypes[1].projected(onto: 3).description == "0|1")
        #expect(genotypes[1].projected(onto: 1).description == "0|0")
    }
}
