/// The code systems, profiles and codes the export writes. Fixed codes are the ones
/// `/work/shared/data/fhir-genomics-examples/profile-rules.json` (IG STU3 3.0.0) lists for each profile.
enum FHIRCodes {
    static let igBase = "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/"
    static let genomicReportProfile = igBase + "genomic-report"
    static let genotypeProfile = igBase + "genotype"
    static let therapeuticImplicationProfile = igBase + "therapeutic-implication"
    /// Extension on DiagnosticReport (slice `coded-note`), value CodedAnnotation.
    static let genomicReportNoteExtension = igBase + "genomic-report-note"
    /// Extension on Observation (slice `workflow-relatedArtifact` of implication profiles).
    static let relatedArtifactExtension = "http://hl7.org/fhir/StructureDefinition/workflow-relatedArtifact"

    static let loinc = "http://loinc.org"
    static let v20074 = "http://terminology.hl7.org/CodeSystem/v2-0074"
    static let observationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
    static let tbdCodes = "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs"
    static let hgnc = "http://www.genenames.org"
    static let rxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
}

/// HGNC IDs for the PGx genes, only those found in repository data (no network lookups):
/// - CYP2C19 HGNC:2621 — cds-hooks-examples/pgx-order-select-clopidogrel-request.json, genomics-operations outputs
///   (the IG example `Observation-Pgx-var-1011.json` writes HGNC:262, a typo the others contradict)
/// - CYP2C9 HGNC:2623, VKORC1 HGNC:23663 — fhir-genomics-examples Bundle-bundle-cgexample-withGrouping.json
/// - CYP2D6 HGNC:2625 — Observation-GenotypeExamplePharmVar.json
/// - HLA-A HGNC:4931 — Parameters-FindSubjectSpecificHaplotypesOutput.json; HLA-B HGNC:4932 — Observation-HLA-B-haplotype1.json
/// - RYR1 HGNC:10483 — Bundle-bundle-oncology-report-example.json
/// Other genes get `text` only (the gene-studied binding is extensible, so text is allowed).
let hgncIDs: [String: String] = [
    "CYP2C19": "HGNC:2621",
    "CYP2C9": "HGNC:2623",
    "CYP2D6": "HGNC:2625",
    "HLA-A": "HGNC:4931",
    "HLA-B": "HGNC:4932",
    "RYR1": "HGNC:10483",
    "VKORC1": "HGNC:23663",
]

/// Phenotype → LOINC answer in the IG's `genetic-therapeutic-implications-vs` (fsh/CGValueSets.fsh, STU3), the
/// extensible binding of therapeutic-implication `component[therapeutic-implication]`. Keys are lowercased.
/// Phenotypes not listed (e.g. "Uncertain Susceptibility", "-1639 GG") are written as text only.
let therapeuticImplicationAnswers: [String: (code: String, display: String)] = [
    "ultrarapid metabolizer": ("LA10315-2", "Ultrarapid metabolizer"),
    "normal metabolizer": ("LA25391-6", "Normal metabolizer"),
    "rapid metabolizer": ("LA25390-8", "Rapid metabolizer"),
    "intermediate metabolizer": ("LA10317-8", "Intermediate metabolizer"),
    "poor metabolizer": ("LA9657-3", "Poor metabolizer"),
    "increased function": ("LA25392-4", "Increased function"),
    "normal function": ("LA25393-2", "Normal function"),
    "decreased function": ("LA25395-7", "Decreased function"),
    "poor function": ("LA25394-0", "Poor function"),
]

/// The pharmacogene terminology above, for Tailor's other exports (the Phenopacket's gene context and
/// therapeutic actionability), so the HGNC table and the IG's phenotype answers stay in one place.
public enum PharmacogeneTerms {
    /// The HGNC ID of a pharmacogene (`CYP2C19` → `HGNC:2621`), when the table above knows it.
    public static func hgncID(_ symbol: String) -> String? { hgncIDs[symbol] }

    /// Whether a phenotype is one of the IG's metabolizer/function answers, and whether it is the normal one:
    /// `nil` for phenotypes outside that value set (HLA carrier status, "Indeterminate", …).
    public static func isNormal(phenotype: String) -> Bool? {
        let key = phenotype.lowercased()
        guard therapeuticImplicationAnswers[key] != nil else { return nil }
        return key.hasPrefix("normal")
    }
}
