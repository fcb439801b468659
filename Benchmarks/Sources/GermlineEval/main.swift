import Foundation
import Germline
import Knowledge
import Phenotype

// Evaluation and maintenance tool for the germline module.
//   GermlineEval build-pack <acmg-sf source folder> <output pack folder>
//   GermlineEval eval <cases.tsv>     (lines: phenopacket.json <TAB> annotated.vcf <TAB> MALE|FEMALE|UNKNOWN_SEX)
// eval prints one JSON line per case: causal genes, phenotype-only rank, phenotype+genome rank, timings.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

let args = CommandLine.arguments
guard args.count >= 2 else { fail("usage: GermlineEval build-pack SRC OUT | eval CASES.tsv") }

switch args[1] {
case "build-pack":
    guard args.count == 4 else { fail("usage: GermlineEval build-pack SRC OUT") }
    do {
        let manifest = try PackBuilder.build(Recipes.acmgSF, from: args[2], to: args[3])
        print("built \(manifest.name) \(manifest.version): \(manifest.files.count) files")
    } catch { fail("\(error)") }

case "eval":
    guard args.count == 3, let text = try? String(contentsOfFile: args[2], encoding: .utf8) else { fail("usage: GermlineEval eval CASES.tsv") }
    let loadStart = Date()
    let knowledge: PhenotypeKnowledge
    do { knowledge = try PhenotypeKnowledge.bundled() } catch { fail("\(error)") }
    FileHandle.standardError.write(Data(String(format: "HPO %@ loaded in %.1f s\n", knowledge.release.version, Date().timeIntervalSince(loadStart)).utf8))
    var options = DiagnosisOptions()
    options.limit = 100_000
    options.explainTop = 10
    for line in text.split(separator: "\n") where !line.isEmpty {
        let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        var out: [String: Any] = ["phenopacket": f[0]]
        do {
            let packet = try Phenopacket(contentsOf: f[0])
            let causal = packet.causativeGenes
            out["genes"] = causal
            let t0 = Date()
            let resolved = try knowledge.resolve(try packet.phenotypeQuery())
            let scores = knowledge.scores(resolved)
            let t1 = Date()
            let geneIndices = causal.compactMap { knowledge.annotations.index(ofGene: $0) }
            out["in_kb"] = geneIndices.contains { scores.gene[$0].isFinite }
            let phenoRanks = geneIndices.filter { scores.gene[$0].isFinite }.map { PhenotypeScores.pessimisticRank(of: scores.gene[$0], in: scores.gene) }
            out["pheno_rank"] = phenoRanks.min() ?? NSNull()
            out["pheno_seconds"] = t1.timeIntervalSince(t0)
            if f.count > 1, !f[1].isEmpty {
                let t2 = Date()
                let callSet = try await GermlineCallSet.read(f[1], threads: 2)
                let t3 = Date()
                let sex: Sex = f.count > 2 ? (f[2] == "MALE" ? .male : f[2] == "FEMALE" ? .female : .unknown) : .unknown
                let family = try FamilyContext(samples: callSet.samples, pedigree: nil, probandID: nil, sex: sex)
                let report = GermlineDiagnosis.diagnose(
                    knowledge: knowledge, resolved: resolved, scores: scores, callSet: callSet, family: family, options: options)
                let t4 = Date()
                // Pessimistic rank: 1 + genes scoring at least as high, other than the causal gene itself.
                var genomeRank: Int?
                if let c = report.candidates.first(where: { causal.contains($0.gene) }) {
                    genomeRank = report.candidates.filter { $0.combinedScore >= c.combinedScore && $0.gene != c.gene }.count + 1
                }
                out["genome_rank"] = genomeRank ?? NSNull()
                out["candidate_genes"] = report.candidateGenes
                out["top"] = report.candidates.prefix(3).map { "\($0.gene):\(String(format: "%.3f", $0.combinedScore))" }
                let causalFiltered = report.filteredVariants.filter { $0.gene.map(causal.contains) ?? false }.prefix(4)
                    .map { "\($0.label) " + $0.filterReasons.map(\.code.rawValue).joined(separator: ",") }
                out["causal_filtered"] = Array(causalFiltered)
                out["alleles"] = callSet.variants.count
                out["vcf_seconds"] = t3.timeIntervalSince(t2)
                out["diagnose_seconds"] = t4.timeIntervalSince(t3)
                out["total_seconds"] = t1.timeIntervalSince(t0) + t4.timeIntervalSince(t2)
            }
        } catch {
            out["error"] = "\(error)"
        }
        let data = try! JSONSerialization.data(withJSONObject: out, options: [.sortedKeys])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

case "report":
    // GermlineEval report PHENOPACKET VCF [PHENOPACKET_OUT]: the readable report (and optionally the Phenopacket output) for one case.
    guard args.count >= 4 else { fail("usage: GermlineEval report PHENOPACKET VCF [PHENOPACKET_OUT]") }
    do {
        let knowledge = try PhenotypeKnowledge.bundled()
        let packet = try Phenopacket(contentsOf: args[2])
        let callSet = try await GermlineCallSet.read(args[3], threads: 2)
        let sex: Sex = packet.subject?.sex == "MALE" ? .male : packet.subject?.sex == "FEMALE" ? .female : .unknown
        let family = try FamilyContext(samples: callSet.samples, pedigree: nil, probandID: nil, sex: sex)
        var options = DiagnosisOptions()
        options.limit = 5
        let report = try GermlineDiagnosis.diagnose(
            knowledge: knowledge, query: try packet.phenotypeQuery(), callSet: callSet, family: family, options: options)
        print(GermlineText.render(report, candidates: 5))
        if args.count > 4 { try PhenopacketOutput.json(report, id: (packet.id ?? "case") + "-tailor", candidates: 5).write(to: URL(fileURLWithPath: args[4])) }
    } catch { fail("\(error)") }

default:
    fail("unknown command \(args[1])")
}
