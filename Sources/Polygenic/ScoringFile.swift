import BGZF
import Foundation
public import VCF

/// Why a scoring file could not be read: the file, and the line where that applies.
public struct ScoringFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var line: Int?
    public var message: String

    public init(path: String, line: Int? = nil, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String { path + (line.map { ":\($0)" } ?? "") + ": " + message }
}

/// How a variant's allele dosage enters the score (PGS Catalog `is_dominant` / `is_recessive`, or the
/// `effect_type` column of pgscatalog-format's normalised files). plink2 calls these its `dominant` and
/// `recessive` modifiers: dominant counts any copy as 1, recessive only two copies as 1.
public enum EffectType: String, Codable, Sendable, Hashable {
    case additive, dominant, recessive

    /// The dosage the weight multiplies, for `count` copies of the effect allele on a diploid call.
    @inline(__always) public func transform(_ count: Int) -> Double {
        switch self {
        case .additive: return Double(count)
        case .dominant: return count > 0 ? 1 : 0
        case .recessive: return count >= 2 ? 1 : 0
        }
    }

    /// The expected transformed dosage of a diploid call when the effect allele has frequency `f`
    /// (used for mean imputation of a missing call: 2f for additive, as plink2 does).
    public func expected(frequency f: Double) -> Double {
        switch self {
        case .additive: return 2 * f
        case .dominant: return 1 - (1 - f) * (1 - f)
        case .recessive: return f * f
        }
    }
}

/// One row of a scoring file, as it will be matched: a location, the effect allele, the other allele when
/// known, the weight, and the effect type. Rows that cannot be scored (haplotypes, interactions, rsID-only rows)
/// are kept with the reason, so the match log accounts for every row of the file.
public struct ScoringVariant: Sendable, Hashable {
    /// Row number in the file's data (0-based), for the match log.
    public var row: Int
    /// The file's line number (1-based), for messages.
    public var line: Int
    public var rsID: String?
    /// Chromosome, canonical (`chr22` → `22`, `chrM` → `MT`), when given.
    public var chromosome: String?
    public var position: Int?
    public var effectAllele: String
    public var otherAllele: String?
    public var weight: Double
    public var effectType: EffectType
    /// Why this row is not scored at all (set at parse time), or nil.
    public var unusable: String?
}

/// A PGS Catalog scoring file (format 2.0, author-reported or harmonised), read whole: its header metadata and rows.
public struct ScoringFile: Sendable {
    /// The score's identifier: `#pgs_id`, else the file name without extensions.
    public var id: String
    public var name: String?
    public var traitReported: String?
    public var traitEFO: String?
    /// The build of the positions used: `#HmPOS_build` for harmonised files (their hm_chr/hm_pos columns), else
    /// `#genome_build`. Nil when the file says NR or nothing.
    public var genomeBuild: GenomeBuild?
    /// `#genome_build` / `#HmPOS_build` as written, for the report.
    public var genomeBuildText: String?
    /// `#variants_number`: how many variants the full score has (a file may be a subset).
    public var declaredVariants: Int?
    public var weightType: String?
    public var citation: String?
    public var formatVersion: String?
    /// Whether positions come from the PGS Catalog's harmonisation columns.
    public var harmonised: Bool
    public var variants: [ScoringVariant]
    /// The path it was read from.
    public var path: String

    /// Reads a scoring file, gzip-compressed or not.
    ///
    /// - Parameter limit: refuse a file whose uncompressed text is larger (a scoring file is at most a few hundred MB).
    public init(path: String, limit: Int = 2 << 30) throws(ScoringFileError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScoringFileError(path: path, message: "cannot be read (missing or not a file)")
        }
        var bytes = [UInt8](data)
        if bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b {
            do { bytes = try Gzip.decompress(bytes, limit: limit) } catch {
                throw ScoringFileError(path: path, message: "not a readable gzip file: \(error)")
            }
        }
        try self.init(bytes: bytes, path: path)
    }

    /// Parses a scoring file's text. `path` names it in messages and gives the default identifier.
    public init(bytes: [UInt8], path: String) throws(ScoringFileError) {
        self.path = path
        var meta: [String: String] = [:]
        var columns: [String] = []
        var rows: [ScoringVariant] = []
        var lineNumber = 0
        var column: [String: Int] = [:]
        var hasHarmonised = false
        var seenHeader = false
        var ranges: [Range<Int>] = []

        var start = 0
        while start < bytes.count {
            var end = start
            while end < bytes.count, bytes[end] != 10 { end += 1 }
            lineNumber += 1
            var stop = end
            if stop > start, bytes[stop - 1] == 13 { stop -= 1 }
            defer { start = end + 1 }
            guard stop > start else { continue }
            if bytes[start] == 35 {  // '#'
                guard !seenHeader else { continue }
                let line = String(decoding: bytes[start..<stop], as: UTF8.self)
                let body = line.drop { $0 == "#" }
                if let eq = body.firstIndex(of: "=") {
                    meta[String(body[..<eq]).trimmingCharacters(in: .whitespaces)] = String(body[body.index(after: eq)...]).trimmingCharacters(
                        in: .whitespaces)
                }
                continue
            }
            // Field ranges of this line, split at tabs, without making strings of the columns nobody reads.
            ranges.removeAll(keepingCapacity: true)
            var fieldStart = start
            for i in start..<stop where bytes[i] == 9 {
                ranges.append(fieldStart..<i)
                fieldStart = i + 1
            }
            ranges.append(fieldStart..<stop)
            if !seenHeader {
                seenHeader = true
                columns = ranges.map { Self.text(bytes, $0) ?? "" }
                for (i, name) in columns.enumerated() where column[name] == nil { column[name] = i }
                guard column["effect_allele"] != nil else {
                    throw ScoringFileError(path: path, line: lineNumber, message: "no effect_allele column (is this a PGS Catalog scoring file?)")
                }
                guard column["effect_weight"] != nil else {
                    throw ScoringFileError(
                        path: path, line: lineNumber,
                        message: "no effect_weight column (dosage-specific weights dosage_0/1/2_weight alone are not supported)")
                }
                hasHarmonised = column["hm_chr"] != nil && column["hm_pos"] != nil
                continue
            }
            guard ranges.count <= columns.count + 1 else {
                throw ScoringFileError(path: path, line: lineNumber, message: "\(ranges.count) fields for \(columns.count) columns")
            }
            func value(_ name: String) -> String? {
                guard let i = column[name], i < ranges.count, let text = Self.text(bytes, ranges[i]) else { return nil }
                return text == "NA" || text == "None" ? nil : text
            }
            func flag(_ name: String) -> Bool { value(name).map { $0.lowercased() == "true" } ?? false }

            guard let effect = value("effect_allele")?.uppercased() else {
                throw ScoringFileError(path: path, line: lineNumber, message: "effect_allele is empty")
            }
            guard let weightText = value("effect_weight") else {
                throw ScoringFileError(path: path, line: lineNumber, message: "effect_weight is empty")
            }
            guard let weight = Double(weightText), weight.isFinite else {
                throw ScoringFileError(path: path, line: lineNumber, message: "effect_weight '\(weightText)' is not a number")
            }
            var unusable: String? = nil
            var chromosome: String?
            var position: Int?
            if hasHarmonised {
                // Harmonised positions replace the author's (pgscatalog-format does the same); a row the catalogue
                // could not place has no position and stays unmatched.
                chromosome = value("hm_chr")
                position = value("hm_pos").flatMap { Int($0) }
                if value("hm_source") == "Unknown" { unusable = "harmonisation failed (hm_source Unknown)" }
            } else {
                chromosome = value("chr_name")
                if let text = value("chr_position") {
                    guard let p = Int(text), p > 0 else {
                        throw ScoringFileError(path: path, line: lineNumber, message: "chr_position '\(text)' is not a positive integer")
                    }
                    position = p
                }
            }
            var other = value("other_allele")?.uppercased()
            if other == nil, hasHarmonised, let inferred = value("hm_inferOtherAllele")?.uppercased(), !inferred.contains("/") {
                other = inferred
            }
            var effectType = EffectType.additive
            if let text = value("effect_type") {
                guard let type = EffectType(rawValue: text.lowercased()) else {
                    throw ScoringFileError(path: path, line: lineNumber, message: "effect_type '\(text)' is not additive, dominant or recessive")
                }
                effectType = type
            }
            if flag("is_dominant") && flag("is_recessive") {
                throw ScoringFileError(path: path, line: lineNumber, message: "a variant cannot be both is_dominant and is_recessive")
            }
            if flag("is_dominant") { effectType = .dominant }
            if flag("is_recessive") { effectType = .recessive }
            if flag("is_haplotype") || flag("is_diplotype") {
                unusable = unusable ?? "haplotype/diplotype effect alleles are not scored from VCF genotypes"
            } else if flag("is_interaction") {
                unusable = unusable ?? "interaction terms are not scored"
            } else if !Self.isSequence(effect) || (other.map { !Self.isSequence($0) } ?? false) {
                unusable = unusable ?? "the alleles are not nucleotide sequences (complex variant)"
            } else if chromosome == nil || position == nil {
                unusable = unusable ?? "no chromosome and position (an rsID-only row needs the harmonised file)"
            }
            rows.append(
                ScoringVariant(
                    row: rows.count, line: lineNumber, rsID: value("rsID") ?? value("hm_rsID"),
                    chromosome: chromosome.map(ContigName.canonical), position: position, effectAllele: effect, otherAllele: other,
                    weight: weight, effectType: effectType, unusable: unusable))
        }
        guard seenHeader else { throw ScoringFileError(path: path, message: "no column header line (the file is empty or all comments)") }
        guard !rows.isEmpty else { throw ScoringFileError(path: path, message: "no variant rows") }

        let base = (path as NSString).lastPathComponent
        let stem = base.components(separatedBy: ".").first ?? base
        id = meta["pgs_id"] ?? stem
        name = meta["pgs_name"]
        traitReported = meta["trait_reported"]
        traitEFO = meta["trait_efo"]
        let buildText = hasHarmonised ? (meta["HmPOS_build"] ?? meta["genome_build"]) : meta["genome_build"]
        genomeBuildText = buildText
        genomeBuild = buildText.flatMap(Self.build)
        declaredVariants = meta["variants_number"].flatMap { Int($0) }
        weightType = meta["weight_type"]
        citation = meta["citation"]
        formatVersion = meta["format_version"]
        harmonised = hasHarmonised
        variants = rows
    }

    /// Maps the catalogue's build names (GRCh37, hg19, GRCh38, hg38, NCBI36) to ours; nil for NR or unknown.
    static func build(_ text: String) -> GenomeBuild? {
        switch text.lowercased() {
        case "grch37", "hg19", "b37": return .grch37
        case "grch38", "hg38", "b38": return .grch38
        default: return nil
        }
    }

    /// The text of a byte range with ASCII spaces trimmed, or nil when empty.
    static func text(_ bytes: [UInt8], _ range: Range<Int>) -> String? {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower] == 32 { lower += 1 }
        while upper > lower, bytes[upper - 1] == 32 { upper -= 1 }
        return lower == upper ? nil : String(decoding: bytes[lower..<upper], as: UTF8.self)
    }

    static func isSequence(_ allele: String) -> Bool {
        !allele.isEmpty && allele.utf8.allSatisfy { $0 == 65 || $0 == 67 || $0 == 71 || $0 == 84 }
    }
}
