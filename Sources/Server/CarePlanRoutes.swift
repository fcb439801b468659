import CarePlan
import Foundation
import Hummingbird
import Monitoring
public import Records
import Risk
import Store

/// Patient factors, care plans and goals (issue #9 items 1–3 and 5).
///
/// - `GET|PUT /api/v1/patients/{id}/factors`: the structured intake (lifestyle, environment, psychosocial state,
///   preferences). `PUT` records the fields sent, each as a dated factor entry; the newest value of each wins.
/// - `GET /api/v1/patients/{id}/care-plan?guideline=aha-acc-2025|acc-aha-2017&format=json|fhir|text`: the plan the
///   engine proposes from the record now, with the notes on what it read and assumed. Nothing is stored.
/// - `POST /api/v1/patients/{id}/care-plan`: the care team saves the proposal; its goals become proposed goals.
/// - `GET /api/v1/patients/{id}/goals`: each goal's current version, with progress recomputed from the readings.
/// - `POST /api/v1/patients/{id}/goals/{goalID}/decision`: the patient accepts, edits or declines a goal.
/// - `GET /api/v1/patients/{id}/goals/{goalID}/history`: every version, who made it and when.
///
/// The clinical record, monitoring and genomic findings are each read under their own grant, so the patient's
/// consent applies to each exactly as in the rest of the API: a refusal of genomic use withholds PGx and hereditary
/// findings from the plan (and says so), it does not refuse the plan.
enum CarePlanRoutes {
    struct PlanAnswer: Encodable {
        var patientID: PatientID
        var plan: CarePlan
        var notes: [String]
        var monitoring: MonitoringSummary?
        /// The agreed blood-pressure goal's status from the readings (`no-progress` after 12 weeks proposes a review).
        var bloodPressureGoal: GoalAssessment?
        var disclaimer = CarePlanRoutes.disclaimer
    }

    static let disclaimer =
        "Decision support for qualified clinicians and the patient together; not a diagnosis or an order. Each item cites its guideline and why it applies."

    struct GoalView: Encodable {
        var goalID: GoalID
        var version: Int
        var planID: CarePlanID?
        var goal: ProposedGoal
        var recordedAt: Int64
        var recordedRole: Role
        /// Progress from the readings (blood-pressure goals with a start date): FHIR achievement status and the reason.
        var progress: GoalAssessment?
    }

    static func add(to router: Router<TailorContext>, environment env: APIEnvironment, engine: CarePlanEngine) {
        let api = router.group("api/v1")

        // MARK: Factors
        router.get("api/v1/factors/questionnaire") { _, context -> Response in
            _ = try context.requirePrincipal()
            return Response(
                status: .ok, headers: [.contentType: "application/fhir+json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: try JSON.encoder.encode(PatientFactorCatalogue.questionnaire()))))
        }

        api.get("patients/:patientID/factors") { _, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let grant = try await env.grant(context, .read, .clinicalRecord, patient: id)
            let entries = try await env.store.entries(grant, patient: id, type: .factor, code: nil, limit: 1000, before: nil)
            struct Item: Encodable {
                var path: String
                var display: String
                var value: String
                var unit: String?
                var effectiveAt: Int64?
                var recordedBy: UserID
            }
            let items = PatientFactorCatalogue.current(entries).sorted { $0.key < $1.key }.map { path, entry in
                Item(
                    path: path, display: entry.display ?? entry.code, value: entry.valueText ?? entry.valueNumber.map { RiskFormat.number($0) } ?? "",
                    unit: entry.unit, effectiveAt: entry.effectiveAt, recordedBy: entry.recordedBy)
            }
            struct Answer: Encodable { var factors: [Item] }
            return try JSON.response(Answer(factors: items))
        }

        api.put("patients/:patientID/factors") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let entries: [RecordStore.NewEntry]
            if request.headers[.contentType]?.lowercased().hasPrefix("application/fhir+json") == true {
                // A QuestionnaireResponse to Tailor's factor Questionnaire, or Observations, alone or in a Bundle.
                entries = try PatientFactorCatalogue.entries(fromFHIR: try await request.fhirDocument(context: context), now: env.store.now())
            } else {
                entries = try PatientFactorCatalogue.entries(from: try await request.jsonObject(context: context), effectiveAt: env.store.now())
            }
            // Patients report their own factors; their care team may record them too.
            let grant = try await env.grant(context, .write, .clinicalRecord, patient: id)
            let stored = try await env.store.addEntries(grant, patient: id, entries)
            struct Answer: Encodable { var recorded: Int }
            return try JSON.response(Answer(recorded: stored.count), status: .created)
        }

        // MARK: Plan
        @Sendable func computePlan(_ request: Request, _ context: TailorContext, id: PatientID) async throws -> PlanAnswer {
            let guidelineText = try request.string("guideline", maxLength: 32) ?? GuidelineVersion.ahaAcc2025.rawValue
            guard let guideline = GuidelineVersion(rawValue: guidelineText) else {
                throw APIError.badRequest(
                    "guideline must be one of \(GuidelineVersion.allCases.map(\.rawValue).joined(separator: ", "))", field: "guideline")
            }
            let asOf = try request.instant("asOf") ?? env.store.now()
            return try await plan(env: env, engine: engine, principal: try context.requirePrincipal(), requestID: context.id, patient: id, guideline: guideline, asOf: asOf)
        }

        api.get("patients/:patientID/care-plan") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let format = try request.string("format", maxLength: 8) ?? "json"
            guard ["json", "fhir", "text"].contains(format) else { throw APIError.badRequest("format must be json, fhir or text", field: "format") }
            let answer = try await computePlan(request, context, id: id)
            switch format {
            case "fhir":
                return fhirResponse(plan: answer.plan, goals: answer.plan.goals.map { ($0.id, $0) }, patient: id)
            case "text":
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: CarePlanText.render(answer.plan) + "\n" + answer.notes.map { "note: " + $0 }.joined(separator: "\n") + "\n\n" + disclaimer + "\n")))
            default:
                return try JSON.response(answer)
            }
        }

        api.post("patients/:patientID/care-plan") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let principal = try context.requirePrincipal()
            guard principal.role == .clinician || principal.role == .geneticCounsellor else {
                // On record like any refusal: only the care team proposes plans.
                try await env.gate.recordEvent(
                    actor: principal.userID.rawValue, role: principal.role.rawValue, action: Action.write.rawValue,
                    resource: Resource.clinicalRecord.rawValue, patientID: id, outcome: .deny,
                    reason: "the care team proposes plans; patients accept, edit or decline their goals", requestID: context.id,
                    purpose: AccessPolicy.purpose(for: principal.role))
                throw APIError(.forbidden, "forbidden", "access denied: the care team proposes plans; patients accept, edit or decline their goals")
            }
            let answer = try await computePlan(request, context, id: id)
            let write = try await env.grant(context, .write, .clinicalRecord, patient: id)
            let newGoals = try answer.plan.goals.map { goal in
                RecordStore.NewGoal(lifecycleStatus: goal.lifecycleStatus.rawValue, document: try JSON.string(goal))
            }
            let (saved, versions) = try await env.store.saveCarePlan(
                write, patient: id, guideline: answer.plan.guideline.rawValue, knowledge: "\(answer.plan.packName) \(answer.plan.packVersion)",
                document: try JSON.string(answer), goals: newGoals)
            let goals = zip(answer.plan.goals, versions).map { goal, version in
                GoalView(goalID: version.goalID, version: 1, planID: saved.id, goal: goal, recordedAt: version.recordedAt, recordedRole: version.recordedRole)
            }
            struct Answer: Encodable {
                var planID: CarePlanID
                var createdAt: Int64
                var plan: PlanAnswer
                var goals: [GoalView]
            }
            var headers = HTTPFields()
            headers[.location] = "/api/v1/patients/\(id.rawValue)/goals"
            return try JSON.response(Answer(planID: saved.id, createdAt: saved.createdAt, plan: answer, goals: goals), status: .created, headers: headers)
        }

        // MARK: Goals
        @Sendable func currentGoals(_ context: TailorContext, id: PatientID) async throws -> [GoalView] {
            let grant = try await env.grant(context, .read, .clinicalRecord, patient: id)
            let versions = try await env.store.goalVersions(grant, patient: id)
            var latest: [GoalID: RecordStore.GoalVersion] = [:]
            for version in versions { latest[version.goalID] = version }
            return try latest.values.sorted { $0.goalID < $1.goalID }.map { version in
                GoalView(
                    goalID: version.goalID, version: version.version, planID: version.planID,
                    goal: try JSON.decoder.decode(ProposedGoal.self, from: Data(version.document.utf8)), recordedAt: version.recordedAt,
                    recordedRole: version.recordedRole)
            }
        }

        api.get("patients/:patientID/goals") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let format = try request.string("format", maxLength: 8) ?? "json"
            guard ["json", "fhir"].contains(format) else { throw APIError.badRequest("format must be json or fhir", field: "format") }
            var goals = try await currentGoals(context, id: id)
            // Progress for blood-pressure goals the patient has taken on: from the weekly home means since acceptance.
            let running: Set<GoalLifecycleStatus> = [.accepted, .active]
            if goals.contains(where: { running.contains($0.goal.lifecycleStatus) && $0.goal.target.measureLOINC == "8480-6" }) {
                let asOf = env.store.now()
                do {
                    let grant = try await env.grant(context, .read, .monitoring, patient: id)
                    let readings = try await env.store.readings(grant, patient: id, kinds: [.bloodPressure], from: asOf - 366 * 86_400_000, to: asOf)
                    for index in goals.indices where running.contains(goals[index].goal.lifecycleStatus) && goals[index].goal.target.measureLOINC == "8480-6" {
                        let goal = goals[index].goal
                        let started = goal.history.last { $0.status == .accepted }?.date ?? goal.target.due
                        let target = BPTarget(systolic: goal.target.high ?? BPTarget.standard.systolic, diastolic: BPTarget.standard.diastolic)
                        let summary = MonitoringSummary.compute(
                            readings, asOf: asOf, options: MonitoringOptions(bpTarget: target, goalStart: epochMillis(started)))
                        goals[index].progress = summary.goal
                    }
                } catch let denied as AccessDenied where !denied.accountInvalid && !denied.decision.notFound {
                    // Progress needs the readings; without them the goals are still shown.
                }
            }
            if format == "fhir" {
                return fhirResponse(plan: nil, goals: goals.map { ($0.goalID.fhirID, $0.goal) }, patient: id)
            }
            struct Answer: Encodable { var goals: [GoalView] }
            return try JSON.response(Answer(goals: goals))
        }

        api.post("patients/:patientID/goals/:goalID/decision") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let goalID = try context.parameters.id("goalID", as: GoalID.self)
            struct Body: Decodable {
                /// `accept`, `edit` or `decline`.
                var decision: String
                /// The version the decision was made on (the answer of GET …/goals).
                var version: Int
                var description: String?
                var target: GoalTarget?
                var reason: String?
                /// A care-team member recording the patient's own decision made with them in clinic.
                var recordedWithPatient: Bool?
            }
            let body = try await request.json(Body.self, context: context)
            let principal = try context.requirePrincipal()
            if principal.role != .patient && body.recordedWithPatient != true {
                throw APIError.unprocessable(
                    "invalid_field", "recordedWithPatient: goals are the patient's to accept, edit or decline; a care-team member records a decision the patient made with them by setting recordedWithPatient", field: "recordedWithPatient")
            }
            let today = RiskDate(epochMillis: env.store.now())
            let date = PlanDate(year: today.year, month: today.month, day: today.day)
            let decision: GoalDecision
            switch body.decision {
            case "accept": decision = .accept(on: date)
            case "edit":
                guard body.description != nil || body.target != nil else {
                    throw APIError.unprocessable("invalid_field", "edit: send a new description, target or both", field: "description")
                }
                if let description = body.description, !(1...300).contains(description.count) {
                    throw APIError.unprocessable("invalid_field", "description: 1–300 characters", field: "description")
                }
                decision = .edit(on: date, description: body.description, target: body.target)
            case "decline":
                guard let reason = body.reason, (1...300).contains(reason.count) else {
                    throw APIError.unprocessable("invalid_field", "reason: say why in 1–300 characters (it helps the plan adapt)", field: "reason")
                }
                decision = .decline(on: date, reason: reason)
            default:
                throw APIError.unprocessable("invalid_field", "decision must be accept, edit or decline", field: "decision")
            }
            let readGrant = try await env.grant(context, .read, .clinicalRecord, patient: id)
            let history = try await env.store.goalVersions(readGrant, patient: id, goal: goalID)
            guard let current = history.last else { throw APIError(.notFound, "not_found", "no goal \(goalID) for this patient") }
            guard current.version == body.version else {
                throw APIError(
                    .conflict, "conflict", "goal \(goalID) is at version \(current.version), not \(body.version): reload it and decide again", field: "version")
            }
            let goal = try JSON.decoder.decode(ProposedGoal.self, from: Data(current.document.utf8))
            let updated = try apply(decision, to: goal)
            let action = ["accept": "accepted", "edit": "edited", "decline": "declined"][body.decision]!
            let grant = try await env.grant(context, .write, .clinicalRecord, patient: id)
            let stored = try await env.store.appendGoalVersion(
                grant, patient: id, goal: goalID, version: current.version + 1, planID: current.planID, lifecycleStatus: updated.lifecycleStatus.rawValue,
                action: action, note: body.reason ?? (principal.role == .patient ? nil : "recorded with the patient by \(principal.username)"),
                document: try JSON.string(updated))
            return try JSON.response(
                GoalView(
                    goalID: goalID, version: stored.version, planID: stored.planID, goal: updated, recordedAt: stored.recordedAt,
                    recordedRole: stored.recordedRole))
        }

        api.get("patients/:patientID/goals/:goalID/history") { _, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let goalID = try context.parameters.id("goalID", as: GoalID.self)
            let grant = try await env.grant(context, .read, .clinicalRecord, patient: id)
            let history = try await env.store.goalVersions(grant, patient: id, goal: goalID)
            guard !history.isEmpty else { throw APIError(.notFound, "not_found", "no goal \(goalID) for this patient") }
            struct Version: Encodable {
                var version: Int
                var action: String
                var lifecycleStatus: String
                var note: String?
                var recordedAt: Int64
                var recordedBy: UserID
                var recordedRole: Role
                var goal: ProposedGoal
            }
            struct Answer: Encodable { var goalID: GoalID; var versions: [Version] }
            return try JSON.response(
                Answer(
                    goalID: goalID,
                    versions: try history.map {
                        Version(
                            version: $0.version, action: $0.action, lifecycleStatus: $0.lifecycleStatus, note: $0.note, recordedAt: $0.recordedAt,
                            recordedBy: $0.recordedBy, recordedRole: $0.recordedRole, goal: try JSON.decoder.decode(ProposedGoal.self, from: Data($0.document.utf8)))
                    }))
        }
    }

    /// The plan for one patient as `principal` may see it: the clinical record, monitoring and findings each read under
    /// their own audited decision (a refusal of the last two leaves them out, in the notes). Used by the API and by
    /// `tailor plan`.
    static func plan(
        env: APIEnvironment, engine: CarePlanEngine, principal: Principal, requestID: String, patient id: PatientID, guideline: GuidelineVersion,
        asOf: Int64
    ) async throws -> PlanAnswer {
        let at = RiskDate(epochMillis: asOf)
        let grant = try await env.gate.authorize(principal, .read, .clinicalRecord, patient: id, requestID: requestID)
        let record = try await env.store.riskRecord(
            grant, patient: id, observationCodes: RiskRecordCodes.observationCodes + [CarePlanMapping.diastolicLOINC, CarePlanMapping.potassiumLOINC])
        let factors = try await env.store.entries(grant, patient: id, type: .factor, code: nil, limit: 1000, before: nil)
        var withheld: [String] = []
        var readings: [Reading]?
        do {
            let monitoring = try await env.gate.authorize(principal, .read, .monitoring, patient: id, requestID: requestID)
            readings = try await env.store.readings(monitoring, patient: id, from: asOf - 366 * 86_400_000, to: asOf, limit: 500_000)
        } catch let denied as AccessDenied where !denied.accountInvalid && !denied.decision.notFound {
            withheld.append("home monitoring not used: \(denied.decision.reason)")
        }
        var findings: [Finding]?
        do {
            let genomic = try await env.gate.authorize(principal, .read, .findings, patient: id, requestID: requestID)
            findings = try await env.store.findings(genomic, patient: id, limit: 5000)
        } catch let denied as AccessDenied where !denied.accountInvalid && !denied.decision.notFound {
            withheld.append("genomic findings (PGx, hereditary) not used: \(denied.decision.reason)")
        }
        let riskInput = RiskRecordMapping.input(patient: record.patient, entries: record.entries, at: at)
        let profile = env.risk.build(riskInput, at: at)
        let mapped = try CarePlanMapping.input(
            CarePlanRecord(patient: record.patient, entries: record.entries + factors, readings: readings, findings: findings, withheld: withheld),
            riskInput: riskInput, risk: profile, guideline: guideline, asOf: asOf)
        let plan = try makePlan(engine, mapped.input)
        var notes = mapped.notes
        // An agreed blood-pressure goal: its progress from the readings, and a review when control is not reached.
        var bpGoal: GoalAssessment?
        if let readings {
            let versions = try await env.store.goalVersions(grant, patient: id)
            var latest: [GoalID: RecordStore.GoalVersion] = [:]
            for version in versions { latest[version.goalID] = version }
            let goals = latest.values.compactMap { try? JSON.decoder.decode(ProposedGoal.self, from: Data($0.document.utf8)) }
            if let goal = goals.first(where: { [.accepted, .active].contains($0.lifecycleStatus) && $0.target.measureLOINC == "8480-6" }),
                let started = goal.history.last(where: { $0.status == .accepted }).flatMap({ epochMillis($0.date) })
            {
                let target = BPTarget(systolic: goal.target.high ?? BPTarget.standard.systolic, diastolic: BPTarget.standard.diastolic)
                bpGoal = MonitoringSummary.compute(readings, asOf: asOf, options: MonitoringOptions(bpTarget: target, goalStart: started)).goal
                if let bpGoal, bpGoal.reviewProposed { notes.append("review proposed for the blood-pressure goal: \(bpGoal.reason)") }
            }
        }
        return PlanAnswer(patientID: id, plan: plan, notes: notes, monitoring: mapped.bpSummary, bloodPressureGoal: bpGoal)
    }

    /// The engine's answer, or its input error as a 422 naming the field.
    static func makePlan(_ engine: CarePlanEngine, _ input: CarePlanInput) throws(APIError) -> CarePlan {
        do {
            return try engine.plan(input)
        } catch {
            throw APIError.unprocessable("invalid_field", error.description, field: error.field)
        }
    }

    /// A goal decision, or 409 when the goal's state does not allow it (declining a goal already completed).
    static func apply(_ decision: GoalDecision, to goal: ProposedGoal) throws(APIError) -> ProposedGoal {
        do {
            return try GoalLifecycle.apply(decision, to: goal)
        } catch {
            throw APIError(.conflict, "invalid_transition", error.description)
        }
    }

    /// Midnight UTC of a plan date.
    static func epochMillis(_ date: PlanDate) -> Int64? {
        RiskDate(iso: date.description).map { Int64($0.daysSinceEpoch) * 86_400_000 }
    }

    /// A FHIR R4 `collection` Bundle of the CarePlan (when given) and its Goals.
    static func fhirResponse(plan: CarePlan?, goals: [(String, ProposedGoal)], patient: PatientID) -> Response {
        Response(status: .ok, headers: [.contentType: "application/fhir+json; charset=utf-8"], body: .init(byteBuffer: fhirBundle(plan: plan, goals: goals, patient: patient)))
    }

    static func fhirBundle(plan: CarePlan?, goals: [(String, ProposedGoal)], patient: PatientID) -> ByteBuffer {
        let reference = "Patient/\(patient.fhirID)"
        var entries: [JSONValue] = []
        if let plan { entries.append(.object(["resource": CarePlanFHIR.carePlan(plan, patientReference: reference)])) }
        for (id, goal) in goals {
            var goal = goal
            goal.id = id
            entries.append(.object(["resource": CarePlanFHIR.goal(goal, patientReference: reference)]))
        }
        let bundle = JSONValue.object(["resourceType": .string("Bundle"), "type": .string("collection"), "entry": .array(entries)])
        return ByteBuffer(string: bundle.jsonString())
    }
}

extension Request {
    /// A JSON object body (for documents whose fields are checked one by one), at most the context's limit.
    func jsonObject(context: TailorContext) async throws -> [String: JSONDocument] {
        guard case .object(let object) = try await json(JSONDocument.self, context: context) else {
            throw APIError.badRequest("the body must be a JSON object")
        }
        return object
    }
}

extension Request {
    /// A FHIR JSON body (`application/fhir+json`), at most the context's limit.
    func fhirDocument(context: TailorContext) async throws -> JSONDocument {
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: context.maxUploadSize)
        } catch {
            throw APIError(.contentTooLarge, "too_large", "the body is larger than \(context.maxUploadSize) bytes")
        }
        do {
            return try JSON.decoder.decode(JSONDocument.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("the body is not JSON")
        }
    }
}

/// Any JSON value, decoded strictly: `true` is never the number 1 and `0` is never `false` (JSONSerialization on
/// Linux cannot tell them apart, which would let a yes/no answer pass as a count).
enum JSONDocument: Codable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONDocument]), object([String: JSONDocument])

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let value): try c.encode(value)
        case .number(let value): try c.encode(value)
        case .string(let value): try c.encode(value)
        case .array(let value): try c.encode(value)
        case .object(let value): try c.encode(value)
        }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let value = try? c.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? c.decode(Double.self) {
            self = .number(value)
        } else if let value = try? c.decode(String.self) {
            self = .string(value)
        } else if let value = try? c.decode([JSONDocument].self) {
            self = .array(value)
        } else {
            self = .object(try c.decode([String: JSONDocument].self))
        }
    }
}

extension TailorServer {
    /// What `tailor plan` prints.
    public enum PlanFormat: String, Sendable, CaseIterable {
        case text, json, fhir
    }

    /// The care plan for one patient, computed on this machine's record as the named account (a clinician or
    /// genetic counsellor on the patient's care team, or the patient): the same access decisions and audit entries as
    /// `GET /api/v1/patients/{id}/care-plan`, with request ID `cli`.
    public func carePlan(
        patient: PatientID, asUser username: String, guideline: String = "aha-acc-2025", asOf: Int64? = nil, format: PlanFormat = .text
    ) async throws -> String {
        guard let account = try await store.credentials(username: username)?.account, !account.disabled else {
            throw APIError(.unauthorized, "unknown_account", "no enabled account '\(username)'")
        }
        guard let version = GuidelineVersion(rawValue: guideline) else {
            throw APIError.badRequest("guideline must be one of \(GuidelineVersion.allCases.map(\.rawValue).joined(separator: ", "))", field: "guideline")
        }
        let answer = try await CarePlanRoutes.plan(
            env: environment, engine: carePlan, principal: account.principal, requestID: "cli", patient: patient, guideline: version,
            asOf: asOf ?? store.now())
        switch format {
        case .json: return try JSON.string(answer)
        case .fhir: return String(buffer: CarePlanRoutes.fhirBundle(plan: answer.plan, goals: answer.plan.goals.map { ($0.id, $0) }, patient: patient))
        case .text:
            return CarePlanText.render(answer.plan) + "\n" + answer.notes.map { "note: " + $0 }.joined(separator: "\n") + "\n\n" + CarePlanRoutes.disclaimer
        }
    }
}
