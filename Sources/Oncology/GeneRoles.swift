import Foundation

extension GeneRole {
    /// Reads a user-supplied table of gene roles in cancer, which PCGR's Tier III rule ("a coding change in a known oncogene
    /// or tumour suppressor") and the ONCG_OVS1/OM2 oncogenicity criteria need. Tailor ships no such list: the Cancer Gene
    /// Census is licensed by COSMIC and CancerMine is not in the packs, so the user brings the one their lab is licensed for.
    ///
    /// Accepted layouts (tab-separated, header required, recognised by column names):
    /// - COSMIC Cancer Gene Census: `Gene Symbol` and `Role in Cancer` (`oncogene, fusion`, `TSG`, `oncogene, TSG`);
    /// - CancerMine collated: `gene_normalized` and `role` (`Oncogene`, `Tumor_Suppressor`, `Driver`), one row per role;
    /// - a plain `gene` + `role` pair (`oncogene`, `tsg`, `tumour_suppressor`, `both`).
    ///
    /// Several rows or roles for one gene are merged. `fusion`, `driver` and an empty role add no role (they say nothing
    /// about gain or loss of function); any other word is refused with its line, so a misread column cannot pass silently.
    public static func table(_ text: String, path: String) throws(OncologyError) -> [String: GeneRole] {
        // Numbered lines (comments and blank lines skipped but counted), so an error names the line as the editor shows it.
        let rows: [(line: Int, cells: [String])] = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated().compactMap { n, line in
            guard !line.hasPrefix("#"), !line.allSatisfy(\.isWhitespace) else { return nil }
            return (n + 1, line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init))
        }
        guard let header = rows.first?.cells.map({ $0.lowercased().trimmingWhitespace }) else {
            throw OncologyError.badInput(path: path, line: nil, message: "empty gene-role table")
        }
        guard let gene = ["gene symbol", "gene_normalized", "gene", "hugo_symbol", "symbol"].lazy.compactMap({ header.firstIndex(of: $0) }).first
        else {
            throw OncologyError.badInput(path: path, line: rows[0].line, message: "no gene column (Gene Symbol, gene_normalized, gene, Hugo_Symbol or symbol)")
        }
        guard let role = ["role in cancer", "role"].lazy.compactMap({ header.firstIndex(of: $0) }).first else {
            throw OncologyError.badInput(path: path, line: rows[0].line, message: "no role column (Role in Cancer or role)")
        }
        var roles: [String: GeneRole] = [:]
        for (line, row) in rows.dropFirst() {
            guard row.count > max(gene, role) else {
                throw OncologyError.badInput(path: path, line: line, message: "\(row.count) columns, the header has \(header.count)")
            }
            let symbol = row[gene].trimmingWhitespace
            guard !symbol.isEmpty else { throw OncologyError.badInput(path: path, line: line, message: "empty gene symbol") }
            var found = roles[symbol] ?? GeneRole(oncogene: false, tumourSuppressor: false)
            for word in row[role].split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "/" }) {
                switch word.trimmingWhitespace.lowercased().replacingOccurrences(of: " ", with: "_") {
                case "oncogene": found.oncogene = true
                case "tsg", "tumor_suppressor", "tumour_suppressor", "tumor_suppressor_gene", "tumour_suppressor_gene": found.tumourSuppressor = true
                case "both":
                    found.oncogene = true
                    found.tumourSuppressor = true
                case "fusion", "driver", "": break
                default:
                    throw OncologyError.badInput(
                        path: path, line: line,
                        message: "role '\(word.trimmingWhitespace)' for \(symbol) is not oncogene, TSG/tumour suppressor, both, fusion or driver")
                }
            }
            if found.oncogene || found.tumourSuppressor { roles[symbol] = found }
        }
        return roles
    }
}
