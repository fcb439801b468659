import CarePlan
import Foundation
import Monitoring
import PGx
import Records
import Risk

// From the record to the care-plan engine's input (issue #9): the patient's demographics, problem and medication lists,
// allergies, labs, factors, blood pressure (home average when the protocol's minimum is met, else clinic readings),
// risk scores computed by the risk view's equations, and the genomic findings the patient's consent lets treatment
// use. Pure: the routes read everything through the access gate and hand it here. Every assumption is written into
// `notes`, so the plan never silently stands on a guess.

struct CarePlanRecord: Sendable {
    var patient: Patient
    /// Conditions, medications and observations (as the risk view reads them) plus factors and allergies.
    var entries: [ClinicalEntry]
    /// Home readings, when monitoring may be read; nil when it may not.
    var readings: [Reading]?
    /// PGx and germline findings, when genomic data may be used; nil when withheld.
    var findings: [Finding]?
    /// Why genomic findings (or monitoring) were withheld, for the notes.
    var withheld: [String]
}

enum CarePlanMapping {
    /// Clinic blood-pressure readings averaged: the latest readings within 12 months, at most 3, on at least 2 days
    /// (risk-and-care.md §2.1: the average of ≥ 2 readings on ≥ 2 occasions).
    static let clinicWindowMillis: Int64 = 365 * 86_400_000
    static let diastolicLOINC = "8462-4"
    static let potassiumLOINC = "2823-3"

    struct Mapped: Sendable {
        var input: CarePlanInput
        var notes: [String]
        var bpSummary: MonitoringSummary?
    }

    static func input(
        _ record: CarePlanRecord, riskInput: RiskProfileInput, risk: RiskProfile, guideline: GuidelineVersion, asOf: Int64
    ) throws(APIError) -> Mapped {
        var notes = record.withheld
        let patient = record.patient
        guard let sex = PlanSex(rawValue: patient.sex) else {
            throw APIError.unprocessable(
                "invalid_field", "the patient's recorded sex is '\(patient.sex)': the guideline rules and risk equations need female or male",
                field: "patient.sex")
        }
        guard let age = risk.age else {
            throw APIError.unprocessable("invalid_field", "the patient's birth date is not recorded: the plan needs an age", field: "patient.birthDate")
        }
        let date = RiskDate(epochMillis: asOf)
        var input = CarePlanInput(
            age: age, sex: sex, bp: nil, guideline: guideline, asOf: PlanDate(year: date.year, month: date.month, day: date.day))

        // Blood pressure: the home protocol average when sufficient, else the clinic average.
        var summary: MonitoringSummary?
        if let readings = record.readings, !readings.isEmpty {
            let computed = MonitoringSummary.compute(readings, asOf: asOf)
            summary = computed
            let home = computed.homeBP
            if home.sufficient, let sbp = home.meanSystolic, let dbp = home.meanDiastolic {
                input.bp = BPSummary(meanSBP: sbp, meanDBP: dbp, source: .home, readingCount: home.count, sufficient: true)
                notes.append("blood pressure: home average of \(home.count) readings over \(home.days) days (day 1 excluded), home thresholds")
            } else {
                notes.append("home readings do not yet meet the protocol (\(home.insufficientReason ?? "insufficient")): clinic readings are used")
            }
        }
        if input.bp == nil {
            input.bp = clinicBP(record.entries, asOf: asOf, notes: &notes)
        }

        // Conditions, from the codes the risk view reads; CKD from eGFR < 60 is not inferred (a coded diagnosis is needed).
        var conditions = Conditions()
        conditions.diabetes = riskInput.diabetes?.present == true ? .type2 : nil
        conditions.clinicalASCVD = riskInput.knownASCVD?.present == true
        conditions.heartFailure = riskInput.knownHeartFailure?.present == true
        let active = record.entries.filter { $0.type == .condition && $0.category != "allergy" && ($0.status ?? "active") == "active" }
        conditions.codes = active.map { "\($0.code)" }
        let displays = active.compactMap { $0.display?.lowercased() }
        conditions.ckd = displays.contains { $0.contains("chronic kidney disease") }
        conditions.pregnancy = displays.contains { $0.contains("pregnan") }
        conditions.gout = displays.contains { $0.contains("gout") }
        input.conditions = conditions
        if conditions.diabetes != nil {
            notes.append("diabetes on the problem list (SNOMED 44054006) is read as type 2; type 1 has no mapped code")
        }

        input.allergies = record.entries.filter { $0.category == "allergy" && ($0.status ?? "active") != "resolved" }.compactMap { $0.display ?? $0.code }
        input.currentMedications = record.entries.filter { $0.type == .medication && ($0.status ?? "active") == "active" }.compactMap { $0.display }

        // Risk: PREVENT 10-year total CVD (base model as the risk view chooses) and PCE 10-year ASCVD.
        let prevent = risk.prevent.first { $0.horizonYears == 10 && $0.outcome.lowercased().contains("total cardiovascular") && $0.value != nil }
        input.risk = RiskScores(prevent10yTotalCVD: prevent?.value, pce10yASCVD: risk.pce.value)
        if prevent == nil { notes.append("PREVENT 10-year risk not computable: \(risk.missing.joined(separator: ", "))") }

        // Labs.
        func latest(_ code: String) -> Double? {
            record.entries.filter { $0.type == .observation && $0.code == code && $0.valueNumber != nil }
                .max { ($0.effectiveAt ?? $0.recordedAt) < ($1.effectiveAt ?? $1.recordedAt) }?.valueNumber
        }
        input.labs = Labs(
            a1c: riskInput.hba1c?.value, egfr: riskInput.egfr?.value ?? risk.egfr.value, uacr: riskInput.uacr?.value, potassium: latest(potassiumLOINC))

        // Factors (newest value of each) and preferences.
        let factors = PatientFactorCatalogue.current(record.entries)
        func number(_ path: String) -> Double? { factors[path]?.valueNumber }
        func text(_ path: String) -> String? { factors[path]?.valueText }
        var f = PatientFactors()
        f.dietPattern = text("diet.pattern").map { word in
            switch word {
            case "dash-like": .dashLike
            case "mediterranean": .mediterranean
            case "typical-western": .typical
            default: .other
            }
        }
        f.sodiumMgPerDay = number("diet.sodiumMgPerDay")
        f.potassiumMgPerDay = number("diet.potassiumMgPerDay")
        f.activityMinPerWeek = number("activity.minutesPerWeek")
        f.stepsPerDay = number("activity.stepsPerDay") ?? summary?.kinds.first { $0.kind == .steps }?.latest?.value
        f.alcoholDrinksPerDay = number("alcohol.drinksPerDay")
        f.smoking = text("smoking").map { $0 == "current" } ?? riskInput.smoker?.present
        f.sleepHours = number("sleep.hoursPerNight")
        f.bmi = riskInput.bmi?.value
        f.weightKg = summary?.kinds.first { $0.kind == .weight }?.latest?.value ?? riskInput.weight?.value
        f.pss10 = number("psychosocial.pss10")
        f.phq9 = number("psychosocial.phq9")
        f.gad7 = number("psychosocial.gad7")
        f.sdiDecile = number("environment.areaDeprivationDecile").map { Int($0) }
        f.safePlaceToExercise = text("environment.safePlaceToExercise").map { $0 == "yes" }
        f.foodAccess = text("environment.foodAccess").map { $0 == "good" }
        input.factors = f
        var preferences = Preferences()
        for domain in PatientFactorCatalogue.domains {
            let importance = number("preferences.importance.\(domain)")
            let confidence = number("preferences.confidence.\(domain)")
            if importance != nil || confidence != nil { preferences.domains[domain] = Ruler(importance: importance, confidence: confidence) }
        }
        preferences.unwilling = text("preferences.unwilling").map { $0.split(separator: ",").map(String.init) } ?? []
        preferences.costConstrained = text("preferences.costConstraint").map { $0 != "none" } ?? false
        preferences.language = text("preferences.language")
        input.preferences = preferences
        if factors.isEmpty {
            notes.append("no patient factors recorded: lifestyle items cannot be matched to this patient's life (PUT …/factors)")
        }

        // Genomic findings the patient's consent allows treatment to use.
        if let findings = record.findings {
            input.pgx = pgxInputs(findings)
            input.hereditary = findings.filter { $0.kind.hasPrefix("germline.") }.map { finding in
                HereditaryInput(gene: finding.subject, condition: nil, significance: finding.interpretation ?? finding.label ?? "reported", inheritance: nil)
            }
        }
        return Mapped(input: input, notes: notes, bpSummary: summary)
    }

    /// The average of the latest clinic SBP/DBP pairs (same moment) within 12 months: at most 3, on ≥ 2 days to count
    /// as sufficient.
    static func clinicBP(_ entries: [ClinicalEntry], asOf: Int64, notes: inout [String]) -> BPSummary? {
        func when(_ e: ClinicalEntry) -> Int64 { e.effectiveAt ?? e.recordedAt }
        let recent = entries.filter { $0.type == .observation && $0.category != "monitoring" && when($0) <= asOf && asOf - when($0) <= clinicWindowMillis }
        let diastolic = Dictionary(
            recent.filter { $0.code == diastolicLOINC && $0.valueNumber != nil }.map { (when($0), $0.valueNumber!) }, uniquingKeysWith: { a, _ in a })
        let pairs = recent.filter { $0.code == "8480-6" && $0.valueNumber != nil }
            .compactMap { e -> (Int64, Double, Double)? in diastolic[when(e)].map { (when(e), e.valueNumber!, $0) } }
            .sorted { $0.0 > $1.0 }.prefix(3)
        guard !pairs.isEmpty else {
            notes.append("no clinic blood pressure (LOINC 8480-6 with 8462-4) in the last 12 months and no sufficient home readings")
            return nil
        }
        let days = Set(pairs.map { $0.0 / 86_400_000 }).count
        let sbp = pairs.map(\.1).reduce(0, +) / Double(pairs.count)
        let dbp = pairs.map(\.2).reduce(0, +) / Double(pairs.count)
        let sufficient = pairs.count >= 2 && days >= 2
        notes.append(
            "blood pressure: clinic average of \(pairs.count) reading\(pairs.count == 1 ? "" : "s") on \(days) day\(days == 1 ? "" : "s")"
                + (sufficient ? "" : " (fewer than 2 readings on 2 occasions: confirm before acting)"))
        return BPSummary(meanSBP: sbp, meanDBP: dbp, source: .clinic, readingCount: pairs.count, sufficient: sufficient)
    }

    /// PGx drug findings as the plan engine reads them: the recommendation text verbatim, the guideline's own flags.
    static func pgxInputs(_ findings: [Finding]) -> [PGxInput] {
        let decoder = JSONDecoder()
        return findings.filter { $0.kind == "pgx.drug" }.flatMap { finding -> [PGxInput] in
            guard let drug = try? decoder.decode(PGxSampleReport.DrugResult.self, from: Data(finding.evidence.utf8)) else { return [] }
            return drug.recommendations.map { rec in
                PGxInput(
                    gene: rec.lookupKey.keys.sorted().joined(separator: "+"), phenotype: rec.lookupKey.keys.sorted().compactMap { rec.lookupKey[$0] }.joined(separator: "; "),
                    drug: drug.drug, recommendation: rec.text, classification: rec.classification, source: drug.source, guidelineURL: drug.guideline.url,
                    alternativeRecommended: rec.alternateDrugAvailable, doseAdjustment: rec.dosingInformation)
            }
        }
    }
}
