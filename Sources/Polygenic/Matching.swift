/// The ways a scoring row can match a target record, in pgsc_calc's priority order
/// (pgscatalog-match 0.4.0, `match.py`): a lower raw value wins when one row meets several records.
public enum MatchStrategy: Int, Codable, Sendable, Hashable, Comparable, CaseIterable {
    /// effect = REF and other = ALT.
    case refalt = 1
    /// effect = ALT and other = REF.
    case altref
    /// The complements of effect/other are REF/ALT (the score was written on the other strand).
    case refaltFlip
    case altrefFlip
    /// No other allele in the score; effect = REF.
    case noOtherRef
    case noOtherAlt
    case noOtherRefFlip
    case noOtherAltFlip

    public static func < (a: MatchStrategy, b: MatchStrategy) -> Bool { a.rawValue < b.rawValue }

    /// pgsc_calc's name for the strategy, as written to its match logs.
    public var label: String {
        switch self {
        case .refalt: return "refalt"
        case .altref: return "altref"
        case .refaltFlip: return "refalt_flip"
        case .altrefFlip: return "altref_flip"
        case .noOtherRef: return "no_oa_ref"
        case .noOtherAlt: return "no_oa_alt"
        case .noOtherRefFlip: return "no_oa_ref_flip"
        case .noOtherAltFlip: return "no_oa_alt_flip"
        }
    }

    public var isFlip: Bool { self == .refaltFlip || self == .altrefFlip || self == .noOtherRefFlip || self == .noOtherAltFlip }
}

/// The settings pgsc_calc exposes for matching, with its defaults.
public struct MatchOptions: Sendable, Hashable {
    /// Keep A/T and C/G sites (assuming the score and the target are on the same strand). Default: excluded.
    public var keepAmbiguous = false
    /// Keep matches at multi-allelic target sites. Default: excluded.
    public var keepMultiallelic = false
    /// Refuse matches that need the complement strand. Default: allowed.
    public var ignoreStrandFlips = false
    /// A score whose matched fraction is below this is flagged (pgsc_calc's `--min_overlap`).
    public var minimumOverlap = 0.75

    public init(keepAmbiguous: Bool = false, keepMultiallelic: Bool = false, ignoreStrandFlips: Bool = false, minimumOverlap: Double = 0.75) {
        self.keepAmbiguous = keepAmbiguous
        self.keepMultiallelic = keepMultiallelic
        self.ignoreStrandFlips = ignoreStrandFlips
        self.minimumOverlap = minimumOverlap
    }
}

/// One way a scoring row meets one target record.
public struct Candidate: Sendable, Hashable {
    public var strategy: MatchStrategy
    /// Index of the matched effect allele in the record (0 = REF).
    public var alleleIndex: Int
    /// The record has more than one ALT.
    public var multiallelic: Bool
    /// REF and ALT are each other's complement (A/T or C/G): the strand cannot be told from the alleles.
    public var ambiguous: Bool
}

/// Pure allele matching, kept apart from file reading so it can be tested row by row.
public enum AlleleMatch {
    /// The complement of a nucleotide sequence, base by base (pgscatalog-match complements without reversing).
    public static func complement(_ allele: String) -> String {
        String(
            decoding: allele.utf8.map { c -> UInt8 in
                switch c {
                case 65: return 84  // A → T
                case 84: return 65
                case 67: return 71  // C → G
                case 71: return 67
                default: return c
                }
            }, as: UTF8.self)
    }

    /// Every way `effect`/`other` meet the record's alleles (REF then ALTs), one candidate per (ALT, strategy),
    /// best strategy first.
    public static func candidates(effect: String, other: String?, ref: String, alts: [String]) -> [Candidate] {
        candidates(effect: effect, other: other, effectFlip: complement(effect), otherFlip: other.map(complement), ref: ref, alts: alts)
    }

    /// As ``candidates(effect:other:ref:alts:)`` with the complements computed once by the caller (per scoring row,
    /// not per record).
    public static func candidates(effect: String, other: String?, effectFlip: String, otherFlip: String?, ref: String, alts: [String])
        -> [Candidate]
    {
        var out: [Candidate] = []
        let multiallelic = alts.count > 1
        for (k, alt) in alts.enumerated() where alt != "." && alt != "*" {
            let ambiguous = alts.count == 1 && ref.utf8.count == 1 && alt.utf8.count == 1 && complement(ref) == alt
            func add(_ strategy: MatchStrategy, _ index: Int) {
                out.append(Candidate(strategy: strategy, alleleIndex: index, multiallelic: multiallelic, ambiguous: ambiguous))
            }
            if let other, let otherFlip {
                if effect == ref && other == alt { add(.refalt, 0) }
                if effect == alt && other == ref { add(.altref, k + 1) }
                if effectFlip == ref && otherFlip == alt { add(.refaltFlip, 0) }
                if effectFlip == alt && otherFlip == ref { add(.altrefFlip, k + 1) }
            } else {
                if effect == ref { add(.noOtherRef, 0) }
                if effect == alt { add(.noOtherAlt, k + 1) }
                if effectFlip == ref { add(.noOtherRefFlip, 0) }
                if effectFlip == alt { add(.noOtherAltFlip, k + 1) }
            }
        }
        if out.count > 1 { out.sort { $0.strategy < $1.strategy } }
        return out
    }

    /// Why a candidate is refused under `options`, or nil when it may be used.
    public static func exclusion(_ c: Candidate, options: MatchOptions) -> String? {
        if c.ambiguous && !options.keepAmbiguous { return "ambiguous" }
        if c.multiallelic && !options.keepMultiallelic { return "multiallelic" }
        if c.strategy.isFlip && options.ignoreStrandFlips { return "strand_flip" }
        return nil
    }
}
