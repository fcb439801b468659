import Foundation

/// Evidence imported from a CIViC nightly `ClinicalEvidenceSummaries.tsv` (CC0) that the user supplies; CIViC data
/// is not shipped because no offline dump is available to build a pack from.
///
/// Only accepted, somatic, predictive/prognostic/diagnostic items with a molecular profile Tailor can read are kept
/// (PCGR uses accepted items only); the rest are counted by reason.
public struct CIViCImport: Sendable {
    public var items: [EvidenceItem]
    public var skipped: [String: Int]
    /// The file's newest `last_review_date`, as a version stamp.
    public var version: String

    public static let attribution = "CIViC, Clinical Interpretation of Variants in Cancer (civicdb.org), CC0 1.0. Griffith M et al. Nat Genet 2017;49:170."

    /// The columns the importer reads (the nightly file's 2023+ header names).
    public static let requiredColumns = [
        "molecular_profile", "disease", "doid", "therapies", "evidence_type", "evidence_direction", "evidence_level", "significance",
        "evidence_statement", "citation_id", "source_type", "citation", "nct_ids", "evidence_status", "evidence_id", "variant_origin",
        "evidence_civic_url",
    ]

    /// Parses the TSV. `diseaseMap` maps a CIViC disease name or DOID (lower-case, e.g. `doid:1909`) to an OncoTree code or `ANY`;
    /// without an entry a disease is placed by its exact OncoTree name, else left unmapped (another tumour type).
    public init(tsv: String, path: String, oncotree: OncoTree, diseaseMap: [String: String] = [:]) throws(OncologyError) {
        let lines = tsv.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline)
        guard let headerLine = lines.first else { throw OncologyError.badInput(path: path, line: 1, message: "empty CIViC file") }
        let header = headerLine.split(separator: "\t", omittingEmptySubsequences: false).map { String($0).trimmingWhitespace }
        var column: [String: Int] = [:]
        for (i, name) in header.enumerated() { column[name] = i }
        let missing = Self.requiredColumns.filter { column[$0] == nil }
        guard missing.isEmpty else {
            throw OncologyError.badInput(
                path: path, line: 1, message: "not a CIViC ClinicalEvidenceSummaries.tsv: missing column(s) \(missing.joined(separator: ", "))")
        }
        var items: [EvidenceItem] = []
        var skipped: [String: Int] = [:]
        var newest = ""
        for (n, line) in lines.dropFirst().enumerated() {
            let row = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard row.count >= header.count - 1 else {
                throw OncologyError.badInput(path: path, line: n + 2, message: "\(row.count) columns, the header has \(header.count)")
            }
            func f(_ key: String) -> String { column[key].flatMap { $0 < row.count ? row[$0].trimmingWhitespace : nil } ?? "" }
            if f("last_review_date") > newest { newest = f("last_review_date") }
            guard f("evidence_status").lowercased() == "accepted" else {
                skipped["not accepted", default: 0] += 1
                continue
            }
            guard f("variant_origin").lowercased().hasPrefix("somatic") else {
                skipped["not somatic", default: 0] += 1
                continue
            }
            guard let type = EvidenceType(rawValue: f("evidence_type").lowercased()) else {
                skipped["evidence type \(f("evidence_type"))", default: 0] += 1
                continue
            }
            guard let biomarker = Self.biomarker(f("molecular_profile")) else {
                skipped["molecular profile not matched by Tailor", default: 0] += 1
                continue
            }
            let level = f("evidence_level").uppercased()
            guard ["A", "B", "C", "D", "E"].contains(level) else {
                skipped["evidence level \(level)", default: 0] += 1
                continue
            }
            var (codes, scope) = resolveDisease(code: "", term: f("disease"), oncotree: oncotree, extraMap: diseaseMap)
            if scope == .unmapped, let mapped = diseaseMap[f("doid").lowercased()] ?? diseaseMap["doid:" + f("doid").lowercased()] {
                (codes, scope) = resolveDisease(code: mapped, term: "", oncotree: oncotree)
                if mapped.uppercased() == "ANY" { scope = .panCancer }
            }
            // DOID:162 is "cancer": CIViC's tumour-agnostic disease.
            if f("doid") == "162" || f("doid").uppercased() == "DOID:162" { (codes, scope) = ([], .panCancer) }
            let therapies = f("therapies").split(separator: ",").map { $0.trimmingWhitespace }.filter { !$0.isEmpty }
            let pmid = f("source_type").lowercased() == "pubmed" ? f("citation_id") : nil
            items.append(
                EvidenceItem(
                    source: "CIViC", id: "EID" + f("evidence_id"), biomarker: biomarker, disease: f("disease"), oncotreeCodes: codes, scope: scope,
                    type: type, significance: f("significance"), supports: f("evidence_direction").lowercased() == "supports", level: level,
                    sourceLevel: level, therapies: therapies, approval: nil, context: nil, description: f("evidence_statement"),
                    citation: Citation(
                        text: f("citation"), pmid: pmid, doi: nil, url: f("evidence_civic_url").isEmpty ? nil : f("evidence_civic_url"),
                        nct: f("nct_ids").isEmpty ? nil : f("nct_ids"))))
        }
        self.items = items
        self.skipped = skipped
        self.version = newest.isEmpty ? "unknown date" : "last review \(newest)"
    }

    /// Reads a CIViC molecular profile name: `BRAF V600E`, `KRAS G12`, `EGFR Exon 19 Deletion`, `KIT Exon 11 Mutation`,
    /// `ERBB2 Amplification`, `CDKN2A Deletion`/`Loss`, `EML4::ALK`, `ALK Fusion`, `TP53 Mutation`, `TP53 Loss-of-function`,
    /// `BRCA2 Frameshift Truncation`. Compound profiles (`… AND …`) and other forms are not matched (`nil`).
    public static func biomarker(_ profile: String) -> Biomarker? {
        let text = profile.trimmingWhitespace
        guard !text.contains(" AND "), !text.contains(" OR "), !text.hasPrefix("NOT ") else { return nil }
        if text.contains("::") {
            let genes = text.split(separator: " ").first.map { $0.components(separatedBy: "::") } ?? []
            guard genes.count == 2 else { return nil }
            let a = genes[0] == "v" || genes[0].isEmpty ? nil : genes[0]
            let b = genes[1] == "v" || genes[1].isEmpty ? nil : genes[1]
            guard let first = a ?? b else { return nil }
            return .fusion(gene: first, partner: a == nil ? nil : b)
        }
        let words = text.split(separator: " ").map(String.init)
        guard words.count >= 2 else { return nil }
        let gene = words[0]
        let rest = words.dropFirst().joined(separator: " ").lowercased()
        switch rest {
        case "amplification", "overexpression amplification": return .amplification(gene: gene)
        case "deletion", "loss", "homozygous deletion", "deep deletion": return .deletion(gene: gene)
        case "fusion", "fusions", "rearrangement": return .fusion(gene: gene, partner: nil)
        case "mutation", "mutations", "any mutation": return .gene(gene: gene, effects: [])
        case "loss-of-function", "truncating mutation", "frameshift truncation", "inactivating mutation":
            return .gene(gene: gene, effects: [.nonsense, .frameshift, .splice])
        case "frameshift", "frameshift mutation": return .gene(gene: gene, effects: [.frameshift])
        case "nonsense", "nonsense mutation": return .gene(gene: gene, effects: [.nonsense])
        case "missense", "missense mutation": return .gene(gene: gene, effects: [.missense])
        default: break
        }
        if words.count >= 4, words[1].lowercased() == "exon", let exon = Int(words[2]) {
            switch words[3...].joined(separator: " ").lowercased() {
            case "deletion", "deletions", "in-frame deletion": return .exon(gene: gene, exon: exon, effects: [.inframeDeletion])
            case "insertion", "insertions", "in-frame insertion": return .exon(gene: gene, exon: exon, effects: [.inframeInsertion])
            case "mutation", "mutations": return .exon(gene: gene, exon: exon, effects: [])
            case "skipping mutation", "skipping": return .exon(gene: gene, exon: exon, effects: [.splice])
            default: return nil
            }
        }
        guard words.count == 2, let change = ProteinChange(hgvs: "p." + words[1]) else { return nil }
        return change.rest.isEmpty ? .codon(gene: gene, reference: change.reference, position: change.position)
            : .proteinChange(gene: gene, change: change)
    }
}
