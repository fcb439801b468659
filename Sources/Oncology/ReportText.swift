import Foundation

/// The readable report: actionable findings by tier, each with therapies, level, approval, source and citation; then TMB,
/// MSI hints, the knowledge versions and every disclaimer.
public enum OncologyText {
    public static func render(_ r: OncologyReport) -> String {
        var out: [String] = []
        let type = r.tumourType.map { "\($0.name) (\($0.code); primary site \(r.primarySite))" } ?? "tumour-agnostic (ANY)"
        out.append("Tumour profile — \(type); \(r.tumourOnly ? "tumour-only" : "tumour-normal")")
        out.append("Decision support for a molecular tumour board; not a diagnosis. Tiers: AMP/ASCO/CAP 2017 by PCGR's rules.")
        out.append("")
        for input in r.inputs { out.append("Input: \(input)") }
        out.append("")
        let counts = Tier.allCases.map { "\($0.rawValue): \(r.tierCounts[$0.rawValue] ?? 0)" }.joined(separator: ", ")
        out.append("Alterations by tier — \(counts)")
        for tier in Tier.allCases {
            let findings = r.actionable.filter { $0.tier == tier }
            guard !findings.isEmpty else { continue }
            out.append("")
            out.append("== \(tier.rawValue) ==")
            for f in findings {
                var line = "• \(f.alteration.label)"
                if let t = f.alteration.transcript { line += " [\(t)]" }
                if let vaf = f.alteration.vaf { line += String(format: " VAF %.2f", vaf) }
                if let o = f.oncogenicity { line += " — oncogenicity \(o.classification.rawValue) (\(o.points) points: \(o.criteria.joined(separator: ", ")))" }
                out.append(line)
                out.append("  \(f.reason)")
                for m in f.tierDefining.prefix(8) { out.append("  ✓ " + evidenceLine(m)) }
                if f.tierDefining.count > 8 { out.append("  … \(f.tierDefining.count - 8) more tier-defining items (see JSON)") }
                for m in f.additional.prefix(4) { out.append("  · " + evidenceLine(m)) }
                if f.additional.count > 4 { out.append("  … \(f.additional.count - 4) more additional items (see JSON)") }
            }
        }
        if !r.reviewOnly.isEmpty {
            out.append("")
            out.append("For review (gene-level or non-supporting evidence only; not tiered): " + r.reviewOnly.prefix(30).joined(separator: "; ")
                + (r.reviewOnly.count > 30 ? "; … \(r.reviewOnly.count - 30) more (see JSON)" : ""))
        }
        out.append("")
        if let t = r.tmb {
            out.append(String(format: "TMB: coding and silent %.1f/Mb (%d in %.1f Mb); non-silent %.1f/Mb; missense %.1f/Mb — %@ by %@ %.1f/Mb (cut-off %.0f/Mb)",
                t.perMb, t.codingAndSilent, t.assayMb, t.nonSilentPerMb, t.missensePerMb, t.high ? "TMB-high" : "not TMB-high",
                t.definition.rawValue, t.calledPerMb, t.threshold))
            for c in t.caveats { out.append("  ! \(c)") }
        }
        out.append("MSI: supplied status \(r.msi.suppliedStatus ?? "not given"); mismatch-repair alterations: "
            + (r.msi.mismatchRepairAlterations.isEmpty ? "none" : r.msi.mismatchRepairAlterations.joined(separator: ", ")))
        out.append("  \(r.msi.note)")
        out.append("")
        for n in r.notes { out.append("Note: \(n)") }
        out.append("")
        out.append("Knowledge used:")
        for k in r.knowledge {
            out.append("  \(k.pack) — \(k.version)")
            for s in k.sources { out.append("    \(s)") }
        }
        for d in r.disclaimers {
            out.append("")
            out.append(d.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func evidenceLine(_ m: EvidenceMatch) -> String {
        let e = m.evidence
        var parts = ["\(e.source) \(e.id)", "level \(e.level)" + (e.sourceLevel != e.level ? " (\(e.sourceLevel))" : "")]
        parts.append("\(e.type.rawValue): \(e.supports ? "" : "does not support ")\(e.significance)")
        if !e.therapies.isEmpty { parts.append(e.therapies.joined(separator: ", ")) }
        if let a = e.approval { parts.append(a) }
        parts.append("\(e.disease.isEmpty ? "unspecified tumour type" : e.disease) — \(AnalysisText.relation(m))")
        parts.append("matched at \(m.level.rawValue) (\(e.biomarker.label))")
        var cite = e.citation.pmid.map { "PMID \($0)" } ?? e.citation.doi.map { "doi:\($0)" } ?? e.citation.url ?? String(e.citation.text.prefix(90))
        if let nct = e.citation.nct { cite += "; \(nct)" }
        parts.append(cite)
        return parts.joined(separator: " | ")
    }
}

enum AnalysisText {
    static func relation(_ m: EvidenceMatch) -> String { OncologyAnalysis.describe(m.tumourType, onLabel: m.onLabel) }
}
