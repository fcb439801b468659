/// One REF/ALT pair at a position: the unit that knowledge (PGx positions, score files, ClinVar) is keyed by.
public struct Variant: Sendable, Hashable, Codable, CustomStringConvertible {
    public var chrom: String
    /// 1-based position of the first REF base.
    public var position: Int
    public var ref: String
    public var alt: String

    public init(chrom: String, position: Int, ref: String, alt: String) {
        self.chrom = chrom
        self.position = position
        self.ref = ref
        self.alt = alt
    }

    /// Whether ALT is a sequence (not symbolic `<…>`, a breakend, `*` or `.`), so that trimming applies.
    public var altIsSequence: Bool {
        !alt.isEmpty && alt.utf8.allSatisfy { ASCII.isBase[Int($0)] }
    }

    /// The most compact representation that needs no reference sequence: bases shared at the end, then at
    /// the start, are trimmed while both alleles keep at least one base (POS moves right with the start).
    ///
    /// `chr1:100 CTT>CT` becomes `chr1:100 CT>C`; `chr1:100 AC>AT` becomes `chr1:101 C>T`. Moving an indel
    /// left through a repeat needs the reference sequence and is not done here, so compare indels from
    /// different callers only after both are left-aligned (e.g. `bcftools norm -f`).
    public func trimmed() -> Variant {
        guard altIsSequence, ref.utf8.allSatisfy({ ASCII.isBase[Int($0)] }) else { return self }
        var r = Array(ref.utf8), a = Array(alt.utf8)
        while r.count > 1 && a.count > 1 && ASCII.upper(r[r.count - 1]) == ASCII.upper(a[a.count - 1]) {
            r.removeLast()
            a.removeLast()
        }
        var start = 0
        while r.count - start > 1 && a.count - start > 1 && ASCII.upper(r[start]) == ASCII.upper(a[start]) { start += 1 }
        return Variant(
            chrom: chrom, position: position + start, ref: String(decoding: r[start...], as: UTF8.self),
            alt: String(decoding: a[start...], as: UTF8.self))
    }

    public var description: String { "\(chrom):\(position) \(ref)>\(alt)" }
}

/// One ALT of a record as its own biallelic variant.
public struct SplitAllele: Sendable, Hashable {
    /// The trimmed variant.
    public var variant: Variant
    /// Index of this ALT in the original record (1-based, as in GT).
    public var altIndex: Int
}

extension VCFRecordView {
    /// Splits a (possibly multi-allelic) record into one trimmed biallelic variant per ALT. ALT `.` gives none.
    public func splitAlleles() -> [SplitAllele] {
        let chrom = self.chrom, ref = self.ref
        return alts.enumerated().map { index, alt in
            SplitAllele(variant: Variant(chrom: chrom, position: position, ref: ref, alt: alt).trimmed(), altIndex: index + 1)
        }
    }
}

extension VCFRecord {
    public func splitAlleles() -> [SplitAllele] { withView { $0.splitAlleles() } }
}

extension Genotype {
    /// What to write for ALT alleles other than the one kept when a record is split.
    public enum OtherAlt: Sendable {
        /// As reference (`bcftools norm -m-` by default): `1/2` split for ALT 2 becomes `0/1`.
        case reference
        /// As missing: `1/2` split for ALT 2 becomes `./1`, which keeps "not REF" visible.
        case missing
    }

    /// The genotype against one ALT of a split record: that ALT becomes 1, REF stays 0, missing stays missing.
    public func projected(onto altIndex: Int, others: OtherAlt = .reference) -> Genotype {
        Genotype(
            alleles: alleles.map { allele in
                guard let allele else { return nil }
                if allele == 0 { return 0 }
                if allele == altIndex { return 1 }
                return others == .reference ? 0 : nil
            }, phased: phased)
    }

    /// Index of diploid genotype (j, k) in a `Number=G` list such as PL or GL: k(k+1)/2 + j with j ≤ k.
    /// Getting this order wrong silently corrupts multi-allelic sites.
    public static func genotypeListIndex(_ a: Int, _ b: Int) -> Int {
        let j = min(a, b), k = max(a, b)
        return k * (k + 1) / 2 + j
    }
}
