import Foundation
public import Knowledge

// 2013 ACC/AHA Pooled Cohort Equations (PCE): 10-year risk of a first hard ASCVD event.
// Source of truth: docs/domain/risk-and-care.md §1.1 (Goff DC et al., Circulation 2014;129(suppl 2):S49, Table A).
// Coefficients come from the `risk` knowledge pack (`pce/pce_2013_coefficients.csv`), never from this file.

/// The race groups the 2013 PCE were fitted for. The equations are race-based (see risk-and-care.md §5.2): there are
/// separate White and African-American equations, and the guideline gives everyone else the White equations.
public enum PooledCohortRace: String, Codable, Sendable, Hashable, CaseIterable {
    case white
    case africanAmerican
    /// Any other group: computed with the White equations (guideline advice), which may misestimate their risk.
    case other
}

/// One patient's inputs to the 2013 Pooled Cohort Equations.
public struct PooledCohortInput: Codable, Sendable, Hashable {
    public var sex: Sex
    public var race: PooledCohortRace
    /// Years.
    public var age: Double
    /// In `cholesterolUnit`.
    public var totalCholesterol: Double
    /// HDL cholesterol, in `cholesterolUnit`.
    public var hdl: Double
    /// Unit of both cholesterol values; mg/dL when absent from JSON.
    public var cholesterolUnit: CholesterolUnit
    /// mmHg.
    public var systolicBP: Double
    public var onBPTreatment: Bool
    public var smoker: Bool
    public var diabetes: Bool

    public init(
        sex: Sex, race: PooledCohortRace, age: Double, totalCholesterol: Double, hdl: Double, cholesterolUnit: CholesterolUnit = .mgPerDL,
        systolicBP: Double, onBPTreatment: Bool, smoker: Bool, diabetes: Bool
    ) {
        self.sex = sex
        self.race = race
        self.age = age
        self.totalCholesterol = totalCholesterol
        self.hdl = hdl
        self.cholesterolUnit = cholesterolUnit
        self.systolicBP = systolicBP
        self.onBPTreatment = onBPTreatment
        self.smoker = smoker
        self.diabetes = diabetes
    }

    enum CodingKeys: String, CodingKey {
        case sex, race, age, totalCholesterol, hdl, cholesterolUnit, systolicBP, onBPTreatment, smoker, diabetes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            sex: try c.decode(Sex.self, forKey: .sex), race: try c.decode(PooledCohortRace.self, forKey: .race),
            age: try c.decode(Double.self, forKey: .age), totalCholesterol: try c.decode(Double.self, forKey: .totalCholesterol),
            hdl: try c.decode(Double.self, forKey: .hdl),
            cholesterolUnit: try c.decodeIfPresent(CholesterolUnit.self, forKey: .cholesterolUnit) ?? .mgPerDL,
            systolicBP: try c.decode(Double.self, forKey: .systolicBP), onBPTreatment: try c.decode(Bool.self, forKey: .onBPTreatment),
            smoker: try c.decode(Bool.self, forKey: .smoker), diabetes: try c.decode(Bool.self, forKey: .diabetes))
    }
}

/// The 2013 ACC/AHA Pooled Cohort Equations with their coefficients loaded.
///
///     risk = 1 − S0 ^ exp(IndSum − MeanSum),  IndSum = Σ coefficient × term
///
/// with ln-transformed age, total cholesterol, HDL (mg/dL) and systolic BP, and the treated *or* the untreated SBP term.
///
/// **Mean sum.** The pack carries the published 2-decimal mean (`mean`) and the 4-decimal one (`mean_precise`). We use
/// the 4-decimal mean: it reproduces the "exact recomputation" column of the brief's Table A (2.06 / 3.03 / 5.38 / 6.06 %)
/// and all eleven of preventr's published `pce_orig` results (which use the same means); with the 2-decimal mean two of
/// the exact-recomputation values and four of preventr's results (e.g. 19.0 % for a man of 59 with TC 189) come out
/// wrong at their rounding. The published Table A percentages stay within 0.1 percentage point either way; its
/// White-male 5.3 % comes from rounding IndSum to 2 decimals (60.69 − 61.18), not from the mean.
public struct PooledCohortEquations: Sendable {
    /// The equation's name in error messages and not-applicable reasons.
    public static let equationName = "PCE"
    /// What is estimated (the horizon is always 10 years).
    public static let outcome = "10-year hard atherosclerotic cardiovascular disease"
    /// Age, total cholesterol, HDL and SBP ranges of the derivation data (§1.1); outside them the equations do not apply.
    public static let ageRange: ClosedRange<Double> = 40...79
    public static let systolicRange: ClosedRange<Double> = 90...200

    /// Version, citation, population and pack of every result.
    public let info: EquationInfo
    /// By group: female White, female African-American, male White, male African-American.
    let groups: [Coefficients]

    /// One sex/race group's row of Table A.
    struct Coefficients: Sendable, Hashable {
        var lnAge = 0.0, lnAgeSquared = 0.0, lnTotal = 0.0, lnAgeLnTotal = 0.0, lnHDL = 0.0, lnAgeLnHDL = 0.0
        var lnTreatedSBP = 0.0, lnAgeLnTreatedSBP = 0.0, lnUntreatedSBP = 0.0, lnAgeLnUntreatedSBP = 0.0
        var smoker = 0.0, lnAgeSmoker = 0.0, diabetes = 0.0
        /// S0, 10-year baseline survival.
        var baselineSurvival = 0.0
        /// Mean IndSum of the derivation cohort (4 decimals, see the type's documentation).
        var meanSum = 0.0
    }

    static let path = "pce/pce_2013_coefficients.csv"

    /// Parses the coefficient table of `pack`, checking that all four groups and every column are there.
    public static func load(from pack: KnowledgePack) throws(KnowledgeError) -> PooledCohortEquations {
        let table = try CoefficientCSV(pack: pack, path: path)
        var groups = [Coefficients?](repeating: nil, count: 4)
        for row in 1..<table.rows.count {
            let sex = table.rows[row][try table.column("sex")]
            let race = table.rows[row][try table.column("race_group")]
            let index: Int
            switch (sex, race) {
            case ("female", "white"): index = 0
            case ("female", "black"): index = 1
            case ("male", "white"): index = 2
            case ("male", "black"): index = 3
            default: throw table.error("row \(row): unknown group \(sex)/\(race)")
            }
            var c = Coefficients()
            c.lnAge = try table.number(row, "lnage")
            c.lnAgeSquared = try table.number(row, "lnage2")
            c.lnTotal = try table.number(row, "lntc")
            c.lnAgeLnTotal = try table.number(row, "lnage_lntc")
            c.lnHDL = try table.number(row, "lnhdl")
            c.lnAgeLnHDL = try table.number(row, "lnage_lnhdl")
            c.lnTreatedSBP = try table.number(row, "lnsbp_tx")
            c.lnAgeLnTreatedSBP = try table.number(row, "lnage_lnsbp_tx")
            c.lnUntreatedSBP = try table.number(row, "lnsbp_utx")
            c.lnAgeLnUntreatedSBP = try table.number(row, "lnage_lnsbp_utx")
            c.smoker = try table.number(row, "smoker")
            c.lnAgeSmoker = try table.number(row, "lnage_smoker")
            c.diabetes = try table.number(row, "dm")
            c.baselineSurvival = try table.number(row, "S0")
            c.meanSum = try table.number(row, "mean_precise")
            guard groups[index] == nil else { throw table.error("row \(row): group \(sex)/\(race) appears twice") }
            groups[index] = c
        }
        let loaded = groups.compactMap { $0 }
        guard loaded.count == 4 else { throw table.error("expected 4 sex/race groups, found \(loaded.count)") }
        let info = EquationInfo(
            id: "pce-2013", name: "ACC/AHA Pooled Cohort Equations, 2013",
            citation: "Goff DC Jr et al. 2013 ACC/AHA Guideline on the Assessment of Cardiovascular Risk. "
                + "Circulation 2014;129(suppl 2):S49, Table A. doi:10.1161/01.cir.0000437741.48606.98",
            population: "Pooled US cohorts (1960s–1990s) of White and African-American adults aged 40–79; race-based "
                + "(other groups get the White equations); overestimates risk in contemporary populations",
            knowledge: RiskPack.label(pack))
        return PooledCohortEquations(info: info, groups: loaded)
    }

    private static let cached = Result { () throws(KnowledgeError) -> PooledCohortEquations in
        try load(from: KnowledgePack.bundled("risk"))
    }

    /// The equations with the coefficients of the bundled `risk` pack, parsed once per process.
    public static func bundled() throws(KnowledgeError) -> PooledCohortEquations { try cached.get() }

    /// 10-year hard ASCVD risk in percent.
    ///
    /// - Throws: ``RiskInputError`` for an impossible input (age outside 18–120 years, SBP outside 60–300 mmHg,
    ///   cholesterol outside the plausible range of its unit, HDL not below total cholesterol).
    /// - Returns: the risk, or a not-applicable result naming every input outside the derivation ranges
    ///   (age 40–79, TC 130–320 mg/dL, HDL 20–100 mg/dL, SBP 90–200 mmHg).
    public func estimate(_ input: PooledCohortInput) throws(RiskInputError) -> RiskResult {
        let equation = Self.equationName
        let age = try RiskCheck.required(input.age, "age", plausible: 18...120, unit: "years", equation: equation)
        let lipids = try Lipids(total: input.totalCholesterol, hdl: input.hdl, unit: input.cholesterolUnit, equation: equation)
        let sbp = try RiskCheck.required(input.systolicBP, "systolicBP", plausible: 60...300, unit: "mmHg", equation: equation)

        var reasons: [String] = []
        if let reason = RiskCheck.outside(age, "age", Self.ageRange, unit: "years", equation: equation) { reasons.append(reason) }
        reasons += lipids.outsideDerivationRanges(equation: equation)
        if let reason = RiskCheck.outside(sbp, "systolic BP", Self.systolicRange, unit: "mmHg", equation: equation) { reasons.append(reason) }
        guard reasons.isEmpty else {
            return .notApplicable(info, outcome: Self.outcome, horizonYears: 10, unit: "%", reasons: reasons)
        }

        let africanAmerican = input.race == .africanAmerican
        let group = groups[(input.sex == .female ? 0 : 2) + (africanAmerican ? 1 : 0)]
        let risk = Self.tenYearRisk(
            group, age: age, totalMgPerDL: lipids.totalMgPerDL, hdlMgPerDL: lipids.hdlMgPerDL, systolicBP: sbp,
            onBPTreatment: input.onBPTreatment, smoker: input.smoker, diabetes: input.diabetes)
        var warnings: [String] = []
        if input.race == .other {
            warnings.append("race group 'other': the White equations were used (2013 guideline advice); they may misestimate risk in other groups")
        }
        return RiskResult(equation: info, outcome: Self.outcome, horizonYears: 10, value: risk * 100, unit: "%", warnings: warnings)
    }

    /// The equation itself (a fraction, 0–1), for validated inputs in mg/dL and mmHg.
    static func tenYearRisk(
        _ c: Coefficients, age: Double, totalMgPerDL: Double, hdlMgPerDL: Double, systolicBP: Double, onBPTreatment: Bool, smoker: Bool,
        diabetes: Bool
    ) -> Double {
        let lnAge = log(age)
        let lnTotal = log(totalMgPerDL)
        let lnHDL = log(hdlMgPerDL)
        let lnSBP = log(systolicBP)
        let smokes = smoker ? 1.0 : 0.0
        var sum = c.lnAge * lnAge + c.lnAgeSquared * lnAge * lnAge
        sum += c.lnTotal * lnTotal + c.lnAgeLnTotal * lnAge * lnTotal
        sum += c.lnHDL * lnHDL + c.lnAgeLnHDL * lnAge * lnHDL
        if onBPTreatment {
            sum += c.lnTreatedSBP * lnSBP + c.lnAgeLnTreatedSBP * lnAge * lnSBP
        } else {
            sum += c.lnUntreatedSBP * lnSBP + c.lnAgeLnUntreatedSBP * lnAge * lnSBP
        }
        sum += c.smoker * smokes + c.lnAgeSmoker * lnAge * smokes
        sum += c.diabetes * (diabetes ? 1 : 0)
        return 1 - pow(c.baselineSurvival, exp(sum - c.meanSum))
    }
}

// MARK: - Shared by the PCE and PREVENT

/// Total and HDL cholesterol, checked once for both the PCE and PREVENT (same units, same derivation ranges).
///
/// Plausible (otherwise an error is thrown): total 50–1000 mg/dL (1.3–26 mmol/L), HDL 5–300 mg/dL (0.13–7.8 mmol/L),
/// and HDL below total cholesterol, since total cholesterol contains HDL. A value that is only plausible in the other
/// unit (HDL 1.2 "mg/dL") gets a hint naming that unit.
/// Derivation ranges (otherwise "not applicable"): total 130–320 mg/dL (3.36–8.28 mmol/L), HDL 20–100 mg/dL
/// (0.52–2.59 mmol/L), checked in the unit given, as preventr does.
struct Lipids {
    let total: Double
    let hdl: Double
    let unit: CholesterolUnit

    init(total: Double, hdl: Double, unit: CholesterolUnit, equation: String) throws(RiskInputError) {
        self.total = try Self.plausible(total, "totalCholesterol", Self.plausibleTotal, unit: unit, equation: equation)
        self.hdl = try Self.plausible(hdl, "hdl", Self.plausibleHDL, unit: unit, equation: equation)
        self.unit = unit
        guard hdl < total else {
            throw RiskInputError(
                equation: equation, field: "hdl",
                problem: .invalid(
                    "HDL cholesterol \(RiskFormat.number(hdl)) \(unit.rawValue) is not below total cholesterol \(RiskFormat.number(total)) \(unit.rawValue), which contains it"
                ))
        }
    }

    var totalMgPerDL: Double { unit.toMgPerDL(total) }
    var hdlMgPerDL: Double { unit.toMgPerDL(hdl) }
    /// mmol/L as preventr computes it: the given value, or mg/dL × 0.02586.
    var totalMmolPerL: Double { unit == .mmolPerL ? total : total * CholesterolUnit.mmolPerMg }
    var hdlMmolPerL: Double { unit == .mmolPerL ? hdl : hdl * CholesterolUnit.mmolPerMg }

    func outsideDerivationRanges(equation: String) -> [String] {
        var reasons: [String] = []
        if let reason = RiskCheck.outside(total, "total cholesterol", Self.derivationTotal(unit), unit: unit.rawValue, equation: equation) {
            reasons.append(reason)
        }
        if let reason = RiskCheck.outside(hdl, "HDL cholesterol", Self.derivationHDL(unit), unit: unit.rawValue, equation: equation) {
            reasons.append(reason)
        }
        return reasons
    }

    static func plausibleTotal(_ unit: CholesterolUnit) -> ClosedRange<Double> { unit == .mgPerDL ? 50...1000 : 1.3...26 }
    static func plausibleHDL(_ unit: CholesterolUnit) -> ClosedRange<Double> { unit == .mgPerDL ? 5...300 : 0.13...7.8 }
    static func derivationTotal(_ unit: CholesterolUnit) -> ClosedRange<Double> { unit == .mgPerDL ? 130...320 : 3.36...8.28 }
    static func derivationHDL(_ unit: CholesterolUnit) -> ClosedRange<Double> { unit == .mgPerDL ? 20...100 : 0.52...2.59 }

    private static func plausible(
        _ value: Double, _ field: String, _ range: (CholesterolUnit) -> ClosedRange<Double>, unit: CholesterolUnit, equation: String
    ) throws(RiskInputError) -> Double {
        let other: CholesterolUnit = unit == .mgPerDL ? .mmolPerL : .mgPerDL
        let hint = !range(unit).contains(value) && range(other).contains(value) ? "was it given in \(other.rawValue)?" : nil
        return try RiskCheck.required(value, field, plausible: range(unit), unit: unit.rawValue, equation: equation, hint: hint)
    }
}

/// A coefficient CSV of the risk pack with its columns looked up by name, so a reordered file still reads correctly
/// and a renamed or missing column is an error naming the file.
struct CoefficientCSV {
    let pack: String
    let path: String
    /// Header first.
    let rows: [[String]]
    private let columns: [String: Int]

    init(pack: KnowledgePack, path: String) throws(KnowledgeError) {
        self.pack = pack.manifest.name
        self.path = path
        rows = try RiskPack.csv(pack, path)
        guard let header = rows.first else { throw KnowledgeError(pack: pack.manifest.name, path: path, message: "empty file") }
        var columns: [String: Int] = [:]
        for (index, name) in header.enumerated() { columns[name.trimmingCharacters(in: .whitespaces)] = index }
        self.columns = columns
        for (index, row) in rows.enumerated() where row.count != header.count {
            throw KnowledgeError(pack: self.pack, path: path, message: "row \(index) has \(row.count) fields, the header \(header.count)")
        }
    }

    func column(_ name: String) throws(KnowledgeError) -> Int {
        guard let index = columns[name] else { throw error("no column '\(name)'") }
        return index
    }

    func number(_ row: Int, _ name: String) throws(KnowledgeError) -> Double {
        try RiskPack.number(rows[row][try column(name)], path: path, row: row, column: name, pack: pack)
    }

    func error(_ message: String) -> KnowledgeError { KnowledgeError(pack: pack, path: path, message: message) }
}
