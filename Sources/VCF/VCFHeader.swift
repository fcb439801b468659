/// `Number=` of an INFO or FORMAT definition.
public enum VCFNumber: Sendable, Hashable, CustomStringConvertible {
    /// A fixed count (0 for flags).
    case count(Int)
    /// One value per ALT allele (`A`).
    case perAlt
    /// One value per allele including REF (`R`).
    case perAllele
    /// One value per possible genotype (`G`).
    case perGenotype
    /// Unknown or varying (`.`).
    case variable

    init?(_ text: String) {
        switch text {
        case "A": self = .perAlt
        case "R": self = .perAllele
        case "G": self = .perGenotype
        case ".": self = .variable
        default:
            guard let n = Int(text), n >= 0 else { return nil }
            self = .count(n)
        }
    }

    public var description: String {
        switch self {
        case .count(let n): return String(n)
        case .perAlt: return "A"
        case .perAllele: return "R"
        case .perGenotype: return "G"
        case .variable: return "."
        }
    }
}

/// `Type=` of an INFO or FORMAT definition.
public enum VCFValueType: String, Sendable, Hashable {
    case integer = "Integer"
    case float = "Float"
    case flag = "Flag"
    case character = "Character"
    case string = "String"
}

/// An `##INFO` or `##FORMAT` definition.
public struct VCFFieldDefinition: Sendable, Hashable {
    public var id: String
    public var number: VCFNumber
    public var type: VCFValueType
    public var description: String

    public init(id: String, number: VCFNumber, type: VCFValueType, description: String) {
        self.id = id
        self.number = number
        self.type = type
        self.description = description
    }
}

/// A `##contig` line.
public struct VCFContig: Sendable, Hashable {
    public var id: String
    public var length: Int?
    public var assembly: String?

    public init(id: String, length: Int? = nil, assembly: String? = nil) {
        self.id = id
        self.length = length
        self.assembly = assembly
    }
}

/// One `##` meta-information line: `##key=value`, or `##key=<k=v,...>` with its fields in order.
public struct VCFMetaLine: Sendable, Hashable {
    public var key: String
    /// The raw text after `key=`.
    public var value: String
    /// The `k=v` pairs of a structured line (quotes removed, escapes resolved), in file order.
    public var fields: [Field]?

    public struct Field: Sendable, Hashable {
        public var key: String
        public var value: String
    }

    public subscript(field: String) -> String? { fields?.first { $0.key == field }?.value }
}

/// The file format version from `##fileformat=VCFvX.Y`.
public struct VCFVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    public static func < (a: VCFVersion, b: VCFVersion) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
    public var description: String { "VCFv\(major).\(minor)" }

    /// 4.3 introduced percent-encoding of special characters in INFO and FORMAT values.
    public var usesPercentEncoding: Bool { self >= VCFVersion(major: 4, minor: 3) }
}

/// A parsed VCF header: meta-information lines, definitions, contigs and sample names.
public struct VCFHeader: Sendable, Hashable {
    public var version: VCFVersion
    public var metaLines: [VCFMetaLine]
    public var infos: [String: VCFFieldDefinition]
    public var formats: [String: VCFFieldDefinition]
    public var filters: [String: String]
    public var contigs: [VCFContig]
    /// Sample names in column order. Empty for a sites-only VCF.
    public var samples: [String]
    /// Number of header lines, so the first record is line `lineCount + 1`.
    public var lineCount: Int
    /// The genome build recognised from contig lengths and the `##reference` line.
    public var build: GenomeBuildEvidence
    /// Problems that do not stop reading, such as a definition with an invalid `Number` (read as `.`,
    /// as htslib does), each with its line number.
    public var warnings: [String] = []

    /// Parses header text: every line from `##fileformat` through `#CHROM`, each without its newline.
    ///
    /// - Throws: ``VCFError`` of kind `.header` naming the line and what is wrong.
    public static func parse(lines: [Substring]) throws(VCFError) -> VCFHeader {
        guard let first = lines.first else {
            throw VCFError(.header, "the file is empty (no ##fileformat line)", line: 1)
        }
        guard first.hasPrefix("##fileformat=") else {
            throw VCFError(
                .header, "the first line must be ##fileformat=VCFv4.x, found \(quoted(first, limit: 40)); is this a VCF file?",
                line: 1)
        }
        let formatValue = first.dropFirst("##fileformat=".count)
        guard let version = parseVersion(formatValue) else {
            throw VCFError(.header, "unrecognised file format \(quoted(formatValue, limit: 40)) (expected VCFv4.0 to VCFv4.4)", line: 1)
        }

        var header = VCFHeader(
            version: version, metaLines: [], infos: [:], formats: [:], filters: [:], contigs: [], samples: [], lineCount: 0,
            build: GenomeBuildEvidence(build: .unknown, reason: ""))
        var sawColumnLine = false
        for (index, line) in lines.enumerated() {
            let lineNumber = index + 1
            if line.hasPrefix("##") {
                guard !sawColumnLine else {
                    throw VCFError(.header, "meta-information line after the #CHROM line", line: lineNumber)
                }
                let meta = try parseMetaLine(line, lineNumber: lineNumber)
                header.metaLines.append(meta)
                try header.absorb(meta, lineNumber: lineNumber)
            } else if line.hasPrefix("#") {
                guard !sawColumnLine else { throw VCFError(.header, "a second #CHROM line", line: lineNumber) }
                header.samples = try parseColumnLine(line, lineNumber: lineNumber)
                sawColumnLine = true
            } else {
                throw VCFError(.header, "expected a header line starting with '#'", line: lineNumber)
            }
        }
        guard sawColumnLine else {
            throw VCFError(.header, "the header has no #CHROM line", line: lines.count)
        }
        header.lineCount = lines.count
        header.build = GenomeBuild.recognise(contigs: header.contigs, reference: header.metaLines.first { $0.key == "reference" }?.value)
        return header
    }

    private static func parseVersion(_ text: Substring) -> VCFVersion? {
        guard text.hasPrefix("VCFv") else { return nil }
        let parts = text.dropFirst(4).split(separator: ".")
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]), major == 4, (0...4).contains(minor) else {
            return nil
        }
        return VCFVersion(major: major, minor: minor)
    }

    private mutating func absorb(_ meta: VCFMetaLine, lineNumber: Int) throws(VCFError) {
        switch meta.key {
        case "INFO", "FORMAT":
            guard meta.fields != nil else {
                throw VCFError(.header, "##\(meta.key) must be a <...> list", line: lineNumber)
            }
            guard let id = meta["ID"], !id.isEmpty else {
                throw VCFError(.header, "##\(meta.key) has no ID", line: lineNumber)
            }
            // A malformed Number or Type makes the definition unusable but not the file: like htslib, warn
            // and read the field as a variable-length string.
            var number = VCFNumber.variable
            var type = VCFValueType.string
            if let numberText = meta["Number"], let parsed = VCFNumber(numberText) {
                number = parsed
            } else {
                warnings.append(
                    "line \(lineNumber): ##\(meta.key) ID=\(id): Number '\(meta["Number"] ?? "")' is not an integer, A, R, G or '.'; read as '.'")
            }
            if let typeText = meta["Type"], let parsed = VCFValueType(rawValue: typeText) {
                type = parsed
            } else {
                warnings.append(
                    "line \(lineNumber): ##\(meta.key) ID=\(id): Type '\(meta["Type"] ?? "")' is not Integer, Float, Flag, Character or String; read as String"
                )
            }
            if type == .flag && meta.key == "FORMAT" {
                warnings.append("line \(lineNumber): ##FORMAT ID=\(id): Type=Flag is not allowed in FORMAT; read as String")
                type = .string
            }
            let definition = VCFFieldDefinition(id: id, number: number, type: type, description: meta["Description"] ?? "")
            if meta.key == "INFO" { infos[id] = definition } else { formats[id] = definition }
        case "FILTER":
            if let id = meta["ID"] { filters[id] = meta["Description"] ?? "" }
        case "contig":
            guard meta.fields != nil, let id = meta["ID"], !id.isEmpty else {
                throw VCFError(.header, "##contig must be <ID=...>", line: lineNumber)
            }
            var length: Int?
            if let text = meta["length"] {
                guard let value = Int(text), value >= 0 else {
                    throw VCFError(.header, "##contig ID=\(id): length '\(text)' is not a whole number", line: lineNumber)
                }
                length = value
            }
            contigs.append(VCFContig(id: id, length: length, assembly: meta["assembly"]))
        default:
            break
        }
    }

    /// Parses `##key=value` or `##key=<k=v,k="quoted, with \" escapes",...>`.
    static func parseMetaLine(_ line: Substring, lineNumber: Int) throws(VCFError) -> VCFMetaLine {
        let body = line.dropFirst(2)
        guard let eq = body.firstIndex(of: "=") else {
            // Legal but meaningless; keep it as a bare key.
            return VCFMetaLine(key: String(body), value: "", fields: nil)
        }
        let key = String(body[..<eq])
        let value = body[body.index(after: eq)...]
        guard value.hasPrefix("<") else { return VCFMetaLine(key: key, value: String(value), fields: nil) }
        guard value.hasSuffix(">") else {
            throw VCFError(.header, "##\(key)=<...> is not closed with '>'", line: lineNumber)
        }
        var fields: [VCFMetaLine.Field] = []
        let chars = Array(value.dropFirst().dropLast().unicodeScalars)
        var i = 0
        while i < chars.count {
            var name = ""
            while i < chars.count, chars[i] != "=", chars[i] != "," {
                name.unicodeScalars.append(chars[i])
                i += 1
            }
            var fieldValue = ""
            if i < chars.count, chars[i] == "=" {
                i += 1
                if i < chars.count, chars[i] == "\"" {
                    i += 1
                    var closed = false
                    while i < chars.count {
                        if chars[i] == "\\", i + 1 < chars.count {
                            fieldValue.unicodeScalars.append(chars[i + 1])
                            i += 2
                            continue
                        }
                        if chars[i] == "\"" {
                            closed = true
                            i += 1
                            break
                        }
                        fieldValue.unicodeScalars.append(chars[i])
                        i += 1
                    }
                    guard closed else {
                        throw VCFError(.header, "##\(key): unterminated quoted value for \(name)", line: lineNumber)
                    }
                } else {
                    while i < chars.count, chars[i] != "," {
                        fieldValue.unicodeScalars.append(chars[i])
                        i += 1
                    }
                }
            }
            let trimmed = name.trimmingSpaces()
            if !trimmed.isEmpty { fields.append(.init(key: trimmed, value: fieldValue)) }
            // Skip to after the next comma.
            while i < chars.count, chars[i] != "," { i += 1 }
            i += 1
        }
        return VCFMetaLine(key: key, value: String(value), fields: fields)
    }

    private static let fixedColumns = ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]

    private static func parseColumnLine(_ line: Substring, lineNumber: Int) throws(VCFError) -> [String] {
        // Split on the tab byte, as data lines are split (a tab followed by a combining mark is one Character).
        let columns = line.dropFirst().utf8.split(separator: ASCII.tab, omittingEmptySubsequences: false).map {
            String(decoding: $0.last == ASCII.carriageReturn ? $0.dropLast() : $0, as: UTF8.self)
        }
        guard columns.count >= 8 else {
            if line.contains(" ") && !line.contains("\t") {
                throw VCFError(.header, "the #CHROM line is separated by spaces; VCF columns must be separated by tabs", line: lineNumber)
            }
            throw VCFError(.header, "the #CHROM line has \(columns.count) columns; at least the 8 fixed columns are required", line: lineNumber)
        }
        for (index, name) in fixedColumns.enumerated() where columns[index] != name {
            throw VCFError(.header, "column \(index + 1) of the #CHROM line is '\(columns[index])', expected '\(name)'", line: lineNumber)
        }
        guard columns.count > 8 else { return [] }
        guard columns[8] == "FORMAT" else {
            throw VCFError(.header, "column 9 of the #CHROM line is '\(columns[8])', expected 'FORMAT'", line: lineNumber)
        }
        let samples = Array(columns.dropFirst(9))
        var seen = Set<String>()
        for (index, sample) in samples.enumerated() {
            guard !sample.isEmpty else {
                throw VCFError(.header, "sample column \(index + 1) has an empty name", line: lineNumber)
            }
            guard seen.insert(sample).inserted else {
                throw VCFError(.header, "sample name '\(sample)' appears more than once", line: lineNumber)
            }
        }
        return samples
    }

    /// Index of a sample by name.
    public func sampleIndex(_ name: String) -> Int? { samples.firstIndex(of: name) }

    /// Whether the file has no sample columns.
    public var isSitesOnly: Bool { samples.isEmpty }

    /// The contig as the file names it, given either naming (`chr7` or `7`, `chrM` or `MT`).
    public func contigName(matching name: String) -> String? {
        if contigs.contains(where: { $0.id == name }) { return name }
        let wanted = ContigName.canonical(name)
        return contigs.first { ContigName.canonical($0.id) == wanted }?.id
    }
}

func quoted(_ text: some StringProtocol, limit: Int) -> String {
    let s = String(text)
    return "'" + (s.count > limit ? String(s.prefix(limit)) + "…" : s) + "'"
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
