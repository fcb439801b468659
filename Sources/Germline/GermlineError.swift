/// What can go wrong reading germline inputs; every file problem names the file and, where there is one, the line.
public enum GermlineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A line that does not follow the file's format.
    case malformed(file: String, line: Int, message: String)
    /// A file that cannot be opened or read at all.
    case unreadable(file: String, message: String)
    /// Inputs that do not fit together (a proband not in the VCF, a PED without the proband, …).
    case inconsistent(String)
    /// A knowledge pack that is missing or does not say what the code expects.
    case knowledge(String)

    public var description: String {
        switch self {
        case .malformed(let file, let line, let message): return "\(file):\(line): \(message)"
        case .unreadable(let file, let message): return "\(file): \(message)"
        case .inconsistent(let message): return message
        case .knowledge(let message): return message
        }
    }
}

/// Chromosome names compared across files: `chr` prefix dropped, `M` → `MT` (Ensembl style, as ClinVar writes them).
public enum Chromosome {
    public static func canonical(_ name: some StringProtocol) -> String {
        var s = Substring(name)
        if s.count > 3, s.prefix(3).lowercased() == "chr" { s = s.dropFirst(3) }
        let upper = s.uppercased()
        if upper == "M" || upper == "MT" { return "MT" }
        if upper == "X" || upper == "Y" { return upper }
        return String(s)
    }

    public static func isX(_ canonical: String) -> Bool { canonical == "X" }
    public static func isMitochondrial(_ canonical: String) -> Bool { canonical == "MT" }
    public static func isAutosome(_ canonical: String) -> Bool { canonical != "X" && canonical != "Y" && canonical != "MT" }
}
