import Foundation
public import VCF

/// ClinVar's germline classification of a variant (INFO `CLNSIG`), reduced to what reporting needs.
public enum ClinVarClass: String, Sendable, Hashable, Codable {
    case pathogenic = "Pathogenic"
    case likelyPathogenic = "Likely_pathogenic"
    case pathogenicLikelyPathogenic = "Pathogenic/Likely_pathogenic"
    case conflicting = "Conflicting classifications"
    case uncertain = "Uncertain_significance"
    case likelyBenign = "Likely_benign"
    case benign = "Benign"
    case benignLikelyBenign = "Benign/Likely_benign"
    /// Anything else (drug_response, risk_factor, not_provided, low-penetrance forms, …): never reported as P/LP.
    case other = "other"

    /// Exactly `Pathogenic`, `Likely_pathogenic` or `Pathogenic/Likely_pathogenic`.
    public var isPathogenicOrLikelyPathogenic: Bool { self == .pathogenic || self == .likelyPathogenic || self == .pathogenicLikelyPathogenic }
    public var isBenignOrLikelyBenign: Bool { self == .benign || self == .likelyBenign || self == .benignLikelyBenign }

    /// Classifies a `CLNSIG` value by its primary term (before any `|`-separated secondary term such as `risk_factor`).
    public init(clnsig: String) {
        let primary = clnsig.split(separator: "|").first.map(String.init) ?? clnsig
        switch primary {
        case "Pathogenic": self = .pathogenic
        case "Likely_pathogenic": self = .likelyPathogenic
        case "Pathogenic/Likely_pathogenic": self = .pathogenicLikelyPathogenic
        case "Conflicting_classifications_of_pathogenicity", "Conflicting_interpretations_of_pathogenicity": self = .conflicting
        case "Uncertain_significance": self = .uncertain
        case "Likely_benign": self = .likelyBenign
        case "Benign": self = .benign
        case "Benign/Likely_benign": self = .benignLikelyBenign
        default: self = .other
        }
    }
}

/// One ClinVar VCF record (one ALT allele).
public struct ClinVarRecord: Sendable, Hashable, Codable {
    /// The VCF ID column: ClinVar's Variation ID.
    public var variationID: String
    public var alleleID: String?
    public var chrom: String
    public var position: Int
    public var ref: String
    public var alt: String
    /// `CLNSIG` as written.
    public var significance: String
    public var classification: ClinVarClass
    /// `CLNREVSTAT` as written, and its review stars (0–4).
    public var reviewStatus: String?
    public var stars: Int
    /// `CLNSIGCONF`: the submitted classifications behind a conflict.
    public var conflicts: String?
    /// Gene symbols from `GENEINFO` (`SYMBOL:GeneID|…`).
    public var genes: [String]
    /// `CLNDN`, underscores as spaces.
    public var conditions: [String]
    /// `MC` molecular consequences (`SO:…|name,…`).
    public var molecularConsequences: [Consequence]

    /// `CHROM-POS-REF-ALT` with the canonical chromosome.
    public var key: String { "\(Chromosome.canonical(chrom))-\(position)-\(ref)-\(alt)" }

    /// Review stars for a `CLNREVSTAT` value, as ClinVar defines them.
    public static func stars(_ status: String?) -> Int {
        switch status {
        case "practice_guideline": return 4
        case "reviewed_by_expert_panel": return 3
        case "criteria_provided,_multiple_submitters,_no_conflicts": return 2
        case "criteria_provided,_single_submitter", "criteria_provided,_conflicting_classifications",
            "criteria_provided,_conflicting_interpretations":
            return 1
        default: return 0
        }
    }

    /// `Pathogenic (2★, criteria provided, multiple submitters, no conflicts), ClinVar 12345`.
    public var summary: String {
        let status = reviewStatus.map { ", " + $0.replacingOccurrences(of: "_", with: " ") } ?? ""
        return "\(significance.replacingOccurrences(of: "_", with: " ")) (\(stars)★\(status)), ClinVar \(variationID)"
    }
}

/// A ClinVar VCF (NCBI's weekly `clinvar.vcf.gz`, either assembly) indexed by `CHROM-POS-REF-ALT`.
///
/// Read: the `##fileDate` and `##reference` header lines (release and assembly, shown on every finding), and per
/// record the INFO fields `ALLELEID`, `CLNSIG`, `CLNREVSTAT`, `CLNSIGCONF`, `GENEINFO`, `CLNDN`, `MC`. Records without
/// `CLNSIG` (no germline classification) are counted and skipped.
public struct ClinVarDatabase: Sendable {
    public var source: String
    /// `##fileDate` of the file (ClinVar's release date), if present.
    public var release: String?
    public var reference: String?
    public var records: [String: ClinVarRecord]
    public var skippedWithoutClassification: Int

    /// The assembly the file's `##reference` line names (NCBI writes `GRCh37` or `GRCh38`); `unknown` otherwise.
    public var build: GenomeBuild {
        let text = (reference ?? "").lowercased()
        if text.contains("grch38") || text.contains("hg38") { return .grch38 }
        if text.contains("grch37") || text.contains("hg19") { return .grch37 }
        return .unknown
    }

    /// ClinVar is matched on chromosome, position, REF and ALT, so its assembly must be the VCF's: a mismatch would
    /// silently match nothing (or the wrong variants), so it is refused, naming both files and builds.
    public func checkSameBuild(as callSet: GermlineCallSet) throws(GermlineError) {
        let mine = build, theirs = callSet.build
        guard mine != .unknown, theirs != .unknown, mine != theirs else { return }
        throw GermlineError.inconsistent(
            "\(source) is \(mine.rawValue) but \(callSet.path) is \(theirs.rawValue) (from its contig lengths): use the ClinVar VCF of the same assembly")
    }

    public init(records: [ClinVarRecord], source: String = "ClinVar", release: String? = nil, reference: String? = nil) {
        self.source = source
        self.release = release
        self.reference = reference
        self.records = [:]
        for r in records { self.records[r.key] = r }
        self.skippedWithoutClassification = 0
    }

    /// Reads a ClinVar VCF file (plain or gzip/BGZF).
    ///
    /// - Throws: ``GermlineError/malformed(file:line:message:)`` naming the file and line of a record with fewer than 8
    ///   columns, a non-numeric POS, or empty/invalid REF/ALT, or a data line before `#CHROM`.
    public static func load(path: String) throws -> ClinVarDatabase {
        var parser = Parser(file: path)
        try LineReader.forEachLine(path: path) { line, number in try parser.take(line, number) }
        return try parser.finish()
    }

    /// Reads ClinVar VCF text (`file` names it in errors).
    public static func parse(_ text: String, file: String = "clinvar.vcf") throws -> ClinVarDatabase {
        var parser = Parser(file: file)
        try LineReader.forEachLine(text: text) { line, number in try parser.take(line, number) }
        return try parser.finish()
    }

    /// The record for a patient variant (matched on canonical chromosome, position, REF and ALT).
    public func lookup(_ variant: GermlineVariant) -> ClinVarRecord? { records[variant.key] }

    /// `ClinVar 2025-01-07 (GRCh38)`.
    public var label: String { "ClinVar \(release ?? "release unknown")" + (reference.map { " (\($0))" } ?? "") }

    struct Parser {
        let file: String
        var sawHeader = false
        var release: String?
        var reference: String?
        var records: [String: ClinVarRecord] = [:]
        var skipped = 0

        init(file: String) { self.file = file }

        mutating func take(_ line: Substring, _ number: Int) throws {
            if line.isEmpty { return }
            if line.hasPrefix("##") {
                if line.hasPrefix("##fileDate=") { release = String(line.dropFirst("##fileDate=".count)) }
                if line.hasPrefix("##reference=") { reference = String(line.dropFirst("##reference=".count)) }
                return
            }
            if line.hasPrefix("#") {
                sawHeader = true
                return
            }
            func fail(_ message: String) -> GermlineError { .malformed(file: file, line: number, message: message) }
            guard sawHeader else { throw fail("data line before the #CHROM header line") }
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count >= 8 else { throw fail("expected at least 8 tab-separated columns (CHROM POS ID REF ALT QUAL FILTER INFO), found \(columns.count)") }
            guard let position = Int(columns[1]), position > 0 else { throw fail("POS '\(columns[1])' is not a positive integer") }
            let ref = String(columns[3])
            let alts = columns[4].split(separator: ",").map(String.init)
            let bases = Set("ACGTNacgtn")
            guard !ref.isEmpty, ref.allSatisfy({ bases.contains($0) }) else { throw fail("REF '\(ref)' is not a sequence of A, C, G, T, N") }
            guard !alts.isEmpty else { throw fail("ALT is empty") }
            var info: [Substring: Substring] = [:]
            for entry in columns[7].split(separator: ";") {
                if let eq = entry.firstIndex(of: "=") {
                    info[entry[..<eq]] = entry[entry.index(after: eq)...]
                } else {
                    info[entry] = ""
                }
            }
            guard let clnsig = info["CLNSIG"].map(String.init), !clnsig.isEmpty else {
                skipped += 1
                return
            }
            let status = info["CLNREVSTAT"].map(String.init)
            let genes = (info["GENEINFO"] ?? "").split(separator: "|").compactMap { $0.split(separator: ":").first.map(String.init) }
            let conditions = (info["CLNDN"] ?? "").split(separator: "|").map { $0.replacingOccurrences(of: "_", with: " ") }
            let mc = (info["MC"] ?? "").split(separator: ",").compactMap { $0.split(separator: "|").last.map { Consequence(String($0)) } }
            for alt in alts {
                // ClinVar writes "." as ALT for some reference-only records: nothing to match.
                if alt == "." { continue }
                guard alt.allSatisfy({ bases.contains($0) }) else { throw fail("ALT '\(alt)' is not a sequence of A, C, G, T, N") }
                let record = ClinVarRecord(
                    variationID: String(columns[2]), alleleID: info["ALLELEID"].map(String.init), chrom: String(columns[0]), position: position,
                    ref: ref, alt: alt, significance: clnsig, classification: ClinVarClass(clnsig: clnsig), reviewStatus: status,
                    stars: ClinVarRecord.stars(status), conflicts: info["CLNSIGCONF"].map(String.init), genes: genes, conditions: conditions,
                    molecularConsequences: mc)
                if let existing = records[record.key], existing.stars >= record.stars { continue }
                records[record.key] = record
            }
        }

        func finish() throws -> ClinVarDatabase {
            guard sawHeader else { throw GermlineError.malformed(file: file, line: 1, message: "no #CHROM header line: not a VCF") }
            var db = ClinVarDatabase(records: [], source: file, release: release, reference: reference)
            db.records = records
            db.skippedWithoutClassification = skipped
            return db
        }
    }
}
