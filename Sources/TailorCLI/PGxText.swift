import Knowledge
import PGx

/// The plain-text form of a PGx report: genes first, then each drug's recommendations, then attribution.
enum PGxText {
    /// The attribution every PGx report carries (CPIC CC0; ClinPGx/DPWG CC BY-SA 4.0 requires it).
    static let sources = """
        Recommendations are shown as authored by CPIC (cpicpgx.org, CC0) and DPWG (via ClinPGx/PharmGKB, CC BY-SA 4.0), \
        from PharmCAT's data (MPL-2.0).
        """
    static let disclaimer = "Decision support for qualified clinicians; not a diagnosis."
    static let attribution = sources + " " + disclaimer

    /// The drug's notes and the gene messages that name it.
    static func messages(for drug: PGxSampleReport.DrugResult, in report: PGxSampleReport) -> [PGxSampleReport.Message] {
        drug.notes + report.genes.flatMap { $0.messages.filter { $0.drugs.contains(drug.drug) } }
    }

    static func render(_ report: PGxSampleReport) -> String {
        var lines = ["sample\t\(report.sample)\t(knowledge \(report.knowledge))", "genes:"]
        for gene in report.genes {
            var call = gene.called ? gene.printCalls.joined(separator: " or ") : "not called"
            if gene.outsideCall { call += " (outside call)" }
            if let phenotype = gene.phenotype { call += "\t\(phenotype)" + (gene.activityScore.map { " (activity score \($0))" } ?? "") }
            let missing = gene.missingPositions.isEmpty ? "" : "\t\(gene.missingPositions.count) missing position(s)"
            lines.append("  \(gene.gene)\t\(call)\(missing)")
            for warning in gene.warnings { lines.append("    \(warning)") }
            for message in gene.messages where message.drugs.isEmpty { lines.append("    PharmCAT \(message.kind): \(HTMLText.plain(message.text))") }
        }
        lines.append("drugs:")
        if report.drugs.isEmpty { lines.append("  no guideline recommendation matched the calls") }
        for drug in report.drugs {
            lines.append("  \(drug.drug)\t\(drug.source)\t\(drug.guideline.url)")
            for r in drug.recommendations {
                let keys = r.lookupKey.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                let population = r.population == "general" ? "" : " [\(r.population)]"
                lines.append("    \(r.classification)\(population) (\(keys)):")
                for line in r.text.split(separator: "\n") { lines.append("      \(line)") }
            }
            for message in messages(for: drug, in: report) { lines.append("    PharmCAT \(message.kind): \(HTMLText.plain(message.text))") }
        }
        lines.append(attribution)
        return lines.joined(separator: "\n")
    }
}
