import Foundation
import GenomicFiles
import Testing

@testable import PGx

/// PharmCAT's gene-specific rules, checked against its own test expectations (fixtures in `pharmcat-tests/`).
@Suite struct GeneRuleTests {
    static let knowledge = try! PGxKnowledge.bundled()

    func report(_ name: String) async throws -> PGxSampleReport {
        let calls = try await PGxSiteIndex(definitions: Self.knowledge.definitions).collect(
            from: try VCFFile(path: fixtures + "/pharmcat-tests/" + name))
        return PGxAnalyser(knowledge: Self.knowledge).analyse(calls[0])
    }

    func gene(_ report: PGxSampleReport, _ name: String) throws -> PGxSampleReport.GeneResult {
        try #require(report.genes.first { $0.gene == name })
    }

    /// DpydTest: the two lowest-function variants decide; homozygous counts twice; phased strands use their lowest.
    @Test(arguments: [
        // file, print calls, recommendation diplotype, activity score (PharmCAT's asserted lookup)
        ("testDpydUnphasedMultiple1.vcf", ["c.1024G>A", "c.1314T>G", "c.1358C>G", "c.2279C>T"], "c.1024G>A/c.1314T>G", "0.5"),
        ("testDpydDifferenceOnScore.vcf", ["c.2846A>T/c.2846A>T"], "c.2846A>T/c.2846A>T", "1.0"),
        ("testDpydPhasedMultiTrans.vcf", ["[c.498G>A + c.2582A>G]/[c.2846A>T + c.2933A>G]"], "c.498G>A/c.2933A>G", "1.0"),
        // Intronic HapB3 marker on both strands, exonic on one: HapB3 on one strand, intronic-only on the other.
        ("hapB3AndIntronicD.vcf", ["c.1129-5923C>G/c.1129-5923C>G, c.1236G>A (HapB3)"], "c.1129-5923C>G/c.1129-5923C>G, c.1236G>A (HapB3)", "1.0"),
    ])
    func dpydLowestFunction(_ file: String, _ printed: [String], _ recommended: String, _ score: String) async throws {
        let dpyd = try gene(try await report(file), "DPYD")
        #expect(dpyd.printCalls == printed)
        #expect(dpyd.recommendationDiplotypes == [recommended])
        #expect(dpyd.activityScore == score)
        #expect(dpyd.lookupKeys == [score])
    }

    /// Ryr1Test: malignant-hyperthermia variants come first within a strand; unphased homozygous counts twice.
    @Test func ryr1LowestFunction() async throws {
        let phased = try gene(try await report("cacna1sMissing_ryr1Het1Hom1.vcf"), "RYR1")
        #expect(phased.diplotypes == ["c.418G>A/[c.97A>G + c.418G>A]"])
        #expect(phased.recommendationDiplotypes == ["c.97A>G/c.418G>A"])
        let unphased = try gene(try await report("cacna1sMissing_ryr1Het2Hom1.vcf"), "RYR1")
        #expect(unphased.printCalls == ["c.97A>G (homozygous)", "c.152C>A", "c.418G>A"])
        #expect(unphased.recommendationDiplotypes == ["c.97A>G/c.97A>G"])
    }

    @Test func g6pdFemaleHeterozygote() async throws {
        let g6pd = try gene(try await report("testG6pd_chatham_female_het.vcf"), "G6PD")
        #expect(g6pd.diplotypes == ["B (reference)/Chatham"])
        #expect(g6pd.phenotype == "Variable")
    }

    /// A male's haploid chrX calls give a one-allele (hemizygous) G6PD call and its own phenotype row.
    @Test func g6pdHemizygousMale() throws {
        let definition = try #require(Self.knowledge.definitions.gene("G6PD"))
        let chatham = try #require(definition.alleles.first { $0.name == "Chatham" })
        var calls: [Int: SiteCall] = [:]
        for (index, position) in definition.positions.enumerated() {
            let base = chatham.alleles[index] ?? position.ref
            calls[index] = SiteCall(alleles: [base], phased: false)
        }
        let result = PGxAnalyser(knowledge: Self.knowledge).analyse(SampleSiteCalls(sample: "M", calls: ["G6PD": calls]))
        let g6pd = try gene(result, "G6PD")
        #expect(g6pd.diplotypes == ["Chatham"])
        #expect(g6pd.phenotype == "Deficient")
    }

    struct NAT2Row: CustomTestStringConvertible, Sendable {
        var line: Int
        var missing: [String]
        var genotypes: [(rsid: String, alleles: [String])]
        var expected: [String]
        var testDescription: String { "tests.tsv:\(line) → \(expected.isEmpty ? "not called" : expected.joined(separator: " or "))" }
    }

    /// PharmCAT's NAT2 table: every combination of the five key SNPs, other positions reference, some missing.
    static let nat2Rows: [NAT2Row] = {
        let text = try! String(contentsOfFile: fixtures + "/pharmcat-tests/NAT2-tests.tsv", encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        return lines.enumerated().dropFirst().map { number, f in
            let missing = f[0] == "none" ? [] : f[0].split(separator: ",").compactMap { $0.split(separator: " ").first.map(String.init) }
            let genotypes = (2...6).map { (rsid: header[$0], alleles: f[$0].split(separator: "/").map(String.init)) }
            let pick = f.count > 8 ? f[8] : ""
            let expected = !pick.isEmpty ? [pick] : f[7] == "not called" ? [] : f[7].components(separatedBy: " or ")
            return NAT2Row(line: number + 1, missing: missing, genotypes: genotypes, expected: expected)
        }
    }()

    @Test(arguments: nat2Rows)
    func nat2(_ row: NAT2Row) throws {
        let definition = try #require(Self.knowledge.definitions.gene("NAT2"))
        var calls: [Int: SiteCall] = [:]
        for (index, position) in definition.positions.enumerated() where !row.missing.contains(position.rsid ?? "") {
            let given = row.genotypes.first { $0.rsid == position.rsid }?.alleles ?? [position.ref, position.ref]
            calls[index] = SiteCall(alleles: given, phased: false)
        }
        let call = NamedAlleleMatcher(definition: definition, exemptions: Self.knowledge.exemptions["NAT2"])
            .call(SampleSiteCalls(sample: "S", calls: ["NAT2": calls]))
        #expect(Set(call.diplotypes.map(\.description)) == Set(row.expected))
    }
}

/// The cohort session remembers results; it must give exactly what the analyser gives, sample after sample.
@Suite struct CohortSessionTests {
    @Test func sessionEqualsAnalyserIncludingRepeatsAndJSON() async throws {
        let knowledge = try PGxKnowledge.bundled()
        let analyser = PGxAnalyser(knowledge: knowledge)
        let index = PGxSiteIndex(definitions: knowledge.definitions)
        var samples: [SampleSiteCalls] = []
        for name in [
            "pharmcat.example2.vcf", "pharmcat-tests/testDpydUnphasedMultiple1.vcf", "pharmcat-tests/cacna1sMissing_ryr1Het2Hom1.vcf",
            "pharmcat-tests/testTpmtStar1s.vcf", "pharmcat-tests/testG6pd_chatham_female_het.vcf", "pharmcat.example2.vcf",
        ] {
            samples += try await index.collect(from: try VCFFile(path: fixtures + "/" + name))
        }
        let outside = try OutsideCall.parse("CYP2D6\t*1/*4\nHLA-B\t*57:01/*08:01\n", name: "o.tsv")
        let session = PGxCohortSession(analyser: analyser, outsideCalls: outside)
        let decoder = JSONDecoder()
        for sample in samples + samples {
            let (report, json) = try session.analyse(sample)
            let direct = analyser.analyse(sample, outsideCalls: outside)
            #expect(report == direct)
            #expect(try decoder.decode(PGxSampleReport.self, from: Data(json)) == direct)
        }
    }
}

@Suite struct JSONWriterTests {
    /// The hand-written gene JSON says exactly what JSONEncoder says, escapes included.
    @Test func geneJSONEqualsTheEncoders() throws {
        let gene = PGxSampleReport.GeneResult(
            gene: "CYP2C19", called: true, diplotypes: ["*1/*2"], printCalls: ["*1/*2"], recommendationDiplotypes: ["*1/*2"],
            phenotype: "Intermediate \"Metabolizer\"\\", activityScore: nil, lookupKeys: ["≥3.0", "tab\there"], phenotypeSource: "line\nbreak \u{1}",
            score: 70, phased: false, outsideCall: false, missingPositions: [], warnings: ["a/b"],
            messages: [
                .init(
                    ReportMessages.Rule(
                        name: "r", kind: "ambiguity", text: "<a href=\"x\">y</a>", gene: "CYP2C19", dips: [], hapsCalled: [], hapsMissing: [],
                        variantsMissing: [], variants: [], drugs: ["clopidogrel", "citalopram"])),
                .init(
                    ReportMessages.Rule(
                        name: "s", kind: "note", text: "t", gene: nil, dips: [], hapsCalled: [], hapsMissing: [], variantsMissing: [], variants: [],
                        drugs: [])),
            ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: gene.json, as: UTF8.self) == String(decoding: try encoder.encode(gene), as: UTF8.self))
    }
}

@Suite struct PartialGenotypeTests {
    /// PharmCAT's rule: `0/.` is a missing position; `./1` (a variant with the other allele unknown) leaves the gene
    /// uncalled rather than guessing.
    @Test(arguments: [(["G", nil] as [String?], true), ([nil, "A"], false)])
    func partialCalls(_ alleles: [String?], _ called: Bool) throws {
        let knowledge = try PGxKnowledge.bundled()
        let gene = try #require(knowledge.definitions.gene("CYP2C19"))
        var calls: [Int: SiteCall] = [:]
        for (index, position) in gene.positions.enumerated() { calls[index] = SiteCall(alleles: [position.ref, position.ref], phased: false) }
        let star2 = try #require(gene.positions.firstIndex { $0.rsid == "rs4244285" })
        #expect(gene.positions[star2].ref == "G")
        calls[star2] = SiteCall(alleles: alleles, phased: false)
        let sample = SampleSiteCalls(sample: "S", calls: ["CYP2C19": calls])
        let call = NamedAlleleMatcher(definition: gene).call(sample)
        #expect(call.isCalled == called)
        if called {
            #expect(call.missingPositions.map(\.rsid) == ["rs4244285"])
        } else {
            #expect(call.warnings.contains { $0.hasPrefix("not called: partial genotype") })
        }
    }
}
