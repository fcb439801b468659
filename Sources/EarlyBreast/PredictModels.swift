import Foundation

// The PREDICT Breast equations, as constants transcribed from the authors' MIT-licensed R code (github.com/WintonCentre/
// predict-v30-r, commit 42223bc1150bb9f88058b2801c770aa9ca091830; "Copyright (c) 2022 University of Cambridge") via the
// project brief docs/domain/oncology.md §5.2–5.4 and ../shared/data/predict/{predict_v2.1_model.json,
// predict_v3.2_model.json, coefficients_v3.csv}. The tests compare every constant here with those files (copied into the
// test fixtures). A model version turns a validated patient into annual baseline hazard increments and prognostic
// indices; PredictEngine turns those and a treatment regimen into survival curves.

/// A validated patient, in the units and codings the equations use.
struct PredictPatient: Sendable, Hashable {
    var age: Double
    var size: Double
    var nodes: Double
    /// Grade as entered (1–3), nil when unknown.
    var gradeGiven: Int?
    var erPositive: Bool
    var her2: MarkerStatus
    var ki67: MarkerStatus
    var pr: MarkerStatus
    /// 1 screen-detected, 0 symptomatic, 0.204 unknown.
    var screen: Double
    var currentSmoker: Bool
    /// Mean heart dose, Gy; 0 without radiotherapy (oncology.md §5.4: v3.2 applies the harm to every "r" regimen).
    var heartDoseGy: Double

    /// Unknown grade is 2.13 in both versions (oncology.md §5.2 "Inputs").
    var grade: Double { gradeGiven.map(Double.init) ?? 2.13 }
}

/// One treatment combination. `code` is the R column name ("s", "h", "hc", "rhctb", "h10c", …).
struct PredictRegimen: Sendable, Hashable {
    var radiotherapy = false
    var endocrine = false
    var extendedEndocrine = false
    var chemotherapy: ChemotherapyGeneration = .none
    var trastuzumab = false
    var bisphosphonates = false

    var code: String {
        var text = radiotherapy ? "r" : ""
        if endocrine { text += extendedEndocrine ? "h10" : "h" }
        if chemotherapy != .none { text += "c" }
        if trastuzumab { text += "t" }
        if bisphosphonates { text += "b" }
        return text.isEmpty ? "s" : text
    }
}

/// What a version computes for one patient before any treatment: annual baseline cumulative-hazard increments
/// ΔH0(k) = H0(k) − H0(k−1), k = 1…15 (ΔH0(1) = H0(1)), and the prognostic indices.
struct PredictBaseline: Sendable {
    var breastIncrements: [Double]
    var otherIncrements: [Double]
    /// Breast-cancer prognostic index by year (constant in v2.1; v3.2's HER2 effect in ER+ disease varies by year).
    var breastIndex: [Double]
    /// Other-cause prognostic index `mi`.
    var otherIndex: Double
}

/// The horizon of every PREDICT version: years 1–15 after surgery.
let predictYears = 15

/// Annual increments of a cumulative baseline hazard H0(t), t = 1…15.
func annualIncrements(_ cumulative: (Double) -> Double) -> [Double] {
    var increments = [Double](repeating: 0, count: predictYears)
    var previous = 0.0
    for k in 1...predictYears {
        let h = cumulative(Double(k))
        increments[k - 1] = h - previous
        previous = h
    }
    return increments
}

// MARK: - PREDICT v2.1

/// PREDICT v2.1 (Candido dos Reis FJ et al., Breast Cancer Res 2017;19:58; bisphosphonate term per EBCTCG 2015), as coded
/// in R/benefits21.R and inst/Predict-v2.1-2018-04-07.R. Constants: oncology.md §5.2 and predict_v2.1_model.json.
enum PredictV21 {
    // Breast-cancer prognostic index, ER-positive (oncology.md §5.2 table).
    static let erPosAge1Beta = 34.53642          // · ((age/10)^-2 − 0.0287449295)
    static let erPosAge1Centre = 0.0287449295
    static let erPosAge2Beta = -34.20342         // · ((age/10)^-2 · ln(age/10) − 0.0510121013)
    static let erPosAge2Centre = 0.0510121013
    static let erPosSizeBeta = 0.7530729         // · (ln(size/100) + 1.545233938)
    static let erPosSizeCentre = 1.545233938
    static let erPosNodesBeta = 0.7060723        // · (ln((nodes+1)/10) + 1.387566896)
    static let erPosNodesCentre = 1.387566896
    static let erPosGradeBeta = 0.746655         // · grade (1–3; 2.13 unknown)
    static let erPosScreenBeta = -0.22763366     // · screen (0 / 1 / 0.204)
    // ER-negative.
    static let erNegAgeBeta = 0.0089827          // · (age − 56.3254902)
    static let erNegAgeCentre = 56.3254902
    static let erNegSizeBeta = 2.093446          // · ((size/100)^0.5 − 0.5090456276)
    static let erNegSizeCentre = 0.5090456276
    static let erNegNodesBeta = 0.6260541        // · (ln((nodes+1)/10) + 1.086916249)
    static let erNegNodesCentre = 1.086916249
    static let erNegGradeBeta = 1.129091         // · (1 if grade is exactly 2 or 3, else 0: unknown 2.13 → 0, §5.4)
    // Both.
    static let her2Positive = 0.2413
    static let her2Negative = -0.0762
    // ER-positive only (§5.4 "Ki67 affects ER+ only").
    static let ki67Positive = 0.14904
    static let ki67Negative = -0.11333
    // Other-cause index: mi = 0.0698252 · ((age/10)² − 34.23391957).
    static let otherAgeBeta = 0.0698252
    static let otherAgeCentre = 34.23391957
    // Baseline cumulative hazards (oncology.md §5.2).
    static let otherBaseline = (intercept: -6.052919, lnT: 1.079863, sqrtT: 0.3255321)
    static let erPosBaseline = (intercept: 0.7424402, invSqrtT: -7.527762, lnTOverSqrtT: -1.812513)
    static let erNegBaseline = (intercept: -1.156036, invT2: 0.4707332, invT: -3.51355)
    // Treatment log hazard ratios on breast-cancer mortality (oncology.md §5.2).
    static let chemoSecond = -0.248
    static let chemoThird = -0.446
    static let endocrine = -0.3857
    static let trastuzumab = -0.3567
    static let bisphosphonate = -0.198

    /// The breast-cancer prognostic index `pi` (no treatment).
    static func breastIndex(_ p: PredictPatient) -> Double {
        var pi: Double
        if p.erPositive {
            let a = p.age / 10
            pi = erPosAge1Beta * (pow(a, -2) - erPosAge1Centre)
                + erPosAge2Beta * (pow(a, -2) * log(a) - erPosAge2Centre)
                + erPosSizeBeta * (log(p.size / 100) + erPosSizeCentre)
                + erPosNodesBeta * (log((p.nodes + 1) / 10) + erPosNodesCentre)
                + erPosGradeBeta * p.grade
                + erPosScreenBeta * p.screen
            switch p.ki67 {
            case .positive: pi += ki67Positive
            case .negative: pi += ki67Negative
            case .unknown: break
            }
        } else {
            // R: ifelse(grade==2 || grade==3, 1, 0) — an unknown grade (2.13) scores 0 here (§5.4 pitfall).
            let gradeTerm: Double = (p.gradeGiven == 2 || p.gradeGiven == 3) ? 1 : 0
            pi = erNegAgeBeta * (p.age - erNegAgeCentre)
                + erNegSizeBeta * (pow(p.size / 100, 0.5) - erNegSizeCentre)
                + erNegNodesBeta * (log((p.nodes + 1) / 10) + erNegNodesCentre)
                + erNegGradeBeta * gradeTerm
        }
        switch p.her2 {
        case .positive: pi += her2Positive
        case .negative: pi += her2Negative
        case .unknown: break
        }
        return pi
    }

    static func otherIndex(_ p: PredictPatient) -> Double {
        otherAgeBeta * ((p.age / 10) * (p.age / 10) - otherAgeCentre)
    }

    static func baseline(_ p: PredictPatient) -> PredictBaseline {
        let other = annualIncrements { t in exp(otherBaseline.intercept + otherBaseline.lnT * log(t) + otherBaseline.sqrtT * t.squareRoot()) }
        let breast: [Double]
        if p.erPositive {
            breast = annualIncrements { t in
                exp(erPosBaseline.intercept + erPosBaseline.invSqrtT / t.squareRoot() + erPosBaseline.lnTOverSqrtT * log(t) / t.squareRoot())
            }
        } else {
            breast = annualIncrements { t in exp(erNegBaseline.intercept + erNegBaseline.invT2 / (t * t) + erNegBaseline.invT / t) }
        }
        return PredictBaseline(
            breastIncrements: breast, otherIncrements: other, breastIndex: [Double](repeating: breastIndex(p), count: predictYears),
            otherIndex: otherIndex(p))
    }

    /// Treatment log hazard on breast-cancer mortality. As in the R code, endocrine acts only in ER+ and trastuzumab only in
    /// HER2+ disease whatever the plan says; radiotherapy is disabled in v2.1 (`r.enabled = 0`) and extended endocrine
    /// is a v2.2 addition, so neither is modelled here.
    static func breastTreatment(_ r: PredictRegimen, patient p: PredictPatient, year: Int) -> Double {
        var rx = 0.0
        if r.endocrine && p.erPositive { rx += endocrine }
        switch r.chemotherapy {
        case .none: break
        case .second: rx += chemoSecond
        case .third: rx += chemoThird
        }
        if r.trastuzumab && p.her2 == .positive { rx += trastuzumab }
        if r.bisphosphonates { rx += bisphosphonate }
        return rx
    }
}

// MARK: - PREDICT v3.2 (provisional)

/// PREDICT v3.2: the authors' development code R/benefits32.R (2025-04-11) with inst/extdata/coefficients_v3.csv
/// (oncology.md §5.3; predict_v3.2_model.json). Not peer reviewed in this form; results are labelled provisional.
enum PredictV32 {
    /// coefficients_v3.csv, verbatim (26 fitted coefficients, last changed dd09ec16, 2023-07-24).
    static let ag1_er0 = 1.7560679383953317
    static let ag2_er0 = 4.555274634880487
    static let sz1_er0 = 0.7443277265210039
    static let nd1_er0 = 0.6308590364310884
    static let gr1_er0 = 0.3462287839000938
    static let sc1_er0 = -0.2110969326598672
    static let yr1_er0 = -0.045504610416172736
    static let ag1_er1 = 0.1958986203588129
    static let ag2_er1 = 2.929125051895787
    static let sz1_er1 = 2.27417420673498
    static let nd1_er1 = 0.6724828209061207
    static let gr1_er1 = 0.7050339629739382
    static let sc1_er1 = -0.32039363353015476
    static let yr1_er1 = -0.048251370712776756
    static let ag_ot_ea_beta_1 = 4.211443507724736
    static let ag_ot_ea_beta_2 = -31.41202815365277
    static let yr_ot_ea_beta = -0.021186462111818898
    static let h0_br_i = -3.0153139765165835
    static let h0_br_t1 = -0.5755380524044251
    static let h0_br_t2 = -0.1028439317178058
    static let h1_br_i = -2.3193510039281637
    static let h1_br_t1 = -3.622538332641392
    static let h1_br_t2 = -0.542240944493945
    static let h_ot_i = -4.845654758283992
    static let h_ot_t1 = 1.341348310005262
    static let h_ot_t2 = 0.49539394353046057

    /// Year of diagnosis is fixed at 2017 in the web tool, so (year − 2000) = 17 (oncology.md §5.3).
    static let yearsSince2000 = 17.0
    /// Age transform a = (age − 24)/100.
    static let ageOffset = 24.0
    /// `r.base.br` constants (v3.2; v3.1 used 0.1326 for both).
    static let baseBreastERPositive = 0.70
    static let baseBreastERNegative = 0.55
    /// `r.base.oth`.
    static let baseOther = -0.062
    /// HER2 effect in ER+ disease, years 1–15 (time-varying).
    static let her2PositiveERPositive = [0.608, 0.532, 0.457, 0.382, 0.307, 0.231, 0.156, 0.081, 0.006, 0, 0, 0, 0, 0, 0]
    static let her2NegativeERPositive = [-0.053, -0.046, -0.040, -0.033, -0.027, -0.020, -0.014, -0.007, 0, 0, 0, 0, 0, 0, 0]
    static let her2PositiveERNegative = 0.2316
    static let her2NegativeERNegative = -0.08589
    static let ki67Positive = 0.14904
    static let ki67Negative = -0.11333
    static let prPositiveERPositive = -0.0619
    static let prNegativeERPositive = 0.2624
    static let prPositiveERNegative = -0.2231
    static let prNegativeERNegative = 0.0296
    /// Smoking: RR 2 for smoking-related deaths, 25 % of non-breast deaths smoking-related, 10 % current smokers, so
    /// never/ex = ln(1/1.025), current = ln(1.25/1.025) (oncology.md §5.3).
    static let smokingRelatedShare = 0.25
    static let smokingRelativeRisk = 2.0
    static let smokerPrevalence = 0.1
    static var neverSmokerBeta: Double { log(1 / (1 - smokerPrevalence + allCauseSmokerRR * smokerPrevalence)) }
    static var currentSmokerBeta: Double { log(allCauseSmokerRR / (1 - smokerPrevalence + allCauseSmokerRR * smokerPrevalence)) }
    static var allCauseSmokerRR: Double { smokingRelatedShare * smokingRelativeRisk + 1 - smokingRelatedShare }
    // Treatments on breast-cancer mortality (as v2.1, plus radiotherapy and 10-year endocrine).
    static let chemoSecond = -0.248
    static let chemoThird = -0.446
    static let endocrine = -0.3857
    /// Extra effect of 10-year endocrine therapy in years 11–15.
    static let extendedEndocrineExtra = -0.301
    static let trastuzumab = -0.3567
    static let bisphosphonate = -0.198
    /// ln(0.82) on breast-cancer mortality.
    static let radiotherapyBreastHR = 0.82
    // Harms on other-cause mortality.
    /// Chemotherapy (any generation): ln(1.2).
    static let chemoOtherHR = 1.2
    /// Radiotherapy: ln(1.02) per Gy of mean heart dose.
    static let radiotherapyOtherHRPerGy = 1.02

    static func breastIndex(_ p: PredictPatient) -> [Double] {
        let a = (p.age - ageOffset) / 100
        var pi: Double
        var her2: [Double]
        if p.erPositive {
            pi = ag1_er1 * pow(a, -0.5) + ag2_er1 * a * a + sz1_er1 * (1 - exp(-p.size / 20)) + nd1_er1 * log(p.nodes + 1)
                + gr1_er1 * p.grade + sc1_er1 * p.screen + yr1_er1 * yearsSince2000 + baseBreastERPositive
            switch p.her2 {
            case .positive: her2 = her2PositiveERPositive
            case .negative: her2 = her2NegativeERPositive
            case .unknown: her2 = [Double](repeating: 0, count: predictYears)
            }
            switch p.ki67 {
            case .positive: pi += ki67Positive
            case .negative: pi += ki67Negative
            case .unknown: break
            }
            switch p.pr {
            case .positive: pi += prPositiveERPositive
            case .negative: pi += prNegativeERPositive
            case .unknown: break
            }
        } else {
            // v3.2 uses the grade itself for ER- disease (2.13 when unknown), unlike v2.1's 0/1 term (§5.4 pitfall).
            pi = ag1_er0 * a + ag2_er0 * a * log(a) + sz1_er0 * log(p.size) + nd1_er0 * log(p.nodes + 1) + gr1_er0 * p.grade
                + sc1_er0 * p.screen + yr1_er0 * yearsSince2000 + baseBreastERNegative
            let constant: Double
            switch p.her2 {
            case .positive: constant = her2PositiveERNegative
            case .negative: constant = her2NegativeERNegative
            case .unknown: constant = 0
            }
            her2 = [Double](repeating: constant, count: predictYears)
            switch p.pr {
            case .positive: pi += prPositiveERNegative
            case .negative: pi += prNegativeERNegative
            case .unknown: break
            }
        }
        return her2.map { pi + $0 }
    }

    static func otherIndex(_ p: PredictPatient) -> Double {
        let a = (p.age - ageOffset) / 100
        return ag_ot_ea_beta_1 * a * a * a + ag_ot_ea_beta_2 * a * a * a * log(a) + yr_ot_ea_beta * yearsSince2000 + baseOther
            + (p.currentSmoker ? currentSmokerBeta : neverSmokerBeta)
    }

    static func baseline(_ p: PredictPatient) -> PredictBaseline {
        let other = annualIncrements { t in exp(h_ot_i + h_ot_t1 * log(t / 10) + h_ot_t2 * (t / 10)) }
        let breast: [Double]
        if p.erPositive {
            breast = annualIncrements { t in
                let u = t / 10
                return exp(h1_br_i + h1_br_t1 * pow(u, -0.5) + h1_br_t2 * pow(u, -0.5) * log(u))
            }
        } else {
            breast = annualIncrements { t in
                let u = t / 10
                return exp(h0_br_i + h0_br_t1 / u + h0_br_t2 / u * log(u))
            }
        }
        return PredictBaseline(breastIncrements: breast, otherIncrements: other, breastIndex: breastIndex(p), otherIndex: otherIndex(p))
    }

    /// Treatment log hazard on breast-cancer mortality in `year` (1–15). Endocrine acts only in ER+ disease and its
    /// 10-year extension only when endocrine acts (R: `h10 <- if (h == 0) 0`, §5.4); trastuzumab only in HER2+ disease.
    static func breastTreatment(_ r: PredictRegimen, patient p: PredictPatient, year: Int) -> Double {
        var rx = 0.0
        if r.radiotherapy { rx += log(radiotherapyBreastHR) }
        if r.endocrine && p.erPositive {
            rx += endocrine
            if r.extendedEndocrine && year > 10 { rx += extendedEndocrineExtra }
        }
        switch r.chemotherapy {
        case .none: break
        case .second: rx += chemoSecond
        case .third: rx += chemoThird
        }
        if r.trastuzumab && p.her2 == .positive { rx += trastuzumab }
        if r.bisphosphonates { rx += bisphosphonate }
        return rx
    }

    /// Treatment log hazard on other-cause mortality: chemotherapy ln(1.2); radiotherapy ln(1.02) per Gy of heart dose,
    /// only when the regimen includes radiotherapy (the patient's heart dose is 0 without it).
    static func otherTreatment(_ r: PredictRegimen, patient p: PredictPatient) -> Double {
        var rx = 0.0
        if r.chemotherapy != .none { rx += log(chemoOtherHR) }
        if r.radiotherapy { rx += log(radiotherapyOtherHRPerGy) * p.heartDoseGy }
        return rx
    }
}
