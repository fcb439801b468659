import Knowledge
import PGx

/// A self-contained HTML report (no scripts, no external assets) of one or more samples: a summary of genes with
/// ambiguity and missing data flagged where a reader looks first, then each drug's recommendations as authored,
/// with their source, strength and citations.
enum PGxHTML {
    static func render(_ reports: [PGxSampleReport]) -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Tailor pharmacogenomics report</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1f24;line-height:1.4}
            h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #d0d7de;padding-bottom:.3rem}
            table{border-collapse:collapse;width:100%;margin:.6rem 0}th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
            th{background:#f6f8fa}.flag{color:#9a6700;font-weight:600}.none{color:#57606a}.warn{font-size:.85rem;color:#57606a;margin:.15rem 0}
            .drug{border:1px solid #d0d7de;border-radius:6px;padding:.6rem .9rem;margin:.8rem 0}.drug h3{margin:.1rem 0 .4rem;font-size:1.1rem}
            .badge{display:inline-block;border-radius:1rem;padding:.05rem .6rem;font-size:.8rem;font-weight:600;margin-right:.4rem;background:#eaeef2}
            .Strong{background:#ffd8b5}.Moderate{background:#fff1b3}.Optional{background:#dafbe1}.src{font-size:.85rem;color:#57606a}
            .disclaimer{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:.6rem .9rem}
            </style></head><body>
            <h1>Pharmacogenomics report</h1>
            <p class="disclaimer"><strong>\(escape(PGxText.disclaimer))</strong> \(escape(PGxText.sources))</p>

            """
        for report in reports { html += sample(report) }
        html += "</body></html>\n"
        return html
    }

    static func sample(_ report: PGxSampleReport) -> String {
        var html = "<h2>Sample \(escape(report.sample))</h2>\n<p class=\"src\">Knowledge: \(escape(report.knowledge))</p>\n"
        let ambiguous = report.genes.filter { $0.diplotypes.count > 1 || $0.warnings.contains { $0.hasPrefix("ambiguous") } }
        if !ambiguous.isEmpty {
            html += "<p class=\"flag\">Ambiguous calls: \(escape(ambiguous.map(\.gene).joined(separator: ", "))). More than one diplotype fits the data; "
                + "recommendations for each are shown.</p>\n"
        }
        html += "<table><thead><tr><th>Gene</th><th>Call</th><th>Phenotype</th><th>Activity score</th><th>Notes</th></tr></thead><tbody>\n"
        for gene in report.genes {
            let call =
                gene.called
                ? escape(gene.printCalls.joined(separator: " or ")) + (gene.outsideCall ? " <span class=\"src\">(outside call)</span>" : "")
                : "<span class=\"none\">not called</span>"
            var notes = gene.warnings.map { "<div class=\"warn\">\(escape($0))</div>" }.joined()
            for message in gene.messages where message.drugs.isEmpty {
                notes += "<div class=\"warn\">PharmCAT \(escape(message.kind)): \(escape(HTMLText.plain(message.text)))</div>"
            }
            if !gene.missingPositions.isEmpty {
                notes = "<div class=\"flag\">\(gene.missingPositions.count) position(s) missing from the VCF</div>" + notes
            }
            html += "<tr><td>\(escape(gene.gene))</td><td>\(call)</td><td>\(escape(gene.phenotype ?? "–"))</td>"
                + "<td>\(escape(gene.activityScore ?? "–"))</td><td>\(notes)</td></tr>\n"
        }
        html += "</tbody></table>\n<h3>Drug recommendations</h3>\n"
        if report.drugs.isEmpty { html += "<p class=\"none\">No guideline recommendation matched the calls.</p>\n" }
        for drug in report.drugs {
            html += "<div class=\"drug\"><h3>\(escape(drug.drug)) <span class=\"badge\">\(escape(drug.source))</span></h3>\n"
            for r in drug.recommendations {
                let keys = r.lookupKey.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
                let strength = r.classification.isEmpty ? "Unspecified" : r.classification
                html += "<p><span class=\"badge \(escape(strength))\">\(escape(strength))</span>"
                if r.population != "general" { html += "<span class=\"badge\">\(escape(r.population))</span>" }
                html += "<span class=\"src\">\(escape(keys))</span></p>\n"
                // The guideline's text as authored is kept as text: its HTML is not trusted into the page.
                html += r.text.split(separator: "\n").map { "<p>\(escape(String($0)))</p>" }.joined() + "\n"
                for implication in r.implications { html += "<div class=\"warn\">Implication: \(escape(implication))</div>\n" }
            }
            for message in PGxText.messages(for: drug, in: report) {
                html += "<div class=\"warn\">PharmCAT \(escape(message.kind)): \(escape(HTMLText.plain(message.text)))</div>\n"
            }
            let citations = drug.guideline.citations.map { "PMID \($0.pmid) (\($0.year))" }.joined(separator: ", ")
            html += "<p class=\"src\">\(escape(drug.guideline.name)), version \(escape(drug.guideline.version)). "
                + "<a href=\"\(escape(drug.guideline.url))\">Guideline</a>"
                + (citations.isEmpty ? "" : ". " + escape(citations)) + "</p></div>\n"
        }
        return html
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
