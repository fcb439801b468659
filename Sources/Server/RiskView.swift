import Foundation
import Polygenic
import Records
import Risk

// The integrated per-patient risk view (issue #8 item 3; GET /api/v1/patients/{id}/risk): clinical risk (PREVENT, PCE,
// eGFR) from the record's latest values, and the monogenic and polygenic findings, side by side, each with its
// uncertainty and the population it was validated in. Everything here is pure: the route reads the record and the
// findings through the access gate and hands them to these functions.

/// The standard codes the risk inputs are read from. Every code was checked against the repository or the briefs,
/// as cited on each line; none is recalled from memory. Inputs with no such code are left unmapped (listed in
/// ``unmapped``) rather than guessed.
enum RiskRecordCodes {
    static let loinc = "http://loinc.org"
    static let snomed = "http://snomed.info/sct"
    static let rxnorm = "http://www.nlm.nih.gov/research/umls/rxnorm"

    /// The numeric observations, by LOINC code.
    enum Measure: String, CaseIterable, Sendable {
        case systolicBP, totalCholesterol, hdl, bmi, weight, height, creatinine, egfr, uacr, hba1c
    }

    static let observations: [String: Measure] = [
        "8480-6": .systolicBP,  // risk-and-care.md §2.9; Demo.swift
        "2093-3": .totalCholesterol,  // §2.9; Demo.swift
        "2085-9": .hdl,  // §2.9
        "39156-5": .bmi,  // §2.9
        "29463-7": .weight,  // §2.9 (body weight)
        "8302-2": .height,  // interop.md (the Observation search example); "Body Height" in ../shared/data/synthea
        "2160-0": .creatinine,  // §1.5 / §2.9 (serum or plasma)
        "98979-8": .egfr,  // §1.5 / §2.9: eGFR by CKD-EPI 2021
        "9318-7": .uacr,  // §2.9
        "14959-1": .uacr,  // "Microalbumin Creatinine Ratio" (mg/g) in ../shared/data/synthea, the brief's §0 cohort
        "4548-4": .hba1c,  // §2.9
    ]

    /// Tobacco smoking status (§2.9). Its answer is kept in the entry's `valueText`, as the SNOMED code or its display.
    static let smokingStatus = "72166-2"
    /// Answers to 72166-2 as ../shared/data/synthea records them: "Current every day smoker" 449868002, "Former smoker"
    /// 8517006, "Never smoker" 266919005. Other answers (e.g. some-day smokers) have no code in the repository or
    /// briefs and are reported as unreadable rather than guessed.
    static let smokingAnswers: [String: Bool] = [
        "449868002": true, "current every day smoker": true, "smokes tobacco daily": true,
        "8517006": false, "former smoker": false, "ex-smoker": false,
        "266919005": false, "never smoker": false, "never smoked tobacco": false,
    ]

    /// Diabetes on the problem list: SNOMED 44054006, "Diabetes" (type 2) in ../shared/data/synthea. Type 1 diabetes
    /// has no code in the repository or briefs and is unmapped.
    static let diabetes: Set<String> = ["44054006"]

    /// Known atherosclerotic cardiovascular disease on the problem list: 414545008 "Ischemic heart disease" (Demo.swift);
    /// 53741008 "Coronary Heart Disease", 22298006 "Myocardial Infarction", 399211009 "History of myocardial infarction",
    /// 230690007 "Stroke" (../shared/data/synthea). Procedures (stents, bypass) are not entries of the record yet.
    static let ascvd: Set<String> = ["414545008", "53741008", "22298006", "399211009", "230690007"]
    /// Known heart failure: 88805009 "Chronic congestive heart failure" (../shared/data/synthea).
    static let heartFailure: Set<String> = ["88805009"]

    /// Statins by RxNorm ingredient, from ../shared/data/pypgx/cpic-table.csv (the CPIC table the PGx brief lists), all
    /// ATC C10AA.
    static let statins: [String: String] = [
        "83367": "atorvastatin", "596723": "cerivastatin", "41127": "fluvastatin", "6472": "lovastatin", "861634": "pitavastatin",
        "42463": "pravastatin", "301542": "rosuvastatin", "36567": "simvastatin",
    ]

    /// Blood-pressure-lowering drugs by RxNorm ingredient, from the same CPIC table (ATC C02 antihypertensives, C03
    /// diuretics, C07 beta blockers, C09 renin–angiotensin agents). Timolol (also C07) is left out: it is mostly an eye
    /// drop. The common ACE inhibitors other than captopril, the angiotensin-receptor blockers and the calcium-channel
    /// blockers have no RxNorm code in the repository or briefs: unmapped, so the view says when an active medication
    /// was not recognised.
    static let antihypertensives: [String: String] = [
        "1202": "atenolol", "1998": "captopril", "20352": "carvedilol", "5470": "hydralazine", "5487": "hydrochlorothiazide",
        "6185": "labetalol", "6918": "metoprolol", "31555": "nebivolol", "8787": "propranolol", "9997": "spironolactone",
        "4603": "furosemide",
    ]

    /// What the view does not read, and why: shown with every view so a missing input is never a silent one.
    static let unmapped: [String] = [
        "eGFR LOINC 33914-3 (no equation stated; the creatinine is recomputed with CKD-EPI 2021 instead) and creatinine in blood LOINC 38483-4: not in the risk brief's code list",
        "type 1 diabetes, and antihypertensives other than those of the CPIC table (most ACE inhibitors, ARBs, calcium-channel blockers): no code in the repository or briefs",
        "ZIP code: the record holds no address, so PREVENT's Social Deprivation Index is never used",
        "home (monitoring) blood-pressure readings: the equations were derived with office measurements",
    ]

    /// The observation codes the store is asked for.
    static var observationCodes: [String] { Array(observations.keys).sorted() + [smokingStatus] }
}

/// Stored entries → ``RiskProfileInput``. Conventions (all in the output's evidence texts):
/// - only entries dated on or before the calculation date count, dated by their measurement time, else the time they
///   were recorded; the latest usable one of each code wins;
/// - observations count with no status or `final`, `amended`, `corrected`; conditions with none or `active`,
///   `recurrence`, `relapse`; medications with none or `active` (everything else, `entered-in-error` included, is ignored);
/// - a condition or medication absent from the lists is a "no", said so in words ("no active statin on the medication
///   list"); a missing measurement or smoking status is missing, never assumed;
/// - medications are recognised by RxNorm ingredient code or, for product codes, by the ingredient's name in the
///   display (the demo records the ingredient and its name, Demo.swift).
enum RiskRecordMapping {
    static let observationStatuses: Set<String> = ["final", "amended", "corrected"]
    static let conditionStatuses: Set<String> = ["active", "recurrence", "relapse"]
    static let medicationStatuses: Set<String> = ["active"]

    static func input(patient: Patient, entries: [ClinicalEntry], at: RiskDate) -> RiskProfileInput {
        var input = RiskProfileInput()
        input.sex = Sex(rawValue: patient.sex)
        input.recordedSex = patient.sex
        input.birthDate = patient.birthDate.flatMap(RiskDate.init(iso:))

        let endOfDay = Int64(at.daysSinceEpoch + 1) * 86_400_000
        func when(_ entry: ClinicalEntry) -> Int64 { entry.effectiveAt ?? entry.recordedAt }
        func counts(_ entry: ClinicalEntry, _ statuses: Set<String>) -> Bool {
            when(entry) < endOfDay && (entry.status.map { statuses.contains($0.lowercased()) } ?? true)
        }
        // Newest first; a later recording of the same moment wins.
        let ordered = entries.sorted { a, b in
            when(a) != when(b) ? when(a) > when(b) : a.recordedAt != b.recordedAt ? a.recordedAt > b.recordedAt : a.id.rawValue < b.id.rawValue
        }
        func measurement(_ entry: ClinicalEntry, _ value: Double) -> RiskMeasurement {
            RiskMeasurement(
                value: value, unit: entry.unit, date: RiskDate(epochMillis: when(entry)), dateIsRecorded: entry.effectiveAt == nil,
                source: "LOINC \(entry.code)", entryID: entry.id.rawValue)
        }

        var latest: [RiskRecordCodes.Measure: RiskMeasurement] = [:]
        var smoking: ClinicalEntry?
        for entry in ordered where entry.type == .observation && entry.system == RiskRecordCodes.loinc && counts(entry, observationStatuses) {
            if entry.code == RiskRecordCodes.smokingStatus {
                if smoking == nil { smoking = entry }
            } else if let measure = RiskRecordCodes.observations[entry.code], latest[measure] == nil, let value = entry.valueNumber {
                latest[measure] = measurement(entry, value)
            }
        }
        input.systolicBP = latest[.systolicBP]
        input.totalCholesterol = latest[.totalCholesterol]
        input.hdl = latest[.hdl]
        input.bmi = latest[.bmi]
        input.weight = latest[.weight]
        input.height = latest[.height]
        input.creatinine = latest[.creatinine]
        input.egfr = latest[.egfr]
        input.uacr = latest[.uacr]
        input.hba1c = latest[.hba1c]

        if let smoking {
            let answer = (smoking.valueText ?? smoking.display ?? "").trimmingCharacters(in: .whitespaces)
            let date = RiskDate(epochMillis: when(smoking))
            if let current = RiskRecordCodes.smokingAnswers[answer.lowercased()] {
                input.smoker = RiskIndicator(
                    present: current, evidence: "smoking status '\(answer)' (LOINC 72166-2) on \(date)", date: date, entryID: smoking.id.rawValue)
            } else {
                input.unreadable["smoker"] =
                    "smoking status '\(answer)' (LOINC 72166-2) on \(date) is not a recognised answer (SNOMED 449868002, 8517006, 266919005)"
            }
        }

        let conditions = ordered.filter { $0.type == .condition && counts($0, conditionStatuses) }

        func condition(_ codes: Set<String>, none: String) -> RiskIndicator {
            guard let found = conditions.first(where: { $0.system == RiskRecordCodes.snomed && codes.contains($0.code) }) else {
                return RiskIndicator(present: false, evidence: none)
            }
            return RiskIndicator(
                present: true, evidence: "\(found.display ?? "SNOMED \(found.code)") (SNOMED \(found.code)), \(found.status ?? "no status")",
                entryID: found.id.rawValue)
        }
        input.diabetes = condition(RiskRecordCodes.diabetes, none: "no active diabetes (SNOMED 44054006) on the problem list")
        input.knownASCVD = condition(
            RiskRecordCodes.ascvd,
            none:
                "no coronary heart disease, myocardial infarction or stroke (SNOMED \(RiskRecordCodes.ascvd.sorted().joined(separator: ", "))) on the problem list"
        )
        input.knownHeartFailure = condition(RiskRecordCodes.heartFailure, none: "no heart failure (SNOMED 88805009) on the problem list")

        let medications = ordered.filter { $0.type == .medication && counts($0, medicationStatuses) }
        func find(_ table: [String: String]) -> (ClinicalEntry, String)? {
            for entry in medications {
                if entry.system == RiskRecordCodes.rxnorm, let name = table[entry.code] { return (entry, name) }
                let display = (entry.display ?? "").lowercased()
                if let name = table.values.sorted().first(where: { display.contains($0) }) { return (entry, name) }
            }
            return nil
        }
        func listed(_ entry: ClinicalEntry) -> String { entry.display ?? "\(entry.system) \(entry.code)" }
        /// "atorvastatin, active"; "Atorvastatin 20 MG Oral Tablet (atorvastatin), active".
        func named(_ entry: ClinicalEntry, _ name: String) -> String {
            (listed(entry).lowercased() == name ? name : "\(listed(entry)) (\(name))") + ", \(entry.status ?? "no status")"
        }
        let statin = find(RiskRecordCodes.statins)
        let bpDrug = find(RiskRecordCodes.antihypertensives)
        if let (entry, name) = statin {
            input.onStatin = RiskIndicator(present: true, evidence: named(entry, name), entryID: entry.id.rawValue)
        } else {
            input.onStatin = RiskIndicator(present: false, evidence: "no active statin on the medication list")
        }
        if let (entry, name) = bpDrug {
            input.onBPTreatment = RiskIndicator(present: true, evidence: named(entry, name), entryID: entry.id.rawValue)
        } else {
            let others = medications.filter { entry in statin.map { $0.0.id != entry.id } ?? true }.map(listed).sorted()
            let note =
                others.isEmpty
                ? "no active medication on the list"
                : "\(others.count) other active medication\(others.count == 1 ? "" : "s") (\(others.prefix(5).joined(separator: ", ")))"
                    + " not recognised as blood-pressure lowering: check, as most ACE inhibitors, ARBs and calcium-channel blockers are not mapped"
            input.onBPTreatment = RiskIndicator(present: false, evidence: "no recognised blood-pressure medication; \(note)")
        }
        return input
    }
}

/// The response of `GET /api/v1/patients/{id}/risk`.
struct RiskView: Encodable, Sendable {
    var patientID: PatientID
    var at: RiskDate
    var clinical: RiskProfile
    /// Record conventions the clinical part rests on, and what it does not read.
    var notes: [String]
    var genomic: GenomicRisk

    static let notes: [String] =
        [
            "values are the latest on or before the calculation date; inputs older than the stale limit are flagged and named in the warnings of the results they fed",
            "a condition or medication missing from the lists counts as absent; a missing measurement or smoking status is reported, never assumed",
        ] + RiskRecordCodes.unmapped.map { "not read: " + $0 }
}

/// The genomic half of the view: shown, or withheld (with the access policy's reason) when the patient's consent
/// keeps genomic data out of treatment.
struct GenomicRisk: Encodable, Sendable {
    /// `shown` or `withheld`.
    var status: String
    /// Why the findings are not shown (withheld only).
    var statement: String?
    var monogenic: MonogenicRisk?
    var polygenic: PolygenicRisk?

    static func withheld(reason: String) -> GenomicRisk {
        GenomicRisk(status: "withheld", statement: "Genomic findings are not shown: \(reason).", monogenic: nil, polygenic: nil)
    }

    static func shown(_ findings: [Finding]) -> GenomicRisk {
        GenomicRisk(
            status: "shown", statement: nil,
            monogenic: MonogenicRisk(findings.filter { $0.kind == MonogenicRisk.kind || $0.kind == Finding.secondaryFindingKind }),
            polygenic: PolygenicRisk(findings.filter { $0.kind == PolygenicScoreFinding.kind }))
    }
}

/// Germline pathogenic variants: diagnostic ones (kind `germline.variant`) and ACMG secondary findings from the germline
/// screen (``Finding/secondaryFindingKind``, present only when the patient opted in to receive them); subject the gene
/// (HGNC symbol), label the variant (HGVS), interpretation its classification (`Pathogenic`, `Likely pathogenic`),
/// evidence the analyser's JSON (condition, inheritance, ClinVar release), provenance naming the knowledge versions.
struct MonogenicRisk: Encodable, Sendable {
    static let kind = "germline.variant"

    var kind = MonogenicRisk.kind
    var findings: [Item]
    var statement: String
    var uncertainty: String

    struct Item: Encodable, Sendable {
        var id: FindingID
        var gene: String
        var variant: String?
        var classification: String?
        var summary: String
        /// Knowledge pack → version (e.g. the ClinVar release), from the finding's provenance.
        var knowledge: [String: String]
        var createdAt: Int64
    }

    init(_ findings: [Finding]) {
        self.findings = findings.map {
            Item(
                id: $0.id, gene: $0.subject, variant: $0.label, classification: $0.interpretation, summary: $0.summary,
                knowledge: $0.provenance.knowledge, createdAt: $0.createdAt)
        }
        statement =
            findings.isEmpty
            ? "no monogenic findings on record"
            : "\(findings.count) monogenic finding\(findings.count == 1 ? "" : "s") on record"
        uncertainty =
            "A monogenic finding is a variant classification (pathogenic or likely pathogenic; variants of uncertain significance are "
            + "never reported, rare-disease-and-germline.md §5.1), not a risk estimate: the risk it confers is not computed here. "
            + "No finding is not a negative result: only the genes and variants the germline screen covers were looked at."
    }
}

/// Polygenic scores (kind `prs.score`, ``PolygenicScoreFinding``), each with its match rate, the reference population
/// it was normalised against and the ancestry caveat (risk-and-care.md §4.5).
struct PolygenicRisk: Encodable, Sendable {
    var kind = PolygenicScoreFinding.kind
    var scores: [Item]
    var statement: String
    var uncertainty: String

    struct Item: Encodable, Sendable {
        var id: FindingID
        var scoreID: String
        var name: String?
        var trait: String?
        var summary: String
        /// Variants matched in the genome, of the scoring file's rows.
        var matchedVariants: Int?
        var scoreVariants: Int?
        var matchRate: Double?
        /// The match rate is below the minimum overlap (pgsc_calc's 75 %): the sum is not a valid score.
        var lowOverlap: Bool?
        /// The population the sum was normalised against; absent when it was not normalised.
        var referencePopulation: String?
        var referenceSize: Int?
        var z: Double?
        var percentile: Double?
        var warnings: [String]
        var caveat: String
        var createdAt: Int64
    }

    init(_ findings: [Finding]) {
        scores = findings.map { finding in
            var item = Item(
                id: finding.id, scoreID: finding.subject, summary: finding.summary, warnings: [],
                caveat: AncestryCaveat.text(scoreID: finding.subject), createdAt: finding.createdAt)
            do {
                let evidence = try JSONDecoder().decode(PolygenicScoreFinding.self, from: Data(finding.evidence.utf8))
                let summary = evidence.summary
                item.name = summary.name
                item.trait = summary.trait
                item.matchedVariants = summary.matched
                item.scoreVariants = summary.rows
                item.matchRate = summary.matchedFraction
                item.lowOverlap = summary.lowOverlap
                item.warnings = summary.warnings
                item.caveat = summary.caveat
                if let normalised = evidence.score.normalised {
                    item.referencePopulation = normalised.population
                    item.referenceSize = normalised.referenceSize
                    item.z = normalised.z
                    item.percentile = normalised.percentile
                } else {
                    item.warnings.append("not normalised against a reference population: the raw sum has no meaning on its own")
                }
            } catch {
                item.warnings.append("the finding's evidence could not be read as a polygenic score; open the finding for its text")
            }
            return item
        }
        statement =
            findings.isEmpty
            ? "no polygenic scores on record"
            : "\(findings.count) polygenic score\(findings.count == 1 ? "" : "s") on record"
        uncertainty =
            "A polygenic score places the patient within a reference population (Z-score, percentile); it is not an absolute risk. "
            + "Accuracy depends on genetic ancestry and is lower outside the ancestry a score was developed in; ancestry "
            + "adjustment makes distributions comparable but does not fix that (risk-and-care.md §4.4–4.5)."
    }
}
