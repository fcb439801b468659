import Foundation
import Knowledge
import Phenotype

// phenotype-eval <phenopacket folder> [--pack <hpo pack folder>]
//
// Ranks every phenopacket (`*.json` below the folder) by phenotype only and prints one TSV row per case: the
// pessimistic rank (ties count against) of the causal gene and of the diagnosed disease under the combined
// score, and, for comparison, under its parts. "NA" = the gene (or disease) has no HPO annotation in this release:
// not rankable by phenotype, reported apart from "ranked low". Timings go to standard error.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("phenotype-eval: \(message)\n".utf8))
    exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var packDirectory: String?
if let i = arguments.firstIndex(of: "--pack"), i + 1 < arguments.count {
    packDirectory = arguments[i + 1]
    arguments.removeSubrange(i...(i + 1))
}
guard arguments.count == 1 else { fail("usage: phenotype-eval <phenopacket folder> [--pack <hpo pack folder>]") }
let folder = arguments[0]

let loadStart = Date()
let knowledge: PhenotypeKnowledge
do {
    knowledge = try packDirectory.map { try PhenotypeKnowledge.load(from: KnowledgePack(directory: $0)) } ?? PhenotypeKnowledge.bundled()
} catch {
    fail("\(error)")
}
let loadSeconds = Date().timeIntervalSince(loadStart)

guard let enumerator = FileManager.default.enumerator(atPath: folder) else { fail("cannot read \(folder)") }
let files = enumerator.compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.sorted()

print(
    [
        "case", "gene", "disease", "observed", "excluded", "used", "gene_rank", "disease_rank", "gene_rank_bma", "gene_rank_symmetric",
        "gene_rank_phenodigm", "genes_scored", "ms_scores", "ms_rank", "warnings",
    ].joined(separator: "\t"))
var rankTimes: [Double] = []
let noPenalty: PhenotypeScoring = {
    var s = PhenotypeScoring()
    s.contradictionLikelihoodFloor = 1  // ln 1 = 0: contradictions ignored (ablation column)
    return s
}()
for file in files {
    let packet: Phenopacket
    do { packet = try Phenopacket(contentsOf: folder + "/" + file) } catch { fail("\(error)") }
    let gene = packet.causativeGenes.first ?? "NA"
    let disease = packet.diagnosedDiseases.first ?? "NA"
    let query: PhenotypeQuery
    do { query = try packet.phenotypeQuery() } catch { fail("\(file): \(error)") }
    var row = [packet.id ?? file, gene, disease, String(query.observed.count), String(query.excluded.count)]
    let resolved: ResolvedQuery
    do {
        resolved = try knowledge.resolve(query)
    } catch {
        row += ["0", "NA", "NA", "NA", "NA", "NA", "0", "0", "0", "\(error)"]
        print(row.joined(separator: "\t"))
        continue
    }
    let start = DispatchTime.now().uptimeNanoseconds
    let scores = knowledge.scores(resolved)
    let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    // The full ranking a user gets: scores, ordering, and evidence for the top 20 diseases and genes.
    let rankStart = DispatchTime.now().uptimeNanoseconds
    _ = knowledge.rank(resolved, limit: 20)
    let rankElapsed = Double(DispatchTime.now().uptimeNanoseconds - rankStart) / 1e6
    rankTimes.append(rankElapsed)
    let g = knowledge.annotations.index(ofGene: gene)
    func geneRank(_ geneScores: [Double]) -> String {
        guard let g, geneScores[g] > -.infinity else { return "NA" }
        return String(PhenotypeScores.pessimisticRank(of: geneScores[g], in: geneScores))
    }
    let diseaseRank = knowledge.annotations.index(ofDisease: disease).map { String(PhenotypeScores.pessimisticRank(of: scores.combined[$0], in: scores.combined)) } ?? "NA"
    let symmetric = knowledge.scores(resolved, scoring: noPenalty).combined
    row += [
        String(resolved.observed.count), geneRank(scores.gene), diseaseRank, geneRank(knowledge.geneScores(from: scores.patientToDisease)),
        geneRank(knowledge.geneScores(from: symmetric)), geneRank(knowledge.geneScores(from: scores.phenoDigm)),
        String(scores.gene.filter { $0 > -.infinity }.count), String(format: "%.2f", elapsed), String(format: "%.2f", rankElapsed),
        resolved.warnings.joined(separator: " | "),
    ]
    print(row.joined(separator: "\t"))
}
let sorted = rankTimes.sorted()
let median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
FileHandle.standardError.write(
    Data(
        String(
            format: "HPO %@: knowledge load %.2f s; full ranking (all diseases and genes scored, top 20 explained): median %.2f ms, max %.2f ms per case (%d cases)\n",
            knowledge.release.version, loadSeconds, median, sorted.last ?? 0, sorted.count
        ).utf8))
FileHandle.standardError.write(Data((knowledge.release.attribution + "\n").utf8))
