import Foundation
import Monitoring

// Benchmarks for the monitoring module (issue #9). Run with `swift run -c release --package-path Benchmarks monitoring-bench`.
// Input is generated deterministically (fixed-seed SplitMix64), so runs are comparable across machines and commits.

struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53) }
}

let day: Int64 = 86_400_000
let hour: Int64 = 3_600_000
let start: Int64 = 1_767_225_600_000  // 2026-01-01T00:00:00Z
let asOf = start + 365 * day - 1

/// A year of 4 readings a day: home BP morning and evening, a fasting glucose, and weight or steps on alternate days.
func yearOfReadings() -> [Reading] {
    var rng = SplitMix(state: 42)
    var out: [Reading] = []
    out.reserveCapacity(365 * 4)
    for d in 0..<365 {
        let base = start + Int64(d) * day
        let drift = 145 - Double(d) * 0.04
        out.append(Reading(kind: .bloodPressure, at: base + 7 * hour, value: drift + rng.uniform(-8, 8), value2: 88 + rng.uniform(-6, 6), source: .home, utcOffsetMinutes: 60))
        out.append(Reading(kind: .bloodPressure, at: base + 19 * hour, value: drift + rng.uniform(-8, 8), value2: 86 + rng.uniform(-6, 6), source: .home, utcOffsetMinutes: 60))
        out.append(Reading(kind: .glucose, at: base + 7 * hour + 1_800_000, value: rng.uniform(60, 180), source: .home, utcOffsetMinutes: 60))
        if d % 2 == 0 {
            out.append(Reading(kind: .weight, at: base + 8 * hour, value: 82 + rng.uniform(-1, 1), source: .home, utcOffsetMinutes: 60))
        } else {
            out.append(Reading(kind: .steps, at: base + 22 * hour, value: rng.uniform(2000, 12000).rounded(), source: .device, utcOffsetMinutes: 60))
        }
    }
    return out
}

/// 100,000 NDJSON lines in the documented reading shape, mixed kinds, ISO and epoch times.
func ndjson(lines: Int) -> Data {
    var rng = SplitMix(state: 7)
    var text = ""
    text.reserveCapacity(lines * 110)
    for i in 0..<lines {
        let at = start + Int64(i) * 300_000
        switch i % 4 {
        case 0:
            let minute = (i / 4) % 60
            text += #"{"kind":"blood-pressure","at":"2026-03-01T07:\#(minute < 10 ? "0" : "")\#(minute):00+01:00","systolic":\#(Int(rng.uniform(110, 160))),"diastolic":\#(Int(rng.uniform(65, 95))),"unit":"mmHg","source":"home","id":"r\#(i)"}"#
        case 1:
            text += #"{"kind":"glucose","at":\#(at),"value":\#(String(format: "%.1f", rng.uniform(4, 10))),"unit":"mmol/L","utcOffsetMinutes":60,"id":"r\#(i)"}"#
        case 2:
            text += #"{"kind":"weight","at":\#(at),"value":\#(String(format: "%.1f", rng.uniform(150, 200))),"unit":"lb","source":"device"}"#
        default:
            text += #"{"kind":"cgm-glucose","at":\#(at),"value":\#(Int(rng.uniform(60, 250))),"unit":"mg/dL","source":"device"}"#
        }
        text += "\n"
    }
    return Data(text.utf8)
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func time(_ runs: Int, _ body: () -> Int) -> (median: Double, sink: Int) {
    var sink = 0
    var samples: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<runs {
        let t = clock.now
        sink &+= body()
        let e = clock.now - t
        samples.append(Double(e.components.seconds) * 1e3 + Double(e.components.attoseconds) / 1e15)
    }
    return (median(samples), sink)
}

let readings = yearOfReadings()
let options = MonitoringOptions(goalStart: asOf - 20 * 7 * day, behaviourGoals: [BehaviourGoal(kind: .steps, dailyMinimum: 7000)])
let summary = time(50) { MonitoringSummary.compute(readings, asOf: asOf, options: options).alerts.count }

let lineCount = 100_000
let data = ndjson(lines: lineCount)
let validator = ReadingValidator(now: start + 400 * day)
let check = ReadingParser.parseNDJSON(data, validator: validator)
precondition(check.acceptedCount == lineCount, "benchmark input must be valid: \(check.rejections.prefix(3))")
let nd = time(20) { ReadingParser.parseNDJSON(data, validator: validator).acceptedCount }

if CommandLine.arguments.contains("--ndjson-only") {  // for profiling the parser alone
    print(String(format: "NDJSON parse+validate: %.3f ms", nd.median))
    exit(0)
}

// Alternative for comparison: JSONSerialization per line (parse only, no validation).
let lines = data.split(separator: 0x0A)
let js = time(5) {
    var n = 0
    for line in lines where (try? JSONSerialization.jsonObject(with: Data(line))) is [String: Any] { n += 1 }
    return n
}

// Alternative: JSONDecoder per line into a flat Decodable (parse only).
struct Line: Decodable {
    var kind: String
    var value: Double?, systolic: Double?, diastolic: Double?
    var unit: String?, source: String?, id: String?
}
let decoder = JSONDecoder()
let jd = time(5) {
    var n = 0
    for line in lines where (try? decoder.decode(Line.self, from: Data(line))) != nil { n += 1 }
    return n
}

func row(_ name: String, _ ms: Double, _ extra: String) {
    print(name.padding(toLength: 48, withPad: " ", startingAt: 0) + String(format: "%10.3f ms", ms) + "  " + extra)
}
print("MonitoringBench (release, median; \(readings.count) readings/year, \(lineCount) NDJSON lines, \(data.count / 1024) KiB)")
print(String(repeating: "-", count: 96))
row("MonitoringSummary.compute, 1 year (50 runs)", summary.median, "")
row("NDJSON parse+validate, 100k lines (20 runs)", nd.median, String(format: "%.2f M readings/s", Double(lineCount) / nd.median / 1e3))
row("  vs JSONSerialization per line, parse only (5)", js.median, String(format: "%.2f M lines/s", Double(lineCount) / js.median / 1e3))
row("  vs JSONDecoder per line, parse only (5)", jd.median, String(format: "%.2f M lines/s", Double(lineCount) / jd.median / 1e3))
print("(sink \(summary.sink &+ nd.sink &+ js.sink &+ jd.sink))")
