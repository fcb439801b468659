import Foundation

// Home and device monitoring readings in canonical units. Everything downstream (averages, categories, CGM metrics,
// alerts) works on `Reading` only, so unit handling happens once, in `ReadingValidator`, and a metric can never be
// computed over a mix of mmol/L and mg/dL or lb and kg.

/// What a reading measures. Raw values are the wire names used in JSON, NDJSON and the server API.
public enum ReadingKind: String, Sendable, Codable, CaseIterable, Hashable {
    case bloodPressure = "blood-pressure"
    case heartRate = "heart-rate"
    case glucose
    case cgmGlucose = "cgm-glucose"
    case weight
    case steps
    case sleep

    /// The LOINC code Tailor uses for this kind (risk-and-care brief §2.9).
    ///
    /// - Blood pressure is the panel 85354-9; its systolic and diastolic components are `systolicLOINC` (8480-6) and
    ///   `diastolicLOINC` (8462-4).
    /// - CGM glucose is 99504-3 "Glucose [Mass/volume] in Interstitial fluid": the code of the HL7 CGM IG's sensor
    ///   reading example (http://hl7.org/fhir/uv/cgm, `Observation-cgmSensorReadingMassPerVolumeExample`). We chose it
    ///   over 2339-0 (glucose in *blood*) because a CGM measures interstitial fluid, and a distinct code keeps CGM
    ///   traces apart from capillary checks when exported.
    public var loinc: String {
        switch self {
        case .bloodPressure: "85354-9"
        case .heartRate: "8867-4"
        case .glucose: "2339-0"
        case .cgmGlucose: "99504-3"
        case .weight: "29463-7"
        case .steps: "41950-7"
        case .sleep: "93832-4"
        }
    }

    /// LOINC systolic blood pressure, a component of the BP panel (brief §2.9).
    public static let systolicLOINC = "8480-6"
    /// LOINC diastolic blood pressure, a component of the BP panel (brief §2.9).
    public static let diastolicLOINC = "8462-4"

    /// The canonical unit of `Reading.value` (and `value2` for blood pressure), written as UCUM.
    public var canonicalUnit: String {
        switch self {
        case .bloodPressure: "mm[Hg]"
        case .heartRate: "/min"
        case .glucose, .cgmGlucose: "mg/dL"
        case .weight: "kg"
        case .steps: "/d"
        case .sleep: "h"
        }
    }
}

/// Where a reading was taken. Home averaging (brief §2.3) uses home and device readings only: office and ambulatory
/// values have their own thresholds (corresponding-values table) and must not be mixed in.
public enum ReadingSource: String, Sendable, Codable, CaseIterable, Hashable {
    case home, clinic, device, ambulatory
}

/// One validated reading in canonical units.
public struct Reading: Sendable, Hashable, Codable {
    public var kind: ReadingKind
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var at: Int64
    /// Canonical value: SBP mmHg, beats/min, glucose mg/dL, kg, steps per day, sleep hours.
    public var value: Double
    /// DBP mmHg for blood pressure; nil for every other kind.
    public var value2: Double?
    public var source: ReadingSource
    /// The patient's local UTC offset when known; it decides the local day (HBPM "day 1", days of wear) and AM/PM.
    public var utcOffsetMinutes: Int?
    /// The client's own identifier, echoed back so it can match rejections and duplicates to its records.
    public var externalID: String?

    public init(kind: ReadingKind, at: Int64, value: Double, value2: Double? = nil, source: ReadingSource,
                utcOffsetMinutes: Int? = nil, externalID: String? = nil) {
        self.kind = kind
        self.at = at
        self.value = value
        self.value2 = value2
        self.source = source
        self.utcOffsetMinutes = utcOffsetMinutes
        self.externalID = externalID
    }

    /// Systolic pressure (blood pressure only).
    public var systolic: Double? { kind == .bloodPressure ? value : nil }
    /// Diastolic pressure (blood pressure only).
    public var diastolic: Double? { kind == .bloodPressure ? value2 : nil }

    /// The identity used to drop re-sent readings.
    ///
    /// Two readings of the same kind, at the same millisecond, from the same source are the same measurement: no
    /// device takes two blood pressures (or two glucose values) in one millisecond, so a second copy is a retry or a
    /// re-sync, never new data. The value is deliberately *not* part of the key: a re-sent reading whose value was
    /// corrected is still the same event, and the store keeps the first copy it saw.
    public var dedupKey: DedupKey { DedupKey(kind: kind, at: at, source: source) }

    /// See `Reading.dedupKey`.
    public struct DedupKey: Sendable, Hashable, Codable {
        public var kind: ReadingKind
        public var at: Int64
        public var source: ReadingSource
    }
}

/// Drops readings whose `dedupKey` was already seen, keeping the first occurrence and the input order.
public func deduplicated(_ readings: [Reading]) -> [Reading] {
    var seen = Set<Reading.DedupKey>(minimumCapacity: readings.count)
    var result: [Reading] = []
    result.reserveCapacity(readings.count)
    for reading in readings where seen.insert(reading.dedupKey).inserted {
        result.append(reading)
    }
    return result
}

/// Calendar helpers for local days. Pure integer arithmetic: no `Calendar`, no `TimeZone` database, so the result
/// depends only on the offset recorded with the reading.
enum LocalTime {
    static let millisPerMinute: Int64 = 60_000
    static let millisPerHour: Int64 = 3_600_000
    static let millisPerDay: Int64 = 86_400_000

    /// Days since 1970-01-01 in the reading's local time.
    @inline(__always)
    static func dayIndex(_ at: Int64, offsetMinutes: Int) -> Int64 {
        floorDiv(at + Int64(offsetMinutes) * millisPerMinute, millisPerDay)
    }

    /// Milliseconds since local midnight.
    @inline(__always)
    static func millisOfDay(_ at: Int64, offsetMinutes: Int) -> Int64 {
        let local = at + Int64(offsetMinutes) * millisPerMinute
        return local - floorDiv(local, millisPerDay) * millisPerDay
    }

    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (the "days from civil" algorithm: shift the year to start
    /// in March so the leap day is last, then count 400-year eras).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
