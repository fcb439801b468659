public import Knowledge
import Foundation

/// The CPIC and DPWG guideline recommendations of the `pgx` pack (PharmCAT's reporter data), read from the
/// compact `derived/guidelines.json` the pack builder makes from `reporter/guidelines_v2.12.0/`.
///
/// Recommendation text is kept exactly as CPIC or DPWG authored it; Tailor only selects it.
public struct GuidelineLibrary: Sendable {
    public var guidelines: [Guideline]
    /// The pack version, cited with every recommendation.
    public var packVersion: String

    public struct Guideline: Sendable, Hashable {
        /// The pack file the guideline came from, e.g. `reporter/guidelines_v2.12.0/CPIC_clopidogrel_and_CYP2C19.json`.
        public var file: String
        public var id: String
        public var name: String
        /// `CPIC` or `DPWG`.
        public var source: String
        /// The guideline data's own version (PharmCAT's data export date).
        public var version: String
        public var url: String
        public var genes: [String]
        public var drugs: [String]
        public var citations: [Citation]
        public var recommendations: [Recommendation]
    }

    public struct Citation: Sendable, Hashable, Codable {
        public var pmid: String
        public var title: String
        public var journal: String
        public var year: Int
    }

    /// One row of a guideline: the text for the patients whose lookup keys match.
    public struct Recommendation: Sendable, Hashable {
        public var id: String
        public var population: String
        /// Strength as the guideline states it (Strong, Moderate, Optional, No recommendation, …).
        public var classification: String
        public var drugs: [String]
        /// The recommendation as authored (HTML).
        public var html: String
        /// The same as plain text (tags removed), derived when the pack was built.
        public var text: String
        public var implications: [String]
        /// Gene → phenotype, activity score or allele status (`No Result` when the gene must be uncalled).
        public var keys: [String: String]
        /// Gene → diplotype (sorted allele names joined by `/`), for DPWG's diplotype-specific rows.
        public var diplotypes: [String: String]
        public var dosingInformation: Bool
        public var alternateDrugAvailable: Bool
        public var otherPrescribingGuidance: Bool

        public init(
            id: String, population: String, classification: String, drugs: [String], html: String, text: String? = nil, implications: [String],
            keys: [String: String], diplotypes: [String: String], dosingInformation: Bool, alternateDrugAvailable: Bool,
            otherPrescribingGuidance: Bool
        ) {
            self.id = id
            self.population = population
            self.classification = classification
            self.drugs = drugs
            self.html = html
            self.text = text ?? HTMLText.plain(html)
            self.implications = implications
            self.keys = keys
            self.diplotypes = diplotypes
            self.dosingInformation = dosingInformation
            self.alternateDrugAvailable = alternateDrugAvailable
            self.otherPrescribingGuidance = otherPrescribingGuidance
        }
    }

    /// Loads the pack's guidelines.
    ///
    /// - Throws: ``KnowledgeError`` naming the file when it is missing or not in the expected shape.
    public init(pack: KnowledgePack) throws(KnowledgeError) {
        let path = "derived/guidelines.json"
        let bytes = try pack.data(path)
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(bytes))
        } catch {
            throw KnowledgeError(pack: pack.manifest.name, path: path, message: "unreadable: \(error)")
        }
        func text(_ i: Int) throws(KnowledgeError) -> String {
            guard document.texts.indices.contains(i) else {
                throw KnowledgeError(pack: pack.manifest.name, path: path, message: "text \(i) is out of range")
            }
            return document.texts[i]
        }
        var guidelines: [Guideline] = []
        for g in document.guidelines {
            var recommendations: [Recommendation] = []
            for r in g.recommendations {
                var implications: [String] = []
                for i in r.implications { implications.append(try text(i)) }
                recommendations.append(
                    Recommendation(
                        id: r.id, population: r.population, classification: r.classification, drugs: r.drugs, html: try text(r.text),
                        text: try text(r.plain),
                        implications: implications, keys: r.keys, diplotypes: r.diplotypes, dosingInformation: r.dosing,
                        alternateDrugAvailable: r.alternate, otherPrescribingGuidance: r.other))
            }
            guidelines.append(
                Guideline(
                    file: g.file, id: g.id, name: g.name, source: g.source, version: g.version, url: g.url, genes: g.genes, drugs: g.drugs,
                    citations: g.citations, recommendations: recommendations))
        }
        self.guidelines = guidelines
        self.packVersion = pack.manifest.version
    }

    public init(guidelines: [Guideline], packVersion: String) {
        self.guidelines = guidelines
        self.packVersion = packVersion
    }

    /// The file's shape (see the pack builder's `deriveGuidelines`).
    private struct Document: Decodable {
        var texts: [String]
        var guidelines: [StoredGuideline]
    }

    private struct StoredGuideline: Decodable {
        var file, id, name, source, version, url: String
        var genes, drugs: [String]
        var citations: [Citation]
        var recommendations: [StoredRecommendation]
    }

    private struct StoredRecommendation: Decodable {
        var id, population, classification: String
        var drugs: [String]
        var text: Int
        /// The text without tags.
        var plain: Int
        var implications: [Int]
        var keys, diplotypes: [String: String]
        var dosing, alternate, other: Bool
    }
}

/// What the recommender knows of one gene for one patient: the keys guideline rows are looked up by.
public struct GeneLookup: Sendable, Hashable {
    public var gene: String
    /// Phenotypes, activity scores or allele statuses (several when equally good diplotypes differ).
    public var keys: Set<String>
    /// The diplotypes behind the keys, as sorted allele names joined by `/`.
    public var diplotypes: Set<String>
    /// Keys tried only for a guideline none of whose rows matched `keys` (DPWG's "score (Phenotyping)" rows).
    public var fallbackKeys: Set<String>

    public init(gene: String, keys: Set<String>, diplotypes: Set<String>, fallbackKeys: Set<String> = []) {
        self.gene = gene
        self.keys = keys
        self.diplotypes = diplotypes
        self.fallbackKeys = fallbackKeys
    }

    /// A diplotype's lookup form: allele names sorted, joined by `/` (PharmCAT's diplotype key as a string).
    public static func diplotypeKey(_ alleles: [String]) -> String { alleles.sorted().joined(separator: "/") }
}

/// A recommendation that applies to this patient, with where it came from.
public struct MatchedRecommendation: Sendable, Hashable {
    public var drug: String
    public var guideline: GuidelineLibrary.Guideline
    public var recommendation: GuidelineLibrary.Recommendation
    /// The keys that matched, per gene (`No Result` for a gene the row expects to be uncalled).
    public var matchedKeys: [String: String]
}

extension GuidelineLibrary {
    /// Every recommendation row whose lookup keys all match the patient's genes, per drug, in guideline order.
    ///
    /// A row matches when, for each gene it names, the patient's gene has that key (or diplotype), or the row
    /// says `No Result` and the gene is uncalled. A row that needs only `No Result` is never returned: it would
    /// be advice given on no data. Within one guideline the most specific rows win: rows keyed on the patient's
    /// diplotype over rows keyed on a phenotype or score, and those over fallback keys. When equally good
    /// diplotypes lead to different keys, each matching row is returned, so the ambiguity stays visible.
    public func recommendations(for genes: [String: GeneLookup]) -> [MatchedRecommendation] {
        guidelines.indices.flatMap { recommendations(guideline: $0, for: genes) }
    }

    /// The matching rows of one guideline (by index); depends only on the lookups of that guideline's genes.
    public func recommendations(guideline index: Int, for genes: [String: GeneLookup]) -> [MatchedRecommendation] {
        var out: [MatchedRecommendation] = []
        do {
            let guideline = guidelines[index]
            var tiers: [[(GuidelineLibrary.Recommendation, [String: String])]] = [[], [], []]
            for row in guideline.recommendations {
                for fallback in [false, true] {
                    guard let (matched, byDiplotype) = Self.match(row, genes, fallback: fallback) else { continue }
                    tiers[byDiplotype ? 0 : fallback ? 2 : 1].append((row, matched))
                    break
                }
            }
            if guideline.recommendations.isEmpty {
                // A guideline applied by its own algorithm (CPIC warfarin): no keyed row, so point to it when the
                // patient has a call for any of its genes, rather than stay silent.
                let called = guideline.genes.filter { genes[$0].map { !$0.keys.isEmpty } ?? false }
                guard !called.isEmpty else { return out }
                let row = GuidelineLibrary.Recommendation(
                    id: "", population: "n/a", classification: "", drugs: guideline.drugs,
                    html:
                        "<p>[Tailor note, not guideline text] This \(guideline.source) guideline has no recommendation keyed on a phenotype: apply it as the guideline describes (for example its dosing algorithm), using the genotypes of \(called.joined(separator: ", ")). See \(guideline.url).</p>",
                    implications: [], keys: [:], diplotypes: [:], dosingInformation: false, alternateDrugAvailable: false,
                    otherPrescribingGuidance: true)
                for drug in guideline.drugs {
                    out.append(
                        MatchedRecommendation(
                            drug: drug, guideline: guideline, recommendation: row,
                            matchedKeys: Dictionary(uniqueKeysWithValues: called.map { ($0, "see guideline") })))
                }
                return out
            }
            guard let chosen = tiers.first(where: { !$0.isEmpty }) else { return out }
            for (row, matched) in chosen {
                for drug in row.drugs {
                    out.append(MatchedRecommendation(drug: drug, guideline: guideline, recommendation: row, matchedKeys: matched))
                }
            }
        }
        return out
    }

    /// The keys a row matched with, and whether a diplotype key was among them; `nil` when it does not apply.
    static func match(
        _ row: GuidelineLibrary.Recommendation, _ genes: [String: GeneLookup], fallback: Bool
    ) -> (matched: [String: String], byDiplotype: Bool)? {
        var matched: [String: String] = [:]
        var informative = false
        for (gene, key) in row.keys {
            let lookup = genes[gene]
            if key == Self.noResult {
                if let lookup, !lookup.keys.isEmpty { return nil }
                matched[gene] = key
            } else if let lookup, lookup.keys.contains(key) || (fallback && lookup.fallbackKeys.contains(key)) {
                matched[gene] = key
                informative = true
            } else {
                return nil
            }
        }
        for (gene, diplotype) in row.diplotypes {
            guard let lookup = genes[gene], lookup.diplotypes.contains(diplotype) else { return nil }
            matched[gene] = diplotype
            informative = true
        }
        return informative ? (matched, !row.diplotypes.isEmpty) : nil
    }

    /// PharmCAT's key for a gene without a call.
    public static let noResult = "No Result"
}
