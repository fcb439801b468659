import CarePlan
import Foundation
import Knowledge
import Testing

let knowledge: CarePlanKnowledge = try! CarePlanKnowledge.load()
let engine = CarePlanEngine(knowledge: knowledge)
let asOf = PlanDate(year: 2026, month: 12, day: 6)

/// The brief (§2.6) calls both example patients stage 1. That holds on office thresholds; on the home thresholds of
/// §2.3 (office 140/90 ≈ home 135/85) home 136/84 and 134/86 would be stage 2. The example is therefore run with the
/// readings classified as office values (`source: .clinic`); `homeReadingsOfTheExample` pins the home behaviour.
/// Brief §2.6 Patient A: 52 y F, home 136/84, BMI 33, ~3,000 steps/d, sodium ~4 g/d, PSS-10 12, sleep 7 h, PREVENT 3.3%.
/// Fixture assumptions (not in the brief): activity 40 min/wk, typical diet, no alcohol, the rulers below.
func patientA(_ guideline: GuidelineVersion = .ahaAcc2025) -> CarePlanInput {
    CarePlanInput(
        age: 52, sex: .female, bp: BPSummary(meanSBP: 136, meanDBP: 84, source: .clinic, readingCount: 24, sufficient: true),
        risk: RiskScores(prevent10yTotalCVD: 3.3, pce10yASCVD: 2.5),
        factors: PatientFactors(
            dietPattern: .typical, sodiumMgPerDay: 4000, activityMinPerWeek: 40, stepsPerDay: 3000, alcoholDrinksPerDay: 0, sleepHours: 7, bmi: 33, weightKg: 90,
            pss10: 12),
        preferences: Preferences(domains: [
            "sodium": Ruler(importance: 9, confidence: 8), "weight": Ruler(importance: 8, confidence: 8), "aerobic": Ruler(importance: 7, confidence: 7),
            "dash": Ruler(importance: 5, confidence: 5),
        ]), guideline: guideline, asOf: asOf)
}

/// Brief §2.6 Patient B: 49 y M, home 134/86, BMI 24, ~10,000 steps/d, DASH-like, PSS-10 29, sleep 5.5 h, 3 drinks/d, PREVENT 3.4%.
/// Fixture assumptions: activity 200 min/wk, sodium 1,400 mg/d, the rulers below.
func patientB() -> CarePlanInput {
    CarePlanInput(
        age: 49, sex: .male, bp: BPSummary(meanSBP: 134, meanDBP: 86, source: .clinic, readingCount: 24, sufficient: true),
        risk: RiskScores(prevent10yTotalCVD: 3.4),
        factors: PatientFactors(
            dietPattern: .dashLike, sodiumMgPerDay: 1400, activityMinPerWeek: 200, stepsPerDay: 10000, alcoholDrinksPerDay: 3, sleepHours: 5.5, bmi: 24, pss10: 29),
        preferences: Preferences(domains: ["alcohol": Ruler(importance: 8, confidence: 7), "stress": Ruler(importance: 7, confidence: 7)]), asOf: asOf)
}

func stage(_ sbp: Double, _ dbp: Double, _ g: GuidelineVersion, prevent: Double? = nil, pce: Double? = nil, conditions: Conditions = Conditions(), age: Int = 55)
    -> CarePlanInput
{
    CarePlanInput(
        age: age, sex: .male, bp: BPSummary(meanSBP: sbp, meanDBP: dbp, source: .clinic, readingCount: 4, sufficient: true), conditions: conditions,
        risk: RiskScores(prevent10yTotalCVD: prevent, pce10yASCVD: pce), guideline: g, asOf: asOf)
}

/// Real DPWG/CPIC wording, as in Tailor's pgx pack (derived/guidelines.json, PharmCAT reporter v2.12.0).
let slco1b1Poor = PGxInput(
    gene: "SLCO1B1", phenotype: "Poor Function", drug: "simvastatin",
    recommendation:
        "Prescribe an alternative statin depending on the desired potency (see Figure 1 of PMID: 35152405 for recommendations for alternative statins).",
    classification: "Strong", source: "CPIC", guidelineURL: "https://www.pharmgkb.org/guidelineAnnotation/PA166105005", alternativeRecommended: true,
    doseAdjustment: false)
let cyp2d6PoorMetoprolol = PGxInput(
    gene: "CYP2D6", phenotype: "Poor Metabolizer (activity score 0.0)", drug: "metoprolol",
    recommendation:
        "If a GRADUAL REDUCTION in HEART RATE is desired, or in the event of SYMPTOMATIC BRADYCARDIA: Use smaller steps in dose titration and/or prescribe no more than 25% of the standard dose. OTHER CASES: No action required.",
    classification: "N/A", source: "DPWG", guidelineURL: "https://www.pharmgkb.org/guidelineAnnotation/PA166104995", alternativeRecommended: false,
    doseAdjustment: true)

@Suite struct TwoPatientExample {
    @Test func patientAAndBGetDifferentFirstLinePlans() throws {
        let a = try engine.plan(patientA())
        let b = try engine.plan(patientB())
        #expect(a.hypertension?.category == "stage1")
        #expect(b.hypertension?.category == "stage1")
        #expect(a.hypertension?.drugIndicated == false)
        #expect(b.hypertension?.drugIndicated == false)
        #expect(a.hypertension?.reason.contains("PREVENT 10-yr total CVD risk 3.3% < 7.5%") == true)
        #expect(a.hypertension?.reason.contains("Lifestyle for 3-6 months, then reassess") == true)
        #expect(a.lifestyleRanking == ["lifestyle.sodium", "lifestyle.weight", "lifestyle.aerobic", "lifestyle.dash"])
        #expect(b.lifestyleRanking == ["lifestyle.alcohol", "stress.pathway", "lifestyle.sleep"])
        #expect(a.item("lifestyle.weight")?.detail.contains("lose 5 kg (from 90 to 85 kg)") == true)
        #expect(b.item("lifestyle.alcohol")?.why.contains("3 drinks/d > 2 for men") == true)
        #expect(b.item("stress.pathway")?.why.contains("PSS-10 29 ≥ 27") == true)
        #expect(b.item("lifestyle.sleep")?.expectedSBPReduction == nil)
        #expect(a.drugChoice == nil && b.drugChoice == nil)
        // Goals from the brief's example.
        #expect(a.goals.map(\.description).contains("Walk 30 min 5 d/wk (150 min/wk) by week 4"))
        #expect(a.goals.map(\.description).contains("Sodium <2,300 mg/d by week 6, then <1,500"))
        let bGoals = b.goals.map(\.description)
        #expect(bGoals.contains { $0.hasPrefix("Meditate 20 min twice daily 5 d/wk") })
        #expect(bGoals.contains { $0.hasPrefix("<=2 drinks/d, alcohol-free days >=3/wk") })
        #expect(bGoals.contains { $0.hasPrefix("In bed by 23:00, >=7 h sleep on 5/7 nights") })
        #expect(a.goals.first { $0.id == "goal-aerobic" }?.target.due == PlanDate(year: 2027, month: 1, day: 3))
    }

    @Test func homeReadingsOfTheExample() throws {
        for input in [patientA(), patientB()] {
            var home = input
            home.bp?.source = .home
            let plan = try engine.plan(home)
            #expect(plan.hypertension?.category == "stage2")
            #expect(plan.item("htn.category")?.notes.first?.contains("135/85") == true)
        }
    }

    @Test func everyItemCarriesRuleSourceAndWhy() throws {
        for input in [patientA(), patientB()] {
            for item in try engine.plan(input).items {
                #expect(!item.rule.isEmpty && !item.source.citation.isEmpty && !item.why.isEmpty, "\(item.id)")
            }
        }
    }
}

@Suite struct GuidelineTables {
    struct Case: Sendable, CustomTestStringConvertible {
        var sbp: Double, dbp: Double, g: GuidelineVersion, prevent: Double?, pce: Double?, conditions: Conditions
        var category: String, indicated: Bool?, classes: Int, reassess: String
        var testDescription: String { "\(Int(sbp))/\(Int(dbp)) \(g.rawValue) PREVENT \(prevent.map { "\($0)" } ?? "-") PCE \(pce.map { "\($0)" } ?? "-") → \(category)" }
    }
    static let cases: [Case] = [
        Case(sbp: 115, dbp: 75, g: .ahaAcc2025, prevent: 5, pce: nil, conditions: .init(), category: "normal", indicated: false, classes: 0, reassess: "1 year"),
        Case(sbp: 125, dbp: 75, g: .ahaAcc2025, prevent: 5, pce: nil, conditions: .init(), category: "elevated", indicated: false, classes: 0, reassess: "3-6 months"),
        Case(sbp: 125, dbp: 82, g: .ahaAcc2025, prevent: 5, pce: nil, conditions: .init(), category: "stage1", indicated: false, classes: 0, reassess: "3-6 months"),
        Case(sbp: 134, dbp: 70, g: .ahaAcc2025, prevent: 7.4, pce: nil, conditions: .init(), category: "stage1", indicated: false, classes: 0, reassess: "3-6 months"),
        Case(sbp: 134, dbp: 70, g: .ahaAcc2025, prevent: 7.5, pce: nil, conditions: .init(), category: "stage1", indicated: true, classes: 1, reassess: "1 month"),
        Case(sbp: 134, dbp: 70, g: .accAha2017, prevent: nil, pce: 9.9, conditions: .init(), category: "stage1", indicated: false, classes: 0, reassess: "3-6 months"),
        Case(sbp: 134, dbp: 70, g: .accAha2017, prevent: nil, pce: 10.0, conditions: .init(), category: "stage1", indicated: true, classes: 1, reassess: "1 month"),
        // The 2017 rule reads PCE, not PREVENT (and vice versa).
        Case(sbp: 134, dbp: 70, g: .accAha2017, prevent: 20, pce: 5, conditions: .init(), category: "stage1", indicated: false, classes: 0, reassess: "3-6 months"),
        Case(sbp: 134, dbp: 70, g: .ahaAcc2025, prevent: 3, pce: 20, conditions: .init(), category: "stage1", indicated: false, classes: 0, reassess: "3-6 months"),
        // Diabetes, CKD, ASCVD override a low score.
        Case(sbp: 134, dbp: 70, g: .ahaAcc2025, prevent: 2, pce: nil, conditions: .init(diabetes: .type2), category: "stage1", indicated: true, classes: 1, reassess: "1 month"),
        Case(sbp: 134, dbp: 70, g: .ahaAcc2025, prevent: 2, pce: nil, conditions: .init(ckd: true), category: "stage1", indicated: true, classes: 1, reassess: "1 month"),
        Case(sbp: 134, dbp: 70, g: .accAha2017, prevent: nil, pce: 2, conditions: .init(clinicalASCVD: true), category: "stage1", indicated: true, classes: 1, reassess: "1 month"),
        Case(sbp: 134, dbp: 70, g: .accAha2017, prevent: nil, pce: nil, conditions: .init(ckd: true), category: "stage1", indicated: true, classes: 1, reassess: "1 month"),
        // Missing score: not silently low risk.
        Case(sbp: 134, dbp: 70, g: .ahaAcc2025, prevent: nil, pce: 30, conditions: .init(), category: "stage1", indicated: nil, classes: 0, reassess: "3-6 months"),
        // Stage 2: 2025 two drugs; 2017 two only if >20/10 above target.
        Case(sbp: 142, dbp: 85, g: .ahaAcc2025, prevent: 3, pce: nil, conditions: .init(), category: "stage2", indicated: true, classes: 2, reassess: "1 month"),
        Case(sbp: 120, dbp: 91, g: .ahaAcc2025, prevent: 3, pce: nil, conditions: .init(), category: "stage2", indicated: true, classes: 2, reassess: "1 month"),
        Case(sbp: 145, dbp: 85, g: .accAha2017, prevent: nil, pce: 3, conditions: .init(), category: "stage2", indicated: true, classes: 1, reassess: "1 month"),
        Case(sbp: 150, dbp: 90, g: .accAha2017, prevent: nil, pce: 3, conditions: .init(), category: "stage2", indicated: true, classes: 1, reassess: "1 month"),
        Case(sbp: 151, dbp: 85, g: .accAha2017, prevent: nil, pce: 3, conditions: .init(), category: "stage2", indicated: true, classes: 2, reassess: "1 month"),
        Case(sbp: 145, dbp: 91, g: .accAha2017, prevent: nil, pce: 3, conditions: .init(), category: "stage2", indicated: true, classes: 2, reassess: "1 month"),
        Case(sbp: 185, dbp: 100, g: .ahaAcc2025, prevent: 3, pce: nil, conditions: .init(), category: "severe", indicated: true, classes: 2, reassess: "now"),
    ]

    @Test(arguments: cases) func decision(_ c: Case) throws {
        let plan = try engine.plan(stage(c.sbp, c.dbp, c.g, prevent: c.prevent, pce: c.pce, conditions: c.conditions))
        let h = try #require(plan.hypertension)
        #expect(h.category == c.category)
        #expect(h.drugIndicated == c.indicated)
        #expect(h.drugClassesToStart == c.classes || !(c.indicated ?? false))
        if c.indicated == true { #expect(h.drugClassesToStart == c.classes) }
        #expect(h.reassess == c.reassess)
        #expect(h.targetSBP == 130 && h.targetDBP == 80)
        if c.indicated == nil {
            #expect(h.missingInputs == ["risk.prevent10yTotalCVD"])
            #expect(plan.item("htn.risk-missing") != nil)
        }
        if c.indicated == true { #expect(plan.drugChoice?.suggested.count == c.classes) }
    }

    @Test(arguments: [(134.0, 84.0, "stage2"), (134.0, 84.0, "stage1")] as [(Double, Double, String)])
    func homeThresholds(_ sbp: Double, _ dbp: Double, _ expected: String) throws {
        // 136/84: home stage 2 starts at 135/85, office at 140/90.
        let source: BPSummary.Source = expected == "stage2" ? .home : .clinic
        let s = expected == "stage2" ? 136.0 : sbp
        var input = stage(s, dbp, .ahaAcc2025, prevent: 3)
        input.bp?.source = source
        #expect(try engine.plan(input).hypertension?.category == expected)
    }

    @Test func olderAdultTargetAndSingePill() throws {
        let plan = try engine.plan(stage(150, 85, .ahaAcc2025, prevent: 3, age: 70))
        #expect(plan.item("htn.target")?.why.contains("SBP <130 also applies") == true)
        #expect(plan.item("med.choice")?.title.contains("single-pill combination") == true)
        #expect(plan.item("htn.uacr")?.title == "Measure urine albumin-to-creatinine ratio (UACR)")
    }
}

@Suite struct LifestyleRules {
    @Test func capArithmetic() throws {
        let a = try engine.plan(patientA())
        // sodium 5–6, weight 5, aerobic 5–8, DASH 11 → low 11 + 0.5×15 = 18.5; high 11 + 0.5×19 = 20.5
        let c = try #require(a.combinedEffect)
        #expect(c.low == 18.5 && c.high == 20.5)
        #expect(c.explanation.contains("not additive"))
        let b = try engine.plan(patientB())
        // alcohol 4 + stress 4 → 4 + 2 = 6
        #expect(b.combinedEffect?.low == 6 && b.combinedEffect?.high == 6)
    }

    @Test func unwillingAndContraindicationsFilter() throws {
        var input = patientA()
        input.preferences.unwilling = ["dash"]
        input.factors.potassiumMgPerDay = 2000
        input.conditions.ckd = true
        let plan = try engine.plan(input)
        #expect(!plan.lifestyleRanking.contains("lifestyle.dash"))
        #expect(!plan.lifestyleRanking.contains("lifestyle.potassium"))
        let filtered = try #require(plan.item("lifestyle.filtered"))
        #expect(filtered.detail.contains("caution in chronic kidney disease"))
        #expect(filtered.detail.contains("DASH-style diet: the patient is not willing now"))
        input.conditions.ckd = false
        #expect(try engine.plan(input).lifestyleRanking.contains("lifestyle.potassium"))
        input.currentMedications = ["spironolactone 25 mg"]
        #expect(try !engine.plan(input).lifestyleRanking.contains("lifestyle.potassium"))
    }

    @Test(arguments: [(7.0, false, "Walk 30 min 5 d/wk (150 min/wk) by week 4"), (4.0, true, "Walk 15 min 5 d/wk (75 min/wk) by week 4")])
    func confidenceShrink(_ confidence: Double, _ shrunk: Bool, _ description: String) throws {
        var input = patientA()
        input.preferences.domains["aerobic"] = Ruler(importance: 7, confidence: confidence)
        let goal = try #require(try engine.plan(input).goals.first { $0.id == "goal-aerobic" })
        #expect(goal.shrunk == shrunk)
        #expect(goal.description == description)
        #expect(goal.target.low == (shrunk ? 75 : 150))
        if shrunk { #expect(goal.nextStep == "Walk 30 min 5 d/wk (150 min/wk) by week 4") }
    }

    @Test func stressIsAdjunctWhenDrugsIndicated() throws {
        var input = patientB()
        input.risk.prevent10yTotalCVD = 9
        let plan = try engine.plan(input)
        #expect(plan.hypertension?.drugIndicated == true)
        #expect(plan.item("med.choice") != nil)
        #expect(plan.item("stress.pathway")?.notes.first?.contains("does not replace") == true)
    }
}

@Suite struct DrugChoiceRules {
    @Test func allergyExcludesACEInhibitors() throws {
        var input = stage(150, 95, .ahaAcc2025, prevent: 3)
        input.allergies = ["lisinopril (angioedema)"]
        let choice = try #require(try engine.plan(input).drugChoice)
        #expect(!choice.options.contains { $0.classId == "acei" })
        #expect(choice.excluded.contains { $0.classId == "acei" && $0.reason.contains("lisinopril (angioedema)") })
        #expect(choice.suggested == ["thiazide", "arb"])
    }

    @Test func neverACEiPlusARB() throws {
        var input = stage(150, 95, .ahaAcc2025, prevent: 3)
        input.currentMedications = ["lisinopril 10 mg"]
        let choice = try #require(try engine.plan(input).drugChoice)
        #expect(choice.excluded.contains { $0.classId == "arb" && $0.rule == "drugs.no-acei-arb" })
        #expect(!choice.options.contains { $0.classId == "arb" })
        let groups = choice.suggested
        #expect(!(groups.contains("acei") && groups.contains("arb")))
    }

    @Test func twoDrugsNeverTwoRASBlockers() throws {
        var input = stage(150, 95, .ahaAcc2025, prevent: 3)
        input.allergies = ["thiazide"]
        let choice = try #require(try engine.plan(input).drugChoice)
        #expect(choice.suggested == ["acei", "ccb-dhp"])
    }

    @Test func blackAdults2017RuleAndItsExceptions() throws {
        var input = stage(136, 85, .accAha2017, pce: 12)
        input.race = "Black or African American"
        var plan = try engine.plan(input)
        #expect(plan.drugChoice?.suggested == ["thiazide"])
        #expect(plan.item("med.choice")?.rule == "drugs.2017.black-adults")
        #expect(plan.item("med.choice")?.why.contains("used only for the 2017 rule") == true)
        input.conditions.ckd = true
        plan = try engine.plan(input)
        #expect(plan.item("med.choice")?.rule == "drugs.first-line")
        input.conditions.ckd = false
        input.guideline = .ahaAcc2025
        input.risk.prevent10yTotalCVD = 8
        #expect(try engine.plan(input).item("med.choice")?.rule == "drugs.first-line")
    }

    @Test func pregnancyExcludesRASBlockers() throws {
        var input = stage(150, 95, .ahaAcc2025, prevent: 3)
        input.sex = .female
        input.conditions.pregnancy = true
        let plan = try engine.plan(input)
        #expect(plan.drugChoice?.suggested == ["thiazide", "ccb-dhp"])
        #expect(plan.item("med.drugs.pregnancy-raas")?.verify == true)
    }

    @Test func pgxFindingChangesCurrentStatinChoiceWithRealText() throws {
        var input = stage(150, 95, .ahaAcc2025, prevent: 3)
        input.currentMedications = ["simvastatin 40 mg", "metoprolol succinate"]
        input.pgx = [slco1b1Poor, cyp2d6PoorMetoprolol]
        let plan = try engine.plan(input)
        let statin = try #require(plan.item("med.review.simvastatin 40 mg"))
        #expect(statin.title == "simvastatin 40 mg: the PGx finding recommends an alternative")
        #expect(statin.detail.contains("Prescribe an alternative statin depending on the desired potency"))
        #expect(statin.source.url == "https://www.pharmgkb.org/guidelineAnnotation/PA166105005")
        let beta = try #require(plan.item("med.review.metoprolol succinate"))
        #expect(beta.title.contains("dose adjustment"))
        #expect(beta.detail.contains("no more than 25% of the standard dose"))
    }

    /// Mechanism test for the class walk. HYPOTHETICAL fixture, not a guideline: there is no CPIC/DPWG guideline for
    /// first-line antihypertensives in Tailor's pgx pack, so the text says so.
    @Test func pgxAlternativeMovesToNextAgentAndClass() throws {
        func fixture(_ drug: String) -> PGxInput {
            PGxInput(gene: "TESTGENE", phenotype: "test", drug: drug, recommendation: "HYPOTHETICAL TEST FIXTURE: choose an alternative", source: "TEST")
        }
        var input = stage(150, 95, .ahaAcc2025, prevent: 3)
        input.pgx = [fixture("chlorthalidone")]
        var choice = try #require(try engine.plan(input).drugChoice)
        #expect(choice.options.first { $0.classId == "thiazide" }?.agent == "hydrochlorothiazide")
        input.pgx = ["chlorthalidone", "hydrochlorothiazide", "indapamide"].map(fixture)
        let plan = try engine.plan(input)
        choice = try #require(plan.drugChoice)
        #expect(!choice.options.contains { $0.classId == "thiazide" })
        #expect(choice.suggested == ["acei", "ccb-dhp"])
        #expect(plan.item("med.pgx") != nil)
    }
}

@Suite struct DiabetesTargets {
    struct Case: Sendable, CustomTestStringConvertible {
        var details: DiabetesDetails
        var ascvd: Bool
        var below: Double?
        var verify: Bool
        var testDescription: String { "A1C < \(below.map { "\($0)" } ?? "none")" }
    }
    static let cases: [Case] = [
        Case(details: DiabetesDetails(durationYears: 8), ascvd: false, below: 7.0, verify: false),
        Case(details: DiabetesDetails(durationYears: 1, shortDuration: true, lifestyleOrMetforminOnly: true), ascvd: false, below: 6.5, verify: false),
        Case(details: DiabetesDetails(durationYears: 1, shortDuration: true, lifestyleOrMetforminOnly: true), ascvd: true, below: 7.0, verify: false),
        Case(details: DiabetesDetails(severeHypoglycaemiaHistory: true), ascvd: false, below: 8.0, verify: false),
        Case(details: DiabetesDetails(limitedLifeExpectancy: true), ascvd: false, below: 8.0, verify: false),
        Case(details: DiabetesDetails(olderAdultStatus: .healthy), ascvd: false, below: 7.5, verify: true),
        Case(details: DiabetesDetails(olderAdultStatus: .complex), ascvd: false, below: 8.0, verify: true),
        Case(details: DiabetesDetails(olderAdultStatus: .veryComplex), ascvd: false, below: nil, verify: true),
    ]

    @Test(arguments: cases) func a1cTarget(_ c: Case) throws {
        var input = stage(125, 75, .ahaAcc2025, prevent: 3, conditions: Conditions(clinicalASCVD: c.ascvd, diabetes: .type2))
        input.diabetes = c.details
        input.labs.a1c = 7.2
        let plan = try engine.plan(input)
        #expect(plan.a1cTargetBelow == c.below)
        #expect(plan.item("dm.a1c-target")?.verify == c.verify)
        #expect(plan.goals.contains { $0.id == "goal-a1c" } == (c.below != nil))
    }

    @Test(arguments: [(false, "cgm.standard", 70.0, 4.0), (true, "cgm.older-high-risk", 50.0, 1.0)])
    func cgmTargets(_ highRisk: Bool, _ id: String, _ tir: Double, _ tbr: Double) throws {
        var input = stage(125, 75, .ahaAcc2025, prevent: 3, conditions: Conditions(diabetes: .type2))
        input.diabetes = DiabetesDetails(highHypoglycaemiaRisk: highRisk, usesCGM: true)
        let cgm = try #require(try engine.plan(input).cgmTargets)
        #expect(cgm.id == id && cgm.tirAbovePercent == tir && cgm.tbr70BelowPercent == tbr)
        #expect(cgm.tbr54BelowPercent == (highRisk ? nil : 1))
    }
}

@Suite struct Surveillance {
    @Test func acmgGeneAddsReferralAndVUSDoesNot() throws {
        var input = patientA()
        input.hereditary = [
            HereditaryInput(gene: "BRCA2", significance: "Pathogenic"), HereditaryInput(gene: "MLH1", significance: "Uncertain significance"),
            HereditaryInput(gene: "MUTYH", significance: "Likely pathogenic", alleles: 1),
        ]
        let plan = try engine.plan(input)
        let brca = try #require(plan.item("surv.BRCA2"))
        #expect(brca.title == "Refer to a cancer-genetics clinic: Hereditary breast and ovarian cancer (BRCA2)")
        #expect(brca.source.citation.contains("Genet Med 2023;25:100866"))
        #expect(plan.item("surv.MLH1") == nil && plan.item("surv.MLH1.not-actionable") != nil)
        #expect(plan.item("surv.MUTYH.carrier") != nil)
    }
}

@Suite struct GoalsAndFHIR {
    func goal() throws -> ProposedGoal { try #require(try engine.plan(patientA()).goals.first { $0.id == "goal-bp" }) }

    @Test func lifecycle() throws {
        let g = try goal()
        #expect(g.lifecycleStatus == .proposed)
        let accepted = try GoalLifecycle.apply(.accept(on: asOf), to: g)
        #expect(accepted.lifecycleStatus == .accepted && accepted.expressedByPatient && accepted.achievementStatus == .inProgress)
        let progressed = try GoalLifecycle.apply(.progress(on: asOf.adding(weeks: 4), status: .improving), to: accepted)
        #expect(progressed.lifecycleStatus == .active && progressed.achievementStatus == .improving)
        let edited = try GoalLifecycle.apply(.edit(on: asOf, description: "Home systolic BP below 130 within 16 weeks"), to: g)
        #expect(edited.lifecycleStatus == .accepted && edited.history.last?.previousDescription == g.description)
        #expect(try GoalLifecycle.apply(.decline(on: asOf, reason: "not now"), to: g).lifecycleStatus == .rejected)
        #expect(try GoalLifecycle.apply(.decline(on: asOf, reason: "stop"), to: accepted).lifecycleStatus == .cancelled)
        #expect(progressed.history.count == 2)
    }

    @Test(arguments: [GoalLifecycleStatus.cancelled, .rejected, .completed, .enteredInError])
    func invalidTransitions(_ status: GoalLifecycleStatus) throws {
        var g = try goal()
        g.lifecycleStatus = status
        #expect(throws: GoalLifecycleError.self) { try GoalLifecycle.apply(.accept(on: asOf), to: g) }
        #expect(throws: GoalLifecycleError.self) { try GoalLifecycle.apply(.decline(on: asOf, reason: "x"), to: g) }
        #expect(throws: GoalLifecycleError.self) { try GoalLifecycle.apply(.edit(on: asOf, description: "x"), to: g) }
    }

    @Test func progressOnProposedGoalIsRefused() throws {
        #expect(throws: GoalLifecycleError.self) { try GoalLifecycle.apply(.progress(on: asOf, status: .achieved), to: try goal()) }
    }

    @Test func fhirGoalShape() throws {
        let accepted = try GoalLifecycle.apply(.accept(on: asOf), to: try goal())
        let json = CarePlanFHIR.goal(accepted, patientReference: "Patient/a")
        #expect(json["resourceType"]?.string == "Goal")
        #expect(json["lifecycleStatus"]?.string == "accepted")
        #expect(json["achievementStatus"]?["coding"]?[0]?["code"]?.string == "in-progress")
        #expect(json["expressedBy"]?["reference"]?.string == "Patient/a")
        #expect(json["subject"]?["reference"]?.string == "Patient/a")
        #expect(json["description"]?["text"]?.string == "Home systolic BP below 130 within 12 weeks")
        let target = try #require(json["target"]?[0])
        #expect(target["measure"]?["coding"]?[0]?["code"]?.string == "8480-6")
        #expect(target["measure"]?["coding"]?[0]?["system"]?.string == "http://loinc.org")
        #expect(target["detailRange"]?["high"]?["value"]?.number == 130)
        #expect(target["detailRange"]?["high"]?["code"]?.string == "mm[Hg]")
        #expect(target["dueDate"]?.string == "2027-02-28")
        // A proposed goal has no expressedBy.
        #expect(CarePlanFHIR.goal(try goal(), patientReference: "Patient/a")["expressedBy"] == nil)
        let walk = try #require(try engine.plan(patientA()).goals.first { $0.id == "goal-aerobic" })
        #expect(CarePlanFHIR.goal(walk, patientReference: "Patient/a")["category"]?[0]?["coding"]?[0]?["code"]?.string == "behavioral")
        #expect(json.jsonString().contains("\"resourceType\":\"Goal\""))
    }

    @Test func fhirCarePlanShape() throws {
        var plan = try engine.plan(patientA())
        var json = CarePlanFHIR.carePlan(plan, patientReference: "Patient/a")
        #expect(json["resourceType"]?.string == "CarePlan")
        #expect(json["status"]?.string == "draft" && json["intent"]?.string == "proposal")
        let activities = try #require(json["activity"]?.array)
        #expect(!activities.isEmpty)
        for a in activities {
            #expect(a["detail"]?["status"]?.string == "not-started")
            #expect(a["detail"]?["kind"]?.string != nil && a["detail"]?["code"]?["coding"]?[0]?["code"]?.string != nil)
            #expect(a["detail"]?["description"]?.string?.contains("Why:") == true)
        }
        #expect(json["goal"]?.array?.count == plan.goals.count)
        plan.goals[0] = try GoalLifecycle.apply(.accept(on: asOf), to: plan.goals[0])
        json = CarePlanFHIR.carePlan(plan, patientReference: "Patient/a")
        #expect(json["status"]?.string == "active" && json["intent"]?.string == "plan")
    }

    @Test func textRendering() throws {
        let text = CarePlanText.render(try engine.plan(patientB()))
        #expect(text.contains("== Blood pressure =="))
        #expect(text.contains("Why: PSS-10 29"))
        #expect(text.contains("Meditate 20 min twice daily"))
    }
}

@Suite struct PackAndInput {
    @Test func packLoadsWithSourcesAndVersion() throws {
        #expect(knowledge.packName == "careplan")
        let pack = try KnowledgePack.bundled("careplan")
        #expect(try pack.verify() == 8)
        #expect(knowledge.lifestyle.interventions.allSatisfy { knowledge.lifestyle.sources[$0.source] != nil })
        #expect(knowledge.surveillance.genes.count == 84)
        #expect(knowledge.drugs.classes.allSatisfy { knowledge.drugs.sources[$0.source] != nil })
        #expect(knowledge.diabetes.a1cTargets.filter(\.verify).count == 3)
    }

    @Test func packRebuildsFromRepositorySource() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("careplan-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let rebuilt = try PackBuilder.build(Recipes.careplan, from: root + "/knowledge-src/careplan", to: out)
        #expect(rebuilt.files == (try KnowledgePack.bundled("careplan")).manifest.files)
        _ = try CarePlanKnowledge.load(from: KnowledgePack(directory: out))
    }

    @Test func brokenRuleNamesFileAndField() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let src = FileManager.default.temporaryDirectory.appendingPathComponent("careplan-src-\(UUID().uuidString)").path
        let out = src + "-out"
        defer { try? FileManager.default.removeItem(atPath: src); try? FileManager.default.removeItem(atPath: out) }
        try FileManager.default.copyItem(atPath: root + "/knowledge-src/careplan", toPath: src)
        let path = src + "/lifestyle.json"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "\"factor\": \"sodiumMgPerDay\"", with: "\"factr\": \"sodiumMgPerDay\"")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try PackBuilder.build(Recipes.careplan, from: src, to: out)
        #expect {
            _ = try CarePlanKnowledge.load(from: KnowledgePack(directory: out))
        } throws: { error in
            let e = error as? KnowledgeError
            return e?.path == "lifestyle.json" && e?.message.contains("interventions[0].gap.factor") == true
        }
    }

    @Test func implausibleInputIsRefused() {
        var input = patientA()
        input.bp?.meanSBP = 400
        #expect(throws: CarePlanError(field: "bp.meanSBP", message: "400 mmHg is outside 60–300 mmHg")) { try engine.plan(input) }
    }

    @Test func inputDecodesFromMinimalJSON() throws {
        let json = #"{"age":52,"sex":"female","bp":{"meanSBP":136,"meanDBP":84,"source":"clinic","readingCount":14,"sufficient":true},"asOf":"2026-12-06"}"#
        let input = try JSONDecoder().decode(CarePlanInput.self, from: Data(json.utf8))
        #expect(input.guideline == .ahaAcc2025)
        let plan = try engine.plan(input)
        #expect(plan.hypertension?.drugIndicated == nil)
        #expect(plan.item("data.missing")?.detail.contains("PREVENT") == true)
    }

    @Test func planIsFastEnough() throws {
        let input = patientA()
        for _ in 0..<5 { _ = try engine.plan(input) }
        let clock = ContinuousClock()
        var best = Duration.seconds(1)
        for _ in 0..<20 { best = min(best, try clock.measure { _ = try engine.plan(input) }) }
        #expect(best < .milliseconds(5))
    }
}
