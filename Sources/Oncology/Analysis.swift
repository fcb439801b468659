import Foundation

/// What to analyse and how: the request the CLI builds from its arguments.
public struct OncologyRequest: Sendable {
    /// OncoTree code, or `ANY` for a tumour-agnostic run.
    public var tumourType: String
    public var files: [String]
    /// Callable size of the assay in Mb; TMB is computed only when given.
    public var assayMb: Double?
    public var tumourOnly: Bool
    /// MSI status from the lab (`MSI-H` / `MSS`), if known.
    public var msiHigh: Bool?
    public var useMOAlmanac: Bool
    /// A CIViC nightly ClinicalEvidenceSummaries.tsv to import.
    public var civicFile: String?
    public var siteMatching: SiteMatching
    public var geneRoles: [String: GeneRole]
    public var threads: Int
    /// Which count decides TMB-high (all three are reported).
    public var tmbDefinition: TMBDefinition = .codingAndSilent
    /// OncoKB with the user's token; `nil` (the default) sends nothing anywhere.
    public var oncokb: OncoKBClient?

    public init(
        tumourType: String, files: [String], assayMb: Double? = nil, tumourOnly: Bool = false, msiHigh: Bool? = nil, useMOAlmanac: Bool = true,
        civicFile: String? = nil, siteMatching: SiteMatching = .lineage, geneRoles: [String: GeneRole] = [:], threads: Int = 1
    ) {
        self.tumourType = tumourType
        self.files = files
        self.assayMb = assayMb
        self.tumourOnly = tumourOnly
        self.msiHigh = msiHigh
        self.useMOAlmanac = useMOAlmanac
        self.civicFile = civicFile
        self.siteMatching = siteMatching
        self.geneRoles = geneRoles
        self.threads = threads
    }
}

/// The oncology analysis: files in, tiered report out.
public enum OncologyAnalysis {
    /// Mismatch-repair genes (Lynch syndrome genes: MLH1, MSH2, MSH6, PMS2, and EPCAM whose deletions silence MSH2).
    public static let mismatchRepairGenes: Set<String> = ["MLH1", "MSH2", "MSH6", "PMS2", "EPCAM"]

    /// What the CLI calls: loads the packs, reads the files, analyses.
    public static func run(_ request: OncologyRequest) async throws -> OncologyReport {
        var knowledge = try OncologyKnowledge.bundled(moalmanac: request.useMOAlmanac)
        // Validate the tumour type before reading any file, so a typo fails fast.
        if request.tumourType.uppercased() != "ANY" { _ = try knowledge.oncotree.node(for: request.tumourType) }
        if let civic = request.civicFile {
            knowledge.add(civic: try CIViCImport(tsv: InputReader.text(civic), path: civic, oncotree: knowledge.oncotree))
        }
        let inputs = try await InputReader.read(request.files, threads: request.threads)
        if let oncokb = request.oncokb {
            let answers = try await oncokb.annotate(inputs.alterations.filter(OncoKBAnnotations.worthAsking), tumourType: request.tumourType)
            knowledge.add(oncokb: answers, alterations: inputs.alterations)
        }
        return try analyse(inputs, request: request, knowledge: knowledge)
    }

    /// The pure core: alterations and knowledge in, report out.
    public static func analyse(_ inputs: TumourInputs, request: OncologyRequest, knowledge: OncologyKnowledge) throws(OncologyError) -> OncologyReport {
        let agnostic = request.tumourType.uppercased() == "ANY"
        let node = agnostic ? nil : try knowledge.oncotree.node(for: request.tumourType)
        var alterations = inputs.alterations
        var notes: [String] = []
        // TMB and MSI become alterations so that their evidence is matched and tiered like any other.
        var tmb: TumourMutationalBurden?
        if let mb = request.assayMb {
            let burden = TumourMutationalBurden.compute(alterations, assayMb: mb, tumourOnly: request.tumourOnly, definition: request.tmbDefinition)
            tmb = burden
            if burden.high { alterations.append(Alteration(kind: .tmbHigh, gene: "")) }
        } else if inputs.variantRecords > 0 {
            notes.append("TMB not computed: give the assay's callable size in Mb (--assay-mb).")
        }
        if request.msiHigh == true { alterations.append(Alteration(kind: .msiHigh, gene: "")) }
        let mmr = alterations.filter { $0.kind != .tmbHigh && mismatchRepairGenes.contains($0.gene) && ($0.kind != .variant || ($0.effect?.isNonSilentCoding ?? false)) }
        var msiNote = "Alterations in mismatch-repair genes suggest, but do not establish, MSI; confirm with an MSI or MMR immunohistochemistry assay."
        if request.tumourOnly { msiNote += " Tumour-only: some of these may be germline (Lynch syndrome); germline testing is indicated if suspected." }
        let msi = MSIHints(
            suppliedStatus: request.msiHigh.map { $0 ? "MSI-H" : "MSS" }, mismatchRepairAlterations: mmr.map(\.label), note: msiNote)

        var findings: [Finding] = []
        var reviewOnly: [String] = []
        var counts: [String: Int] = [:]
        for alteration in alterations {
            if alteration.kind == .variant, !(alteration.effect?.isNonSilentCoding ?? false) { continue }
            let finding = classify(alteration, node: node, agnostic: agnostic, request: request, knowledge: knowledge)
            counts[finding.tier.rawValue, default: 0] += 1
            if finding.tier <= .tierIII {
                findings.append(finding)
            } else if !finding.additional.isEmpty {
                // Only gene-level or non-supporting evidence: named for review, not expanded (it would dwarf the report).
                reviewOnly.append("\(finding.alteration.label) (\(finding.additional.count) gene-level or non-supporting items)")
            }
        }
        findings.sort { a, b in
            if a.tier != b.tier { return a.tier < b.tier }
            let la = a.tierDefining.first?.evidence.level ?? "Z"
            let lb = b.tierDefining.first?.evidence.level ?? "Z"
            return la != lb ? la < lb : a.alteration.label < b.alteration.label
        }
        let usedSources = Set(findings.flatMap { ($0.tierDefining + $0.additional).map(\.evidence.source) })
        var disclaimers: [String] = []
        if let moa = knowledge.disclaimers["moalmanac"], request.useMOAlmanac { disclaimers.append(moa) }
        if let oncokb = knowledge.disclaimers["oncokb"] { disclaimers.append(oncokb) }
        if !usedSources.isEmpty {
            notes.append("Evidence sources matched: \(usedSources.sorted().joined(separator: ", ")).")
        }
        if request.tumourOnly { notes.append("Tumour-only analysis: somatic status of each variant is not established.") }
        if request.geneRoles.isEmpty {
            notes.append("Tier III without a biomarker needs oncogene/tumour-suppressor roles (CGC/CancerMine), which are not shipped; variants without evidence are 'Not tiered'.")
        }
        for (reason, n) in knowledge.skipped.sorted(by: { $0.key < $1.key }) { notes.append("Knowledge not matched (\(reason)): \(n) items.") }
        return OncologyReport(
            tumourType: node, tumourTypeCode: node?.code ?? "ANY", primarySite: node.flatMap { knowledge.oncotree.primarySites[$0.tissue] } ?? "Any",
            tumourOnly: request.tumourOnly, siteMatching: request.siteMatching, inputs: inputs.files, variantRecords: inputs.variantRecords,
            actionable: findings, reviewOnly: reviewOnly, tierCounts: counts, tmb: tmb, msi: msi, knowledge: knowledge.versions, disclaimers: disclaimers,
            notes: notes + inputs.warnings)
    }

    /// Matches one alteration to the evidence and tiers it by PCGR's rules.
    static func classify(
        _ alteration: Alteration, node: OncoTreeNode?, agnostic: Bool, request: OncologyRequest, knowledge: OncologyKnowledge
    ) -> Finding {
        var candidates = knowledge.byGene[alteration.gene] ?? []
        if let partner = alteration.partner { candidates += knowledge.byGene[partner] ?? [] }
        if alteration.kind == .tmbHigh || alteration.kind == .msiHigh { candidates = knowledge.byGene[""] ?? [] }
        var matches: [EvidenceMatch] = []
        var seen = Set<Int>()
        for i in candidates where seen.insert(i).inserted {
            let item = knowledge.evidence[i]
            guard let level = Matcher.level(of: item.biomarker, for: alteration) else { continue }
            let relation = tumourRelation(item, node: node, oncotree: knowledge.oncotree)
            let onLabel = !agnostic && request.siteMatching.isOnLabel(relation)
            matches.append(EvidenceMatch(evidence: item, level: level, tumourType: relation, onLabel: onLabel, supportsTier: nil))
        }
        let residueEvidence = matches.contains { ($0.level == .proteinChange || $0.level == .codon) && $0.evidence.type != .predictive }
        let oncogenicity = alteration.kind == .variant
            ? Oncogenicity.assess(alteration, knowledge: knowledge, roles: request.geneRoles, residueEvidence: residueEvidence) : nil
        let oncogenic = oncogenicity.map { [.oncogenic, .likelyOncogenic].contains($0.classification) } ?? false
        let benign = oncogenicity.map { [.benign, .likelyBenign].contains($0.classification) } ?? false
        for k in matches.indices {
            let m = matches[k]
            // Tier-defining: supporting evidence at a precise level; effect-class evidence ("TP53 missense") not for a
            // benign or likely benign variant (AMP/ASCO/CAP Tier IV: a common polymorphism is not actionable because its
            // gene's other missense changes are); "any mutation" evidence only for an oncogenic variant.
            let precise = m.level < .geneEffect || (m.level == .geneEffect && !benign) || (m.level == .gene && oncogenic)
            guard precise, m.evidence.supports else { continue }
            matches[k].supportsTier = TierRules.tier(strong: m.evidence.isStrong, match: m.tumourType, onLabel: m.onLabel, agnostic: agnostic)
        }
        let defining = matches.filter { $0.supportsTier != nil }
        let best = defining.map { $0.supportsTier! }.min()
        var tier = best ?? .unclassified
        var reason: String
        if let best {
            let top = defining.filter { $0.supportsTier == best }.sorted { $0.evidence.level < $1.evidence.level }[0]
            reason = "\(top.evidence.isStrong ? "Strong" : "Weak") evidence (level \(top.evidence.level), \(top.evidence.source)) "
                + "for \(top.evidence.biomarker.label) in \(top.evidence.disease.isEmpty ? "an unspecified tumour type" : top.evidence.disease) "
                + "(\(describe(top.tumourType, onLabel: top.onLabel)))."
        } else if let t = TierRules.tierWithoutBiomarker(alteration, roles: request.geneRoles) {
            tier = t
            reason = "No biomarker evidence; coding change in a gene of known cancer role (PCGR's Tier III rule)."
        } else if let o = oncogenicity, o.classification == .benign || o.classification == .likelyBenign {
            tier = .tierIV
            reason = "Oncogenicity \(o.classification.rawValue) (\(o.points) points)."
        } else {
            reason = matches.isEmpty ? "No matching evidence in the knowledge used." : "Only gene-level or non-supporting evidence matched; shown for review."
        }
        func rank(_ a: EvidenceMatch, _ b: EvidenceMatch) -> Bool {
            if (a.supportsTier ?? .unclassified) != (b.supportsTier ?? .unclassified) { return (a.supportsTier ?? .unclassified) < (b.supportsTier ?? .unclassified) }
            if a.evidence.level != b.evidence.level { return a.evidence.level < b.evidence.level }
            if a.level != b.level { return a.level < b.level }
            return a.evidence.id < b.evidence.id
        }
        let tierDefining = defining.filter { $0.supportsTier == best }.sorted(by: rank)
        let additional = matches.filter { $0.supportsTier == nil || $0.supportsTier != best }.sorted(by: rank)
        return Finding(alteration: alteration, tier: tier, reason: reason, tierDefining: tierDefining, additional: additional, oncogenicity: oncogenicity)
    }

    static func tumourRelation(_ item: EvidenceItem, node: OncoTreeNode?, oncotree: OncoTree) -> TumourTypeMatch {
        switch item.scope {
        case .panCancer: return .panCancer
        case .panSolid: return node.map { oncotree.isHaematological($0.code) } == true ? .otherTumourType : .panCancer
        case .unmapped: return .otherTumourType
        case .specific:
            guard let node else { return .otherTumourType }
            let relations = item.oncotreeCodes.map { oncotree.relation(patient: node.code, evidence: $0) }
            let order: [TumourTypeMatch] = [.exact, .broader, .narrower, .samePrimarySite, .otherTumourType]
            return relations.min { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! } ?? .otherTumourType
        }
    }

    static func describe(_ match: TumourTypeMatch, onLabel: Bool) -> String {
        switch match {
        case .exact: return "this tumour type"
        case .broader: return "a broader type that includes this tumour"
        case .narrower: return "a subtype of this tumour type"
        case .samePrimarySite: return onLabel ? "same primary site" : "same primary site, another tumour type"
        case .panCancer: return "pan-cancer"
        case .otherTumourType: return "another tumour type"
        }
    }
}
