import Foundation

extension Recipes {
    /// Care-plan rules as data: hypertension categories and drug thresholds per guideline version, lifestyle effects,
    /// the stress pathway, diabetes and CGM targets, antihypertensive classes, ACMG SF referral and SMART-goal
    /// templates. The source is a folder authored in the repository (`knowledge-src/careplan`), not a download, so
    /// every rule change is a reviewed commit; each rule in the files carries its own citation and `verify` flag.
    public static let careplan = PackBuilder.Recipe(
        name: "careplan",
        title: "Care-plan rules: hypertension (2017 ACC/AHA, 2025 AHA/ACC), lifestyle and stress, diabetes and CGM targets, ACMG SF referral, SMART goals",
        version: { _ in "2026.12-1" },
        sources: [
            PackManifest.Source(
                name: "2017 ACC/AHA high blood pressure guideline", url: "https://doi.org/10.1161/HYP.0000000000000065",
                revision: "Whelton PK et al., Hypertension 2018;71:e13 (tables as quoted by PMC8351755 T7 and the KSH position paper Table 7)",
                retrieved: "2026-12-06", licence: "published recommendations (facts), restated in Tailor's words",
                attribution: "Whelton PK et al. 2017 ACC/AHA guideline for the prevention, detection, evaluation and management of high blood pressure in adults. Hypertension 2018;71:e13.",
                covers: ["hypertension.json", "lifestyle.json", "drugs.json"]),
            PackManifest.Source(
                name: "2025 AHA/ACC high blood pressure guideline (ACC and AHA summaries)",
                url: "https://www.acc.org/latest-in-cardiology/articles/2025/10/01/01/new-in-clinical-guidance-hbp",
                revision: "ACC 'New in clinical guidance' 2025-10-01; AHA 'Top things to know' 2025-08-28", retrieved: "2026-12-06",
                licence: "published recommendations (facts), restated in Tailor's words", attribution: "2025 AHA/ACC/multisociety guideline for high blood pressure in adults.",
                covers: ["hypertension.json", "lifestyle.json", "drugs.json"]),
            PackManifest.Source(
                name: "AHA scientific statement on alternative approaches to lowering BP", url: "https://doi.org/10.1161/HYP.0b013e318293645f",
                revision: "Brook RD et al., Hypertension 2013;61:1360", retrieved: "2026-12-06", licence: "published recommendations (facts)",
                attribution: "Brook RD et al. Beyond medications and diet: alternative approaches to lowering blood pressure. Hypertension 2013;61:1360.",
                covers: ["stress.json"]),
            PackManifest.Source(
                name: "ADA Standards of Care in Diabetes 2025 and International Consensus on Time in Range", url: "https://doi.org/10.2337/dc25-S006",
                revision: "ADA 2025 section 6 (section 13 values marked verify); Battelino T et al., Diabetes Care 2019;42:1593", retrieved: "2026-12-06",
                licence: "published recommendations (facts)", attribution: "American Diabetes Association Standards of Care in Diabetes—2025; Battelino T et al. Diabetes Care 2019;42:1593.",
                covers: ["diabetes.json"]),
            PackManifest.Source(
                name: "ACMG secondary findings list", url: "https://www.ncbi.nlm.nih.gov/clinvar/docs/acmg/",
                revision: "SF v3.2 (Miller DT et al., Genet Med 2023;25:100866) + 3 genes of v3.3 (verify)", retrieved: "2026-12-06",
                licence: "gene lists are facts; cite the ACMG papers", attribution: "Miller DT et al. ACMG SF v3.2 list for reporting of secondary findings. Genet Med 2023;25:100866.",
                covers: ["surveillance.json"]),
            PackManifest.Source(
                name: "Tailor domain brief (SMART goal templates) and HL7 FHIR R4 Goal", url: "http://hl7.org/fhir/R4/goal.html",
                revision: "risk-and-care.md §2.6, §3.1–3.2", retrieved: "2026-12-06", licence: "Tailor project text; FHIR CC0",
                attribution: "Tailor project; HL7 FHIR R4.", covers: ["goals.json", "SOURCE.md"]),
        ],
        include: ["SOURCE.md", "hypertension.json", "lifestyle.json", "stress.json", "diabetes.json", "drugs.json", "surveillance.json", "goals.json"],
        extensions: [],
        notes: [
            "Authored in the repository under knowledge-src/careplan; rebuild with `tailor knowledge build careplan --source knowledge-src/careplan`.",
            "Every rule names its source (resolved in each file's `sources` table) and a `verify` flag for values not re-checked against the primary text.",
            "No gene-specific surveillance schedules, statin or diabetes-drug rules are included: the brief gives no citable source for them.",
        ])
}
