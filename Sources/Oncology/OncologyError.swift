/// Why an oncology analysis could not run, in words the person who made the files can act on.
public enum OncologyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The tumour type is not an OncoTree code; `suggestions` are the closest codes.
    case unknownTumourType(code: String, suggestions: [String])
    /// A MAF lacks required columns (named).
    case mafMissingColumns(path: String, missing: [String])
    /// A VCF has no VEP `CSQ` or SnpEff `ANN` annotation.
    case unannotatedVCF(path: String)
    /// A table is malformed at a line.
    case badInput(path: String, line: Int?, message: String)
    /// A knowledge pack is missing or does not read as expected.
    case knowledge(String)

    public var description: String {
        switch self {
        case .unknownTumourType(let code, let suggestions):
            let hint = suggestions.isEmpty ? "" : "; closest OncoTree codes: \(suggestions.joined(separator: ", "))"
            return "'\(code)' is not an OncoTree code (release in the oncology pack)\(hint). Use 'ANY' for a tumour-agnostic run."
        case .mafMissingColumns(let path, let missing):
            return "\(path): the MAF lacks required column(s) \(missing.joined(separator: ", "))"
        case .unannotatedVCF(let path):
            return """
                \(path): the VCF has no functional annotation (no INFO/CSQ or INFO/ANN). Tailor matches evidence on gene and \
                protein change, which need transcript models it does not ship. Annotate first with Ensembl VEP using --hgvs \
                (e.g. 'vep --vcf --hgvs --symbol --canonical --mane --pick_allele --everything -i in.vcf -o out.vcf'), or with \
                SnpEff ('snpEff ann GRCh38.mane… in.vcf > out.vcf'), or convert to MAF with vcf2maf.
                """
        case .badInput(let path, let line, let message):
            return "\(path)\(line.map { ":\($0)" } ?? ""): \(message)"
        case .knowledge(let message):
            return "knowledge: \(message)"
        }
    }
}
