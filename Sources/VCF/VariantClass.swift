/// What kind of change an ALT allele makes relative to REF, using htslib's rules (`bcf_set_variant_type`)
/// so that counts agree with `bcftools stats`.
public struct VariantClass: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// No change: ALT `.`, the same base, `<*>`, `<NON_REF>`, `<X>`.
    public static let reference: VariantClass = []
    public static let snv = VariantClass(rawValue: 1)
    public static let mnv = VariantClass(rawValue: 2)
    public static let indel = VariantClass(rawValue: 4)
    /// Symbolic alleles and complex changes.
    public static let other = VariantClass(rawValue: 8)
    public static let breakend = VariantClass(rawValue: 16)
    /// The `*` allele: a deletion upstream spans this position.
    public static let overlap = VariantClass(rawValue: 32)

    /// Classifies one ALT allele against REF.
    public static func classify(ref: String, alt: String) -> VariantClass {
        var r = ref, a = alt
        return r.withUTF8 { rb in a.withUTF8 { ab in classify(UnsafeRawBufferPointer(rb), 0..<rb.count, UnsafeRawBufferPointer(ab), 0..<ab.count) } }
    }

    @inline(__always)
    static func classify(_ rb: UnsafeRawBufferPointer, _ rr: Range<Int>, _ ab: UnsafeRawBufferPointer, _ ar: Range<Int>) -> VariantClass {
        let rn = rr.count, an = ar.count
        let r0 = rr.lowerBound, a0 = ar.lowerBound
        if an == 1 && ab[a0] == ASCII.star { return .overlap }
        if rn == 1 && an == 1 {
            if ab[a0] == ASCII.dot || rb[r0] == ab[a0] || ab[a0] == 88 { return .reference }  // 'X' from mpileup
            return .snv
        }
        if ab[a0] == ASCII.lessThan {
            if ab.equals(ar, "<X>") || ab.equals(ar, "<*>") || ab.equals(ar, "<NON_REF>") { return .reference }
            return .other
        }
        // Common prefix, case-insensitive.
        var p = 0
        while p < rn && p < an && ASCII.upper(rb[r0 + p]) == ASCII.upper(ab[a0 + p]) { p += 1 }
        if p == rn && p < an {
            let c = ab[a0 + p]
            if c == ASCII.closeBracket || c == ASCII.openBracket { return .breakend }
            return .indel
        }
        if p == an && p < rn { return .indel }
        if p == rn && p == an { return .reference }
        // Common suffix after the prefix: re and ae index the last unmatched bases.
        var re = rn - 1, ae = an - 1
        while re > p && ae > p && ASCII.upper(rb[r0 + re]) == ASCII.upper(ab[a0 + ae]) {
            re -= 1
            ae -= 1
        }
        if ae == p {
            if re == p { return .snv }
            return ASCII.upper(rb[r0 + re]) == ASCII.upper(ab[a0 + ae]) ? .indel : .other
        }
        if re == p {
            return ASCII.upper(rb[r0 + re]) == ASCII.upper(ab[a0 + ae]) ? .indel : .other
        }
        return re - p == ae - p ? .mnv : .other
    }
}
