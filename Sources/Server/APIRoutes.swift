import Foundation
import HTTPTypes
import Hummingbird
import Records
import Risk
import Store

/// What the routes share: the gate every patient-data route goes through, the store, and settings.
struct APIEnvironment: Sendable {
    let gate: AccessGate
    let store: RecordStore
    let authenticator: Authenticator
    let breakGlassMillis: Int64
    /// The clinical risk equations, for the risk view.
    let risk: RiskProfileBuilder

    /// The single entry to patient data for a route: decide, audit, and return the grant (or throw the denial).
    func grant(_ context: TailorContext, _ action: Action, _ resource: Resource, patient: PatientID? = nil) async throws -> AccessGrant {
        let principal = try context.requirePrincipal()
        return try await gate.authorize(principal, action, resource, patient: patient, requestID: context.id)
    }
}

/// Request-reading helpers that turn bad input into 400/404/422 naming the parameter.
extension Request {
    func integer(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = uri.queryParameters[Substring(name)] else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.badRequest("query parameter '\(name)' must be a whole number in \(range.lowerBound)...\(range.upperBound)", field: name)
        }
        return number
    }

    func optionalInt64(_ name: String) throws -> Int64? {
        guard let text = uri.queryParameters[Substring(name)] else { return nil }
        guard let number = Int64(text), number >= 0 else {
            throw APIError.badRequest("query parameter '\(name)' must be a non-negative whole number", field: name)
        }
        return number
    }

    /// A moment in ms since 1970 between 1970 and 2100 (so date arithmetic on it cannot overflow).
    func instant(_ name: String) throws -> Int64? {
        guard let text = uri.queryParameters[Substring(name)] else { return nil }
        guard let number = Int64(text), (0...Self.latestInstant).contains(number) else {
            throw APIError.badRequest("query parameter '\(name)' must be ms since 1970, from 0 to \(Self.latestInstant) (year 2100)", field: name)
        }
        return number
    }

    /// 2100-01-01T00:00:00Z in ms.
    static let latestInstant: Int64 = 4_102_444_800_000

    /// A `YYYY-MM-DD` query parameter: a real calendar day in years 1800–2200 (the OpenAPI pattern says the same).
    func date(_ name: String) throws -> RiskDate? {
        guard let text = uri.queryParameters[Substring(name)] else { return nil }
        guard let date = RiskDate(iso: String(text)) else {
            throw APIError.badRequest("query parameter '\(name)' must be a date YYYY-MM-DD (a real calendar day, years 1800–2200)", field: name)
        }
        return date
    }

    func string(_ name: String, maxLength: Int = 200) throws -> String? {
        guard let text = uri.queryParameters[Substring(name)] else { return nil }
        guard !text.contains("\0") else { throw APIError.badRequest("query parameter '\(name)' contains a NUL character", field: name) }
        guard !text.isEmpty, text.unicodeScalars.count <= maxLength else {
            throw APIError.badRequest("query parameter '\(name)' must be 1–\(maxLength) characters", field: name)
        }
        return String(text)
    }

    func flag(_ name: String) throws -> Bool {
        guard let text = uri.queryParameters[Substring(name)] else { return false }
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default: throw APIError.badRequest("query parameter '\(name)' must be true or false", field: name)
        }
    }

    /// Decodes a JSON body of at most the context's limit, mapping errors to the API's shape.
    func json<T: Decodable>(_ type: T.Type, context: TailorContext) async throws -> T {
        if let contentType = headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "send the body as application/json")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: context.maxUploadSize)
        } catch {
            throw APIError(.contentTooLarge, "too_large", "the JSON body is larger than \(context.maxUploadSize) bytes")
        }
        let value: T
        do {
            value = try JSON.decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError.decoding(error)
        }
        // No text we keep may hold NUL (PostgreSQL cannot store it, and no clinical text needs it); unknown keys are
        // ignored, so only the decoded values are checked.
        if let field = Self.fieldWithNUL(value) {
            throw APIError.unprocessable("invalid_field", "\(field): text may not contain the NUL character (\\u0000)", field: field)
        }
        return value
    }
}

extension Request {
    /// The path of the first string inside a decoded body that holds NUL (`entries[0].display`), or `nil`.
    static func fieldWithNUL(_ value: Any, path: String = "") -> String? {
        if let text = value as? String { return text.contains("\0") ? (path.isEmpty ? "body" : path) : nil }
        let mirror = Mirror(reflecting: value)
        for (index, child) in mirror.children.enumerated() {
            let name: String
            switch mirror.displayStyle {
            case .collection, .set: name = "\(path)[\(index)]"
            case .optional, .enum: name = path
            default: name = child.label.map { path.isEmpty ? $0 : "\(path).\($0)" } ?? path
            }
            if let found = fieldWithNUL(child.value, path: name) { return found }
        }
        return nil
    }
}

extension Parameters {
    func id<Kind>(_ name: String, as: Identifier<Kind>.Type) throws -> Identifier<Kind> {
        let text = try require(name)
        do { return try Identifier<Kind>(parsing: text) } catch { throw APIError.notFound("no \(Kind.prefix) '\(text.prefix(80))'") }
    }
}

/// Routes under `/api/v1`.
enum APIRoutes {
    static func add(to router: Router<TailorContext>, environment env: APIEnvironment) {
        let api = router.group("api/v1")

        // MARK: Sign-in
        api.post("auth/login") { request, context -> Response in
            struct Login: Decodable {
                var username: String
                var password: String
            }
            struct Answer: Encodable {
                var token: String
                var tokenType = "Bearer"
                var expiresAt: Int64
                var user: UserAccount
            }
            let login = try await request.json(Login.self, context: context)
            guard login.username.count <= 64, login.password.count <= 1024 else {
                throw APIError(.unauthorized, "login_failed", "wrong username or password")
            }
            guard let account = try await env.authenticator.login(username: login.username, password: login.password) else {
                try await env.gate.recordEvent(
                    actor: String(login.username.prefix(64)), role: "unknown", action: "login", resource: "session", outcome: .deny,
                    reason: "wrong username or password, or a disabled account", requestID: context.id)
                throw APIError(.unauthorized, "login_failed", "wrong username or password")
            }
            let (token, expires) = try await env.authenticator.issueToken(for: account)
            try await env.gate.recordEvent(
                actor: account.id.rawValue, role: account.role.rawValue, action: "login", resource: "session", outcome: .allow, reason: "password",
                requestID: context.id)
            var headers = HTTPFields()
            let maxAge = Int(expires.timeIntervalSinceNow)
            headers[.setCookie] = "\(AuthMiddleware.cookieName)=\(token); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
            return try JSON.response(
                Answer(token: token, expiresAt: Int64(expires.timeIntervalSince1970 * 1000), user: account), headers: headers)
        }

        api.post("auth/logout") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.setCookie] = "\(AuthMiddleware.cookieName)=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
            return Response(status: .noContent, headers: headers)
        }

        api.get("me") { _, context -> Response in
            let principal = try context.requirePrincipal()
            guard let account = try await env.store.account(id: principal.userID), !account.disabled, account.role == principal.role else {
                throw APIError(.unauthorized, "invalid_token", "the bearer token is invalid or expired; sign in again")
            }
            return try JSON.response(account)
        }

        // MARK: Patients
        api.get("patients") { request, context -> Response in
            let grant = try await env.grant(context, .read, .patientDirectory)
            let limit = try request.integer("limit", default: 50, range: 1...500)
            let after = try request.string("after", maxLength: 80).map { text in
                (try? PatientID(parsing: text)) ?? PatientID(rawValue: text)
            }
            let patients = try await env.store.directory(grant, after: after, limit: limit)
            struct Page: Encodable {
                var patients: [Patient]
                var next: String?
            }
            let next = patients.count == limit ? patients.last.map { "/api/v1/patients?limit=\(limit)&after=\($0.id.rawValue)" } : nil
            return try JSON.response(Page(patients: patients, next: next))
        }

        api.post("patients") { request, context -> Response in
            let new = try await request.json(RecordStore.NewPatient.self, context: context)
            let grant = try await env.grant(context, .write, .patientRegistration)
            let patient = try await env.store.createPatient(grant, new)
            var headers = HTTPFields()
            headers[.location] = "/api/v1/patients/\(patient.id.rawValue)"
            return try JSON.response(patient, status: .created, headers: headers)
        }

        api.get("patients/:patientID") { _, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let grant = try await env.grant(context, .read, .patientSummary, patient: id)
            return try JSON.response(summary: try await env.store.summary(grant, id))
        }

        // MARK: Clinical record and monitoring
        struct EntriesBody: Decodable { var entries: [RecordStore.NewEntry] }
        struct EntriesPage: Encodable {
            var entries: [ClinicalEntry]
            var next: String?
        }

        @Sendable func listEntries(_ request: Request, _ context: TailorContext, resource: Resource, path: String) async throws -> Response {
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let typeText = try request.string("type", maxLength: 32)
            let type = try typeText.map { text -> EntryType in
                guard let type = EntryType(rawValue: text) else {
                    throw APIError.badRequest("type must be one of \(EntryType.allCases.map(\.rawValue).joined(separator: ", "))", field: "type")
                }
                return type
            }
            let code = try request.string("code", maxLength: 128)
            let limit = try request.integer("limit", default: 100, range: 1...1000)
            let before = try request.optionalInt64("before")
            let grant = try await env.grant(context, .read, resource, patient: id)
            let entries = try await env.store.entries(grant, patient: id, type: type, code: code, limit: limit, before: before)
            let next = entries.count == limit ? entries.last.map { "/api/v1/patients/\(id.rawValue)/\(path)?limit=\(limit)&before=\($0.recordedAt)" } : nil
            return try JSON.response(EntriesPage(entries: entries, next: next))
        }

        @Sendable func addEntries(_ request: Request, _ context: TailorContext, monitoring: Bool) async throws -> Response {
            let id = try context.parameters.id("patientID", as: PatientID.self)
            var body = try await request.json(EntriesBody.self, context: context)
            guard (1...1000).contains(body.entries.count) else {
                throw APIError.unprocessable("invalid_field", "entries: send 1–1000 entries", field: "entries")
            }
            if monitoring {
                for index in body.entries.indices {
                    body.entries[index].category = "monitoring"
                    body.entries[index].type = .observation
                }
            } else if let index = body.entries.firstIndex(where: { $0.category == "monitoring" }) {
                throw APIError.unprocessable(
                    "invalid_field", "entries[\(index)].category: post monitoring readings to /monitoring", field: "entries[\(index)].category")
            }
            let principal = try context.requirePrincipal()
            if !monitoring, principal.role == .patient, let index = body.entries.firstIndex(where: { $0.type != .factor }) {
                // Patients report factors; diagnoses, results and prescriptions come from their care team.
                try await env.gate.recordEvent(
                    actor: principal.userID.rawValue, role: principal.role.rawValue, action: Action.write.rawValue,
                    resource: Resource.clinicalRecord.rawValue, patientID: id, outcome: .deny,
                    reason: "patients record factors; \(body.entries[index].type.rawValue) entries come from the care team", requestID: context.id,
                    purpose: .patientRequest)
                throw APIError(.forbidden, "forbidden", "access denied: patients record factors and monitoring readings; \(body.entries[index].type.rawValue) entries come from the care team")
            }
            let grant = try await env.grant(context, .write, monitoring ? .monitoring : .clinicalRecord, patient: id)
            let stored = try await env.store.addEntries(grant, patient: id, body.entries)
            return try JSON.response(EntriesPage(entries: stored, next: nil), status: .created)
        }

        api.get("patients/:patientID/entries") { request, context in try await listEntries(request, context, resource: .clinicalRecord, path: "entries") }
        api.post("patients/:patientID/entries") { request, context in try await addEntries(request, context, monitoring: false) }
        api.get("patients/:patientID/monitoring") { request, context in try await listEntries(request, context, resource: .monitoring, path: "monitoring") }
        api.post("patients/:patientID/monitoring") { request, context in try await addEntries(request, context, monitoring: true) }

        // MARK: Consent
        api.get("patients/:patientID/consent") { _, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let grant = try await env.grant(context, .read, .consent, patient: id)
            let history = try await env.store.consentHistory(grant, patient: id)
            struct Answer: Encodable {
                var current: ConsentDirective
                var version: Int
                var history: [ConsentRecord]
            }
            return try JSON.response(Answer(current: history.first?.directive ?? .default, version: history.first?.version ?? 0, history: history))
        }

        api.put("patients/:patientID/consent") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let directive = try await request.json(ConsentDirective.self, context: context)
            if !directive.researchUses.isEmpty && directive.researchCategories.isEmpty {
                throw APIError.unprocessable("invalid_field", "researchCategories: name the data research may use", field: "researchCategories")
            }
            let grant = try await env.grant(context, .write, .consent, patient: id)
            return try JSON.response(try await env.store.recordConsent(grant, patient: id, directive), status: .created)
        }

        // MARK: Care team and break-glass
        api.get("patients/:patientID/care-team") { _, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let grant = try await env.grant(context, .read, .careTeam, patient: id)
            struct Answer: Encodable { var members: [RecordStore.CareTeamMember] }
            return try JSON.response(Answer(members: try await env.store.careTeam(grant, patient: id)))
        }

        api.post("patients/:patientID/care-team") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            struct Body: Decodable { var userID: UserID }
            let body = try await request.json(Body.self, context: context)
            let grant = try await env.grant(context, .write, .careTeam, patient: id)
            try await env.store.addToCareTeam(grant, patient: id, user: body.userID)
            return Response(status: .noContent)
        }

        api.delete("patients/:patientID/care-team/:userID") { _, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let user = try context.parameters.id("userID", as: UserID.self)
            let grant = try await env.grant(context, .write, .careTeam, patient: id)
            try await env.store.removeFromCareTeam(grant, patient: id, user: user)
            return Response(status: .noContent)
        }

        api.post("patients/:patientID/break-glass") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            struct Body: Decodable { var reason: String }
            let body = try await request.json(Body.self, context: context)
            let grant = try await env.grant(context, .write, .breakGlass, patient: id)
            return try JSON.response(try await env.store.breakGlass(grant, patient: id, reason: body.reason, duration: env.breakGlassMillis), status: .created)
        }

        api.get("patients/:patientID/audit") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let limit = try request.integer("limit", default: 100, range: 1...1000)
            let before = try request.optionalInt64("before")
            let grant = try await env.grant(context, .read, .patientAudit, patient: id)
            let entries = try await env.store.patientAudit(grant, patient: id, limit: limit, before: before)
            return try JSON.response(AuditPage(entries: entries, limit: limit, path: "/api/v1/patients/\(id.rawValue)/audit"))
        }

        // MARK: Genomics: datasets, runs, findings
        api.get("patients/:patientID/datasets") { _, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let grant = try await env.grant(context, .read, .genomicData, patient: id)
            struct Answer: Encodable {
                var datasets: [Dataset]
                var samples: [Sample]
            }
            return try JSON.response(
                Answer(datasets: try await env.store.datasets(grant, patient: id), samples: try await env.store.samples(grant, patient: id)))
        }

        api.get("patients/:patientID/runs") { _, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let grant = try await env.grant(context, .read, .findings, patient: id)
            struct Answer: Encodable { var runs: [AnalysisRun] }
            return try JSON.response(Answer(runs: try await env.store.runs(grant, patient: id)))
        }

        api.get("patients/:patientID/runs/:runID") { _, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let run = try context.parameters.id("runID", as: RunID.self)
            let grant = try await env.grant(context, .read, .findings, patient: id)
            return try JSON.response(try await env.store.run(grant, patient: id, run: run))
        }

        api.post("patients/:patientID/runs/:runID/retry") { _, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let run = try context.parameters.id("runID", as: RunID.self)
            let grant = try await env.grant(context, .write, .findings, patient: id)
            return try JSON.response(try await env.store.retry(grant, patient: id, run: run), status: .accepted)
        }

        api.get("patients/:patientID/findings") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let all = try request.flag("all")
            let grant = try await env.grant(context, .read, .findings, patient: id)
            struct Answer: Encodable { var findings: [Finding] }
            return try JSON.response(Answer(findings: try await env.store.findings(grant, patient: id, includeSuperseded: all)))
        }

        api.get("patients/:patientID/findings/:findingID") { _, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let finding = try context.parameters.id("findingID", as: FindingID.self)
            let grant = try await env.grant(context, .read, .findings, patient: id)
            return try JSON.response(try await env.store.finding(grant, patient: id, finding: finding))
        }

        // MARK: Risk
        api.get("patients/:patientID/risk") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let at = try request.date("at") ?? RiskDate(epochMillis: env.gate.now())
            // The clinical part is the clinical record's: refused (and audited) as the entries route would be.
            let grant = try await env.grant(context, .read, .clinicalRecord, patient: id)
            let record = try await env.store.riskRecord(grant, patient: id, observationCodes: RiskRecordCodes.observationCodes)
            let profile = env.risk.build(RiskRecordMapping.input(patient: record.patient, entries: record.entries, at: at), at: at)
            // The genomic part is the findings': its own decision, audited either way. A refusal here (the patient's
            // consent withholding genomic data from treatment) withholds the section, not the view.
            let genomic: GenomicRisk
            do {
                let findingsGrant = try await env.grant(context, .read, .findings, patient: id)
                genomic = .shown(try await env.store.findings(findingsGrant, patient: id, limit: 5000))
            } catch let denied as AccessDenied where !denied.accountInvalid && !denied.decision.notFound {
                genomic = .withheld(reason: denied.decision.reason)
            }
            return try JSON.response(RiskView(patientID: id, at: at, clinical: profile, notes: RiskView.notes, genomic: genomic))
        }

        // MARK: Administration
        api.get("users") { _, context -> Response in
            let grant = try await env.grant(context, .read, .accounts)
            struct Answer: Encodable { var users: [UserAccount] }
            return try JSON.response(Answer(users: try await env.store.accounts(grant)))
        }

        api.post("users") { request, context -> Response in
            struct Body: Decodable {
                var username: String
                var displayName: String
                var role: Role
                var patientID: PatientID?
                var password: String
            }
            let body = try await request.json(Body.self, context: context)
            try PasswordRules.check(body.password)
            let grant = try await env.grant(context, .write, .accounts)
            let hash = try await env.authenticator.hashPassword(body.password)
            let account = try await env.store.createUser(
                grant, .init(username: body.username, displayName: body.displayName, role: body.role, patientID: body.patientID), passwordHash: hash)
            return try JSON.response(account, status: .created)
        }

        api.patch("users/:userID") { request, context -> Response in
            let user = try context.parameters.id("userID", as: UserID.self)
            struct Body: Decodable {
                var disabled: Bool?
                var password: String?
            }
            let body = try await request.json(Body.self, context: context)
            if let password = body.password { try PasswordRules.check(password) }
            let grant = try await env.grant(context, .write, .accounts)
            let hash = try await body.password.asyncMap { try await env.authenticator.hashPassword($0) }
            return try JSON.response(try await env.store.updateAccount(grant, user: user, disabled: body.disabled, passwordHash: hash))
        }

        api.get("audit") { request, context -> Response in
            let limit = try request.integer("limit", default: 100, range: 1...1000)
            let before = try request.optionalInt64("before")
            let grant = try await env.grant(context, .read, .auditLog)
            return try JSON.response(AuditPage(entries: try await env.store.auditLog(grant, limit: limit, before: before), limit: limit, path: "/api/v1/audit"))
        }

        // MARK: Research
        api.get("research/pgx") { request, context -> Response in
            guard let gene = try request.string("gene", maxLength: 32), gene.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }) else {
                throw APIError.badRequest("query parameter 'gene' is required (a gene symbol such as CYP2C19)", field: "gene")
            }
            let groupBy = try request.string("groupBy", maxLength: 16) ?? "phenotype"
            guard groupBy == "phenotype" || groupBy == "diplotype" else {
                throw APIError.badRequest("groupBy must be phenotype or diplotype", field: "groupBy")
            }
            let use: ResearchUse
            switch try request.string("use", maxLength: 16) ?? "DUO:0000006" {
            case "DUO:0000042": use = .general
            case "DUO:0000006": use = .healthMedical
            case "DUO:0000007":
                guard let disease = try request.string("disease", maxLength: 64) else {
                    throw APIError.badRequest("disease-specific research (DUO:0000007) needs 'disease'", field: "disease")
                }
                use = .diseaseSpecific(disease)
            default:
                throw APIError.badRequest("use must be DUO:0000042, DUO:0000006 or DUO:0000007", field: "use")
            }
            let grant = try await env.grant(context, .read, .researchAggregate)
            return try JSON.response(try await env.store.pgxAggregate(grant, gene: gene.uppercased(), groupBy: groupBy, use: use))
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}

/// A page of audit entries with the link to the next (older) page.
struct AuditPage: Encodable {
    var entries: [AuditEntry]
    var next: String?

    init(entries: [AuditEntry], limit: Int, path: String) {
        self.entries = entries
        next = entries.count == limit ? entries.last.map { "\(path)?limit=\(limit)&before=\($0.sequence)" } : nil
    }
}

/// Minimum password rules (NIST SP 800-63B: length over composition).
enum PasswordRules {
    static func check(_ password: String) throws {
        guard (10...200).contains(password.unicodeScalars.count) else {
            throw APIError.unprocessable("weak_password", "password: use 10–200 characters", field: "password")
        }
    }
}
