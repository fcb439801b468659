/// How precisely an evidence item's biomarker matched an alteration (PCGR's resolutions, most precise first).
public enum MatchLevel: String, Codable, Sendable, Hashable, Comparable {
    case proteinChange, codon, exon, copyNumber, fusion, tmb, msi
    /// A fusion of the gene with any partner.
    case fusionGene
    /// The gene with a named class of change (`TP53 frameshift`).
    case geneEffect
    /// Any mutation of the gene.
    case gene
    /// The gene matched but the named partner or change did not: shown for review, never tier-defining.
    case geneOnly

    static let order: [MatchLevel] = [.proteinChange, .codon, .exon, .copyNumber, .fusion, .tmb, .msi, .fusionGene, .geneEffect, .gene, .geneOnly]
    public static func < (a: MatchLevel, b: MatchLevel) -> Bool { order.firstIndex(of: a)! < order.firstIndex(of: b)! }
}

/// Matches alterations to evidence items. Pure: same inputs, same matches.
public enum Matcher {
    /// The level at which `biomarker` describes `alteration`, or `nil` if it does not.
    ///
    /// Gene-level evidence for a named class of change (nonsense, frameshift, splice, in-frame indel) matches a variant of
    /// that class; "any mutation" evidence matches any protein-changing variant but is tier-defining only for a variant
    /// the oncogenicity criteria call oncogenic (decided by the caller). A fusion biomarker naming both genes matches the
    /// pair in either order, since callers disagree on which partner they write first.
    public static func level(of biomarker: Biomarker, for alteration: Alteration) -> MatchLevel? {
        switch (biomarker, alteration.kind) {
        case (.tmbHigh, .tmbHigh): return .tmb
        case (.msiHigh, .msiHigh): return .msi
        case (.amplification(let g), .amplification), (.deletion(let g), .deletion):
            return g == alteration.gene ? .copyNumber : nil
        case (.fusion(let g, let p), .fusion):
            let genes = [alteration.gene, alteration.partner ?? ""]
            guard genes.contains(g) else { return nil }
            guard let p else { return .fusionGene }
            return genes.contains(p) && p != g ? .fusion : .geneOnly
        case (_, .variant):
            guard biomarker.gene == alteration.gene, let effect = alteration.effect, effect.isNonSilentCoding else { return nil }
            switch biomarker {
            case .proteinChange(_, let change):
                guard let protein = alteration.protein else { return nil }
                return protein.sameChange(as: change) ? .proteinChange : .geneOnly
            case .codon(_, let reference, let position):
                guard let protein = alteration.protein else { return nil }
                // A codon biomarker means a change of that residue (KRAS p.G12: G12C, G12D…), not a frameshift starting there.
                return protein.reference == reference && protein.position == position && protein.substitutedResidue != nil ? .codon : .geneOnly
            case .exon(_, let exon, let effects):
                guard alteration.exon == exon else { return .geneOnly }
                return effects.isEmpty || effects.contains(effect) ? .exon : .geneOnly
            case .gene(_, let effects):
                if effects.isEmpty { return .gene }
                return effects.contains(effect) ? .geneEffect : .geneOnly
            default: return nil
            }
        default:
            return nil
        }
    }
}
