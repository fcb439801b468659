/// A patient's phenotype: the features observed and those looked for and found absent.
public struct PhenotypeQuery: Sendable, Hashable, Codable {
    public var observed: [HPOTermID]
    public var excluded: [HPOTermID]

    public init(observed: [HPOTermID], excluded: [HPOTermID] = []) {
        self.observed = observed
        self.excluded = excluded
    }

    /// Parses HPO IDs as a user types them: each string may hold several IDs separated by commas (as in
    /// `--hpo HP:0001250,HP:0001263`).
    ///
    /// - Throws: ``PhenotypeError/invalidTermID(_:)`` naming the first text that is not an HPO ID.
    public init(parsing observed: [String], excluded: [String] = []) throws(PhenotypeError) {
        func ids(_ list: [String]) throws(PhenotypeError) -> [HPOTermID] {
            var out: [HPOTermID] = []
            for item in list {
                for part in item.split(separator: ",", omittingEmptySubsequences: false) {
                    out.append(try HPOTermID(parsing: part))
                }
            }
            return out
        }
        self.init(observed: try ids(observed), excluded: try ids(excluded))
    }
}

/// One term of a query as it was used: what was given, the current term used for it, and why they differ.
public struct ResolvedTerm: Sendable, Hashable, Codable {
    /// The ID as given.
    public var given: HPOTermID
    /// The current term used in its place (nil: the term was skipped, see `note`).
    public var used: HPOTermID?
    /// The name of the term used, or of the given term when known.
    public var name: String?
    /// Why `used` differs from `given`, or why the term was skipped.
    public var note: String?
}

/// A query mapped onto the ontology: term indices, and notes and warnings for the report.
public struct ResolvedQuery: Sendable {
    /// Current, phenotypic-abnormality terms, de-duplicated, in the order given.
    public var observed: [Int]
    public var excluded: [Int]
    /// Every given term, observed then excluded, with what became of it.
    public var observedTerms: [ResolvedTerm]
    public var excludedTerms: [ResolvedTerm]
    /// Terms replaced by current ones (alternative IDs, obsolete terms with a replacement).
    public var notes: [String]
    /// Terms skipped (unknown, obsolete without replacement, not a phenotypic abnormality).
    public var warnings: [String]
}

extension PhenotypeKnowledge {
    /// Maps a query onto this release: alternative IDs to their term, obsolete terms to their replacement (with a
    /// note), unknown and unusable terms skipped with a warning that names them.
    ///
    /// - Throws: ``PhenotypeError/contradictoryTerms(observed:excluded:)`` when an observed term is an excluded one
    ///   or a kind of it (after mapping),
    ///   ``PhenotypeError/noUsableObservedTerms(skipped:)`` when no observed term remains.
    public func resolve(_ query: PhenotypeQuery) throws(PhenotypeError) -> ResolvedQuery {
        var notes: [String] = []
        var warnings: [String] = []
        let version = release.version
        func label(_ i: Int) -> String { "\(ontology.ids[i]) (\(ontology.names[i]))" }
        func map(_ ids: [HPOTermID], role: String) -> ([Int], [ResolvedTerm]) {
            var indices: [Int] = []
            var terms: [ResolvedTerm] = []
            for id in ids {
                var term = ResolvedTerm(given: id, used: nil, name: nil, note: nil)
                var index: Int?
                switch ontology.status(of: id) {
                case .current(let i):
                    index = i
                case .alternative(of: let i):
                    index = i
                    term.note = "\(id) is an alternative ID of \(label(i)) in HPO \(version); \(ontology.ids[i]) used"
                    notes.append(term.note!)
                case .replaced(by: let i, let viaConsider):
                    index = i
                    let old = ontology.obsoleteName(id).map { " (\($0))" } ?? ""
                    term.note =
                        viaConsider
                        ? "\(id)\(old) is obsolete in HPO \(version); HPO suggests \(label(i)) instead (its only 'consider' term), used in its place"
                        : "\(id)\(old) is obsolete in HPO \(version) and replaced by \(label(i)); \(ontology.ids[i]) used"
                    notes.append(term.note!)
                case .obsolete(let name, let consider):
                    term.name = name.isEmpty ? nil : name
                    let suggestions = consider.isEmpty ? "" : " (HPO suggests considering \(consider.map(\.description).joined(separator: ", ")))"
                    term.note = "\(id)\(name.isEmpty ? "" : " (\(name))") is obsolete in HPO \(version) without a single replacement\(suggestions); skipped"
                    warnings.append(term.note!)
                case .unknown:
                    term.note = "\(id) is not in HPO \(version) (it may be newer than this release); skipped"
                    warnings.append(term.note!)
                }
                if let i = index {
                    term.used = ontology.ids[i]
                    term.name = ontology.names[i]
                    if let root = phenotypicAbnormality, !ontology.isA(i, root) {
                        term.note = "\(label(i)) is not a phenotypic abnormality (not under HP:0000118); not used for \(role) phenotype matching"
                        term.used = nil
                        warnings.append(term.note!)
                    } else if !indices.contains(i) {
                        indices.append(i)
                    }
                }
                terms.append(term)
            }
            return (indices, terms)
        }
        let (observed, observedTerms) = map(query.observed, role: "observed")
        let (excluded, excludedTerms) = map(query.excluded, role: "excluded")
        for o in observed {
            if let e = excluded.first(where: { ontology.isA(o, $0) }) {
                throw PhenotypeError.contradictoryTerms(observed: ontology.ids[o], excluded: ontology.ids[e])
            }
        }
        guard !observed.isEmpty else {
            throw PhenotypeError.noUsableObservedTerms(skipped: observedTerms.map { $0.note ?? $0.given.description })
        }
        return ResolvedQuery(
            observed: observed, excluded: excluded, observedTerms: observedTerms, excludedTerms: excludedTerms, notes: notes,
            warnings: warnings)
    }
}
