import Foundation

/// What a variant does to its protein, coarse enough to compare annotations from VEP, SnpEff and MAF files,
/// which name the same effect differently (`missense_variant`, `Missense_Mutation`, `Missense`).
public enum CodingEffect: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case missense, nonsense, frameshift, inframeDeletion, inframeInsertion, splice, startLost, stopLost, synonymous
    /// Intronic, UTR, intergenic, non-coding transcript: counted for nothing but shown when asked.
    case noncoding

    /// Whether the protein sequence changes (TMB "coding non-silent").
    public var isNonSilentCoding: Bool { self != .synonymous && self != .noncoding }
    /// Predicted loss of function: truncating or canonical splice site (PCGR's "null variant" for ONCG_OVS1).
    public var isNull: Bool { self == .nonsense || self == .frameshift || self == .splice || self == .startLost }

    /// The most damaging first, so the worst of several terms wins.
    static let severity: [CodingEffect] = [
        .nonsense, .frameshift, .splice, .startLost, .stopLost, .inframeDeletion, .inframeInsertion, .missense, .synonymous, .noncoding,
    ]
    public static func < (a: CodingEffect, b: CodingEffect) -> Bool {
        severity.firstIndex(of: a)! < severity.firstIndex(of: b)!
    }

    /// Reads a Sequence Ontology consequence list (`missense_variant&splice_region_variant`, VEP and SnpEff) or a MAF
    /// `Variant_Classification`. Unknown terms are non-coding, never guessed into a coding class.
    public init(annotation: some StringProtocol) {
        var best = CodingEffect.noncoding
        for term in annotation.split(whereSeparator: { $0 == "&" || $0 == "," }) {
            let effect = Self.single(term.lowercased())
            if effect < best { best = effect }
        }
        self = best
    }

    /// The same from the bytes of an annotation field (VEP `Consequence` inside a VCF line), without a `String` for the field.
    public init(annotation bytes: UnsafeRawBufferPointer) {
        var best = CodingEffect.noncoding
        var term: [UInt8] = []
        term.reserveCapacity(32)
        for i in 0...bytes.count {
            let b = i < bytes.count ? bytes[i] : UInt8(ascii: "&")
            if b == UInt8(ascii: "&") || b == UInt8(ascii: ",") {
                if !term.isEmpty {
                    let effect = Self.single(String(decoding: term, as: UTF8.self))
                    if effect < best { best = effect }
                    term.removeAll(keepingCapacity: true)
                }
            } else {
                term.append(b >= 65 && b <= 90 ? b + 32 : b)
            }
        }
        self = best
    }

    static func single(_ term: String) -> CodingEffect {
        switch term {
        case "missense_variant", "missense_mutation", "missense", "protein_altering_variant": return .missense
        case "stop_gained", "nonsense_mutation", "nonsense": return .nonsense
        case "frameshift_variant", "frame_shift_del", "frame_shift_ins", "frameshift": return .frameshift
        case "inframe_deletion", "in_frame_del", "disruptive_inframe_deletion", "conservative_inframe_deletion", "deletion": return .inframeDeletion
        case "inframe_insertion", "in_frame_ins", "disruptive_inframe_insertion", "conservative_inframe_insertion", "insertion", "duplication":
            return .inframeInsertion
        case "splice_acceptor_variant", "splice_donor_variant", "splice_site", "splice site": return .splice
        case "start_lost", "translation_start_site", "initiator_codon_variant": return .startLost
        case "stop_lost", "nonstop_mutation": return .stopLost
        case "synonymous_variant", "silent", "stop_retained_variant", "start_retained_variant": return .synonymous
        default: return .noncoding
        }
    }
}

/// A protein change in one-letter HGVS form (`p.V600E`, `p.E746_A750del`, `p.W288Cfs*12`, codon-level `p.G12`),
/// read from three-letter (`ENSP…:p.Val600Glu`, `p.(Val600Glu)`) or one-letter notation.
public struct ProteinChange: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Reference amino acid at `position` (one letter, `*` for stop).
    public var reference: String
    public var position: Int
    /// Everything after the first residue and position, one-letter: `E`, `*`, `_A750del`, `Cfs*12`, `fs`; empty for a codon.
    public var rest: String

    public init(reference: String, position: Int, rest: String) {
        self.reference = reference
        self.position = position
        self.rest = rest
    }

    public var description: String { "p.\(reference)\(position)\(rest)" }
    /// `V600`: the codon, for codon-level evidence.
    public var codon: String { "\(reference)\(position)" }
    /// The alternate amino acid of a single-residue substitution (`E` of p.V600E, `*` of p.R213*), else `nil`.
    public var substitutedResidue: String? {
        guard rest.count == 1, let c = rest.first, c.isUppercase || c == "*" else { return nil }
        return rest
    }
    public var isFrameshift: Bool { rest.contains("fs") }
    /// Equal up to the frameshift's new reading frame (`p.S1982fs` = `p.S1982Rfs*22`), as MAF files often drop it.
    public func sameChange(as other: ProteinChange) -> Bool {
        guard reference == other.reference, position == other.position else { return false }
        if isFrameshift && other.isFrameshift { return true }
        return rest == other.rest
    }

    static let threeToOne: [String: String] = [
        "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E", "Gly": "G", "His": "H", "Ile": "I",
        "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F", "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V",
        "Ter": "*", "Sec": "U", "Pyl": "O", "Xaa": "X",
    ]

    /// Parses HGVS protein notation; `nil` for an empty, unknown (`p.?`), synonymous-only (`p.=`) or unparseable text.
    public init?(hgvs raw: some StringProtocol) {
        var raw = String(raw)
        guard let parsed = raw.withUTF8({ Self.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// Parses HGVS protein notation straight from bytes (for example a VEP `CSQ` field inside a VCF line), so a
    /// 50,000-variant exome does not pay for a `String` and `Character` walk per record. HGVS is ASCII by definition:
    /// any other byte makes the text unparseable.
    public init?(hgvsUTF8 bytes: UnsafeRawBufferPointer) {
        guard let parsed = Self.parse(bytes) else { return nil }
        self = parsed
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer) -> ProteinChange? {
        @inline(__always) func isUpper(_ b: UInt8) -> Bool { b >= 65 && b <= 90 }
        @inline(__always) func isLower(_ b: UInt8) -> Bool { b >= 97 && b <= 122 }
        @inline(__always) func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        var start = 0
        var end = bytes.count
        if let colon = bytes.lastIndex(of: UInt8(ascii: ":")) { start = colon + 1 }
        guard end - start >= 2, bytes[start] == UInt8(ascii: "p"), bytes[start + 1] == UInt8(ascii: ".") else { return nil }
        start += 2
        if end - start >= 2, bytes[start] == UInt8(ascii: "("), bytes[end - 1] == UInt8(ascii: ")") {
            start += 1
            end -= 1
        }
        // One-letter form throughout: every capitalised three-letter residue (Val, Ter, …) becomes its letter;
        // `X` right after the position is a stop; VEP's URL-encoded `%3D` is `=`.
        var one: [UInt8] = []
        one.reserveCapacity(end - start)
        var i = start
        while i < end {
            let b = bytes[i]
            guard b < 0x80 else { return nil }
            if isUpper(b), i + 3 <= end, isLower(bytes[i + 1]), isLower(bytes[i + 2]),
                let letter = threeToOneBytes[Int(b - 65) &* 676 &+ Int(bytes[i + 1] - 97) &* 26 &+ Int(bytes[i + 2] - 97)]
            {
                one.append(letter)
                i += 3
            } else if b == UInt8(ascii: "%"), i + 3 <= end, bytes[i + 1] == UInt8(ascii: "3"), bytes[i + 2] == UInt8(ascii: "D") {
                one.append(UInt8(ascii: "="))
                i += 3
            } else {
                one.append(b == UInt8(ascii: "X") && !one.isEmpty && i > start && isDigit(bytes[i - 1]) ? UInt8(ascii: "*") : b)
                i += 1
            }
        }
        guard let first = one.first, isUpper(first) || first == UInt8(ascii: "*") else { return nil }
        var position = 0
        var digits = 1
        while digits < one.count, isDigit(one[digits]) {
            guard digits <= 9 else { return nil }
            position = position * 10 + Int(one[digits] - 48)
            digits += 1
        }
        guard digits > 1, position > 0 else { return nil }
        let rest = one[digits...]
        guard !rest.contains(UInt8(ascii: "=")) else { return nil }
        return ProteinChange(
            reference: String(decoding: CollectionOfOne(first), as: UTF8.self), position: position, rest: String(decoding: rest, as: UTF8.self))
    }

    /// `threeToOne` indexed by the three letters (`A`–`Z` × `a`–`z` × `a`–`z`), for the byte parser.
    private static let threeToOneBytes: [UInt8?] = {
        var table = [UInt8?](repeating: nil, count: 26 * 26 * 26)
        for (three, one) in threeToOne {
            let b = Array(three.utf8)
            table[Int(b[0] - 65) * 676 + Int(b[1] - 97) * 26 + Int(b[2] - 97)] = one.utf8.first
        }
        return table
    }()
}
