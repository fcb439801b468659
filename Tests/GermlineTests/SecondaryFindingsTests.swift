import Foundation
import Knowledge
import Testing
@testable import Germline

@Suite struct SecondaryFindingsTests {
    static let list: ACMGSecondaryFindingsList = try! ACMGSecondaryFindingsList.bundled()

    /// A ClinVar record for a made-up position (tests' own fixture, not real ClinVar data).
    func clinVar(_ v: GermlineVariant, _ clnsig: String, gene: String, id: String = "1") -> ClinVarRecord {
        ClinVarRecord(
            variationID: id, alleleID: nil, chrom: Chromosome.canonical(v.chrom), position: v.position, ref: v.ref, alt: v.alt,
            significance: clnsig, classification: ClinVarClass(clnsig: clnsig), reviewStatus: "criteria_provided,_single_submitter", stars: 1,
            conflicts: nil, genes: [gene], conditions: [], molecularConsequences: [])
    }

    func screen(_ items: [(GermlineVariant, String)], version: SFVersion = .v3_2, consent: Bool = true) -> SecondaryFindingsReport {
        let set = GermlineCallSet(path: "t.vcf", samples: ["kid"], variants: items.map(\.0), annotationTool: .vep, frequencyFields: [], recordsRead: items.count)
        let db = ClinVarDatabase(records: items.map { clinVar($0.0, $0.1, gene: $0.0.gene!) }, release: "2099-01-07")
        return SecondaryFindingsScreen.screen(callSet: set, proband: 0, clinVar: db, list: Self.list, version: version, receivesSecondaryFindings: consent)
    }

    @Test func packMatchesSharedTable() throws {
        #expect(Self.list.genes(version: .v3_2).count == 81)
        #expect(Self.list.genes(version: .v3_3).count == 84)
        #expect(Set(Self.list.genes(version: .v3_3).map(\.gene)).subtracting(Self.list.genes(version: .v3_2).map(\.gene)) == ["ABCD1", "CYP27A1", "PLN"])
        let ttn = try #require(Self.list.genes.first { $0.gene == "TTN" })
        #expect(ttn.rule == .truncatingOnly)
        #expect(Self.list.genes.first { $0.gene == "HFE" }?.rule == .homozygousProteinChange("p.Cys282Tyr"))
        #expect(Self.list.genes.first { $0.gene == "MUTYH" }?.rule == .biallelic)
        let pack = try KnowledgePack.bundled("acmg-sf")
        #expect(try pack.verify() == 2)
        #expect(pack.manifest.version == "v3.3-84")
    }

    @Test func unknownRuleIsRejected() {
        let text = "gene\tncbi_gene_id\tcategory\tcondition\tinheritance\tvariants_to_report\tsf_version_added\tin_sf_v3_2\tin_sf_v3_3\nX\t1\tc\td\tAD\tSome new rule\t3.3\tno\tyes\n"
        #expect(throws: GermlineError.self) { try ACMGSecondaryFindingsList.parse(text) }
    }

    @Test(arguments: [
        ("stop_gained", true), ("frameshift_variant", true), ("splice_donor_variant", true), ("missense_variant", false), ("inframe_deletion", false),
    ])
    func ttnTruncatingOnly(consequence: String, reported: Bool) {
        let r = screen([(variant("chr2", 178_000_000, gene: "TTN", consequence, [.heterozygous]), "Pathogenic")])
        #expect(r.findings.map(\.gene) == (reported ? ["TTN"] : []))
        #expect(r.notReported.count == (reported ? 0 : 1))
        if !reported { #expect(r.notReported[0].reason.contains("truncating")) }
    }

    @Test(arguments: [
        (Zygosity.homozygousAlternate, "ENSP1:p.Cys282Tyr", true),
        (.heterozygous, "ENSP1:p.Cys282Tyr", false),
        (.homozygousAlternate, "p.(C282Y)", true),
        (.homozygousAlternate, "ENSP1:p.His63Asp", false),
    ])
    func hfeC282YHomozygousOnly(z: Zygosity, hgvsp: String, reported: Bool) {
        let r = screen([(variant("chr6", 26_000_000, gene: "HFE", [z], hgvsp: hgvsp), "Pathogenic")])
        #expect(r.findings.map(\.gene) == (reported ? ["HFE"] : []))
        if !reported { #expect(r.notReported.first?.reason.contains("p.Cys282Tyr") == true) }
    }

    @Test func hfeWithoutProteinAnnotationIsNotReported() {
        let r = screen([(variant("chr6", 26_000_000, gene: "HFE", [.homozygousAlternate]), "Pathogenic")])
        #expect(r.findings.isEmpty)
        #expect(r.notReported.first?.reason.contains("no protein change") == true)
    }

    /// AR genes: one het P/LP is a carrier (not reported); homozygous or two P/LP variants are.
    @Test(arguments: [
        ([Zygosity.heterozygous], false), ([.homozygousAlternate], true), ([.heterozygous, .heterozygous], true),
    ])
    func recessiveGeneNeedsTwoAlleles(zs: [Zygosity], reported: Bool) {
        let items = zs.enumerated().map { i, z in (variant("chr1", 45_000_000 + i, gene: "MUTYH", [z]), "Likely_pathogenic") }
        let r = screen(items)
        #expect(r.findings.map(\.gene) == (reported ? ["MUTYH"] : []))
        if !reported { #expect(r.notReported.first?.reason.contains("biallelic") == true) }
    }

    @Test(arguments: [
        ("Pathogenic", true), ("Likely_pathogenic", true), ("Pathogenic/Likely_pathogenic", true),
        ("Conflicting_classifications_of_pathogenicity", false), ("Uncertain_significance", false), ("Benign", false),
    ])
    func onlyPathogenicOrLikelyPathogenic(clnsig: String, reported: Bool) {
        let r = screen([(variant("chr17", 43_000_000, gene: "BRCA1", "stop_gained", [.heterozygous]), clnsig)])
        #expect(r.findings.map(\.gene) == (reported ? ["BRCA1"] : []))
        if clnsig.hasPrefix("Conflicting") {
            #expect(r.notReported.count == 1)
            #expect(r.notReported[0].reason.contains("conflicting"))
        }
    }

    @Test func versionSelectsGenes() {
        let pln = [(variant("chr6", 118_000_000, gene: "PLN", [.heterozygous]), "Pathogenic")]
        #expect(screen(pln, version: .v3_2).findings.isEmpty)
        #expect(screen(pln, version: .v3_3).findings.map(\.gene) == ["PLN"])
        #expect(screen([(variant("chr1", 5, gene: "NOTLISTED", "stop_gained", [.heterozygous]), "Pathogenic")]).findings.isEmpty)
    }

    @Test func consentOffWithholdsEverything() {
        let r = screen([(variant("chr17", 43_000_000, gene: "BRCA1", "stop_gained", [.heterozygous]), "Pathogenic")], consent: false)
        #expect(r.status == .withheld)
        #expect(r.findings.isEmpty && r.notReported.isEmpty)
        #expect(r.message == "withheld: the patient has not consented to receive secondary findings")
        #expect(GermlineText.render(r).contains("withheld: the patient has not consented"))
    }
}
