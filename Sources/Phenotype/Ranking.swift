import Foundation

/// An HPO term with its name, for reports.
public struct TermReference: Sendable, Hashable, Codable {
    public var id: HPOTermID
    public var name: String
}

/// Why a disease matched one patient feature: the disease feature that matched it best and the most informative
/// ancestor they share (the feature itself when it is the same term or the patient's term is an ancestor of it).
public struct TermMatch: Sendable, Hashable, Codable {
    public var patient: TermReference
    /// Nil when nothing but the root is shared: the feature is unexplained by this disease.
    public var disease: TermReference?
    public var frequency: String?
    public var commonAncestor: TermReference?
    /// Resnik similarity: the IC of the common ancestor.
    public var informationContent: Double
}

/// A patient feature that argues against a disease.
public struct Contradiction: Sendable, Hashable, Codable {
    public var patient: TermReference
    /// True: the patient's feature was excluded (looked for, absent); false: observed, but the disease is annotated
    /// not to show it.
    public var excludedInPatient: Bool
    public var disease: TermReference
    public var frequency: String?
    /// Natural log of the likelihood ratio this contributes (≤ 0).
    public var logLikelihoodRatio: Double
}

/// One ranked disease.
public struct DiseaseCandidate: Sendable, Hashable, Codable {
    /// Competition rank: tied scores share a rank.
    public var rank: Int
    public var id: String
    public var name: String
    public var score: Double
    public var patientToDisease: Double
    public var diseaseToPatient: Double
    public var phenoDigm: Double
    public var contradiction: Double
    /// Genes HPO links to this disease.
    public var genes: [String]
    public var matches: [TermMatch]
    public var contradictions: [Contradiction]
}

/// One ranked gene: the score and evidence of its best-matching disease.
public struct GeneCandidate: Sendable, Hashable, Codable {
    public var rank: Int
    public var symbol: String
    public var ncbiGeneID: Int
    public var score: Double
    public var disease: DiseaseCandidate
}

/// A phenotype-only ranking: what was asked, what was used, the ranked diseases and genes with their evidence, and
/// the HPO release and acknowledgement that must accompany it.
public struct PhenotypeRanking: Sendable, Codable {
    public var hpo: HPORelease
    public var method: String
    public var scoring: PhenotypeScoring
    public var observed: [ResolvedTerm]
    public var excluded: [ResolvedTerm]
    public var notes: [String]
    public var warnings: [String]
    /// How many diseases and genes were scored (the candidates below are the best of these).
    public var diseasesScored: Int
    public var genesScored: Int
    public var diseases: [DiseaseCandidate]
    public var genes: [GeneCandidate]
}

extension PhenotypeKnowledge {
    static let method =
        "Phenotype-only ranking: Resnik similarity (IC from HPO disease annotations, propagated up is_a), best-match average "
        + "patient→disease and frequency-weighted disease→patient; excluded patient features the disease usually shows, and "
        + "observed features the disease is annotated not to have, count against it (log likelihood ratio); PhenoDigm-style "
        + "score (best and average match against the patient's own optimum, 0–100) reported alongside. A gene takes the score "
        + "of its best OMIM disease (any disease when it has no OMIM one)."

    /// Ranks diseases and genes for a query and explains the best `limit` of each.
    ///
    /// - Throws: what ``resolve(_:)`` throws.
    public func rank(_ query: PhenotypeQuery, limit: Int = 20, scoring: PhenotypeScoring = PhenotypeScoring()) throws(PhenotypeError)
        -> PhenotypeRanking
    {
        let resolved = try resolve(query)
        return rank(resolved, limit: limit, scoring: scoring)
    }

    /// Ranks a resolved query (see ``rank(_:limit:scoring:)``).
    public func rank(_ query: ResolvedQuery, limit: Int = 20, scoring: PhenotypeScoring = PhenotypeScoring()) -> PhenotypeRanking {
        let scores = scores(query, scoring: scoring)
        let diseaseOrder = Self.topIndices(scores.combined, limit: limit)
        let ancestry = QueryAncestry(query, ontology: ontology)
        let diseases = diseaseOrder.map { candidate(disease: $0, scores: scores, query: query, scoring: scoring, ancestry: ancestry) }
        let scoredGenes = scores.gene.filter { $0 > -.infinity }.count
        let geneOrder = Self.topIndices(scores.gene, limit: limit)
        let genes = geneOrder.map { g in
            GeneCandidate(
                rank: Self.competitionRank(scores.gene[g], in: scores.gene), symbol: annotations.geneSymbols[g],
                ncbiGeneID: annotations.geneIDs[g], score: scores.gene[g],
                disease: candidate(disease: Int(scores.geneBestDisease[g]), scores: scores, query: query, scoring: scoring, ancestry: ancestry))
        }
        return PhenotypeRanking(
            hpo: release, method: Self.method, scoring: scoring, observed: query.observedTerms, excluded: query.excludedTerms,
            notes: query.notes, warnings: query.warnings, diseasesScored: annotations.diseaseCount, genesScored: scoredGenes,
            diseases: diseases, genes: genes)
    }

    /// The indices of the `limit` highest scores, best first; equal scores in index order (the order of the
    /// annotation files), so output is reproducible. One pass with a small sorted buffer: ranking must not sort
    /// every disease to show twenty.
    static func topIndices(_ scores: [Double], limit: Int) -> [Int] {
        guard limit > 0 else { return [] }
        var top: [(score: Double, index: Int)] = []
        top.reserveCapacity(limit + 1)
        for (i, score) in scores.enumerated() where score > -.infinity {
            if top.count == limit, score <= top[limit - 1].score { continue }
            // First position whose score is lower: equal scores keep index order.
            var lo = 0
            var hi = top.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if top[mid].score >= score { lo = mid + 1 } else { hi = mid }
            }
            top.insert((score, i), at: lo)
            if top.count > limit { top.removeLast() }
        }
        return top.map(\.index)
    }

    /// 1 + the number of strictly better scores.
    static func competitionRank(_ score: Double, in scores: [Double]) -> Int { 1 + scores.reduce(0) { $0 + ($1 > score ? 1 : 0) } }

    func reference(_ term: Int) -> TermReference { TermReference(id: ontology.ids[term], name: ontology.names[term]) }

    /// For each term, a bit per observed query term (in blocks of 64) that has it as an ancestor-or-self: one pass
    /// over a disease's features and their ancestors then finds every query term's best match at once.
    struct QueryAncestry {
        var blocks: [[UInt64]]

        init(_ query: ResolvedQuery, ontology: HPOntology) {
            blocks = stride(from: 0, to: query.observed.count, by: 64).map { start in
                var masks = [UInt64](repeating: 0, count: ontology.count)
                for (bit, q) in query.observed[start..<min(start + 64, query.observed.count)].enumerated() {
                    for a in ontology.ancestors(of: q) { masks[Int(a)] |= 1 << UInt64(bit) }
                }
                return masks
            }
        }
    }

    /// A disease's scores and evidence: for each observed term, its best-matching disease feature; the
    /// contradictions behind its penalty.
    func candidate(
        disease d: Int, scores: PhenotypeScores, query: ResolvedQuery, scoring: PhenotypeScoring, ancestry: QueryAncestry
    ) -> DiseaseCandidate {
        let features = annotations.features(ofDisease: d)
        typealias Best = (feature: Int, ancestor: Int, ic: Double, frequency: AnnotationFrequency)
        var bests = [Best?](repeating: nil, count: query.observed.count)
        for (block, masks) in ancestry.blocks.enumerated() {
            for (t, frequency) in features {
                for a in ontology.ancestors(of: t) {
                    var mask = masks[Int(a)]
                    guard mask != 0 else { continue }
                    let value = informationContent[Int(a)]
                    while mask != 0 {
                        let i = block * 64 + mask.trailingZeroBitCount
                        mask &= mask - 1
                        let q = query.observed[i]
                        let better: Bool
                        if let current = bests[i] {
                            // Prefer the higher IC, then an exact match, then the more frequent feature.
                            better =
                                value > current.ic
                                || (value == current.ic && t == q && current.feature != q)
                                || (value == current.ic && (t == q) == (current.feature == q)
                                    && (frequency.estimate ?? 1) > (current.frequency.estimate ?? 1))
                        } else {
                            better = true
                        }
                        if better { bests[i] = (t, Int(a), value, frequency) }
                    }
                }
            }
        }
        let matches = zip(query.observed, bests).map { q, best in
            if let best, best.ic > 0 {
                return TermMatch(
                    patient: reference(q), disease: reference(best.feature), frequency: best.frequency.text.isEmpty ? nil : best.frequency.text,
                    commonAncestor: reference(best.ancestor), informationContent: best.ic)
            }
            return TermMatch(patient: reference(q), disease: nil, frequency: nil, commonAncestor: nil, informationContent: 0)
        }

        var contradictions: [Contradiction] = []
        let floor = scoring.contradictionLikelihoodFloor
        for e in query.excluded {
            // The most frequent of the disease's features that are e or more specific than e.
            var worst: (feature: Int, frequency: AnnotationFrequency)?
            for (t, frequency) in features where ontology.isA(t, e) {
                if let f = frequency.estimate, f >= scoring.excludedFeatureMinimumFrequency, f > (worst?.frequency.estimate ?? -1) {
                    worst = (t, frequency)
                }
            }
            if let worst, let f = worst.frequency.estimate {
                contradictions.append(
                    Contradiction(
                        patient: reference(e), excludedInPatient: true, disease: reference(worst.feature), frequency: worst.frequency.text,
                        logLikelihoodRatio: log(max(1 - f, floor))))
            }
        }
        let negated = annotations.excludedFeatures(ofDisease: d)
        for q in query.observed {
            if let n = negated.first(where: { ontology.isA(q, $0) }) {
                contradictions.append(
                    Contradiction(
                        patient: reference(q), excludedInPatient: false, disease: reference(n), frequency: "NOT", logLikelihoodRatio: log(floor)))
            }
        }
        return DiseaseCandidate(
            rank: Self.competitionRank(scores.combined[d], in: scores.combined), id: annotations.diseaseIDs[d], name: annotations.diseaseNames[d],
            score: scores.combined[d], patientToDisease: scores.patientToDisease[d], diseaseToPatient: scores.diseaseToPatient[d],
            phenoDigm: scores.phenoDigm[d], contradiction: scores.contradiction[d],
            genes: annotations.genes(ofDisease: d).map { annotations.geneSymbols[$0] }.sorted(), matches: matches,
            contradictions: contradictions)
    }
}
