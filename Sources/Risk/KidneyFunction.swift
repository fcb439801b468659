import Foundation

// Estimated GFR: the race-free CKD-EPI 2021 equations (Inker LA et al., N Engl J Med 2021;385:1737), the default, and
// the superseded CKD-EPI 2009 creatinine equation for comparison and equity audits only. Source of truth:
// docs/domain/risk-and-care.md §1.5 and §5.2. The constants are the handful of published numbers quoted there, so they
// live here rather than in a knowledge pack.

/// One patient's inputs to the CKD-EPI equations. There is no race input to the 2021 equations (risk-and-care.md §5.2).
public struct KidneyFunctionInput: Codable, Sendable, Hashable {
    public var sex: Sex
    /// Years.
    public var age: Double
    /// Serum creatinine, in `creatinineUnit`.
    public var creatinine: Double
    /// mg/dL when absent from JSON; "umol/L" and "µmol/L" are both read.
    public var creatinineUnit: CreatinineUnit
    /// Serum cystatin C, mg/L (only for the creatinine–cystatin C equation).
    public var cystatinC: Double?

    public init(sex: Sex, age: Double, creatinine: Double, creatinineUnit: CreatinineUnit = .mgPerDL, cystatinC: Double? = nil) {
        self.sex = sex
        self.age = age
        self.creatinine = creatinine
        self.creatinineUnit = creatinineUnit
        self.cystatinC = cystatinC
    }

    enum CodingKeys: String, CodingKey {
        case sex, age, creatinine, creatinineUnit, cystatinC
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var unit = CreatinineUnit.mgPerDL
        if let text = try c.decodeIfPresent(String.self, forKey: .creatinineUnit) {
            guard let parsed = CreatinineUnit(rawValue: text) ?? CreatinineUnit(text: text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .creatinineUnit, in: c, debugDescription: "creatinineUnit '\(text)' is not mg/dL or µmol/L")
            }
            unit = parsed
        }
        self.init(
            sex: try c.decode(Sex.self, forKey: .sex), age: try c.decode(Double.self, forKey: .age),
            creatinine: try c.decode(Double.self, forKey: .creatinine), creatinineUnit: unit,
            cystatinC: try c.decodeIfPresent(Double.self, forKey: .cystatinC))
    }
}

/// CKD-EPI eGFR equations. Every function returns one ``RiskResult`` in mL/min/1.73m², unrounded (reports round to
/// whole numbers, as preventr's `calc_egfr` does).
public enum KidneyFunction {
    public static let unit = "mL/min/1.73m²"
    public static let outcome = "estimated glomerular filtration rate"
    /// The equations are for adults; under 18 they do not apply.
    public static let minimumAge = 18.0

    /// Plausible serum creatinine, mg/dL (8.84–1768 µmol/L); outside it the value is taken to be an input error.
    public static let plausibleCreatinine: ClosedRange<Double> = 0.1...20
    /// Plausible serum cystatin C, mg/L.
    public static let plausibleCystatinC: ClosedRange<Double> = 0.1...10

    /// No knowledge pack: the constants are the published ones, in this file.
    static let builtIn = "built-in published constants (no knowledge pack)"

    public static let ckdEpi2021Info = EquationInfo(
        id: "ckd-epi-2021-cr", name: "CKD-EPI 2021 creatinine equation (race-free)",
        citation: "Inker LA et al. N Engl J Med 2021;385:1737. doi:10.1056/NEJMoa2102953",
        population: "Adults aged 18 and over; race-free (no race coefficient), as recommended by the NKF-ASN Task Force (2021)",
        knowledge: builtIn)

    public static let ckdEpi2021CystatinCInfo = EquationInfo(
        id: "ckd-epi-2021-cr-cys", name: "CKD-EPI 2021 creatinine–cystatin C equation (race-free)",
        citation: "Inker LA et al. N Engl J Med 2021;385:1737. doi:10.1056/NEJMoa2102953",
        population: "Adults aged 18 and over; race-free (no race coefficient), as recommended by the NKF-ASN Task Force (2021)",
        knowledge: builtIn)

    public static let ckdEpi2009Info = EquationInfo(
        id: "ckd-epi-2009-cr", name: "CKD-EPI 2009 creatinine equation (superseded; race-based; comparison only)",
        citation: "Levey AS et al. Ann Intern Med 2009;150:604. Superseded by the race-free CKD-EPI 2021 (Inker LA et al., "
            + "N Engl J Med 2021;385:1737) on the NKF-ASN Task Force's recommendation (2021)",
        population: "Race-based: multiplies eGFR by 1.159 for Black patients, which delayed CKD diagnosis, referral and "
            + "transplant listing; for comparison and equity audits only",
        knowledge: builtIn)

    // MARK: Validated estimates

    /// CKD-EPI 2021 creatinine eGFR, the platform default (and PREVENT's eGFR input).
    ///
    /// - Throws: ``RiskInputError`` for an implausible creatinine (0.1–20 mg/dL, 8.84–1768 µmol/L; a value plausible only
    ///   in the other unit gets a hint) or an age outside 0–120 years.
    /// - Returns: eGFR, or not applicable under 18 years.
    public static func ckdEpi2021(_ input: KidneyFunctionInput) throws(RiskInputError) -> RiskResult {
        let equation = "CKD-EPI 2021"
        let (age, creatinine) = try validated(input, equation: equation)
        if let reason = childReason(age, equation: equation) {
            return .notApplicable(ckdEpi2021Info, outcome: outcome, horizonYears: nil, unit: unit, reasons: [reason])
        }
        let value = egfr2021(creatinineMgPerDL: creatinine, age: age, sex: input.sex)
        return RiskResult(equation: ckdEpi2021Info, outcome: outcome, horizonYears: nil, value: value, unit: unit)
    }

    /// CKD-EPI 2021 creatinine–cystatin C eGFR.
    ///
    /// - Throws: ``RiskInputError`` as ``ckdEpi2021(_:)``, and when cystatin C is missing or outside 0.1–10 mg/L.
    public static func ckdEpi2021CystatinC(_ input: KidneyFunctionInput) throws(RiskInputError) -> RiskResult {
        let equation = "CKD-EPI 2021 creatinine–cystatin C"
        let (age, creatinine) = try validated(input, equation: equation)
        let cystatinC = try RiskCheck.required(input.cystatinC, "cystatinC", plausible: plausibleCystatinC, unit: "mg/L", equation: equation)
        if let reason = childReason(age, equation: equation) {
            return .notApplicable(ckdEpi2021CystatinCInfo, outcome: outcome, horizonYears: nil, unit: unit, reasons: [reason])
        }
        let value = egfr2021(creatinineMgPerDL: creatinine, cystatinC: cystatinC, age: age, sex: input.sex)
        return RiskResult(equation: ckdEpi2021CystatinCInfo, outcome: outcome, horizonYears: nil, value: value, unit: unit)
    }

    /// **Superseded** CKD-EPI 2009 creatinine eGFR, kept only to compare with the 2021 equation and to audit the effect
    /// of its race coefficient (risk-and-care.md §5.2). Never use it as the patient's eGFR; the result carries a
    /// warning saying so.
    ///
    /// - Parameter black: whether to apply the 2009 equation's 1.159 multiplier for Black patients.
    public static func ckdEpi2009SupersededForComparison(_ input: KidneyFunctionInput, black: Bool) throws(RiskInputError) -> RiskResult {
        let equation = "CKD-EPI 2009"
        let (age, creatinine) = try validated(input, equation: equation)
        if let reason = childReason(age, equation: equation) {
            return .notApplicable(ckdEpi2009Info, outcome: outcome, horizonYears: nil, unit: unit, reasons: [reason])
        }
        let value = egfr2009(creatinineMgPerDL: creatinine, age: age, sex: input.sex, black: black)
        return RiskResult(
            equation: ckdEpi2009Info, outcome: outcome, horizonYears: nil, value: value, unit: unit,
            warnings: ["superseded race-based equation, for comparison only: use CKD-EPI 2021 for the patient's eGFR"])
    }

    // MARK: The equations (validated inputs, creatinine in mg/dL)

    /// CKD-EPI 2021 creatinine (Inker 2021; risk-and-care.md §1.5):
    /// 142 · min(Scr/κ,1)^α · max(Scr/κ,1)^−1.200 · 0.9938^age · 1.012 [female];
    /// κ = 0.7 (F) / 0.9 (M), α = −0.241 (F) / −0.302 (M).
    public static func egfr2021(creatinineMgPerDL scr: Double, age: Double, sex: Sex) -> Double {
        let female = sex == .female
        let kappa = female ? 0.7 : 0.9
        let alpha = female ? -0.241 : -0.302
        let ratio = scr / kappa
        return 142 * pow(min(ratio, 1), alpha) * pow(max(ratio, 1), -1.200) * pow(0.9938, age) * (female ? 1.012 : 1)
    }

    /// CKD-EPI 2021 creatinine–cystatin C (Inker 2021; risk-and-care.md §1.5, marked "verify" there):
    /// 135 · min(Scr/κ,1)^α · max(Scr/κ,1)^−0.544 · min(Scys/0.8,1)^−0.323 · max(Scys/0.8,1)^−0.778 · 0.9961^age
    /// · 0.963 [female]; κ as the creatinine equation, α = −0.219 (F) / −0.144 (M).
    public static func egfr2021(creatinineMgPerDL scr: Double, cystatinC scys: Double, age: Double, sex: Sex) -> Double {
        let female = sex == .female
        let kappa = female ? 0.7 : 0.9
        let alpha = female ? -0.219 : -0.144
        let ratio = scr / kappa
        let cys = scys / 0.8
        return 135 * pow(min(ratio, 1), alpha) * pow(max(ratio, 1), -0.544) * pow(min(cys, 1), -0.323) * pow(max(cys, 1), -0.778)
            * pow(0.9961, age) * (female ? 0.963 : 1)
    }

    /// Superseded CKD-EPI 2009 creatinine (risk-and-care.md §1.5):
    /// 141 · min(Scr/κ,1)^α · max(Scr/κ,1)^−1.209 · 0.993^age · 1.018 [female] · 1.159 [Black];
    /// κ = 0.7 (F) / 0.9 (M), α = −0.329 (F) / −0.411 (M).
    public static func egfr2009(creatinineMgPerDL scr: Double, age: Double, sex: Sex, black: Bool) -> Double {
        let female = sex == .female
        let kappa = female ? 0.7 : 0.9
        let alpha = female ? -0.329 : -0.411
        let ratio = scr / kappa
        return 141 * pow(min(ratio, 1), alpha) * pow(max(ratio, 1), -1.209) * pow(0.993, age) * (female ? 1.018 : 1) * (black ? 1.159 : 1)
    }

    // MARK: Checks

    /// Plausible age (0–120 years) and creatinine in mg/dL, or an error naming the field, range and unit given.
    static func validated(_ input: KidneyFunctionInput, equation: String) throws(RiskInputError) -> (age: Double, creatinineMgPerDL: Double) {
        let age = try RiskCheck.required(input.age, "age", plausible: 0...120, unit: "years", equation: equation)
        let unit = input.creatinineUnit
        let range = unit == .mgPerDL ? plausibleCreatinine : (plausibleCreatinine.lowerBound * 88.4)...(plausibleCreatinine.upperBound * 88.4)
        var hint: String?
        if !range.contains(input.creatinine) {
            // 88 "mg/dL" is almost certainly 88 µmol/L, and 1.1 "µmol/L" 1.1 mg/dL.
            if unit == .mgPerDL, plausibleCreatinine.contains(input.creatinine / 88.4) { hint = "was it given in µmol/L?" }
            if unit == .umolPerL, plausibleCreatinine.contains(input.creatinine) { hint = "was it given in mg/dL?" }
        }
        let creatinine = try RiskCheck.required(input.creatinine, "creatinine", plausible: range, unit: unit.rawValue, equation: equation, hint: hint)
        return (age, unit.toMgPerDL(creatinine))
    }

    static func childReason(_ age: Double, equation: String) -> String? {
        guard age < minimumAge else { return nil }
        return "age \(RiskFormat.number(age)) years is below \(RiskFormat.number(minimumAge)) years: \(equation) is an equation for adults"
    }
}
