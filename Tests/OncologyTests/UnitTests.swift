import Foundation
import Testing
@testable import Oncology

@Suite struct ProteinChangeTests {
    @Test(arguments: [
        ("ENSP00000493543.1:p.Val600Glu", "p.V600E"), ("p.V600E", "p.V600E"), ("p.(Arg213Ter)", "p.R213*"), ("p.R213X", "p.R213*"),
        ("p.Glu746_Ala750del", "p.E746_A750del"), ("p.Trp288CysfsTer12", "p.W288Cfs*12"), ("p.G12", "p.G12"), ("p.S1982fs", "p.S1982fs"),
    ])
    func parsesThreeAndOneLetterForms(text: String, expected: String) throws {
        #expect(try #require(ProteinChange(hgvs: text)).description == expected)
        // The VCF reader parses the same text where it lies in the line.
        #expect(Array(text.utf8).withUnsafeBytes { ProteinChange(hgvsUTF8: $0) }?.description == expected)
    }

    @Test(arguments: ["", "p.?", "p.=", "ENSP1:p.Val600%3D", "c.1799T>A", "p.(=)", "p.Val0Glu", "p.V1234567890E", "p.Vál600Glu", "p.600E"])
    func refusesWhatIsNotAChange(text: String) {
        #expect(ProteinChange(hgvs: text) == nil)
        #expect(Array(text.utf8).withUnsafeBytes { ProteinChange(hgvsUTF8: $0) } == nil)
    }

    @Test(arguments: [
        ("missense_variant&splice_region_variant", CodingEffect.missense), ("Frame_Shift_Del", .frameshift), ("stop_gained", .nonsense),
        ("disruptive_inframe_deletion", .inframeDeletion), ("Silent", .synonymous), ("intron_variant", .noncoding), ("Splice_Site", .splice),
        ("splice_region_variant&synonymous_variant", .synonymous), ("Missense_Variant", .missense), ("", .noncoding), ("&&stop_gained&", .nonsense),
    ])
    func readsConsequenceTerms(term: String, expected: CodingEffect) {
        #expect(CodingEffect(annotation: term) == expected)
        #expect(Array(term.utf8).withUnsafeBytes { CodingEffect(annotation: $0) } == expected)
    }
}

@Suite struct OncoTreeTests {
    @Test(arguments: [
        ("IDC", "BRCA", TumourTypeMatch.broader), ("IDC", "BREAST", .broader), ("BRCA", "IDC", .narrower), ("IDC", "IDC", .exact),
        ("IDC", "ILC", .samePrimarySite), ("LUAD", "NSCLC", .broader), ("LUAD", "BRCA", .otherTumourType), ("MEL", "SKCM", .narrower),
    ])
    func relatesTumourTypesThroughTheHierarchy(patient: String, evidence: String, expected: TumourTypeMatch) {
        #expect(Shared.tree.relation(patient: patient, evidence: evidence) == expected)
    }

    @Test(arguments: [(SiteMatching.lineage, TumourTypeMatch.samePrimarySite, false), (.primarySite, .samePrimarySite, true),
                      (.lineage, .broader, true), (.lineage, .narrower, true), (.primarySite, .otherTumourType, false), (.lineage, .panCancer, false)])
    func onLabelFollowsThePolicy(policy: SiteMatching, match: TumourTypeMatch, expected: Bool) { #expect(policy.isOnLabel(match) == expected) }

    @Test func retiredCodesResolveToTheirSuccessors() {
        #expect(Shared.tree.resolve("MM").map(\.code) == ["PCM"])
        #expect(Set(Shared.tree.resolve("ALL").map(\.code)) == ["BLL", "TLL"])
        #expect(Shared.tree.resolve("luad").map(\.code) == ["LUAD"])
    }

    @Test(arguments: [("LUADD", "LUAD"), ("BRCAA", "BRCA"), ("melanoma", "MEL"), ("COAD ", "COAD")])
    func unknownCodesSuggestTheClosest(input: String, expected: String) {
        do {
            let node = try Shared.tree.node(for: input)
            #expect(node.code == expected)  // trimmed / case-folded input resolves directly
        } catch {
            guard case .unknownTumourType(_, let suggestions) = error else { Issue.record("wrong error \(error)"); return }
            #expect(suggestions.contains(expected), "\(input) → \(suggestions)")
            #expect(error.description.contains(expected))
        }
    }

    @Test func primarySitesFollowPCGR() {
        #expect(Shared.tree.primarySites["Bowel"] == "Colon/Rectum")
        #expect(Shared.tree.primarySites["Breast"] == "Breast")
        #expect(Shared.tree.primarySites["Penis"] == "Any")
    }
}

@Suite struct TierRuleTests {
    // PCGR variant_classification.Rmd: the full table for a tumour-type-specific run and the agnostic run.
    @Test(arguments: [
        (true, TumourTypeMatch.exact, true, false, Tier.tierI), (true, .broader, true, false, .tierI), (true, .panCancer, false, false, .tierI),
        (true, .otherTumourType, false, false, .tierII), (false, .exact, true, false, .tierII), (false, .panCancer, false, false, .tierIII),
        (false, .otherTumourType, false, false, .tierIII), (true, .panCancer, false, true, .tierI), (true, .otherTumourType, false, true, .tierII),
        (false, .panCancer, false, true, .tierIII), (true, .samePrimarySite, false, false, .tierII), (true, .samePrimarySite, true, false, .tierI),
    ])
    func tiersFollowPCGR(strong: Bool, match: TumourTypeMatch, onLabel: Bool, agnostic: Bool, expected: Tier) {
        #expect(TierRules.tier(strong: strong, match: match, onLabel: onLabel, agnostic: agnostic) == expected)
    }

    @Test(arguments: [(10, 3, false, false, OncogenicityClass.oncogenic), (9, 2, false, false, .oncogenic), (5, 1, false, false, .likelyOncogenic),
                      (4, 3, false, false, .likelyOncogenic), (4, 3, true, false, .uncertain), (4, 1, false, true, .likelyOncogenic),
                      (0, 0, false, false, .uncertain), (-1, 0, true, false, .likelyBenign), (-7, 0, true, false, .benign)])
    func oncogenicityThresholdsFollowPCGR(points: Int, positive: Int, benign: Bool, os1: Bool, expected: OncogenicityClass) {
        #expect(Oncogenicity.classify(points: points, positiveCodes: positive, anyBenign: benign, os1: os1, parameters: Shared.knowledge.parameters) == expected)
    }

    @Test func hotspotsScoreByPCGRCounts() {
        var braf = Alteration(kind: .variant, gene: "BRAF", effect: .missense, protein: ProteinChange(hgvs: "p.V600E"))
        var result = Oncogenicity.assess(braf, knowledge: Shared.knowledge, roles: [:], residueEvidence: false)
        #expect(result.criteria.contains("ONCG_OS3"))  // 897 tumours at V600, 833 with V600E
        braf.protein = ProteinChange(hgvs: "p.V600R")  // 4 tumours with V600R
        result = Oncogenicity.assess(braf, knowledge: Shared.knowledge, roles: [:], residueEvidence: false)
        #expect(result.criteria.contains("ONCG_OP3") && !result.criteria.contains("ONCG_OS3"))
        var common = Alteration(kind: .variant, gene: "TP53", effect: .missense, protein: ProteinChange(hgvs: "p.P72R"))
        common.populationFrequencies = ["AFR": 0.3, "NFE": 0.7]
        result = Oncogenicity.assess(common, knowledge: Shared.knowledge, roles: [:], residueEvidence: false)
        #expect(result.criteria == ["ONCG_SBVS1"] && result.classification == .benign)
    }
}

@Suite struct MatcherTests {
    static func variant(_ gene: String, _ p: String, _ effect: CodingEffect, exon: Int? = nil) -> Alteration {
        var a = Alteration(kind: .variant, gene: gene, effect: effect, protein: ProteinChange(hgvs: p))
        a.exon = exon
        return a
    }

    @Test(arguments: [
        (Biomarker.proteinChange(gene: "BRAF", change: ProteinChange(hgvs: "p.V600E")!), variant("BRAF", "p.V600E", .missense), MatchLevel?.some(.proteinChange)),
        (.proteinChange(gene: "BRAF", change: ProteinChange(hgvs: "p.V600E")!), variant("BRAF", "p.V600K", .missense), .geneOnly),
        (.codon(gene: "KRAS", reference: "G", position: 12), variant("KRAS", "p.G12V", .missense), .codon),
        (.codon(gene: "KRAS", reference: "G", position: 12), variant("KRAS", "p.G13D", .missense), .geneOnly),
        (.exon(gene: "EGFR", exon: 19, effects: [.inframeDeletion]), variant("EGFR", "p.E746_A750del", .inframeDeletion, exon: 19), .exon),
        (.exon(gene: "EGFR", exon: 19, effects: [.inframeDeletion]), variant("EGFR", "p.L858R", .missense, exon: 21), .geneOnly),
        (.exon(gene: "EGFR", exon: 20, effects: [.inframeInsertion]), variant("EGFR", "p.A767_V769dup", .inframeInsertion, exon: 20), .exon),
        (.gene(gene: "TP53", effects: [.frameshift]), variant("TP53", "p.P72fs", .frameshift), .geneEffect),
        (.gene(gene: "TP53", effects: []), variant("TP53", "p.R175H", .missense), .gene),
        (.gene(gene: "TP53", effects: []), variant("TP53", "p.P72P", .synonymous), nil),
        (.proteinChange(gene: "BRCA2", change: ProteinChange(hgvs: "p.S1982Rfs*22")!), variant("BRCA2", "p.S1982fs", .frameshift), .proteinChange),
        (.amplification(gene: "ERBB2"), Alteration(kind: .amplification, gene: "ERBB2"), .copyNumber),
        (.amplification(gene: "ERBB2"), Alteration(kind: .deletion, gene: "ERBB2"), nil),
        (.deletion(gene: "CDKN2A"), Alteration(kind: .deletion, gene: "CDKN2A"), .copyNumber),
        (.fusion(gene: "EML4", partner: "ALK"), Alteration(kind: .fusion, gene: "EML4", partner: "ALK"), .fusion),
        (.fusion(gene: "ALK", partner: nil), Alteration(kind: .fusion, gene: "EML4", partner: "ALK"), .fusionGene),
        (.fusion(gene: "COL1A1", partner: "PDGFB"), Alteration(kind: .fusion, gene: "COL1A1", partner: "CITED4"), .geneOnly),
        (.tmbHigh, Alteration(kind: .tmbHigh, gene: ""), .tmb),
        (.msiHigh, Alteration(kind: .msiHigh, gene: ""), .msi),
        (.msiHigh, Alteration(kind: .tmbHigh, gene: ""), nil),
    ])
    func eachAlterationKindMatchesAtItsLevel(biomarker: Biomarker, alteration: Alteration, expected: MatchLevel?) {
        #expect(Matcher.level(of: biomarker, for: alteration) == expected)
    }
}
