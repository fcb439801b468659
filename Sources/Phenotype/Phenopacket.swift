import Foundation

/// The parts of a GA4GH Phenopacket (schema v2) that phenotype-driven diagnosis reads: the subject, the
/// phenotypic features (with `excluded` for features looked for and absent), and, when the case is solved, the
/// diagnosis (used by the benchmark). Unknown fields are ignored, so newer schema versions still read.
public struct Phenopacket: Sendable, Hashable, Codable {
    public var id: String?
    public var subject: Subject?
    public var phenotypicFeatures: [PhenotypicFeature]?
    public var interpretations: [Interpretation]?
    public var diseases: [Disease]?

    public struct OntologyClass: Sendable, Hashable, Codable {
        public var id: String
        public var label: String?
    }

    public struct Subject: Sendable, Hashable, Codable {
        public var id: String?
        /// `MALE`, `FEMALE`, `OTHER_SEX` or `UNKNOWN_SEX`.
        public var sex: String?
        public var timeAtLastEncounter: TimeElement?
    }

    public struct TimeElement: Sendable, Hashable, Codable {
        public var age: Age?
        public struct Age: Sendable, Hashable, Codable {
            /// ISO 8601 duration, e.g. `P23Y`.
            public var iso8601duration: String?
        }
    }

    public struct PhenotypicFeature: Sendable, Hashable, Codable {
        public var type: OntologyClass
        /// True when the feature was looked for and found absent.
        public var excluded: Bool?
        public var onset: TimeElement?
    }

    public struct Interpretation: Sendable, Hashable, Codable {
        public var id: String?
        public var progressStatus: String?
        public var diagnosis: Diagnosis?
    }

    public struct Diagnosis: Sendable, Hashable, Codable {
        public var disease: OntologyClass?
        public var genomicInterpretations: [GenomicInterpretation]?
    }

    public struct GenomicInterpretation: Sendable, Hashable, Codable {
        public var interpretationStatus: String?
        public var variantInterpretation: VariantInterpretation?
        public var gene: GeneDescriptor?
    }

    public struct VariantInterpretation: Sendable, Hashable, Codable {
        public var variationDescriptor: VariationDescriptor?
    }

    public struct VariationDescriptor: Sendable, Hashable, Codable {
        public var geneContext: GeneDescriptor?
    }

    public struct GeneDescriptor: Sendable, Hashable, Codable {
        public var valueId: String?
        public var symbol: String?
    }

    public struct Disease: Sendable, Hashable, Codable {
        public var term: OntologyClass
        public var excluded: Bool?
    }

    /// Reads a phenopacket from JSON.
    ///
    /// - Throws: ``PhenotypeError/phenopacket(source:message:)`` naming `source` for JSON that is not a phenopacket.
    public init(json: [UInt8], source: String = "input") throws(PhenotypeError) {
        do {
            self = try JSONDecoder().decode(Phenopacket.self, from: Data(json))
        } catch let error as DecodingError {
            throw PhenotypeError.phenopacket(source: source, message: Self.describe(error))
        } catch {
            throw PhenotypeError.phenopacket(source: source, message: "\(error)")
        }
    }

    /// Reads a phenopacket file.
    public init(contentsOf path: String) throws(PhenotypeError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PhenotypeError.phenopacket(source: path, message: "cannot be read")
        }
        try self.init(json: [UInt8](data), source: path)
    }

    /// The phenotype to rank: observed and excluded features.
    ///
    /// - Throws: ``PhenotypeError/invalidTermID(_:)`` naming a feature whose ID is not an HPO ID.
    public func phenotypeQuery() throws(PhenotypeError) -> PhenotypeQuery {
        var observed: [HPOTermID] = []
        var excluded: [HPOTermID] = []
        for feature in phenotypicFeatures ?? [] {
            let id = try HPOTermID(parsing: feature.type.id)
            if feature.excluded == true { excluded.append(id) } else { observed.append(id) }
        }
        return PhenotypeQuery(observed: observed, excluded: excluded)
    }

    /// Gene symbols of the genomic interpretations marked causative (the benchmark's answer), in order.
    public var causativeGenes: [String] {
        var out: [String] = []
        for interpretation in interpretations ?? [] {
            for g in interpretation.diagnosis?.genomicInterpretations ?? [] where g.interpretationStatus == nil || g.interpretationStatus == "CAUSATIVE" {
                if let symbol = g.variantInterpretation?.variationDescriptor?.geneContext?.symbol ?? g.gene?.symbol, !out.contains(symbol) {
                    out.append(symbol)
                }
            }
        }
        return out
    }

    /// IDs of the diagnosed diseases (interpretations first, then `diseases` not marked excluded).
    public var diagnosedDiseases: [String] {
        var out: [String] = []
        for interpretation in interpretations ?? [] {
            if let id = interpretation.diagnosis?.disease?.id, !out.contains(id) { out.append(id) }
        }
        for disease in diseases ?? [] where disease.excluded != true && !out.contains(disease.term.id) { out.append(disease.term.id) }
        return out
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return keys.isEmpty ? "" : " at \(keys.hasPrefix(".") ? String(keys.dropFirst()) : keys)"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing '\(key.stringValue)'\(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(context.debugDescription)\(path(context))"
        case .dataCorrupted(let context): return "not valid JSON or not a phenopacket\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
