import Foundation
import GenomicFiles
import Knowledge
import PGx
import Testing

let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path

@Suite struct DefinitionTests {
    static let definitions = try! PGxDefinitions.bundled()

    @Test func everyGeneTableDecodes() {
        let genes = Self.definitions.genes.map(\.gene).sorted()
        #expect(
            genes == [
                "ABCG2", "CACNA1S", "CFTR", "CYP2B6", "CYP2C19", "CYP2C9", "CYP2D6", "CYP3A4", "CYP3A5", "CYP4F2", "DPYD", "G6PD", "IFNL3",
                "NAT2", "NUDT15", "RYR1", "SLCO1B1", "TPMT", "UGT1A1", "VKORC1",
            ])
        #expect(Self.definitions.packVersion == "2025-11-05-00-25")
        for gene in Self.definitions.genes {
            #expect(gene.genomeBuild.hasPrefix("GRCh38"), "\(gene.gene)")
            #expect(gene.alleles.first?.isReference == true, "\(gene.gene)")
            #expect(gene.alleles.allSatisfy { $0.alleles.count == gene.positions.count }, "\(gene.gene)")
        }
    }

    /// The compact tables the pack builder derives must say exactly what PharmCAT's JSON says.
    @Test func derivedTablesEqualTheSourceJSON() throws {
        let pack = try KnowledgePack.bundled("pgx")
        for gene in Self.definitions.genes {
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(try pack.data("definition/alleles/\(gene.gene)_translation.json"))) as? [String: Any])
            let variants = try #require(json["variants"] as? [[String: Any]])
            #expect(variants.map { $0["position"] as? Int } == gene.positions.map(\.position), "\(gene.gene)")
            #expect(variants.map { $0["alts"] as? [String] } == gene.positions.map(\.alts), "\(gene.gene)")
            let alleles = try #require(json["namedAlleles"] as? [[String: Any]])
            #expect(alleles.map { $0["name"] as? String } == gene.alleles.map(\.name), "\(gene.gene)")
            for (raw, allele) in zip(alleles, gene.alleles) {
                let cells = (raw["alleles"] as? [Any])?.map { $0 as? String }
                #expect(cells == allele.alleles, "\(gene.gene) \(allele.name)")
            }
        }
    }

    /// Counts as PharmCAT's own summary of its definition tables gives them (docs/domain/pgx.md §1.6).
    @Test(arguments: [("CYP2C19", 35, 36, "*38"), ("RYR1", 313, 339, "Reference"), ("UGT1A1", 4, 9, "*1"), ("G6PD", 171, 185, "B (reference)")])
    func tableShapes(_ gene: String, _ positions: Int, _ alleles: Int, _ reference: String) throws {
        let definition = try #require(Self.definitions.gene(gene))
        #expect(definition.positions.count == positions)
        #expect(definition.alleles.count == alleles)
        #expect(definition.alleles[0].name == reference)
    }

    @Test func cellsAreInVCFRepresentation() throws {
        let ugt1a1 = try #require(Self.definitions.gene("UGT1A1"))
        let repeatIndex = try #require(ugt1a1.positions.firstIndex { $0.rsid == "rs3064744" })
        #expect(ugt1a1.positions[repeatIndex].ref == "CAT")
        #expect(ugt1a1.alleles.first { $0.name == "*28" }?.alleles[repeatIndex] == "CATAT")
        #expect(ugt1a1.alleles.first { $0.name == "*28" }?.definedCount == 1)
    }

    @Test func siteIndexCoversEveryDefiningPosition() {
        let index = PGxSiteIndex(definitions: Self.definitions)
        let distinct = Set(Self.definitions.genes.flatMap { gene in gene.positions.map { "\(gene.chromosome):\($0.position)" } })
        #expect(index.count == distinct.count)
        #expect(index.count > 1100)
    }
}

@Suite struct SiteCallTests {
    @Test func officialExampleHasEveryPositionAndTheCYP2C19Star2Variant() async throws {
        let definitions = DefinitionTests.definitions
        let file = try VCFFile(path: fixtures + "/pharmcat.example2.vcf")
        let samples = try await PGxSiteIndex(definitions: definitions).collect(from: file)
        #expect(samples.map(\.sample) == ["Sample_2"])
        let cyp2c19 = try #require(definitions.gene("CYP2C19"))
        #expect(samples[0].missingPositions(of: cyp2c19).isEmpty)
        let star2 = try #require(cyp2c19.positions.firstIndex { $0.rsid == "rs4244285" })
        #expect(samples[0].calls["CYP2C19"]?[star2]?.alleles == ["A", "A"])
    }

    @Test func indexedRegionReadsGiveTheSameCallsAsAFullScan() async throws {
        let index = PGxSiteIndex(definitions: DefinitionTests.definitions)
        let scanned = try await index.collect(from: try VCFFile(path: fixtures + "/pharmcat.example2.vcf"))
        let indexed = try await index.collect(from: try VCFFile(path: fixtures + "/pharmcat.example2.vcf.gz"))
        #expect(indexed.map(\.sample) == scanned.map(\.sample))
        func resolved(_ calls: [String: GeneSiteCalls]) -> [String: [SiteCall?]] {
            calls.mapValues { gene in gene.codes.indices.map { gene[$0] } }
        }
        #expect(resolved(indexed[0].calls) == resolved(scanned[0].calls))
        #expect(indexed[0].calls.values.reduce(0) { $0 + $1.called } > 1100)
    }

    @Test func absentAndNoCallPositionsAreMissingNotReference() async throws {
        let definitions = DefinitionTests.definitions
        let cyp2c19 = try #require(definitions.gene("CYP2C19"))
        let samples = try await PGxSiteIndex(definitions: definitions).collect(from: try VCFFile(path: fixtures + "/partial.vcf"))
        let star2 = try #require(cyp2c19.positions.firstIndex { $0.rsid == "rs4244285" })
        let star17 = try #require(cyp2c19.positions.firstIndex { $0.rsid == "rs12248560" })
        // Sample A: both present ('10' and 'chr10' naming both match), phased with its phase set.
        #expect(samples[0].calls["CYP2C19"]?[star2] == SiteCall(alleles: ["G", "A"], phased: true, phaseSet: "100"))
        #expect(samples[0].calls["CYP2C19"]?[star17]?.alleles == ["T", "T"])
        #expect(samples[0].missingPositions(of: cyp2c19).count == cyp2c19.positions.count - 2)
        // Sample B: './.' at rs4244285 is missing too.
        #expect(samples[1].missingPositions(of: cyp2c19).count == cyp2c19.positions.count - 1)
        #expect(samples[1].missingPositions(of: cyp2c19).contains { $0.rsid == "rs4244285" })
    }

    /// `--assume-reference`: only positions absent from the file become 0/0; an explicit './.' stays missing; every
    /// gene touched says so.
    @Test func assumeReferenceFillsOnlyAbsentPositionsAndSaysSo() async throws {
        let definitions = DefinitionTests.definitions
        let cyp2c19 = try #require(definitions.gene("CYP2C19"))
        let index = PGxSiteIndex(definitions: definitions)
        let samples = try await index.collect(from: try VCFFile(path: fixtures + "/partial.vcf"))
        let b = try await index.collect(from: try VCFFile(path: fixtures + "/partial.vcf"), assumeReference: true)[1]
        #expect(b.missingPositions(of: cyp2c19).map(\.rsid) == ["rs4244285"])
        #expect(b.assumedReference["CYP2C19"] == cyp2c19.positions.count - 2)
        let star17 = try #require(cyp2c19.positions.firstIndex { $0.rsid == "rs12248560" })
        #expect(b.calls["CYP2C19"]?[star17]?.alleles == ["C", "C"])
        let report = PGxAnalyser(knowledge: try PGxKnowledge.bundled()).analyse(b)
        let gene = try #require(report.genes.first { $0.gene == "CYP2C19" })
        #expect(gene.warnings.first?.hasPrefix("ASSUMED REFERENCE: 33 of 35 positions") == true)
        #expect(samples[1].assumedReference.isEmpty)
        // GRCh37: the pack has no GRCh37 reference bases, so it refuses rather than assume GRCh38's.
        await #expect(throws: PGxInputError.self) {
            _ = try await index.collect(from: try VCFFile(path: fixtures + "/grch37.vcf"), assumeReference: true)
        }
    }

    /// GRCh37 input: the genes whose every position the pack places exactly are called at their GRCh37 places, the
    /// others are "not called: needs GRCh38", never called from a partial set of positions.
    @Test func grch37InputCallsOnlyExactlyPlacedGenes() async throws {
        let calls = try await PGxSiteIndex(definitions: DefinitionTests.definitions).collect(from: try VCFFile(path: fixtures + "/grch37.vcf"))
        #expect(calls[0].notCallable["CYP2C19"]?.contains("needs GRCh38") == true)
        #expect(calls[0].notCallable["TPMT"] == nil)
        #expect(calls[0].calls["CYP2C19"] == nil, "the CYP2C19 record must not be read at its GRCh38 coordinates")
    }

    /// The same samples written in GRCh37 coordinates (scripts/make_grch37_fixture.py) give the same calls.
    @Test(arguments: [
        ("pharmcat.example2", ["ABCG2", "CACNA1S", "CYP3A5", "DPYD", "IFNL3", "TPMT", "UGT1A1", "VKORC1"]),
        ("pharmcat-tests/testTpmtStar1s", ["TPMT"]), ("pharmcat-tests/testDpydUnphasedMultiple1", ["DPYD"]),
    ])
    func grch37GivesTheSameCallsAsGRCh38(_ name: String, _ genes: [String]) async throws {
        let knowledge = try PGxKnowledge.bundled()
        let analyser = PGxAnalyser(knowledge: knowledge)
        let index = PGxSiteIndex(definitions: knowledge.definitions)
        let on38 = analyser.analyse(try await index.collect(from: try VCFFile(path: fixtures + "/\(name).vcf"))[0])
        let on37 = analyser.analyse(try await index.collect(from: try VCFFile(path: fixtures + "/\(name).grch37.vcf"))[0])
        for gene in genes {
            let a = try #require(on38.genes.first { $0.gene == gene }), b = try #require(on37.genes.first { $0.gene == gene })
            #expect(a.called && b.called, "\(gene)")
            #expect(a.printCalls == b.printCalls, "\(gene)")
            #expect(a.phenotype == b.phenotype, "\(gene)")
        }
        #expect(on37.genes.first { $0.gene == "CYP2C19" }?.warnings.first?.hasPrefix("not called: needs GRCh38") == true)
    }
}
