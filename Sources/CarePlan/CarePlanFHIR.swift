import Foundation

/// A JSON value for FHIR export: typed, Sendable and Equatable, so tests can inspect the shape without `Any`.
public enum JSONValue: Sendable, Hashable, Codable {
    case string(String), number(Double), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    public subscript(_ key: String) -> JSONValue? { if case .object(let o) = self { o[key] } else { nil } }
    public subscript(_ index: Int) -> JSONValue? { if case .array(let a) = self, a.indices.contains(index) { a[index] } else { nil } }
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var number: Double? { if case .number(let n) = self { n } else { nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .number(let n): if n == n.rounded(), abs(n) < 1e15 { try c.encode(Int(n)) } else { try c.encode(n) }
        case .bool(let b): try c.encode(b)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        case .null: try c.encodeNil()
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null } else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) { self = .string(s) } else if let a = try? c.decode([JSONValue].self) { self = .array(a) } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// Compact JSON with sorted keys (stable output for diffs and tests).
    public func jsonString(pretty: Bool = false) -> String {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return (try? e.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "null"
    }
}

/// FHIR R4 export of a plan and its goals (https://hl7.org/fhir/R4/careplan.html, goal.html).
public enum CarePlanFHIR {
    static let loinc = "http://loinc.org"
    static let ucum = "http://unitsofmeasure.org"

    /// CarePlan: `draft`/`proposal` until the patient has accepted at least one goal, then `active`/`plan`.
    public static func carePlan(_ plan: CarePlan, patientReference: String) -> JSONValue {
        let agreed = plan.goals.contains { $0.expressedByPatient && [.accepted, .active].contains($0.lifecycleStatus) }
        let activities: [JSONValue] = plan.items.filter { $0.kind != .note && $0.kind != .assessment }.map { item in
            let goalRefs = plan.goals.filter { $0.planItem == item.id }.map { JSONValue.object(["reference": .string("Goal/\($0.id)")]) }
            var detail: [String: JSONValue] = [
                "kind": .string(item.kind == .medication ? "MedicationRequest" : item.kind == .referral ? "ServiceRequest" : "Task"),
                "code": .object([
                    "coding": .array([.object(["system": .string("urn:tailor:careplan:rule"), "code": .string(item.rule), "display": .string(item.title)])]),
                    "text": .string(item.title),
                ]),
                "status": .string("not-started"),
                "description": .string(item.detail + " Why: " + item.why + " Source: " + item.source.citation),
            ]
            if !goalRefs.isEmpty { detail["goal"] = .array(goalRefs) }
            return .object(["detail": .object(detail)])
        }
        return .object([
            "resourceType": .string("CarePlan"),
            "status": .string(agreed ? "active" : "draft"),
            "intent": .string(agreed ? "plan" : "proposal"),
            "title": .string("Tailor care plan (\(plan.packName) \(plan.packVersion), \(plan.guideline.rawValue))"),
            "subject": .object(["reference": .string(patientReference)]),
            "created": .string(plan.asOf.description),
            "goal": .array(plan.goals.filter { $0.lifecycleStatus != .rejected }.map { .object(["reference": .string("Goal/\($0.id)")]) }),
            "activity": .array(activities),
        ])
    }

    /// Goal as in the brief's minimal example: lifecycleStatus, achievementStatus, category, description, subject,
    /// expressedBy (only when the patient agreed), target (measure, detailQuantity/detailRange, dueDate).
    public static func goal(_ goal: ProposedGoal, patientReference: String) -> JSONValue {
        var o: [String: JSONValue] = [
            "resourceType": .string("Goal"),
            "id": .string(goal.id),
            "lifecycleStatus": .string(goal.lifecycleStatus.rawValue),
            "description": .object(["text": .string(goal.description)]),
            "subject": .object(["reference": .string(patientReference)]),
        ]
        if let a = goal.achievementStatus {
            o["achievementStatus"] = .object([
                "coding": .array([.object(["system": .string("http://terminology.hl7.org/CodeSystem/goal-achievement"), "code": .string(a.rawValue)])])
            ])
        }
        switch goal.category {
        case .dietary, .behavioral:
            o["category"] = .array([
                .object(["coding": .array([.object(["system": .string("http://terminology.hl7.org/CodeSystem/goal-category"), "code": .string(goal.category.rawValue)])])])
            ])
        case .physiologic:
            o["category"] = .array([.object(["text": .string("physiologic")])])
        }
        if goal.expressedByPatient { o["expressedBy"] = .object(["reference": .string(patientReference)]) }
        var target: [String: JSONValue] = ["dueDate": .string(goal.target.due.description)]
        if let m = goal.target.measureLOINC { target["measure"] = .object(["coding": .array([.object(["system": .string(loinc), "code": .string(m)])])]) }
        func quantity(_ v: Double) -> JSONValue {
            .object(["value": .number(v), "unit": .string(goal.target.unit), "system": .string(ucum), "code": .string(goal.target.unit)])
        }
        switch (goal.target.low, goal.target.high) {
        case (let low?, let high?) where low == high: target["detailQuantity"] = quantity(low)
        case (nil, nil): break
        case (let low, let high):
            var range: [String: JSONValue] = [:]
            if let low { range["low"] = quantity(low) }
            if let high { range["high"] = quantity(high) }
            target["detailRange"] = .object(range)
        }
        o["target"] = .array([.object(target)])
        if !goal.history.isEmpty {
            o["note"] = .array(goal.history.map { .object(["time": .string($0.date.description), "text": .string($0.change)]) })
        }
        return .object(o)
    }
}

/// Plain-language text of a plan for the CLI.
public enum CarePlanText {
    public static func render(_ plan: CarePlan) -> String {
        var out = "Care plan (\(plan.packName) \(plan.packVersion); guideline \(plan.guideline.rawValue); as of \(plan.asOf))\n"
        let titles: [PlanSection: String] = [
            .hypertension: "Blood pressure", .lifestyle: "Lifestyle (ranked for you)", .stress: "Stress", .medication: "Medicines",
            .diabetes: "Diabetes", .surveillance: "Hereditary risk and surveillance", .dataGaps: "Missing information",
        ]
        for section in PlanSection.allCases {
            let items = plan.items(in: section)
            guard !items.isEmpty else { continue }
            out += "\n== \(titles[section] ?? section.rawValue) ==\n"
            for item in items {
                out += "- \(item.title)\(item.verify ? " [to verify]" : "")\n"
                out += "    \(item.detail.replacingOccurrences(of: "\n", with: "\n    "))\n"
                out += "    Why: \(item.why)\n"
                for note in item.notes { out += "    Note: \(note)\n" }
                out += "    Source: \(item.source.citation)\(item.source.url.map { " <\($0)>" } ?? "")\(item.evidence.map { "; evidence: \($0)" } ?? "")\n"
            }
        }
        if !plan.goals.isEmpty {
            out += "\n== Goals to agree together ==\n"
            for g in plan.goals {
                out += "- \(g.description) (due \(g.target.due); \(g.lifecycleStatus.rawValue))\n    \(g.why)\n"
                if let next = g.nextStep { out += "    Next step when ready: \(next)\n" }
            }
        }
        return out
    }
}
