public import Foundation

/// One evidence item as matched to one alteration, with how it bears on the tier.
public struct EvidenceMatch: Codable, Sendable, Hashable {
    public var evidence: EvidenceItem
    public var level: MatchLevel
    public var tumourType: TumourTypeMatch
    public var onLabel: Bool
    /// The tier this item alone supports (nil when it cannot define a tier: gene-only matches, "does not support").
    public var supportsTier: Tier?
}

/// An alteration with its tier, the evidence that set it, and its oncogenicity.
public struct Finding: Codable, Sendable, Hashable {
    public var alteration: Alteration
    public var tier: Tier
    /// Why this tier, in one sentence.
    public var reason: String
    /// Items that define the tier (PCGR's "tier-defining"), best first.
    public var tierDefining: [EvidenceMatch]
    /// Other matched items (other tumour types, weaker levels, gene-only matches), for review.
    public var additional: [EvidenceMatch]
    public var oncogenicity: OncogenicityResult?
}

/// Mismatch-repair gene alterations seen, as hints toward MSI (not a call: MSI needs a validated assay).
public struct MSIHints: Codable, Sendable, Hashable {
    /// The MSI status the user supplied, if any.
    public var suppliedStatus: String?
    public var mismatchRepairAlterations: [String]
    public var note: String
}

/// The full report: what was analysed, the findings ranked by tier, TMB, MSI hints, and the knowledge used.
public struct OncologyReport: Codable, Sendable {
    public var tumourType: OncoTreeNode?
    /// `ANY` for a tumour-agnostic run.
    public var tumourTypeCode: String
    public var primarySite: String
    public var tumourOnly: Bool
    public var siteMatching: SiteMatching
    public var inputs: [String]
    public var variantRecords: Int
    /// Tier I–III findings, by tier then evidence level.
    public var actionable: [Finding]
    /// Alterations whose only matches are gene-level (another change in the gene) or non-supporting: for review, not tiered.
    public var reviewOnly: [String]
    /// Counts of every finding by tier.
    public var tierCounts: [String: Int]
    public var tmb: TumourMutationalBurden?
    public var msi: MSIHints
    public var knowledge: [KnowledgeVersion]
    /// Every disclaimer of a knowledge source the report used (MOAlmanac's whenever its evidence is present in the knowledge).
    public var disclaimers: [String]
    public var notes: [String]

    /// JSON with sorted keys (stable output for diffs and tests).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
