import Foundation
import Phenotype
import Testing

@Suite("HPO IDs and query resolution")
struct QueryTests {
    let knowledge = Fixture.toy

    @Test(
        "text that is not an HPO ID is refused, naming it",
        arguments: ["HP:123", "HP_0001250", "0001250", "HP:00012500", "hp:0001250", "", "HP:000125a", "HP:0001250,", "OMIM:100001", "HP: 0001250"])
    func invalidIDs(text: String) {
        #expect(throws: PhenotypeError.invalidTermID(text)) { _ = try HPOTermID(parsing: text) }
        #expect(PhenotypeError.invalidTermID(text).description.contains("'\(text)'"))
    }

    @Test("valid IDs parse and print back", arguments: [("HP:0001250", 1250), (" HP:0000001\t", 1), ("HP:6001164", 6_001_164)])
    func validIDs(text: String, number: Int) throws {
        let id = try HPOTermID(parsing: text)
        #expect(id.number == number)
        #expect(try HPOTermID(parsing: id.description) == id)
    }

    @Test func commaSeparatedListsNameTheBadItem() {
        #expect(throws: PhenotypeError.invalidTermID("HP:12")) {
            _ = try PhenotypeQuery(parsing: ["HP:0000011,HP:12"], excluded: [])
        }
        #expect(throws: PhenotypeError.invalidTermID("nope")) {
            _ = try PhenotypeQuery(parsing: ["HP:0000011"], excluded: ["nope"])
        }
        #expect(throws: Never.self) {
            let q = try PhenotypeQuery(parsing: ["HP:0000011,HP:0000012", "HP:0000013"], excluded: ["HP:0000021"])
            #expect(q.observed == [Toy.a1, Toy.a2, Toy.a1a])
            #expect(q.excluded == [Toy.b1])
        }
    }

    @Test func obsoleteAlternativeUnknownAndNonPhenotypeTermsAreHandledAndNamed() throws {
        let query = PhenotypeQuery(observed: [
            Toy.obsoleteReplaced, Toy.alternativeOfA2, Toy.obsoleteOneSuggestion, Toy.obsoleteTwoSuggestions, HPOTermID(99),
            Toy.autosomalRecessive, Toy.a1,
        ])
        let resolved = try knowledge.resolve(query)
        // 30 → A1, 40 → A2, 31 → A2 (its only 'consider'); duplicates collapse; the rest are skipped.
        #expect(resolved.observed == [Toy.index(Toy.a1), Toy.index(Toy.a2)])
        #expect(resolved.observedTerms.map(\.used) == [Toy.a1, Toy.a2, Toy.a2, nil, nil, nil, Toy.a1])
        #expect(resolved.notes.count == 3)
        #expect(resolved.notes[0].contains("HP:0000030") && resolved.notes[0].contains("replaced by HP:0000011 (Toy A1)"))
        #expect(resolved.notes[1].contains("HP:0000040 is an alternative ID of HP:0000012"))
        #expect(resolved.notes[2].contains("HP:0000031") && resolved.notes[2].contains("'consider'"))
        #expect(resolved.warnings.count == 3)
        #expect(resolved.warnings[0].contains("HP:0000032") && resolved.warnings[0].contains("HP:0000012, HP:0000021"))
        #expect(resolved.warnings[1].contains("HP:0000099 is not in HPO 2099-01-01"))
        #expect(resolved.warnings[2].contains("HP:0000007") && resolved.warnings[2].contains("not a phenotypic abnormality"))
        // The ranking reports them too.
        let ranking = knowledge.rank(resolved)
        #expect(ranking.notes == resolved.notes)
        #expect(ranking.warnings == resolved.warnings)
    }

    @Test func nothingUsableIsAnErrorNamingWhatWasSkipped() {
        do {
            _ = try knowledge.resolve(PhenotypeQuery(observed: [HPOTermID(99)], excluded: [Toy.a1]))
            Issue.record("ranked with no usable observed term")
        } catch {
            guard case .noUsableObservedTerms(let skipped) = error else { Issue.record("wrong error \(error)"); return }
            #expect(skipped.count == 1)
            #expect(skipped[0].contains("HP:0000099"))
        }
        #expect(throws: PhenotypeError.noUsableObservedTerms(skipped: [])) { _ = try knowledge.resolve(PhenotypeQuery(observed: [])) }
    }

    @Test(
        "an observed term that is (a kind of) an excluded one is a contradiction",
        arguments: [
            (Toy.a1, Toy.a1, Toy.a1), (Toy.a1a, Toy.b, Toy.a1a), (Toy.a1, Toy.obsoleteReplaced, Toy.a1),
        ])
    func contradictions(observed: HPOTermID, excluded: HPOTermID, reported: HPOTermID) {
        do {
            _ = try knowledge.resolve(PhenotypeQuery(observed: [observed], excluded: [excluded]))
            Issue.record("accepted a contradiction")
        } catch {
            guard case .contradictoryTerms(let o, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(o == reported)
            #expect(error.description.contains(reported.description))
        }
    }

    @Test func anExcludedSubtypeOfAnObservedTermIsFine() throws {
        // Toy A observed, Toy A1 excluded: the patient has something under A, just not A1.
        let resolved = try knowledge.resolve(PhenotypeQuery(observed: [Toy.a], excluded: [Toy.a1]))
        #expect(resolved.excluded == [Toy.index(Toy.a1)])
    }
}
