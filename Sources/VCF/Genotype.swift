/// One sample's GT: allele indexes (`nil` for a missing allele) and the phase of each separator.
///
/// Covers what real files contain: diploid `0/1`, phased `1|0`, haploid `1` (chrX/Y in males, chrM),
/// missing `./.` and `.`, partial `./1`, multi-allelic and multi-digit `10/12`, polyploid, mixed
/// separators `0|1/2`, and the VCF 4.4 leading phase marker `|0`.
public struct Genotype: Sendable, Hashable, CustomStringConvertible {
    /// Allele indexes in written order: 0 = REF, 1... = ALT; `nil` = missing.
    public var alleles: [Int?]
    /// For each separator, whether it is `|` (phased). Count is `alleles.count - 1`.
    public var phased: [Bool]

    public init(alleles: [Int?], phased: [Bool]) {
        self.alleles = alleles
        self.phased = phased
    }

    /// Parses GT text. Returns `nil` for malformed text or an allele index ≥ `alleleCount`.
    public init?(_ text: String, alleleCount: Int) {
        var copy = text
        guard let parsed = copy.withUTF8({ Genotype(bytes: UnsafeRawBufferPointer($0), range: 0..<$0.count, alleleCount: alleleCount) }) else {
            return nil
        }
        self = parsed
    }

    init?(bytes: UnsafeRawBufferPointer, range: Range<Int>, alleleCount: Int) {
        var i = range.lowerBound
        let end = range.upperBound
        guard i < end else { return nil }
        var alleles: [Int?] = []
        var phased: [Bool] = []
        var leadingPhase: Bool?
        if bytes[i] == ASCII.pipe || bytes[i] == ASCII.slash {
            leadingPhase = bytes[i] == ASCII.pipe
            i += 1
        }
        while true {
            guard i < end else { return nil }
            if bytes[i] == ASCII.dot {
                alleles.append(nil)
                i += 1
            } else {
                var value = 0
                var digits = 0
                while i < end, ASCII.isDigit(bytes[i]) {
                    value = value * 10 + Int(bytes[i] - ASCII.zero)
                    digits += 1
                    i += 1
                    if digits > 9 { return nil }
                }
                guard digits > 0, value < alleleCount else { return nil }
                alleles.append(value)
            }
            if i == end { break }
            let separator = bytes[i]
            guard separator == ASCII.slash || separator == ASCII.pipe else { return nil }
            phased.append(separator == ASCII.pipe)
            i += 1
        }
        if let leadingPhase, alleles.count == 1 { phased = [leadingPhase] }
        self.alleles = alleles
        self.phased = alleles.count == 1 ? (leadingPhase.map { [$0] } ?? []) : phased
    }

    public var ploidy: Int { alleles.count }
    /// Every allele is missing (`.`, `./.`).
    public var isMissing: Bool { alleles.allSatisfy { $0 == nil } }
    /// Some but not all alleles are missing (`./1`).
    public var isPartiallyMissing: Bool { !isMissing && alleles.contains { $0 == nil } }
    /// All separators are `|`. A haploid call is phased only with an explicit VCF 4.4 `|` prefix.
    public var isPhased: Bool { !phased.isEmpty && phased.allSatisfy { $0 } }
    /// Number of copies of allele `index`.
    public func dosage(of index: Int) -> Int { alleles.reduce(0) { $0 + ($1 == index ? 1 : 0) } }

    public var description: String {
        var text = ""
        if alleles.count == 1, let p = phased.first { text += p ? "|" : "/" }
        for (i, allele) in alleles.enumerated() {
            if i > 0 { text += phased[i - 1] ? "|" : "/" }
            text += allele.map(String.init) ?? "."
        }
        return text
    }
}

/// htslib's genotype classes (`bcf_gt_type`), which `bcftools stats` counts.
public enum GenotypeClass: UInt8, Sendable, Hashable {
    case homRef, homAlt, hetRefAlt, hetAltAlt, haploidRef, haploidAlt, missing
}

/// A genotype's class with its ALT allele indexes, computed without allocating.
@usableFromInline
struct GenotypeSummary: Sendable {
    @usableFromInline var kind: GenotypeClass
    /// Smallest ALT allele index present (0 when none).
    @usableFromInline var firstAlt: Int
    /// Another, different ALT allele index for a het-alt-alt call (0 when none), as `bcf_gt_type`'s `jal`.
    @usableFromInline var secondAlt: Int = 0

    /// Classifies GT text in `range` as `bcf_gt_type` does: any missing allele makes the call missing.
    /// Returns `nil` when the text is malformed or names an allele ≥ `alleleCount`.
    @inline(__always)
    static func classify(_ b: UnsafeRawBufferPointer, _ range: Range<Int>, alleleCount: Int) -> GenotypeSummary? {
        var i = range.lowerBound
        let end = range.upperBound
        guard i < end else { return nil }
        // Fast path for the common diploid call with single-digit alleles: "0/1", "1|1", …
        if end - i == 3 {
            let a = Int(b[i] &- ASCII.zero), s = b[i + 1], c = Int(b[i + 2] &- ASCII.zero)
            if a < 10 && c < 10 && (s == ASCII.slash || s == ASCII.pipe) && a < alleleCount && c < alleleCount {
                if a == c { return GenotypeSummary(kind: a == 0 ? .homRef : .homAlt, firstAlt: a) }
                if a == 0 || c == 0 { return GenotypeSummary(kind: .hetRefAlt, firstAlt: a | c) }
                return GenotypeSummary(kind: .hetAltAlt, firstAlt: min(a, c), secondAlt: max(a, c))
            }
        }
        if b[i] == ASCII.pipe || b[i] == ASCII.slash { i += 1 }
        var nals = 0
        var hasRef = false
        var altKinds = 0
        var ial = 0
        var jal = 0
        var missing = false
        while true {
            guard i < end else { return nil }
            let c = b[i]
            if c == ASCII.dot {
                missing = true
                i += 1
            } else {
                var value = Int(c &- ASCII.zero)
                guard value < 10 else { return nil }
                i += 1
                while i < end {
                    let d = Int(b[i] &- ASCII.zero)
                    if d >= 10 { break }
                    value = value * 10 + d
                    i += 1
                    if value > 1_000_000 { return nil }
                }
                guard value < alleleCount else { return nil }
                if value > 0 {
                    if ial == 0 {
                        ial = value
                        altKinds = 1
                    } else if value != ial {
                        if value < ial {
                            jal = ial
                            ial = value
                        } else {
                            jal = value
                        }
                        altKinds = 2
                    }
                } else {
                    hasRef = true
                }
            }
            nals += 1
            if i == end { break }
            let s = b[i]
            guard s == ASCII.slash || s == ASCII.pipe else { return nil }
            i += 1
        }
        if missing { return GenotypeSummary(kind: .missing, firstAlt: 0) }
        if nals == 1 { return GenotypeSummary(kind: hasRef ? .haploidRef : .haploidAlt, firstAlt: ial) }
        if !hasRef { return GenotypeSummary(kind: altKinds == 1 ? .homAlt : .hetAltAlt, firstAlt: ial, secondAlt: jal) }
        if altKinds == 0 { return GenotypeSummary(kind: .homRef, firstAlt: 0) }
        return GenotypeSummary(kind: .hetRefAlt, firstAlt: ial, secondAlt: jal)
    }
}
