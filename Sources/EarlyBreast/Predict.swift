import Foundation

// PREDICT Breast: overall and breast-cancer-specific survival at 5, 10 and 15 years after surgery, and the absolute
// benefit of each treatment added in the web tool's order (oncology.md §5.2: surgery → +endocrine → +chemotherapy →
// +trastuzumab → +bisphosphonates; v3.2 puts radiotherapy first, as R/benefits32.R does). Survival follows the R code:
// cumulative hazards from annual baseline increments, OS(t) = exp(−Hoth(t))·exp(−Hbr(t)), and the annual all-cause
// mortality split into breast and other deaths in proportion to the annual breast and other mortality.

/// Survival and deaths at one horizon, in percent of women like the patient.
public struct PredictOutcome: Codable, Sendable, Hashable {
    public var years: Int
    /// Alive, %.
    public var overallSurvival: Double
    /// Not dead of breast cancer, % (100 − `breastCancerDeaths`; other deaths are competing, as in the R split).
    public var breastCancerSpecificSurvival: Double
    /// Dead of breast cancer, %.
    public var breastCancerDeaths: Double
    /// Dead of other causes, %.
    public var otherCauseDeaths: Double
}

/// What adding a treatment changes at one horizon, in percentage points.
public struct PredictBenefit: Codable, Sendable, Hashable {
    public var years: Int
    /// More women alive (negative when harms outweigh benefit, possible in v3.2 where chemotherapy and heart dose raise
    /// other-cause mortality).
    public var overallSurvival: Double
    /// Fewer women dead of breast cancer.
    public var breastCancerDeathsAverted: Double
}

/// The treatments PREDICT models.
public enum PredictTreatment: String, Codable, Sendable, Hashable, CaseIterable {
    case radiotherapy, endocrine, chemotherapy, trastuzumab, bisphosphonates

    public var name: String {
        switch self {
        case .radiotherapy: "radiotherapy"
        case .endocrine: "hormone (endocrine) therapy"
        case .chemotherapy: "chemotherapy"
        case .trastuzumab: "trastuzumab"
        case .bisphosphonates: "bisphosphonates"
        }
    }
}

/// One rung of the benefit ladder: a treatment added to everything before it.
public struct PredictStep: Codable, Sendable, Hashable {
    public var treatment: PredictTreatment
    /// E.g. "3rd-generation chemotherapy", "hormone (endocrine) therapy, 10 years".
    public var label: String
    /// The regimen with this step, as the R code names it ("h", "hc", "hct", "hctb"; v3.2 "rh", "rh10c", …).
    public var regimen: String
    /// Survival with this step and all before it.
    public var outcomes: [PredictOutcome]
    /// Gain over the previous rung.
    public var benefit: [PredictBenefit]
}

/// Second- and third-generation chemotherapy, each added to the rungs before chemotherapy, whatever the plan selected.
public struct PredictChemotherapyOption: Codable, Sendable, Hashable {
    public var generation: ChemotherapyGeneration
    public var regimen: String
    public var outcomes: [PredictOutcome]
    /// Gain over the rung before chemotherapy.
    public var benefit: [PredictBenefit]
}

/// A selected treatment left out of the ladder, and why.
public struct PredictExclusion: Codable, Sendable, Hashable {
    public var treatment: PredictTreatment
    public var reason: String
}

/// Everything PREDICT says for one patient and plan.
public struct PredictResult: Codable, Sendable, Hashable {
    public var model: BreastModelInfo
    public var version: PredictVersion
    public var horizons: [Int]
    /// Non-empty exactly when there are no numbers.
    public var notApplicable: [String]
    /// Surgery only (no adjuvant treatment).
    public var surgeryOnly: [PredictOutcome]
    /// Selected, applicable treatments in the order they are added.
    public var steps: [PredictStep]
    /// All steps together versus surgery only.
    public var total: [PredictBenefit]
    public var chemotherapyOptions: [PredictChemotherapyOption]
    public var excluded: [PredictExclusion]
    /// How inputs were coded (unknown values, ignored inputs).
    public var notes: [String]
    /// Caveats that must accompany the numbers (e.g. provisional model).
    public var warnings: [String]
    public var disclaimer: String

    /// The outcome of the last rung (or surgery only) at a horizon.
    public func finalOutcome(years: Int) -> PredictOutcome? {
        (steps.last?.outcomes ?? surgeryOnly).first { $0.years == years }
    }
}

/// Survival curves of one regimen, percent, index k−1 for year k.
struct PredictCurve: Sendable {
    var overall: [Double]
    var breastDeaths: [Double]
    var otherDeaths: [Double]

    func outcome(years: Int) -> PredictOutcome {
        let i = years - 1
        return PredictOutcome(
            years: years, overallSurvival: overall[i], breastCancerSpecificSurvival: 100 - breastDeaths[i], breastCancerDeaths: breastDeaths[i],
            otherCauseDeaths: otherDeaths[i])
    }
}

/// The survival arithmetic shared by every version.
enum PredictEngine {
    /// Survival of one regimen: breast log hazard `breastIndex[k] + breastTreatment[k]` and other log hazard
    /// `otherIndex + otherTreatment`, applied to the annual baseline increments; deaths split as R/benefits21.R does.
    static func curve(_ b: PredictBaseline, breastTreatment: [Double], otherTreatment: Double) -> PredictCurve {
        var overall = [Double](repeating: 0, count: predictYears)
        var breastDeaths = overall
        var otherDeaths = overall
        let otherFactor = exp(b.otherIndex + otherTreatment)
        var hBreast = 0.0, hOther = 0.0
        var sBreastBefore = 1.0, sOtherBefore = 1.0, sAllBefore = 1.0
        var cumBreast = 0.0, cumOther = 0.0
        for k in 0..<predictYears {
            hBreast += b.breastIncrements[k] * exp(b.breastIndex[k] + breastTreatment[k])
            hOther += b.otherIncrements[k] * otherFactor
            let sBreast = exp(-hBreast), sOther = exp(-hOther)
            let sAll = sBreast * sOther
            // Annual risks (differences of cumulative risks), as R's m.br.rx, m.oth.rx and m.all.rx.
            let mBreast = sBreastBefore - sBreast
            let mOther = sOtherBefore - sOther
            let mAll = sAllBefore - sAll
            let denominator = mBreast + mOther
            let breastShare = denominator > 0 ? mBreast / denominator : 0
            cumBreast += breastShare * mAll
            cumOther += mAll - breastShare * mAll
            overall[k] = 100 * (1 - (cumBreast + cumOther))
            breastDeaths[k] = 100 * cumBreast
            otherDeaths[k] = 100 * cumOther
            sBreastBefore = sBreast
            sOtherBefore = sOther
            sAllBefore = sAll
        }
        return PredictCurve(overall: overall, breastDeaths: breastDeaths, otherDeaths: otherDeaths)
    }
}

/// PREDICT Breast v2.1 (default) and v3.2 (provisional).
public enum Predict {
    /// The horizons every result reports.
    public static let horizons = [5, 10, 15]

    /// Ages the PREDICT tool accepts ("Age must be between 25 and 85": WintonCentre/predict-v21-main input panel; the
    /// nhs.predict R package documents the same range). Outside it the model does not apply.
    public static let ageRange: ClosedRange<Double> = 25...85
    /// Ages accepted as input at all; outside them the value is taken to be an error.
    public static let acceptedAge: ClosedRange<Double> = 0...120
    /// Invasive tumour size, mm: above 0 (the equations take its logarithm) and at most 500, the PREDICT tool's maximum.
    public static let acceptedSize: ClosedRange<Double> = 0.1...500
    /// Positive nodes: 0–100, the PREDICT tool's input range.
    public static let acceptedNodes: ClosedRange<Int> = 0...100
    /// Mean heart dose, Gy: 0–50, the range of the PREDICT tool's (research) heart-dose input.
    public static let acceptedHeartDose: ClosedRange<Double> = 0...50

    static let attribution = "PREDICT equations transcribed from github.com/WintonCentre/predict-v30-r (MIT licence, "
        + "Copyright (c) 2022 University of Cambridge; model by Paul Pharoah, Winton Centre)."

    public static let v21Info = BreastModelInfo(
        id: "predict-2.1", name: "PREDICT Breast v2.1",
        citation: "Candido dos Reis FJ et al. Breast Cancer Res 2017;19:58 (v2.0); Wishart GC et al. Breast Cancer Res 2010;12:R1 (v1); "
            + "bisphosphonate effect per EBCTCG 2015; as coded in WintonCentre/predict-v30-r R/benefits21.R "
            + "(commit 42223bc1150bb9f88058b2801c770aa9ca091830)",
        population: "Women aged 25–85 after surgery for invasive early breast cancer (not DCIS/LCIS alone), as the PREDICT tool accepts",
        knowledge: "built-in constants (oncology.md §5.2; ../shared/data/predict/predict_v2.1_model.json)", attribution: attribution,
        provisional: false)

    public static let v32Info = BreastModelInfo(
        id: "predict-3.2", name: "PREDICT Breast v3.2 (provisional development model)",
        citation: "WintonCentre/predict-v30-r R/benefits32.R (2025-04-11) with inst/extdata/coefficients_v3.csv "
            + "(commit 42223bc1150bb9f88058b2801c770aa9ca091830); PR extension Grootes I et al. Eur J Cancer 2022 (v2.3)",
        population: "Women aged 25–85 after surgery for invasive early breast cancer (not DCIS/LCIS alone), as the PREDICT tool accepts",
        knowledge: "built-in constants (oncology.md §5.3; ../shared/data/predict/predict_v3.2_model.json, coefficients_v3.csv)",
        attribution: attribution, provisional: true)

    public static let provisionalWarning = "PROVISIONAL: PREDICT v3.2 is the authors' development code (R/benefits32.R, 2025-04-11); "
        + "its coefficients changed in 2023 and 2025, it is not peer reviewed in this form, and the public PREDICT v3 web tool may differ."

    public static let disclaimer = "PREDICT estimates outcomes for groups of women with the same characteristics; it cannot say what "
        + "will happen to one person. Decision support for qualified clinicians, not a diagnosis; treatment harms other than those "
        + "modelled are not shown."

    /// Computes the survival ladder for a patient and plan.
    ///
    /// - Throws: ``BreastInputError`` for an impossible value (age outside 0–120, size outside 0.1–500 mm, nodes outside
    ///   0–100, grade not 1–3, heart dose outside 0–50 Gy), an unknown ER status, or radiotherapy in v3.2 without a
    ///   heart dose.
    /// - Returns: a result, or one that is not applicable (age outside 25–85) with the reason.
    public static func estimate(_ input: PredictInput) throws(BreastInputError) -> PredictResult {
        let info = input.version == .v21 ? v21Info : v32Info
        let model = input.version == .v21 ? "PREDICT v2.1" : "PREDICT v3.2"
        let age = try BreastCheck.required(input.age, "age", accepted: acceptedAge, unit: "years", model: model)
        let size = try BreastCheck.required(
            input.tumourSizeMM, "tumourSizeMM", accepted: acceptedSize, unit: "mm", model: model,
            hint: "invasive tumour size in millimetres, above 0 and at most 500")
        let nodes = try BreastCheck.whole(input.positiveNodes, "positiveNodes", accepted: acceptedNodes, unit: "nodes", model: model)
        if let grade = input.grade { _ = try BreastCheck.whole(grade, "grade", accepted: 1...3, unit: "", model: model) }
        guard input.er != .unknown else {
            throw BreastInputError(model: model, field: "er", problem: .invalid("ER status must be positive or negative; PREDICT has no unknown ER status"))
        }
        let heartDose = try BreastCheck.optional(input.heartDoseGy, "heartDoseGy", accepted: acceptedHeartDose, unit: "Gy", model: model)
        if input.version == .v32, input.radiotherapy, heartDose == nil {
            throw BreastInputError(
                model: model, field: "heartDoseGy", problem: .missing,
                hint: "PREDICT v3.2 needs the mean heart dose (Gy) with radiotherapy: it raises non-breast mortality by ln(1.02) per Gy")
        }

        var warnings: [String] = []
        if input.version == .v32 { warnings.append(provisionalWarning) }
        if let reason = ageReason(age) {
            return PredictResult(
                model: info, version: input.version, horizons: horizons, notApplicable: [reason], surgeryOnly: [], steps: [], total: [],
                chemotherapyOptions: [], excluded: [], notes: [], warnings: warnings, disclaimer: disclaimer)
        }

        let erPositive = input.er == .positive
        let usesRadiotherapy = input.version == .v32 && input.radiotherapy
        let patient = PredictPatient(
            age: age, size: size, nodes: Double(nodes), gradeGiven: input.grade, erPositive: erPositive, her2: input.her2, ki67: input.ki67,
            pr: input.pr, screen: input.detection == .screening ? 1 : (input.detection == .symptomatic ? 0 : 0.204),
            currentSmoker: input.currentSmoker, heartDoseGy: usesRadiotherapy ? heartDose ?? 0 : 0)
        let notes = inputNotes(input, erPositive: erPositive)

        // The plan, rung by rung, skipping what does not apply.
        var excluded: [PredictExclusion] = []
        var order: [PredictTreatment] = []
        if input.radiotherapy {
            if input.version == .v32 {
                order.append(.radiotherapy)
            } else {
                excluded.append(PredictExclusion(
                    treatment: .radiotherapy,
                    reason: "radiotherapy is not modelled in PREDICT v2.1 (disabled in the authors' code, r.enabled = 0); version 3.2 models it, provisionally"))
            }
        }
        if input.endocrine {
            if erPositive {
                order.append(.endocrine)
            } else {
                excluded.append(PredictExclusion(treatment: .endocrine, reason: "hormone (endocrine) therapy has no effect in ER-negative disease in PREDICT"))
            }
        }
        if input.chemotherapy != .none { order.append(.chemotherapy) }
        if input.trastuzumab {
            if input.her2 == .positive {
                order.append(.trastuzumab)
            } else {
                excluded.append(PredictExclusion(
                    treatment: .trastuzumab, reason: "trastuzumab has an effect only in HER2-positive disease in PREDICT (HER2 is \(input.her2.rawValue))"))
            }
        }
        if input.bisphosphonates {
            switch input.menopause {
            case .postmenopausal: order.append(.bisphosphonates)
            case .premenopausal:
                excluded.append(PredictExclusion(treatment: .bisphosphonates, reason: "bisphosphonate benefit applies only to postmenopausal women"))
            case .unknown:
                excluded.append(PredictExclusion(
                    treatment: .bisphosphonates,
                    reason: "menopausal status is needed: bisphosphonate benefit applies only to postmenopausal women"))
            }
        }

        let baseline = input.version == .v21 ? PredictV21.baseline(patient) : PredictV32.baseline(patient)
        func curve(_ regimen: PredictRegimen) -> PredictCurve {
            var breast = [Double](repeating: 0, count: predictYears)
            for year in 1...predictYears {
                breast[year - 1] = input.version == .v21
                    ? PredictV21.breastTreatment(regimen, patient: patient, year: year)
                    : PredictV32.breastTreatment(regimen, patient: patient, year: year)
            }
            let other = input.version == .v21 ? 0 : PredictV32.otherTreatment(regimen, patient: patient)
            return PredictEngine.curve(baseline, breastTreatment: breast, otherTreatment: other)
        }

        let surgery = curve(PredictRegimen())
        var regimen = PredictRegimen()
        var previous = surgery
        var beforeChemotherapy = PredictRegimen()
        var beforeChemotherapyCurve = surgery
        var steps: [PredictStep] = []
        let extended = input.version == .v32 && input.extendedEndocrine && erPositive
        for treatment in order {
            let label: String
            switch treatment {
            case .radiotherapy:
                regimen.radiotherapy = true
                label = "radiotherapy (mean heart dose \(BreastFormat.number(patient.heartDoseGy)) Gy)"
            case .endocrine:
                regimen.endocrine = true
                regimen.extendedEndocrine = extended
                label = extended ? "hormone (endocrine) therapy, 10 years" : "hormone (endocrine) therapy, 5 years"
            case .chemotherapy:
                beforeChemotherapy = regimen
                beforeChemotherapyCurve = previous
                regimen.chemotherapy = input.chemotherapy
                label = input.chemotherapy == .second ? "2nd-generation chemotherapy" : "3rd-generation chemotherapy"
            case .trastuzumab:
                regimen.trastuzumab = true
                label = "trastuzumab"
            case .bisphosphonates:
                regimen.bisphosphonates = true
                label = "bisphosphonates"
            }
            let next = curve(regimen)
            steps.append(PredictStep(
                treatment: treatment, label: label, regimen: regimen.code, outcomes: horizons.map(next.outcome),
                benefit: benefit(from: previous, to: next)))
            previous = next
        }
        if !order.contains(.chemotherapy) {
            beforeChemotherapy = regimen
            beforeChemotherapy.trastuzumab = false
            beforeChemotherapy.bisphosphonates = false
            beforeChemotherapyCurve = beforeChemotherapy == regimen ? previous : curve(beforeChemotherapy)
        }
        let options = [ChemotherapyGeneration.second, .third].map { generation in
            var withChemo = beforeChemotherapy
            withChemo.chemotherapy = generation
            let c = curve(withChemo)
            return PredictChemotherapyOption(
                generation: generation, regimen: withChemo.code, outcomes: horizons.map(c.outcome), benefit: benefit(from: beforeChemotherapyCurve, to: c))
        }
        return PredictResult(
            model: info, version: input.version, horizons: horizons, notApplicable: [], surgeryOnly: horizons.map(surgery.outcome), steps: steps,
            total: benefit(from: surgery, to: previous), chemotherapyOptions: options, excluded: excluded, notes: notes, warnings: warnings,
            disclaimer: disclaimer)
    }

    static func benefit(from before: PredictCurve, to after: PredictCurve) -> [PredictBenefit] {
        horizons.map { years in
            PredictBenefit(
                years: years, overallSurvival: after.overall[years - 1] - before.overall[years - 1],
                breastCancerDeathsAverted: before.breastDeaths[years - 1] - after.breastDeaths[years - 1])
        }
    }

    /// Why PREDICT does not apply at this age, or nil.
    static func ageReason(_ age: Double) -> String? {
        guard !ageRange.contains(age) else { return nil }
        return "age \(BreastFormat.number(age)) years is outside 25–85 years, the ages the PREDICT tool accepts"
    }

    /// How unknown and ignored inputs were coded, so the clinician can see what the numbers assume.
    static func inputNotes(_ input: PredictInput, erPositive: Bool) -> [String] {
        var notes: [String] = []
        if input.grade == nil {
            if erPositive || input.version == .v32 {
                notes.append("grade unknown: coded 2.13, as PREDICT does")
            } else {
                notes.append("grade unknown: in ER-negative disease v2.1 scores only grade 2 or 3, so an unknown grade adds nothing (R: grade==2||grade==3)")
            }
        }
        if input.detection == .unknown {
            notes.append(erPositive || input.version == .v32
                ? "mode of detection unknown: coded 0.204, as PREDICT does" : "mode of detection does not enter v2.1 for ER-negative disease")
        }
        if input.her2 == .unknown { notes.append("HER2 unknown: no HER2 term, as PREDICT does") }
        if !erPositive && input.ki67 != .unknown { notes.append("Ki-67 affects ER-positive disease only in PREDICT; ignored") }
        if erPositive && input.ki67 == .unknown { notes.append("Ki-67 unknown: no Ki-67 term, as PREDICT does") }
        if input.version == .v21 {
            if input.pr != .unknown { notes.append("progesterone receptor status is used by v3.2 only; ignored by v2.1") }
            if input.currentSmoker { notes.append("smoking is used by v3.2 only; ignored by v2.1") }
            if input.extendedEndocrine {
                notes.append("10-year hormone therapy is not part of v2.1 (its years 11–15 effect was added in v2.2); hormone therapy is modelled for 5 years")
            }
            if input.heartDoseGy != nil { notes.append("heart dose is used by v3.2 only; ignored by v2.1") }
        } else {
            if input.pr == .unknown { notes.append("progesterone receptor status unknown: no PR term, as PREDICT v3.2 does") }
            if input.extendedEndocrine && !erPositive {
                notes.append("10-year hormone therapy has no effect in ER-negative disease (R: h10 is 0 when h is 0)")
            } else if input.extendedEndocrine && !input.endocrine {
                notes.append("10-year hormone therapy was asked for without hormone therapy; not modelled")
            }
            if !input.radiotherapy && input.heartDoseGy != nil {
                notes.append("heart dose ignored: no radiotherapy, so no radiotherapy harm is applied")
            }
        }
        return notes
    }
}
