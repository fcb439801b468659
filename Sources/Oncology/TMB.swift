/// Which count the TMB-high call uses (all three are always reported).
///
/// The default is coding and silent variants, the Chalmers et al. (Genome Med 2017;9:34) method behind FoundationOne CDx,
/// the assay of the FDA's 2020 pembrolizumab TMB-H indication whose 10/Mb cut-off Tailor applies, and PCGR's default.
/// MOAlmanac and many pipelines count non-silent coding variants; a lab that validated its cut-off that way chooses it.
public enum TMBDefinition: String, Codable, Sendable, Hashable, CaseIterable {
    case codingAndSilent = "coding-and-silent"
    case nonSilent = "non-silent"
    case missense = "missense"
}

/// Tumour mutational burden from the somatic variants, PCGR's three definitions, divided by the assay's callable size.
public struct TumourMutationalBurden: Codable, Sendable, Hashable {
    public var assayMb: Double
    /// The count the TMB-high call uses.
    public var definition: TMBDefinition
    /// Coding and silent SNVs/indels (Chalmers et al. Genome Med 2017;9:34).
    public var codingAndSilent: Int
    public var codingNonSilent: Int
    public var missenseOnly: Int
    /// Coding and silent per Mb.
    public var perMb: Double
    public var nonSilentPerMb: Double
    public var missensePerMb: Double
    /// At or above the cut-off by ``definition``'s count.
    public var high: Bool
    /// The cut-off used for TMB-high, mutations per Mb.
    public var threshold: Double
    public var caveats: [String]

    /// TMB-high at ≥10 mutations/Mb: the FDA's 2020 pembrolizumab TMB-H indication (KEYNOTE-158, FoundationOne CDx), as the
    /// oncology brief and OncoKB use it.
    public static let defaultThreshold = 10.0

    /// Counts PASS variants with a coding consequence in the chosen transcript, once per genomic change.
    public static func compute(
        _ alterations: [Alteration], assayMb: Double, tumourOnly: Bool, threshold: Double = defaultThreshold, definition: TMBDefinition = .codingAndSilent
    ) -> TumourMutationalBurden {
        // One count per genomic change (a record annotated on several genes is one mutation).
        struct Change: Hashable {
            var chromosome: String
            var position: Int
            var ref: String
            var alt: String
        }
        var seen = Set<Change>()
        var all = 0, nonSilent = 0, missense = 0
        var likelyGermline = 0
        for a in alterations where a.kind == .variant && a.passed {
            guard let effect = a.effect, effect != .noncoding else { continue }
            let key = Change(chromosome: a.chromosome ?? a.gene, position: a.position ?? 0, ref: a.ref ?? "", alt: a.alt ?? a.proteinText ?? "")
            guard seen.insert(key).inserted else { continue }
            all += 1
            if effect.isNonSilentCoding { nonSilent += 1 }
            if effect == .missense { missense += 1 }
            if (a.populationFrequencies?.values.max() ?? 0) >= 0.01 { likelyGermline += 1 }
        }
        let mb = max(assayMb, 0.000_001)
        var caveats: [String] = []
        if assayMb < 1 { caveats.append("The assay covers less than 1 Mb: TMB from so small a target is unreliable.") }
        if tumourOnly {
            caveats.append(
                "Tumour-only sequencing: germline variants cannot be removed with a matched normal and inflate TMB"
                    + (likelyGermline > 0 ? " (\(likelyGermline) counted variants have a gnomAD frequency ≥ 1 %, likely germline)." : "."))
        }
        let perMb = Double(all) / mb
        let called: Double
        switch definition {
        case .codingAndSilent: called = perMb
        case .nonSilent: called = Double(nonSilent) / mb
        case .missense: called = Double(missense) / mb
        }
        return TumourMutationalBurden(
            assayMb: assayMb, definition: definition, codingAndSilent: all, codingNonSilent: nonSilent, missenseOnly: missense, perMb: perMb,
            nonSilentPerMb: Double(nonSilent) / mb, missensePerMb: Double(missense) / mb, high: called >= threshold, threshold: threshold,
            caveats: caveats)
    }
}

extension TumourMutationalBurden {
    /// The rate per Mb by the definition the call used.
    public var calledPerMb: Double {
        switch definition {
        case .codingAndSilent: perMb
        case .nonSilent: nonSilentPerMb
        case .missense: missensePerMb
        }
    }
}
