// Times each clinical risk equation over many synthetic patients (issue #8 target: < 10 µs per patient each).
// Run: swift run -c release --package-path Benchmarks risk-bench [patients] [repeats]
// Prints the median, min and max over the repeats of the time per patient, for each equation.
import Foundation
import Risk

let patients = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 100_000 : 100_000
let repeats = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 7 : 7

/// A small deterministic generator, so every run times the same patients.
struct LCG {
    var state: UInt64
    mutating func next() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53)
    }
    mutating func between(_ low: Double, _ high: Double) -> Double { low + (high - low) * next() }
    mutating func coin() -> Bool { next() < 0.5 }
}

func time(_ name: String, _ body: () throws -> Int) rethrows {
    var perPatient: [Double] = []
    var sink = 0
    for _ in 0..<repeats {
        let start = ContinuousClock.now
        sink &+= try body()
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        perPatient.append(seconds / Double(patients) * 1e6)
    }
    perPatient.sort()
    print(
        "\(name): median \(String(format: "%.2f", perPatient[perPatient.count / 2])) µs per patient "
            + "(min \(String(format: "%.2f", perPatient.first!)), max \(String(format: "%.2f", perPatient.last!)); \(patients) patients × \(repeats) runs) [\(sink % 7)]"
    )
}

var rng = LCG(state: 42)
let prevent = try PreventEquations.bundled()
let pce = try PooledCohortEquations.bundled()
let qrisk = try QRisk3.bundled()
let gail = try BreastCancerRisk.bundled()

let preventInputs = (0..<patients).map { i in
    PreventInput(
        sex: rng.coin() ? .female : .male, age: rng.between(30, 79), totalCholesterol: rng.between(130, 320), hdl: rng.between(20, 100),
        systolicBP: rng.between(90, 180), onBPTreatment: rng.coin(), onStatin: rng.coin(), smoker: rng.coin(), diabetes: rng.coin(),
        egfr: rng.between(15, 140), bmi: rng.between(18.5, 39.9), uacr: i % 3 == 0 ? rng.between(1, 300) : nil,
        hba1c: i % 5 == 0 ? rng.between(4.5, 12) : nil)
}
let pceInputs = (0..<patients).map { _ in
    PooledCohortInput(
        sex: rng.coin() ? .female : .male, race: rng.coin() ? .white : .africanAmerican, age: rng.between(40, 79),
        totalCholesterol: rng.between(130, 320), hdl: rng.between(20, 100), systolicBP: rng.between(90, 200), onBPTreatment: rng.coin(),
        smoker: rng.coin(), diabetes: rng.coin())
}
let egfrInputs = (0..<patients).map { _ in
    KidneyFunctionInput(sex: rng.coin() ? .female : .male, age: rng.between(18, 90), creatinine: rng.between(0.4, 4))
}
let qriskInputs = (0..<patients).map { _ in
    QRisk3Input(
        sex: rng.coin() ? .female : .male, age: rng.between(25, 84), ethnicity: QRisk3Ethnicity(rawValue: 1 + Int(rng.next() * 9)),
        smoking: QRisk3Smoking(rawValue: Int(rng.next() * 5)), heightCm: rng.between(150, 195), weightKg: rng.between(50, 120),
        cholesterolHDLRatio: rng.between(2, 8), systolicBP: rng.between(100, 180), systolicBPSD: rng.between(0, 15),
        townsend: rng.between(-5, 8), treatedHypertension: rng.coin(), type2Diabetes: rng.coin(), familyHistoryCHD: rng.coin())
}
let gailInputs = (0..<patients).map { _ in
    BreastCancerRiskInput(
        age: rng.between(35, 80), race: BreastCancerRace(rawValue: 1 + Int(rng.next() * 11)), biopsies: Int(rng.next() * 3),
        atypicalHyperplasia: false, ageAtMenarche: rng.between(10, 16), ageAtFirstLiveBirth: nil, nulliparous: true,
        firstDegreeRelatives: Int(rng.next() * 3))
}

try time("PREVENT (10 results: 5 outcomes × 10/30 years)") { try preventInputs.reduce(0) { $0 + (try prevent.estimate($1).count) } }
try time("PCE 2013") { try pceInputs.reduce(0) { $0 + (try pce.estimate($1).value == nil ? 0 : 1) } }
try time("CKD-EPI 2021") { try egfrInputs.reduce(0) { $0 + (try KidneyFunction.ckdEpi2021($1).value == nil ? 0 : 1) } }
try time("QRISK3-2017") { try qriskInputs.reduce(0) { $0 + (try qrisk.evaluate($1).value == nil ? 0 : 1) } }
try time("BCRAT (Gail): 5-year, lifetime and average-woman risks") { try gailInputs.reduce(0) { $0 + (try gail.assess($1).results.count) } }
