public import Foundation

/// The one GA4GH Phenopacket schema v2 writer: the building blocks (features, variation descriptors, genomic
/// interpretations, meta data) as JSON objects in the protobuf JSON mapping (lowerCamelCase field names, enum names as
/// strings, RFC 3339 timestamps), so the result parses strictly with the `phenopackets` 2.0.2 protobuf bindings.
///
/// `tailor diagnose` (``Germline``'s candidate report) and the server's per-patient export
/// (`GET /api/v1/patients/{id}/phenopacket`) both assemble their documents from these pieces, so field names,
/// ontology terms and meta data are written in one place. ``Phenopacket`` is the matching reader.
public enum PhenopacketWriter {
    /// The schema version every document declares in `metaData.phenopacketSchemaVersion`.
    public static let schemaVersion = "2.0"

    /// An ontology the document's terms come from (`metaData.resources[]`).
    public struct Resource: Sendable, Hashable {
        public var id: String
        public var name: String
        public var url: String
        public var version: String
        public var namespacePrefix: String
        public var iriPrefix: String

        public init(id: String, name: String, url: String, version: String, namespacePrefix: String, iriPrefix: String) {
            self.id = id
            self.name = name
            self.url = url
            self.version = version
            self.namespacePrefix = namespacePrefix
            self.iriPrefix = iriPrefix
        }

        /// The Human Phenotype Ontology at the version of the knowledge pack the terms were checked against.
        public static func hpo(version: String) -> Resource {
            Resource(
                id: "hp", name: "human phenotype ontology", url: "http://purl.obolibrary.org/obo/hp.owl", version: version, namespacePrefix: "HP",
                iriPrefix: "http://purl.obolibrary.org/obo/HP_")
        }

        /// The Genotype Ontology, for allelic states. Tailor ships no GENO release, so its version is `unknown`.
        public static let geno = Resource(
            id: "geno", name: "Genotype Ontology", url: "http://purl.obolibrary.org/obo/geno.owl", version: "unknown", namespacePrefix: "GENO",
            iriPrefix: "http://purl.obolibrary.org/obo/GENO_")

        /// HGNC gene identifiers (taken from repository data, not a dated HGNC release, hence `unknown`).
        public static let hgnc = Resource(
            id: "hgnc", name: "HUGO Gene Nomenclature Committee", url: "https://www.genenames.org", version: "unknown", namespacePrefix: "HGNC",
            iriPrefix: "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/")

        var object: [String: Any] {
            ["id": id, "name": name, "url": url, "version": version, "namespacePrefix": namespacePrefix, "iriPrefix": iriPrefix]
        }
    }

    /// GENO allelic-state terms as phenopackets use them.
    public enum AllelicState: String, Sendable, CaseIterable {
        case hemizygous = "GENO:0000134"
        case heterozygous = "GENO:0000135"
        case homozygous = "GENO:0000136"
        case compoundHeterozygous = "GENO:0000402"

        public var label: String {
            switch self {
            case .hemizygous: "hemizygous"
            case .heterozygous: "heterozygous"
            case .homozygous: "homozygous"
            case .compoundHeterozygous: "compound heterozygous"
            }
        }
    }

    /// Phenopacket `Sex` for a FHIR administrative gender (`female`, `male`, `other`, anything else unknown).
    public static func sex(fhirGender: String) -> String {
        switch fhirGender.lowercased() {
        case "female": "FEMALE"
        case "male": "MALE"
        case "other": "OTHER_SEX"
        default: "UNKNOWN_SEX"
        }
    }

    public static func ontologyClass(_ id: String, label: String) -> [String: Any] { ["id": id, "label": label] }

    /// The subject (`Individual`). `dateOfBirth` is a `YYYY-MM-DD` date, written as the RFC 3339 timestamp protobuf needs.
    public static func subject(id: String, sex: String, dateOfBirth: String? = nil) -> [String: Any] {
        var subject: [String: Any] = ["id": id, "sex": sex]
        if let dateOfBirth { subject["dateOfBirth"] = dateOfBirth + "T00:00:00Z" }
        return subject
    }

    /// One phenotypic feature; `excluded` for a feature looked for and found absent; `onset` an RFC 3339 timestamp.
    public static func feature(id: String, label: String, excluded: Bool = false, onset: String? = nil) -> [String: Any] {
        var feature: [String: Any] = ["type": ontologyClass(id, label: label)]
        if excluded { feature["excluded"] = true }
        if let onset { feature["onset"] = ["timestamp": onset] }
        return feature
    }

    /// A VCF record inside a variation descriptor.
    public struct VCFRecord: Sendable, Hashable {
        public var assembly: String
        public var chrom: String
        public var position: Int
        public var ref: String
        public var alt: String

        public init(assembly: String, chrom: String, position: Int, ref: String, alt: String) {
            self.assembly = assembly
            self.chrom = chrom
            self.position = position
            self.ref = ref
            self.alt = alt
        }
    }

    /// A `VariationDescriptor`: the variant (or, for a pharmacogene, the called diplotype in `label`) in its gene.
    public struct VariationDescriptor: Sendable {
        public var id: String
        public var label: String?
        public var description: String?
        /// The gene's identifier (`HGNC:2621`, `NCBIGene:1`; the symbol when neither is known).
        public var geneID: String
        public var geneSymbol: String
        /// `(syntax, value)` pairs: `hgvs.c`, `hgvs.p`, …
        public var expressions: [(syntax: String, value: String)]
        public var vcf: VCFRecord?
        public var allelicState: AllelicState?

        public init(
            id: String, label: String? = nil, description: String? = nil, geneID: String, geneSymbol: String, expressions: [(syntax: String, value: String)] = [],
            vcf: VCFRecord? = nil, allelicState: AllelicState? = nil
        ) {
            self.id = id
            self.label = label
            self.description = description
            self.geneID = geneID
            self.geneSymbol = geneSymbol
            self.expressions = expressions
            self.vcf = vcf
            self.allelicState = allelicState
        }

        var object: [String: Any] {
            var descriptor: [String: Any] = ["id": id, "geneContext": ["valueId": geneID, "symbol": geneSymbol], "moleculeContext": "genomic"]
            if let label { descriptor["label"] = label }
            if let description { descriptor["description"] = description }
            if let vcf {
                descriptor["vcfRecord"] = ["genomeAssembly": vcf.assembly, "chrom": vcf.chrom, "pos": vcf.position, "ref": vcf.ref, "alt": vcf.alt]
            }
            if !expressions.isEmpty { descriptor["expressions"] = expressions.map { ["syntax": $0.syntax, "value": $0.value] } }
            if let allelicState { descriptor["allelicState"] = ontologyClass(allelicState.rawValue, label: allelicState.label) }
            return descriptor
        }
    }

    /// `AcmgPathogenicityClassification` for a ClinVar-style classification (`Pathogenic`, `Likely_pathogenic`,
    /// `Likely pathogenic`, `Pathogenic/Likely_pathogenic`, `Uncertain significance`, `Conflicting classifications`, …);
    /// `NOT_PROVIDED` for none or anything else.
    public static func acmgClassification(_ text: String?) -> String {
        switch text?.lowercased().replacingOccurrences(of: "_", with: " ") {
        case "pathogenic", "pathogenic/likely pathogenic": "PATHOGENIC"
        case "likely pathogenic": "LIKELY_PATHOGENIC"
        case "uncertain significance", "conflicting classifications": "UNCERTAIN_SIGNIFICANCE"
        case "likely benign": "LIKELY_BENIGN"
        case "benign", "benign/likely benign": "BENIGN"
        default: "NOT_PROVIDED"
        }
    }

    /// The expression syntax of an HGVS string by its reference-sequence type (`NM_…:c.` → `hgvs.c`; `hgvs` when unclear).
    public static func hgvsSyntax(_ expression: String) -> String {
        for kind in ["c", "p", "g", "n", "m", "r"] where expression.contains(":\(kind).") { return "hgvs.\(kind)" }
        return "hgvs"
    }

    /// A `GenomicInterpretation` with a variant interpretation. `status` is an `InterpretationStatus` name (`CANDIDATE`,
    /// `CONTRIBUTORY`, `CAUSATIVE`…); `acmg` an `AcmgPathogenicityClassification` name, `actionability` a
    /// `TherapeuticActionability` name (each left out when `nil`).
    public static func genomicInterpretation(
        subject: String, status: String, descriptor: VariationDescriptor, acmg: String? = nil, actionability: String? = nil
    ) -> [String: Any] {
        var variant: [String: Any] = ["variationDescriptor": descriptor.object]
        if let acmg { variant["acmgPathogenicityClassification"] = acmg }
        if let actionability { variant["therapeuticActionability"] = actionability }
        return ["subjectOrBiosampleId": subject, "interpretationStatus": status, "variantInterpretation": variant]
    }

    /// An `Interpretation` whose diagnosis lists `genomic` interpretations; `disease` is left out when there is none to
    /// name (a pharmacogenomic result is not a diagnosis of a disease).
    public static func interpretation(
        id: String, progressStatus: String, disease: (id: String, label: String)?, genomic: [[String: Any]], summary: String? = nil
    ) -> [String: Any] {
        var diagnosis: [String: Any] = ["genomicInterpretations": genomic]
        if let disease { diagnosis["disease"] = ontologyClass(disease.id, label: disease.label) }
        var interpretation: [String: Any] = ["id": id, "progressStatus": progressStatus, "diagnosis": diagnosis]
        if let summary { interpretation["summary"] = summary }
        return interpretation
    }

    /// The whole document. Empty `features`/`interpretations` are left out (proto3 writes no empty repeated fields).
    public static func document(
        id: String, subject: [String: Any], features: [[String: Any]], interpretations: [[String: Any]], created: Date, createdBy: String = "Tailor",
        resources: [Resource]
    ) -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        var document: [String: Any] = [
            "id": id, "subject": subject,
            "metaData": [
                "created": formatter.string(from: created), "createdBy": createdBy, "phenopacketSchemaVersion": schemaVersion,
                "resources": resources.map(\.object),
            ] as [String: Any],
        ]
        if !features.isEmpty { document["phenotypicFeatures"] = features }
        if !interpretations.isEmpty { document["interpretations"] = interpretations }
        return document
    }

    /// Pretty-printed JSON with sorted keys, so the same document is the same bytes.
    public static func json(_ document: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
