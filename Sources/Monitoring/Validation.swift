import Foundation

/// A reading as a client sent it, before unit conversion and plausibility checks. Parsers fill what they found;
/// `ReadingValidator` decides.
public struct RawReading: Sendable, Hashable {
    /// The time as sent: epoch milliseconds or an ISO 8601 text.
    public enum Time: Sendable, Hashable {
        case epochMillis(Double)
        case text(String)
    }

    /// The logical fields, so a rejection can name the exact JSON path the client wrote.
    public enum Field: String, Sendable, Hashable, CaseIterable {
        case kind, at, value, systolic, diastolic, unit, source, id, utcOffsetMinutes

        /// Position in declaration order (for bit sets).
        var ordinal: Int {
            switch self {
            case .kind: 0
            case .at: 1
            case .value: 2
            case .systolic: 3
            case .diastolic: 4
            case .unit: 5
            case .source: 6
            case .id: 7
            case .utcOffsetMinutes: 8
            }
        }
    }

    /// Position in the input: 0-based index in a batch or Bundle, 1-based line number in NDJSON.
    public var index: Int
    /// JSON path of the reading object (`readings[3]`, `entry[2].resource`), or "" for an NDJSON line.
    public var path: String
    public var kind: String?
    public var at: Time?
    public var value: Double?
    public var systolic: Double?
    public var diastolic: Double?
    public var unit: String?
    /// Unit of the diastolic value when it was sent separately (FHIR components); must match `unit` after conversion.
    public var diastolicUnit: String?
    public var source: String?
    public var externalID: String?
    public var utcOffsetMinutes: Int?
    /// Paths that differ from `path.field` (FHIR keeps the value in `valueQuantity.value`, BP in components).
    public var pathOverrides: [Field: String]

    public init(index: Int, path: String = "", kind: String? = nil, at: Time? = nil, value: Double? = nil,
                systolic: Double? = nil, diastolic: Double? = nil, unit: String? = nil, diastolicUnit: String? = nil,
                source: String? = nil, externalID: String? = nil, utcOffsetMinutes: Int? = nil,
                pathOverrides: [Field: String] = [:]) {
        self.index = index
        self.path = path
        self.kind = kind
        self.at = at
        self.value = value
        self.systolic = systolic
        self.diastolic = diastolic
        self.unit = unit
        self.diastolicUnit = diastolicUnit
        self.source = source
        self.externalID = externalID
        self.utcOffsetMinutes = utcOffsetMinutes
        self.pathOverrides = pathOverrides
    }

    /// The JSON path of `field` in the client's input.
    public func path(of field: Field) -> String {
        if let override = pathOverrides[field] { return override }
        return path.isEmpty ? field.rawValue : "\(path).\(field.rawValue)"
    }
}

/// One problem with one input reading. A reading with several problems gets one rejection per problem.
public struct ReadingRejection: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 0-based position in a batch or Bundle; the 1-based line number for NDJSON.
    public var index: Int
    /// JSON path of the offending field, e.g. `readings[3].diastolic`; the object's own path (or `$` for an NDJSON
    /// line) when the whole object is at fault.
    public var field: String
    /// What is wrong, in words a client developer can act on.
    public var reason: String
    /// The client's id of the reading, when it could be read.
    public var externalID: String?

    public init(index: Int, field: String, reason: String, externalID: String? = nil) {
        self.index = index
        self.field = field
        self.reason = reason
        self.externalID = externalID
    }

    public var description: String { "#\(index) \(field): \(reason)" }
}

/// The outcome of validating a batch: what was kept, what was refused and why.
public struct ValidationResult: Sendable, Hashable, Codable {
    public var accepted: [Reading]
    /// Sorted by `index`; a reading may appear more than once (one entry per problem).
    public var rejections: [ReadingRejection]
    /// Input readings seen (accepted + rejected; skipped items are not readings).
    public var receivedCount: Int
    public var acceptedCount: Int { accepted.count }
    /// Distinct input readings rejected.
    public var rejectedCount: Int
    /// Items that were not readings and were passed over on purpose: blank NDJSON lines, non-Observation Bundle entries.
    public var skippedCount: Int

    public init(accepted: [Reading] = [], rejections: [ReadingRejection] = [], receivedCount: Int = 0,
                rejectedCount: Int = 0, skippedCount: Int = 0) {
        self.accepted = accepted
        self.rejections = rejections
        self.receivedCount = receivedCount
        self.rejectedCount = rejectedCount
        self.skippedCount = skippedCount
    }

    enum CodingKeys: String, CodingKey { case accepted, rejections, receivedCount, acceptedCount, rejectedCount, skippedCount }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        accepted = try c.decode([Reading].self, forKey: .accepted)
        rejections = try c.decode([ReadingRejection].self, forKey: .rejections)
        receivedCount = try c.decode(Int.self, forKey: .receivedCount)
        rejectedCount = try c.decode(Int.self, forKey: .rejectedCount)
        skippedCount = try c.decode(Int.self, forKey: .skippedCount)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(accepted, forKey: .accepted)
        try c.encode(rejections, forKey: .rejections)
        try c.encode(receivedCount, forKey: .receivedCount)
        try c.encode(acceptedCount, forKey: .acceptedCount)
        try c.encode(rejectedCount, forKey: .rejectedCount)
        try c.encode(skippedCount, forKey: .skippedCount)
    }
}

/// Units accepted per kind, with the factor to the canonical unit. Matching ignores ASCII case (clients write
/// "mg/dl", "KG"), which is safe because no two accepted spellings differ only by case.
public enum MonitoringUnits {
    /// mmol/L → mg/dL for glucose: the molar mass of glucose (C6H12O6), 180.156 g/mol, gives
    /// 1 mmol/L = 180.156 mg/L = 18.0156 mg/dL, rounded to 18.016 as in the monitoring brief.
    public static let glucoseMgPerDLPerMmolPerL = 18.016
    /// lb → kg: the international avoirdupois pound is defined as exactly 0.45359237 kg (1959 international yard and
    /// pound agreement; UCUM `[lb_av]`).
    public static let kilogramsPerPound = 0.45359237

    /// (spelling, factor to canonical). The first spelling is the canonical one.
    public static func accepted(for kind: ReadingKind) -> [(unit: String, factor: Double)] {
        switch kind {
        case .bloodPressure: [("mmHg", 1), ("mm[Hg]", 1), ("mm Hg", 1)]
        case .heartRate: [("/min", 1), ("bpm", 1), ("{beats}/min", 1), ("beats/min", 1)]
        case .glucose, .cgmGlucose: [("mg/dL", 1), ("mmol/L", glucoseMgPerDLPerMmolPerL)]
        case .weight: [("kg", 1), ("g", 0.001), ("lb", kilogramsPerPound), ("lbs", kilogramsPerPound), ("[lb_av]", kilogramsPerPound)]
        case .steps: [("/d", 1), ("{steps}", 1), ("{steps}/d", 1), ("steps", 1), ("steps/d", 1), ("steps/day", 1)]
        case .sleep: [("h", 1), ("hr", 1), ("hours", 1), ("min", 1.0 / 60.0)]
        }
    }

    /// Kinds whose unit may be left out because only one unit is in use: BP is always mmHg, heart rate beats per
    /// minute, steps a daily count. Glucose (mg/dL vs mmol/L), weight (kg vs lb) and sleep (h vs min) are ambiguous
    /// and must say their unit.
    public static func unitIsOptional(for kind: ReadingKind) -> Bool {
        switch kind {
        case .bloodPressure, .heartRate, .steps: true
        case .glucose, .cgmGlucose, .weight, .sleep: false
        }
    }

    /// `accepted(for:)` per kind in `ReadingKind.allCases` order, built once: the lookup runs for every reading of
    /// large uploads, and a scan of a handful of short strings beats hashing.
    private static let table: [[(unit: String, factor: Double)]] = ReadingKind.allCases.map { accepted(for: $0) }
    private static let lowercasedTable: [[(unit: String, factor: Double)]] = table.map { $0.map { ($0.unit.lowercased(), $0.factor) } }

    /// The factor converting `unit` to the canonical unit of `kind`, or nil when the unit is not accepted.
    public static func factor(for unit: String, kind: ReadingKind) -> Double? {
        let i = ReadingKind.allCases.firstIndex(of: kind)!
        for candidate in table[i] where candidate.unit == unit { return candidate.factor }
        let lower = unit.lowercased()
        for candidate in lowercasedTable[i] where candidate.unit == lower { return candidate.factor }
        return nil
    }
}

/// Physiological plausibility limits, inclusive. Values outside are rejected, never clamped: a clamped impossible value
/// would look like a real extreme reading and could raise (or hide) an alert. Limits are the monitoring brief's
/// plausibility ranges (Tailor monitoring module specification); they bound what a living patient or a working device
/// can produce and are deliberately wide, they are not clinical targets.
public struct PlausibleRange: Sendable, Hashable {
    public var lower: Double
    public var upper: Double

    /// SBP 50–300 mmHg (monitoring brief).
    public static let systolic = PlausibleRange(lower: 50, upper: 300)
    /// DBP 20–200 mmHg (monitoring brief).
    public static let diastolic = PlausibleRange(lower: 20, upper: 200)
    /// Heart rate 20–300 beats/min (monitoring brief).
    public static let heartRate = PlausibleRange(lower: 20, upper: 300)
    /// Glucose 10–1000 mg/dL, capillary and CGM alike (monitoring brief).
    public static let glucose = PlausibleRange(lower: 10, upper: 1000)
    /// Body weight 1–500 kg (monitoring brief).
    public static let weight = PlausibleRange(lower: 1, upper: 500)
    /// Steps 0–200,000 per day (monitoring brief).
    public static let steps = PlausibleRange(lower: 0, upper: 200_000)
    /// Sleep 0–24 hours per day (monitoring brief).
    public static let sleep = PlausibleRange(lower: 0, upper: 24)

    public static func primary(for kind: ReadingKind) -> PlausibleRange {
        switch kind {
        case .bloodPressure: .systolic
        case .heartRate: .heartRate
        case .glucose, .cgmGlucose: .glucose
        case .weight: .weight
        case .steps: .steps
        case .sleep: .sleep
        }
    }

    @inline(__always) public func contains(_ v: Double) -> Bool { v >= lower && v <= upper }
}

/// Turns raw readings into canonical `Reading`s or rejections. Pure: the clock is a parameter.
public struct ReadingValidator: Sendable {
    /// Readings stamped later than `now` plus this are refused (device clocks drift a little; a reading from the
    /// future beyond that is a wrong clock or a wrong unit of time). 5 minutes per the monitoring brief.
    public static let defaultMaxFutureSkewMillis: Int64 = 5 * 60_000

    public var now: Int64
    public var maxFutureSkewMillis: Int64
    /// Used when a reading does not say where it came from.
    public var defaultSource: ReadingSource

    public init(now: Int64, maxFutureSkewMillis: Int64 = ReadingValidator.defaultMaxFutureSkewMillis,
                defaultSource: ReadingSource = .home) {
        self.now = now
        self.maxFutureSkewMillis = maxFutureSkewMillis
        self.defaultSource = defaultSource
    }

    /// Validates one raw reading, appending every problem found to `problems`. Returns nil when any was found.
    public func validate(_ raw: RawReading, problems: inout [ReadingRejection]) -> Reading? {
        let before = problems.count
        func reject(_ field: RawReading.Field, _ reason: String) {
            problems.append(ReadingRejection(index: raw.index, field: raw.path(of: field), reason: reason, externalID: raw.externalID))
        }

        var kind: ReadingKind?
        if let k = raw.kind {
            kind = ReadingKind(rawValue: k)
            if kind == nil {
                reject(.kind, "unknown kind \"\(k)\"; expected one of \(ReadingKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        } else {
            reject(.kind, "missing kind")
        }

        var at: Int64 = 0
        var offset = raw.utcOffsetMinutes
        switch raw.at {
        case nil:
            reject(.at, "missing time")
        case let .epochMillis(ms)?:
            if !ms.isFinite || ms.rounded(.towardZero) != ms || abs(ms) > 9.0e15 {
                reject(.at, "epoch time must be a whole number of milliseconds")
            } else if ms < 0 {
                reject(.at, "time before 1970 is not a monitoring reading")
            } else {
                at = Int64(ms)
            }
        case let .text(text)?:
            do {
                let parsed = try parseTimestamp(text)
                at = parsed.millis
                if offset == nil { offset = parsed.utcOffsetMinutes }
            } catch {
                reject(.at, error.description)
            }
        }
        if at > now + maxFutureSkewMillis {
            reject(.at, "time is \(formatDuration(at - now)) in the future (more than \(maxFutureSkewMillis / 60_000) min ahead of the server clock)")
        }
        if let o = offset, abs(o) > 18 * 60 {
            reject(.utcOffsetMinutes, "UTC offset \(o) min is outside ±18 h")
        }

        var source = defaultSource
        if let s = raw.source {
            if let parsed = ReadingSource(rawValue: s) {
                source = parsed
            } else {
                reject(.source, "unknown source \"\(s)\"; expected one of \(ReadingSource.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        var value = 0.0
        var value2: Double?
        if let kind {
            var factor = 1.0
            if let unit = raw.unit {
                if let f = MonitoringUnits.factor(for: unit, kind: kind) {
                    factor = f
                } else {
                    reject(.unit, "unit \"\(unit)\" is not accepted for \(kind.rawValue); accepted: \(acceptedUnits(kind))")
                }
            } else if !MonitoringUnits.unitIsOptional(for: kind) {
                reject(.unit, "missing unit for \(kind.rawValue); accepted: \(acceptedUnits(kind))")
            }

            if kind == .bloodPressure {
                if raw.systolic == nil, raw.value != nil {
                    reject(.value, "blood-pressure uses \"systolic\" and \"diastolic\", not \"value\"")
                }
                if let dUnit = raw.diastolicUnit, MonitoringUnits.factor(for: dUnit, kind: kind) == nil {
                    reject(.diastolic, "unit \"\(dUnit)\" is not accepted for blood-pressure; accepted: \(acceptedUnits(kind))")
                }
                let sbp = check(raw.systolic, field: .systolic, label: "systolic", range: .systolic, unit: "mmHg", factor: factor, reject: reject)
                let dbp = check(raw.diastolic, field: .diastolic, label: "diastolic", range: .diastolic, unit: "mmHg", factor: factor, reject: reject)
                if let sbp, let dbp, sbp <= dbp {
                    reject(.diastolic, "diastolic \(format(dbp)) mmHg is not below systolic \(format(sbp)) mmHg")
                }
                value = sbp ?? 0
                value2 = dbp
            } else {
                if raw.systolic != nil || raw.diastolic != nil {
                    reject(raw.systolic != nil ? .systolic : .diastolic, "systolic/diastolic only apply to blood-pressure; use \"value\"")
                }
                let unitLabel = kindUnitLabel(kind)
                value = check(raw.value, field: .value, label: "value", range: .primary(for: kind), unit: unitLabel,
                              factor: factor, reject: reject) ?? 0
            }
        }

        guard problems.count == before, let kind else { return nil }
        return Reading(kind: kind, at: at, value: value, value2: value2, source: source,
                       utcOffsetMinutes: offset, externalID: raw.externalID)
    }

    /// Validates every raw reading; one bad reading never stops the others. `extraRejections` (parse errors found
    /// before validation) are merged in, and `skipped` counts items that were not readings.
    public func validate(_ raws: [RawReading], extraRejections: [ReadingRejection] = [], skipped: Int = 0) -> ValidationResult {
        var accepted: [Reading] = []
        accepted.reserveCapacity(raws.count)
        var problems = extraRejections
        var rejected = Set(extraRejections.map(\.index)).count
        for raw in raws {
            if let reading = validate(raw, problems: &problems) {
                accepted.append(reading)
            } else {
                rejected += 1
            }
        }
        if !extraRejections.isEmpty { problems.sort { $0.index < $1.index } }
        return ValidationResult(accepted: accepted, rejections: problems, receivedCount: accepted.count + rejected,
                                rejectedCount: rejected, skippedCount: skipped)
    }

    /// Re-checks readings that are already canonical (e.g. built in code): same ranges and clock rule.
    public func validate(_ readings: [Reading]) -> ValidationResult {
        validate(readings.enumerated().map { i, r in
            RawReading(index: i, path: "readings[\(i)]", kind: r.kind.rawValue, at: .epochMillis(Double(r.at)),
                       value: r.kind == .bloodPressure ? nil : r.value,
                       systolic: r.kind == .bloodPressure ? r.value : nil, diastolic: r.value2,
                       unit: r.kind.canonicalUnit, source: r.source.rawValue, externalID: r.externalID,
                       utcOffsetMinutes: r.utcOffsetMinutes)
        })
    }

    private func check(_ raw: Double?, field: RawReading.Field, label: String, range: PlausibleRange, unit: String,
                       factor: Double, reject: (RawReading.Field, String) -> Void) -> Double? {
        guard let raw else {
            reject(field, "missing \(label)")
            return nil
        }
        guard raw.isFinite else {
            reject(field, "\(label) is not a finite number")
            return nil
        }
        let v = raw * factor
        guard range.contains(v) else {
            let shown = factor == 1 ? "" : " (\(format(v)) \(unit) after conversion)"
            reject(field, "\(label) \(format(raw))\(shown) is outside the plausible range \(format(range.lower))–\(format(range.upper)) \(unit)")
            return nil
        }
        return v
    }

    private func acceptedUnits(_ kind: ReadingKind) -> String {
        MonitoringUnits.accepted(for: kind).map(\.unit).joined(separator: ", ")
    }

    private func kindUnitLabel(_ kind: ReadingKind) -> String {
        switch kind {
        case .bloodPressure: "mmHg"
        case .heartRate: "beats/min"
        case .glucose, .cgmGlucose: "mg/dL"
        case .weight: "kg"
        case .steps: "steps/day"
        case .sleep: "h"
        }
    }

    private func formatDuration(_ ms: Int64) -> String {
        let minutes = ms / 60_000
        if minutes < 120 { return "\(minutes) min" }
        if minutes < 48 * 60 { return "\(minutes / 60) h" }
        return "\(minutes / (24 * 60)) days"
    }
}

/// Compact number formatting for messages: integers without a decimal point, others with up to 3 decimals.
func format(_ v: Double) -> String {
    if v.rounded() == v && abs(v) < 1e15 { return String(Int64(v)) }
    var s = String(format: "%.3f", v)
    while s.hasSuffix("0") { s.removeLast() }
    if s.hasSuffix(".") { s.removeLast() }
    return s
}
