import Foundation
public import Knowledge

// AHA PREVENT equations (Khan SS et al., Circulation 2024;149:430–449): race-free 10- and 30-year risks of total CVD,
// ASCVD, heart failure, CHD and stroke, in five model variants. Source of truth: docs/domain/risk-and-care.md §1.2
// and Appendix A. Coefficients come from the `risk` knowledge pack (`prevent/prevent_{model}_{10,30}yr.csv`, supplement
// Table S12A–J via preventr); ZIP → SDI decile from `prevent/sdi_decile_by_zcta.csv`.

/// The PREVENT model variants: the base model, the base model plus one optional predictor, or all three.
public enum PreventModel: String, Codable, Sendable, Hashable, CaseIterable {
    case base, uacr, hba1c, sdi, full

    /// Position in `allCases`, the order of the coefficient tables.
    var index: Int {
        switch self {
        case .base: 0
        case .uacr: 1
        case .hba1c: 2
        case .sdi: 3
        case .full: 4
        }
    }

    var usesUACR: Bool { self == .uacr || self == .full }
    var usesHbA1c: Bool { self == .hba1c || self == .full }
    var usesSDI: Bool { self == .sdi || self == .full }

    /// The model as a reader would name it.
    public var title: String {
        switch self {
        case .base: "base model"
        case .uacr: "base model + UACR"
        case .hba1c: "base model + HbA1c"
        case .sdi: "base model + SDI"
        case .full: "full model: UACR, HbA1c and SDI"
        }
    }
}

/// The five PREVENT outcomes (total CVD = ASCVD + heart failure; ASCVD = CHD + stroke). Raw values are the pack's
/// column suffixes.
public enum PreventOutcome: String, Codable, Sendable, Hashable, CaseIterable {
    case totalCVD = "total_cvd"
    case ascvd
    case heartFailure = "heart_failure"
    case chd
    case stroke

    public var name: String {
        switch self {
        case .totalCVD: "total cardiovascular disease"
        case .ascvd: "atherosclerotic cardiovascular disease"
        case .heartFailure: "heart failure"
        case .chd: "coronary heart disease"
        case .stroke: "stroke"
        }
    }

    /// The text of ``RiskResult/outcome``, e.g. "10-year total cardiovascular disease".
    public func outcome(horizonYears: Int) -> String { "\(horizonYears)-year \(name)" }
}

/// What the SDI table says about a ZIP code.
public enum SDILookup: Sendable, Hashable {
    /// Social Deprivation Index decile, 1 (least deprived) to 10.
    case decile(Int)
    /// The ZIP is in the table but has no decile: SDI counts as missing.
    case noDecile
    /// The ZIP is not in the table: SDI counts as missing.
    case unknownZIP
}

/// One patient's inputs to PREVENT. There is no race input: PREVENT is race-free (risk-and-care.md §5.2).
public struct PreventInput: Codable, Sendable, Hashable {
    public var sex: Sex
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
    public var onStatin: Bool
    /// Current smoking: cigarette use within the last 30 days.
    public var smoker: Bool
    public var diabetes: Bool
    /// mL/min/1.73m², preferably CKD-EPI 2021 (``KidneyFunction/ckdEpi2021(_:)``), as in the PREVENT derivation.
    public var egfr: Double
    /// kg/m².
    public var bmi: Double
    /// Optional urine albumin-to-creatinine ratio, mg/g.
    public var uacr: Double?
    /// Optional HbA1c, % (NGSP).
    public var hba1c: Double?
    /// Optional 5-digit US ZIP code, for the Social Deprivation Index decile.
    public var zip: String?
    /// The model to use; nil chooses it from the optional predictors given (see ``PreventEquations/automaticModel(uacr:hba1c:sdi:)``).
    public var model: PreventModel?

    public init(
        sex: Sex, age: Double, totalCholesterol: Double, hdl: Double, cholesterolUnit: CholesterolUnit = .mgPerDL, systolicBP: Double,
        onBPTreatment: Bool, onStatin: Bool, smoker: Bool, diabetes: Bool, egfr: Double, bmi: Double, uacr: Double? = nil,
        hba1c: Double? = nil, zip: String? = nil, model: PreventModel? = nil
    ) {
        self.sex = sex
        self.age = age
        self.totalCholesterol = totalCholesterol
        self.hdl = hdl
        self.cholesterolUnit = cholesterolUnit
        self.systolicBP = systolicBP
        self.onBPTreatment = onBPTreatment
        self.onStatin = onStatin
        self.smoker = smoker
        self.diabetes = diabetes
        self.egfr = egfr
        self.bmi = bmi
        self.uacr = uacr
        self.hba1c = hba1c
        self.zip = zip
        self.model = model
    }

    enum CodingKeys: String, CodingKey {
        case sex, age, totalCholesterol, hdl, cholesterolUnit, systolicBP, onBPTreatment, onStatin, smoker, diabetes, egfr, bmi, uacr, hba1c
        case zip, model
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            sex: try c.decode(Sex.self, forKey: .sex), age: try c.decode(Double.self, forKey: .age),
            totalCholesterol: try c.decode(Double.self, forKey: .totalCholesterol), hdl: try c.decode(Double.self, forKey: .hdl),
            cholesterolUnit: try c.decodeIfPresent(CholesterolUnit.self, forKey: .cholesterolUnit) ?? .mgPerDL,
            systolicBP: try c.decode(Double.self, forKey: .systolicBP), onBPTreatment: try c.decode(Bool.self, forKey: .onBPTreatment),
            onStatin: try c.decode(Bool.self, forKey: .onStatin), smoker: try c.decode(Bool.self, forKey: .smoker),
            diabetes: try c.decode(Bool.self, forKey: .diabetes), egfr: try c.decode(Double.self, forKey: .egfr),
            bmi: try c.decode(Double.self, forKey: .bmi), uacr: try c.decodeIfPresent(Double.self, forKey: .uacr),
            hba1c: try c.decodeIfPresent(Double.self, forKey: .hba1c), zip: try c.decodeIfPresent(String.self, forKey: .zip),
            model: try c.decodeIfPresent(PreventModel.self, forKey: .model))
    }
}

/// The terms of the PREVENT log-odds, in the order of the coefficient vectors; `csvName` is the pack's `term` column
/// (preventr's `prep_terms()` names).
enum PreventTerm: Int, CaseIterable {
    case age, ageSquared, nonHDL, hdl, sbpBelow110, sbp110AndAbove, diabetes, smoking, bmiBelow30, bmi30AndAbove, egfrBelow60,
        egfr60AndAbove, bpTreatment, statin, bpTreatmentSBP, statinNonHDL, ageNonHDL, ageHDL, ageSBP, ageDiabetes, ageSmoking, ageBMI,
        ageEGFR, sdi4To6, sdi7To10, missingSDI, lnUACR, missingUACR, hba1cDiabetes, hba1cNoDiabetes, missingHbA1c, constant

    static let count = allCases.count

    var csvName: String {
        switch self {
        case .age: "age"
        case .ageSquared: "age_squared"
        case .nonHDL: "non_hdl_c"
        case .hdl: "hdl_c"
        case .sbpBelow110: "sbp_lt_110"
        case .sbp110AndAbove: "sbp_gte_110"
        case .diabetes: "dm"
        case .smoking: "smoking"
        case .bmiBelow30: "bmi_lt_30"
        case .bmi30AndAbove: "bmi_gte_30"
        case .egfrBelow60: "egfr_lt_60"
        case .egfr60AndAbove: "egfr_gte_60"
        case .bpTreatment: "bp_tx"
        case .statin: "statin"
        case .bpTreatmentSBP: "bp_tx_sbp_gte_110"
        case .statinNonHDL: "statin_non_hdl_c"
        case .ageNonHDL: "age_non_hdl_c"
        case .ageHDL: "age_hdl_c"
        case .ageSBP: "age_sbp_gte_110"
        case .ageDiabetes: "age_dm"
        case .ageSmoking: "age_smoking"
        case .ageBMI: "age_bmi_gte_30"
        case .ageEGFR: "age_egfr_lt_60"
        case .sdi4To6: "sdi_4_to_6"
        case .sdi7To10: "sdi_7_to_10"
        case .missingSDI: "missing_sdi"
        case .lnUACR: "ln_uacr"
        case .missingUACR: "missing_uacr"
        case .hba1cDiabetes: "hba1c_dm"
        case .hba1cNoDiabetes: "hba1c_no_dm"
        case .missingHbA1c: "missing_hba1c"
        case .constant: "constant"
        }
    }
}

/// The validated predictors the terms are built from (lipids in mmol/L).
struct PreventPredictors: Sendable, Hashable {
    var age: Double
    var totalMmolPerL: Double
    var hdlMmolPerL: Double
    var systolicBP: Double
    var onBPTreatment: Bool
    var onStatin: Bool
    var smoker: Bool
    var diabetes: Bool
    var egfr: Double
    var bmi: Double
    /// nil = missing (the `missing_*` term is 1 in models that use the predictor).
    var uacr: Double?
    var hba1c: Double?
    var sdiDecile: Int?
}

/// The PREVENT equations with all ten coefficient tables and the SDI table loaded.
///
///     x = Σ β_term · term + β_constant,   risk = eˣ / (1 + eˣ)
///
/// Terms as preventr's `prep_terms()` (risk-and-care.md §1.2): age centred at 55 per 10 years, non-HDL and HDL in mmol/L
/// (mg/dL × 0.02586), piecewise-linear SBP (knot 110), BMI (knot 30) and eGFR (knot 60), treatment and age
/// interactions, and for the optional predictors either their value or a `missing_*` indicator.
public struct PreventEquations: Sendable {
    /// The equation's name in error messages and not-applicable reasons.
    public static let equationName = "PREVENT"
    /// The horizons every estimate returns, in result order.
    public static let horizons = [10, 30]

    // Derivation / validity ranges (preventr's checks, risk-and-care.md §1.2); outside them the equations do not apply.
    public static let ageRange: ClosedRange<Double> = 30...79
    /// The 30-year horizon is intended only for ages up to this (preventr warns above 59).
    public static let thirtyYearMaximumAge = 59.0
    /// The paper allows up to 200 mmHg; preventr stops at 180 (hypertensive urgency), and so do we.
    public static let systolicRange: ClosedRange<Double> = 90...180
    public static let bmiRange: ClosedRange<Double> = 18.5...39.9
    public static let egfrRange: ClosedRange<Double> = 15...140
    public static let uacrRange: ClosedRange<Double> = 0.1...25_000
    /// The paper allows from 3 %; preventr starts at 4.5 %, and so do we.
    public static let hba1cRange: ClosedRange<Double> = 4.5...15

    static let models = PreventModel.allCases
    static let outcomes = PreventOutcome.allCases

    /// Name and version of the pack the coefficients came from.
    public let knowledge: String
    /// model × horizon × sex × outcome × term, zero where a term is not in a table.
    let coefficients: [Double]
    /// SDI by 5-digit ZIP as a number: 0 not in the table, 1–10 the decile, `noDecile` in the table without a decile.
    let sdiByZIP: [UInt8]
    static let noDecile: UInt8 = 255
    /// Attribution the SDI source requires (from the pack manifest), shown with results that used an SDI decile.
    let sdiAttribution: String
    /// By model, in `PreventModel.allCases` order.
    let infos: [EquationInfo]

    static let outcomeTexts: [[String]] = horizons.map { years in outcomes.map { $0.outcome(horizonYears: years) } }

    /// Parses the ten coefficient tables and the SDI table of `pack`, checking every term name and column.
    public static func load(from pack: KnowledgePack) throws(KnowledgeError) -> PreventEquations {
        let termCount = PreventTerm.count
        var termIndex: [String: Int] = [:]
        for term in PreventTerm.allCases { termIndex[term.csvName] = term.rawValue }

        var coefficients = [Double](repeating: 0, count: models.count * horizons.count * 2 * outcomes.count * termCount)
        for model in models {
            for (h, years) in horizons.enumerated() {
                let table = try CoefficientCSV(pack: pack, path: "prevent/prevent_\(model.rawValue)_\(years)yr.csv")
                let termColumn = try table.column("term")
                var seen = Set<Int>()
                for row in 1..<table.rows.count {
                    let name = table.rows[row][termColumn]
                    guard let term = termIndex[name] else { throw table.error("row \(row): unknown term '\(name)'") }
                    guard seen.insert(term).inserted else { throw table.error("row \(row): term '\(name)' appears twice") }
                    for (s, sex) in Sex.allCases.enumerated() {
                        for (o, outcome) in outcomes.enumerated() {
                            let value = try table.number(row, "\(sex.rawValue)_\(outcome.rawValue)")
                            coefficients[offset(model: model.index, horizon: h, sex: s, outcome: o) + term] = value
                        }
                    }
                }
                var required: [PreventTerm] = [.age, .nonHDL, .hdl, .sbp110AndAbove, .egfr60AndAbove, .constant]
                if years == 30 { required.append(.ageSquared) }
                if model.usesUACR { required += [.lnUACR, .missingUACR] }
                if model.usesHbA1c { required += [.hba1cDiabetes, .hba1cNoDiabetes, .missingHbA1c] }
                if model.usesSDI { required += [.sdi4To6, .sdi7To10, .missingSDI] }
                for term in required where !seen.contains(term.rawValue) { throw table.error("term '\(term.csvName)' is missing") }
            }
        }

        let sdiPath = "prevent/sdi_decile_by_zcta.csv"
        let sdi = try CoefficientCSV(pack: pack, path: sdiPath)
        let zipColumn = try sdi.column("zip")
        let decileColumn = try sdi.column("sdi_decile")
        var sdiByZIP = [UInt8](repeating: 0, count: 100_000)
        for row in 1..<sdi.rows.count {
            guard let zip = zipNumber(sdi.rows[row][zipColumn]) else { throw sdi.error("row \(row): '\(sdi.rows[row][zipColumn])' is not a ZIP") }
            let text = sdi.rows[row][decileColumn]
            if text.isEmpty {
                sdiByZIP[zip] = noDecile
            } else {
                guard let decile = Double(text), (1...10).contains(decile), decile == decile.rounded() else {
                    throw sdi.error("row \(row): decile '\(text)' is not 1–10")
                }
                sdiByZIP[zip] = UInt8(decile)
            }
        }
        let sdiAttribution = pack.manifest.sources(for: sdiPath).map(\.attribution).joined(separator: "; ")

        let infos = models.map { model in
            EquationInfo(
                id: "prevent-\(model.rawValue)", name: "AHA PREVENT (\(model.title)), 2023",
                citation: "Khan SS et al. Development and Validation of the American Heart Association's PREVENT Equations. "
                    + "Circulation 2024;149:430–449. doi:10.1161/CIRCULATIONAHA.123.067626 (coefficients: supplement Table S12A–J)",
                population: "Race-free; derived and validated in over 6 million US adults aged 30–79; "
                    + "30-year estimates intended for ages 30–59",
                knowledge: RiskPack.label(pack))
        }
        return PreventEquations(
            knowledge: RiskPack.label(pack), coefficients: coefficients, sdiByZIP: sdiByZIP,
            sdiAttribution: sdiAttribution.isEmpty ? "Social Deprivation Index, Robert Graham Center" : sdiAttribution, infos: infos)
    }

    private static let cached = Result { () throws(KnowledgeError) -> PreventEquations in
        try load(from: KnowledgePack.bundled("risk"))
    }

    /// The equations with the tables of the bundled `risk` pack, parsed once per process.
    public static func bundled() throws(KnowledgeError) -> PreventEquations { try cached.get() }

    /// The model preventr chooses when none is forced: no optional predictor → base; exactly one → the base model plus
    /// that predictor; two or more → the full model (the absent one via its `missing_*` term). A ZIP counts only when
    /// it has an SDI decile.
    public static func automaticModel(uacr: Bool, hba1c: Bool, sdi: Bool) -> PreventModel {
        switch (uacr, hba1c, sdi) {
        case (false, false, false): .base
        case (true, false, false): .uacr
        case (false, true, false): .hba1c
        case (false, false, true): .sdi
        default: .full
        }
    }

    /// The SDI decile of a 5-digit ZIP (ZIP+4 accepted; the first five digits are used).
    ///
    /// - Throws: ``RiskInputError`` on field `zip` when the text is not a ZIP code.
    public func sdi(zip: String) throws(RiskInputError) -> SDILookup {
        guard let number = Self.zipNumber(zip) else {
            throw RiskInputError(
                equation: Self.equationName, field: "zip", problem: .invalid("'\(zip)' is not a 5-digit US ZIP code"))
        }
        switch sdiByZIP[number] {
        case 0: return .unknownZIP
        case Self.noDecile: return .noDecile
        case let decile: return .decile(Int(decile))
        }
    }

    /// "01001", " 01001 " or "01001-1234" → 1001; anything else → nil. (Plain UTF-8 scanning: this runs for every
    /// estimate with a ZIP and 33,000 times while loading, so no Foundation string bridging.)
    static func zipNumber(_ text: String) -> Int? {
        var bytes = Substring(text).utf8[...]
        while bytes.first == 32 { bytes.removeFirst() }
        while bytes.last == 32 { bytes.removeLast() }
        guard bytes.count == 5 || (bytes.count == 10 && bytes[bytes.index(bytes.startIndex, offsetBy: 5)] == 45) else { return nil }
        var number = 0
        for (position, byte) in bytes.enumerated() where position != 5 {
            guard byte >= 48 && byte <= 57 else { return nil }
            if position < 5 { number = number * 10 + Int(byte - 48) }
        }
        return number
    }

    /// 10- and 30-year risks in percent of the five outcomes: ten results, 10-year first, outcomes in
    /// ``PreventOutcome`` order. The chosen model is in each result's `equation.id` ("prevent-full").
    ///
    /// - Throws: ``RiskInputError`` for an impossible input: age outside 18–120 years, SBP outside 60–300 mmHg,
    ///   cholesterol outside the plausible range of its unit or HDL not below total cholesterol, BMI outside 10–100 kg/m²,
    ///   eGFR outside 1–250 mL/min/1.73m², UACR outside 0–100,000 mg/g, HbA1c outside 2–25 %, a ZIP that is not one.
    /// - Returns: the risks, or not-applicable results naming every input outside the validity ranges (age 30–79,
    ///   TC 130–320 mg/dL, HDL 20–100 mg/dL, SBP 90–180 mmHg, BMI 18.5–39.9, eGFR 15–140, and for the optional
    ///   predictors the model uses UACR 0.1–25,000 mg/g and HbA1c 4.5–15 %). Unlike preventr, which silently drops an
    ///   out-of-range UACR or HbA1c and picks a smaller model, we answer "not applicable, because …": the caller can
    ///   leave the value out or force a model that does not use it.
    public func estimate(_ input: PreventInput) throws(RiskInputError) -> [RiskResult] {
        let equation = Self.equationName
        let age = try RiskCheck.required(input.age, "age", plausible: 18...120, unit: "years", equation: equation)
        let lipids = try Lipids(total: input.totalCholesterol, hdl: input.hdl, unit: input.cholesterolUnit, equation: equation)
        let sbp = try RiskCheck.required(input.systolicBP, "systolicBP", plausible: 60...300, unit: "mmHg", equation: equation)
        let bmi = try RiskCheck.required(input.bmi, "bmi", plausible: 10...100, unit: "kg/m²", equation: equation)
        let egfr = try RiskCheck.required(input.egfr, "egfr", plausible: 1...250, unit: "mL/min/1.73m²", equation: equation)
        let uacr = try RiskCheck.optional(input.uacr, "uacr", plausible: 0...100_000, unit: "mg/g", equation: equation)
        let hba1cHint = input.hba1c.map { (25...200).contains($0) } == true ? "was it given in mmol/mol (IFCC)? PREVENT needs % (NGSP)" : nil
        let hba1c = try RiskCheck.optional(input.hba1c, "hba1c", plausible: 2...25, unit: "%", equation: equation, hint: hba1cHint)
        var lookup: SDILookup?
        if let zip = input.zip { lookup = try sdi(zip: zip) }
        var sdiDecile: Int?
        if case .decile(let decile) = lookup { sdiDecile = decile }

        let model = input.model ?? Self.automaticModel(uacr: uacr != nil, hba1c: hba1c != nil, sdi: sdiDecile != nil)
        let info = infos[model.index]

        var reasons: [String] = []
        func check(_ value: Double, _ label: String, _ range: ClosedRange<Double>, _ unit: String, note: String? = nil) {
            guard let reason = RiskCheck.outside(value, label, range, unit: unit, equation: equation) else { return }
            reasons.append(reason + (note.map { " (\($0))" } ?? ""))
        }
        check(age, "age", Self.ageRange, "years")
        reasons += lipids.outsideDerivationRanges(equation: equation)
        check(
            sbp, "systolic BP", Self.systolicRange, "mmHg",
            note: sbp > 180 && sbp <= 200 ? "the paper allows up to 200; above 180 is hypertensive urgency" : nil)
        check(bmi, "BMI", Self.bmiRange, "kg/m²")
        check(egfr, "eGFR", Self.egfrRange, "mL/min/1.73m²")
        if model.usesUACR, let uacr { check(uacr, "UACR", Self.uacrRange, "mg/g") }
        if model.usesHbA1c, let hba1c { check(hba1c, "HbA1c", Self.hba1cRange, "%") }
        guard reasons.isEmpty else {
            var results: [RiskResult] = []
            for (h, years) in Self.horizons.enumerated() {
                for text in Self.outcomeTexts[h] {
                    results.append(.notApplicable(info, outcome: text, horizonYears: Double(years), unit: "%", reasons: reasons))
                }
            }
            return results
        }

        let warnings = Self.modelWarnings(model: model, forced: input.model != nil, uacr: uacr, hba1c: hba1c, zip: input.zip, lookup: lookup)
        var thirtyYearWarnings = warnings
        if age > Self.thirtyYearMaximumAge {
            thirtyYearWarnings.append(
                "30-year horizon intended for ages 30–\(RiskFormat.number(Self.thirtyYearMaximumAge)) (age \(RiskFormat.number(age)))")
        }
        let disclaimer = model.usesSDI && sdiDecile != nil ? "SDI: " + sdiAttribution : nil

        let predictors = PreventPredictors(
            age: age, totalMmolPerL: lipids.totalMmolPerL, hdlMmolPerL: lipids.hdlMmolPerL, systolicBP: sbp,
            onBPTreatment: input.onBPTreatment, onStatin: input.onStatin, smoker: input.smoker, diabetes: input.diabetes, egfr: egfr,
            bmi: bmi, uacr: uacr, hba1c: hba1c, sdiDecile: sdiDecile)
        let terms = Self.terms(predictors)
        var results: [RiskResult] = []
        results.reserveCapacity(Self.horizons.count * Self.outcomes.count)
        for (h, years) in Self.horizons.enumerated() {
            for o in Self.outcomes.indices {
                let risk = self.risk(model: model, horizon: h, sex: input.sex, outcome: o, terms: terms)
                results.append(
                    RiskResult(
                        equation: info, outcome: Self.outcomeTexts[h][o], horizonYears: Double(years), value: risk * 100, unit: "%",
                        warnings: years == 30 ? thirtyYearWarnings : warnings, disclaimer: disclaimer))
            }
        }
        return results
    }

    /// The term vector of preventr's `prep_terms()` (risk-and-care.md §1.2 table), indexed by ``PreventTerm``. All
    /// optional-predictor terms are filled; a model whose table lacks a term has a zero coefficient for it.
    static func terms(_ p: PreventPredictors) -> [Double] {
        var t = [Double](repeating: 0, count: PreventTerm.count)
        func set(_ term: PreventTerm, _ value: Double) { t[term.rawValue] = value }
        let age = (p.age - 55) / 10
        let nonHDL = (p.totalMmolPerL - p.hdlMmolPerL) - 3.5
        let hdl = (p.hdlMmolPerL - 1.3) / 0.3
        let sbp110AndAbove = (max(p.systolicBP, 110) - 130) / 20
        let bmi30AndAbove = (max(p.bmi, 30) - 30) / 5
        let egfrBelow60 = (min(p.egfr, 60) - 60) / -15
        let diabetes = p.diabetes ? 1.0 : 0
        let smoking = p.smoker ? 1.0 : 0
        let bpTreatment = p.onBPTreatment ? 1.0 : 0
        let statin = p.onStatin ? 1.0 : 0
        set(.age, age)
        set(.ageSquared, age * age)
        set(.nonHDL, nonHDL)
        set(.hdl, hdl)
        set(.sbpBelow110, (min(p.systolicBP, 110) - 110) / 20)
        set(.sbp110AndAbove, sbp110AndAbove)
        set(.diabetes, diabetes)
        set(.smoking, smoking)
        set(.bmiBelow30, (min(p.bmi, 30) - 25) / 5)
        set(.bmi30AndAbove, bmi30AndAbove)
        set(.egfrBelow60, egfrBelow60)
        set(.egfr60AndAbove, (max(p.egfr, 60) - 90) / -15)
        set(.bpTreatment, bpTreatment)
        set(.statin, statin)
        set(.bpTreatmentSBP, bpTreatment * sbp110AndAbove)
        set(.statinNonHDL, statin * nonHDL)
        set(.ageNonHDL, age * nonHDL)
        set(.ageHDL, age * hdl)
        set(.ageSBP, age * sbp110AndAbove)
        set(.ageDiabetes, age * diabetes)
        set(.ageSmoking, age * smoking)
        set(.ageBMI, age * bmi30AndAbove)
        set(.ageEGFR, age * egfrBelow60)
        if let decile = p.sdiDecile {
            // Deciles 1–3 are the reference category.
            set(.sdi4To6, (4...6).contains(decile) ? 1 : 0)
            set(.sdi7To10, decile >= 7 ? 1 : 0)
        } else {
            set(.missingSDI, 1)
        }
        if let uacr = p.uacr { set(.lnUACR, log(uacr)) } else { set(.missingUACR, 1) }
        if let hba1c = p.hba1c {
            set(p.diabetes ? .hba1cDiabetes : .hba1cNoDiabetes, hba1c - 5.3)
        } else {
            set(.missingHbA1c, 1)
        }
        set(.constant, 1)
        return t
    }

    static func offset(model: Int, horizon: Int, sex: Int, outcome: Int) -> Int {
        (((model * horizons.count + horizon) * 2 + sex) * outcomes.count + outcome) * PreventTerm.count
    }

    /// The logistic model for one table column (a fraction, 0–1).
    func risk(model: PreventModel, horizon: Int, sex: Sex, outcome: Int, terms: [Double]) -> Double {
        let start = Self.offset(
            model: model.index, horizon: horizon, sex: sex == .female ? 0 : 1, outcome: outcome)
        var x = 0.0
        for k in 0..<PreventTerm.count { x += coefficients[start + k] * terms[k] }
        return 1 / (1 + exp(-x))
    }

    /// Caveats about the optional predictors: which missing-indicator terms stand in, and which inputs were not used.
    static func modelWarnings(model: PreventModel, forced: Bool, uacr: Double?, hba1c: Double?, zip: String?, lookup: SDILookup?) -> [String] {
        var warnings: [String] = []
        let how = forced ? "chosen by the caller" : "chosen automatically"
        if model.usesUACR && uacr == nil { warnings.append("UACR not given: the \(model.title) (\(how)) uses its missing-UACR term") }
        if model.usesHbA1c && hba1c == nil { warnings.append("HbA1c not given: the \(model.title) (\(how)) uses its missing-HbA1c term") }
        var sdiProblem: String?
        switch (zip, lookup) {
        case (let zip?, .unknownZIP?): sdiProblem = "ZIP \(zip) is not in the SDI table"
        case (let zip?, .noDecile?): sdiProblem = "ZIP \(zip) has no SDI decile"
        case (nil, _): sdiProblem = model.usesSDI ? "no ZIP given" : nil
        default: sdiProblem = nil
        }
        if let sdiProblem {
            warnings.append(
                model.usesSDI
                    ? "\(sdiProblem): the \(model.title) (\(how)) uses its missing-SDI term"
                    : "\(sdiProblem): SDI counted as missing and not used by the \(model.title)")
        }
        if !model.usesUACR && uacr != nil { warnings.append("UACR given but not used by the \(model.title) (\(how))") }
        if !model.usesHbA1c && hba1c != nil { warnings.append("HbA1c given but not used by the \(model.title) (\(how))") }
        if !model.usesSDI, case .decile? = lookup { warnings.append("ZIP given but its SDI is not used by the \(model.title) (\(how))") }
        return warnings
    }
}
