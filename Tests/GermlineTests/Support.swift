import Foundation
@testable import Germline
import Phenotype

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ text: String, suffix: String = ".vcf") -> String {
    let path = NSTemporaryDirectory() + "germline-test-" + UUID().uuidString + suffix
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
}

/// A VEP-annotated VCF: `CSQ` with Allele|Consequence|IMPACT|SYMBOL|Feature|HGVSc|HGVSp|gnomADe_AF|MAX_AF (or without
/// MAX_AF), and the given sample columns.
enum VCFText {
    static func header(samples: [String], maxAF: Bool = false, csq: Bool = true, ann: Bool = false, infoAF: String? = nil) -> String {
        var h = [
            "##fileformat=VCFv4.2",
            "##contig=<ID=chr1,length=248956422>", "##contig=<ID=chr6,length=170805979>", "##contig=<ID=chrX,length=156040895>",
            "##contig=<ID=chr2,length=242193529>", "##contig=<ID=chrM,length=16569>",
            "##FILTER=<ID=PASS,Description=\"All filters passed\">", "##FILTER=<ID=LowQual,Description=\"Low quality\">",
            "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">",
        ]
        if csq {
            h.append(
                "##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Feature|HGVSc|HGVSp|gnomADe_AF"
                    + (maxAF ? "|MAX_AF" : "") + "\">")
        }
        if ann {
            h.append(
                "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO'\">")
        }
        if let infoAF { h.append("##INFO=<ID=AF,Number=A,Type=Float,Description=\"\(infoAF)\">") }
        h.append((["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"] + samples).joined(separator: "\t"))
        return h.joined(separator: "\n") + "\n"
    }

    /// One record; `csq` entries are joined with commas.
    static func record(_ chrom: String, _ pos: Int, _ ref: String, _ alt: String, filter: String = "PASS", info: String, gts: [String]) -> String {
        ([chrom, String(pos), ".", ref, alt, "50", filter, info, "GT"] + gts).joined(separator: "\t") + "\n"
    }

    static func csq(_ allele: String, _ consequence: String, _ gene: String, hgvsp: String = "", af: String = "", maxAF: String? = nil) -> String {
        "\(allele)|\(consequence)|X|\(gene)|ENST1|c.1A>G|\(hgvsp)|\(af)" + (maxAF.map { "|\($0)" } ?? "")
    }
}

/// A variant built directly (no file) for inheritance and screening tests.
func variant(
    _ chrom: String, _ pos: Int, gene: String, _ consequence: String, _ gts: [Zygosity],
    frequency: Double? = nil, hgvsp: String? = nil, ref: String = "A", alt: String = "G", haplotype: [Int8]? = nil
) -> GermlineVariant {
    GermlineVariant(
        chrom: chrom, position: pos, ref: ref, alt: alt, filters: ["PASS"],
        annotations: [GeneAnnotation(gene: gene, consequence: Consequence(consequence), hgvsp: hgvsp)],
        frequency: PopulationFrequency(value: frequency, source: frequency == nil ? nil : "test"), genotypes: gts, haplotype: haplotype)
}

func variant(_ chrom: String, _ pos: Int, gene: String, _ gts: [Zygosity], frequency: Double? = nil, hgvsp: String? = nil, alt: String = "G",
             haplotype: [Int8]? = nil) -> GermlineVariant {
    variant(chrom, pos, gene: gene, "missense_variant", gts, frequency: frequency, hgvsp: hgvsp, alt: alt, haplotype: haplotype)
}

func variant(_ pos: Int, gene: String, _ gts: [Zygosity], frequency: Double? = nil, alt: String = "G", haplotype: [Int8]? = nil) -> GermlineVariant {
    variant("chr1", pos, gene: gene, "missense_variant", gts, frequency: frequency, alt: alt, haplotype: haplotype)
}

/// A trio: proband (affected, sample 0), father (sample 1), mother (sample 2), both unaffected.
func trio(probandSex: Sex = .female) -> FamilyContext {
    let ped = Pedigree(members: [
        PedigreeMember(id: "kid", father: "dad", mother: "mum", sex: probandSex, status: .affected),
        PedigreeMember(id: "dad", sex: .male, status: .unaffected),
        PedigreeMember(id: "mum", sex: .female, status: .unaffected),
    ])
    return try! FamilyContext(samples: ["kid", "dad", "mum"], pedigree: ped, probandID: "kid")
}

func singleton(sex: Sex = .unknown) -> FamilyContext { try! FamilyContext(samples: ["kid"], pedigree: nil, probandID: "kid", sex: sex) }

/// A toy HPO (placeholder names, not clinical terms): All ← Phenotypic abnormality ← {A ← A1, B ← B1}; modes AD, AR.
/// Diseases: OMIM:900001 (GENEA, AR) A1 + B1; OMIM:900002 (GENEB, AD) A; OMIM:900003 (GENEC, AD) B1; OMIM:900004
/// (GENEX, X-linked recessive) A1.
enum ToyHPO {
    static let obo = """
        format-version: 1.2
        data-version: hp/releases/2099-01-01

        [Term]
        id: HP:0000001
        name: All

        [Term]
        id: HP:0000118
        name: Phenotypic abnormality
        is_a: HP:0000001 ! All

        [Term]
        id: HP:0000005
        name: Mode of inheritance
        is_a: HP:0000001 ! All

        [Term]
        id: HP:0000006
        name: Toy AD
        is_a: HP:0000005 ! Mode of inheritance

        [Term]
        id: HP:0000007
        name: Toy AR
        is_a: HP:0000005 ! Mode of inheritance

        [Term]
        id: HP:0001419
        name: Toy XR
        is_a: HP:0000005 ! Mode of inheritance

        [Term]
        id: HP:0000010
        name: Toy A
        is_a: HP:0000118 ! Phenotypic abnormality

        [Term]
        id: HP:0000011
        name: Toy A1
        is_a: HP:0000010 ! Toy A

        [Term]
        id: HP:0000020
        name: Toy B
        is_a: HP:0000118 ! Phenotypic abnormality

        [Term]
        id: HP:0000021
        name: Toy B1
        is_a: HP:0000020 ! Toy B

        """
    static let hpoa = """
        #version: 2099-01-01
        database_id\tdisease_name\tqualifier\thpo_id\treference\tevidence\tonset\tfrequency\tsex\tmodifier\taspect\tbiocuration
        OMIM:900001\tToy one\t\tHP:0000011\tPMID:1\tPCS\t\t\t\t\tP\tHPO:test
        OMIM:900001\tToy one\t\tHP:0000021\tPMID:1\tPCS\t\t\t\t\tP\tHPO:test
        OMIM:900001\tToy one\t\tHP:0000007\tPMID:1\tPCS\t\t\t\t\tI\tHPO:test
        OMIM:900002\tToy two\t\tHP:0000010\tPMID:2\tPCS\t\t\t\t\tP\tHPO:test
        OMIM:900002\tToy two\t\tHP:0000006\tPMID:2\tPCS\t\t\t\t\tI\tHPO:test
        OMIM:900003\tToy three\t\tHP:0000021\tPMID:3\tPCS\t\t\t\t\tP\tHPO:test
        OMIM:900003\tToy three\t\tHP:0000006\tPMID:3\tPCS\t\t\t\t\tI\tHPO:test
        OMIM:900004\tToy four\t\tHP:0000011\tPMID:4\tPCS\t\t\t\t\tP\tHPO:test
        OMIM:900004\tToy four\t\tHP:0001419\tPMID:4\tPCS\t\t\t\t\tI\tHPO:test

        """
    static let genes = """
        ncbi_gene_id\tgene_symbol\thpo_id\thpo_name\tfrequency\tdisease_id
        1\tGENEA\tHP:0000011\tToy A1\t-\tOMIM:900001
        2\tGENEB\tHP:0000010\tToy A\t-\tOMIM:900002
        3\tGENEC\tHP:0000021\tToy B1\t-\tOMIM:900003
        4\tGENEX\tHP:0000011\tToy A1\t-\tOMIM:900004

        """
    static let knowledge: PhenotypeKnowledge = try! PhenotypeKnowledge(obo: Array(obo.utf8), hpoa: Array(hpoa.utf8), genesToPhenotype: Array(genes.utf8))
}
