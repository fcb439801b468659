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
        var text = Substring(raw)
        if let colon = text.lastIndex(of: ":") { text = text[text.index(after: colon)...] }
        guard text.hasPrefix("p.") else { return nil }
        text = text.dropFirst(2)
        if text.hasPrefix("("), text.hasSuffix(")") { text = text.dropFirst().dropLast() }
        // One-letter form throughout: replace every three-letter residue (they are capitalised, e.g. Val, Ter).
        var one = ""
        var i = text.startIndex
        while i < text.endIndex {
            if text[i].isUppercase, let end = text.index(i, offsetBy: 3, limitedBy: text.endIndex),
                let letter = Self.threeToOne[String(text[i..<end])]
            {
                one += letter
                i = end
            } else {
                one.append(text[i] == "X" && one.isEmpty == false && text[..<i].last?.isNumber == true ? "*" : text[i])
                i = text.index(after: i)
            }
        }
        if one.contains("%") { one = one.replacingOccurrences(of: "%3D", with: "=") }  // VEP URL-encodes "=" (p.Leu5%3D)
        guard let first = one.first, first.isUppercase || first == "*" else { return nil }
        let digits = one.dropFirst().prefix { $0.isNumber }
        guard let position = Int(digits), position > 0 else { return nil }
        let rest = String(one.dropFirst(1 + digits.count))
        guard !rest.contains("=") else { return nil }
        self.init(reference: String(first), position: position, rest: rest)
    }
}
