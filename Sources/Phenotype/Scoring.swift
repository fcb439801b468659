import Foundation

/// The few constants of phenotype scoring, named so that a report can state them.
public struct PhenotypeScoring: Sendable, Hashable, Codable {
    /// Weight of the patient→disease best-match average in the combined score; the disease→patient direction gets
    /// the rest. 0.5 is the symmetric form (Phenomizer's funSimAvg).
    public var patientWeight: Double = 0.5
    /// An excluded patient feature counts against a disease only when the disease shows that feature (or a more
    /// specific one) at least this often: absence of an occasional feature is expected and says little.
    public var excludedFeatureMinimumFrequency: Double = 0.8
    /// Smallest likelihood ratio one contradiction contributes (LIRICAL-style: P(absent | disease) is never taken
    /// as zero). ln(0.05) ≈ −3.0 nats: each contradiction weighs about as much as a perfect match of a
    /// moderately specific term, in the opposite direction.
    public var contradictionLikelihoodFloor: Double = 0.05

    public init() {}
}

/// Scores of every disease and gene for one query (arrays by disease and gene index). Computing these is the
/// hot path; explanations are produced afterwards for the few candidates shown.
public struct PhenotypeScores: Sendable {
    /// Resnik best-match average, patient → disease: mean over observed terms of the best IC of a common ancestor
    /// with any of the disease's features.
    public var patientToDisease: [Double]
    /// Resnik best-match average, disease → patient, each disease feature weighted by its frequency.
    public var diseaseToPatient: [Double]
    /// PhenoDigm-style score, 0–100: the best single match and the average of best matches in both directions,
    /// each as a fraction of what the patient's own terms would score against themselves.
    public var phenoDigm: [Double]
    /// Sum of log likelihood ratios of contradictions (≤ 0): excluded patient features the disease usually shows,
    /// and observed features the disease is annotated not to have.
    public var contradiction: [Double]
    /// The ranking score: weighted best-match averages plus the contradictions averaged over observed terms.
    public var combined: [Double]
    /// Per gene: the combined score of its best disease (−∞ for a gene without a scorable disease) and that disease.
    public var gene: [Double]
    public var geneBestDisease: [Int32]

    /// Pessimistic rank (1-based) of `score` among `scores`: ties count against it, so a tie never flatters.
    public static func pessimisticRank(of score: Double, in scores: [Double]) -> Int {
        scores.reduce(0) { $0 + ($1 >= score ? 1 : 0) }
    }
}

extension PhenotypeKnowledge {
    /// Scores every disease and gene against a resolved query.
    ///
    /// Patient → disease: for each observed term q, the best Resnik similarity to disease D equals the highest IC
    /// among q's ancestors that D is (propagatedly) annotated with, so one pass over q's ancestors' disease lists
    /// scores all diseases at once. Disease → patient: the best similarity of each term t to the patient is the
    /// highest IC among t's ancestors shared with the patient, computed for all terms in one topological pass.
    public func scores(_ query: ResolvedQuery, scoring: PhenotypeScoring = PhenotypeScoring()) -> PhenotypeScores {
        let diseaseCount = annotations.diseaseCount
        let n = ontology.count
        var sumForward = [Double](repeating: 0, count: diseaseCount)
        var maxForward = [Double](repeating: 0, count: diseaseCount)
        var row = [Double](repeating: 0, count: diseaseCount)
        informationContent.withUnsafeBufferPointer { ic in
            propagatedDiseases.withUnsafeBufferPointer { diseases in
                row.withUnsafeMutableBufferPointer { row in
                    for q in query.observed {
                        for i in 0..<diseaseCount { row[i] = 0 }
                        for a in ontology.ancestors(of: q) {
                            let value = ic[Int(a)]
                            guard value > 0 else { continue }
                            for k in propagated(Int(a)) {
                                let d = Int(diseases[k])
                                if row[d] < value { row[d] = value }
                            }
                        }
                        for d in 0..<diseaseCount {
                            sumForward[d] += row[d]
                            if row[d] > maxForward[d] { maxForward[d] = row[d] }
                        }
                    }
                }
            }
        }

        // Best similarity of every term to the patient: its own IC if the patient's terms include it or a
        // descendant, otherwise its parents' best.
        var shared = [Bool](repeating: false, count: n)
        for q in query.observed { for a in ontology.ancestors(of: q) { shared[Int(a)] = true } }
        var bestToPatient = [Double](repeating: 0, count: n)
        for t32 in ontology.topologicalOrder {
            let t = Int(t32)
            if shared[t] {
                bestToPatient[t] = informationContent[t]
            } else {
                var value = 0.0
                for p in ontology.parents(of: t) where bestToPatient[Int(p)] > value { value = bestToPatient[Int(p)] }
                bestToPatient[t] = value
            }
        }
        var reverse = [Double](repeating: 0, count: diseaseCount)
        var reverseSum = [Double](repeating: 0, count: diseaseCount)
        var featureCount = [Int](repeating: 0, count: diseaseCount)
        for d in 0..<diseaseCount {
            var weighted = 0.0
            var weights = 0.0
            var plain = 0.0
            let range = Int(annotations.termStart[d])..<Int(annotations.termStart[d + 1])
            for k in range {
                let best = bestToPatient[Int(annotations.terms[k])]
                weighted += featureWeight[k] * best
                weights += featureWeight[k]
                plain += best
            }
            reverse[d] = weights > 0 ? weighted / weights : 0
            reverseSum[d] = plain
            featureCount[d] = range.count
        }

        let contradiction = contradictions(query, scoring: scoring)

        let observedCount = Double(query.observed.count)
        var combined = [Double](repeating: 0, count: diseaseCount)
        var phenoDigm = [Double](repeating: 0, count: diseaseCount)
        let optimal = query.observed.map { informationContent[$0] }
        let optimalMax = optimal.max() ?? 0
        let optimalAverage = optimal.reduce(0, +) / max(observedCount, 1)
        for d in 0..<diseaseCount {
            let forward = sumForward[d] / observedCount
            combined[d] = scoring.patientWeight * forward + (1 - scoring.patientWeight) * reverse[d] + contradiction[d] / observedCount
            let average = (sumForward[d] + reverseSum[d]) / (observedCount + Double(featureCount[d]))
            let maxPart = optimalMax > 0 ? maxForward[d] / optimalMax : 0
            let averagePart = optimalAverage > 0 ? average / optimalAverage : 0
            phenoDigm[d] = 50 * (maxPart + averagePart)
            sumForward[d] = forward
        }

        var gene = [Double](repeating: -.infinity, count: annotations.geneCount)
        var geneBest = [Int32](repeating: -1, count: annotations.geneCount)
        for g in 0..<annotations.geneCount {
            for k in Int(geneScoringStart[g])..<Int(geneScoringStart[g + 1]) {
                let d = geneScoringDiseases[k]
                // Ties between a gene's diseases go to the first listed, so the result is reproducible.
                if combined[Int(d)] > gene[g] {
                    gene[g] = combined[Int(d)]
                    geneBest[g] = d
                }
            }
        }
        return PhenotypeScores(
            patientToDisease: sumForward, diseaseToPatient: reverse, phenoDigm: phenoDigm, contradiction: contradiction, combined: combined,
            gene: gene, geneBestDisease: geneBest)
    }

    /// Gene scores from any per-disease scores (e.g. one component of ``PhenotypeScores``): each gene takes the
    /// best score among the diseases it is scored from; −∞ for a gene without one.
    public func geneScores(from diseaseScores: [Double]) -> [Double] {
        (0..<annotations.geneCount).map { g in
            (Int(geneScoringStart[g])..<Int(geneScoringStart[g + 1])).reduce(-Double.infinity) { max($0, diseaseScores[Int(geneScoringDiseases[$1])]) }
        }
    }

    /// Log likelihood ratios of contradictions, summed per disease (LIRICAL-style, see ``PhenotypeScoring``):
    /// - an excluded patient feature e that the disease shows (e or a descendant) with frequency f ≥ the minimum:
    ///   ln(max(1 − f, floor));
    /// - an observed feature q whose ancestor-or-self the disease is annotated not to have: ln(floor), once per q.
    func contradictions(_ query: ResolvedQuery, scoring: PhenotypeScoring) -> [Double] {
        var total = [Double](repeating: 0, count: annotations.diseaseCount)
        let floor = scoring.contradictionLikelihoodFloor
        for e in query.excluded {
            for k in propagated(e) {
                let f = Double(propagatedFrequency[k])
                if f >= scoring.excludedFeatureMinimumFrequency { total[Int(propagatedDiseases[k])] += log(max(1 - f, floor)) }
            }
        }
        guard !negatedDiseases.isEmpty else { return total }
        var seen = [Int](repeating: -1, count: annotations.diseaseCount)
        for (qi, q) in query.observed.enumerated() {
            for a in ontology.ancestors(of: q) {
                for k in Int(negatedStart[Int(a)])..<Int(negatedStart[Int(a) + 1]) {
                    let d = Int(negatedDiseases[k])
                    if seen[d] != qi {
                        seen[d] = qi
                        total[d] += log(floor)
                    }
                }
            }
        }
        return total
    }
}
