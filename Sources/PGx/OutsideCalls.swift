import Foundation

/// A gene call made outside Tailor (PharmCAT's outside-call TSV): for genes a VCF cannot show reliably
/// (CYP2D6 needs an SV-aware caller, HLA-A/HLA-B a typing tool, MT-RNR1 the mitochondrial genome), or to
/// override a gene that would otherwise be called from the VCF.
///
/// Format (PharmCAT `docs/using/Outside-Call-Format.md`): UTF-8, one gene per line, tab-separated
/// `gene, diplotype, phenotype, activity score`; columns 2–4 may be empty but not all of them; `#` starts
/// a comment line; blank lines are ignored. Several lines for one gene are several possible diplotypes.
public struct OutsideCall: Sendable, Hashable {
    public var gene: String
    /// Allele names as normalised (e.g. `*4`, `*57:01`, `m.1555A>G`); one name for a single-allele gene.
    public var alleles: [String]?
    public var phenotype: String?
    public var activityScore: String?
    /// The line as written, for the report.
    public var source: String

    public init(gene: String, alleles: [String]?, phenotype: String?, activityScore: String?, source: String) {
        self.gene = gene
        self.alleles = alleles
        self.phenotype = phenotype
        self.activityScore = activityScore
        self.source = source
    }

    /// The diplotype as written in reports, e.g. `*1/*4`.
    public var diplotype: String? { alleles.map { $0.joined(separator: "/") } }

    /// Parses an outside-call file.
    ///
    /// - Parameter name: the file name, used in error messages.
    /// - Throws: ``PGxInputError`` naming the file, line and what is wrong; nothing is half-read.
    public static func parse(_ text: String, name: String) throws(PGxInputError) -> [OutsideCall] {
        var calls: [OutsideCall] = []
        // "\r\n" is one Character in Swift, so split on both forms explicitly (files from Windows tools).
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (offset, rawLine) in lines.enumerated() {
            let number = offset + 1
            func bad(_ why: String) -> PGxInputError { PGxInputError(message: "\(name):\(number): \(why)") }
            var line = Substring(rawLine)
            if line.hasSuffix("\r") { line = line.dropLast() }
            if offset == 0, line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
            if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
            guard fields.count >= 2, fields.count <= 4 else {
                throw bad("expected 2 to 4 tab-separated columns (gene, diplotype, phenotype, activity score), found \(fields.count)")
            }
            let gene = fields[0].uppercased()
            guard !gene.isEmpty else { throw bad("the gene column is empty") }
            guard gene.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { throw bad("'\(fields[0])' is not a gene symbol") }
            let canonicalGene = gene == "MT_RNR1" ? "MT-RNR1" : gene
            func optional(_ i: Int) -> String? { i < fields.count && !fields[i].isEmpty ? fields[i] : nil }
            let diplotype = optional(1), phenotype = optional(2), activity = optional(3)
            guard diplotype != nil || phenotype != nil || activity != nil else {
                throw bad("\(canonicalGene) has neither a diplotype, a phenotype nor an activity score")
            }
            if let activity, Double(activity.replacingOccurrences(of: "≥", with: "")) == nil {
                throw bad("activity score '\(activity)' is not a number")
            }
            var alleles: [String]?
            if let diplotype {
                let parts = diplotype.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingSpaces }
                guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else {
                    throw bad("'\(diplotype)' is not a diplotype (one allele, or two separated by '/')")
                }
                alleles = try parts.map { (part) throws(PGxInputError) -> String in
                    guard let allele = normalise(part, gene: canonicalGene) else { throw bad("'\(part)' is not an allele name of \(canonicalGene)") }
                    return allele
                }
            }
            calls.append(
                OutsideCall(
                    gene: canonicalGene, alleles: alleles, phenotype: phenotype, activityScore: activity,
                    source: "\(name):\(number)"))
        }
        return calls
    }

    /// Normalises an allele name as PharmCAT does: drops a leading gene symbol (`CYP2D6*4` → `*4`,
    /// `B*57:01` → `*57:01`), keeps the first two HLA fields (`*07:02:01:127` → `*07:02`), drops PharmVar
    /// sub-allele suffixes (`*4.024` → `*4`), and gives MT-RNR1 variants their `m.` prefix (`1555A>G` → `m.1555A>G`). `nil` for an empty name.
    static func normalise(_ raw: String, gene: String) -> String? {
        var name = raw
        if name.uppercased().hasPrefix(gene + "*") { name.removeFirst(gene.count) }
        if gene.hasPrefix("HLA-") {
            // "A*02:02:02" or "B*57:01": the locus letter before '*'.
            if let star = name.firstIndex(of: "*"), name[..<star].count == 1 { name = String(name[star...]) }
            if name.hasPrefix("*") {
                let fields = name.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
                if fields.count > 2 { name = "*" + fields.prefix(2).joined(separator: ":") }
            }
        } else if gene == "MT-RNR1" {
            if name.first?.isNumber == true { name = "m." + name }
        } else if name.hasPrefix("*") {
            // Sub-allele suffix (*4.024 → *4); copy numbers are kept as written (*1x3: see ``copyNumberForms``).
            if let dot = name.firstIndex(of: "."), name[name.index(after: dot)...].allSatisfy(\.isNumber) { name = String(name[..<dot]) }
            if let x = name.lastIndex(of: "X"), Int(name[name.index(after: x)...]) != nil { name.replaceSubrange(x...x, with: "x") }
        }
        return name.isEmpty ? nil : name
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

extension OutsideCall {
    /// How the phenotype tables write an allele with three or more copies: `*1x3` → `*1x≥3` (CPIC groups
    /// them); `nil` when the name has no such copy number.
    static func copyNumberForm(_ allele: String) -> String? {
        guard let x = allele.lastIndex(of: "x"), let copies = Int(allele[allele.index(after: x)...]), copies >= 3 else { return nil }
        return allele[...x] + "≥3"
    }

    /// Phenotype names as the tables write them: `PM` → `Poor Metabolizer`, `metaboliser` → `Metabolizer`, `EM` and
    /// `extensive` → `Normal`.
    static func normalisePhenotype(_ raw: String) -> String {
        let words = raw.split(whereSeparator: \.isWhitespace).map(String.init)
        let short = ["pm": "Poor Metabolizer", "im": "Intermediate Metabolizer", "nm": "Normal Metabolizer", "em": "Normal Metabolizer",
                     "um": "Ultrarapid Metabolizer", "rm": "Rapid Metabolizer"]
        if words.count == 1, let full = short[words[0].lowercased()] { return full }
        return words.map { word -> String in
            switch word.lowercased() {
            case "metaboliser", "metabolizer", "metabolisers", "metabolizers": return "Metabolizer"
            case "extensive": return "Normal"
            default: return word
            }
        }.joined(separator: " ")
    }
}
