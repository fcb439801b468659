import Foundation
import Phenotype
import Testing

/// Expected values are worked out by hand from the toy files, with the IC values of `AnnotationTests`:
/// IC(A) = IC(B) = ln 4/3, IC(A1) = IC(B1) = ln 2, IC(A2) = IC(A1a) = ln 4, root terms 0.
@Suite("Resnik similarity, best-match averages and PhenoDigm (toy)")
struct SimilarityTests {
    let knowledge = Fixture.toy

    @Test(
        "Resnik = IC of the most informative common ancestor",
        arguments: [
            (Toy.a1a, Toy.b1, log(4.0 / 3)),  // common: B, Phenotypic abnormality, All → B
            (Toy.b1, Toy.a1a, log(4.0 / 3)),  // symmetric
            (Toy.a1, Toy.a2, log(4.0 / 3)),  // via A
            (Toy.a1a, Toy.a1, log(2.0)),  // A1 is an ancestor of A1a
            (Toy.a1a, Toy.a1a, log(4.0)),  // itself
            (Toy.a2, Toy.b1, 0.0),  // only Phenotypic abnormality and All in common
        ])
    func resnik(a: HPOTermID, b: HPOTermID, expected: Double) {
        #expect(close(knowledge.resnik(Toy.index(a), Toy.index(b)), expected))
    }

    /// Patient [A1a, A2] against each toy disease.
    /// - D1 {A1 (0.895), B1 (0.5)}: A1a→A1 ln 2, A2→A1 ln 4/3; reverse: A1→ln 2, B1→B ln 4/3, weighted by frequency.
    /// - D2 {A2}: A1a→A ln 4/3, A2→A2 ln 4; reverse: A2→ln 4.
    /// - D3 {A1a} (B1 is 0/3, so not a feature): A1a→ln 4, A2→A ln 4/3; reverse: ln 4.
    /// - D4 {B1}: A1a→B ln 4/3, A2→0; reverse: B1→B ln 4/3.
    @Test(
        "best-match averages both ways, by hand",
        arguments: [
            ("OMIM:100001", (log(2.0) + log(4.0 / 3)) / 2, (0.895 * log(2.0) + 0.5 * log(4.0 / 3)) / 1.395),
            ("OMIM:100002", (log(4.0 / 3) + log(4.0)) / 2, log(4.0)),
            ("ORPHA:3", (log(4.0) + log(4.0 / 3)) / 2, log(4.0)),
            ("OMIM:100004", log(4.0 / 3) / 2, log(4.0 / 3)),
        ])
    func bestMatchAverages(disease: String, forward: Double, reverse: Double) throws {
        let resolved = try knowledge.resolve(PhenotypeQuery(observed: [Toy.a1a, Toy.a2]))
        let scores = knowledge.scores(resolved)
        let d = Toy.disease(disease)
        #expect(close(scores.patientToDisease[d], forward), "forward \(scores.patientToDisease[d]) vs \(forward)")
        #expect(close(scores.diseaseToPatient[d], reverse), "reverse \(scores.diseaseToPatient[d]) vs \(reverse)")
        #expect(close(scores.combined[d], 0.5 * forward + 0.5 * reverse))
        // The all-diseases fast path agrees with the pairwise definition.
        let features = knowledge.annotations.features(ofDisease: d).map(\.term)
        #expect(close(knowledge.bestMatchAverage(resolved.observed, features), forward))
    }

    /// PhenoDigm-style for [A1a, A2] vs D1: best single match ln 2; average of best matches both ways
    /// (ln 2 + ln 4/3 + ln 2 + ln 4/3) / 4; the patient's own optimum: max IC ln 4, mean IC ln 4.
    @Test func phenoDigmByHand() throws {
        let scores = knowledge.scores(try knowledge.resolve(PhenotypeQuery(observed: [Toy.a1a, Toy.a2])))
        let average = (log(2.0) + log(4.0 / 3)) / 2
        let expected = 50 * (log(2.0) / log(4.0) + average / log(4.0))
        #expect(close(scores.phenoDigm[Toy.disease("OMIM:100001")], expected))
        // D3 holds the patient's best term exactly: max part 1; average (ln 4 + ln 4/3 + ln 4) / 3.
        let d3 = 50 * (1 + ((2 * log(4.0) + log(4.0 / 3)) / 3) / log(4.0))
        #expect(close(scores.phenoDigm[Toy.disease("ORPHA:3")], d3))
    }

    @Test func ranksDiseasesAndGenesWithTiesShared() throws {
        let ranking = try knowledge.rank(PhenotypeQuery(observed: [Toy.a1a, Toy.a2]))
        // D2 and D3 tie (0.837… + 1.386…)/2: both rank 1, listed by ID.
        #expect(ranking.diseases.map(\.id) == ["OMIM:100002", "ORPHA:3", "OMIM:100001", "OMIM:100004"])
        #expect(ranking.diseases.map(\.rank) == [1, 1, 3, 4])
        // GENEC is scored from its OMIM disease (D4), not from the better-matching Orphanet group; GENED has no
        // annotated disease and is not ranked.
        #expect(ranking.genes.map(\.symbol) == ["GENEB", "GENEA", "GENEC"])
        #expect(ranking.genes.map(\.disease.id) == ["OMIM:100002", "OMIM:100001", "OMIM:100004"])
        #expect(ranking.genesScored == 3)
        let d1 = try #require(ranking.diseases.first { $0.id == "OMIM:100001" })
        // Evidence: each patient term with its best disease feature and the shared ancestor.
        #expect(d1.matches.map { $0.disease?.id } == [Toy.a1, Toy.a1])
        #expect(d1.matches.map { $0.commonAncestor?.id } == [Toy.a1, Toy.a])
        #expect(d1.matches.first?.frequency == "HP:0040281")
    }

    /// Contradiction log likelihood ratios, by hand (floor 0.05, minimum frequency 0.8).
    @Test(
        "excluded patient features and NOT annotations count against a disease",
        arguments: [
            // B1 excluded: D4 has B1 as obligate (1.0) → ln max(1 − 1, 0.05); D1 has it at 0.5 → no penalty;
            // D2 (NOT B1) and D3 (0/3) agree with the patient → no penalty.
            ([Toy.a2], [Toy.b1], ["OMIM:100001": 0.0, "OMIM:100002": 0.0, "ORPHA:3": 0.0, "OMIM:100004": log(0.05)]),
            // B excluded: D4's B1 is a kind of B → penalty; D3's A1a (a kind of B) is only 50% → none.
            ([Toy.a2], [Toy.b], ["OMIM:100001": 0.0, "OMIM:100002": 0.0, "ORPHA:3": 0.0, "OMIM:100004": log(0.05)]),
            // B1 observed: D2 is annotated NOT B1, D3 0/3 B1 → ln 0.05 each.
            ([Toy.b1], [], ["OMIM:100001": 0.0, "OMIM:100002": log(0.05), "ORPHA:3": log(0.05), "OMIM:100004": 0.0]),
            // A1a observed: B1 is not an ancestor of A1a, so NOT B1 says nothing about it.
            ([Toy.a1a], [], ["OMIM:100001": 0.0, "OMIM:100002": 0.0, "ORPHA:3": 0.0, "OMIM:100004": 0.0]),
        ])
    func contradictions(observed: [HPOTermID], excluded: [HPOTermID], expected: [String: Double]) throws {
        let resolved = try knowledge.resolve(PhenotypeQuery(observed: observed, excluded: excluded))
        let scores = knowledge.scores(resolved)
        var ignoring = PhenotypeScoring()
        ignoring.contradictionLikelihoodFloor = 1  // ln 1 = 0: contradictions weigh nothing
        let without = knowledge.scores(resolved, scoring: ignoring)
        for (disease, value) in expected {
            let d = Toy.disease(disease)
            #expect(close(scores.contradiction[d], value), "\(disease): \(scores.contradiction[d]) vs \(value)")
            // It lowers the ranking score by its value averaged over the observed terms.
            #expect(close(scores.combined[d] - without.combined[d], value / Double(observed.count)))
        }
    }

    /// Patient [A1a], B1 excluded. Without the exclusion: D3 1.386 (rank 1), D1 0.620 (2), D2 and D4 tie at
    /// ln 4/3 = 0.288 (3). D4 has B1 as obligate, so the exclusion costs it ln 0.05 ≈ −3.0 and it drops to last;
    /// D1 has B1 at 0.5 only and keeps its score.
    @Test func excludedFeatureLowersTheRankAndIsExplained() throws {
        let with = try knowledge.rank(PhenotypeQuery(observed: [Toy.a1a], excluded: [Toy.b1]))
        let without = try knowledge.rank(PhenotypeQuery(observed: [Toy.a1a]))
        func rank(_ r: PhenotypeRanking, _ id: String) -> Int? { r.diseases.first { $0.id == id }?.rank }
        #expect(rank(without, "OMIM:100004") == 3)
        #expect(rank(with, "OMIM:100004") == 4)
        #expect(rank(with, "OMIM:100001") == 2)
        let d4 = try #require(with.diseases.first { $0.id == "OMIM:100004" })
        #expect(d4.contradictions.count == 1)
        #expect(d4.contradictions.first?.patient.id == Toy.b1)
        #expect(d4.contradictions.first?.excludedInPatient == true)
        #expect(d4.contradictions.first?.frequency == "HP:0040280")
        #expect(close(d4.contradictions.first?.logLikelihoodRatio ?? 0, log(0.05)))
        #expect(with.diseases.first { $0.id == "OMIM:100001" }?.contradictions.isEmpty == true)
    }

    @Test func rankingCarriesHPOVersionAndAttributionInJSON() throws {
        let ranking = try knowledge.rank(PhenotypeQuery(observed: [Toy.a1a]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try #require(try JSONSerialization.jsonObject(with: encoder.encode(ranking)) as? [String: Any])
        let hpo = try #require(json["hpo"] as? [String: Any])
        #expect(hpo["version"] as? String == "2099-01-01")
        #expect((hpo["attribution"] as? String)?.contains("Human Phenotype Ontology (version 2099-01-01)") == true)
        let genes = try #require(json["genes"] as? [[String: Any]])
        #expect(genes.first?["symbol"] as? String != nil)
        // Term IDs are written as HP:NNNNNNN strings.
        let observed = try #require(json["observed"] as? [[String: Any]])
        #expect(observed.first?["given"] as? String == "HP:0000013")
    }

    @Test func readableReportShowsEvidenceWarningsAndAttribution() throws {
        let ranking = try knowledge.rank(PhenotypeQuery(observed: [Toy.a1a, HPOTermID(99)], excluded: [Toy.b1]))
        let text = PhenotypeText.render(ranking, genes: 3, diseases: 4)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "Phenotype-only ranking (HPO 2099-01-01)")
        #expect(lines.contains("warning: HP:0000099 is not in HPO 2099-01-01 (it may be newer than this release); skipped"))
        // GENEA (D1 0.620) first, GENEB (D2 0.288) second, GENEC (D4, 0.288 + ln 0.05) last.
        #expect(lines.filter { $0.hasPrefix("  ") && $0.contains("score") && $0.contains("via") }.map { $0.split(separator: "\t")[0] }
            == ["  1. GENEA", "  2. GENEB", "  3. GENEC"])
        #expect(lines.contains("      HP:0000013 Toy A1a: disease has the more general HP:0000011 Toy A1 (IC 0.69, frequency HP:0040281)"))
        #expect(lines.contains { $0.contains("against: HP:0000021 Toy B1 excluded in the patient, but the disease shows HP:0000021 Toy B1 (HP:0040280)") })
        #expect(lines.suffix(2) == [Fixture.toy.release.attribution, PhenotypeText.disclaimer])
    }

    @Test("pessimistic rank counts ties against the candidate", arguments: [(3.0, 1), (2.0, 3), (1.0, 4), (0.5, 4)])
    func pessimisticRank(score: Double, expected: Int) {
        #expect(PhenotypeScores.pessimisticRank(of: score, in: [3, 2, 2, 1]) == expected)
    }
}
