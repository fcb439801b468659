import Foundation

extension Recipes {
    /// Tumour profiling knowledge that may ship with every build: the OncoTree cancer-type ontology (CC BY 4.0),
    /// cancer hotspots (ODbL 1.0) and PCGR's oncogenicity criteria and tumour sites (MIT), from the data root
    /// (`../shared/data`, holding `oncotree/`, `cancerhotspots/` and `pcgr/`).
    ///
    /// Source files are copied unmodified; the `derived/` files are compact forms computed at build time so the
    /// analyser loads in milliseconds, each saying which source file it came from.
    public static let oncology = PackBuilder.Recipe(
        name: "oncology",
        title: "Tumour profiling: OncoTree, cancer hotspots and PCGR oncogenicity criteria",
        version: { source in
            // The OncoTree release is in its file name; hotspots and PCGR are pinned in their SOURCE.md files.
            let names = try FileManager.default.contentsOfDirectory(atPath: source + "/oncotree")
            guard let tree = names.filter({ $0.hasPrefix("oncotree_") && $0.hasSuffix(".tsv") }).sorted().last else {
                throw KnowledgeError(pack: "oncology", path: "oncotree/", message: "no oncotree_<date>.tsv")
            }
            let release = tree.dropFirst("oncotree_".count).dropLast(".tsv".count)
            return "oncotree \(release); cancerhotspots v2; pcgr 2.3.2"
        },
        sources: [
            PackManifest.Source(
                name: "OncoTree", url: "https://github.com/cBioPortal/oncotree",
                revision: "trees/oncotree_2025_10_03.json at b362db70f6472fb6349329d1ef6d8f3dcef7d083", retrieved: "2026-11-30",
                licence: "CC-BY-4.0",
                attribution: "OncoTree, Memorial Sloan Kettering Cancer Center, oncotree.mskcc.org (CC BY 4.0). Kundra R et al. JCO Clin Cancer Inform 2021;5:221.",
                covers: ["oncotree/", "derived/tissue_sites.tsv"]),
            PackManifest.Source(
                name: "Cancer Hotspots", url: "https://www.cancerhotspots.org",
                revision: "v2 single-residue table (24,592 samples), via vanallenlab/moalmanac 5dcc132a datasources/cancerhotspots",
                retrieved: "2026-11-30", licence: "ODbL-1.0 (adapted databases that are publicly used stay under ODbL)",
                attribution: "Cancer Hotspots, Memorial Sloan Kettering Cancer Center (ODbL). Chang MT et al. Nat Biotechnol 2016;34:155; Chang MT et al. Cancer Discov 2018;8:174.",
                covers: ["cancerhotspots/", "derived/hotspots.tsv"]),
            PackManifest.Source(
                name: "PCGR (Personal Cancer Genome Reporter)", url: "https://github.com/sigven/pcgr",
                revision: "v2.3.2, 8cca3c0cbd211a975e1d1c452c57cc4fe25edc21 (pcgrr/data-raw/oncogenicity.tsv; pcgr/pcgr_vars.py ONCOGENICITY, ONCOGENICITY_THRESHOLDS)",
                retrieved: "2026-11-30", licence: "MIT (Copyright (c) Sigve Nakken)",
                attribution: "PCGR, Sigve Nakken et al. Bioinformatics 2018;34:1778 (MIT). Oncogenicity criteria: Horak P et al. Genet Med 2022;24:986 (ClinGen/CGC/VICC SOP).",
                covers: ["pcgr/", "derived/oncogenicity_parameters.tsv", "derived/tissue_sites.tsv"]),
        ],
        include: [
            "oncotree/SOURCE.md", "oncotree/oncotree_2025_10_03.json", "oncotree/oncotree_2025_10_03.tsv",
            "cancerhotspots/SOURCE.md", "cancerhotspots/hotspots_v2_single_residue.tsv",
            "pcgr/SOURCE.md", "pcgr/LICENSE.MIT.md", "pcgr/oncogenicity_criteria.tsv", "pcgr/tumor_sites.tsv",
        ],
        extensions: [],
        notes: [
            "derived/hotspots.tsv is a compact form of cancerhotspots/hotspots_v2_single_residue.tsv (ODbL, as its source): rows 'gene position ref_aa samples_at_position variant:samples,…' for single-residue hotspots (splice-site rows are left out).",
            "derived/oncogenicity_parameters.tsv holds PCGR's numeric settings for the oncogenicity criteria (gnomAD frequency cut-offs, hotspot sample counts, classification thresholds) as written in pcgr/pcgr_vars.py and pcgr/oncogenicity.py of v2.3.2.",
            "derived/tissue_sites.tsv maps each OncoTree tissue (level-1 node) to a PCGR primary site: equal names, plus Bowel = Colon/Rectum; Penis and Other have no PCGR site (Any), as oncotree/SOURCE.md states.",
            "Cancer hotspots v1 (2016) and the in-frame indel hotspots are not included; 3D hotspots carry no licence and are not included.",
        ],
        derive: { source in
            try deriveHotspots(source).merging(try deriveTissueSites(source)) { a, _ in a }
                .merging(oncogenicityParameters()) { a, _ in a }
        })

    /// The Molecular Oncology Almanac knowledge base (GPL-2.0 with a research-use-only disclaimer), from
    /// `../shared/data/moalmanac`. A separate, optional pack: a report that uses it shows its disclaimer.
    public static let moalmanac = PackBuilder.Recipe(
        name: "moalmanac",
        title: "Molecular Oncology Almanac (MOAlmanac) assertions — research use only",
        version: { _ in "2025-12-26 database release (moalmanac-db 7815662b)" },
        sources: [
            PackManifest.Source(
                name: "Molecular Oncology Almanac (moalmanac-db)", url: "https://github.com/vanallenlab/moalmanac-db",
                revision: "7815662ba908d80366fa52ecc5172814aecadabc; molecular-oncology-almanac.json release 2025-12-26", retrieved: "2026-11-30",
                licence: "GPL-2.0 plus the authors' disclaimer: for research use only, diagnostic and clinical use prohibited, not the basis of a commercial product",
                attribution: "Molecular Oncology Almanac, Dana-Farber Cancer Institute and the Broad Institute. Reardon B et al. Integrating molecular profiles into clinical frameworks through the Molecular Oncology Almanac to prospectively guide precision oncology. Nat Cancer 2021;2:1102. doi:10.1038/s43018-021-00243-3",
                covers: [""]),
            PackManifest.Source(
                name: "VICC Meta-Knowledgebase evidence-strength vocabulary", url: "https://github.com/cancervariants/metakb",
                revision: "src/metakb/transformers/base.py (_vicc_concept_vocabs), commit 026acbbb", retrieved: "2026-11-30", licence: "MIT",
                attribution: "VICC MetaKB (Wagner AH et al. Nat Genet 2020;52:448): MOAlmanac assertion levels placed beside CIViC evidence levels",
                covers: ["derived/evidence_levels.tsv"]),
        ],
        include: ["SOURCE.md", "LICENSE.GPL-2.0.txt", "molecular-oncology-almanac.json"],
        extensions: [],
        notes: [
            "For research use only. Diagnostic and clinical use prohibited (see derived/DISCLAIMER.txt); every report that uses this pack prints that disclaimer.",
            "derived/assertions.tsv is a compact form of molecular-oncology-almanac.json (same licence): one row per assertion with the fields the matcher reads; deprecated assertions are left out.",
            "derived/evidence_levels.tsv places each MOAlmanac predictive implication beside a CIViC evidence level by the VICC MetaKB vocabulary (FDA-Approved and Guideline under 'authoritative evidence' = CIViC A; Clinical trial and Clinical evidence under 'clinical cohort evidence' = CIViC B; Preclinical = CIViC D; Inferential = CIViC E).",
            "The GA4GH-style referenced/ export (draft) is not included.",
        ],
        derive: { source in try deriveMOAlmanac(source) })

    /// Single-residue hotspots as `gene, position, ref, samples at the position, variant:samples list`.
    @Sendable static func deriveHotspots(_ source: String) throws -> [String: [UInt8]] {
        let path = "cancerhotspots/hotspots_v2_single_residue.tsv"
        let lines = try readLines(source + "/" + path, pack: "oncology", path: path)
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) else {
            throw KnowledgeError(pack: "oncology", path: path, message: "empty")
        }
        func column(_ name: String) throws -> Int {
            guard let i = header.firstIndex(of: name) else { throw KnowledgeError(pack: "oncology", path: path, message: "no column \(name)") }
            return i
        }
        let (gene, residue, refCount, variantCount, mutations) = (
            try column("gene"), try column("residue"), try column("ref_aa_count"), try column("variant_aa_counts"), try column("mutation_count")
        )
        // Keyed by gene and position, in first-seen order.
        var order: [String] = []
        var rows: [String: (ref: String, site: String, variants: [String])] = [:]
        for line in lines.dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == header.count, Int(f[residue]) != nil else { continue }
            let ref = f[refCount].split(separator: ":").first.map(String.init) ?? ""
            let key = f[gene] + "\t" + f[residue]
            if rows[key] == nil {
                order.append(key)
                rows[key] = (ref, f[mutations], [])
            }
            rows[key]!.variants.append(f[variantCount])
        }
        var out = ["# single-residue hotspots derived from \(path) (Cancer Hotspots v2, ODbL): gene position ref samples_at_position variant:samples,…"]
        for key in order {
            let r = rows[key]!
            out.append("\(key)\t\(r.ref)\t\(r.site)\t\(r.variants.joined(separator: ","))")
        }
        return ["derived/hotspots.tsv": Array((out.joined(separator: "\n") + "\n").utf8)]
    }

    /// OncoTree tissue → PCGR primary site (code and name).
    @Sendable static func deriveTissueSites(_ source: String) throws -> [String: [UInt8]] {
        let sitesPath = "pcgr/tumor_sites.tsv"
        var sites: [String: String] = [:]
        for line in try readLines(source + "/" + sitesPath, pack: "oncology", path: sitesPath).dropFirst() {
            let f = line.split(separator: "\t").map(String.init)
            if f.count == 2 { sites[f[1]] = f[0] }
        }
        let treePath = "oncotree/oncotree_2025_10_03.tsv"
        var out = ["# OncoTree tissue -> PCGR primary site, from \(treePath) and \(sitesPath): tissue site_code site_name"]
        // The one naming difference, as oncotree/SOURCE.md records it.
        let renamed = ["Bowel": "Colon/Rectum"]
        for line in try readLines(source + "/" + treePath, pack: "oncology", path: treePath).dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count > 5, f[5] == "1" else { continue }
            let tissue = f[3]
            let siteName = renamed[tissue] ?? tissue
            if let code = sites[siteName] {
                out.append("\(tissue)\t\(code)\t\(siteName)")
            } else {
                out.append("\(tissue)\t0\tAny")
            }
        }
        return ["derived/tissue_sites.tsv": Array((out.joined(separator: "\n") + "\n").utf8)]
    }

    /// PCGR v2.3.2's numeric settings for the oncogenicity criteria (pcgr/pcgr_vars.py, pcgr/oncogenicity.py).
    @Sendable static func oncogenicityParameters() -> [String: [UInt8]] {
        let rows = [
            "# PCGR v2.3.2 oncogenicity settings (MIT): name value source",
            "gnomad_extremely_rare_af\t0.00001\tpcgr_vars.py ONCOGENICITY (ONCG_OP4: every one of AFR/AMR/EAS/NFE/SAS below this or absent)",
            "gnomad_common_af\t0.01\tpcgr_vars.py ONCOGENICITY (ONCG_SBS1: any of AFR/AMR/EAS/NFE/SAS at or above)",
            "gnomad_very_common_af\t0.05\tpcgr_vars.py ONCOGENICITY (ONCG_SBVS1: any of AFR/AMR/EAS/NFE/SAS at or above)",
            "hotspot_site_samples\t50\toncogenicity.py (ONCG_OS3 at or above, ONCG_OM4 below)",
            "hotspot_variant_samples\t10\toncogenicity.py (ONCG_OS3/ONCG_OM4 at or above, ONCG_OP3 above 0 and below)",
            "oncogenic_lower\t9\tpcgr_vars.py ONCOGENICITY_THRESHOLDS",
            "likely_oncogenic_lower\t5\tpcgr_vars.py ONCOGENICITY_THRESHOLDS",
            "likely_benign_upper\t-1\tpcgr_vars.py ONCOGENICITY_THRESHOLDS",
            "benign_upper\t-7\tpcgr_vars.py ONCOGENICITY_THRESHOLDS",
        ]
        return ["derived/oncogenicity_parameters.tsv": Array((rows.joined(separator: "\n") + "\n").utf8)]
    }

    /// The assertions as typed tab-separated rows, the level crosswalk and the disclaimer.
    @Sendable static func deriveMOAlmanac(_ source: String) throws -> [String: [UInt8]] {
        let path = "molecular-oncology-almanac.json"
        guard let data = FileManager.default.contents(atPath: source + "/" + path),
            let records = try JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { throw KnowledgeError(pack: "moalmanac", path: path, message: "not a list of assertions") }
        let columns = [
            "assertion_id", "feature_type", "gene", "gene1", "gene2", "protein_change", "variant_annotation", "exon", "direction",
            "rearrangement_type", "status", "classification", "cosmic_signature", "disease", "context", "oncotree_term", "oncotree_code",
            "therapy_name", "therapy_type", "therapy_sensitivity", "therapy_resistance", "favorable_prognosis", "predictive_implication",
            "description", "source_type", "citation", "url", "doi", "pmid", "nct", "last_updated",
        ]
        func text(_ value: Any?) -> String {
            switch value {
            case nil, is NSNull: return ""
            case let s as String: return s
            case let n as NSNumber:
                // Integers as written (1, 0, 25765070); no column read here holds a boolean or a fraction.
                return n.stringValue
            default: return "\(value!)"
            }
        }
        var out = [columns.joined(separator: "\t")]
        for r in records {
            if (r["_deprecated"] as? Bool) == true { continue }
            let cells = columns.map { key -> String in
                text(r[key]).replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\r", with: " ")
                    .replacingOccurrences(of: "\n", with: " ")
            }
            out.append(cells.joined(separator: "\t"))
        }
        let levels = [
            "# MOAlmanac predictive implication -> VICC evidence strength -> CIViC evidence level (VICC MetaKB, MIT)",
            "predictive_implication\tvicc_code\tvicc_term\tcivic_level",
            "FDA-Approved\tvicc:e000002\tFDA recognized evidence\tA",
            "Guideline\tvicc:e000003\tprofessional guideline evidence\tA",
            "Clinical trial\tvicc:e000006\tinterventional study evidence\tB",
            "Clinical evidence\tvicc:e000007\tobservational study evidence\tB",
            "Preclinical\tvicc:e000009\tpreclinical evidence\tD",
            "Inferential\tvicc:e000010\tinferential evidence\tE",
        ]
        let disclaimer = """
            Molecular Oncology Almanac — Disclaimer: For research use only.
            DIAGNOSTIC AND CLINICAL USE PROHIBITED. DANA-FARBER CANCER INSTITUTE (DFCI) and THE BROAD INSTITUTE (Broad) MAKE NO REPRESENTATIONS OR WARRANTIES OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING, WITHOUT LIMITATION, WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE, NONINFRINGEMENT OR VALIDITY OF ANY INTELLECTUAL PROPERTY RIGHTS OR CLAIMS, WHETHER ISSUED OR PENDING, AND THE ABSENCE OF LATENT OR OTHER DEFECTS, WHETHER OR NOT DISCOVERABLE.
            In no event shall DFCI or Broad or their Trustees, Directors, Officers, Employees, Students, Affiliates, Core Faculty, Associate Faculty and Contractors, be liable for incidental, punitive, consequential or special damages, including economic damages or injury to persons or property or lost profits, regardless of whether the party was advised, had other reason to know or in fact knew of the possibility of the foregoing, regardless of fault, and regardless of legal theory or basis. You may not download or use any portion of this program for any non-research use not expressly authorized by DFCI or Broad. You further agree that the program shall not be used as the basis of a commercial product and that the program shall not be rewritten or otherwise adapted to circumvent the need for obtaining permission for use of the program other than as specified herein.
            (Text of the "Disclaimer - For research use only" section of the moalmanac-db README. Licence: GPL-2.0. Cite: Reardon B et al. Nat Cancer 2021;2:1102.)

            """
        return [
            "derived/assertions.tsv": Array((out.joined(separator: "\n") + "\n").utf8),
            "derived/evidence_levels.tsv": Array((levels.joined(separator: "\n") + "\n").utf8),
            "derived/DISCLAIMER.txt": Array(disclaimer.utf8),
        ]
    }

    static func readLines(_ file: String, pack: String, path: String) throws -> [Substring] {
        guard let data = FileManager.default.contents(atPath: file) else { throw KnowledgeError(pack: pack, path: path, message: "unreadable") }
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
    }
}
