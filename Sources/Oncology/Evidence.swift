/// What an evidence item is about, at the granularity its source curated it (PCGR's biomarker resolutions).
public enum Biomarker: Codable, Sendable, Hashable {
    /// One protein change (`BRAF p.V600E`).
    case proteinChange(gene: String, change: ProteinChange)
    /// Any change at a codon (`KRAS p.G12`).
    case codon(gene: String, reference: String, position: Int)
    /// Changes of a kind in an exon (`EGFR exon 19 deletion`); `effects` empty = any change in the exon.
    case exon(gene: String, exon: Int, effects: Set<CodingEffect>)
    /// Changes of a kind anywhere in the gene (`TP53 frameshift`); `effects` empty = any mutation.
    case gene(gene: String, effects: Set<CodingEffect>)
    case amplification(gene: String)
    case deletion(gene: String)
    /// A fusion of `gene` with `partner` (either order), or with any partner when `partner` is nil.
    case fusion(gene: String, partner: String?)
    case tmbHigh
    case msiHigh

    /// The gene the biomarker belongs to, for indexing (`nil` for TMB and MSI).
    public var gene: String? {
        switch self {
        case .proteinChange(let g, _), .codon(let g, _, _), .exon(let g, _, _), .gene(let g, _), .amplification(let g), .deletion(let g),
            .fusion(let g, _):
            return g
        case .tmbHigh, .msiHigh: return nil
        }
    }

    public var label: String {
        switch self {
        case .proteinChange(let g, let c): return "\(g) \(c)"
        case .codon(let g, let r, let p): return "\(g) p.\(r)\(p)"
        case .exon(let g, let e, let effects):
            return "\(g) exon \(e) " + (effects.isEmpty ? "mutation" : effects.map(\.rawValue).sorted().joined(separator: "/"))
        case .gene(let g, let effects): return "\(g) " + (effects.isEmpty ? "mutation" : effects.map(\.rawValue).sorted().joined(separator: "/"))
        case .amplification(let g): return "\(g) amplification"
        case .deletion(let g): return "\(g) deletion"
        case .fusion(let g, let p): return p.map { "\(g)::\($0) fusion" } ?? "\(g) fusion (any partner)"
        case .tmbHigh: return "TMB-high"
        case .msiHigh: return "MSI-high"
        }
    }
}

/// The clinical question an evidence item answers.
public enum EvidenceType: String, Codable, Sendable, Hashable {
    case predictive, prognostic, diagnostic
}

/// Where an evidence item's disease sits relative to OncoTree.
public enum DiseaseScope: String, Codable, Sendable, Hashable {
    /// Curated for named OncoTree node(s).
    case specific
    /// Any cancer type (tumour-agnostic).
    case panCancer
    /// Any solid tumour: pan-cancer for solid tumours, another tumour type for haematological ones.
    case panSolid
    /// A disease Tailor could not place in OncoTree: always "another tumour type".
    case unmapped
}

/// A citation as the source gives it.
public struct Citation: Codable, Sendable, Hashable {
    public var text: String
    public var pmid: String?
    public var doi: String?
    public var url: String?
    public var nct: String?
}

/// One evidence item from a knowledge base, normalised so that MOAlmanac and CIViC are matched and tiered alike.
public struct EvidenceItem: Codable, Sendable, Hashable {
    /// `MOAlmanac` or `CIViC`.
    public var source: String
    /// The source's identifier (`MOA assertion 66`, `EID1409`).
    public var id: String
    public var biomarker: Biomarker
    public var disease: String
    /// Current OncoTree codes the disease maps to (several for a retired code that was split).
    public var oncotreeCodes: [String]
    public var scope: DiseaseScope
    public var type: EvidenceType
    /// As the source words it: `Sensitivity/Response`, `Resistance`, `Better Outcome`, `Poor Outcome`, `Positive`.
    public var significance: String
    /// False when the evidence does not support the significance (CIViC "Does Not Support", MOAlmanac sensitivity 0).
    public var supports: Bool
    /// CIViC-scale level A–E (MOAlmanac's levels placed by the VICC crosswalk in the pack).
    public var level: String
    /// The level as the source states it (`FDA-Approved`, `B`).
    public var sourceLevel: String
    public var therapies: [String]
    /// `FDA-approved` when the source records a regulatory approval for this indication; `Guideline` for guideline evidence.
    public var approval: String?
    public var context: String?
    public var description: String
    public var citation: Citation

    /// PCGR: strong = CIViC A/B; weak = C/D/E.
    public var isStrong: Bool { level == "A" || level == "B" }
    public var isResistance: Bool { significance.lowercased().contains("resist") }
}

/// The disclaimer, version and licence of a pack a report used.
public struct KnowledgeVersion: Codable, Sendable, Hashable {
    public var pack: String
    public var version: String
    public var sources: [String]
}
