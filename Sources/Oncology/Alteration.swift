/// The kinds of tumour alteration Tailor matches to evidence.
public enum AlterationKind: String, Codable, Sendable, Hashable {
    /// A somatic SNV or indel with its gene and protein effect.
    case variant
    case amplification
    case deletion
    case fusion
    /// Tumour mutational burden at or above the TMB-high cut-off.
    case tmbHigh
    /// Microsatellite instability, high (as measured by the lab, supplied with the inputs).
    case msiHigh
}

/// One alteration found in the tumour, with what the input said about it.
public struct Alteration: Codable, Sendable, Hashable {
    public var kind: AlterationKind
    /// HGNC symbol; for a fusion the 5′ partner.
    public var gene: String
    /// The 3′ partner of a fusion.
    public var partner: String?
    public var effect: CodingEffect?
    public var protein: ProteinChange?
    /// The protein change as the input wrote it (three- or one-letter).
    public var proteinText: String?
    public var hgvsc: String?
    public var transcript: String?
    /// Exon number of the change (VEP `EXON` 19/28 → 19).
    public var exon: Int?
    public var chromosome: String?
    public var position: Int?
    public var ref: String?
    public var alt: String?
    /// Tumour variant allele fraction and depth, when the input gives them.
    public var vaf: Double?
    public var depth: Int?
    /// gnomAD allele frequency in each of the five major populations (AFR, AMR, EAS, NFE, SAS) that the annotation gives.
    public var populationFrequencies: [String: Double]?
    /// Copy number (absolute), for a copy-number call from a number.
    public var copyNumber: Double?
    /// Whether the variant passed the caller's filters (FILTER PASS or `.`).
    public var passed: Bool = true
    /// The input file it came from.
    public var source: String?

    public init(kind: AlterationKind, gene: String, partner: String? = nil, effect: CodingEffect? = nil, protein: ProteinChange? = nil) {
        self.kind = kind
        self.gene = gene
        self.partner = partner
        self.effect = effect
        self.protein = protein
        self.proteinText = protein?.description
    }

    /// A short label: `BRAF p.V600E`, `ERBB2 amplification`, `EML4::ALK fusion`, `TMB-high`.
    public var label: String {
        switch kind {
        case .variant:
            if let protein { return "\(gene) \(protein)" }
            return "\(gene) \(hgvsc ?? effect?.rawValue ?? "variant")"
        case .amplification: return "\(gene) amplification"
        case .deletion: return "\(gene) deletion"
        case .fusion: return "\(gene)::\(partner ?? "?") fusion"
        case .tmbHigh: return "TMB-high"
        case .msiHigh: return "MSI-high"
        }
    }
}
