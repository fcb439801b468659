import Foundation
import Testing
@testable import Monitoring

@Suite struct BatchParserTests {
    static let validator = ReadingValidator(now: T.ms(2026, 3, 10, 12))

    @Test func mixedBatch() throws {
        let body = """
        {"readings":[
          {"kind":"blood-pressure","at":"2026-03-01T07:05:00+01:00","systolic":135,"diastolic":85,"unit":"mmHg","source":"home","id":"abc"},
          {"kind":"glucose","at":1772348700000,"value":6.1,"unit":"mmol/L","utcOffsetMinutes":60},
          {"kind":"weight","at":"2026-03-01T07:10:00+01:00","value":"heavy","unit":"kg","id":"w1"},
          {"kind":"blood-pressure","at":"2026-03-01T07:06:00+01:00","systolic":135,"unit":"mmHg","id":"bp2"},
          42,
          {"kind":"steps","at":"2026-03-01T23:00:00+01:00","value":8000,"extra":{"nested":[1,2]}}
        ]}
        """
        let result = try ReadingParser.parseBatch(Data(body.utf8), validator: Self.validator)
        #expect(result.accepted.count == 3)
        let bp = try #require(result.accepted.first)
        #expect(bp.kind == .bloodPressure && bp.value == 135 && bp.value2 == 85 && bp.externalID == "abc")
        #expect(bp.at == T.ms(2026, 3, 1, 6, 5) && bp.utcOffsetMinutes == 60)
        #expect(abs(result.accepted[1].value - 109.8976) < 1e-9)
        #expect(result.accepted[1].utcOffsetMinutes == 60)
        #expect(result.rejections.map(\.field) == ["readings[2].value", "readings[3].diastolic", "readings[4]"])
        #expect(result.rejections[0].reason == "expected a number, found a string")
        #expect(result.rejections[0].externalID == "w1")
        #expect(result.receivedCount == 6)
        #expect(result.rejectedCount == 3)
    }

    @Test(arguments: ["", "[1,2]", "{\"readings\":5}", "{\"nope\":[]}", "{\"readings\":[ {\"kind\":1 ]}"])
    func unreadableBodiesThrow(body: String) {
        #expect(throws: ReadingParseError.self) { try ReadingParser.parseBatch(Data(body.utf8), validator: Self.validator) }
    }

    @Test func resultEncodesCounts() throws {
        let result = try ReadingParser.parseBatch(Data(#"{"readings":[{"kind":"steps","at":0,"value":1}]}"#.utf8), validator: Self.validator)
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(result)) as? [String: Any])
        #expect(json["acceptedCount"] as? Int == 1)
    }
}

@Suite struct NDJSONTests {
    static let validator = BatchParserTests.validator

    @Test func lineNumbersBlankAndGarbage() {
        let text = """
        {"kind":"blood-pressure","at":"2026-03-01T07:05:00+01:00","systolic":135,"diastolic":85}

        this is not json
        {"kind":"glucose","at":"2026-03-01T07:05:00Z","value":95,"unit":"mg/dL"}\r
        {"kind":"glucose","at":"2026-03-01T07:05:00Z","value":95,"unit":"mg/dL"
        {"kind":"weight","at":"2026-03-01T07:05:00Z","value":80,"unit":"kg"} trailing
           \t
        {"kind":"weight","at":"2026-03-01T07:05:00Z","val\u{0}ue":80,"unit":"kg"}
        {"kind":"heart-rate","at":"2026-03-01T07:05:00Z","value":1000}
        {"kind":"sleep","at":"2026-03-01T07:05:00Z","value":7.5,"unit":"h"}
        """
        let result = ReadingParser.parseNDJSON(Data(text.utf8), validator: Self.validator)
        #expect(result.accepted.map(\.kind) == [.bloodPressure, .glucose, .sleep])
        #expect(result.rejections.map(\.index) == [3, 5, 6, 8, 9])
        #expect(result.rejections.map(\.field) == ["$", "$", "$", "$", "value"])
        #expect(result.rejections[1].reason.contains("unexpected end of input"))
        #expect(result.rejections[2].reason.contains("unexpected text after the value"))
        #expect(result.rejections[3].reason.contains("control character byte 0x00"))
        #expect(result.skippedCount == 2)
        #expect(result.receivedCount == 8)
        #expect(result.rejectedCount == 5)
    }

    @Test func emptyInputAndTrailingNewline() {
        #expect(ReadingParser.parseNDJSON(Data(), validator: Self.validator).receivedCount == 0)
        let one = ReadingParser.parseNDJSON(Data("{\"kind\":\"steps\",\"at\":0,\"value\":5}\n".utf8), validator: Self.validator)
        #expect(one.acceptedCount == 1)
        #expect(one.skippedCount == 0)
    }

    /// Robustness: mutated and random lines never crash, and every non-blank line ends up accepted or rejected
    /// exactly once (received = accepted + rejected = non-blank lines).
    @Test(arguments: 0..<4)
    func fuzz(seed: UInt64) {
        var rng = SplitMix(state: seed &+ 0x9E37_79B9)
        let template = Array(#"{"kind":"blood-pressure","at":"2026-03-01T07:05:00+01:00","systolic":135.5,"diastolic":85,"unit":"mmHg","id":"x\u00e9\n"}"#.utf8)
        var bytes: [UInt8] = []
        for _ in 0..<2000 {
            var line = template
            switch rng.next() % 4 {
            case 0: break
            case 1:  // flip a few bytes
                for _ in 0..<(1 + rng.next() % 4) { line[Int(rng.next() % UInt64(line.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            case 2: line = Array(line.prefix(Int(rng.next() % UInt64(line.count))))  // truncate
            default: line = (0..<(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }  // garbage
            }
            bytes += line
            bytes.append(0x0A)
        }
        bytes += Array(String(repeating: "[", count: 10_000).utf8)  // deep nesting must not blow the stack
        let result = ReadingParser.parseNDJSON(Data(bytes), validator: Self.validator)
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }  // text after the final newline
        let nonBlank = lines.filter { line in !line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }.count
        #expect(result.receivedCount == nonBlank)
        #expect(result.acceptedCount + result.rejectedCount == nonBlank)
        #expect(result.acceptedCount > 0)
        #expect(Set(result.rejections.map(\.index)).count == result.rejectedCount)
        // The byte-level fast path reads exactly like the general JSON tree.
        #expect(result == ReadingParser.parseNDJSON(Data(bytes), validator: Self.validator, fastPath: false))
    }

    @Test func fastPathEdgeCases() {
        let text = """
        {"k\\u0069nd":"steps","at":0,"value":1,"":2,"kind":"weight"}
        {"kind":"steps","at":0,"value":1,"id":null,"value":"dup ignored"}
        {"kind":"steps","at":0,"value":"x","id":7}
        [1]
        {"kind":"steps","at":0,"value":1,"x":{"deep":[{"a":null}]}}
        {"ké":1,"kind":"steps","at":0,"value":2}
        {"kind":"steps","at":0,"value":3}  \t
        """
        let fast = ReadingParser.parseNDJSON(Data(text.utf8), validator: Self.validator)
        let tree = ReadingParser.parseNDJSON(Data(text.utf8), validator: Self.validator, fastPath: false)
        #expect(fast == tree)
        #expect(fast.accepted.map(\.value) == [1, 1, 1, 2, 3])
        #expect(fast.rejections.map(\.description) == ["#3 value: expected a number, found a string", "#4 $: expected a reading object, found an array"])
        #expect(fast.rejections.first?.externalID == "7")
    }

    @Test func jsonReaderAgreesWithFoundationOnNumbersAndEscapes() throws {
        let text = #"{"a":[0,-0.5,1e3,12345678901234567890,0.1,3.14159,-7E-2],"s":"\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#
        let mine = try JSONReader.parse(Data(text.utf8))
        let theirs = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let numbers = (mine["a"]?.arrayValue ?? []).compactMap { $0.numberValue }
        #expect(numbers == (theirs["a"] as? [NSNumber])?.map(\.doubleValue))
        #expect(mine["s"]?.stringValue == theirs["s"] as? String)
        for bad in ["01", "1.", "-", "[1,]", "{\"a\" 1}", "\"\\x\"", "\"\\ud800\"", "tru", "nul"] {
            #expect(throws: JSONSyntaxError.self, "\(bad)") { try JSONReader.parse(Data(bad.utf8)) }
        }
    }
}

/// Small deterministic PRNG for tests and the benchmark (SplitMix64).
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct FHIRTests {
    static let validator = BatchParserTests.validator

    /// Modelled on the Synthea vital-signs BP Observation: panel 55284-4, DBP component first.
    static let bpObservation = """
    {"resourceType":"Observation","id":"bp-1","status":"final",
     "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
     "code":{"coding":[{"system":"http://loinc.org","code":"55284-4","display":"Blood Pressure"}]},
     "subject":{"reference":"urn:uuid:p1"},
     "effectiveDateTime":"2026-02-27T05:28:45+00:00",
     "component":[
       {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":83.1,"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
       {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":124.2,"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}
     ]}
    """

    @Test func bloodPressureComponents() throws {
        let result = try ReadingParser.parseFHIR(Data(Self.bpObservation.utf8), validator: Self.validator)
        let r = try #require(result.accepted.first)
        #expect(r.kind == .bloodPressure)
        #expect(r.value == 124.2 && r.value2 == 83.1)
        #expect(r.externalID == "bp-1")
        #expect(r.source == .clinic)
        #expect(r.at == T.ms(2026, 2, 27, 5, 28) + 45_000)
        #expect(result.rejections.isEmpty)
    }

    @Test func bundleWithMixedCodes() throws {
        func entry(_ resource: String) -> String { #"{"fullUrl":"urn:x","resource":\#(resource)}"# }
        let weight = #"{"resourceType":"Observation","id":"w","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},"effectiveDateTime":"2026-03-01T08:00:00+01:00","valueQuantity":{"value":176.4,"unit":"lb","system":"http://unitsofmeasure.org","code":"[lb_av]"}}"#
        let cholesterol = #"{"resourceType":"Observation","id":"tc","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2093-3"}]},"effectiveDateTime":"2026-03-01T08:00:00Z","valueQuantity":{"value":190,"unit":"mg/dL"}}"#
        let cgm = #"{"resourceType":"Observation","id":"cgm","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"99504-3"}]},"effectivePeriod":{"start":"2026-03-01T08:00:00Z"},"valueQuantity":{"value":6.7,"unit":"mmol/l","code":"mmol/L"}}"#
        let retracted = #"{"resourceType":"Observation","id":"hr","status":"entered-in-error","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"effectiveDateTime":"2026-03-01T08:00:00Z","valueQuantity":{"value":70,"code":"/min"}}"#
        let noDiastolic = #"{"resourceType":"Observation","id":"bp2","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},"effectiveDateTime":"2026-03-01T08:00:00Z","component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120,"code":"mm[Hg]"}}]}"#
        let badGlucose = #"{"resourceType":"Observation","id":"g","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"2339-0"}]},"effectiveDateTime":"2026-03-01T08:00:00Z","valueQuantity":{"value":2000,"code":"mg/dL"}}"#
        let patient = #"{"resourceType":"Patient","id":"p"}"#
        let entries = [patient, Self.bpObservation, weight, cholesterol, cgm, retracted, noDiastolic, badGlucose].map(entry)
        let bundle = #"{"resourceType":"Bundle","type":"collection","entry":[\#(entries.joined(separator: ","))]}"#
        let result = try ReadingParser.parseFHIR(Data(bundle.utf8), validator: Self.validator)
        #expect(result.accepted.map(\.externalID) == ["bp-1", "w", "cgm"])
        #expect(abs(result.accepted[1].value - 176.4 * 0.45359237) < 1e-9)
        #expect(result.accepted[2].kind == .cgmGlucose && result.accepted[2].source == .device)
        #expect(abs(result.accepted[2].value - 6.7 * 18.016) < 1e-9)
        #expect(result.skippedCount == 1)
        let byIndex = Dictionary(grouping: result.rejections, by: \.index)
        #expect(byIndex[3]?.first?.reason == "code 2093-3 is not a monitoring reading Tailor tracks")
        #expect(byIndex[3]?.first?.field == "entry[3].resource.code")
        #expect(byIndex[5]?.first?.field == "entry[5].resource.status")
        #expect(byIndex[6]?.first?.reason.contains("diastolic (8462-4)") == true)
        #expect(byIndex[7]?.first?.field == "entry[7].resource.valueQuantity.value")
        #expect(result.rejectedCount == 4)
    }

    @Test func notFHIRThrows() {
        #expect(throws: ReadingParseError.self) { try ReadingParser.parseFHIR(Data(#"{"resourceType":"Patient"}"#.utf8), validator: Self.validator) }
        #expect(throws: ReadingParseError.self) { try ReadingParser.parseFHIR(Data("{".utf8), validator: Self.validator) }
    }
}
