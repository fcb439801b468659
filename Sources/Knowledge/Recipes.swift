import Foundation

/// The recipes for the packs Tailor ships. Each names its upstream sources, licences and attribution.
public enum Recipes {
    /// All recipes by pack name.
    public static let all: [String: PackBuilder.Recipe] = ["pgx": pgx]

    /// Pharmacogenomics: PharmCAT's data (allele definitions, phenotype mappings, CPIC and DPWG
    /// recommendations, report messages, required positions), from `../shared/data/pharmcat`.
    public static let pgx = PackBuilder.Recipe(
        name: "pgx",
        title: "Pharmacogenomics: allele definitions, phenotypes and CPIC/DPWG recommendations (PharmCAT data)",
        version: { source in
            // The data version PharmCAT stamps into every definition file.
            let url = URL(fileURLWithPath: source + "/definition/alleles/CYP2C19_translation.json")
            let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: url)) as? [String: Any]
            guard let version = object?["version"] as? String else {
                throw KnowledgeError(pack: "pgx", path: "definition/alleles/CYP2C19_translation.json", message: "no \"version\" field")
            }
            return version
        },
        sources: [
            PackManifest.Source(
                name: "PharmCAT", url: "https://github.com/PharmGKB/PharmCAT",
                revision: "5431bf1187e50383df7e7db18ef67b36fc8b562e (v3.1.1 + 1); guidelines from tag v2.12.0", retrieved: "2026-11-21",
                licence: "MPL-2.0 (files redistributed unmodified, each keeps this licence)",
                attribution:
                    "Pharmacogenomics Clinical Annotation Tool (PharmCAT), PharmGKB/ClinPGx and CPIC. PharmCAT is a research tool; recommendations are shown as authored by CPIC or DPWG.",
                covers: [""]),
            PackManifest.Source(
                name: "CPIC", url: "https://cpicpgx.org", revision: "as packaged by PharmCAT (data 2025-11-05-00-25)", retrieved: "2026-11-21",
                licence: "CC0-1.0", attribution: "Clinical Pharmacogenetics Implementation Consortium (CPIC), https://cpicpgx.org",
                covers: ["definition/", "phenotype/", "reporter/guidelines_v2.12.0/CPIC_"]),
            PackManifest.Source(
                name: "ClinPGx (PharmGKB), including DPWG guideline annotations", url: "https://www.clinpgx.org",
                revision: "as packaged by PharmCAT", retrieved: "2026-11-21", licence: "CC-BY-SA-4.0",
                attribution: "ClinPGx/PharmGKB (https://www.pharmgkb.org), CC BY-SA 4.0; DPWG guidelines of the Royal Dutch Pharmacists Association",
                covers: ["reporter/", "phenotype/", "definition/alleles/CYP3A4"]),
            PackManifest.Source(
                name: "PharmVar", url: "https://www.pharmvar.org", revision: "star-allele nomenclature underlying the definitions",
                retrieved: "2026-11-21", licence: "cite PharmVar",
                attribution: "Pharmacogene Variation Consortium (PharmVar), https://www.pharmvar.org",
                covers: ["definition/"]),
        ],
        include: [
            "SOURCE.md", "definition/alleles/", "phenotype/", "phenotype/fallback/", "reporter/guidelines_v2.12.0/", "reporter/messages.json",
            "positions/pharmcat_positions.vcf", "positions/pharmcat_regions.bed", "docs/genes.tsv", "docs/drugs_by_source.tsv",
            "docs/phenotypes.tsv",
        ],
        extensions: [".json"],
        notes: [
            "phenotype/fallback/ holds older CPIC/DPWG mappings for CYP2D6, G6PD and RYR1 (the v3.1.1 files were not in the snapshot); re-check against CPIC before clinical use.",
            "reporter/guidelines_v2.12.0/ are the recommendation files of PharmCAT v2.12.0 (data 2024-03-25); FDA label annotations are not included.",
        ])
}
