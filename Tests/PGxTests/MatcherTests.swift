import Foundation
import GenomicFiles
import Testing

@testable import PGx

/// The example table of PharmCAT's "Named Allele Matcher 101" (docs/methods): *1 is the reference row.
private let example = GeneDefinition(
    gene: "EXAMPLE", chromosome: "chr1",
    positions: [
        .init(position: 1, rsid: "rs1", ref: "C", alts: ["T"]), .init(position: 2, rsid: "rs2", ref: "C", alts: ["T"]),
        .init(position: 3, rsid: "rs3", ref: "T", alts: ["C"]), .init(position: 4, rsid: "rs4", ref: "G", alts: ["A"]),
        .init(position: 5, rsid: "rs5", ref: "A", alts: ["G"]),
    ],
    alleles: [
        .init(name: "*1", alleles: ["C", "C", "T", "G", "A"], isReference: true),
        .init(name: "*2", alleles: ["T", nil, nil, "A", nil], isReference: false),
        .init(name: "*3", alleles: [nil, nil, nil, "A", nil], isReference: false),
        .init(name: "*4", alleles: [nil, "T", nil, nil, nil], isReference: false),
        .init(name: "*5", alleles: ["T", nil, nil, nil, nil], isReference: false),
    ])

/// Calls written as "C/T" (unphased), "C|T" (phased), "" (missing), one per position.
private func sample(_ genotypes: [String], phaseSet: String? = nil) -> SampleSiteCalls {
    var calls: [Int: SiteCall] = [:]
    for (index, text) in genotypes.enumerated() where !text.isEmpty {
        let phased = text.contains("|")
        let alleles = text.split(whereSeparator: { $0 == "/" || $0 == "|" }).map { $0 == "." ? nil : String($0) }
        calls[index] = SiteCall(alleles: alleles, phased: phased, phaseSet: phaseSet)
    }
    return SampleSiteCalls(sample: "S", calls: ["EXAMPLE": calls])
}

@Suite struct MatcherTests {
    /// Each row is one worked example from PharmCAT's documentation, with its published answer.
    @Test(arguments: [
        (["C/T", "C/C", "T/T", "A/G", "A/A"], ["*1/*2"], 7),
        (["C/T", "C/C", "T/T", "A/G", ""], ["*1/*2"], 6),  // rs5 missing: lower score, same call
        (["", "C/C", "T/T", "A/G", "A/A"], ["*1/*2", "*1/*3"], 5),  // rs1 missing: *2 and *3 tie, *5 impossible
        (["C/C", "C/C", "T/T", "G/G", "A/A"], ["*1/*1"], 10),
        (["T/T", "C/C", "T/T", "A/A", "A/A"], ["*2/*2"], 4),
    ])
    func publishedExamples(_ genotypes: [String], _ expected: [String], _ score: Int) {
        let call = NamedAlleleMatcher(definition: example).call(sample(genotypes))
        #expect(call.diplotypes.map(\.description) == expected)
        #expect(call.diplotypes.first?.score == score)
        #expect(call.warnings.contains { $0.hasPrefix("ambiguous") } == (expected.count > 1))
    }

    @Test func missingPositionsAreListedNotAssumedReference() {
        let call = NamedAlleleMatcher(definition: example).call(sample(["", "C/C", "T/T", "A/G", "A/A"]))
        #expect(call.missingPositions.map(\.rsid) == ["rs1"])
    }

    @Test func phaseDecidesBetweenPairs() {
        // Unphased C/T at rs1 and A/G at rs4 is *1/*2 (score 7); phased with T and A on different strands it is *3/*5.
        let phased = NamedAlleleMatcher(definition: example).call(sample(["C|T", "C|C", "T|T", "A|G", "A|A"], phaseSet: "7"))
        #expect(phased.phased)
        #expect(phased.diplotypes.map(\.description) == ["*3/*5"])
        let unphased = NamedAlleleMatcher(definition: example).call(sample(["C/T", "C/C", "T/T", "A/G", "A/A"]))
        #expect(!unphased.phased)
        #expect(unphased.diplotypes.map(\.description) == ["*1/*2"])
    }

    @Test func undocumentedAlleleStopsTheCall() {
        let call = NamedAlleleMatcher(definition: example).call(sample(["C/G", "C/C", "T/T", "G/G", "A/A"]))
        #expect(!call.isCalled)
        #expect(call.warnings.first?.contains("undocumented allele G at chr1:1 (rs1)") == true)
    }

    @Test func aNovelHaplotypeIsNotForcedIntoANamedOne() {
        // T at rs2 and rs4 on one strand matches no named allele alone.
        let call = NamedAlleleMatcher(definition: example).call(sample(["C/C", "T/T", "T/T", "A/A", "A/A"]))
        #expect(!call.isCalled)
        #expect(call.warnings.contains { $0.contains("no pair of named alleles") })
    }

    @Test(arguments: [("*2", "*10", true), ("*4A", "*4B", true), ("*10", "*2", false), ("*1", "*1.001", true), ("B", "A", false)])
    func alleleNamesSortAsPeopleReadThem(_ a: String, _ b: String, _ aFirst: Bool) {
        #expect(AlleleName.precedes(a, b) == aFirst)
    }

    /// PharmCAT v3.1's golden match output for its official example 2 (examples/pharmcat.example2.match.json).
    @Test func officialExampleMatchesPharmCATsGoldenCalls() async throws {
        let knowledge = try PGxKnowledge.bundled()
        let samples = try await PGxSiteIndex(definitions: knowledge.definitions).collect(
            from: try VCFFile(path: fixtures + "/pharmcat.example2.vcf"))
        var calls: [String: [String]] = [:]
        // DPYD and RYR1 go through the lowest-function rule, the rest through the matcher.
        for gene in PGxAnalyser(knowledge: knowledge).analyse(samples[0]).genes { calls[gene.gene] = gene.diplotypes }
        let golden: [String: [String]] = [
            "ABCG2": ["rs2231142 reference (G)/rs2231142 reference (G)"], "CACNA1S": ["Reference/Reference"],
            "CFTR": ["ivacaftor non-responsive CFTR sequence/ivacaftor non-responsive CFTR sequence"], "CYP2B6": ["*1/*6"],
            "CYP2C19": ["*2/*2"], "CYP2C9": ["*1/*1"], "CYP3A4": ["*1/*1"], "CYP3A5": ["*1/*1"], "CYP4F2": ["*1/*1"],
            "DPYD": ["Reference/Reference"], "G6PD": ["B (reference)/B (reference)"], "IFNL3": ["rs12979860 reference (C)/rs12979860 reference (C)"],
            "NAT2": ["*1/*1"], "NUDT15": ["*1/*1"], "RYR1": ["Reference/Reference"], "SLCO1B1": ["*1/*1"], "TPMT": ["*1/*1"], "UGT1A1": ["*1/*1"],
            "VKORC1": ["rs9923231 reference (C)/rs9923231 reference (C)"],
        ]
        for (gene, expected) in golden { #expect(calls[gene] == expected, "\(gene)") }
        #expect(calls["CYP2D6"] == [], "CYP2D6 is never called from a VCF")
    }
}
