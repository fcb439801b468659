public import Knowledge

// The integrated clinical risk profile of one patient (issue #8 item 3): AHA PREVENT, the 2013 Pooled Cohort Equations and
// the CKD-EPI 2021 eGFR, computed side by side from the latest recorded values, each input shown with its date so a
// clinician sees how old it is. Pure: the caller maps stored record entries to a ``RiskProfileInput`` and passes the
// calculation date; nothing here reads a database or a clock. Facts: docs/domain/risk-and-care.md §1.1, §1.2, §1.5, §5.2.

/// A calendar day (UTC): birth dates, measurement dates and the date a profile is calculated at.
///
/// Days are counted with the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`), so the age of an input
/// and a patient's age need no Foundation calendar and no time zone: the record stores instants as milliseconds since
/// 1970 and they are read as UTC days.
public struct RiskDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Years accepted from text: the platform's rule for stored dates (the store's birth-date check and the OpenAPI
    /// document's `YYYY-MM-DD` pattern use the same range).
    public static let textYears: ClosedRange<Int> = 1800...2200

    /// A real calendar day, or nil (30 February, month 13…).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// `YYYY-MM-DD` (ASCII digits only), a real calendar day in years 1800–2200; anything else is nil.
    public init?(iso text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D,
            bytes.enumerated().allSatisfy({ $0.offset == 4 || $0.offset == 7 || (0x30...0x39).contains($0.element) })
        else { return nil }
        func number(_ range: Range<Int>) -> Int { bytes[range].reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        guard Self.textYears.contains(number(0..<4)) else { return nil }
        self.init(year: number(0..<4), month: number(5..<7), day: number(8..<10))
    }

    /// The UTC day containing an instant given in milliseconds since 1970.
    public init(epochMillis: Int64) {
        let millisPerDay: Int64 = 86_400_000
        // Floor division without overflow (Int64.min is a valid, if absurd, stored instant).
        var days = epochMillis / millisPerDay
        if epochMillis % millisPerDay < 0 { days -= 1 }
        self.init(daysSinceEpoch: Int(days))
    }

    /// The day `days` after 1970-01-01 (negative: before).
    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Whole years from `birth` to this day: a birthday counts from the day itself (29 February birthdays from
    /// 1 March in other years).
    public func completedYears(since birth: RiskDate) -> Int {
        var years = year - birth.year
        if (month, day) < (birth.month, birth.day) { years -= 1 }
        return years
    }

    public var description: String {
        let y = String(year)
        let m = month < 10 ? "0\(month)" : String(month)
        let d = day < 10 ? "0\(day)" : String(day)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + m + "-" + d
    }

    public static func < (a: RiskDate, b: RiskDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    static func daysIn(month: Int, year: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = RiskDate(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a date YYYY-MM-DD"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// One recorded measurement, as the record holds it: the value in the unit it was recorded in (units are checked and
/// converted here, so a value is never used in the wrong unit), its date and where it came from.
public struct RiskMeasurement: Sendable, Hashable, Codable {
    public var value: Double
    /// The unit as recorded (UCUM such as `mm[Hg]`, `mg/dL`, `umol/L`, or the common spelling); nil when none was.
    public var unit: String?
    /// When it was measured; when the record has no measurement time, the day it was recorded (`dateIsRecorded`).
    public var date: RiskDate
    public var dateIsRecorded: Bool
    /// The code it was recorded under, e.g. "LOINC 8480-6".
    public var source: String
    /// The stored entry, so a reader can open it.
    public var entryID: String?

    public init(value: Double, unit: String?, date: RiskDate, dateIsRecorded: Bool = false, source: String, entryID: String? = nil) {
        self.value = value
        self.unit = unit
        self.date = date
        self.dateIsRecorded = dateIsRecorded
        self.source = source
        self.entryID = entryID
    }
}

/// A yes/no fact for the equations (diabetes, current smoking, statin, blood-pressure medication) with the record's
/// words for it, so the reader sees what "no" rests on ("no active statin on the medication list").
public struct RiskIndicator: Sendable, Hashable, Codable {
    public var present: Bool
    /// What the record says, e.g. "Diabetes (SNOMED 44054006), active".
    public var evidence: String
    /// Set for a dated observation (a smoking-status answer), whose age matters; nil for problem-list and
    /// medication-list state, which is current by definition.
    public var date: RiskDate?
    public var entryID: String?

    public init(present: Bool, evidence: String, date: RiskDate? = nil, entryID: String? = nil) {
        self.present = present
        self.evidence = evidence
        self.date = date
        self.entryID = entryID
    }
}

/// The latest relevant values of one patient's record, before any unit is checked. Every field is optional: what is
/// missing is named in the profile ("no HDL cholesterol on record"), never guessed. There is no race field: Tailor does
/// not record race, PREVENT and CKD-EPI 2021 are race-free, and the PCE are computed with the White equations as the
/// 2013 guideline advises for groups other than African-American (risk-and-care.md §1.1, §5.2).
public struct RiskProfileInput: Sendable, Hashable, Codable {
    /// Nil when the record's sex is not female or male (`recordedSex` says what it is).
    public var sex: Sex?
    public var recordedSex: String?
    public var birthDate: RiskDate?
    /// mmHg.
    public var systolicBP: RiskMeasurement?
    /// mg/dL or mmol/L.
    public var totalCholesterol: RiskMeasurement?
    public var hdl: RiskMeasurement?
    /// kg/m²; when absent (or older than the weight), computed from `weight` (kg, lb) and `height` (cm, m, in).
    public var bmi: RiskMeasurement?
    public var weight: RiskMeasurement?
    public var height: RiskMeasurement?
    /// Serum creatinine, mg/dL or µmol/L: CKD-EPI 2021 eGFR when it is newer than any reported eGFR.
    public var creatinine: RiskMeasurement?
    /// A reported CKD-EPI 2021 eGFR, mL/min/1.73m².
    public var egfr: RiskMeasurement?
    /// Urine albumin-to-creatinine ratio, mg/g (or mg/mmol, converted).
    public var uacr: RiskMeasurement?
    /// HbA1c, % (NGSP).
    public var hba1c: RiskMeasurement?
    public var diabetes: RiskIndicator?
    /// Current smoking (PREVENT: cigarette use within the last 30 days).
    public var smoker: RiskIndicator?
    public var onStatin: RiskIndicator?
    public var onBPTreatment: RiskIndicator?
    /// Known atherosclerotic cardiovascular disease (coronary heart disease, myocardial infarction, stroke): outside the
    /// population of both PREVENT and the PCE, which estimate a *first* event in adults without known cardiovascular
    /// disease (Goff 2013: a first hard ASCVD event; Khan 2024: derived in adults without known CVD).
    public var knownASCVD: RiskIndicator?
    /// Known heart failure: outside PREVENT's population (heart failure is one of its outcomes); not an ASCVD, so the
    /// PCE still apply.
    public var knownHeartFailure: RiskIndicator?
    /// 5-digit US ZIP code, for PREVENT's Social Deprivation Index.
    public var zip: String?
    /// Why an input the record does have could not be read (input name as in ``RiskProfileInputUsed/name`` → reason,
    /// e.g. a smoking-status answer that is not a known code): named instead of "no … on record" when the input is nil.
    public var unreadable: [String: String]

    public init(
        sex: Sex? = nil, recordedSex: String? = nil, birthDate: RiskDate? = nil, systolicBP: RiskMeasurement? = nil,
        totalCholesterol: RiskMeasurement? = nil, hdl: RiskMeasurement? = nil, bmi: RiskMeasurement? = nil, weight: RiskMeasurement? = nil,
        height: RiskMeasurement? = nil, creatinine: RiskMeasurement? = nil, egfr: RiskMeasurement? = nil, uacr: RiskMeasurement? = nil,
        hba1c: RiskMeasurement? = nil, diabetes: RiskIndicator? = nil, smoker: RiskIndicator? = nil, onStatin: RiskIndicator? = nil,
        onBPTreatment: RiskIndicator? = nil, knownASCVD: RiskIndicator? = nil, knownHeartFailure: RiskIndicator? = nil, zip: String? = nil,
        unreadable: [String: String] = [:]
    ) {
        self.sex = sex
        self.recordedSex = recordedSex ?? sex?.rawValue
        self.birthDate = birthDate
        self.systolicBP = systolicBP
        self.totalCholesterol = totalCholesterol
        self.hdl = hdl
        self.bmi = bmi
        self.weight = weight
        self.height = height
        self.creatinine = creatinine
        self.egfr = egfr
        self.uacr = uacr
        self.hba1c = hba1c
        self.diabetes = diabetes
        self.smoker = smoker
        self.onStatin = onStatin
        self.onBPTreatment = onBPTreatment
        self.knownASCVD = knownASCVD
        self.knownHeartFailure = knownHeartFailure
        self.zip = zip
        self.unreadable = unreadable
    }
}

/// One input as the profile used it: its value in the equations' unit, the sentence a clinician reads
/// ("SBP 142 mmHg on 2026-10-02"), how many days before the calculation date it is, and which equations used it.
public struct RiskProfileInputUsed: Sendable, Hashable, Codable {
    /// Machine name: `systolicBP`, `totalCholesterol`, `hdl`, `bmi`, `creatinine`, `egfr`, `uacr`, `hba1c`, `diabetes`,
    /// `smoker`, `onStatin`, `onBPTreatment`, `knownASCVD`, `knownHeartFailure`.
    public var name: String
    public var text: String
    /// Numeric inputs: the value in `unit` (after conversion); yes/no inputs have `present` instead.
    public var value: Double?
    public var unit: String?
    public var present: Bool?
    public var date: RiskDate?
    /// Days from `date` to the calculation date.
    public var daysBefore: Int?
    /// Older than the profile's `staleAfterDays`.
    public var stale: Bool
    public var source: String?
    public var entryID: String?
    /// The equations that used it: "PREVENT", "PCE", "CKD-EPI 2021".
    public var usedBy: [String]
}

/// A patient's clinical risk, side by side: every PREVENT estimate (10 and 30 years, five outcomes, the model chosen
/// from the optional predictors on record), the 2013 PCE 10-year hard ASCVD risk and the eGFR, each a ``RiskResult``
/// with the equation's citation and validated population; the inputs with their dates; what is missing.
public struct RiskProfile: Sendable, Hashable, Codable {
    /// The date the risks are calculated at (ages and the age of each input count to it).
    public var at: RiskDate
    public var sex: Sex?
    /// Completed years at `at`.
    public var age: Int?
    public var inputs: [RiskProfileInputUsed]
    /// Required inputs that are missing or unusable, in words ("no HDL cholesterol on record").
    public var missing: [String]
    /// Ten results: 10-year then 30-year, outcomes in ``PreventOutcome`` order.
    public var prevent: [RiskResult]
    public var pce: RiskResult
    public var egfr: RiskResult
    /// Inputs older than this many days before `at` are flagged (`stale`) and named in the warnings of every result
    /// that used them.
    public var staleAfterDays: Int
}

/// Builds a ``RiskProfile`` from a ``RiskProfileInput``: checks and converts units, chooses the eGFR, runs the three
/// equations, and turns every missing or impossible input into "not applicable, because …" rather than an error.
public struct RiskProfileBuilder: Sendable {
    public var prevent: PreventEquations
    public var pce: PooledCohortEquations
    /// 12 months (365 days): the age past which an input is flagged. This is a display choice of the platform, not a
    /// guideline threshold (the brief gives none): risk assessment is done with current values, and a year is the
    /// interval after which a reader should ask for a new measurement before acting on the estimate. Values are still
    /// used; the flag only makes their age impossible to miss.
    public var staleAfterDays: Int

    public static let defaultStaleAfterDays = 365

    public init(prevent: PreventEquations, pce: PooledCohortEquations, staleAfterDays: Int = defaultStaleAfterDays) {
        self.prevent = prevent
        self.pce = pce
        self.staleAfterDays = staleAfterDays
    }

    /// The builder with the bundled `risk` pack's coefficients.
    public static func bundled() throws(KnowledgeError) -> RiskProfileBuilder {
        RiskProfileBuilder(prevent: try PreventEquations.bundled(), pce: try PooledCohortEquations.bundled())
    }

    static let preventName = PreventEquations.equationName
    static let pceName = PooledCohortEquations.equationName
    static let ckdEpiName = "CKD-EPI 2021"

    /// An input after unit checks: its value in the equations' unit, or why it cannot be used.
    enum Checked {
        case value(Double, unit: String)
        case unusable(String)
    }

    public func build(_ input: RiskProfileInput, at: RiskDate) -> RiskProfile {
        var inputs: [RiskProfileInputUsed] = []
        var missing: [String] = []
        var usedBy: [String: Set<String>] = [:]

        // Age and sex.
        var age: Int?
        if let birth = input.birthDate {
            if at < birth {
                missing.append("the calculation date \(at) is before the birth date \(birth)")
            } else {
                age = at.completedYears(since: birth)
            }
        } else {
            missing.append("no birth date on record")
        }
        if input.sex == nil {
            missing.append(
                "sex is recorded as '\(input.recordedSex ?? "unknown")', not female or male: the equations have separate coefficients for each")
        }

        func record(
            _ name: String, _ text: String, value: Double? = nil, unit: String? = nil, present: Bool? = nil, date: RiskDate?, source: String?,
            entryID: String?
        ) {
            let days = date.map { at.daysSinceEpoch - $0.daysSinceEpoch }
            inputs.append(
                RiskProfileInputUsed(
                    name: name, text: text, value: value, unit: unit, present: present, date: date, daysBefore: days,
                    stale: days.map { $0 > staleAfterDays } ?? false, source: source, entryID: entryID, usedBy: []))
        }
        func dated(_ m: RiskMeasurement) -> String { m.dateIsRecorded ? "recorded \(m.date) (measurement date not recorded)" : "on \(m.date)" }

        /// A measurement in its checked unit, recorded in `inputs`; nil (and the reason in `problems`) when unusable or absent.
        func measurement(
            _ name: String, _ m: RiskMeasurement?, label: String, shortLabel: String, check: (RiskMeasurement) -> Checked,
            missingText: String?, problems: inout [String]
        ) -> Double? {
            guard let m else {
                if let text = input.unreadable[name] ?? missingText { problems.append(text) }
                return nil
            }
            switch Self.finite(check(m)) {
            case .value(let value, let unit):
                record(
                    name, "\(shortLabel) \(RiskFormat.number(value, digits: 2)) \(unit) \(dated(m))", value: value, unit: unit, date: m.date,
                    source: m.source, entryID: m.entryID)
                return value
            case .unusable(let reason):
                problems.append("\(label) \(RiskFormat.number(m.value, digits: 2))\(m.unit.map { " " + $0 } ?? "") \(dated(m)): \(reason)")
                return nil
            }
        }

        var requiredProblems: [String] = []
        let sbp = measurement(
            "systolicBP", input.systolicBP, label: "systolic blood pressure", shortLabel: "SBP", check: Self.checkSBP,
            missingText: "no systolic blood pressure on record", problems: &requiredProblems)

        // Lipids: both in the unit they share, else both in mg/dL.
        let totalUnit = input.totalCholesterol.flatMap { Self.cholesterolUnit($0.unit) }
        let hdlUnit = input.hdl.flatMap { Self.cholesterolUnit($0.unit) }
        let lipidUnit: CholesterolUnit = totalUnit != nil && totalUnit == hdlUnit ? totalUnit! : .mgPerDL
        let total = measurement(
            "totalCholesterol", input.totalCholesterol, label: "total cholesterol", shortLabel: "total cholesterol",
            check: { Self.checkCholesterol($0, to: lipidUnit) }, missingText: "no total cholesterol on record", problems: &requiredProblems)
        let hdl = measurement(
            "hdl", input.hdl, label: "HDL cholesterol", shortLabel: "HDL cholesterol", check: { Self.checkCholesterol($0, to: lipidUnit) },
            missingText: "no HDL cholesterol on record", problems: &requiredProblems)

        // BMI: the recorded one, unless a newer weight (with a height) gives a newer one.
        var bmi: Double?
        var bmiProblems: [String] = []
        let useWeight = input.weight != nil && input.height != nil && (input.bmi == nil || input.weight!.date > input.bmi!.date)
        if useWeight, let weight = input.weight, let height = input.height {
            switch (Self.finite(Self.checkWeight(weight)), Self.finite(Self.checkHeight(height))) {
            case (.value(let kg, _), .value(let metres, _)) where !(kg / (metres * metres)).isFinite || metres <= 0:
                bmiProblems.append(
                    "weight \(RiskFormat.number(weight.value, digits: 2)) \(weight.unit ?? "") \(dated(weight)) and height \(RiskFormat.number(height.value, digits: 2)) \(height.unit ?? "") \(dated(height)) do not give a BMI"
                )
            case (.value(let kg, _), .value(let metres, _)):
                let value = kg / (metres * metres)
                let older = min(weight.date, height.date)
                record(
                    "bmi",
                    "BMI \(RiskFormat.number(value, digits: 1)) kg/m² from weight \(RiskFormat.number(weight.value, digits: 2)) \(weight.unit ?? "") \(dated(weight)) and height \(RiskFormat.number(height.value, digits: 2)) \(height.unit ?? "") \(dated(height))",
                    value: value, unit: "kg/m²", date: older, source: "\(weight.source) and \(height.source)", entryID: weight.entryID)
                bmi = value
            case (.unusable(let reason), _):
                bmiProblems.append(
                    "weight \(RiskFormat.number(weight.value, digits: 2))\(weight.unit.map { " " + $0 } ?? "") \(dated(weight)): \(reason)")
            case (_, .unusable(let reason)):
                bmiProblems.append(
                    "height \(RiskFormat.number(height.value, digits: 2))\(height.unit.map { " " + $0 } ?? "") \(dated(height)): \(reason)")
            }
        } else {
            bmi = measurement(
                "bmi", input.bmi, label: "BMI", shortLabel: "BMI", check: Self.checkBMI, missingText: "no BMI, or weight and height, on record",
                problems: &bmiProblems)
        }

        // eGFR: the newer of a reported CKD-EPI 2021 eGFR and a creatinine (a tie goes to the reported eGFR).
        var egfrResult: RiskResult
        var egfrProblems: [String] = []
        let useReported = input.egfr != nil && (input.creatinine == nil || input.egfr!.date >= input.creatinine!.date)
        if useReported, let reported = input.egfr {
            switch Self.finite(Self.checkEGFR(reported)) {
            case .value(let value, let unit):
                egfrResult = RiskResult(
                    equation: KidneyFunction.ckdEpi2021Info, outcome: KidneyFunction.outcome, horizonYears: nil, value: value,
                    unit: KidneyFunction.unit,
                    warnings: ["as reported (\(reported.source)) \(dated(reported)), not recomputed"])
                record(
                    "egfr", "eGFR \(RiskFormat.number(value, digits: 0)) \(unit) (reported) \(dated(reported))", value: value, unit: unit,
                    date: reported.date, source: reported.source, entryID: reported.entryID)
            case .unusable(let reason):
                let text = "eGFR \(RiskFormat.number(reported.value, digits: 2))\(reported.unit.map { " " + $0 } ?? "") \(dated(reported)): \(reason)"
                egfrProblems.append(text)
                egfrResult = .notApplicable(
                    KidneyFunction.ckdEpi2021Info, outcome: KidneyFunction.outcome, horizonYears: nil, unit: KidneyFunction.unit, reasons: [text])
            }
        } else if let creatinine = input.creatinine {
            // CKD-EPI needs the age and sex too: so far `missing` holds exactly their problems.
            var reasons = missing
            let checkedUnit = Self.creatinineUnit(creatinine.unit)
            if checkedUnit == nil {
                reasons.append(
                    "creatinine \(RiskFormat.number(creatinine.value, digits: 2))\(creatinine.unit.map { " " + $0 } ?? "") \(dated(creatinine)): unit \(Self.quoted(creatinine.unit)) is not mg/dL or µmol/L"
                )
            }
            if reasons.isEmpty, let sex = input.sex, let birth = input.birthDate, let unit = checkedUnit {
                // CKD-EPI with the age at the measurement, as the laboratory would have reported it.
                let ageThen = Double(creatinine.date.completedYears(since: birth))
                do {
                    var result = try KidneyFunction.ckdEpi2021(
                        KidneyFunctionInput(sex: sex, age: ageThen, creatinine: creatinine.value, creatinineUnit: unit))
                    if result.value != nil {
                        result.warnings.append(
                            "computed from creatinine \(RiskFormat.number(creatinine.value, digits: 2)) \(unit.rawValue) \(dated(creatinine)) at age \(Int(ageThen))"
                        )
                    }
                    egfrResult = result
                } catch {
                    egfrResult = .notApplicable(
                        KidneyFunction.ckdEpi2021Info, outcome: KidneyFunction.outcome, horizonYears: nil, unit: KidneyFunction.unit,
                        reasons: [error.description])
                }
                record(
                    "creatinine", "creatinine \(RiskFormat.number(creatinine.value, digits: 2)) \(unit.rawValue) \(dated(creatinine))",
                    value: creatinine.value, unit: unit.rawValue, date: creatinine.date, source: creatinine.source, entryID: creatinine.entryID)
                usedBy["creatinine", default: []].insert(Self.ckdEpiName)
                if let value = egfrResult.value {
                    record(
                        "egfr",
                        "eGFR \(RiskFormat.number(value, digits: 0)) \(KidneyFunction.unit) (CKD-EPI 2021 from creatinine \(dated(creatinine)))",
                        value: value, unit: KidneyFunction.unit, date: creatinine.date, source: "CKD-EPI 2021 from \(creatinine.source)",
                        entryID: creatinine.entryID)
                } else {
                    egfrProblems.append("no usable eGFR: " + egfrResult.notApplicable.joined(separator: "; "))
                }
            } else {
                egfrResult = .notApplicable(
                    KidneyFunction.ckdEpi2021Info, outcome: KidneyFunction.outcome, horizonYears: nil, unit: KidneyFunction.unit, reasons: reasons)
                egfrProblems.append(contentsOf: reasons.filter { !missing.contains($0) })
            }
        } else {
            let reason = input.unreadable["egfr"] ?? input.unreadable["creatinine"] ?? "no creatinine or eGFR on record"
            egfrResult = .notApplicable(
                KidneyFunction.ckdEpi2021Info, outcome: KidneyFunction.outcome, horizonYears: nil, unit: KidneyFunction.unit, reasons: [reason])
            egfrProblems.append(reason)
        }
        let egfr = egfrResult.value

        // Yes/no inputs.
        func indicator(_ name: String, _ value: RiskIndicator?, label: String, missingText: String, problems: inout [String]) -> Bool? {
            guard let value else {
                problems.append(input.unreadable[name] ?? missingText)
                return nil
            }
            record(
                name, "\(label): \(value.present ? "yes" : "no") (\(value.evidence))", present: value.present, date: value.date, source: nil,
                entryID: value.entryID)
            return value.present
        }
        var flagProblems: [String] = []
        let smoker = indicator("smoker", input.smoker, label: "current smoking", missingText: "no smoking status on record", problems: &flagProblems)
        let diabetes = indicator("diabetes", input.diabetes, label: "diabetes", missingText: "diabetes status unknown", problems: &flagProblems)
        let bpTreatment = indicator(
            "onBPTreatment", input.onBPTreatment, label: "blood-pressure medication", missingText: "blood-pressure treatment unknown",
            problems: &flagProblems)
        // Statin use is a PREVENT term only (the PCE have none).
        var statinProblems: [String] = []
        let statin = indicator("onStatin", input.onStatin, label: "statin", missingText: "statin use unknown", problems: &statinProblems)

        // Optional PREVENT predictors: an unusable one is left out, with a warning.
        var optionalProblems: [String] = []
        let uacr = measurement(
            "uacr", input.uacr, label: "UACR", shortLabel: "UACR", check: Self.checkUACR, missingText: nil, problems: &optionalProblems)
        let hba1c = measurement(
            "hba1c", input.hba1c, label: "HbA1c", shortLabel: "HbA1c", check: Self.checkHbA1c, missingText: nil, problems: &optionalProblems)
        let optionalWarnings = optionalProblems.map { "not used: " + $0 }

        // Known cardiovascular disease puts the patient outside the populations (the equations predict a first event).
        var outsidePCE: [String] = []
        var outsidePrevent: [String] = []
        if let ascvd = input.knownASCVD {
            record(
                "knownASCVD", "known atherosclerotic cardiovascular disease: \(ascvd.present ? "yes" : "no") (\(ascvd.evidence))",
                present: ascvd.present,
                date: ascvd.date, source: nil, entryID: ascvd.entryID)
            if ascvd.present {
                let reason = "\(ascvd.evidence): the equation estimates a first cardiovascular event in adults without known cardiovascular disease"
                outsidePCE.append(reason)
                outsidePrevent.append(reason)
                usedBy["knownASCVD"] = [Self.preventName, Self.pceName]
            }
        }
        if let failure = input.knownHeartFailure {
            record(
                "knownHeartFailure", "known heart failure: \(failure.present ? "yes" : "no") (\(failure.evidence))", present: failure.present,
                date: failure.date, source: nil, entryID: failure.entryID)
            if failure.present {
                outsidePrevent.append(
                    "\(failure.evidence): PREVENT was derived in adults without known cardiovascular disease, and heart failure is one of its outcomes"
                )
                usedBy["knownHeartFailure", default: []].insert(Self.preventName)
            }
        }

        // PREVENT.
        var preventResults: [RiskResult]
        let preventProblems = Self.unique(missing + requiredProblems + bmiProblems + egfrProblems + flagProblems + statinProblems + outsidePrevent)
        if preventProblems.isEmpty, let age, let sex = input.sex, let total, let hdl, let sbp, let bmi, let egfr, let smoker, let diabetes,
            let bpTreatment, let statin
        {
            let preventInput = PreventInput(
                sex: sex, age: Double(age), totalCholesterol: total, hdl: hdl, cholesterolUnit: lipidUnit, systolicBP: sbp,
                onBPTreatment: bpTreatment, onStatin: statin, smoker: smoker, diabetes: diabetes, egfr: egfr, bmi: bmi, uacr: uacr, hba1c: hba1c,
                zip: input.zip)
            do {
                preventResults = try prevent.estimate(preventInput)
            } catch {
                preventResults = notApplicablePrevent(reasons: [error.description], uacr: uacr != nil, hba1c: hba1c != nil, zip: input.zip)
            }
            for name in ["systolicBP", "totalCholesterol", "hdl", "bmi", "egfr", "smoker", "diabetes", "onBPTreatment", "onStatin"] {
                usedBy[name, default: []].insert(Self.preventName)
            }
            let model = preventResults.first?.equation.id
            if uacr != nil, model == "prevent-uacr" || model == "prevent-full" { usedBy["uacr", default: []].insert(Self.preventName) }
            if hba1c != nil, model == "prevent-hba1c" || model == "prevent-full" { usedBy["hba1c", default: []].insert(Self.preventName) }
        } else {
            preventResults = notApplicablePrevent(reasons: preventProblems, uacr: uacr != nil, hba1c: hba1c != nil, zip: input.zip)
        }

        // PCE: no race is recorded, so the White equations with the PCE's own warning for other groups.
        var pceResult: RiskResult
        let pceProblems = Self.unique(missing + requiredProblems + flagProblems + outsidePCE)
        if pceProblems.isEmpty, let age, let sex = input.sex, let total, let hdl, let sbp, let smoker, let diabetes, let bpTreatment {
            do {
                pceResult = try pce.estimate(
                    PooledCohortInput(
                        sex: sex, race: .other, age: Double(age), totalCholesterol: total, hdl: hdl, cholesterolUnit: lipidUnit, systolicBP: sbp,
                        onBPTreatment: bpTreatment, smoker: smoker, diabetes: diabetes))
                if pceResult.value != nil {
                    pceResult.warnings.insert(
                        "race is not recorded (and never guessed): computed as for a group other than African-American", at: 0)
                }
            } catch {
                pceResult = .notApplicable(
                    pce.info, outcome: PooledCohortEquations.outcome, horizonYears: 10, unit: "%", reasons: [error.description])
            }
            for name in ["systolicBP", "totalCholesterol", "hdl", "smoker", "diabetes", "onBPTreatment"] {
                usedBy[name, default: []].insert(Self.pceName)
            }
        } else {
            pceResult = .notApplicable(pce.info, outcome: PooledCohortEquations.outcome, horizonYears: 10, unit: "%", reasons: pceProblems)
        }

        // Which equation used what, and the age of every input in the warnings of the results it fed.
        let order = [Self.preventName, Self.pceName, Self.ckdEpiName]
        for index in inputs.indices {
            inputs[index].usedBy = order.filter { usedBy[inputs[index].name]?.contains($0) == true }
        }
        func ageWarnings(_ used: [RiskProfileInputUsed]) -> [String] {
            used.compactMap { used -> String? in
                guard let date = used.date, let days = used.daysBefore else { return nil }
                if days < 0 { return "\(used.text): dated \(date), after the calculation date \(at)" }
                guard used.stale else { return nil }
                return "\(used.text): \(days) days before \(at), older than \(staleAfterDays) days"
            }
        }
        let preventWarnings = ageWarnings(inputs.filter { $0.usedBy.contains(Self.preventName) }) + optionalWarnings
        for index in preventResults.indices where preventResults[index].value != nil {
            preventResults[index].warnings += preventWarnings
        }
        if pceResult.value != nil { pceResult.warnings += ageWarnings(inputs.filter { $0.usedBy.contains(Self.pceName) }) }
        // The eGFR's age is its own (reported) or its creatinine's (computed).
        if egfrResult.value != nil { egfrResult.warnings += ageWarnings(inputs.filter { $0.name == "egfr" }) }

        return RiskProfile(
            at: at, sex: input.sex, age: age, inputs: inputs,
            missing: Self.unique(missing + requiredProblems + bmiProblems + egfrProblems + flagProblems + statinProblems),
            prevent: preventResults, pce: pceResult, egfr: egfrResult, staleAfterDays: staleAfterDays)
    }

    /// Ten not-applicable PREVENT results (both horizons, every outcome) under the model the optional predictors on
    /// record would choose.
    func notApplicablePrevent(reasons: [String], uacr: Bool, hba1c: Bool, zip: String?) -> [RiskResult] {
        var sdi = false
        if let zip, case .decile? = try? prevent.sdi(zip: zip) { sdi = true }
        let info = prevent.infos[PreventEquations.automaticModel(uacr: uacr, hba1c: hba1c, sdi: sdi).index]
        var results: [RiskResult] = []
        for (h, years) in PreventEquations.horizons.enumerated() {
            for text in PreventEquations.outcomeTexts[h] {
                results.append(.notApplicable(info, outcome: text, horizonYears: Double(years), unit: "%", reasons: reasons))
            }
        }
        return results
    }

    static func unique(_ texts: [String]) -> [String] {
        var seen = Set<String>()
        return texts.filter { seen.insert($0).inserted }
    }

    // MARK: Units

    /// A converted value that overflowed (1e308 mmol/L in mg/dL) is refused, not passed on as infinity.
    static func finite(_ checked: Checked) -> Checked {
        if case .value(let value, let unit) = checked, !value.isFinite { return .unusable("not a finite number in \(unit)") }
        return checked
    }

    static func quoted(_ unit: String?) -> String { unit.map { "'\($0)'" } ?? "(none recorded)" }

    /// Unit text compared without case and spaces, with `^` and the UCUM annotation braces removed (`mL/min/{1.73_m2}`).
    static func normalised(_ unit: String?) -> String? {
        unit.map { text in
            var out = ""
            for character in text.lowercased() {
                switch character {
                case " ", "^", "{", "}", "_": continue
                case "²": out.append("2")
                case "μ", "µ": out.append("u")
                default: out.append(character)
                }
            }
            return out
        }
    }

    static func checkSBP(_ m: RiskMeasurement) -> Checked {
        guard let unit = normalised(m.unit), unit == "mm[hg]" || unit == "mmhg" else {
            return .unusable("unit \(quoted(m.unit)) is not mmHg (UCUM mm[Hg])")
        }
        return .value(m.value, unit: "mmHg")
    }

    static func cholesterolUnit(_ unit: String?) -> CholesterolUnit? {
        switch normalised(unit) {
        case "mg/dl": .mgPerDL
        case "mmol/l": .mmolPerL
        default: nil
        }
    }

    /// Converts with the PREVENT paper's factor (mg/dL × 0.02586 = mmol/L; risk-and-care.md §1.2).
    static func checkCholesterol(_ m: RiskMeasurement, to target: CholesterolUnit) -> Checked {
        guard let unit = cholesterolUnit(m.unit) else { return .unusable("unit \(quoted(m.unit)) is not mg/dL or mmol/L") }
        let value: Double
        switch (unit, target) {
        case (.mgPerDL, .mmolPerL): value = m.value * CholesterolUnit.mmolPerMg
        case (.mmolPerL, .mgPerDL): value = m.value / CholesterolUnit.mmolPerMg
        default: value = m.value
        }
        return .value(value, unit: target.rawValue)
    }

    static func checkBMI(_ m: RiskMeasurement) -> Checked {
        guard let unit = normalised(m.unit), unit == "kg/m2" else { return .unusable("unit \(quoted(m.unit)) is not kg/m²") }
        return .value(m.value, unit: "kg/m²")
    }

    /// kg; pounds by the international avoirdupois pound (0.45359237 kg exactly, UCUM `[lb_av]`).
    static func checkWeight(_ m: RiskMeasurement) -> Checked {
        switch normalised(m.unit) {
        case "kg": .value(m.value, unit: "kg")
        case "[lbav]", "lb", "lbs": .value(m.value * 0.45359237, unit: "kg")
        default: .unusable("unit \(quoted(m.unit)) is not kg or lb")
        }
    }

    /// Metres; inches by the international inch (2.54 cm exactly, UCUM `[in_i]`).
    static func checkHeight(_ m: RiskMeasurement) -> Checked {
        switch normalised(m.unit) {
        case "cm": .value(m.value / 100, unit: "m")
        case "m": .value(m.value, unit: "m")
        case "[ini]", "in": .value(m.value * 0.0254, unit: "m")
        default: .unusable("unit \(quoted(m.unit)) is not cm, m or in")
        }
    }

    static func creatinineUnit(_ unit: String?) -> CreatinineUnit? {
        switch normalised(unit) {
        case "mg/dl": .mgPerDL
        case "umol/l": .umolPerL
        default: nil
        }
    }

    /// mL/min/1.73m² however spelt (`mL/min/{1.73_m2}`, `mL/min/1.73m2`, `mL/min/1.73 m²`).
    static func checkEGFR(_ m: RiskMeasurement) -> Checked {
        guard let unit = normalised(m.unit), unit.hasPrefix("ml/min/1.73"), unit.hasSuffix("m2") else {
            return .unusable("unit \(quoted(m.unit)) is not mL/min/1.73m²")
        }
        return .value(m.value, unit: KidneyFunction.unit)
    }

    /// mg/g; mg/mmol × 8.84 (from the brief's 88.4 µmol per mg/dL: 1 mg of creatinine is 8.84 µmol, so 1 g is 8.84 mmol).
    static func checkUACR(_ m: RiskMeasurement) -> Checked {
        switch normalised(m.unit) {
        case "mg/g", "mg/gcreat", "mg/gcre": .value(m.value, unit: "mg/g")
        case "mg/mmol", "mg/mmolcreat", "mg/mmolcre": .value(m.value * 8.84, unit: "mg/g")
        default: .unusable("unit \(quoted(m.unit)) is not mg/g or mg/mmol")
        }
    }

    /// % (NGSP) only: an IFCC mmol/mol value is refused rather than converted (the brief gives no conversion).
    static func checkHbA1c(_ m: RiskMeasurement) -> Checked {
        switch normalised(m.unit) {
        case "%": .value(m.value, unit: "%")
        case "mmol/mol": .unusable("HbA1c in mmol/mol (IFCC); PREVENT needs % (NGSP), and no conversion is applied")
        default: .unusable("unit \(quoted(m.unit)) is not % (NGSP)")
        }
    }
}
