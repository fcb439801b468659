import Foundation

/// The recipes for the packs Tailor ships. Each names its upstream sources, licences and attribution.
public enum Recipes {
    /// All recipes by pack name.
    public static let all: [String: PackBuilder.Recipe] = ["pgx": pgx, "risk": risk, "oncology": oncology, "moalmanac": moalmanac, "hpo": hpo, "careplan": careplan, "acmg-sf": acmgSF]

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
                covers: ["definition/", "phenotype/", "derived/", "reporter/guidelines_v2.12.0/CPIC_"]),
            PackManifest.Source(
                name: "ClinPGx (PharmGKB), including DPWG guideline annotations", url: "https://www.clinpgx.org",
                revision: "as packaged by PharmCAT", retrieved: "2026-11-21", licence: "CC-BY-SA-4.0",
                attribution: "ClinPGx/PharmGKB (https://www.pharmgkb.org), CC BY-SA 4.0; DPWG guidelines of the Royal Dutch Pharmacists Association",
                covers: ["reporter/", "phenotype/", "derived/phenotype/", "definition/alleles/CYP3A4"]),
            PackManifest.Source(
                name: "PyPGx variant table (GRCh37/GRCh38 coordinates)", url: "https://github.com/sbslee/pypgx",
                revision: "0.27.0 (pypgx/api/data/variant-table.csv), read from the folder beside the PharmCAT source", retrieved: "2026-11-21",
                licence: "MIT (Copyright (c) Seung-been Lee); content compiled from PharmVar, CPIC (CC0) and ClinPGx (CC BY-SA 4.0)",
                attribution: "PyPGx by Seung-been Lee, https://github.com/sbslee/pypgx (MIT)",
                covers: ["derived/grch37.tsv"]),
            PackManifest.Source(
                name: "PharmVar", url: "https://www.pharmvar.org", revision: "star-allele nomenclature underlying the definitions",
                retrieved: "2026-11-21", licence: "cite PharmVar",
                attribution: "Pharmacogene Variation Consortium (PharmVar), https://www.pharmvar.org",
                covers: ["definition/", "derived/definitions/"]),
        ],
        include: [
            "SOURCE.md", "definition/alleles/", "phenotype/", "phenotype/fallback/", "reporter/guidelines_v2.12.0/", "reporter/messages.json",
            "positions/pharmcat_positions.vcf", "positions/pharmcat_regions.bed", "docs/genes.tsv", "docs/drugs_by_source.tsv",
            "docs/phenotypes.tsv",
        ],
        extensions: [".json"],
        notes: [
            "derived/definitions/<GENE>.tsv are compact forms of the allele-definition tables (rows 'G gene chromosome build version source', 'P position rsid hgvs ref alts', 'N name id reference cells…').",
            "derived/phenotype/<GENE>.tsv are compact forms of the phenotype tables (derived by Tailor at build time, same licences as their sources): rows 'D allele1 allele2 phenotype activity lookup' (allele2 empty for a hemizygous call), 'A allele function activity'.",
            "phenotype/fallback/ holds older CPIC/DPWG mappings for CYP2D6, G6PD and RYR1 (the v3.1.1 files were not in the snapshot); re-check against CPIC before clinical use.",
            "derived/guidelines.json is a compact form of reporter/guidelines_v2.12.0/ (each recommendation's text, implications, lookup keys and flags; texts stored once): {texts, guidelines[{file,id,name,source,version,url,genes,drugs,citations,recommendations[{id,population,classification,drugs,text,plain,implications,keys,diplotypes,dosing,alternate,other}]}]} (text: the HTML as authored; plain: the same with tags removed).",
            "derived/grch37.tsv maps each GRCh38 definition position to GRCh37 where PyPGx's variant table places it exactly (same reference and alternate bases, or a single-base reference swap between builds); rows 'M gene grch38 grch37'. A gene with any unmapped position is not called from GRCh37 input.",
            "reporter/guidelines_v2.12.0/ are the recommendation files of PharmCAT v2.12.0 (data 2024-03-25); FDA label annotations are not included.",
        ],
        derive: { source in
            try derivePhenotypeTables(source).merging(try deriveDefinitions(source)) { first, _ in first }
                .merging(try deriveGuidelines(source)) { first, _ in first }
                .merging(try deriveGRCh37(source)) { first, _ in first }
        })

    /// Clinical risk equations: coefficient and rate tables for PCE 2013, AHA PREVENT, NCI BCRAT (Gail) and QRISK3-2017,
    /// and the Social Deprivation Index by ZIP code that PREVENT's SDI models use, from `../shared/data/risk`.
    /// The tables are the published constants; each equation's code cites its paper.
    public static let risk = PackBuilder.Recipe(
        name: "risk",
        title: "Clinical risk equations: PCE 2013, AHA PREVENT, NCI BCRAT (Gail), QRISK3-2017 coefficients and SDI by ZIP",
        version: { _ in "2026.11-1" },
        sources: [
            PackManifest.Source(
                name: "2013 ACC/AHA Pooled Cohort Equations", url: "https://doi.org/10.1161/01.cir.0000437741.48606.98",
                revision: "Goff DC et al., Circulation 2014;129(suppl 2):S49, Table A (values as in preventr R/other_models.R)",
                retrieved: "2026-11-20", licence: "published coefficients (facts); no licence restriction",
                attribution: "Goff DC Jr et al. 2013 ACC/AHA Guideline on the Assessment of Cardiovascular Risk.", covers: ["pce/"]),
            PackManifest.Source(
                name: "AHA PREVENT equations (via preventr)", url: "https://github.com/martingmayer/preventr",
                revision: "ebe2ac1 R/sysdata.rda (supplement Table S12A-J of Khan SS et al., Circulation 2024;149:430)",
                retrieved: "2026-11-20", licence: "MIT (preventr); coefficients published by the AHA",
                attribution: "Khan SS et al. Development and Validation of the American Heart Association's PREVENT Equations. Circulation 2024;149:430-449. doi:10.1161/CIRCULATIONAHA.123.067626",
                covers: ["prevent/prevent_"]),
            PackManifest.Source(
                name: "Social Deprivation Index (Robert Graham Center)", url: "https://www.graham-center.org/maps-data-tools/social-deprivation-index.html",
                revision: "SDI 2015-2019 deciles by ZCTA, as shipped in preventr ebe2ac1", retrieved: "2026-11-20",
                licence: "free use with attribution", attribution: "Social Deprivation Index, Robert Graham Center – Policy Studies in Family Medicine & Primary Care",
                covers: ["prevent/sdi_"]),
            PackManifest.Source(
                name: "NCI Breast Cancer Risk Assessment Tool (BCRA R package)", url: "https://github.com/cran/BCRA",
                revision: "2.1.2 data/*.rda", retrieved: "2026-11-20", licence: "GPL-2.0-or-later (NCI's published BCRAT constants)",
                attribution: "NCI Breast Cancer Risk Assessment Tool (Gail model; CARE, SFBCS and AABCS models). Gail MH et al. JNCI 1989;81:1879.",
                covers: ["gail/"]),
            PackManifest.Source(
                name: "QRISK3-2017 (ClinRisk)", url: "https://github.com/cran/QRISK3",
                revision: "0.6.0 inst/extdata/QRISK3_2017_src.txt (ClinRisk's C source), coefficients parsed to JSON",
                retrieved: "2026-11-20", licence: "LGPL-3.0 (c) ClinRisk Ltd",
                attribution: "QRISK3-2017, (c) 2017 ClinRisk Ltd. Hippisley-Cox J et al. BMJ 2017;357:j2099. The ClinRisk disclaimer accompanies every displayed score.",
                covers: ["qrisk3/"]),
        ],
        include: ["SOURCE.md", "pce/", "prevent/", "gail/", "qrisk3/"],
        extensions: [".csv", ".json"],
        notes: [
            "Files are copied unmodified from ../shared/data/risk (see SOURCE.md inside the pack).",
            "The pack version is Tailor's; each equation reports its own published version next to it.",
        ])

    /// Compiles each allele-definition table to a tab-separated file: `G gene chromosome build version source`,
    /// `P position rsid hgvs ref alts` (alts comma-separated), `N name id reference(1/0) cell…` (empty cell = not defined).
    @Sendable static func deriveDefinitions(_ source: String) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        let folder = source + "/definition/alleles"
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).filter({ $0.hasSuffix("_translation.json") }).sorted() {
            let path = "definition/alleles/" + name
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
            guard let table = object as? [String: Any], let gene = table["gene"] as? String,
                let variants = table["variants"] as? [[String: Any]], let alleles = table["namedAlleles"] as? [[String: Any]]
            else { throw KnowledgeError(pack: "pgx", path: path, message: "not an allele-definition table") }
            func text(_ value: Any?) throws -> String {
                if let number = value as? Int { return String(number) }
                guard let string = value as? String else { return "" }
                guard !string.contains("\t"), !string.contains("\n") else {
                    throw KnowledgeError(pack: "pgx", path: path, message: "a value contains a tab or newline: \(string)")
                }
                return string
            }
            var lines = ["# \(gene) allele definitions, derived from \(path)"]
            lines.append(
                ["G", gene, try text(table["chromosome"]), try text(table["genomeBuild"]), try text(table["version"]), try text(table["source"])]
                    .joined(separator: "\t"))
            for v in variants {
                let alts = try ((v["alts"] as? [String]) ?? []).map { try text($0) }.joined(separator: ",")
                lines.append(
                    ["P", try text(v["position"]), try text(v["rsid"]), try text(v["chromosomeHgvsName"]), try text(v["ref"]), alts].joined(
                        separator: "\t"))
            }
            for a in alleles {
                let cells = try ((a["alleles"] as? [Any]) ?? []).map { try text($0 is NSNull ? nil : $0) }
                guard cells.count == variants.count else {
                    throw KnowledgeError(
                        pack: "pgx", path: path, message: "allele \(a["name"] ?? "?") has \(cells.count) cells for \(variants.count) positions")
                }
                lines.append(
                    (["N", try text(a["name"]), try text(a["id"]), (a["reference"] as? Bool) == true ? "1" : "0"] + cells).joined(separator: "\t"))
            }
            out["derived/definitions/\(gene).tsv"] = Array((lines.joined(separator: "\n") + "\n").utf8)
        }
        return out
    }

    /// Compiles each phenotype table (current ones, then CPIC fallbacks for genes without one) to a tab-separated
    /// file that loads in a fraction of the time of the JSON it comes from.
    @Sendable static func derivePhenotypeTables(_ source: String) throws -> [String: [UInt8]] {
        let fm = FileManager.default
        var out: [String: [UInt8]] = [:]
        var genes = Set<String>()
        let current = try fm.contentsOfDirectory(atPath: source + "/phenotype").filter { $0.hasSuffix(".json") }.sorted()
        let fallback = try fm.contentsOfDirectory(atPath: source + "/phenotype/fallback").filter { $0.contains(".cpic.") }.sorted()
        for path in current.map({ "phenotype/" + $0 }) + fallback.map({ "phenotype/fallback/" + $0 }) {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: source + "/" + path)))
            guard let table = object as? [String: Any], let gene = table["gene"] as? String else {
                throw KnowledgeError(pack: "pgx", path: path, message: "not a phenotype table")
            }
            guard genes.insert(gene).inserted else { continue }
            var lines = ["# gene \(gene); version \((table["version"] as? String) ?? "unknown"); from \(path)", "S\t\(path)"]
            func field(_ value: Any?) throws -> String {
                guard let text = value as? String else { return "" }
                guard !text.contains("\t"), !text.contains("\n") else {
                    throw KnowledgeError(pack: "pgx", path: path, message: "a value contains a tab or newline: \(text)")
                }
                return text
            }
            for allele in (table["namedAlleles"] as? [[String: Any]]) ?? [] {
                lines.append("A\t\(try field(allele["name"]))\t\(try field(allele["functionValue"]))\t\(try field(allele["activityValue"]))")
            }
            for (name, value) in ((table["haplotypes"] as? [String: Any]) ?? [:]).sorted(by: { $0.key < $1.key }) {
                lines.append("H\t\(try field(name))\t\(try field(value))")
            }
            for row in (table["diplotypes"] as? [[String: Any]]) ?? [] {
                guard let key = row["diplotypekey"] as? [String: Int] else { continue }
                let names = key.flatMap { name, count in Array(repeating: name, count: count) }.sorted()
                guard names.count == 1 || names.count == 2, let phenotype = (row["generesult"] ?? row["phenotype"]) as? String else { continue }
                let lookup = (row["lookupkey"] as? String) ?? phenotype
                lines.append(
                    "D\t\(try field(names[0]))\t\(names.count == 2 ? try field(names[1]) : "")\t\(try field(phenotype))\t\(try field(row["activityScore"]))\t\(try field(lookup))"
                )
            }
            out["derived/phenotype/\(gene).tsv"] = Array((lines.joined(separator: "\n") + "\n").utf8)
        }
        return out
    }

    /// Compiles the CPIC and DPWG recommendation files into one compact JSON document: only what the
    /// recommender reads (lookup keys, text as authored, implications, strength, flags, citations), with each
    /// distinct text stored once (the 118 files repeat the same paragraphs hundreds of times: 3.9 MB → ~0.3 MB).
    /// A lookup key is a phenotype / activity score / allele status string (`keys`), or, for DPWG's
    /// diplotype-specific rows, a diplotype written as sorted allele names joined by `/` (`diplotypes`).
    @Sendable static func deriveGuidelines(_ source: String) throws -> [String: [UInt8]] {
        let folder = source + "/reporter/guidelines_v2.12.0"
        var texts: [String] = []
        var textIndex: [String: Int] = [:]
        func intern(_ text: String) -> Int {
            if let i = textIndex[text] { return i }
            texts.append(text)
            textIndex[text] = texts.count - 1
            return texts.count - 1
        }
        var guidelines: [[String: Any]] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).filter({ $0.hasSuffix(".json") }).sorted() {
            let path = "reporter/guidelines_v2.12.0/" + name
            func bad(_ why: String) -> KnowledgeError { KnowledgeError(pack: "pgx", path: path, message: why) }
            guard let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))) as? [String: Any],
                let guideline = file["guideline"] as? [String: Any], let recommendations = file["recommendations"] as? [[String: Any]]
            else { throw bad("not a guideline file") }
            func names(_ value: Any?, _ key: String) -> [String] { ((value as? [[String: Any]]) ?? []).compactMap { $0[key] as? String } }
            var recs: [[String: Any]] = []
            for r in recommendations {
                var keys: [String: String] = [:]
                var diplotypes: [String: String] = [:]
                for (gene, value) in (r["lookupKey"] as? [String: Any]) ?? [:] {
                    if let key = value as? String {
                        keys[gene] = key
                    } else if let counts = value as? [String: Any] {
                        var alleles: [String] = []
                        for (allele, count) in counts {
                            guard let n = (count as? NSNumber)?.intValue, n == 1 || n == 2 else { throw bad("lookup diplotype count \(count)") }
                            alleles += Array(repeating: allele, count: n)
                        }
                        diplotypes[gene] = alleles.sorted().joined(separator: "/")
                    } else {
                        throw bad("recommendation \(r["id"] ?? "?"): unreadable lookup key for \(gene)")
                    }
                }
                guard !keys.isEmpty || !diplotypes.isEmpty else { throw bad("recommendation \(r["id"] ?? "?") has no lookup key") }
                let text = ((r["text"] as? [String: Any])?["html"] as? String) ?? ""
                recs.append([
                    "id": (r["id"] as? String) ?? "", "population": (r["population"] as? String) ?? "general",
                    "classification": ((r["classification"] as? [String: Any])?["term"] as? String) ?? "",
                    "drugs": names(r["relatedChemicals"], "name"), "text": intern(text), "plain": intern(HTMLText.plain(text)),
                    "implications": ((r["implications"] as? [String]) ?? []).map(intern), "keys": keys, "diplotypes": diplotypes,
                    "dosing": (r["dosingInformation"] as? Bool) ?? false, "alternate": (r["alternateDrugAvailable"] as? Bool) ?? false,
                    "other": (r["otherPrescribingGuidance"] as? Bool) ?? false,
                ])
            }
            let citations: [[String: Any]] = ((file["citations"] as? [[String: Any]]) ?? []).map { c in
                ["pmid": (c["pmid"] as? String) ?? "", "title": (c["title"] as? String) ?? "", "journal": (c["journal"] as? String) ?? "",
                 "year": (c["year"] as? Int) ?? 0]
            }
            guidelines.append([
                "file": path, "id": (guideline["id"] as? String) ?? "", "name": (guideline["name"] as? String) ?? "",
                "source": (guideline["source"] as? String) ?? "", "version": (file["version"] as? String) ?? "",
                "url": (guideline["url"] as? String) ?? "", "genes": names(guideline["relatedGenes"], "symbol"),
                "drugs": names(guideline["relatedChemicals"], "name"), "citations": citations, "recommendations": recs,
            ])
        }
        let document: [String: Any] = ["texts": texts, "guidelines": guidelines]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        return ["derived/guidelines.json": [UInt8](data)]
    }

    /// Maps the definition positions to GRCh37 with PyPGx's dual-build variant table (`../pypgx/variant-table.csv`
    /// beside the PharmCAT folder). Only exact placements are kept: the table's GRCh38 position, reference and
    /// alternate equal the definition's, and its GRCh37 reference is the same base or, for a single-base variant, one
    /// of the definition's alleles (a reference swap between builds). Nothing is lifted over by guesswork.
    @Sendable static func deriveGRCh37(_ source: String) throws -> [String: [UInt8]] {
        let table = source + "/../pypgx/variant-table.csv"
        guard let data = FileManager.default.contents(atPath: table) else {
            throw KnowledgeError(pack: "pgx", path: "derived/grch37.tsv", message: "PyPGx's variant table is needed beside the PharmCAT folder: \(table)")
        }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        guard let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) else {
            throw KnowledgeError(pack: "pgx", path: table, message: "empty")
        }
        func column(_ name: String) throws -> Int {
            guard let i = header.firstIndex(of: name) else { throw KnowledgeError(pack: "pgx", path: table, message: "no column \(name)") }
            return i
        }
        let (chrom, p37, p38, a37, a38, alt) = (
            try column("Chromosome"), try column("GRCh37Position"), try column("GRCh38Position"), try column("GRCh37Allele"),
            try column("GRCh38Allele"), try column("Variant")
        )
        // (chromosome without "chr", GRCh38 position) → rows.
        var rows: [String: [[String]]] = [:]
        for line in lines.dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == header.count else { continue }
            let c = f[chrom].hasPrefix("chr") ? String(f[chrom].dropFirst(3)) : f[chrom]
            rows[c + ":" + f[p38], default: []].append(f)
        }
        var out = ["# GRCh38 definition position -> GRCh37, derived from PyPGx 0.27.0 variant-table.csv (MIT); rows 'M gene grch38 grch37'"]
        let folder = source + "/definition/alleles"
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).filter({ $0.hasSuffix("_translation.json") }).sorted() {
            guard let definition = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))) as? [String: Any],
                let gene = definition["gene"] as? String, let chromosome = definition["chromosome"] as? String,
                let variants = definition["variants"] as? [[String: Any]]
            else { throw KnowledgeError(pack: "pgx", path: "definition/alleles/" + name, message: "not an allele-definition table") }
            let c = chromosome.hasPrefix("chr") ? String(chromosome.dropFirst(3)) : chromosome
            for v in variants {
                guard let position = v["position"] as? Int, let ref = v["ref"] as? String else { continue }
                let alts = (v["alts"] as? [String]) ?? []
                let exact = (rows[c + ":" + String(position)] ?? []).first { r in
                    guard r[a38] == ref, alts.contains(r[alt]), Int(r[p37]) != nil else { return false }
                    return r[a37] == ref || (ref.count == 1 && r[a37].count == 1 && alts.contains(r[a37]) && alts.allSatisfy { $0.count == 1 })
                }
                if let exact { out.append("M\t\(gene)\t\(position)\t\(exact[p37])") }
            }
        }
        return ["derived/grch37.tsv": Array((out.joined(separator: "\n") + "\n").utf8)]
    }
}
