import Foundation
import Testing
@testable import Germline
import VCF

@Suite struct ConsequenceTests {
    @Test(arguments: [
        ("splice_region_variant&intron_variant", "splice_region_variant"),
        ("intron_variant&stop_gained", "stop_gained"),
        ("missense_variant&splice_region_variant", "missense_variant"),
        ("conservative_inframe_deletion", "inframe_deletion"),
        ("exon_loss_variant", "transcript_ablation"),
        ("5_prime_UTR_variant&made_up_term", "5_prime_UTR_variant"),
    ])
    func mostSevereOfJoinedTerms(joined: String, expected: String) {
        #expect(Consequence.mostSevere(of: joined)?.term == expected)
    }

    @Test(arguments: [
        ("stop_gained", 1.0), ("frameshift_variant", 1.0), ("splice_donor_variant", 1.0), ("start_lost", 1.0), ("inframe_deletion", 0.85),
        ("splice_region_variant", 0.8), ("missense_variant", 0.6), ("synonymous_variant", 0.1), ("intron_variant", 0.0), ("made_up", 0.0),
    ])
    func exomiserDefaults(term: String, score: Double) {
        #expect(Consequence(term).defaultPathogenicity == score)
    }

    @Test func vepOrderIsSeverityOrder() {
        #expect(Consequence("stop_gained") > Consequence("missense_variant"))
        #expect(Consequence("missense_variant") > Consequence("synonymous_variant"))
        #expect(Consequence("intron_variant") > Consequence("intergenic_variant"))
        #expect(Consequence("intergenic_variant") > Consequence("not_a_term"))
    }
}

@Suite struct VCFAnnotationTests {
    /// Several transcripts of one gene: the most severe consequence wins, with its own HGVS.
    @Test(arguments: [
        (["intron_variant", "missense_variant", "synonymous_variant"], "missense_variant"),
        (["synonymous_variant", "splice_region_variant&synonymous_variant"], "splice_region_variant"),
        (["stop_gained", "missense_variant"], "stop_gained"),
        (["3_prime_UTR_variant"], "3_prime_UTR_variant"),
    ])
    func vepMultipleTranscripts(consequences: [String], expected: String) async throws {
        let entries = consequences.enumerated().map { i, c in
            "G|\(c)|X|GENEA|ENST\(i)|c.\(i)A>G|\(Consequence.mostSevere(of: c)?.term == expected ? "p.Expected" : "p.Other\(i)")|"
        }
        let text = VCFText.header(samples: ["kid"]) + VCFText.record("chr1", 100, "A", "G", info: "CSQ=" + entries.joined(separator: ","), gts: ["0/1"])
        let set = try await GermlineCallSet.read(temporaryFile(text))
        #expect(set.annotationTool == .vep)
        let a = try #require(set.variants.first?.annotations.first)
        #expect(a.consequence.term == expected)
        #expect(a.hgvsp == "p.Expected")
        #expect(Set(a.proteinChanges).count == consequences.count)
    }

    @Test func snpEffAnnotation() async throws {
        let ann = "T|missense_variant|MODERATE|GENEB|GENEB|transcript|NM_1|protein_coding|2/5|c.10C>T|p.Arg4Cys|||||,T|stop_gained|HIGH|GENEB|GENEB|transcript|NM_2|protein_coding|2/5|c.12C>T|p.Arg4*|||||"
        let text = VCFText.header(samples: ["kid"], csq: false, ann: true) + VCFText.record("chr2", 5, "C", "T", info: "ANN=\(ann)", gts: ["0/1"])
        let set = try await GermlineCallSet.read(temporaryFile(text))
        #expect(set.annotationTool == .snpeff)
        #expect(set.variants.first?.consequence?.term == "stop_gained")
        #expect(set.variants.first?.annotations.first?.hgvsp == "p.Arg4*")
    }

    /// Multi-allelic records: each ALT takes the entries whose Allele names it.
    @Test func multiAllelicRecordSplitsByAllele() async throws {
        let csq = [VCFText.csq("G", "stop_gained", "GENEA"), VCFText.csq("T", "synonymous_variant", "GENEA")].joined(separator: ",")
        let text = VCFText.header(samples: ["kid"]) + VCFText.record("chr1", 100, "A", "G,T", info: "CSQ=\(csq)", gts: ["1/2"])
        let set = try await GermlineCallSet.read(temporaryFile(text))
        #expect(set.variants.map(\.alt) == ["G", "T"])
        #expect(set.variants.map { $0.consequence?.term } == ["stop_gained", "synonymous_variant"])
        #expect(set.variants.map { $0.genotypes[0] } == [.heterozygous, .heterozygous])
    }

    /// Frequency: present in CSQ, MAX_AF preferred, absent → unknown (not an error), INFO/AF only when it is a population AF.
    @Test(arguments: [
        ("gnomADe", "0.0123", nil, nil, 0.0123 as Double?),
        ("gnomADe empty", "", nil, nil, nil),
        ("MAX_AF wins", "0.001", "0.2", nil, 0.2),
        ("MAX_AF empty", "0.001", "", nil, nil),
        ("INFO AF of call set ignored", "", nil, "Allele Frequency, for each ALT allele", nil),
        ("INFO AF from gnomAD used", "", nil, "Allele frequency in gnomAD exomes", 0.5),
    ])
    func frequencyFields(name: String, gnomAD: String, maxAF: String?, infoAF: String?, expected: Double?) async throws {
        let csq = VCFText.csq("G", "missense_variant", "GENEA", af: gnomAD, maxAF: maxAF)
        let info = "CSQ=\(csq)" + (infoAF != nil ? ";AF=0.5" : "")
        let text = VCFText.header(samples: ["kid"], maxAF: maxAF != nil, infoAF: infoAF) + VCFText.record("chr1", 100, "A", "G", info: info, gts: ["0/1"])
        let set = try await GermlineCallSet.read(temporaryFile(text))
        #expect(set.variants.first?.frequency.value == expected, "\(name)")
        if expected == nil { #expect(set.variants.first?.frequency == .unknown) }
    }

    @Test func unannotatedVCFSaysWhatIsNeeded() async throws {
        let text = VCFText.header(samples: ["kid"], csq: false) + VCFText.record("chr1", 100, "A", "G", info: "DP=10", gts: ["0/1"])
        let set = try await GermlineCallSet.read(temporaryFile(text))
        #expect(set.annotationTool == nil)
        #expect(set.warnings.contains { $0.contains("VEP") && $0.contains("SnpEff") && $0.contains("cannot be ranked") })
        // Still read, but with no gene: filtered with that reason.
        let (e, _) = GermlineDiagnosis.assess(set.variants[0], family: singleton(), clinVar: nil, options: DiagnosisOptions())
        #expect(e.filterReasons.map(\.code) == [.noGene])
    }

    @Test(arguments: [("0/1", Zygosity.heterozygous), ("1|1", .homozygousAlternate), ("1", .hemizygous), ("0", .hemizygousReference),
                      ("0/0", .homozygousReference), ("./.", .missing), ("./1", .heterozygous), ("./0", .missing)])
    func zygosity(gt: String, expected: Zygosity) throws {
        let g = try #require(Genotype(gt, alleleCount: 2))
        #expect(Zygosity(g, allele: 1) == expected)
    }
}
