import Foundation
public import Phenotype

/// Why a variant was set aside. Every variant that does not reach a candidate gene has at least one.
public enum FilterCode: String, Sendable, Hashable, Codable, CaseIterable {
    case filterNotPass = "filter_not_pass"
    case lowQuality = "low_quality"
    case notInProband = "not_in_proband"
    case noGene = "no_gene"
    case frequency = "frequency"
    case consequenceNotDamaging = "consequence_not_damaging"
    case clinVarBenign = "clinvar_benign"
    case inheritanceIncompatible = "inheritance_incompatible"
}

public struct FilterReason: Sendable, Hashable, Codable {
    public var code: FilterCode
    public var message: String
}

/// One ALT allele with its evidence: annotation, frequency, ClinVar, genotypes, scores, and why it was filtered.
public struct VariantEvidence: Sendable, Hashable, Codable {
    public var chrom: String
    public var position: Int
    public var ref: String
    public var alt: String
    public var gene: String?
    public var consequence: Consequence?
    public var transcript: String?
    public var hgvsc: String?
    public var hgvsp: String?
    /// Population frequency in percent and its field; nil: unknown.
    public var frequencyPercent: Double?
    public var frequencySource: String?
    public var filter: [String]?
    public var quality: Double?
    /// The proband's genotype and, for sequenced relatives, theirs (member ID → zygosity).
    public var genotype: Zygosity
    public var familyGenotypes: [String: Zygosity]?
    public var deNovo: Bool
    public var clinVar: ClinVarRecord?
    /// Exomiser-style scores: effect default (1.0 for ClinVar P/LP), frequency score, and their product.
    public var pathogenicityScore: Double
    public var frequencyScore: Double
    public var variantScore: Double
    /// Empty for a variant that passed every filter.
    public var filterReasons: [FilterReason]

    public var label: String { "\(chrom):\(position) \(ref)>\(alt)" }
    public var passed: Bool { filterReasons.isEmpty }
}

/// The settings of variant filtering and scoring, named so that a report can state them.
public struct DiagnosisOptions: Sendable, Hashable, Codable {
    /// Above this population frequency (percent) a variant fits no mode (Exomiser's compound-heterozygous limit).
    public var maxFrequencyPercent = 2.0
    /// Variants whose FILTER is not PASS/`.` are set aside.
    public var requirePass = true
    /// QUAL below this is set aside (nil: not applied; callers' QUAL scales differ).
    public var minimumQuality: Double? = nil
    /// Effects with a lower default pathogenicity are not damaging (missense 0.6 passes; synonymous 0.1 does not).
    public var minimumPathogenicity = 0.5
    /// ClinVar P/LP variants bypass the frequency and consequence filters and score 1.0 (Exomiser's whitelist).
    public var clinVarWhitelist = true
    /// ClinVar Benign/Likely benign with at least this many review stars are set aside (nil: never).
    public var clinVarBenignMinimumStars: Int? = 1
    /// How many candidate genes to report.
    public var limit = 20
    /// For how many of them to list the phenotype term matches.
    public var explainTop = 20

    public init() {}
}

/// One candidate gene: phenotype match, the variants that fit its best mode of inheritance, and the combined score.
public struct GermlineCandidate: Sendable, Hashable, Codable {
    public var rank: Int
    public var gene: String
    /// NCBI Gene ID from the HPO gene links, when the gene is in them.
    public var ncbiGeneID: Int?
    public var combinedScore: Double
    /// Phenotype score as a fraction of the best gene's (0–1), the raw score, and the gene's phenotype-only rank.
    public var phenotypeScore: Double
    public var phenotypeRawScore: Double?
    public var phenotypeRank: Int?
    public var variantScore: Double
    public var mode: InheritanceMode
    /// e.g. `compound heterozygous`, `heterozygous, de novo`.
    public var genotypePattern: String
    /// The modes HPO annotates for the gene's diseases; empty: none annotated, all modes were tried.
    public var annotatedModes: [InheritanceMode]
    /// The gene's best-matching disease (HPO), when the gene is in the HPO annotations.
    public var diseaseID: String?
    public var diseaseName: String?
    public var inKnowledgeBase: Bool
    /// Patient feature ↔ disease feature pairs behind the phenotype score (best match per observed term).
    public var phenotypeMatches: [String]
    public var variants: [VariantEvidence]
}

/// Input facts a report states.
public struct GermlineInputSummary: Sendable, Hashable, Codable {
    public var vcf: String
    public var samples: [String]
    public var proband: String
    public var probandSex: Sex
    public var relatives: [String]
    public var annotation: String?
    public var frequencyFields: [String]
    public var recordsRead: Int
    public var allelesRead: Int
    public var clinVar: String?
    public var notes: [String]
    public var warnings: [String]
}

/// Phenotype + genotype ranking of candidate genes with every filtered variant and its reason.
public struct DiagnosticReport: Sendable, Codable {
    public var disclaimer: String
    public var hpo: HPORelease
    public var method: String
    public var options: DiagnosisOptions
    public var input: GermlineInputSummary
    public var observed: [ResolvedTerm]
    public var excluded: [ResolvedTerm]
    public var phenotypeWarnings: [String]
    /// Genes with at least one variant compatible with a mode of inheritance, best first (top `limit`).
    public var candidates: [GermlineCandidate]
    /// How many genes had a compatible genotype in all.
    public var candidateGenes: Int
    /// Count of filtered variants per reason code (a variant with several reasons counts under each).
    public var filterSummary: [String: Int]
    /// Every variant that was set aside, each with its reasons.
    public var filteredVariants: [VariantEvidence]
    public var secondaryFindings: SecondaryFindingsReport?
}

public enum GermlineDiagnosis {
    public static let disclaimer = "Decision support for qualified clinicians; not a diagnosis. Candidate variants need clinical review and confirmation."

    /// The documented combination: Exomiser's logistic regression for PhenIX-style (human-only semantic similarity)
    /// phenotype scores, combined = 1 / (1 + exp(−(−11.15659 + 13.21835·pheno + 4.08667·variant))).
    public static func combinedScore(phenotype: Double, variant: Double) -> Double {
        1 / (1 + exp(-(-11.15659 + 13.21835 * phenotype + 4.08667 * variant)))
    }

    /// Exomiser's frequency score: 1 when unknown, 0 above 2%, else 1.13533 − 0.13533·exp(AF%).
    public static func frequencyScore(percent: Double?) -> Double {
        guard let p = percent else { return 1 }
        if p > 2 { return 0 }
        return min(1, max(0, 1.13533 - 0.13533 * exp(p)))
    }

    static let method =
        "Variant score = frequency score (Exomiser: 1 if unknown, 0 above 2%, else 1.13533−0.13533·e^AF%) × pathogenicity (Exomiser "
        + "effect defaults from the most severe VEP/SnpEff consequence; 1.0 for ClinVar Pathogenic/Likely pathogenic). Per gene and "
        + "mode of inheritance (HPO annotations of the gene's diseases; all modes when none): best variant for AD/XD/MT/hemizygous, "
        + "mean of the two best for recessive (homozygous counts one variant twice), with Exomiser's per-mode frequency limits and "
        + "pedigree segregation. Phenotype score = the gene's phenotype-only score (Tailor Phenotype ranking) as a fraction of the best "
        + "gene's. Combined = Exomiser's PhenIX logistic: 1/(1+e^−(−11.15659+13.21835·pheno+4.08667·variant))."

    /// Ranks candidate genes for a patient from phenotype and VCF.
    ///
    /// - Parameters:
    ///   - family: who the proband is in the VCF and pedigree.
    ///   - clinVar: optional user-supplied ClinVar database (whitelist and evidence).
    public static func diagnose(
        knowledge: PhenotypeKnowledge, query: PhenotypeQuery, callSet: GermlineCallSet, family: FamilyContext, clinVar: ClinVarDatabase? = nil,
        options: DiagnosisOptions = DiagnosisOptions()
    ) throws -> DiagnosticReport {
        let resolved = try knowledge.resolve(query)
        let scores = knowledge.scores(resolved)
        return diagnose(
            knowledge: knowledge, resolved: resolved, scores: scores, callSet: callSet, family: family, clinVar: clinVar, options: options)
    }

    /// As ``diagnose(knowledge:query:callSet:family:clinVar:options:)`` with phenotype scores already computed.
    public static func diagnose(
        knowledge: PhenotypeKnowledge, resolved: ResolvedQuery, scores: PhenotypeScores, callSet: GermlineCallSet, family: FamilyContext,
        clinVar: ClinVarDatabase? = nil, options: DiagnosisOptions = DiagnosisOptions()
    ) -> DiagnosticReport {
        // Phenotype: gene score as a fraction of the best.
        let annotations = knowledge.annotations
        let bestPhenotype = scores.gene.filter { $0.isFinite }.max() ?? 0
        func phenotype(_ gene: String) -> (normalised: Double, raw: Double?, index: Int?) {
            guard let g = annotations.index(ofGene: gene), scores.gene[g].isFinite else { return (0, nil, nil) }
            let raw = scores.gene[g]
            return (bestPhenotype > 0 ? max(0, raw) / bestPhenotype : 0, raw, g)
        }

        // 1. Variant filters and scores.
        var evidence: [VariantEvidence] = []
        evidence.reserveCapacity(callSet.variants.count)
        var whitelisted: [Bool] = []
        for v in callSet.variants {
            let (e, w) = assess(v, family: family, clinVar: clinVar, options: options)
            evidence.append(e)
            whitelisted.append(w)
        }

        // 2. Genes: inheritance modes and gene scores.
        var byGene: [String: [Int]] = [:]
        for (i, e) in evidence.enumerated() where e.passed { byGene[e.gene!, default: []].append(i) }
        var candidates: [GermlineCandidate] = []
        for (gene, indices) in byGene {
            let annotated = knowledge.inheritanceModes(ofGene: gene)
            let modes = annotated.isEmpty ? Set(InheritanceMode.allCases) : annotated
            let variants = indices.map { callSet.variants[$0] }
            let vs = indices.map { evidence[$0].variantScore }
            let wl = indices.map { whitelisted[$0] }
            let evaluations = modes.sorted().map { InheritanceCheck.evaluate(variants, scores: vs, whitelisted: wl, mode: $0, family: family) }
            // A variant is set aside when no mode accepts it.
            for (k, i) in indices.enumerated() {
                let accepted = evaluations.contains { $0.compatible && $0.reasons[k] == nil }
                if !accepted {
                    let why = evaluations.compactMap { $0.reasons[k] }
                    let text =
                        why.isEmpty
                        ? "no compatible genotype for \(modes.sorted().map(\.rawValue).joined(separator: "/"))" : why.joined(separator: "; ")
                    evidence[i].filterReasons.append(FilterReason(code: .inheritanceIncompatible, message: text))
                }
            }
            guard let best = evaluations.filter(\.compatible).max(by: { ($0.score, $1.mode) < ($1.score, $0.mode) }) else { continue }
            let p = phenotype(gene)
            var used: [Int] = []
            for k in best.contributing where !used.contains(k) { used.append(k) }
            let disease = p.index.map { Int(scores.geneBestDisease[$0]) }
            candidates.append(
                GermlineCandidate(
                    rank: 0, gene: gene, ncbiGeneID: p.index.map { annotations.geneIDs[$0] }, combinedScore: combinedScore(phenotype: p.normalised, variant: best.score), phenotypeScore: p.normalised,
                    phenotypeRawScore: p.raw, phenotypeRank: p.raw.map { PhenotypeScores.pessimisticRank(of: $0, in: scores.gene) },
                    variantScore: best.score, mode: best.mode, genotypePattern: best.pattern, annotatedModes: annotated.sorted(),
                    diseaseID: disease.map { annotations.diseaseIDs[$0] }, diseaseName: disease.map { annotations.diseaseNames[$0] },
                    inKnowledgeBase: p.index != nil, phenotypeMatches: [], variants: used.map { evidence[indices[$0]] }))
        }
        candidates.sort {
            ($0.combinedScore, $0.variantScore, $1.gene) > ($1.combinedScore, $1.variantScore, $0.gene)
        }
        for i in candidates.indices {
            candidates[i].rank = i > 0 && candidates[i].combinedScore == candidates[i - 1].combinedScore ? candidates[i - 1].rank : i + 1
        }
        let total = candidates.count
        candidates = Array(candidates.prefix(options.limit))
        for i in candidates.indices.prefix(options.explainTop) {
            if let id = candidates[i].diseaseID, let d = annotations.index(ofDisease: id) {
                candidates[i].phenotypeMatches = matches(knowledge: knowledge, query: resolved, disease: d)
            }
        }

        let filtered = evidence.filter { !$0.passed }
        var summary: [String: Int] = [:]
        for e in filtered { for r in Set(e.filterReasons.map(\.code)) { summary[r.rawValue, default: 0] += 1 } }
        let input = GermlineInputSummary(
            vcf: callSet.path, samples: callSet.samples, proband: family.proband.member.id, probandSex: family.proband.member.sex,
            relatives: family.others.filter { $0.sample != nil }.map { "\($0.member.id) (\($0.member.status.rawValue))" },
            annotation: callSet.annotationTool?.rawValue, frequencyFields: callSet.frequencyFields, recordsRead: callSet.recordsRead,
            allelesRead: callSet.variants.count, clinVar: clinVar?.label, notes: callSet.notes, warnings: callSet.warnings)
        return DiagnosticReport(
            disclaimer: disclaimer, hpo: knowledge.release, method: method, options: options, input: input, observed: resolved.observedTerms,
            excluded: resolved.excludedTerms, phenotypeWarnings: resolved.warnings, candidates: candidates, candidateGenes: total,
            filterSummary: summary, filteredVariants: filtered, secondaryFindings: nil)
    }

    /// Variant-level filters and scores (everything but inheritance). Returns the evidence and whether ClinVar
    /// whitelists the variant.
    static func assess(_ v: GermlineVariant, family: FamilyContext, clinVar: ClinVarDatabase?, options: DiagnosisOptions) -> (VariantEvidence, Bool) {
        let z = family.proband(v)
        let cv = clinVar?.lookup(v)
        let whitelisted = options.clinVarWhitelist && (cv?.classification.isPathogenicOrLikelyPathogenic ?? false)
        let annotation = v.annotations.first
        let pathogenicity = whitelisted ? 1.0 : (annotation?.consequence.defaultPathogenicity ?? 0)
        let fScore = whitelisted ? 1.0 : frequencyScore(percent: v.frequency.percent)
        var reasons: [FilterReason] = []
        if options.requirePass && !v.passed {
            reasons.append(FilterReason(code: .filterNotPass, message: "FILTER is \(v.filters!.joined(separator: ";")), not PASS"))
        }
        if let q = options.minimumQuality, (v.quality ?? 0) < q {
            reasons.append(FilterReason(code: .lowQuality, message: "QUAL \(v.quality.map { String($0) } ?? ".") below \(q)"))
        }
        if !z.carriesAlt {
            reasons.append(FilterReason(code: .notInProband, message: "the proband does not carry the ALT allele (\(z.rawValue))"))
        }
        if annotation == nil {
            reasons.append(FilterReason(code: .noGene, message: "no VEP/SnpEff annotation with a gene for this allele"))
        }
        if !whitelisted, let p = v.frequency.percent, p > options.maxFrequencyPercent {
            reasons.append(
                FilterReason(
                    code: .frequency,
                    message: "population frequency \(short(p))% (\(v.frequency.source ?? "?")) above \(short(options.maxFrequencyPercent))%, the highest any mode allows"))
        }
        if let annotation, !whitelisted, annotation.consequence.defaultPathogenicity < options.minimumPathogenicity {
            reasons.append(
                FilterReason(
                    code: .consequenceNotDamaging,
                    message: "\(annotation.consequence.term) (pathogenicity \(annotation.consequence.defaultPathogenicity)) is not damaging"))
        }
        if let cv, let minimum = options.clinVarBenignMinimumStars, cv.classification.isBenignOrLikelyBenign, cv.stars >= minimum {
            reasons.append(FilterReason(code: .clinVarBenign, message: "ClinVar: \(cv.summary)"))
        }
        var familyGenotypes: [String: Zygosity]?
        let relatives = family.relatives(v)
        if !relatives.isEmpty { familyGenotypes = Dictionary(relatives.map { ($0.member.id, $0.zygosity) }, uniquingKeysWith: { a, _ in a }) }
        let e = VariantEvidence(
            chrom: v.chrom, position: v.position, ref: v.ref, alt: v.alt, gene: annotation?.gene, consequence: annotation?.consequence,
            transcript: annotation?.transcript, hgvsc: annotation?.hgvsc, hgvsp: annotation?.hgvsp, frequencyPercent: v.frequency.percent,
            frequencySource: v.frequency.source, filter: v.filters, quality: v.quality, genotype: z, familyGenotypes: familyGenotypes,
            deNovo: family.isDeNovo(v), clinVar: cv, pathogenicityScore: pathogenicity, frequencyScore: fScore,
            variantScore: pathogenicity * fScore, filterReasons: reasons)
        return (e, whitelisted)
    }

    /// A percentage with at most 3 decimals, without Foundation's slow formatter (called for most variants of an exome).
    static func short(_ x: Double) -> String {
        let r = (x * 1000).rounded() / 1000
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// For each observed term, its best-matching feature of disease `d` and their most informative common ancestor.
    static func matches(knowledge: PhenotypeKnowledge, query: ResolvedQuery, disease d: Int) -> [String] {
        let features = knowledge.annotations.features(ofDisease: d).map(\.term)
        let o = knowledge.ontology
        return query.observed.map { q in
            var best: (feature: Int, ancestor: Int, ic: Double)?
            for t in features {
                let m = knowledge.mostInformativeCommonAncestor(q, t)
                if m.term >= 0, m.ic > (best?.ic ?? 0) { best = (t, m.term, m.ic) }
            }
            let patient = "\(o.id(at: q)) \(o.name(at: q))"
            guard let best else { return "\(patient): no shared feature" }
            let how = best.feature == q ? "exact" : "\(o.id(at: best.feature)) \(o.name(at: best.feature)); shared \(o.name(at: best.ancestor))"
            return "\(patient) ↔ \(how) (IC \(String(format: "%.2f", best.ic)))"
        }
    }
}
