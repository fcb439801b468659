import Foundation
public import Knowledge

/// Which HPO release a result came from, and the acknowledgement the HPO licence requires wherever HPO data
/// are shown. Every ranking carries one.
public struct HPORelease: Sendable, Codable, Hashable {
    /// The release date, e.g. `2025-01-16`.
    public var version: String
    public var attribution: String
    public var licence: String
    public var url: String

    public init(version: String, attribution: String, licence: String, url: String = "https://hpo.jax.org") {
        self.version = version
        self.attribution = attribution
        self.licence = licence
        self.url = url
    }

    /// The standard HPO acknowledgement for `version`.
    public static func hpo(version: String) -> HPORelease {
        HPORelease(
            version: version, attribution: Recipes.hpoAttribution(version: version),
            licence: "HPO licence (https://hpo.jax.org/app/license): files used unmodified; HPO version shown with every result")
    }
}

/// The HPO ontology and annotations with everything phenotype matching needs precomputed as integer-indexed
/// arrays: information content per term, and each term's annotated diseases (the disease is annotated with the
/// term or a descendant) with the highest known frequency among those annotations.
///
/// Built once (about a second for the full release) and shared: it is an immutable value, safe across threads.
public struct PhenotypeKnowledge: Sendable {
    public let ontology: HPOntology
    public let annotations: DiseaseAnnotations
    public let release: HPORelease
    /// IC(t) = −ln p(t), p(t) = fraction of annotated diseases annotated with t or a descendant. A term no disease
    /// is annotated with takes the IC of its most informative annotated ancestor: the annotations say nothing more
    /// specific about it.
    public let informationContent: [Double]
    /// Number of diseases with at least one present phenotype feature (the denominator of p(t)).
    public let annotatedDiseaseCount: Int
    /// Term → diseases annotated with it or a descendant (CSR), with the highest known frequency estimate of
    /// those annotations (−1 when none is known).
    let propagatedStart: [Int32]
    let propagatedDiseases: [Int32]
    let propagatedFrequency: [Float]
    /// Term → diseases annotated *not* to have it (CSR).
    let negatedStart: [Int32]
    let negatedDiseases: [Int32]
    /// Weight of each disease feature (parallel to `annotations.terms`) in the disease→patient direction: its
    /// frequency estimate, 1 when unknown.
    let featureWeight: [Double]
    /// Per gene, the diseases its score is taken from (CSR): its OMIM diseases when it has any, otherwise all.
    let geneScoringStart: [Int32]
    let geneScoringDiseases: [Int32]
    /// Index of HP:0000118 Phenotypic abnormality, when the ontology has it.
    let phenotypicAbnormality: Int?

    public init(ontology: HPOntology, annotations: DiseaseAnnotations, release: HPORelease) {
        let n = ontology.count
        let diseaseCount = annotations.diseaseCount
        // Propagate each disease's present features to all their ancestors, keeping the highest known frequency.
        var stamp = [Int32](repeating: -1, count: n)
        var best = [Float](repeating: -1, count: n)
        var touched: [Int32] = []
        var triples: [(term: Int32, disease: Int32, frequency: Float)] = []
        triples.reserveCapacity(annotations.terms.count * 5)
        var termCounts = [Int32](repeating: 0, count: n + 1)
        var annotated = 0
        for d in 0..<diseaseCount {
            let range = Int(annotations.termStart[d])..<Int(annotations.termStart[d + 1])
            guard !range.isEmpty else { continue }
            annotated += 1
            touched.removeAll(keepingCapacity: true)
            for k in range {
                let f = Float(annotations.frequencies[k].estimate ?? -1)
                for a in ontology.ancestors(of: Int(annotations.terms[k])) {
                    let ai = Int(a)
                    if stamp[ai] != Int32(d) {
                        stamp[ai] = Int32(d)
                        best[ai] = f
                        touched.append(a)
                    } else if f > best[ai] {
                        best[ai] = f
                    }
                }
            }
            for a in touched {
                triples.append((a, Int32(d), best[Int(a)]))
                termCounts[Int(a) + 1] += 1
            }
        }
        for i in 0..<n { termCounts[i + 1] += termCounts[i] }
        var fill = Array(termCounts.dropLast())
        var propagatedDiseases = [Int32](repeating: 0, count: triples.count)
        var propagatedFrequency = [Float](repeating: 0, count: triples.count)
        for t in triples {
            let k = Int(fill[Int(t.term)])
            propagatedDiseases[k] = t.disease
            propagatedFrequency[k] = t.frequency
            fill[Int(t.term)] += 1
        }

        // Information content, filled top-down so that unannotated terms inherit their best ancestor's value.
        var ic = [Double](repeating: 0, count: n)
        let total = Double(max(annotated, 1))
        for t32 in ontology.topologicalOrder {
            let t = Int(t32)
            let count = Int(termCounts[t + 1] - termCounts[t])
            if count > 0 {
                ic[t] = -log(Double(count) / total)
            } else {
                ic[t] = ontology.parents(of: t).reduce(0) { max($0, ic[Int($1)]) }
            }
        }

        var negated: [(Int32, Int32)] = []
        for d in 0..<diseaseCount {
            for t in annotations.excludedFeatures(ofDisease: d) { negated.append((Int32(t), Int32(d))) }
        }
        var negatedStart = [Int32](repeating: 0, count: n + 1)
        for (t, _) in negated { negatedStart[Int(t) + 1] += 1 }
        for i in 0..<n { negatedStart[i + 1] += negatedStart[i] }
        var negatedFill = Array(negatedStart.dropLast())
        var negatedDiseases = [Int32](repeating: 0, count: negated.count)
        for (t, d) in negated {
            negatedDiseases[Int(negatedFill[Int(t)])] = d
            negatedFill[Int(t)] += 1
        }

        var geneScoringStart: [Int32] = [0]
        var geneScoringDiseases: [Int32] = []
        for g in 0..<annotations.geneCount {
            let all = annotations.diseases(ofGene: g)
            // OMIM entries are gene-specific; Orphanet entries are often clinical groups pooling several genes'
            // diseases, whose broad annotation sets would lift every gene in the group alike.
            let omim = all.filter { annotations.diseaseIDs[$0].hasPrefix("OMIM:") }
            geneScoringDiseases += (omim.isEmpty ? all : omim).map(Int32.init)
            geneScoringStart.append(Int32(geneScoringDiseases.count))
        }

        self.ontology = ontology
        self.annotations = annotations
        self.release = release
        self.informationContent = ic
        self.annotatedDiseaseCount = annotated
        self.propagatedStart = termCounts
        self.propagatedDiseases = propagatedDiseases
        self.propagatedFrequency = propagatedFrequency
        self.negatedStart = negatedStart
        self.negatedDiseases = negatedDiseases
        self.featureWeight = annotations.frequencies.map { $0.estimate ?? 1 }
        self.geneScoringStart = geneScoringStart
        self.geneScoringDiseases = geneScoringDiseases
        self.phenotypicAbnormality = ontology.index(of: .phenotypicAbnormality)
    }

    /// Reads the three HPO files (as bytes) and precomputes. `release` defaults to the ontology's own version.
    public init(obo: [UInt8], hpoa: [UInt8], genesToPhenotype: [UInt8], release: HPORelease? = nil) throws(PhenotypeError) {
        let ontology = try HPOntology(obo: obo)
        let annotations = try DiseaseAnnotations(hpoa: hpoa, genesToPhenotype: genesToPhenotype, ontology: ontology)
        self.init(ontology: ontology, annotations: annotations, release: release ?? .hpo(version: ontology.version ?? "unknown"))
    }

    /// Loads the `hpo` knowledge pack: every file checked against its manifest digest, the release and attribution
    /// taken from the manifest.
    public static func load(from pack: KnowledgePack) throws(PhenotypeError) -> PhenotypeKnowledge {
        // The three files decompress and hash independently: do it on all cores.
        let paths = ["hp.obo", "phenotype.hpoa", "genes_to_phenotype.txt"]
        let results = ResultBox(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: paths.count) { i in
            do throws(KnowledgeError) {
                results.set(i, .success(try pack.data(paths[i])))
            } catch {
                results.set(i, .failure(error))
            }
        }
        var files: [[UInt8]] = []
        for result in results.values {
            switch result {
            case .success(let bytes): files.append(bytes)
            case .failure(let error): throw PhenotypeError.knowledge(error.description)
            case nil: throw PhenotypeError.knowledge("knowledge pack \(pack.manifest.name): a file was not read")
            }
        }
        let source = pack.manifest.sources(for: "hp.obo").first
        let release = HPORelease(
            version: pack.manifest.version, attribution: source?.attribution ?? Recipes.hpoAttribution(version: pack.manifest.version),
            licence: source?.licence ?? "HPO licence (https://hpo.jax.org/app/license)", url: source?.url ?? "https://hpo.jax.org")
        let knowledge = try PhenotypeKnowledge(obo: files[0], hpoa: files[1], genesToPhenotype: files[2], release: release)
        if let obo = knowledge.ontology.version, obo != release.version {
            throw PhenotypeError.knowledge("knowledge pack \(pack.manifest.name): hp.obo is release \(obo) but the manifest says \(release.version)")
        }
        return knowledge
    }

    /// The `hpo` pack compiled into this build.
    public static func bundled() throws(PhenotypeError) -> PhenotypeKnowledge {
        let pack: KnowledgePack
        do throws(KnowledgeError) {
            pack = try KnowledgePack.bundled("hpo")
        } catch {
            throw PhenotypeError.knowledge(error.description)
        }
        return try load(from: pack)
    }

    /// Diseases annotated with `term` or a descendant, with the highest known frequency (−1: unknown).
    func propagated(_ term: Int) -> Range<Int> { Int(propagatedStart[term])..<Int(propagatedStart[term + 1]) }

    /// IC of a current term, by ID.
    public func informationContent(of id: HPOTermID) -> Double? { ontology.index(of: id).map { informationContent[$0] } }

    /// Resnik similarity: the IC of the most informative common ancestor of two current terms.
    public func resnik(_ a: Int, _ b: Int) -> Double { mostInformativeCommonAncestor(a, b).ic }

    /// The most informative common ancestor of two terms and its IC (the first, by index, among equals).
    public func mostInformativeCommonAncestor(_ a: Int, _ b: Int) -> (term: Int, ic: Double) {
        let other = Set(ontology.ancestors(of: b))
        var best = (term: -1, ic: -1.0)
        for x in ontology.ancestors(of: a) where other.contains(x) {
            let value = informationContent[Int(x)]
            if value > best.ic || (value == best.ic && Int(x) < best.term) { best = (Int(x), value) }
        }
        return best
    }

    /// Best-match average from `query` to `target` (both current term indices): the mean over query terms of the
    /// best Resnik similarity to any target term. Zero for an empty side.
    public func bestMatchAverage(_ query: [Int], _ target: [Int]) -> Double {
        guard !query.isEmpty, !target.isEmpty else { return 0 }
        return query.reduce(0) { sum, q in sum + target.reduce(0) { max($0, resnik(q, $1)) } } / Double(query.count)
    }
}

extension HPOTermID {
    /// HP:0000118, the root of the phenotypic-abnormality subontology: patient features are matched only under it.
    public static let phenotypicAbnormality = HPOTermID(118)
}

/// Collects the results of a concurrent loop (each slot written once, by one iteration).
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [Result<[UInt8], KnowledgeError>?]
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Result<[UInt8], KnowledgeError>) {
        lock.lock()
        values[i] = value
        lock.unlock()
    }
}
