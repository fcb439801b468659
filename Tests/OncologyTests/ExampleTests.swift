import Foundation
import Testing
@testable import Oncology

@Suite struct InputTests {
    @Test func unannotatedVCFSaysWhatAnnotationIsNeeded() async throws {
        let path = Fixture.path("pcgr/T001-BRCA.grch38.vcf.gz")
        await #expect {
            _ = try await InputReader.read([path])
        } throws: { error in
            guard let e = error as? OncologyError, case .unannotatedVCF = e else { return false }
            return e.description.contains("VEP") && e.description.contains("--hgvs") && e.description.contains("SnpEff")
        }
    }

    @Test func mafMissingColumnsNamesThem() throws {
        let path = Fixture.path("bad/missing_columns.maf")
        #expect(throws: OncologyError.mafMissingColumns(path: path, missing: ["Variant_Classification", "HGVSp_Short (or HGVSp / Protein_Change)"])) {
            _ = try InputReader.readMAF(try InputReader.text(path), path: path)
        }
        #expect(try InputReader.kind(of: path) == .maf)
    }

    @Test func segmentCopyNumberIsRefusedWithAWayForward() {
        #expect {
            _ = try InputReader.kind(of: Fixture.path("pcgr/T001-BRCA.grch38.cna.tsv"))
        } throws: { "\($0)".contains("gene-level") }
    }

    @Test(arguments: [
        ("moalmanac/example_patient.capture.somatic.snvs.maf", InputKind.maf), ("moalmanac/example_patient.capture.somatic.called.cna.txt", .copyNumber),
        ("moalmanac/example_patient.rna.star.fusions.txt", .fusions), ("pcgr/T001-BRCA.grch38.fusions.tsv", .fusions), ("vep_annotated.vcf", .vcf),
    ])
    func recognisesEachInputKind(file: String, kind: InputKind) throws { #expect(try InputReader.kind(of: Fixture.path(file)) == kind) }

    @Test func vepCSQIsReadFromTheHeaderLayoutAndPicksThePickedTranscript() async throws {
        let (found, records) = try await InputReader.readVCF(Fixture.path("vep_annotated.vcf"))
        #expect(records == 4)
        let braf = try #require(found.first { $0.gene == "BRAF" && $0.effect == .missense })
        #expect(braf.protein?.description == "p.V600E")  // PICK=1 transcript, not the p.V640E one
        #expect(braf.transcript == "ENST00000646891.2" && braf.exon == 15 && braf.vaf == 0.41)
        #expect(found.first { $0.gene == "TP53" }?.populationFrequencies?["NFE"] == 0.7)
        #expect(found.first { $0.gene == "BRAF" && $0.effect == .noncoding } != nil)  // intronic insertion, allele "A" = VEP's trimmed form
    }

    @Test func snpEffANNIsRead() async throws {
        let (found, _) = try await InputReader.readVCF(Fixture.path("snpeff_annotated.vcf"))
        #expect(found.map { $0.protein?.description ?? "" } == ["p.E746_A750del", "p.G12V"])
        #expect(found[0].effect == .inframeDeletion && found[0].exon == 19)
    }
}

@Suite struct CIViCImportTests {
    @Test func importsAcceptedSomaticItemsAndCountsTheRest() throws {
        let path = Fixture.path("civic_evidence_fixture.tsv")
        let civic = try CIViCImport(tsv: InputReader.text(path), path: path, oncotree: Shared.tree)
        #expect(civic.items.count == 9)
        #expect(civic.skipped == ["not accepted": 1, "not somatic": 1, "molecular profile not matched by Tailor": 1])
        let byID = Dictionary(uniqueKeysWithValues: civic.items.map { ($0.id, $0) })
        #expect(byID["EID990001"]?.biomarker == .proteinChange(gene: "BRAF", change: ProteinChange(hgvs: "p.V600E")!))
        #expect(byID["EID990001"]?.oncotreeCodes == ["MEL"] && byID["EID990001"]?.therapies == ["Dabrafenib", "Trametinib"])
        #expect(byID["EID990002"]?.biomarker == .codon(gene: "KRAS", reference: "G", position: 12) && byID["EID990002"]?.isResistance == true)
        #expect(byID["EID990003"]?.biomarker == .exon(gene: "EGFR", exon: 19, effects: [.inframeDeletion]))
        #expect(byID["EID990004"]?.biomarker == .amplification(gene: "ERBB2") && byID["EID990004"]?.oncotreeCodes == ["BRCA"])
        #expect(byID["EID990006"]?.biomarker == .fusion(gene: "EML4", partner: "ALK"))
        #expect(byID["EID990007"]?.scope == .panCancer)  // DOID:162 cancer
        #expect(byID["EID990008"]?.type == .prognostic)
        #expect(byID["EID990012"]?.supports == false)
        #expect(civic.version == "last review 2026-01-12")
    }

    @Test(arguments: [
        ("BRAF V600E", Biomarker?.some(.proteinChange(gene: "BRAF", change: ProteinChange(hgvs: "p.V600E")!))), ("KRAS G12", .codon(gene: "KRAS", reference: "G", position: 12)),
        ("EGFR Exon 20 Insertion", .exon(gene: "EGFR", exon: 20, effects: [.inframeInsertion])), ("KIT Exon 11 Mutation", .exon(gene: "KIT", exon: 11, effects: [])),
        ("CDKN2A Loss", .deletion(gene: "CDKN2A")), ("v::NRG1", .fusion(gene: "NRG1", partner: nil)), ("ALK Fusion", .fusion(gene: "ALK", partner: nil)),
        ("TP53 Loss-of-function", .gene(gene: "TP53", effects: [.nonsense, .frameshift, .splice])), ("BRAF V600E AND MAP2K1 K57N", nil), ("MGMT Methylation", nil),
    ])
    func readsMolecularProfiles(profile: String, expected: Biomarker?) { #expect(CIViCImport.biomarker(profile) == expected) }

    @Test func civicEvidenceTiersThroughTheSameRules() throws {
        let path = Fixture.path("civic_evidence_fixture.tsv")
        var knowledge = try OncologyKnowledge.bundled(moalmanac: false)
        knowledge.add(civic: try CIViCImport(tsv: InputReader.text(path), path: path, oncotree: knowledge.oncotree))
        var inputs = TumourInputs()
        inputs.alterations = [
            MatcherTests.variant("BRAF", "p.V600E", .missense), MatcherTests.variant("KRAS", "p.G12D", .missense),
            Alteration(kind: .amplification, gene: "ERBB2"), Alteration(kind: .fusion, gene: "TPM3", partner: "NTRK1"),
        ]
        let report = try OncologyAnalysis.analyse(inputs, request: OncologyRequest(tumourType: "SKCM", files: []), knowledge: knowledge)
        func tier(_ label: String) -> Tier? { report.actionable.first { $0.alteration.label == label }?.tier }
        #expect(tier("BRAF p.V600E") == .tierI)  // level A, melanoma (SKCM is below MEL)
        #expect(tier("KRAS p.G12D") == .tierII)  // level B, another tumour type
        #expect(tier("ERBB2 amplification") == .tierII)  // level A, breast
        #expect(tier("TPM3::NTRK1 fusion") == .tierI)  // level B, pan-cancer
        #expect(report.disclaimers.isEmpty)  // no MOAlmanac, no research-only disclaimer
    }
}

@Suite struct ExampleTests {
    /// MOAlmanac's example patient (melanoma) against its expected output: every "Putatively Actionable" feature of the
    /// expected output must be matched with evidence by Tailor, and the best sensitivity level must agree where the
    /// database still holds it. Printed: what agreed and what did not.
    @Test func moalmanacExamplePatient() async throws {
        let files = ["example_patient.capture.somatic.snvs.maf", "example_patient.capture.somatic.indels.maf",
                     "example_patient.capture.somatic.called.cna.txt", "example_patient.rna.star.fusions.txt"].map { Fixture.path("moalmanac/" + $0) }
        let bases = Double(try String(contentsOfFile: Fixture.path("moalmanac/example_patient.capture.somatic.coverage.txt"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines))!
        let request = OncologyRequest(tumourType: "MEL", files: files, assayMb: bases / 1e6, msiHigh: true)
        let inputs = try await InputReader.read(files)
        let report = try OncologyAnalysis.analyse(inputs, request: request, knowledge: Shared.knowledge)

        let braf = try #require(report.actionable.first { $0.alteration.label == "BRAF p.V600E" })
        #expect(braf.tier == .tierI)
        #expect(braf.tierDefining.contains { $0.evidence.approval == "FDA-approved" && $0.evidence.therapies.contains("Trametinib") && $0.onLabel })
        #expect(report.disclaimers.contains { $0.contains("DIAGNOSTIC AND CLINICAL USE PROHIBITED") })
        #expect(OncologyText.render(report).contains("DIAGNOSTIC AND CLINICAL USE PROHIBITED"))

        // MOAlmanac's TMB for the patient: 204 non-synonymous mutations / 29.908 Mb = 6.821/Mb, not high. Tailor's non-silent
        // count agrees; its TMB-high call uses coding + silent (Chalmers 2017): 300 / 29.908 = 10.03/Mb, at the cut-off.
        let tmb = try #require(report.tmb)
        #expect(tmb.codingNonSilent == 204 && abs(tmb.nonSilentPerMb - 6.821) < 0.001)
        #expect(tmb.codingAndSilent == 300 && tmb.high)

        let expected = try String(contentsOfFile: Fixture.path("moalmanac/expected_output.actionable.txt"), encoding: .utf8)
        let rows = tsvRows(expected)
        let header = rows[0]
        func col(_ n: String) -> Int { header.firstIndex(of: n)! }
        var agreed: [String] = []
        var differed: [String] = []
        for row in rows.dropFirst() where row[col("score_bin")] == "Putatively Actionable" {
            let label: String
            switch row[col("feature_type")] {
            case "Somatic Variant": label = "\(row[col("feature")]) \(row[col("alteration")])"
            case "Copy Number": label = "\(row[col("feature")]) \(row[col("alteration_type")].lowercased())"
            default: continue
            }
            let finding = report.actionable.first { $0.alteration.label == label }
            let matched = (finding?.tierDefining ?? []) + (finding?.additional ?? [])
            #expect(!matched.isEmpty, "\(label): MOAlmanac found evidence; Tailor matched none")
            let wanted = row[col("sensitive_predictive_implication")]
            let best = matched.filter { $0.evidence.significance == "Sensitivity/Response" && $0.evidence.supports }
                .map(\.evidence.sourceLevel).min { levelRank($0) < levelRank($1) }
            let line = "\(label): expected best sensitivity '\(wanted)', Tailor '\(best ?? "")', tier \(finding?.tier.rawValue ?? "-")"
            (wanted.isEmpty || wanted == best ? { agreed.append(line) } : { differed.append(line) })()
        }
        print("MOAlmanac example — agreed:\n  " + agreed.joined(separator: "\n  ") + "\ndiffered:\n  " + differed.joined(separator: "\n  "))
        #expect(agreed.count >= 3)
    }

    func levelRank(_ level: String) -> Int {
        ["FDA-Approved", "Guideline", "Clinical trial", "Clinical evidence", "Preclinical", "Inferential"].firstIndex(of: level) ?? 9
    }

    /// PCGR's breast example: its fusions tiered for a breast carcinoma (the VCF is unannotated: see InputTests).
    @Test func pcgrBreastExampleFusions() async throws {
        let path = Fixture.path("pcgr/T001-BRCA.grch38.fusions.tsv")
        let inputs = try await InputReader.read([path])
        #expect(inputs.alterations.count == 9)
        let report = try OncologyAnalysis.analyse(inputs, request: OncologyRequest(tumourType: "BRCA", files: [path]), knowledge: Shared.knowledge)
        let tiers = Dictionary(uniqueKeysWithValues: report.actionable.map { ($0.alteration.label, $0.tier) })
        print("PCGR T001-BRCA fusions:", tiers.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.rawValue)" })
        // BCR::ABL1 and EML4::ALK: strong evidence for other tumour types only → Tier II in a breast carcinoma.
        #expect(tiers["BCR::ABL1 fusion"] == .tierII)
        #expect(tiers["EML4::ALK fusion"] == .tierII)
        #expect(report.primarySite == "Breast")
    }

    @Test func tumourAgnosticAndUnknownTypes() async throws {
        let inputs = TumourInputs(alterations: [MatcherTests.variant("BRAF", "p.V600E", .missense)])
        #expect(throws: OncologyError.self) {
            _ = try OncologyAnalysis.analyse(inputs, request: OncologyRequest(tumourType: "BRCX", files: []), knowledge: Shared.knowledge)
        }
        let agnostic = try OncologyAnalysis.analyse(inputs, request: OncologyRequest(tumourType: "ANY", files: []), knowledge: Shared.knowledge)
        #expect(agnostic.actionable.first?.tier == .tierI)  // MOAlmanac holds pan-solid-tumour FDA evidence for BRAF V600E
    }
}

@Suite struct BenignVariantTests {
    /// TP53 p.P72R (gnomAD 0.7, oncogenicity Benign) meets MOAlmanac's "TP53 missense" evidence for MDS: that must not
    /// make a common polymorphism actionable (AMP/ASCO/CAP Tier IV: benign or likely benign), while BRAF V600E in the
    /// same file stays Tier I.
    @Test func benignPolymorphismIsTierIVNotTierII() async throws {
        let report = try await OncologyAnalysis.run(OncologyRequest(tumourType: "LUAD", files: [Fixture.path("vep_annotated.vcf")]))
        let genes = report.actionable.map(\.alteration.gene)
        #expect(!genes.contains("TP53"))
        #expect(report.tierCounts["Tier IV"] == 1)
        let braf = try #require(report.actionable.first { $0.alteration.gene == "BRAF" })
        #expect(braf.tier == Tier.tierI)
    }
}
