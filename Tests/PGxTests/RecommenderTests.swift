import GenomicFiles
@testable import PGx
import Testing

/// Guideline lookup against the pack's CPIC and DPWG files (PharmCAT v2.12.0 guideline data).
@Suite struct RecommenderTests {
    static let knowledge = try! PGxKnowledge.bundled()

    func lookup(_ gene: String, _ keys: [String], diplotypes: [String] = [], fallback: [String] = []) -> (String, GeneLookup) {
        (gene, GeneLookup(gene: gene, keys: Set(keys), diplotypes: Set(diplotypes), fallbackKeys: Set(fallback)))
    }

    func matches(_ genes: [(String, GeneLookup)], drug: String, source: String) -> [MatchedRecommendation] {
        Self.knowledge.guidelines.recommendations(for: Dictionary(uniqueKeysWithValues: genes))
            .filter { $0.drug == drug && $0.guideline.source == source }
    }

    @Test func cpicClopidogrelForAPoorMetaboliserCoversEachPopulation() throws {
        let found = matches([lookup("CYP2C19", ["Poor Metabolizer"])], drug: "clopidogrel", source: "CPIC")
        // CPIC 2022: ACS/PCI (strong), non-ACS non-PCI (moderate), neurovascular (moderate).
        #expect(Set(found.map(\.recommendation.population)) == ["CVI ACS PCI", "CVI non-ACS non-PCI", "NVI"])
        let acs = try #require(found.first { $0.recommendation.population == "CVI ACS PCI" })
        #expect(acs.recommendation.classification == "Strong")
        #expect(acs.recommendation.html.contains("Avoid clopidogrel if possible"))
        #expect(acs.recommendation.alternateDrugAvailable)
        #expect(acs.guideline.url.hasSuffix("PA166104948"))
        #expect(acs.guideline.citations.contains { $0.pmid == "35034351" })
    }

    @Test func anUncalledGeneMatchesOnlyRowsThatExpectNoResult() throws {
        // Amitriptyline: CYP2C19 called, CYP2D6 not → the row keyed {CYP2C19: Poor, CYP2D6: No Result}.
        let found = matches([lookup("CYP2C19", ["Poor Metabolizer"])], drug: "amitriptyline", source: "CPIC")
        #expect(found.count == 1)
        #expect(found.first?.matchedKeys == ["CYP2C19": "Poor Metabolizer", "CYP2D6": "No Result"])
        // With CYP2D6 called, the No Result row no longer applies.
        let both = matches([lookup("CYP2C19", ["Poor Metabolizer"]), lookup("CYP2D6", ["1.0"])], drug: "amitriptyline", source: "CPIC")
        #expect(both.count == 1)
        #expect(both.first?.matchedKeys == ["CYP2C19": "Poor Metabolizer", "CYP2D6": "1.0"])
    }

    @Test func noAdviceOnNoData() {
        #expect(Self.knowledge.guidelines.recommendations(for: [:]).isEmpty)
    }

    @Test func dpwgDiplotypeRowsWinOverPhenotypeRows() throws {
        // DPWG siponimod has rows for CYP2C9 *1/*3 and for "Intermediate Metabolizer": the diplotype's row is the one.
        let found = matches(
            [lookup("CYP2C9", ["1.0", "Intermediate Metabolizer"], diplotypes: ["*1/*3"])], drug: "siponimod", source: "DPWG")
        #expect(found.count == 1)
        #expect(found.first?.matchedKeys == ["CYP2C9": "*1/*3"])
        // A diplotype without its own row falls back to the phenotype row.
        let other = matches(
            [lookup("CYP2C9", ["1.5", "Intermediate Metabolizer"], diplotypes: ["*1/*8"])], drug: "siponimod", source: "DPWG")
        #expect(other.map(\.matchedKeys) == [["CYP2C9": "Intermediate Metabolizer"]])
    }

    @Test func fallbackKeysOnlyWhenNothingElseMatches() {
        // DPWG DPYD rows are "score (phenotype)"; 0.5 has only a "(Phenotyping)" row.
        let half = matches([lookup("DPYD", ["0.5", "0.5 (Poor Metabolizer)"], fallback: ["0.5 (Phenotyping)"])], drug: "capecitabine", source: "DPWG")
        #expect(half.map(\.matchedKeys) == [["DPYD": "0.5 (Phenotyping)"]])
        let one = matches(
            [lookup("DPYD", ["1.0", "1.0 (Intermediate Metabolizer)"], fallback: ["1.0 (Phenotyping)"])], drug: "capecitabine", source: "DPWG")
        #expect(one.map(\.matchedKeys) == [["DPYD": "1.0 (Intermediate Metabolizer)"]])
    }

    @Test func hlaStatusAlleles() {
        #expect(Self.knowledge.guidelines.statusAlleles(gene: "HLA-B").contains("*57:01"))
        #expect(Self.knowledge.guidelines.statusAlleles(gene: "HLA-A") == ["*31:01"])
    }

    /// Example 2 with example 1's outside calls (CYP2D6 *1/*3, HLA-B *15:02/*57:01, MT-RNR1 1555A>G).
    @Test func officialExampleEndToEnd() async throws {
        let samples = try await PGxSiteIndex(definitions: Self.knowledge.definitions).collect(
            from: try VCFFile(path: fixtures + "/pharmcat.example2.vcf"))
        let outside = try OutsideCall.parse("CYP2D6\t*1/*3\nHLA-B\t*15:02/*57:01\nMT-RNR1\t1555A>G\n", name: "outside.tsv")
        let report = PGxAnalyser(knowledge: Self.knowledge).analyse(samples[0], outsideCalls: outside)
        let genes = Dictionary(uniqueKeysWithValues: report.genes.map { ($0.gene, $0) })
        #expect(genes["CYP2D6"]?.outsideCall == true)
        #expect(genes["CYP2D6"]?.activityScore == "1.0")
        #expect(genes["CYP2D6"]?.phenotype == "Intermediate Metabolizer")
        #expect(genes["HLA-B"]?.lookupKeys.contains("*57:01 positive") == true)
        #expect(genes["HLA-B"]?.lookupKeys.contains("*58:01 negative") == true)
        #expect(genes["MT-RNR1"]?.lookupKeys == ["increased risk of aminoglycoside-induced hearing loss"])
        func drug(_ name: String, _ source: String) -> PGxSampleReport.DrugResult? {
            report.drugs.first { $0.drug == name && $0.source == source }
        }
        #expect(drug("abacavir", "CPIC")?.recommendations.first?.text == "Abacavir is not recommended")
        #expect(drug("codeine", "CPIC")?.recommendations.first?.lookupKey == ["CYP2D6": "1.0"])
        #expect(drug("clopidogrel", "CPIC")?.recommendations.count == 3)
        #expect(drug("gentamicin", "CPIC")?.recommendations.first?.classification == "Strong")
        // CPIC warfarin has no keyed rows: the report points to the guideline instead of staying silent.
        let warfarin = try #require(drug("warfarin", "CPIC")?.recommendations.first)
        #expect(warfarin.text.contains("CYP2C9"))
        #expect(warfarin.otherPrescribingGuidance)
        #expect(report.knowledge.hasPrefix("pgx "))
        // PharmCAT's report messages, as its golden report attaches them: an ambiguity caveat on the unphased
        // CYP2B6 *1/*6 call for efavirenz, a footnote on a minus-strand gene, and a drug note whatever the genotype.
        let cyp2b6 = try #require(genes["CYP2B6"])
        #expect(cyp2b6.messages.contains { $0.rule == "CYP2B6 *1/*6 warning" && $0.drugs.contains("efavirenz") })
        #expect(genes["TPMT"]?.messages.contains { $0.kind == "footnote" } == true)
        #expect(drug("phenytoin", "CPIC")?.notes.contains { $0.rule == "Phenytoin_HLA-B warning" } == true)
        #expect(drug("warfarin", "CPIC")?.notes.contains { $0.rule == "pcat-cpic-warfarin-1-flowchart" } == true)
        #expect(drug("warfarin", "DPWG")?.notes.contains { $0.rule.hasPrefix("pcat-cpic-") } == false)
    }
}

@Suite struct OutsideCallTests {
    @Test(arguments: [
        ("CYP2D6", "CYP2D6*4", "*4"), ("CYP2D6", "*4.024", "*4"), ("CYP2D6", "*1x3", "*1x3"), ("CYP2D6", "*2X2", "*2x2"),
        ("HLA-B", "*07:02:01:127", "*07:02"), ("HLA-B", "B*57:01", "*57:01"), ("HLA-A", "A*02:02:02", "*02:02"),
        ("MT-RNR1", "1555A>G", "m.1555A>G"), ("MT-RNR1", "m.1555A>G", "m.1555A>G"),
    ])
    func allelesAreNormalisedAsPharmCATDoes(_ gene: String, _ raw: String, _ expected: String) throws {
        let calls = try OutsideCall.parse("\(gene)\t\(raw)\n", name: "f.tsv")
        #expect(calls.first?.alleles == [expected])
    }

    @Test(arguments: [("PM", "Poor Metabolizer"), ("intermediate metaboliser", "intermediate Metabolizer"), ("EM", "Normal Metabolizer")])
    func phenotypeNamesAreNormalised(_ raw: String, _ expected: String) {
        #expect(OutsideCall.normalisePhenotype(raw) == expected)
    }

    @Test func outsideCallsResolveAgainstThePack() throws {
        let analyser = PGxAnalyser(knowledge: RecommenderTests.knowledge)
        let calls = try OutsideCall.parse("CYP2D6\t*1x3/*4\nCYP2C19\t\tPM\nCYP2C9\t\tIntermediate Metabolizer\n", name: "o.tsv")
        let report = analyser.analyse(SampleSiteCalls(sample: "S", calls: [String: GeneSiteCalls]()), outsideCalls: calls)
        let genes = Dictionary(uniqueKeysWithValues: report.genes.map { ($0.gene, $0) })
        // *1x3 is looked up as CPIC groups it (*1x≥3): activity ≥ 3 with *4's 0.
        #expect(genes["CYP2D6"]?.phenotype == "Ultrarapid Metabolizer")
        #expect(genes["CYP2D6"]?.lookupKeys == ["≥3.0"])
        #expect(genes["CYP2C19"]?.lookupKeys == ["Poor Metabolizer"])
        // A phenotype alone, for an activity-score gene: every score with that phenotype is a key.
        #expect(genes["CYP2C9"]?.lookupKeys == ["1.0", "1.5"])
        #expect(report.drugs.contains { $0.drug == "clopidogrel" && $0.source == "CPIC" })
    }

    @Test func commentsBlankLinesAndOptionalColumns() throws {
        let calls = try OutsideCall.parse("# from StellarPGx\n\nCYP2D6\t*1/*4\r\nCYP2C9\t\t\t2.0\nHLA-B\t\t*57:01 positive\n", name: "f.tsv")
        #expect(calls.map(\.gene) == ["CYP2D6", "CYP2C9", "HLA-B"])
        #expect(calls[0].alleles == ["*1", "*4"])
        #expect(calls[1].activityScore == "2.0")
        #expect(calls[2].phenotype == "*57:01 positive")
        #expect(calls[0].source == "f.tsv:3")
    }

    @Test(arguments: [
        ("CYP2D6\n", "f.tsv:1: expected 2 to 4 tab-separated columns"),
        ("CYP2D6\t\t\t\n", "f.tsv:1: CYP2D6 has neither a diplotype"),
        ("CYP2C9\t\t\tfast\n", "f.tsv:1: activity score 'fast' is not a number"),
        ("CYP2D6\t*1/*2/*3\n", "f.tsv:1: '*1/*2/*3' is not a diplotype"),
        ("CYP 2D6\t*1/*2\n", "f.tsv:1: 'CYP 2D6' is not a gene symbol"),
    ])
    func badLinesNameTheFileAndLine(_ text: String, _ message: String) {
        #expect {
            try OutsideCall.parse(text, name: "f.tsv")
        } throws: { error in
            (error as? PGxInputError)?.message.hasPrefix(message) == true
        }
    }
}
