import Testing
import VCF

@Suite struct HeaderTests {
    @Test func parsesDefinitionsContigsAndSamples() throws {
        let header = try makeHeader(samples: ["NA12878", "sample with spaces"])
        #expect(header.version == VCFVersion(major: 4, minor: 2))
        #expect(header.samples == ["NA12878", "sample with spaces"])
        #expect(header.infos["AF"]?.number == .perAlt)
        #expect(header.infos["DB"]?.type == .flag)
        #expect(header.formats["AD"]?.number == .perAllele)
        #expect(header.contigs == [VCFContig(id: "chr1", length: 248_956_422)])
        #expect(header.lineCount == 12)
        #expect(header.warnings.isEmpty)
    }

    @Test func quotedDescriptionsKeepCommasEqualsAndEscapedQuotes() throws {
        let header = try makeHeader(extra: [
            #"##INFO=<ID=ANN,Number=.,Type=String,Description="Consequence: 'A|B', x=1, \"quoted\"",Source="VEP",Version="110">"#
        ])
        let line = header.metaLines.first { $0["ID"] == "ANN" }
        #expect(header.infos["ANN"]?.description == #"Consequence: 'A|B', x=1, "quoted""#)
        #expect(line?["Source"] == "VEP")
        #expect(line?["Version"] == "110")
    }

    @Test func unstructuredLinesAreKept() throws {
        let header = try makeHeader(extra: ["##bcftools_viewCommand=view -Oz -o x.vcf.gz in.vcf; Date=Mon"])
        #expect(header.metaLines.contains { $0.key == "bcftools_viewCommand" && $0.value.hasPrefix("view -Oz") })
    }

    @Test func sitesOnlyHeaderHasNoSamples() throws {
        let header = try makeHeader(samples: [])
        #expect(header.isSitesOnly)
    }

    @Test(arguments: ["VCFv4.0", "VCFv4.1", "VCFv4.2", "VCFv4.3", "VCFv4.4"])
    func acceptsVersions(_ version: String) throws {
        let header = try makeHeader(version: version)
        #expect(header.version.description == version)
        #expect(header.version.usesPercentEncoding == (version >= "VCFv4.3"))
    }

    @Test(arguments: [
        (["#CHROM\tPOS"], "##fileformat"),
        (["##fileformat=VCFv5.0", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"], "unrecognised file format"),
        (["##fileformat=VCFv4.2"], "no #CHROM line"),
        (["##fileformat=VCFv4.2", "#CHROM POS ID REF ALT QUAL FILTER INFO"], "separated by spaces"),
        (["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tA\tA"], "appears more than once"),
        (["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tSAMPLE1"], "expected 'FORMAT'"),
        (["##fileformat=VCFv4.2", "##contig=<ID=chr1,length=big>", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"], "length 'big'"),
        (
            ["##fileformat=VCFv4.2", "##INFO=<ID=X,Number=1,Type=String,Description=\"open>", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"],
            "unterminated"
        ),
        (["##fileformat=VCFv4.2", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO", "##late=1"], "after the #CHROM line"),
    ])
    func rejectsMalformedHeaders(_ lines: [String], _ expected: String) {
        #expect {
            _ = try VCFHeader.parse(lines: lines.map { Substring($0) })
        } throws: { error in
            guard let error = error as? VCFError else { return false }
            return error.kind == .header && error.description.contains(expected) && error.line != nil
        }
    }

    @Test func malformedDefinitionIsAWarningNotAFailure() throws {
        // htslib warns and carries on; one bad definition must not make a genome unreadable.
        let header = try makeHeader(extra: ["##FORMAT=<ID=XX,Number=f,Type=Integer,Description=\"bad\">"])
        #expect(header.formats["XX"]?.number == .variable)
        #expect(header.warnings.count == 1)
        #expect(header.warnings[0].contains("line 12") && header.warnings[0].contains("Number 'f'"))
    }

    @Test(arguments: [
        ("chr1", 249_250_621, GenomeBuild.grch37),
        ("1", 248_956_422, GenomeBuild.grch38),
        ("chr1", 123, GenomeBuild.unknown),
    ])
    func recognisesBuildFromContigLengths(_ name: String, _ length: Int, _ build: GenomeBuild) {
        let evidence = GenomeBuild.recognise(contigs: [VCFContig(id: name, length: length)], reference: nil)
        #expect(evidence.build == build)
    }

    @Test func contigLengthsOutweighTheReferenceLine() {
        let contigs = [VCFContig(id: "chr1", length: 249_250_621), VCFContig(id: "chr2", length: 243_199_373)]
        let evidence = GenomeBuild.recognise(contigs: contigs, reference: "file:///refs/GRCh38.fa")
        #expect(evidence.build == .grch37)
        #expect(evidence.reason.contains("2 of 2"))
    }

    @Test(arguments: [
        ("hg19.fa", GenomeBuild.grch37), ("Homo_sapiens_assembly38.fasta", .grch38), ("reference.fa", .unknown),
        ("GRCh38_full_analysis_set.fa", .grch38), ("hs37d5.fa", .grch37),
    ])
    func referenceLineIsAHintWithoutLengths(_ reference: String, _ build: GenomeBuild) {
        #expect(GenomeBuild.recognise(contigs: [VCFContig(id: "chr1")], reference: reference).build == build)
    }

    @Test(arguments: [("chr1", "1"), ("1", "1"), ("chrM", "MT"), ("MT", "MT"), ("chrX", "X"), ("chr", "chr")])
    func contigNamingIsCanonicalised(_ name: String, _ canonical: String) {
        #expect(ContigName.canonical(name) == canonical)
    }

    @Test func contigLookupAcceptsEitherNaming() throws {
        let header = try makeHeader()
        #expect(header.contigName(matching: "1") == "chr1")
        #expect(header.contigName(matching: "chr1") == "chr1")
        #expect(header.contigName(matching: "2") == nil)
    }
}
