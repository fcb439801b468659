import Foundation

/// Builds a care plan from the `careplan` rules and one patient's data. Pure and deterministic: no clock, no files,
/// no randomness — the same input and pack always give the same plan.
public struct CarePlanEngine: Sendable {
    public let knowledge: CarePlanKnowledge

    public init(knowledge: CarePlanKnowledge) { self.knowledge = knowledge }

    public func plan(_ input: CarePlanInput) throws(CarePlanError) -> CarePlan {
        try Self.validate(input)
        var b = Builder(k: knowledge, input: input)
        b.hypertensionSection()
        b.lifestyleSection()
        b.medicationSection()
        b.diabetesSection()
        b.surveillanceSection()
        b.goals()
        b.dataGapItem()
        return CarePlan(
            packName: knowledge.packName, packVersion: knowledge.packVersion, guideline: input.guideline, asOf: input.asOf, hypertension: b.htn,
            items: b.items, lifestyleRanking: b.ranking, combinedEffect: b.combined, drugChoice: b.drugChoice, cgmTargets: b.cgm,
            a1cTargetBelow: b.a1cBelow, goals: b.goalList)
    }

    /// Impossible values are refused with the field and value; possible-but-missing values are handled in the plan.
    static func validate(_ input: CarePlanInput) throws(CarePlanError) {
        func check(_ v: Double?, _ field: String, _ range: ClosedRange<Double>, _ unit: String) throws(CarePlanError) {
            guard let v else { return }
            guard v.isFinite, range.contains(v) else {
                throw CarePlanError(field: field, message: "\(Fmt.n(v)) \(unit) is outside \(Fmt.n(range.lowerBound))–\(Fmt.n(range.upperBound)) \(unit)")
            }
        }
        try check(Double(input.age), "age", 18...120, "years")
        if let bp = input.bp {
            try check(bp.meanSBP, "bp.meanSBP", 60...300, "mmHg")
            try check(bp.meanDBP, "bp.meanDBP", 30...200, "mmHg")
            guard bp.meanSBP > bp.meanDBP else { throw CarePlanError(field: "bp", message: "mean SBP \(Fmt.n(bp.meanSBP)) is not above mean DBP \(Fmt.n(bp.meanDBP))") }
            guard bp.readingCount >= 0 else { throw CarePlanError(field: "bp.readingCount", message: "negative") }
        }
        try check(input.risk.prevent10yTotalCVD, "risk.prevent10yTotalCVD", 0...100, "%")
        try check(input.risk.pce10yASCVD, "risk.pce10yASCVD", 0...100, "%")
        try check(input.labs.a1c, "labs.a1c", 3...20, "%")
        try check(input.factors.bmi, "factors.bmi", 10...90, "kg/m2")
        try check(input.factors.sleepHours, "factors.sleepHours", 0...24, "h")
        try check(input.factors.pss10, "factors.pss10", 0...40, "points")
        try check(input.factors.alcoholDrinksPerDay, "factors.alcoholDrinksPerDay", 0...50, "drinks/d")
        for (domain, ruler) in input.preferences.domains {
            try check(ruler.importance, "preferences.domains.\(domain).importance", 0...10, "")
            try check(ruler.confidence, "preferences.domains.\(domain).confidence", 0...10, "")
        }
    }
}

/// Accumulates the plan. Kept internal so the public surface stays `CarePlanEngine.plan`.
struct Builder {
    let k: CarePlanKnowledge
    let input: CarePlanInput
    var items: [PlanItem] = []
    var htn: HypertensionAssessment?
    var ranking: [String] = []
    var combined: CombinedEffect?
    var drugChoice: DrugChoice?
    var cgm: DiabetesRules.CGMTargets?
    var a1cBelow: Double?
    var goalList: [ProposedGoal] = []
    var missing: [String] = []
    var categoryRank = -1
    /// Ranked lifestyle/stress candidates kept for goal-writing: (intervention id, item id, confidence).
    var rankedForGoals: [(intervention: String, item: String)] = []

    init(k: CarePlanKnowledge, input: CarePlanInput) {
        self.k = k
        self.input = input
    }

    mutating func add(
        _ id: String, _ section: PlanSection, _ kind: PlanItem.Kind, title: String, detail: String, rule: String, source: Citation, why: String,
        evidence: String? = nil, verify: Bool, reduction: ClosedRange<Double>? = nil, score: Double? = nil, notes: [String] = []
    ) {
        items.append(
            PlanItem(
                id: id, section: section, kind: kind, title: title, detail: detail, rule: rule, source: source, why: why, evidence: evidence,
                verify: verify, expectedSBPReduction: reduction, score: score, notes: notes))
    }

    func cite(_ table: [String: Citation], _ key: String) -> Citation { k.citation(table, key) }

    // MARK: Hypertension

    mutating func hypertensionSection() {
        guard let bp = input.bp else {
            missing.append("blood pressure summary (no hypertension section)")
            return
        }
        let h = k.hypertension
        let src = h.sources
        let home = bp.source == .home
        let category =
            h.categories.sorted { $0.rank > $1.rank }.first { (home ? $0.home : $0.clinic).matches(sbp: bp.meanSBP, dbp: bp.meanDBP) }
            ?? h.categories[0]
        categoryRank = category.rank
        let bpText = "\(bp.source.rawValue) mean \(Fmt.n(bp.meanSBP))/\(Fmt.n(bp.meanDBP)) mmHg from \(bp.readingCount) reading\(bp.readingCount == 1 ? "" : "s")"
        var catNotes: [String] = []
        if home { catNotes.append(h.homeThresholdRule.text) }
        if !bp.sufficient {
            catNotes.append("Provisional: the averaging protocol was not met. " + h.sufficiencyRule.text)
            missing.append("a sufficient BP average (\(bp.readingCount) reading\(bp.readingCount == 1 ? "" : "s"); protocol needs >=12 over >=3 days)")
        }
        add(
            "htn.category", .hypertension, .assessment, title: "Blood pressure category: \(category.name)",
            detail: h.categoryRule.text, rule: h.categoryRule.id, source: cite(src, h.categoryRule.source),
            why: "\(bpText)\(home ? " (home thresholds)" : "") → \(category.name).", verify: h.categoryRule.verify, notes: catNotes)
        if category.id == "severe" {
            add(
                "htn.severe", .hypertension, .referral, title: "Crisis-range blood pressure: contact the care team now", detail: h.severeRule.text,
                rule: h.severeRule.id, source: cite(src, h.severeRule.source), why: "\(bpText) is above 180/120.", verify: h.severeRule.verify)
        }

        guard let g = h.guidelines.first(where: { $0.id == input.guideline.rawValue }) else { return }
        let gsrc = cite(src, g.source)
        let conditionNames = ["clinicalASCVD": "clinical ASCVD", "diabetes": "diabetes", "ckd": "CKD"]
        let present = g.highRiskConditions.filter { input.conditions.has($0) }
        let absentText = g.highRiskConditions.map { conditionNames[$0] ?? $0 }.joined(separator: ", ")
        let riskValue = g.riskScore == "pce" ? input.risk.pce10yASCVD : input.risk.prevent10yTotalCVD
        let scoreField = g.riskScore == "pce" ? "risk.pce10yASCVD" : "risk.prevent10yTotalCVD"
        let thr = Fmt.n(g.riskThresholdPercent)

        var highRisk: Bool? = nil
        var reasonPrefix: String
        if !present.isEmpty {
            highRisk = true
            reasonPrefix = present.map { conditionNames[$0] ?? $0 }.joined(separator: ", ") + " present (treated as high risk)"
        } else if let r = riskValue {
            highRisk = r >= g.riskThresholdPercent
            reasonPrefix = "\(g.riskScoreName) \(Fmt.n(r))% \(highRisk! ? "≥" : "<") \(thr)% and no \(absentText.replacingOccurrences(of: ", CKD", with: " or CKD"))"
        } else {
            reasonPrefix = "\(g.riskScoreName) not given (\(scoreField)) and no \(absentText)"
        }
        let needsRisk = category.id == "stage1"
        let when: String = needsRisk ? ((highRisk ?? false) ? "highRisk" : "notHighRisk") : "any"
        guard let decision = g.decisions.first(where: { $0.category == category.id && ($0.when == when || $0.when == "any") }) else { return }
        var drugIndicated: Bool? = decision.drugIndicated
        var classes = decision.drugClasses
        var missingInputs: [String] = []
        if needsRisk && highRisk == nil {
            drugIndicated = nil
            missingInputs.append(scoreField)
            missing.append("\(g.riskScoreName) (\(scoreField)), needed by the \(g.name) stage 1 rule")
            add(
                "htn.risk-missing", .hypertension, .note, title: "Risk score needed for the drug decision", detail: h.riskMissing.text,
                rule: h.riskMissing.id, source: cite(src, h.riskMissing.source),
                why: "Stage 1 under \(g.name) needs \(g.riskScoreName) (\(scoreField)); it was not provided. Assumed: lifestyle first, decision pending.",
                verify: h.riskMissing.verify)
        }
        let target = h.target
        if let above = decision.twoClassesIfAboveTargetBy {
            if bp.meanSBP - target.sbpBelow > above.sbp || bp.meanDBP - target.dbpBelow > above.dbp { classes = 2 }
        }
        let reason = "\(reasonPrefix) → \(decision.action)"
        htn = HypertensionAssessment(
            category: category.id, categoryName: category.name, guideline: input.guideline, drugIndicated: drugIndicated, drugClassesToStart: classes,
            singlePillPreferred: decision.singlePillPreferred ?? false, decisionRule: decision.id, reason: reason, reassess: decision.reassess,
            targetSBP: target.sbpBelow, targetDBP: target.dbpBelow, missingInputs: missingInputs)
        let drugWord: String = switch drugIndicated {
        case .some(true): classes == 2 ? "Drug therapy indicated: start 2 drugs of different classes" : "Drug therapy indicated"
        case .some(false): "Drug therapy not indicated now"
        case .none: "Drug therapy: decision pending (risk score missing)"
        }
        var notes: [String] = []
        if classes == 2, g.id == "acc-aha-2017" { notes.append("BP is more than 20/10 mmHg above the <130/80 target: two first-line agents of different classes.") }
        add(
            "htn.decision", .hypertension, .assessment, title: drugWord, detail: decision.action, rule: decision.id, source: gsrc,
            why: "\(category.name) (\(bpText)); \(reason)", verify: false, notes: notes)
        let older = input.age >= target.olderAdultAge
        add(
            "htn.target", .hypertension, .target, title: "Target: below \(Fmt.n(target.sbpBelow))/\(Fmt.n(target.dbpBelow)) mmHg", detail: target.text,
            rule: target.id, source: cite(src, target.source),
            why: older
                ? "Age \(input.age) ≥ \(target.olderAdultAge): SBP <\(Fmt.n(target.olderAdultSbpBelow)) also applies if ambulatory and community-dwelling."
                : "Adult aged \(input.age): the same target for all adults.",
            verify: target.verify)
        add(
            "htn.follow-up", .hypertension, .monitoring, title: "Reassess in \(decision.reassess)", detail: h.followUp.text, rule: h.followUp.id,
            source: cite(src, h.followUp.source), why: "\(decision.id): \(decision.action)", verify: h.followUp.verify)
        if input.guideline == .ahaAcc2025, category.rank >= 2 {
            if let uacr = input.labs.uacr {
                add(
                    "htn.uacr", .hypertension, .monitoring, title: "UACR on file: \(Fmt.n(uacr)) mg/g", detail: h.uacr.text, rule: h.uacr.id,
                    source: cite(src, h.uacr.source), why: "Hypertension (\(category.name)); UACR \(Fmt.n(uacr)) mg/g recorded.", verify: h.uacr.verify)
            } else {
                add(
                    "htn.uacr", .hypertension, .monitoring, title: "Measure urine albumin-to-creatinine ratio (UACR)", detail: h.uacr.text, rule: h.uacr.id,
                    source: cite(src, h.uacr.source), why: "Hypertension (\(category.name)) and no UACR on file.", verify: h.uacr.verify)
            }
        }
    }

    // MARK: Lifestyle and stress

    struct Candidate {
        var intervention: String
        var itemId: String
        var reduction: ClosedRange<Double>?
        var score: Double
        var order: Int
        var item: PlanItem
    }

    func ruler(_ domain: String) -> (importance: Double, confidence: Double, rated: Bool) {
        let neutral = k.lifestyle.ranking.neutralRuler
        let r = input.preferences.domains[domain]
        return (r?.importance ?? neutral, r?.confidence ?? neutral, r?.importance != nil && r?.confidence != nil)
    }

    func takesClass(_ classId: String) -> String? {
        guard let c = k.drugs.classes.first(where: { $0.id == classId }) else { return nil }
        return input.currentMedications.first { med in Matcher.matches(med, drugClass: c) }
    }

    mutating func lifestyleSection() {
        guard input.bp != nil else { return }
        let l = k.lifestyle
        let f = input.factors
        let hypertensive = categoryRank >= 2
        let column = hypertensive ? "hypertension" : "normotension"
        var candidates: [Candidate] = []
        var skipped: [String] = []
        var unknown: [String] = []
        for (order, iv) in l.interventions.enumerated() {
            // Is there a gap for this patient?
            var gapWhy: String?
            switch iv.gap.factor {
            case "dietNotDASH":
                if let d = f.dietPattern { if d != .dashLike { gapWhy = "diet pattern \(d.rawValue), not DASH-like" } } else { unknown.append("diet pattern") }
            case "alcoholDrinksPerDayAboveSexLimit":
                let limit = input.sex == .male ? iv.gap.limitMale ?? 2 : iv.gap.limitFemale ?? 1
                if let a = f.alcoholDrinksPerDay {
                    if a > limit { gapWhy = "\(Fmt.n(a)) drinks/d > \(Fmt.n(limit)) for \(input.sex == .male ? "men" : "women")" }
                } else { unknown.append("alcohol intake") }
            default:
                let value: Double? = switch iv.gap.factor {
                case "sodiumMgPerDay": f.sodiumMgPerDay
                case "potassiumMgPerDay": f.potassiumMgPerDay
                case "activityMinPerWeek": f.activityMinPerWeek
                case "resistanceMinPerWeek": f.resistanceMinPerWeek
                case "isometricSessionsPerWeek": f.isometricSessionsPerWeek
                case "sleepHours": f.sleepHours
                case "bmi": f.bmi
                default: nil
                }
                guard let value, let t = iv.gap.value else {
                    if ["sodiumMgPerDay", "activityMinPerWeek", "sleepHours", "bmi"].contains(iv.gap.factor) { unknown.append(iv.gap.factor) }
                    continue
                }
                let hit = iv.gap.op == ">" ? value > t : iv.gap.op == ">=" ? value >= t : value < t
                if hit { gapWhy = "\(iv.gap.factor) \(Fmt.n(value)) \(iv.gap.op) \(Fmt.n(t)) \(iv.gap.unit ?? "")".trimmingCharacters(in: .whitespaces) }
            }
            guard let gapWhy else { continue }
            // Contraindications and unwillingness filter the candidate out, with the reason kept.
            var blocked: String?
            for c in iv.contraindications ?? [] {
                if let cond = c.condition, input.conditions.has(cond) { blocked = "\(c.text) (\(cond) recorded)" }
                if let cls = c.medicationClass, let med = takesClass(cls) { blocked = "\(c.text) (takes \(med))" }
            }
            if let blocked {
                skipped.append("\(iv.name): \(blocked)")
                continue
            }
            if input.preferences.unwilling.contains(iv.id) {
                skipped.append("\(iv.name): the patient is not willing now")
                continue
            }
            let deltas = hypertensive ? iv.deltaSBPHypertension : iv.deltaSBPNormotension
            let reduction = deltas.flatMap { $0.count == 2 ? $0[0]...$0[1] : nil }
            let r = ruler(iv.id)
            let mid = reduction.map { ($0.lowerBound + $0.upperBound) / 2 } ?? 0
            let score = mid * r.importance * r.confidence
            var detail = iv.goal
            if iv.id == "weight", let perKg = iv.mmHgPerKg, let red = reduction {
                let kg = red.upperBound / perKg
                detail += " Target: lose \(Fmt.n(kg)) kg" + (f.weightKg.map { " (from \(Fmt.n($0)) to \(Fmt.n($0 - kg)) kg)" } ?? "") + "."
            }
            let effect = reduction.map { "expected SBP -\(Fmt.range($0)) mmHg (\(column))" } ?? "no quantified SBP effect"
            let rulerText = r.rated ? "importance \(Fmt.n(r.importance)), confidence \(Fmt.n(r.confidence))" : "rulers not rated (neutral \(Fmt.n(l.ranking.neutralRuler)))"
            let item = PlanItem(
                id: "lifestyle.\(iv.id)", section: .lifestyle, kind: .lifestyle, title: iv.name, detail: detail, rule: iv.id,
                source: cite(l.sources, iv.source), why: "Gap: \(gapWhy); \(effect); \(rulerText).", evidence: iv.classLOE, verify: iv.verify,
                expectedSBPReduction: reduction, score: score, notes: iv.gap.source.map { ["Gap threshold: " + cite(l.sources, $0).citation] } ?? [])
            candidates.append(Candidate(intervention: iv.id, itemId: item.id, reduction: reduction, score: score, order: order, item: item))
        }
        // Stress pathway (adjunct): ranked with the lifestyle items, never a replacement for drugs.
        let s = k.stress
        if let pss = f.pss10, pss >= s.trigger.atLeast {
            if input.preferences.unwilling.contains("stress") {
                skipped.append("Stress reduction: the patient is not willing now")
            } else {
                let reduction = s.adjunctRule.deltaSBP[0]...s.adjunctRule.deltaSBP[1]
                let r = ruler("stress")
                let score = (reduction.lowerBound + reduction.upperBound) / 2 * r.importance * r.confidence
                let offered = s.approaches.filter(\.offered).map { "\($0.name) (\($0.classLOE))" }.joined(separator: "; ")
                let notOffered = s.approaches.filter { !$0.offered }.map { "\($0.name) (\($0.classLOE))" }.joined(separator: "; ")
                var notes = ["Not recommended for BP lowering: \(notOffered)."]
                if htn?.drugIndicated == true { notes.insert("Drug therapy is indicated: this pathway is an adjunct and does not replace it.", at: 0) }
                let item = PlanItem(
                    id: "stress.pathway", section: .stress, kind: .lifestyle, title: "Stress-reduction pathway (adjunct)",
                    detail: "Options: \(offered). \(s.adjunctRule.text)", rule: s.adjunctRule.id, source: cite(s.sources, s.adjunctRule.source),
                    why: "PSS-10 \(Fmt.n(pss)) ≥ \(Fmt.n(s.trigger.atLeast)) (high perceived stress); expected SBP about -\(Fmt.range(reduction)) mmHg; "
                        + (r.rated ? "importance \(Fmt.n(r.importance)), confidence \(Fmt.n(r.confidence))." : "rulers not rated (neutral)."),
                    evidence: s.approaches.filter(\.offered).map(\.classLOE).joined(separator: " / "),
                    verify: s.adjunctRule.verify || s.approaches.contains { $0.offered && $0.verify }, expectedSBPReduction: reduction, score: score,
                    notes: notes)
                candidates.append(Candidate(intervention: "stress", itemId: item.id, reduction: reduction, score: score, order: 1000, item: item))
            }
        } else if f.pss10 == nil {
            unknown.append("PSS-10")
        }
        // Rank: quantified effects by score; unquantified (sleep) after them; ties by pack order.
        candidates.sort { a, b in
            if (a.reduction == nil) != (b.reduction == nil) { return a.reduction != nil }
            if a.score != b.score { return a.score > b.score }
            return a.order < b.order
        }
        for (rank, c) in candidates.enumerated() {
            var item = c.item
            item.title = "\(rank + 1). " + item.title
            items.append(item)
            ranking.append(c.itemId)
            rankedForGoals.append((c.intervention, c.itemId))
        }
        if !skipped.isEmpty {
            add(
                "lifestyle.filtered", .lifestyle, .note, title: "Not proposed now", detail: skipped.joined(separator: "\n"), rule: l.ranking.id,
                source: cite(l.sources, l.ranking.source), why: "Filtered by contraindications and the patient's stated unwillingness.", verify: false)
        }
        if !unknown.isEmpty { missing.append("lifestyle factors not reported: " + unknown.joined(separator: ", ")) }
        // Combined effect: not additive; largest + 50% of the rest, as a range.
        let quantified = candidates.compactMap(\.reduction)
        if !quantified.isEmpty {
            let c = l.combination
            func cap(_ values: [Double]) -> Double {
                let top = values.max() ?? 0
                return c.largestWeight * top + c.restWeight * (values.reduce(0, +) - top)
            }
            let low = cap(quantified.map(\.lowerBound))
            let high = cap(quantified.map(\.upperBound))
            let naiveLow = quantified.map(\.lowerBound).reduce(0, +)
            let naiveHigh = quantified.map(\.upperBound).reduce(0, +)
            let explanation =
                "Largest effect + 50% of the rest = -\(Fmt.range(low...high)) mmHg (a simple sum would claim -\(Fmt.range(naiveLow...naiveHigh)); effects are not additive)."
            combined = CombinedEffect(low: low, high: high, rule: c.id, explanation: explanation)
            add(
                "lifestyle.combined", .lifestyle, .note, title: "Expected combined SBP reduction: -\(Fmt.range(low...high)) mmHg", detail: c.text, rule: c.id,
                source: cite(l.sources, c.source), why: explanation, verify: c.verify)
        }
    }

    // MARK: Medication

    mutating func medicationSection() {
        let d = k.drugs
        let src = d.sources
        let pgxSource = cite(src, d.pgxRule.source)
        // Review what the patient already takes against PGx findings (any drug, not only antihypertensives).
        for med in input.currentMedications {
            for finding in input.pgx where Matcher.sameDrug(med, finding.drug) {
                let action = Matcher.action(finding)
                let title: String = switch action {
                case .alternative: "\(med): the PGx finding recommends an alternative"
                case .dose: "\(med): the PGx finding recommends a dose adjustment"
                case .none: "\(med): PGx finding (no action stated)"
                }
                add(
                    "med.review.\(med.lowercased())", .medication, .medication, title: title, detail: Matcher.quote(finding), rule: d.pgxRule.id,
                    source: Citation(citation: "\(finding.source) guideline: \(finding.gene) and \(finding.drug)", url: finding.guidelineURL ?? pgxSource.url),
                    why: "Takes \(med); \(finding.gene) \(finding.phenotype)" + (finding.classification.map { " (\(finding.source) classification: \($0))" } ?? "") + ".",
                    evidence: finding.classification, verify: false)
            }
        }
        guard let h = htn, h.drugIndicated == true else {
            if let h = htn, h.drugIndicated == nil {
                add(
                    "med.pending", .medication, .note, title: "Drug decision pending", detail: "Provide \(h.missingInputs.joined(separator: ", ")) to decide.",
                    rule: k.hypertension.riskMissing.id, source: cite(k.hypertension.sources, k.hypertension.riskMissing.source),
                    why: "Stage 1 without the risk score the \(h.guideline.rawValue) rule needs.", verify: false)
            }
            return
        }
        var excluded: [DrugChoice.Exclusion] = []
        var options: [DrugChoice.Option] = []
        var notesAll: [String] = []
        // Classes already taken in the no-combination group (ACEi/ARB/DRI).
        let takenRAS = d.neverCombine.groups.compactMap { id in takesClass(id).map { (id, $0) } }
        var order = d.firstLineOrder
        var blackRuleApplies = false
        let br = d.blackAdultsRule
        if input.guideline.rawValue == br.guideline, let race = input.race, Matcher.norm(race).contains(br.race),
            !br.unlessConditions.contains(where: { input.conditions.has($0) })
        {
            blackRuleApplies = true
            order = br.preferredClasses + order.filter { !br.preferredClasses.contains($0) }
        }
        for id in order {
            guard let c = d.classes.first(where: { $0.id == id }) else { continue }
            if let allergy = input.allergies.first(where: { Matcher.matches($0, drugClass: c) }) {
                excluded.append(.init(classId: c.id, agent: nil, reason: "allergy/intolerance recorded: \(allergy) → \(c.name) excluded", rule: d.allergyRule.id))
                continue
            }
            if let ex = d.conditionExclusions.first(where: { $0.excludeClasses.contains(c.id) && input.conditions.has($0.condition) }) {
                excluded.append(.init(classId: c.id, agent: nil, reason: ex.text, rule: ex.id))
                continue
            }
            if d.neverCombine.groups.contains(c.id), let other = takenRAS.first(where: { $0.0 != c.id }) {
                excluded.append(
                    .init(classId: c.id, agent: nil, reason: "takes \(other.1): never combine an ACE inhibitor, ARB or direct renin inhibitor", rule: d.neverCombine.id))
                continue
            }
            // Walk the agents: a PGx "use an alternative" moves to the next agent; a dose note is attached.
            var chosen: String?
            var notes: [String] = []
            for agent in c.agents {
                if let allergy = input.allergies.first(where: { Matcher.sameDrug($0, agent.name) }) {
                    excluded.append(.init(classId: c.id, agent: agent.name, reason: "allergy/intolerance recorded: \(allergy)", rule: d.allergyRule.id))
                    continue
                }
                let findings = input.pgx.filter { Matcher.sameDrug($0.drug, agent.name) }
                if let alt = findings.first(where: { Matcher.action($0) == .alternative }) {
                    excluded.append(.init(classId: c.id, agent: agent.name, reason: "PGx: " + Matcher.quote(alt), rule: d.pgxRule.id))
                    continue
                }
                for f in findings where Matcher.action(f) == .dose { notes.append("PGx dose note for \(agent.name): " + Matcher.quote(f)) }
                chosen = agent.name
                break
            }
            guard let chosen else {
                excluded.append(.init(classId: c.id, agent: nil, reason: "no agent of the class left after the findings above", rule: d.pgxRule.id))
                continue
            }
            options.append(.init(classId: c.id, className: c.name, agent: chosen, notes: notes))
        }
        // Suggested start: n options of different groups (never two RAS blockers).
        var suggested: [String] = []
        var groups: Set<String> = []
        let candidates = blackRuleApplies ? options.filter { br.preferredClasses.contains($0.classId) } + options.filter { !br.preferredClasses.contains($0.classId) } : options
        for o in candidates where suggested.count < h.drugClassesToStart {
            guard let c = d.classes.first(where: { $0.id == o.classId }), !groups.contains(c.group) else { continue }
            if h.drugClassesToStart == 1, blackRuleApplies, !br.preferredClasses.contains(o.classId) { continue }
            groups.insert(c.group)
            suggested.append(o.classId)
        }
        drugChoice = DrugChoice(options: options, suggested: suggested, excluded: excluded)
        let names = suggested.compactMap { id in options.first { $0.classId == id }.map { "\($0.className) (e.g. \($0.agent ?? "-"))" } }
        var why = "\(h.categoryName); \(h.reason)"
        if blackRuleApplies { why += " Self-identified race (\(input.race ?? "")) used only for the 2017 rule: \(br.text)" }
        if !excluded.isEmpty { notesAll += excluded.map { "Excluded \($0.agent ?? $0.classId): \($0.reason)" } }
        for o in options where suggested.contains(o.classId) { notesAll += o.notes }
        let rule = blackRuleApplies ? br.id : (suggested.count == 2 ? d.twoDrugRule.id : d.firstLineRule.id)
        let source = blackRuleApplies ? cite(src, br.source) : (suggested.count == 2 ? cite(src, d.twoDrugRule.source) : cite(src, d.firstLineRule.source))
        let title =
            suggested.isEmpty
            ? "No first-line class is available: clinician review"
            : (suggested.count == 2 ? "Start two drugs: " : "Start one drug: ") + names.joined(separator: " + ")
                + (h.singlePillPreferred && suggested.count == 2 ? " (preferably a single-pill combination)" : "")
        let otherOptions = options.filter { !suggested.contains($0.classId) }.map(\.className)
        add(
            "med.choice", .medication, .medication, title: title,
            detail: d.firstLineRule.text + (otherOptions.isEmpty ? "" : " Other options: \(otherOptions.joined(separator: ", ")).") + " " + d.neverCombine.text,
            rule: rule, source: source, why: why, verify: blackRuleApplies ? br.verify : false, notes: notesAll)
        if excluded.contains(where: { $0.rule == d.pgxRule.id }) {
            add(
                "med.pgx", .medication, .note, title: "Pharmacogenomic findings changed the choice", detail: d.pgxRule.text, rule: d.pgxRule.id,
                source: pgxSource, why: excluded.filter { $0.rule == d.pgxRule.id }.map { "\($0.agent ?? $0.classId): \($0.reason)" }.joined(separator: "\n"),
                verify: d.pgxRule.verify)
        }
        for ex in d.conditionExclusions where input.conditions.has(ex.condition) {
            add(
                "med.\(ex.id)", .medication, .note, title: "Excluded because of \(ex.condition)", detail: ex.text, rule: ex.id, source: cite(src, ex.source),
                why: "\(ex.condition) recorded.", verify: ex.verify)
        }
        for note in d.conditionNotes where input.conditions.has(note.condition) {
            add(
                "med.\(note.id)", .medication, .note, title: "Note: \(note.condition)", detail: note.text, rule: note.id, source: cite(src, note.source),
                why: "\(note.condition) recorded" + (input.labs.uacr.map { "; UACR \(Fmt.n($0)) mg/g" } ?? "") + (input.labs.egfr.map { "; eGFR \(Fmt.n($0))" } ?? "") + ".",
                verify: note.verify)
        }
        if input.guideline == .ahaAcc2025, let bmi = input.factors.bmi, bmi >= d.glp1Obesity.bmiAtLeast {
            add(
                "med.glp1", .medication, .note, title: "Consider a GLP-1 receptor agonist as an adjunct (obesity)", detail: d.glp1Obesity.text,
                rule: d.glp1Obesity.id, source: cite(src, d.glp1Obesity.source),
                why: "BMI \(Fmt.n(bmi)) ≥ \(Fmt.n(d.glp1Obesity.bmiAtLeast)) and drug therapy indicated.", verify: d.glp1Obesity.verify)
        }
    }

    // MARK: Diabetes

    mutating func diabetesSection() {
        guard input.conditions.diabetes == .type2 else { return }
        let dm = k.diabetes
        let src = dm.sources
        let det = input.diabetes ?? DiabetesDetails()
        if input.diabetes == nil { missing.append("diabetes details (duration, treatment, hypoglycaemia history)") }
        var chosen: DiabetesRules.A1CTarget?
        var why = ""
        if let status = det.olderAdultStatus, let t = dm.a1cTargets.first(where: { $0.olderStatus == status.rawValue }) {
            chosen = t
            why = "Older adult with \(status.rawValue) health status."
        }
        if chosen == nil, let t = dm.a1cTargets.first(where: { $0.criteriaAny != nil }) {
            let flags: [String: Bool] = [
                "severeHypoglycaemiaHistory": det.severeHypoglycaemiaHistory, "limitedLifeExpectancy": det.limitedLifeExpectancy,
                "advancedComplications": det.advancedComplications, "extensiveComorbidity": det.extensiveComorbidity,
            ]
            let met = (t.criteriaAny ?? []).filter { flags[$0] == true }
            if !met.isEmpty {
                chosen = t
                why = "Less stringent because: " + met.joined(separator: ", ") + "."
            }
        }
        if chosen == nil, let t = dm.a1cTargets.first(where: { $0.criteriaAll != nil }) {
            let flags: [String: Bool?] = [
                "shortDuration": det.shortDuration, "lifestyleOrMetforminOnly": det.lifestyleOrMetforminOnly,
                "longLifeExpectancy": !det.limitedLifeExpectancy, "noCVD": !(input.conditions.clinicalASCVD || input.conditions.heartFailure),
            ]
            let unmet = (t.criteriaAll ?? []).filter { flags[$0] != .some(true) }
            if unmet.isEmpty {
                chosen = t
                why = "More stringent target is reasonable if safely achievable: short duration, lifestyle or metformin only, long life expectancy, no CVD."
            } else {
                why = "Default target; the more stringent <6.5% needs all of: \(t.criteriaAll!.joined(separator: ", ")) (not met or not known: \(unmet.joined(separator: ", ")))."
            }
        }
        let target = chosen ?? dm.a1cTargets.first { $0.id == "dm.a1c.default" } ?? dm.a1cTargets[0]
        a1cBelow = target.below
        let a1cText = input.labs.a1c.map { "current A1C \(Fmt.n($0))%" } ?? "no current A1C"
        add(
            "dm.a1c-target", .diabetes, .target, title: target.below.map { "A1C target: below \(Fmt.n($0))%" } ?? "A1C: avoid reliance on A1C; avoid hypoglycaemia",
            detail: target.text, rule: target.id, source: cite(src, target.source), why: why + " (\(a1cText); no race adjustment)", verify: target.verify)
        if input.labs.a1c == nil { missing.append("A1C (labs.a1c)") }
        // CGM target set.
        let set = (det.olderAdultStatus != nil || det.highHypoglycaemiaRisk) ? "cgm.older-high-risk" : "cgm.standard"
        if let c = dm.cgmTargets.first(where: { $0.id == set }) {
            cgm = c
            var parts = ["time in range \(Fmt.n(c.tirLowMgdl))–\(Fmt.n(c.tirHighMgdl)) mg/dL >\(Fmt.n(c.tirAbovePercent))%"]
            if let v = c.tbr70BelowPercent { parts.append("below 70 <\(Fmt.n(v))%") }
            if let v = c.tbr54BelowPercent { parts.append("below 54 <\(Fmt.n(v))%") }
            if let v = c.tar180BelowPercent { parts.append("above 180 <\(Fmt.n(v))%") }
            if let v = c.tar250BelowPercent { parts.append("above 250 <\(Fmt.n(v))%") }
            if let v = c.cvAtMostPercent { parts.append("CV ≤\(Fmt.n(v))%") }
            add(
                "dm.cgm", .diabetes, .target, title: "CGM targets (\(c.name)): " + parts.joined(separator: "; "),
                detail: "Data sufficiency: \(c.sufficiency). " + dm.cgmNotes.text, rule: c.id, source: cite(src, c.source),
                why: set == "cgm.standard" ? "Adult with type 2 diabetes, not flagged older or at high hypoglycaemia risk." : "Older or at high risk of hypoglycaemia.",
                verify: c.verify, notes: det.usesCGM ? [] : ["Not currently using CGM: these targets apply if CGM is used."])
        }
        let g = dm.glucose
        add(
            "dm.glucose", .diabetes, .target, title: "Glucose: pre-meal \(Fmt.n(g.preMealMgdl[0]))–\(Fmt.n(g.preMealMgdl[1])) mg/dL; peak after meals <\(Fmt.n(g.postMealBelowMgdl)) mg/dL",
            detail: g.text, rule: g.id, source: cite(src, g.source), why: "Type 2 diabetes.", verify: g.verify)
        let t = dm.testing
        let atGoal: Bool? = input.labs.a1c.flatMap { a in target.below.map { a < $0 } }
        add(
            "dm.testing", .diabetes, .monitoring, title: atGoal == true ? t.atGoal : t.notAtGoal, detail: t.text, rule: t.id, source: cite(src, t.source),
            why: atGoal == nil ? "No current A1C at or below goal on file: test every 3 months until at goal." : "\(a1cText) \(atGoal! ? "is" : "is not") below the target.",
            verify: t.verify)
        let hy = dm.hypoglycaemia
        add(
            "dm.hypoglycaemia", .diabetes, .note, title: "Hypoglycaemia: level 1 <\(Fmt.n(hy.level1BelowMgdl)), level 2 <\(Fmt.n(hy.level2BelowMgdl)) mg/dL",
            detail: hy.text, rule: hy.id, source: cite(src, hy.source),
            why: det.severeHypoglycaemiaHistory ? "History of severe hypoglycaemia recorded." : "Type 2 diabetes.", verify: hy.verify)
    }

    // MARK: Surveillance

    mutating func surveillanceSection() {
        let s = k.surveillance
        for finding in input.hereditary {
            let sig = Matcher.norm(finding.significance)
            let pathogenic = (sig.contains("pathogenic") && !sig.contains("uncertain") && !sig.contains("conflicting") && !sig.contains("benign"))
            guard let gene = s.genes.first(where: { $0.gene.uppercased() == finding.gene.uppercased() }) else {
                missing.append("no surveillance rule for \(finding.gene) in the pack (not an ACMG SF gene): review with genetics")
                continue
            }
            let key = gene.inSFv32 ? "acmg-sf-v3.2" : "acmg-sf-v3.3"
            guard pathogenic else {
                add(
                    "surv.\(gene.gene).not-actionable", .surveillance, .note, title: "\(gene.gene): \(finding.significance) — no surveillance item",
                    detail: s.reportingRule.text, rule: s.reportingRule.id, source: cite(s.sources, key),
                    why: "\(gene.gene) variant classified \(finding.significance); only P/LP variants are actionable.", verify: gene.verify)
                continue
            }
            let recessive = gene.inheritance.hasPrefix("AR")
            if recessive, let alleles = finding.alleles, alleles < 2 {
                add(
                    "surv.\(gene.gene).carrier", .surveillance, .note, title: "\(gene.gene): carrier (one P/LP allele) — not a secondary-finding result",
                    detail: s.reportingRule.text, rule: s.reportingRule.id, source: cite(s.sources, key),
                    why: "\(gene.gene) is autosomal recessive (\(gene.condition)); one P/LP allele reported.", verify: gene.verify)
                continue
            }
            var notes: [String] = []
            if recessive && finding.alleles == nil { notes.append("Autosomal recessive: actionable only with two P/LP alleles; zygosity was not given.") }
            if gene.variantsToReport != "All P/LP" { notes.append("ACMG reporting rule for \(gene.gene): \(gene.variantsToReport).") }
            let clinic = gene.category == "Cancer" ? "cancer-genetics" : "genetics"
            add(
                "surv.\(gene.gene)", .surveillance, .referral, title: "Refer to a \(clinic) clinic: \(gene.condition) (\(gene.gene))",
                detail: s.referralRule.text, rule: s.referralRule.id, source: cite(s.sources, key),
                why: "\(gene.gene) \(finding.significance) (\(gene.inheritance)); ACMG SF gene for \(gene.condition).", verify: gene.verify || s.referralRule.verify,
                notes: notes)
        }
    }

    // MARK: Goals

    mutating func goals() {
        let gr = k.goals
        func template(_ id: String) -> GoalRules.Template? { gr.templates.first { $0.intervention == id } }
        func fill(_ text: String, _ values: [String: String]) -> String {
            var t = text
            for (k, v) in values { t = t.replacingOccurrences(of: "{\(k)}", with: v) }
            return t
        }
        let minConf = gr.confidenceRule.minimumConfidence
        for (intervention, itemId) in rankedForGoals {
            guard let t = template(intervention) else { continue }
            let r = input.preferences.domains[intervention]
            let confidence = r?.confidence
            let shrink = t.shrinkable && (confidence.map { $0 < minConf } ?? false)
            let factor = shrink ? gr.confidenceRule.shrinkFactor : 1
            var values: [String: String] = ["dueWeeks": String(t.dueWeeks)]
            var target = GoalTarget(measureLOINC: t.measure, low: t.target?.low, high: t.target?.high, unit: t.target?.unit ?? "1", due: input.asOf.adding(weeks: t.dueWeeks))
            var full: [String: String] = values
            if let m = t.minutesPerDay {
                values["minutesPerDay"] = Fmt.n((m * factor).rounded())
                full["minutesPerDay"] = Fmt.n(m)
            }
            if let d = t.daysPerWeek {
                values["daysPerWeek"] = Fmt.n(intervention == "dash" ? (d * factor).rounded(.up) : d)
                full["daysPerWeek"] = Fmt.n(d)
            }
            if let m = t.minutesPerDay, let d = t.daysPerWeek {
                values["minutesPerWeek"] = Fmt.n((m * factor).rounded() * d)
                full["minutesPerWeek"] = Fmt.n(m * d)
                if intervention == "aerobic" { target.low = (m * factor).rounded() * d }
            }
            if intervention == "weight" {
                let iv = k.lifestyle.interventions.first { $0.id == "weight" }
                let deltas = categoryRank >= 2 ? iv?.deltaSBPHypertension : iv?.deltaSBPNormotension
                let kg = (deltas?.last ?? 5) / (iv?.mmHgPerKg ?? 1)
                values["kg"] = Fmt.n(kg * factor)
                full["kg"] = Fmt.n(kg)
                if let w = input.factors.weightKg {
                    values["targetWeight"] = Fmt.n(w - kg * factor)
                    full["targetWeight"] = Fmt.n(w - kg)
                    target.high = w - kg * factor
                } else {
                    values["targetWeight"] = "current weight minus \(Fmt.n(kg * factor))"
                    full["targetWeight"] = "current weight minus \(Fmt.n(kg))"
                }
            }
            if intervention == "alcohol" {
                let limit = input.sex == .male ? 2.0 : 1.0
                values["limit"] = Fmt.n(limit)
                target.high = limit
            }
            let description = fill(t.description, values)
            let why =
                shrink
                ? "Confidence \(Fmt.n(confidence ?? 0)) < \(Fmt.n(minConf)): a smaller first step (\(gr.confidenceRule.text))"
                : confidence.map { value in
                    value >= minConf
                        ? "Confidence \(Fmt.n(value)) ≥ \(Fmt.n(minConf))."
                        // This goal has no smaller step in the pack: say so rather than claim the threshold is met.
                        : "Confidence \(Fmt.n(value)) < \(Fmt.n(minConf)) and this goal has no smaller first step: agree what would make it achievable before accepting it (\(gr.confidenceRule.text))."
                } ?? "Confidence not rated: ask before agreeing the goal."
            goalList.append(
                ProposedGoal(
                    id: "goal-\(intervention)", description: description, category: GoalCategory(rawValue: t.category) ?? .behavioral, target: target,
                    tracking: t.tracking, planItem: itemId, lifecycleStatus: .proposed, achievementStatus: nil, expressedByPatient: false, shrunk: shrink,
                    nextStep: shrink ? fill(t.description, full) : nil, why: why, history: []))
        }
        if let h = htn, categoryRank >= 2, let t = template("bp") {
            goalList.append(
                ProposedGoal(
                    id: "goal-bp", description: fill(t.description, ["sbp": Fmt.n(h.targetSBP), "dueWeeks": String(t.dueWeeks)]), category: .physiologic,
                    target: GoalTarget(measureLOINC: t.measure, high: h.targetSBP, unit: "mm[Hg]", due: input.asOf.adding(weeks: t.dueWeeks)),
                    tracking: t.tracking, planItem: "htn.target", lifecycleStatus: .proposed, achievementStatus: nil, expressedByPatient: false, shrunk: false,
                    nextStep: nil, why: "\(h.categoryName); target <\(Fmt.n(h.targetSBP))/\(Fmt.n(h.targetDBP)) mmHg.", history: []))
        }
        if let a1c = a1cBelow, let t = template("a1c") {
            goalList.append(
                ProposedGoal(
                    id: "goal-a1c", description: fill(t.description, ["a1c": Fmt.n(a1c), "dueWeeks": String(t.dueWeeks)]), category: .physiologic,
                    target: GoalTarget(measureLOINC: t.measure, high: a1c, unit: "%", due: input.asOf.adding(weeks: t.dueWeeks)), tracking: t.tracking,
                    planItem: "dm.a1c-target", lifecycleStatus: .proposed, achievementStatus: nil, expressedByPatient: false, shrunk: false, nextStep: nil,
                    why: "Individualised A1C target <\(Fmt.n(a1c))%.", history: []))
        }
    }

    mutating func dataGapItem() {
        guard !missing.isEmpty else { return }
        add(
            "data.missing", .dataGaps, .note, title: "Information that would change or complete this plan", detail: missing.joined(separator: "\n"),
            rule: k.hypertension.riskMissing.id, source: cite(k.hypertension.sources, k.hypertension.riskMissing.source),
            why: "Missing inputs are listed, never assumed to be normal or low risk.", verify: false)
    }
}

/// Name matching for allergies, medications and PGx drugs (lower-cased words; agents and class aliases).
enum Matcher {
    enum Action { case alternative, dose, none }

    static func norm(_ s: String) -> String { s.lowercased().trimmingCharacters(in: .whitespacesAndNewlines) }

    /// "Lisinopril 10 mg" matches "lisinopril"; "metoprolol succinate" matches "metoprolol".
    static func sameDrug(_ text: String, _ drug: String) -> Bool {
        let words = norm(text).split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "-" }).map(String.init)
        return words.contains(norm(drug))
    }

    static func matches(_ text: String, drugClass c: DrugRules.DrugClass) -> Bool {
        let t = norm(text)
        if c.agents.contains(where: { sameDrug(t, $0.name) }) { return true }
        return c.aliases.contains { alias in
            let a = norm(alias)
            guard let range = t.range(of: a) else { return false }
            // whole-word containment (so "arb" does not match "carbamazepine")
            let before = range.lowerBound == t.startIndex ? nil : t[t.index(before: range.lowerBound)]
            let after = range.upperBound == t.endIndex ? nil : t[range.upperBound]
            return !(before?.isLetter ?? false) && !(after?.isLetter ?? false)
        }
    }

    /// The finding's own flags when given; otherwise its text ("alternative"/"avoid" before "dose").
    static func action(_ f: PGxInput) -> Action {
        if f.alternativeRecommended == true { return .alternative }
        if f.doseAdjustment == true { return .dose }
        if f.alternativeRecommended == false, f.doseAdjustment == false { return .none }
        let t = norm(f.recommendation)
        if t.contains("alternative") || t.contains("avoid") || t.contains("contraindicated") { return .alternative }
        if t.contains("dose") { return .dose }
        return .none
    }

    static func quote(_ f: PGxInput) -> String {
        "\(f.gene) \(f.phenotype) — \(f.source)\(f.classification.map { " (\($0))" } ?? ""): \"\(f.recommendation)\""
    }
}
