/// The oncogenicity classes of the ClinGen/CGC/VICC SOP (Horak et al. Genet Med 2022) with PCGR's thresholds.
public enum OncogenicityClass: String, Codable, Sendable, Hashable {
    case oncogenic = "Oncogenic", likelyOncogenic = "Likely oncogenic", uncertain = "VUS", likelyBenign = "Likely benign", benign = "Benign"
}

/// The criteria met by one variant, their points and the class.
public struct OncogenicityResult: Codable, Sendable, Hashable {
    public var criteria: [String]
    public var points: Int
    public var classification: OncogenicityClass
    /// Criteria that could not be assessed from the inputs and packs (and why), so a VUS is read as "unknown", not "benign".
    public var notAssessed: [String]
}

/// Scores a variant by the PCGR criteria that can be assessed offline: hotspots (OS3, OM4, OP3), population frequency
/// when the annotation carries gnomAD (SBVS1, SBS1, OP4), silent/intronic (SBP2), null variant or in-frame length change in a
/// gene of known role (OVS1, OM2, with user-supplied gene roles), and PCGR's proxy for OM1 (matching evidence at the
/// residue), and with the user's OncoKB token its curated oncogenicity and mutation effect (OS2, SBS2, OVS1_A/B).
/// Criteria needing ClinVar or dbNSFP (and OncoKB without a token) are listed as not assessed.
public enum Oncogenicity {
    public static func assess(
        _ a: Alteration, knowledge: OncologyKnowledge, roles: [String: GeneRole], residueEvidence: Bool
    ) -> OncogenicityResult {
        var met: [String] = []
        let oncokb = knowledge.oncokb?.answer(for: a)
        var notAssessed = ["ONCG_OS1/OM3 (ClinVar oncogenic variants not shipped)", "ONCG_OP1/SBP1 (dbNSFP predictions not shipped)"]
        if knowledge.oncokb == nil { notAssessed.insert("ONCG_OS2/OVS1_A/B/SBS2 (OncoKB not used: needs the user's token)", at: 1) }
        let p = knowledge.parameters
        let effect = a.effect ?? .noncoding
        // Hotspots (cancerhotspots.org), pan-cancer counts as PCGR does.
        if let protein = a.protein, let hotspot = knowledge.hotspots["\(a.gene):\(protein.position)"], hotspot.reference == protein.reference {
            let same = protein.substitutedResidue.flatMap { hotspot.variants[$0] } ?? 0
            let siteMin = Int(p["hotspot_site_samples"] ?? 50)
            let variantMin = Int(p["hotspot_variant_samples"] ?? 10)
            if same >= variantMin && hotspot.samplesAtPosition >= siteMin { met.append("ONCG_OS3") }
            else if same >= variantMin { met.append("ONCG_OM4") }
            else if same > 0 { met.append("ONCG_OP3") }
        }
        if residueEvidence && !met.contains("ONCG_OS3") { met.append("ONCG_OM1") }
        if let freqs = a.populationFrequencies, !freqs.isEmpty {
            let maxAF = freqs.values.max() ?? 0
            if maxAF >= (p["gnomad_very_common_af"] ?? 0.05) { met.append("ONCG_SBVS1") }
            else if maxAF >= (p["gnomad_common_af"] ?? 0.01) { met.append("ONCG_SBS1") }
            let rare = p["gnomad_extremely_rare_af"] ?? 0.00001
            if ["AFR", "AMR", "EAS", "NFE", "SAS"].allSatisfy({ (freqs[$0] ?? 0) < rare }) { met.append("ONCG_OP4") }
        } else {
            notAssessed.append("ONCG_OP4/SBS1/SBVS1 (no gnomAD frequencies in the annotation)")
        }
        if effect == .synonymous || effect == .noncoding { met.append("ONCG_SBP2") }
        // OncoKB-curated functional effect (PCGR's ONCG_OS2_A/B and ONCG_SBS2_A/B).
        switch oncokb?.oncogenic?.lowercased() {
        case "oncogenic": met.append("ONCG_OS2_A")
        case "likely oncogenic": met.append("ONCG_OS2_B")
        case "neutral": met.append("ONCG_SBS2_A")
        case "likely neutral": met.append("ONCG_SBS2_B")
        default: break
        }
        let knownEffect = oncokb?.mutationEffect?.knownEffect?.lowercased()
        if let role = roles[a.gene] {
            // A null variant in a tumour suppressor: OncoKB's curated loss of function grades it (OVS1_A/B) where it has one.
            if effect.isNull && role.tumourSuppressor && knownEffect == "loss-of-function" { met.append("ONCG_OVS1_A") }
            else if effect.isNull && role.tumourSuppressor && knownEffect == "likely loss-of-function" { met.append("ONCG_OVS1_B") }
            else if effect.isNull && role.tumourSuppressor { met.append("ONCG_OVS1") }
            else if (effect == .inframeDeletion || effect == .inframeInsertion) || (effect == .stopLost && role.tumourSuppressor) {
                met.append("ONCG_OM2")
            }
        } else {
            notAssessed.append("ONCG_OVS1/OM2 (gene role unknown: supply oncogene/tumour-suppressor roles)")
        }
        let points = met.reduce(0) { $0 + (knowledge.criteria[$1]?.points ?? 0) }
        let positive = met.filter { (knowledge.criteria[$0]?.points ?? 0) > 0 }.count
        let benign = met.contains { (knowledge.criteria[$0]?.points ?? 0) < 0 }
        return OncogenicityResult(
            criteria: met, points: points,
            classification: classify(points: points, positiveCodes: positive, anyBenign: benign, os1: met.contains("ONCG_OS1"), parameters: p),
            notAssessed: notAssessed)
    }

    /// PCGR's thresholds (≥9 oncogenic, 5–8 likely oncogenic, −1…−6 likely benign, ≤−7 benign) and its edge case: 4 points
    /// with at least three positive codes and no benign code, or with OS1, is likely oncogenic.
    public static func classify(points: Int, positiveCodes: Int, anyBenign: Bool, os1: Bool, parameters p: [String: Double]) -> OncogenicityClass {
        let oncogenic = Int(p["oncogenic_lower"] ?? 9)
        let likely = Int(p["likely_oncogenic_lower"] ?? 5)
        let likelyBenign = Int(p["likely_benign_upper"] ?? -1)
        let benign = Int(p["benign_upper"] ?? -7)
        if points >= oncogenic { return .oncogenic }
        if points >= likely { return .likelyOncogenic }
        if points == 4 && ((positiveCodes >= 3 && !anyBenign) || os1) { return .likelyOncogenic }
        if points <= benign { return .benign }
        if points <= likelyBenign { return .likelyBenign }
        return .uncertain
    }
}
