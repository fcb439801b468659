import CarePlan
import Foundation
import Knowledge

// `swift run -c release --package-path Benchmarks careplan-bench` times plan generation; `CarePlanBench --build-pack <src> <out>` rebuilds the
// careplan pack with the same recipe the CLI uses (tailor knowledge build careplan --source knowledge-src/careplan).
let args = CommandLine.arguments
if args.count == 4, args[1] == "--build-pack" {
    let manifest = try PackBuilder.build(Recipes.careplan, from: args[2], to: args[3])
    print("built \(manifest.name) \(manifest.version): \(manifest.files.count) files")
    exit(0)
}

func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }
func time(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var ts: [Double] = []
    for _ in 0..<runs {
        let t0 = DispatchTime.now().uptimeNanoseconds
        try body()
        ts.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
    }
    return median(ts)
}

let loadMs = try time(20) { _ = try CarePlanKnowledge.load() }
let engine = CarePlanEngine(knowledge: try CarePlanKnowledge.load())
let asOf = PlanDate(year: 2026, month: 12, day: 6)
let a = CarePlanInput(
    age: 52, sex: .female, bp: BPSummary(meanSBP: 136, meanDBP: 84, source: .clinic, readingCount: 24, sufficient: true),
    risk: RiskScores(prevent10yTotalCVD: 3.3),
    factors: PatientFactors(dietPattern: .typical, sodiumMgPerDay: 4000, activityMinPerWeek: 40, stepsPerDay: 3000, alcoholDrinksPerDay: 0, sleepHours: 7, bmi: 33, pss10: 12),
    preferences: Preferences(domains: ["sodium": Ruler(importance: 9, confidence: 8), "weight": Ruler(importance: 8, confidence: 8), "aerobic": Ruler(importance: 7, confidence: 7), "dash": Ruler(importance: 5, confidence: 5)]),
    asOf: asOf)
let b = CarePlanInput(
    age: 49, sex: .male, bp: BPSummary(meanSBP: 134, meanDBP: 86, source: .clinic, readingCount: 24, sufficient: true),
    risk: RiskScores(prevent10yTotalCVD: 3.4),
    factors: PatientFactors(dietPattern: .dashLike, sodiumMgPerDay: 1400, activityMinPerWeek: 200, stepsPerDay: 10000, alcoholDrinksPerDay: 3, sleepHours: 5.5, bmi: 24, pss10: 29),
    asOf: asOf)
let c = CarePlanInput(
    age: 63, sex: .male, bp: BPSummary(meanSBP: 158, meanDBP: 96, source: .clinic, readingCount: 4, sufficient: true),
    conditions: Conditions(diabetes: .type2), allergies: ["lisinopril (angioedema)"], currentMedications: ["simvastatin 40 mg"],
    risk: RiskScores(prevent10yTotalCVD: 12.1), labs: Labs(a1c: 7.8, egfr: 70),
    factors: PatientFactors(dietPattern: .typical, sodiumMgPerDay: 3500, activityMinPerWeek: 60, alcoholDrinksPerDay: 1, sleepHours: 6, bmi: 31, weightKg: 98, pss10: 28),
    diabetes: DiabetesDetails(durationYears: 8, lifestyleOrMetforminOnly: true),
    pgx: [PGxInput(gene: "SLCO1B1", phenotype: "Poor Function", drug: "simvastatin", recommendation: "Prescribe an alternative statin depending on the desired potency (see Figure 1 of PMID: 35152405 for recommendations for alternative statins).", classification: "Strong", source: "CPIC", guidelineURL: "https://www.pharmgkb.org/guidelineAnnotation/PA166105005", alternativeRecommended: true, doseAdjustment: false)],
    asOf: asOf)
for (name, input) in [("patient A (stage 1, lifestyle)", a), ("patient B (stage 1, stress)", b), ("stage-2 T2D + PGx + allergy", c)] {
    for _ in 0..<10 { _ = try engine.plan(input) }
    let ms = try time(200) { _ = try engine.plan(input) }
    print("plan \(name): median \(String(format: "%.3f", ms)) ms (200 runs)")
}
print("pack load (decode + SHA-256 verify of 8 files): median \(String(format: "%.2f", loadMs)) ms (20 runs)")
