/// AMP/ASCO/CAP 2017 tiers (Li MM et al. J Mol Diagn 2017;19:4).
public enum Tier: String, Codable, Sendable, Hashable, Comparable, CaseIterable {
    case tierI = "Tier I", tierII = "Tier II", tierIII = "Tier III", tierIV = "Tier IV"
    /// No biomarker evidence and no rule placing it (coding variants in genes whose role Tailor does not know).
    case unclassified = "Not tiered"

    public static func < (a: Tier, b: Tier) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
}

/// PCGR 2.x's tier rules (pcgrr/vignettes/variant_classification.Rmd), as pure functions.
///
/// Strong evidence = CIViC A/B; weak = C/D/E. Tumour-type-specific run: strong evidence for the tumour type or pan-cancer →
/// Tier I; strong evidence for another type → Tier II; weak evidence for the tumour type → Tier II; weak pan-cancer or
/// other-type evidence → Tier III. Tumour-agnostic run (`ANY`): strong pan-cancer → I; strong type-specific → II; weak → III.
public enum TierRules {
    /// The tier one evidence item supports.
    public static func tier(strong: Bool, match: TumourTypeMatch, onLabel: Bool, agnostic: Bool) -> Tier {
        if agnostic {
            if !strong { return .tierIII }
            return match == .panCancer ? .tierI : .tierII
        }
        switch (strong, onLabel, match == .panCancer) {
        case (true, true, _), (true, _, true): return .tierI
        case (true, false, false): return .tierII
        case (false, true, _): return .tierII
        case (false, false, _): return .tierIII
        }
    }

    /// Tier III without a biomarker (PCGR): a coding SNV/indel in a known oncogene or tumour suppressor with gnomAD AF < 0.001,
    /// an amplified oncogene or deleted tumour suppressor, or a fusion with an oncogene partner. Needs gene roles, which the
    /// shipped packs do not have (CGC and CancerMine are not redistributable here); `roles` is user-supplied.
    public static func tierWithoutBiomarker(_ alteration: Alteration, roles: [String: GeneRole]) -> Tier? {
        switch alteration.kind {
        case .variant:
            guard let effect = alteration.effect, effect.isNonSilentCoding, roles[alteration.gene] != nil else { return nil }
            let maxAF = alteration.populationFrequencies?.values.max() ?? 0
            return maxAF < 0.001 ? .tierIII : nil
        case .amplification: return roles[alteration.gene]?.oncogene == true ? .tierIII : nil
        case .deletion: return roles[alteration.gene]?.tumourSuppressor == true ? .tierIII : nil
        case .fusion:
            return [alteration.gene, alteration.partner ?? ""].contains { roles[$0]?.oncogene == true } ? .tierIII : nil
        case .tmbHigh, .msiHigh: return nil
        }
    }
}

/// Whether a gene acts as an oncogene, a tumour suppressor, or both (user-supplied, e.g. from the Cancer Gene Census).
public struct GeneRole: Codable, Sendable, Hashable {
    public var oncogene: Bool
    public var tumourSuppressor: Bool
    public init(oncogene: Bool, tumourSuppressor: Bool) {
        self.oncogene = oncogene
        self.tumourSuppressor = tumourSuppressor
    }
}
