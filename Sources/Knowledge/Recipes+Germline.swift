import Foundation

extension Recipes {
    /// The ACMG secondary-findings gene list (SF v3.2, 81 genes, and v3.3, 84 genes) with each gene's inheritance and
    /// "variants to report" rule, from `../shared/data/acmg-sf` (a table written by hand for Tailor from the published
    /// lists: gene lists are facts; the papers' tables and text are not copied).
    public static let acmgSF = PackBuilder.Recipe(
        name: "acmg-sf",
        title: "ACMG secondary findings gene list v3.2/v3.3: genes, inheritance and variants to report",
        version: { source in try acmgSFVersion(source) },
        sources: [
            PackManifest.Source(
                name: "ACMG SF v3.2 list (Miller DT et al., Genet Med 2023;25:100866)", url: "https://doi.org/10.1016/j.gim.2023.100866",
                revision: "SF v3.2 (81 genes); earlier additions from SF v3.0 (Genet Med 2021) and v3.1 (Genet Med 2022;24:1407)",
                retrieved: "2026-12-06",
                licence: "gene list and reporting rules are facts; the ACMG publications are copyrighted and are not reproduced",
                attribution:
                    "ACMG SF v3.2: Miller DT et al. Genet Med 2023;25:100866. Table compiled for Tailor; NCBI keeps a browsable copy at https://www.ncbi.nlm.nih.gov/clinvar/docs/acmg/",
                covers: ["acmg_sf_genes.tsv", "SOURCE.md"]),
            PackManifest.Source(
                name: "ACMG SF v3.3 list (Lee K et al., Genet Med 2025)", url: "https://www.ncbi.nlm.nih.gov/clinvar/docs/acmg/",
                revision: "SF v3.3 (+ABCD1, CYP27A1, PLN = 84 genes); the three v3.3 rows were confirmed from secondary sources only",
                retrieved: "2026-12-06",
                licence: "gene list and reporting rules are facts; the ACMG publications are copyrighted and are not reproduced",
                attribution: "ACMG SF v3.3: Lee K et al. Genet Med 2025.", covers: ["acmg_sf_genes.tsv"]),
            PackManifest.Source(
                name: "NCBI Gene identifiers (via HPO genes_to_phenotype.txt 2025-01-16)", url: "https://hpo.jax.org",
                revision: "HPO release 2025-01-16", retrieved: "2026-12-06", licence: "HPO licence; NCBI Gene identifiers are public",
                attribution: hpoAttribution(version: "2025-01-16"), covers: ["acmg_sf_genes.tsv"]),
        ],
        include: ["SOURCE.md", "acmg_sf_genes.tsv"],
        extensions: [],
        notes: [
            "acmg_sf_genes.tsv is copied unmodified; columns gene, ncbi_gene_id, category, condition, inheritance, variants_to_report, sf_version_added, in_sf_v3_2, in_sf_v3_3.",
            "The pack version names the newest SF version the table covers and the number of rows.",
            "Check the v3.3 publication's table for the reporting rules of ABCD1, CYP27A1 and PLN before clinical use (see SOURCE.md).",
        ])

    /// `v3.3-84`: the newest SF version with a membership column, and the number of genes; checks the header and that
    /// every row has all columns.
    @Sendable static func acmgSFVersion(_ source: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: source + "/acmg_sf_genes.tsv") else {
            throw KnowledgeError(pack: "acmg-sf", path: "acmg_sf_genes.tsv", message: "not found in \(source)")
        }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false) else {
            throw KnowledgeError(pack: "acmg-sf", path: "acmg_sf_genes.tsv", message: "empty")
        }
        let expected = ["gene", "ncbi_gene_id", "category", "condition", "inheritance", "variants_to_report", "sf_version_added"]
        guard Array(header.prefix(expected.count).map(String.init)) == expected else {
            throw KnowledgeError(pack: "acmg-sf", path: "acmg_sf_genes.tsv", message: "unexpected header \(header.joined(separator: ","))")
        }
        for (i, line) in lines.enumerated().dropFirst() where line.split(separator: "\t", omittingEmptySubsequences: false).count != header.count {
            throw KnowledgeError(pack: "acmg-sf", path: "acmg_sf_genes.tsv", message: "line \(i + 1) does not have \(header.count) columns")
        }
        let versions = header.compactMap { $0.hasPrefix("in_sf_v") ? String($0.dropFirst("in_sf_v".count)).replacingOccurrences(of: "_", with: ".") : nil }
        return "v\(versions.last ?? "?")-\(lines.count - 1)"
    }
}
