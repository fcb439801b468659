import Foundation
import Synchronization
import Testing
@testable import Oncology

/// User-supplied gene roles: the three layouts, merging, and refusals that name the line.
@Suite struct GeneRoleTableTests {
    @Test(arguments: [
        // COSMIC Cancer Gene Census columns (subset), roles comma-separated.
        ("Gene Symbol\tName\tRole in Cancer\nBRAF\tB-Raf\toncogene, fusion\nTP53\ttumor protein p53\toncogene, TSG\nAPC\tAPC\tTSG\nETV6\tETV6\tfusion\n",
         ["BRAF": GeneRole(oncogene: true, tumourSuppressor: false), "TP53": GeneRole(oncogene: true, tumourSuppressor: true),
          "APC": GeneRole(oncogene: false, tumourSuppressor: true)]),
        // CancerMine collated: one row per role, merged.
        ("role\tcancer_normalized\tgene_normalized\tcitation_count\nOncogene\tmelanoma\tBRAF\t90\nTumor_Suppressor\tbreast cancer\tTP53\t40\nOncogene\tlymphoma\tTP53\t3\nDriver\tglioma\tIDH1\t20\n",
         ["BRAF": GeneRole(oncogene: true, tumourSuppressor: false), "TP53": GeneRole(oncogene: true, tumourSuppressor: true)]),
        // Plain pairs, CRLF line ends, comment and blank lines.
        ("# my lab's list\r\ngene\trole\r\n\r\nKRAS\toncogene\r\nNF1\ttumour suppressor\r\nCTNNB1\tboth\r\n",
         ["KRAS": GeneRole(oncogene: true, tumourSuppressor: false), "NF1": GeneRole(oncogene: false, tumourSuppressor: true),
          "CTNNB1": GeneRole(oncogene: true, tumourSuppressor: true)]),
    ])
    func readsTheLayouts(text: String, expected: [String: GeneRole]) throws {
        #expect(try GeneRole.table(text, path: "roles.tsv") == expected)
    }

    @Test(arguments: [
        ("gene\trole\nKRAS\toncogene\nNF1\tmaybe\n", "roles.tsv:3: role 'maybe' for NF1"),
        ("gene\ttier\nKRAS\toncogene\n", "roles.tsv:1: no role column"),
        ("# header below\nname\trole\nKRAS\toncogene\n", "roles.tsv:2: no gene column"),
        ("gene\tnote\trole\nKRAS\tonly two\n", "roles.tsv:2: 2 columns, the header has 3"),
        ("", "roles.tsv: empty gene-role table"),
    ])
    func refusesWithTheLine(text: String, message: String) {
        #expect {
            _ = try GeneRole.table(text, path: "roles.tsv")
        } throws: { error in
            "\(error)".hasPrefix(message)
        }
    }

    /// PCGR's Tier III without a biomarker, which only gene roles make possible: a rare coding change in an oncogene.
    @Test func rolesMakeTierIIIWithoutABiomarker() throws {
        var a = Alteration(kind: .variant, gene: "ZZZ3", effect: .missense, protein: ProteinChange(hgvs: "p.A10T"))
        a.populationFrequencies = ["NFE": 0.00001]
        let inputs = TumourInputs(alterations: [a], files: [], variantRecords: 1)
        let without = try OncologyAnalysis.analyse(inputs, request: OncologyRequest(tumourType: "LUAD", files: []), knowledge: Shared.knowledge)
        #expect(without.actionable.isEmpty)
        #expect(without.notes.contains { $0.contains("oncogene/tumour-suppressor roles") })
        let roles = ["ZZZ3": GeneRole(oncogene: true, tumourSuppressor: false)]
        let with = try OncologyAnalysis.analyse(inputs, request: OncologyRequest(tumourType: "LUAD", files: [], geneRoles: roles), knowledge: Shared.knowledge)
        #expect(with.actionable.map(\.tier) == [.tierIII])
        #expect(!with.notes.contains { $0.contains("oncogene/tumour-suppressor roles") })
    }
}

/// OncoKB through a fake transport: what is sent (and what is not), how answers become evidence and criteria, and errors.
@Suite struct OncoKBTests {
    final class Recorder: Sendable {
        let requests = Mutex<[OncoKBClient.HTTPRequest]>([])
    }

    /// An answer shaped as OncoKB's documented `IndicatorQueryResp` (illustrative content for the mechanism, not OncoKB data).
    static func answer(id: String, gene: String, alteration: String, oncogenic: String, effect: String, treatments: String) -> String {
        """
        {"query":{"id":"\(id)","hugoSymbol":"\(gene)","alteration":"\(alteration)","tumorType":"MEL"},"geneExist":true,"variantExist":true,
         "oncogenic":"\(oncogenic)","mutationEffect":{"knownEffect":"\(effect)","description":""},"treatments":[\(treatments)],
         "dataVersion":"v9.9-test","lastUpdate":"01/01/2026"}
        """
    }

    static let brafTreatment = """
        {"alterations":["V600E"],"drugs":[{"drugName":"Dabrafenib","ncitCode":"C82386"},{"drugName":"Trametinib","ncitCode":"C77908"}],
         "level":"LEVEL_1","fdaLevel":"LEVEL_Fda2","pmids":["22663011"],"description":"",
         "levelAssociatedCancerType":{"code":"MEL","name":"Melanoma","mainType":{"name":"Melanoma","tumorForm":"SOLID"}}}
        """

    static func fakeOncoKB(_ recorder: Recorder, status: Int = 200, answers: (@Sendable ([[String: Any]]) -> String)? = nil) -> OncoKBClient.Transport {
        { request in
            recorder.requests.withLock { $0.append(request) }
            let queries = (try JSONSerialization.jsonObject(with: request.body)) as? [[String: Any]] ?? []
            if let answers { return (status, Data(answers(queries).utf8)) }
            let body = queries.map { q -> String in
                let id = q["id"] as? String ?? ""
                if id == "BRAF p.V600E" {
                    return answer(id: id, gene: "BRAF", alteration: "V600E", oncogenic: "Oncogenic", effect: "Gain-of-function", treatments: brafTreatment)
                }
                if id == "NF1 p.R1362*" {
                    return answer(id: id, gene: "NF1", alteration: "R1362*", oncogenic: "Likely Oncogenic", effect: "Likely Loss-of-function", treatments: "")
                }
                return answer(id: id, gene: "X", alteration: "Y", oncogenic: "Unknown", effect: "Unknown", treatments: "")
            }
            return (status, Data("[\(body.joined(separator: ","))]".utf8))
        }
    }

    static var alterations: [Alteration] {
        var braf = Alteration(kind: .variant, gene: "BRAF", effect: .missense, protein: ProteinChange(hgvs: "p.V600E"))
        braf.chromosome = "chr7"
        braf.position = 140_753_336
        braf.source = "patient-123.vcf"
        let nf1 = Alteration(kind: .variant, gene: "NF1", effect: .nonsense, protein: ProteinChange(hgvs: "p.R1362*"))
        let silent = Alteration(kind: .variant, gene: "TTN", effect: .synonymous, protein: ProteinChange(hgvs: "p.L5L"))
        let amp = Alteration(kind: .amplification, gene: "MYC")
        return [braf, nf1, silent, amp]
    }

    @Test func sendsOnlyGeneLevelQueriesWithTheToken() async throws {
        let recorder = Recorder()
        let client = OncoKBClient(baseURL: "https://oncokb.example/api/v1/", token: "secret-token", transport: Self.fakeOncoKB(recorder))
        let answers = try await client.annotate(Self.alterations.filter(OncoKBAnnotations.worthAsking), tumourType: "MEL")
        let sent = recorder.requests.withLock { $0 }
        #expect(sent.map(\.url) == ["https://oncokb.example/api/v1/annotate/mutations/byProteinChange", "https://oncokb.example/api/v1/annotate/copyNumberAlterations"])
        #expect(sent.allSatisfy { $0.headers["Authorization"] == "Bearer secret-token" })
        let body = String(decoding: sent[0].body, as: UTF8.self)
        #expect(body.contains("\"alteration\":\"V600E\"") && body.contains("\"tumorType\":\"MEL\"") && body.contains("\"alteration\":\"R1362*\""))
        // Nothing that identifies the patient or sample, and no coordinates: only gene, change and tumour type.
        #expect(!body.contains("patient-123") && !body.contains("140753336") && !body.contains("TTN"))
        #expect(String(decoding: sent[1].body, as: UTF8.self).contains("\"copyNameAlterationType\":\"AMPLIFICATION\""))
        #expect(answers.dataVersion == "v9.9-test")
        #expect(answers.byKey.keys.sorted() == ["BRAF p.V600E", "MYC amplification", "NF1 p.R1362*"])
    }

    @Test func answersBecomeEvidenceCriteriaAndAVersionedDisclaimer() async throws {
        var knowledge = Shared.knowledge
        let client = OncoKBClient(token: "t", transport: Self.fakeOncoKB(Recorder()))
        knowledge.add(oncokb: try await client.annotate(Self.alterations, tumourType: "MEL"), alterations: Self.alterations)
        let roles = ["NF1": GeneRole(oncogene: false, tumourSuppressor: true)]
        let inputs = TumourInputs(alterations: Self.alterations, files: [], variantRecords: 3)
        let report = try OncologyAnalysis.analyse(
            inputs, request: OncologyRequest(tumourType: "MEL", files: [], useMOAlmanac: false, geneRoles: roles), knowledge: knowledge)
        let braf = try #require(report.actionable.first { $0.alteration.gene == "BRAF" })
        #expect(braf.tier == .tierI)
        let oncokb = try #require(braf.tierDefining.first { $0.evidence.source == "OncoKB" })
        #expect(oncokb.evidence.therapies == ["Dabrafenib + Trametinib"] && oncokb.evidence.sourceLevel == "LEVEL_1" && oncokb.evidence.level == "A")
        #expect(oncokb.evidence.citation.pmid == "22663011" && oncokb.tumourType == .exact)
        #expect(braf.oncogenicity?.criteria.contains("ONCG_OS2_A") == true)
        #expect(braf.oncogenicity?.notAssessed.contains { $0.contains("OncoKB") } == false)
        let nf1 = try #require(report.actionable.first { $0.alteration.gene == "NF1" })
        #expect(nf1.oncogenicity?.criteria.contains("ONCG_OVS1_B") == true && nf1.oncogenicity?.criteria.contains("ONCG_OS2_B") == true)
        #expect(nf1.oncogenicity?.criteria.contains("ONCG_OVS1") == false)
        #expect(report.knowledge.contains { $0.pack.hasPrefix("oncokb") && $0.version == "v9.9-test" })
        #expect(report.disclaimers.contains(OncoKBClient.terms))
    }

    @Test func withoutATokenNothingIsAskedAndTheGapIsNamed() throws {
        let inputs = TumourInputs(alterations: Self.alterations, files: [], variantRecords: 3)
        let report = try OncologyAnalysis.analyse(inputs, request: OncologyRequest(tumourType: "MEL", files: []), knowledge: Shared.knowledge)
        let braf = try #require(report.actionable.first { $0.alteration.gene == "BRAF" })
        #expect(braf.tierDefining.allSatisfy { $0.evidence.source != "OncoKB" })
        #expect(braf.oncogenicity?.notAssessed.contains { $0.contains("OncoKB not used") } == true)
        #expect(!report.disclaimers.contains(OncoKBClient.terms))
    }

    @Test(arguments: [
        (401, "[]", "OncoKB refused the token (HTTP 401)"),
        (500, "boom", "OncoKB: HTTP 500 from https://www.oncokb.org/api/v1/annotate/mutations/byProteinChange: boom"),
        (200, "{\"not\":\"a list\"}", "OncoKB: the answer from"),
        (200, "[]", "OncoKB: 2 queries sent to"),
    ])
    func refusalsAreClear(status: Int, body: String, message: String) async {
        let client = OncoKBClient(token: "t", transport: Self.fakeOncoKB(Recorder(), status: status, answers: { _ in body }))
        await #expect {
            _ = try await client.annotate(Array(Self.alterations.prefix(2)), tumourType: "MEL")
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func anAnswerForAnotherQueryIsRefused() async {
        let client = OncoKBClient(
            token: "t",
            transport: Self.fakeOncoKB(Recorder(), answers: { _ in
                "[" + Self.answer(id: "KRAS p.G12D", gene: "KRAS", alteration: "G12D", oncogenic: "Oncogenic", effect: "", treatments: "") + "]"
            }))
        await #expect {
            _ = try await client.annotate(Array(Self.alterations.prefix(1)), tumourType: "MEL")
        } throws: { error in
            "\(error)".contains("is for 'KRAS p.G12D', expected 'BRAF p.V600E'")
        }
    }

    @Test func batchesLargeQueries() async throws {
        let recorder = Recorder()
        var client = OncoKBClient(token: "t", transport: Self.fakeOncoKB(recorder))
        client.batchSize = 2
        let many = (1...5).map { Alteration(kind: .variant, gene: "G\($0)", effect: .missense, protein: ProteinChange(hgvs: "p.A\($0)T")) }
        let answers = try await client.annotate(many, tumourType: "ANY")
        #expect(recorder.requests.withLock { $0.count } == 3)
        #expect(answers.byKey.count == 5)
        // A tumour-agnostic run sends no tumour type.
        #expect(recorder.requests.withLock { $0 }.allSatisfy { !String(decoding: $0.body, as: UTF8.self).contains("tumorType") })
    }
}

/// The TMB-high call by each definition; all three rates are always reported.
@Suite struct TMBDefinitionTests {
    static let alterations: [Alteration] = {
        let effects: [CodingEffect] = [.missense, .missense, .missense, .synonymous, .synonymous, .frameshift, .noncoding]
        return effects.enumerated().map { i, effect in
            var a = Alteration(kind: .variant, gene: "G\(i)", effect: effect)
            a.chromosome = "chr1"
            a.position = 1000 + i
            a.ref = "A"
            a.alt = "T"
            return a
        }
    }()

    // 0.5 Mb: coding and silent 6 → 12/Mb, non-silent 4 → 8/Mb, missense 3 → 6/Mb; cut-off 10/Mb.
    @Test(arguments: [(TMBDefinition.codingAndSilent, true, 12.0), (.nonSilent, false, 8.0), (.missense, false, 6.0)])
    func theChosenCountDecides(definition: TMBDefinition, high: Bool, rate: Double) {
        let tmb = TumourMutationalBurden.compute(Self.alterations, assayMb: 0.5, tumourOnly: false, definition: definition)
        #expect(tmb.high == high && tmb.calledPerMb == rate && tmb.definition == definition)
        #expect(tmb.perMb == 12 && tmb.nonSilentPerMb == 8 && tmb.missensePerMb == 6)
    }

    /// MOAlmanac's example patient: MOAlmanac counts non-silent mutations (6.82/Mb, not high); with that definition Tailor agrees.
    @Test func moalmanacsDefinitionReproducesItsCall() async throws {
        let inputs = try await InputReader.read([
            Fixture.path("moalmanac/example_patient.capture.somatic.snvs.maf"), Fixture.path("moalmanac/example_patient.capture.somatic.indels.maf"),
        ])
        var request = OncologyRequest(tumourType: "MEL", files: [], assayMb: 29.908)
        request.tmbDefinition = .nonSilent
        let report = try OncologyAnalysis.analyse(inputs, request: request, knowledge: Shared.knowledge)
        let tmb = try #require(report.tmb)
        #expect(!tmb.high && abs(tmb.calledPerMb - 6.821) < 0.01)
        #expect(!report.actionable.contains { $0.alteration.kind == .tmbHigh })
    }
}
