import Foundation
import Phenotype
import Testing

@Suite("Phenopacket v2 input")
struct PhenopacketTests {
    /// A real case from phenopacket-store (see Fixtures/SOURCE.md).
    @Test func readsARealPhenopacket() throws {
        let packet = try Phenopacket(contentsOf: Fixture.path("phenopackets/PMID_36454683_II_1.json"))
        #expect(packet.id == "PMID_36454683_II_1")
        #expect(packet.subject?.id == "II-1")
        #expect(packet.subject?.sex == "FEMALE")
        #expect(packet.subject?.timeAtLastEncounter?.age?.iso8601duration == "P42Y")
        let query = try packet.phenotypeQuery()
        #expect(
            query.observed.map(\.description) == [
                "HP:0001288", "HP:0008959", "HP:0009053", "HP:0008994", "HP:0001761", "HP:0007210", "HP:0002380", "HP:0003391",
            ])
        #expect(query.excluded.map(\.description) == ["HP:0008997", "HP:0001347", "HP:0031993", "HP:0003487", "HP:0010524", "HP:0000726"])
        #expect(packet.causativeGenes == ["COQ7"])
        #expect(packet.diagnosedDiseases == ["OMIM:620402"])
    }

    @Test(
        "unreadable input names its source",
        arguments: [
            ("{", "not valid JSON"),
            (#"{"phenotypicFeatures": [{"excluded": true}]}"#, "missing 'type'"),
            (#"{"phenotypicFeatures": [{"type": {"id": 7}}]}"#, "phenotypicFeatures"),
        ])
    func malformed(json: String, mentions: String) {
        do {
            _ = try Phenopacket(json: Array(json.utf8), source: "case.json")
            Issue.record("accepted malformed JSON")
        } catch {
            #expect(error.description.hasPrefix("phenopacket case.json: "))
            #expect(error.description.contains(mentions), "\(error.description)")
        }
    }

    @Test func aFeatureWithABadIDIsNamed() throws {
        let packet = try Phenopacket(
            json: Array(#"{"phenotypicFeatures": [{"type": {"id": "HP:0001250"}}, {"type": {"id": "HP:12", "label": "x"}}]}"#.utf8))
        #expect(throws: PhenotypeError.invalidTermID("HP:12")) { _ = try packet.phenotypeQuery() }
    }

    @Test func minimalPhenopacketWithoutSubjectOrDiagnosis() throws {
        let packet = try Phenopacket(json: Array(#"{"phenotypicFeatures": [{"type": {"id": "HP:0000011"}, "excluded": false}]}"#.utf8))
        #expect(packet.subject == nil)
        #expect(packet.causativeGenes.isEmpty)
        #expect(try packet.phenotypeQuery() == PhenotypeQuery(observed: [Toy.a1]))
    }
}
