public import Foundation

/// A body that cannot be read at all (as opposed to individual bad readings, which become rejections).
public struct ReadingParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which input format was being read ("batch JSON", "FHIR").
    public var format: String
    /// JSON path or position of the problem.
    public var location: String
    public var reason: String
    public var description: String { "\(format) \(location): \(reason)" }
}

/// Parsers for the three upload formats. Each turns its input into `RawReading`s and hands them to a
/// `ReadingValidator`; structural problems of one reading become rejections of that reading only.
///
/// ## Reading object (batch `readings[]` element and NDJSON line)
///
/// | field | type | meaning |
/// |---|---|---|
/// | `kind` | string | a `ReadingKind` raw value: `blood-pressure`, `heart-rate`, `glucose`, `cgm-glucose`, `weight`, `steps`, `sleep` |
/// | `at` | string or number | ISO 8601 date-time with offset (`2026-03-01T07:05:00+01:00`), or epoch milliseconds |
/// | `value` | number | the measurement, for every kind except blood pressure |
/// | `systolic`, `diastolic` | number | blood pressure (mmHg) |
/// | `unit` | string | see `MonitoringUnits`; optional for blood pressure, heart rate and steps |
/// | `source` | string | `home` (default), `clinic`, `device`, `ambulatory` |
/// | `id` | string | the client's id, echoed as `externalID` |
/// | `utcOffsetMinutes` | integer | the local offset, when `at` is epoch ms (an ISO `at` carries its own) |
///
/// Unknown members are ignored so clients can send extra metadata.
public enum ReadingParser {
    // MARK: Batch JSON

    /// Parses `{"readings":[…]}`. Throws only when the body is not such an object; bad elements become rejections
    /// with `index` = array position and `field` = `readings[i].member`.
    public static func parseBatch(_ data: Data, validator: ReadingValidator) throws(ReadingParseError) -> ValidationResult {
        let root: JSONValue
        do {
            root = try JSONReader.parse(data)
        } catch {
            throw ReadingParseError(format: "batch JSON", location: "column \(error.column)", reason: error.message)
        }
        guard case .object = root else {
            throw ReadingParseError(format: "batch JSON", location: "$", reason: "expected an object {\"readings\": [...]}, found \(root.typeName)")
        }
        guard let list = root["readings"] else {
            throw ReadingParseError(format: "batch JSON", location: "readings", reason: "missing \"readings\" array")
        }
        guard let elements = list.arrayValue else {
            throw ReadingParseError(format: "batch JSON", location: "readings", reason: "expected an array, found \(list.typeName)")
        }
        var raws: [RawReading] = []
        raws.reserveCapacity(elements.count)
        var problems: [ReadingRejection] = []
        for (i, element) in elements.enumerated() {
            if let raw = rawReading(from: element, index: i, path: "readings[\(i)]", problems: &problems) {
                raws.append(raw)
            }
        }
        return validator.validate(raws, extraRejections: problems)
    }

    // MARK: NDJSON

    /// Parses newline-delimited reading objects. Never throws: every line stands alone, a bad line becomes a rejection
    /// with `index` = its 1-based line number (and `field` `$` for a line that is not a JSON object). Blank lines
    /// (and a trailing `\r`) are ignored and counted as skipped.
    public static func parseNDJSON(_ data: Data, validator: ReadingValidator) -> ValidationResult {
        parseNDJSON(data, validator: validator, fastPath: true)
    }

    /// `fastPath: false` reads lines through the general JSON tree (kept to check the fast path against).
    static func parseNDJSON(_ data: Data, validator: ReadingValidator, fastPath: Bool) -> ValidationResult {
        var raws: [RawReading] = []
        var problems: [ReadingRejection] = []
        var blank = 0
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            let count = bytes.count
            raws.reserveCapacity(count / 80)
            var lineStart = 0
            var lineNumber = 0
            while lineStart <= count {
                lineNumber += 1
                var lineEnd = lineStart
                while lineEnd < count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
                if lineEnd == count && lineStart == count { break }  // no text after the final newline
                var contentEnd = lineEnd
                if contentEnd > lineStart, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                var firstNonBlank = lineStart
                while firstNonBlank < contentEnd, bytes[firstNonBlank] == 0x20 || bytes[firstNonBlank] == 0x09 { firstNonBlank += 1 }
                if firstNonBlank == contentEnd {
                    blank += 1
                } else {
                    do throws(JSONSyntaxError) {
                        let raw: RawReading?
                        if fastPath {
                            raw = try rawReadingFast(bytes, start: lineStart, end: contentEnd, index: lineNumber, problems: &problems)
                        } else {
                            let value = try JSONReader.parse(bytes, start: lineStart, end: contentEnd)
                            raw = rawReading(from: value, index: lineNumber, path: "", problems: &problems)
                        }
                        if let raw { raws.append(raw) }
                    } catch {
                        problems.append(ReadingRejection(index: lineNumber, field: "$", reason: error.description))
                    }
                }
                lineStart = lineEnd + 1
            }
        }
        return validator.validate(raws, extraRejections: problems, skipped: blank)
    }

    /// Reads the flat reading object. Type mismatches (a string where a number belongs) become rejections naming the
    /// member; returns nil when the element is unusable.
    static func rawReading(from value: JSONValue, index: Int, path: String, problems: inout [ReadingRejection]) -> RawReading? {
        guard case let .object(members) = value else {
            problems.append(ReadingRejection(index: index, field: path.isEmpty ? "$" : path,
                                             reason: "expected a reading object, found \(value.typeName)"))
            return nil
        }
        var builder = RawReadingBuilder(index: index, path: path)
        for (key, v) in members {
            if let field = RawReading.Field(rawValue: key) { builder.apply(field, v) }
        }
        return builder.finish(problems: &problems)
    }

    /// The NDJSON fast path: reads one line's object straight into a `RawReading`, matching member names as bytes
    /// (no key strings, no member array). Produces exactly what `JSONReader.parse` + `rawReading(from:)` would — the
    /// fuzz test checks both paths agree — and falls back to them for anything that is not an object.
    static func rawReadingFast(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int, index: Int,
                               problems: inout [ReadingRejection]) throws(JSONSyntaxError) -> RawReading? {
        var builder = RawReadingBuilder(index: index, path: "")
        let isObject = try JSONReader.parseObjectMembers(bytes, start: start, end: end) { key, value in
            if let field = knownField(key) { builder.apply(field, value) }
        }
        guard isObject else {
            return rawReading(from: try JSONReader.parse(bytes, start: start, end: end), index: index, path: "", problems: &problems)
        }
        return builder.finish(problems: &problems)
    }

    @inline(__always)
    private static func knownField(_ key: UnsafeRawBufferPointer) -> RawReading.Field? {
        @inline(__always) func eq(_ name: StaticString) -> Bool {
            name.utf8CodeUnitCount == key.count && memcmp(key.baseAddress!, name.utf8Start, key.count) == 0
        }
        guard key.count > 0 else { return nil }
        switch key.count {
        case 2: return eq("id") ? .id : eq("at") ? .at : nil
        case 4: return eq("kind") ? .kind : eq("unit") ? .unit : nil
        case 5: return eq("value") ? .value : nil
        case 6: return eq("source") ? .source : nil
        case 8: return eq("systolic") ? .systolic : nil
        case 9: return eq("diastolic") ? .diastolic : nil
        case 16: return eq("utcOffsetMinutes") ? .utcOffsetMinutes : nil
        default: return nil
        }
    }

    // MARK: FHIR R4

    /// LOINC codes read from FHIR Observations, beyond `ReadingKind.loinc`.
    ///
    /// - 55284-4 "Blood pressure systolic and diastolic": the BP panel Synthea writes (brief §2.9 notes Synthea stores
    ///   SBP/DBP as components); read like 85354-9.
    /// - 105272-9 "Glucose [Moles/volume] in Interstitial fluid": the HL7 CGM IG's molar sensor-reading example
    ///   (`Observation-cgmSensorReadingMolesPerVolumeExample`); read as CGM glucose, converted from mmol/L.
    static let fhirCodeKinds: [String: ReadingKind] = {
        var map: [String: ReadingKind] = [:]
        for kind in ReadingKind.allCases { map[kind.loinc] = kind }
        map["55284-4"] = .bloodPressure
        map["105272-9"] = .cgmGlucose
        return map
    }()

    /// Observation statuses that do not describe a valid measurement.
    static let refusedStatuses: Set<String> = ["entered-in-error", "cancelled", "registered"]

    /// Parses a FHIR R4 Observation or a Bundle of them. Bundle entries that are not Observations are skipped
    /// (counted in `skippedCount`); Observations with a code Tailor does not track are rejected, naming the code.
    ///
    /// `index` is the Bundle entry position (0 for a lone Observation). `source` is `device` when the Observation
    /// references a `device` or carries a CGM code, otherwise `defaultSource` (Synthea-style EHR exports are clinic
    /// measurements).
    public static func parseFHIR(_ data: Data, validator: ReadingValidator,
                                 defaultSource: ReadingSource = .clinic) throws(ReadingParseError) -> ValidationResult {
        let root: JSONValue
        do {
            root = try JSONReader.parse(data)
        } catch {
            throw ReadingParseError(format: "FHIR", location: "column \(error.column)", reason: error.message)
        }
        guard let type = root["resourceType"]?.stringValue else {
            throw ReadingParseError(format: "FHIR", location: "resourceType", reason: "missing resourceType; expected Observation or Bundle")
        }
        var raws: [RawReading] = []
        var problems: [ReadingRejection] = []
        var skipped = 0
        switch type {
        case "Observation":
            if let raw = observation(root, index: 0, path: "$", defaultSource: defaultSource, problems: &problems) { raws.append(raw) }
        case "Bundle":
            let entries = root["entry"]?.arrayValue ?? []
            for (i, entry) in entries.enumerated() {
                let path = "entry[\(i)].resource"
                guard let resource = entry["resource"], resource["resourceType"]?.stringValue == "Observation" else {
                    skipped += 1
                    continue
                }
                if let raw = observation(resource, index: i, path: path, defaultSource: defaultSource, problems: &problems) {
                    raws.append(raw)
                }
            }
        default:
            throw ReadingParseError(format: "FHIR", location: "resourceType", reason: "\(type) is not an Observation or a Bundle")
        }
        return validator.validate(raws, extraRejections: problems, skipped: skipped)
    }

    /// The LOINC codes in a CodeableConcept (codings with system http://loinc.org, or without a system).
    private static func loincCodes(_ concept: JSONValue?) -> [String] {
        (concept?["coding"]?.arrayValue ?? []).compactMap { coding in
            let system = coding["system"]?.stringValue
            guard system == nil || system == "http://loinc.org" else { return nil }
            return coding["code"]?.stringValue
        }
    }

    private static func observation(_ obs: JSONValue, index: Int, path: String, defaultSource: ReadingSource,
                                     problems: inout [ReadingRejection]) -> RawReading? {
        let id = obs["id"]?.stringValue
        func reject(_ field: String, _ reason: String) {
            problems.append(ReadingRejection(index: index, field: "\(path).\(field)", reason: reason, externalID: id))
        }
        let codes = loincCodes(obs["code"])
        guard let code = codes.first(where: { fhirCodeKinds[$0] != nil }), let kind = fhirCodeKinds[code] else {
            let shown = codes.first ?? "(none)"
            reject("code", "code \(shown) is not a monitoring reading Tailor tracks")
            return nil
        }
        if let status = obs["status"]?.stringValue, refusedStatuses.contains(status) {
            reject("status", "status \(status) does not describe a valid measurement")
            return nil
        }
        var raw = RawReading(index: index, path: path, kind: kind.rawValue, externalID: id)
        raw.pathOverrides[.kind] = "\(path).code"
        if let t = obs["effectiveDateTime"]?.stringValue {
            raw.at = .text(t)
            raw.pathOverrides[.at] = "\(path).effectiveDateTime"
        } else if let t = obs["effectivePeriod"]?["start"]?.stringValue {
            raw.at = .text(t)
            raw.pathOverrides[.at] = "\(path).effectivePeriod.start"
        } else if let t = obs["effectiveInstant"]?.stringValue {
            raw.at = .text(t)
            raw.pathOverrides[.at] = "\(path).effectiveInstant"
        } else {
            raw.pathOverrides[.at] = "\(path).effectiveDateTime"
        }
        raw.source = (obs["device"] != nil || kind == .cgmGlucose ? ReadingSource.device : defaultSource).rawValue

        if kind == .bloodPressure {
            let components = obs["component"]?.arrayValue ?? []
            var foundSBP = false, foundDBP = false
            for (ci, component) in components.enumerated() {
                let componentCodes = loincCodes(component["code"])
                let isSBP = componentCodes.contains(ReadingKind.systolicLOINC)
                let isDBP = componentCodes.contains(ReadingKind.diastolicLOINC)
                guard isSBP || isDBP else { continue }
                let cpath = "\(path).component[\(ci)].valueQuantity"
                guard let quantity = component["valueQuantity"], let v = quantity["value"]?.numberValue else {
                    reject("component[\(ci)].valueQuantity.value", "missing numeric value")
                    return nil
                }
                let unit = quantity["code"]?.stringValue ?? quantity["unit"]?.stringValue
                if isSBP {
                    foundSBP = true
                    raw.systolic = v
                    raw.unit = unit
                    raw.pathOverrides[.systolic] = "\(cpath).value"
                    raw.pathOverrides[.unit] = "\(cpath).code"
                } else {
                    foundDBP = true
                    raw.diastolic = v
                    raw.diastolicUnit = unit
                    raw.pathOverrides[.diastolic] = "\(cpath).value"
                }
            }
            if !foundSBP { reject("component", "blood pressure without a systolic (\(ReadingKind.systolicLOINC)) component") }
            if !foundDBP { reject("component", "blood pressure without a diastolic (\(ReadingKind.diastolicLOINC)) component") }
            if !foundSBP || !foundDBP { return nil }
        } else {
            guard let quantity = obs["valueQuantity"] else {
                reject("valueQuantity", "missing valueQuantity")
                return nil
            }
            guard let v = quantity["value"]?.numberValue else {
                reject("valueQuantity.value", "missing numeric value")
                return nil
            }
            raw.value = v
            raw.unit = quantity["code"]?.stringValue ?? quantity["unit"]?.stringValue
            raw.pathOverrides[.value] = "\(path).valueQuantity.value"
            raw.pathOverrides[.unit] = "\(path).valueQuantity.code"
        }
        return raw
    }
}

/// Fills a `RawReading` member by member, shared by the tree and the fast NDJSON path so both read the same way.
/// For a repeated member the first occurrence wins; `null` counts as absent. Type errors are collected and stamped
/// with the reading's `id` once the whole object has been read.
struct RawReadingBuilder {
    var raw: RawReading
    /// Members already read, one bit per `RawReading.Field` (a `Set` here cost more than the rest of the line).
    var seen: UInt16 = 0
    var typeErrors: [(RawReading.Field, String)] = []

    init(index: Int, path: String) { raw = RawReading(index: index, path: path) }

    mutating func apply(_ field: RawReading.Field, _ v: JSONValue) {
        if case .null = v { return }
        let bit: UInt16 = 1 << UInt16(field.ordinal)
        guard seen & bit == 0 else { return }
        seen |= bit
        func typeError(_ expected: String) { typeErrors.append((field, "expected \(expected), found \(v.typeName)")) }
        switch field {
        case .id:
            switch v {
            case let .string(s): raw.externalID = s
            case let .number(n) where n.rounded() == n && abs(n) < 1e15: raw.externalID = String(Int64(n))
            default: typeError("a string")
            }
        case .kind:
            if case let .string(s) = v { raw.kind = s } else { typeError("a string") }
        case .at:
            switch v {
            case let .string(s): raw.at = .text(s)
            case let .number(n): raw.at = .epochMillis(n)
            default: typeError("an ISO 8601 string or epoch milliseconds")
            }
        case .value:
            if case let .number(n) = v { raw.value = n } else { typeError("a number") }
        case .systolic:
            if case let .number(n) = v { raw.systolic = n } else { typeError("a number") }
        case .diastolic:
            if case let .number(n) = v { raw.diastolic = n } else { typeError("a number") }
        case .unit:
            if case let .string(s) = v { raw.unit = s } else { typeError("a string") }
        case .source:
            if case let .string(s) = v { raw.source = s } else { typeError("a string") }
        case .utcOffsetMinutes:
            if case let .number(n) = v, n.rounded() == n, abs(n) < 100_000 { raw.utcOffsetMinutes = Int(n) } else { typeError("whole minutes") }
        }
    }

    /// The reading, or nil after appending its type errors to `problems`.
    func finish(problems: inout [ReadingRejection]) -> RawReading? {
        guard !typeErrors.isEmpty else { return raw }
        for (field, reason) in typeErrors {
            problems.append(ReadingRejection(index: raw.index, field: raw.path(of: field), reason: reason, externalID: raw.externalID))
        }
        return nil
    }
}
