import Foundation

/// The readable form of a ranking: what was used, then each candidate gene with the evidence behind it (which
/// patient feature matched which disease feature, and what counted against it), then the diseases, then the HPO
/// version and acknowledgement the HPO licence requires.
public enum PhenotypeText {
    public static let disclaimer = "Decision support for qualified clinicians; not a diagnosis."

    public static func render(_ ranking: PhenotypeRanking, genes: Int = 10, diseases: Int = 10) -> String {
        var lines = ["Phenotype-only ranking (HPO \(ranking.hpo.version))"]
        func term(_ t: TermReference) -> String { "\(t.id) \(t.name)" }
        func used(_ terms: [ResolvedTerm]) -> String {
            terms.compactMap { r in r.used.map { "\($0) \(r.name ?? "")" } }.joined(separator: "; ")
        }
        func evidence(_ d: DiseaseCandidate) -> [String] {
            var out: [String] = []
            for m in d.matches {
                guard let feature = m.disease, let ancestor = m.commonAncestor else {
                    out.append("\(term(m.patient)): no shared feature")
                    continue
                }
                let how =
                    if feature.id == m.patient.id { "exact" }
                    else if ancestor.id == m.patient.id { "disease has the more specific \(term(feature))" }
                    else if ancestor.id == feature.id { "disease has the more general \(term(feature))" }
                    else { "disease has \(term(feature)); shared \(term(ancestor))" }
                let frequency = m.frequency.map { ", frequency \($0)" } ?? ""
                out.append("\(term(m.patient)): \(how) (IC \(String(format: "%.2f", m.informationContent))\(frequency))")
            }
            for c in d.contradictions {
                let what =
                    c.excludedInPatient
                    ? "excluded in the patient, but the disease shows \(term(c.disease)) (\(c.frequency ?? "frequency unknown"))"
                    : "observed, but the disease is annotated not to show \(term(c.disease))"
                out.append("against: \(term(c.patient)) \(what) (ln LR \(String(format: "%.1f", c.logLikelihoodRatio)))")
            }
            return out
        }
        lines.append("observed: " + used(ranking.observed))
        if !ranking.excluded.isEmpty { lines.append("excluded: " + used(ranking.excluded)) }
        for note in ranking.notes { lines.append("note: \(note)") }
        for warning in ranking.warnings { lines.append("warning: \(warning)") }

        lines.append("genes (\(ranking.genesScored) with an annotated disease; best \(min(genes, ranking.genes.count)) shown):")
        for g in ranking.genes.prefix(genes) {
            let d = g.disease
            lines.append(
                "  \(g.rank). \(g.symbol)\tscore \(format(g.score))\tvia \(d.id) \(d.name) (PhenoDigm \(String(format: "%.0f", d.phenoDigm)))")
            lines += evidence(d).map { "      " + $0 }
        }
        lines.append("diseases (\(ranking.diseasesScored) scored; best \(min(diseases, ranking.diseases.count)) shown):")
        for d in ranking.diseases.prefix(diseases) {
            let genes = d.genes.isEmpty ? "no gene linked" : d.genes.joined(separator: ", ")
            lines.append(
                "  \(d.rank). \(d.id) \(d.name)\tscore \(format(d.score))\tPhenoDigm \(String(format: "%.0f", d.phenoDigm))\t[\(genes)]")
        }
        lines.append(ranking.hpo.attribution)
        lines.append(disclaimer)
        return lines.joined(separator: "\n")
    }

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }
}
