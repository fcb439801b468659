import Foundation
import Phenotype
import Testing
@testable import Germline

@Suite struct DiagnosisTests {
    /// Toy patient with Toy A1 + Toy B1 (matches GENEA's disease best). VCF: trio (kid, dad, mum).
    static let query = PhenotypeQuery(observed: [HPOTermID(11), HPOTermID(21)])

    static func vcf(_ records: [String]) -> String { VCFText.header(samples: ["kid", "dad", "mum"]) + records.joined() }

    /// GENEA (AR): compound het, one allele from each parent; GENEB (AD): a rare de novo stop-gained; GENEC (AD): a rare
    /// missense inherited from the unaffected father; plus variants each filtered for a different reason.
    static let records = [
        VCFText.record("chr1", 100, "A", "G", info: "CSQ=" + VCFText.csq("G", "missense_variant", "GENEA", af: "0.0001"), gts: ["0/1", "0/1", "0/0"]),
        VCFText.record("chr1", 200, "C", "T", info: "CSQ=" + VCFText.csq("T", "missense_variant", "GENEA"), gts: ["0/1", "0/0", "0/1"]),
        VCFText.record("chr1", 300, "G", "A", info: "CSQ=" + VCFText.csq("A", "stop_gained", "GENEB"), gts: ["0/1", "0/0", "0/0"]),
        VCFText.record("chr1", 400, "T", "C", info: "CSQ=" + VCFText.csq("C", "missense_variant", "GENEC"), gts: ["0/1", "0/1", "0/0"]),
        // filtered: common, synonymous, LowQual, no gene, not carried
        VCFText.record("chr1", 500, "A", "C", info: "CSQ=" + VCFText.csq("C", "stop_gained", "GENEB", af: "0.3"), gts: ["1/1", "0/1", "0/1"]),
        VCFText.record("chr1", 600, "A", "T", info: "CSQ=" + VCFText.csq("T", "synonymous_variant", "GENEA"), gts: ["0/1", "0/0", "0/1"]),
        VCFText.record("chr1", 700, "G", "T", filter: "LowQual", info: "CSQ=" + VCFText.csq("T", "frameshift_variant", "GENEB"), gts: ["0/1", "0/0", "0/0"]),
        VCFText.record("chr1", 800, "C", "G", info: "DP=5", gts: ["0/1", "0/0", "0/0"]),
        VCFText.record("chr1", 900, "C", "A", info: "CSQ=" + VCFText.csq("A", "stop_gained", "GENEB"), gts: ["0/0", "0/1", "0/0"]),
    ]

    static func run(_ records: [String] = records, clinVar: ClinVarDatabase? = nil) async throws -> DiagnosticReport {
        let set = try await GermlineCallSet.read(temporaryFile(vcf(records)))
        let ped = try Pedigree.parse("F kid dad mum 2 2\nF dad 0 0 1 1\nF mum 0 0 2 1\n")
        let family = try FamilyContext(samples: set.samples, pedigree: ped, probandID: "kid")
        return try GermlineDiagnosis.diagnose(knowledge: ToyHPO.knowledge, query: query, callSet: set, family: family, clinVar: clinVar)
    }

    @Test func causalGeneRanksFirst() async throws {
        let r = try await Self.run()
        #expect(r.candidates.first?.gene == "GENEA")
        #expect(r.candidates.first?.mode == .autosomalRecessive)
        #expect(r.candidates.first?.genotypePattern == "compound heterozygous")
        #expect(r.candidates.first?.variants.count == 2)
        #expect(r.candidates.first?.diseaseID == "OMIM:900001")
        #expect(r.candidates.first?.phenotypeScore == 1)
        // GENEB: de novo stop-gained is a candidate but ranks below; GENEC's inherited variant does not segregate.
        #expect(r.candidates.map(\.gene) == ["GENEA", "GENEB"])
        #expect(r.candidates[1].genotypePattern == "heterozygous, de novo")
        #expect(r.candidates[0].combinedScore > r.candidates[1].combinedScore)
    }

    /// Without the second allele GENEA has no compatible genotype and is no longer a candidate.
    @Test func singleHetInRecessiveGeneIsNotACandidate() async throws {
        let r = try await Self.run(Array(Self.records.dropFirst()))
        #expect(!r.candidates.map(\.gene).contains("GENEA"))
        #expect(r.candidates.first?.gene == "GENEB")
        let lone = try #require(r.filteredVariants.first { $0.position == 200 })
        #expect(lone.filterReasons.map(\.code) == [.inheritanceIncompatible])
        #expect(lone.filterReasons[0].message.contains("no second qualifying variant"))
    }

    @Test(arguments: [
        (400, FilterCode.inheritanceIncompatible), (500, .frequency), (600, .consequenceNotDamaging), (700, .filterNotPass), (800, .noGene),
        (900, .notInProband),
    ])
    func filteredVariantKeepsItsReason(position: Int, code: FilterCode) async throws {
        let r = try await Self.run()
        let v = try #require(r.filteredVariants.first { $0.position == position })
        #expect(v.filterReasons.map(\.code).contains(code))
        #expect(v.filterReasons.allSatisfy { !$0.message.isEmpty })
    }

    @Test func everyVariantIsEitherACandidateOrFilteredWithAReason() async throws {
        let r = try await Self.run()
        let used = Set(r.candidates.flatMap(\.variants).map(\.position))
        let filtered = Set(r.filteredVariants.map(\.position))
        #expect(used.isDisjoint(with: filtered))
        #expect(used.union(filtered) == Set([100, 200, 300, 400, 500, 600, 700, 800, 900]))
        #expect(r.filteredVariants.allSatisfy { !$0.filterReasons.isEmpty })
        let json = String(decoding: try GermlineJSON.encode(r), as: UTF8.self)
        #expect(json.contains("\"filterReasons\""))
        #expect(json.contains("\"consequence_not_damaging\""))
        #expect(r.filterSummary["frequency"] == 1)
    }

    /// A ClinVar P/LP variant bypasses the frequency filter (whitelist) and scores 1.0.
    @Test func clinVarWhitelistsCommonPathogenicVariant() async throws {
        let cv = """
            ##fileDate=2099-01-07
            #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
            1\t500\t77\tA\tC\t.\t.\tCLNSIG=Pathogenic;CLNREVSTAT=reviewed_by_expert_panel;GENEINFO=GENEB:2
            """
        let r = try await Self.run(clinVar: try ClinVarDatabase.parse(cv))
        #expect(!r.filteredVariants.contains { $0.position == 500 && $0.filterReasons.contains { $0.code == .frequency } })
        let all = r.candidates.flatMap(\.variants) + r.filteredVariants
        let v = try #require(all.first { $0.position == 500 })
        #expect(v.pathogenicityScore == 1 && v.frequencyScore == 1)
        #expect(v.clinVar?.variationID == "77")
    }

    @Test(arguments: [(nil, 1.0), (0.0, 1.0), (1.0, 1.13533 - 0.13533 * exp(1.0)), (2.0, 1.13533 - 0.13533 * exp(2.0)), (2.5, 0.0)] as [(Double?, Double)])
    func frequencyScore(percent: Double?, expected: Double) {
        #expect(abs(GermlineDiagnosis.frequencyScore(percent: percent) - expected) < 1e-9)
    }

    @Test func textReportShowsEvidenceAndSecondarySeparately() async throws {
        var r = try await Self.run()
        r.secondaryFindings = SecondaryFindingsReport(
            status: .withheld, message: SecondaryFindingsReport.withheldMessage, sfVersion: "3.2", genesScreened: 0, clinVar: "ClinVar 2099", findings: [],
            notReported: [], policy: "")
        let text = GermlineText.render(r)
        #expect(text.contains("1. GENEA"))
        #expect(text.contains("compound heterozygous"))
        #expect(text.contains("Toy A1"))
        #expect(text.contains("Secondary findings"))
        #expect(text.contains("withheld"))
        #expect(text.contains("frequency: 1"))
        #expect(text.contains("HPO 2099-01-01"))
    }

    @Test func phenopacketOutputHasCandidateInterpretations() async throws {
        let r = try await Self.run()
        let data = try PhenopacketOutput.json(r, id: "case-1", created: Date(timeIntervalSince1970: 0))
        // Tailor's own Phenopacket reader reads it back.
        let packet = try Phenopacket(json: [UInt8](data))
        #expect(packet.id == "case-1")
        #expect(packet.phenotypicFeatures?.count == 2)
        #expect(packet.interpretations?.first?.diagnosis?.disease?.id == "OMIM:900001")
        #expect(packet.interpretations?.first?.diagnosis?.genomicInterpretations?.count == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"interpretationStatus\" : \"CANDIDATE\""))
        #expect(text.contains("NCBIGene:1"))
        #expect(text.contains("GENO:0000135"))
        #expect((object["metaData"] as? [String: Any])?["phenopacketSchemaVersion"] as? String == "2.0")
    }
}
