import Foundation
import Phenotype
import Testing

@Suite("Ontology parsing (toy hp.obo)")
struct OntologyTests {
    let ontology = Fixture.toy.ontology

    @Test func readsVersionAndCurrentTerms() {
        #expect(ontology.version == "2099-01-01")
        // 10 current terms; the 3 obsolete terms and the [Typedef] get no index.
        #expect(ontology.count == 10)
        #expect(ontology.index(of: Toy.obsoleteReplaced) == nil)
        #expect(ontology.name(at: Toy.index(Toy.a1a)) == "Toy A1a")
    }

    @Test(
        "ancestors include the term itself and every is_a path",
        arguments: [
            (Toy.a1a, [Toy.a1a, Toy.a1, Toy.a, Toy.b, Toy.phenotypicAbnormality, Toy.all]),
            (Toy.b1, [Toy.b1, Toy.b, Toy.phenotypicAbnormality, Toy.all]),
            (Toy.autosomalRecessive, [Toy.autosomalRecessive, Toy.modeOfInheritance, Toy.all]),
            (Toy.all, [Toy.all]),
        ])
    func ancestors(term: HPOTermID, expected: [HPOTermID]) {
        let found = ontology.ancestors(of: Toy.index(term)).map { ontology.id(at: Int($0)) }
        #expect(Set(found) == Set(expected))
        #expect(found.count == expected.count, "no duplicates through the two paths")
    }

    @Test(
        "obsolete terms, alternative IDs and unknown IDs map as HPO says",
        arguments: [
            (Toy.a1, HPOntology.Status.current(Toy.index(Toy.a1))),
            (Toy.alternativeOfA2, .alternative(of: Toy.index(Toy.a2))),
            (Toy.obsoleteReplaced, .replaced(by: Toy.index(Toy.a1), viaConsider: false)),
            (Toy.obsoleteOneSuggestion, .replaced(by: Toy.index(Toy.a2), viaConsider: true)),
            (Toy.obsoleteTwoSuggestions, .obsolete(name: "obsolete Toy with two suggestions", consider: [Toy.a2, Toy.b1])),
            (HPOTermID(99), .unknown),
        ])
    func status(id: HPOTermID, expected: HPOntology.Status) {
        #expect(ontology.status(of: id) == expected)
    }

    @Test func parentsAreDirectOnly() {
        let parents = ontology.parents(of: Toy.index(Toy.a1a)).map { ontology.id(at: Int($0)) }
        #expect(Set(parents) == [Toy.a1, Toy.b])
    }

    @Test(
        "malformed ontologies are refused with the line and term named",
        arguments: [
            ("[Term]\nid: HP:0000001\nname: All\n\n[Term]\nid: HP:0000002\nis_a: HP:0000003 ! missing\n", "HP:0000003"),
            ("[Term]\nid: HP:0000001\nis_a: HP:0000002\n\n[Term]\nid: HP:0000002\nis_a: HP:0000001\n", "cycle"),
            ("[Term]\nid: HP:0000001\n\n[Term]\nid: HP:0000001\n", "defined twice"),
        ])
    func malformed(text: String, mentions: String) {
        do {
            _ = try HPOntology(obo: Array(text.utf8), file: "bad.obo")
            Issue.record("accepted a malformed ontology")
        } catch {
            #expect(error.description.contains("bad.obo"))
            #expect(error.description.contains(mentions), "\(error.description)")
        }
    }
}

@Suite("Annotations and information content (toy)")
struct AnnotationTests {
    let knowledge = Fixture.toy

    @Test func readsDiseasesFrequenciesAndNegations() {
        let a = knowledge.annotations
        #expect(a.version == "2099-01-01")
        #expect(a.diseaseIDs == ["OMIM:100001", "OMIM:100002", "ORPHA:3", "OMIM:100004"])
        let one = a.features(ofDisease: Toy.disease("OMIM:100001"))
        #expect(one.map { knowledge.ontology.id(at: $0.term) } == [Toy.a1, Toy.b1])
        // HP:0040281 Very frequent (80–99%) → 0.895; 1/2 → (1+1)/(2+2) = 0.5.
        #expect(one.map { $0.frequency.estimate } == [0.895, 0.5])
        #expect(a.inheritance(ofDisease: Toy.disease("OMIM:100001")).map { knowledge.ontology.id(at: $0) } == [Toy.autosomalRecessive])
        // NOT and 0/3 both become "does not have".
        #expect(a.excludedFeatures(ofDisease: Toy.disease("OMIM:100002")).map { knowledge.ontology.id(at: $0) } == [Toy.b1])
        #expect(a.excludedFeatures(ofDisease: Toy.disease("ORPHA:3")).map { knowledge.ontology.id(at: $0) } == [Toy.b1])
        #expect(a.features(ofDisease: Toy.disease("ORPHA:3")).map { knowledge.ontology.id(at: $0.term) } == [Toy.a1a])
        // HP:0999999 is not in the toy ontology: skipped and reported, not fatal.
        #expect(a.unknownTermIDs == [HPOTermID(999_999)])
        #expect(a.skippedRows == 1)
    }

    @Test func linksGenesToAnnotatedDiseasesOnly() {
        let a = knowledge.annotations
        #expect(a.geneSymbols == ["GENEA", "GENEB", "GENEC", "GENED"])
        #expect(a.diseases(ofGene: a.index(ofGene: "GENEC")!).map { a.diseaseIDs[$0] } == ["ORPHA:3", "OMIM:100004"])
        // OMIM:999999 has no annotations, so GENED has no disease.
        #expect(a.diseases(ofGene: a.index(ofGene: "GENED")!).isEmpty)
        #expect(a.genes(ofDisease: Toy.disease("OMIM:100001")).map { a.geneSymbols[$0] } == ["GENEA"])
    }

    /// Four diseases have a present feature. Propagated up is_a:
    /// A: D1 (A1), D2 (A2), D3 (A1a) → 3;  B: D1 (B1), D3 (A1a), D4 (B1) → 3;  A1: D1, D3 → 2;  B1: D1, D4 → 2;
    /// A2: D2 → 1;  A1a: D3 → 1;  Phenotypic abnormality and All: 4. IC = −ln(count/4). Terms without
    /// annotations (the inheritance branch) take their best ancestor's IC, here 0.
    @Test(
        "IC = −ln(fraction of annotated diseases), computed by hand",
        arguments: [
            (Toy.all, 0.0), (Toy.phenotypicAbnormality, 0.0), (Toy.a, log(4.0 / 3)), (Toy.b, log(4.0 / 3)), (Toy.a1, log(2.0)),
            (Toy.b1, log(2.0)), (Toy.a2, log(4.0)), (Toy.a1a, log(4.0)), (Toy.autosomalRecessive, 0.0),
        ])
    func informationContent(term: HPOTermID, expected: Double) throws {
        #expect(knowledge.annotatedDiseaseCount == 4)
        let ic = try #require(knowledge.informationContent(of: term))
        #expect(close(ic, expected), "IC(\(term)) = \(ic), expected \(expected)")
    }

    @Test(
        "frequency column forms",
        arguments: [
            ("", nil), ("HP:0040280", 1.0), ("HP:0040284", 0.025), ("3/4", 4.0 / 6), ("0/5", 0.0), ("25%", 0.25),
        ] as [(String, Double?)])
    func frequencies(text: String, expected: Double?) throws {
        let hpoa = "#version: x\ndatabase_id\tdisease_name\tqualifier\thpo_id\treference\tevidence\tonset\tfrequency\tsex\tmodifier\taspect\tbiocuration\n"
            + "OMIM:1\tX\t\tHP:0000011\tPMID:1\tPCS\t\t\(text)\t\t\tP\tx\n"
        let a = try DiseaseAnnotations(
            hpoa: Array(hpoa.utf8), genesToPhenotype: Array("ncbi_gene_id\tgene_symbol\tdisease_id\n".utf8), ontology: knowledge.ontology)
        if expected == 0 {
            #expect(a.features(ofDisease: 0).isEmpty)
            #expect(a.excludedFeatures(ofDisease: 0).count == 1)
        } else {
            #expect(a.features(ofDisease: 0).first?.frequency.estimate == expected)
        }
    }

    @Test func unreadableFrequencyNamesTheLine() {
        let hpoa = "database_id\tdisease_name\tqualifier\thpo_id\treference\tevidence\tonset\tfrequency\tsex\tmodifier\taspect\tbiocuration\n"
            + "OMIM:1\tX\t\tHP:0000011\tPMID:1\tPCS\t\tsometimes\t\t\tP\tx\n"
        #expect(throws: PhenotypeError.malformedFile(file: "phenotype.hpoa", line: 2, message: "unreadable frequency 'sometimes'")) {
            _ = try DiseaseAnnotations(
                hpoa: Array(hpoa.utf8), genesToPhenotype: Array("ncbi_gene_id\tgene_symbol\tdisease_id\n".utf8), ontology: knowledge.ontology)
        }
    }
}
