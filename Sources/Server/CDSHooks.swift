import Foundation
import GenomicsReporting
import HTTPTypes
import Hummingbird
import JWTKit
import PGx
import Records
import Store
import Synchronization

/// A CDS Hooks client (an EHR) allowed to call Tailor's CDS services, as the `cdsClients` file lists it:
///
/// ```json
/// [{"iss": "https://ehr.example", "publicKeyPEM": "-----BEGIN PUBLIC KEY-----…", "actingUser": "dr-jones"}]
/// ```
///
/// `publicKeyPEM` is an EC (P-256, P-384, P-521 → ES256, ES384, ES512) or RSA (≥ 2048 bits → RS256, RS384, RS512)
/// public key. `actingUser` is the Tailor account (a clinician or genetic counsellor) the client's calls act as, so
/// care teams, consent and the audit log apply as for that user's own requests.
public struct CDSClient: Sendable, Codable, Hashable {
    public var iss: String
    public var publicKeyPEM: String
    public var actingUser: String

    public init(iss: String, publicKeyPEM: String, actingUser: String) {
        self.iss = iss
        self.publicKeyPEM = publicKeyPEM
        self.actingUser = actingUser
    }
}

/// Verifies the CDS client JWT (CDS Hooks 2.0 "Trusting CDS Clients"): asymmetric signature by a known `iss`'s key,
/// `aud` = the URL called, `exp` in the future and at most an hour away, `iat` not in the future, `jti` present and not
/// seen before (per process). `alg: none` and HMAC are refused outright.
struct CDSClientVerifier: Sendable {
    struct Entry: Sendable {
        var client: CDSClient
        /// Algorithm (`ES256`, `RS384`, …) → a collection holding the client's key for it.
        var keys: [String: JWTKeyCollection]
    }

    let entries: [String: Entry]
    /// The `jti`s seen until their token expires (this process only), so a captured token cannot be replayed.
    let seen = SeenTokens()
    /// The longest a client JWT may still be valid for (the spec's examples use 5 minutes).
    static let maxLifetime: TimeInterval = 3600

    actor SeenTokens {
        var expiries: [String: Date] = [:]
        /// The size at which expired keys are next swept out. It doubles with what survives a sweep, so sweeping
        /// costs O(1) per call however many tokens are live (sweeping at a fixed size cost a pass over every live
        /// token on every call once more than that many were live: 500 calls/s of 5-minute tokens is 150,000).
        var sweepAt = SeenTokens.minimumSweep
        static let minimumSweep = 10_000

        /// Whether `key` is new; remembers it until `until`. Expired keys are dropped as new ones arrive.
        func first(_ key: String, until: Date, now: Date) -> Bool {
            if expiries.count >= sweepAt {
                expiries = expiries.filter { $0.value > now }
                sweepAt = max(Self.minimumSweep, expiries.count * 2)
            }
            if let known = expiries[key], known > now { return false }
            expiries[key] = until
            return true
        }
    }

    static func make(_ clients: [CDSClient]) async throws -> CDSClientVerifier {
        var entries: [String: Entry] = [:]
        for client in clients {
            guard entries[client.iss] == nil else { throw ConfigurationError("cdsClients: issuer '\(client.iss)' is listed twice") }
            var keys: [String: JWTKeyCollection] = [:]
            let pem = client.publicKeyPEM
            if let key = try? ES256PublicKey(pem: pem) {
                keys["ES256"] = await JWTKeyCollection().add(ecdsa: key)
            } else if let key = try? ES384PublicKey(pem: pem) {
                keys["ES384"] = await JWTKeyCollection().add(ecdsa: key)
            } else if let key = try? ES512PublicKey(pem: pem) {
                keys["ES512"] = await JWTKeyCollection().add(ecdsa: key)
            } else if let key = try? Insecure.RSA.PublicKey(pem: pem) {
                keys["RS256"] = await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha256)
                keys["RS384"] = await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha384)
                keys["RS512"] = await JWTKeyCollection().add(rsa: key, digestAlgorithm: .sha512)
            } else {
                throw ConfigurationError("cdsClients: the publicKeyPEM of '\(client.iss)' is not an EC (P-256/384/521) or RSA (≥ 2048 bits) public key")
            }
            entries[client.iss] = Entry(client: client, keys: keys)
        }
        return CDSClientVerifier(entries: entries)
    }

    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var aud: AudienceClaim?
        var exp: ExpirationClaim?
        var iat: IssuedAtClaim?
        var jti: IDClaim?
        var tenant: String?
        // Checked by ``CDSClientVerifier/verify`` so each failure has its own reason.
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static func unauthorized(_ reason: String) -> APIError {
        var error = APIError(.unauthorized, "invalid_cds_token", reason)
        error.headers[.wwwAuthenticate] = "Bearer realm=\"tailor-cds\""
        return error
    }

    /// The client a request's bearer token proves, or a 401 naming why not. `audiences` are the URLs accepted as `aud`.
    func verify(authorization: String?, audiences: Set<String>, now: Date = Date()) async throws -> (Entry, Claims) {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else {
            throw Self.unauthorized("send 'Authorization: Bearer <JWT>' signed by a registered CDS client")
        }
        let token = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Self.base64URL(parts[0]), let payloadData = Self.base64URL(parts[1]),
            let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any],
            let payload = try? JSONSerialization.jsonObject(with: payloadData) as? [String: Any]
        else { throw Self.unauthorized("the bearer token is not a JWT") }
        guard let alg = header["alg"] as? String else { throw Self.unauthorized("the JWT header has no alg") }
        if alg.lowercased() == "none" { throw Self.unauthorized("alg 'none' is not accepted: CDS client JWTs must be signed") }
        if alg.uppercased().hasPrefix("HS") { throw Self.unauthorized("HMAC (\(alg)) is not accepted: CDS client JWTs use an asymmetric key") }
        guard let iss = payload["iss"] as? String, let entry = entries[iss] else {
            throw Self.unauthorized("the JWT issuer is not a registered CDS client")
        }
        guard let keys = entry.keys[alg] else { throw Self.unauthorized("alg '\(alg)' does not match the key registered for this issuer") }
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self)
        } catch {
            throw Self.unauthorized("the JWT signature or claims are invalid")
        }
        guard let exp = claims.exp else { throw Self.unauthorized("the JWT has no exp") }
        guard exp.value > now else { throw Self.unauthorized("the JWT has expired") }
        guard exp.value <= now.addingTimeInterval(Self.maxLifetime) else {
            throw Self.unauthorized("the JWT expires more than an hour from now; CDS client JWTs must be short-lived")
        }
        if let iat = claims.iat, iat.value > now.addingTimeInterval(60) { throw Self.unauthorized("the JWT was issued in the future") }
        guard let jti = claims.jti, !jti.value.isEmpty, jti.value.utf8.count <= 256 else { throw Self.unauthorized("the JWT has no jti") }
        guard let aud = claims.aud, aud.value.contains(where: audiences.contains) else {
            throw Self.unauthorized("the JWT aud is not this service's URL (\(audiences.sorted().first ?? ""))")
        }
        guard await seen.first(iss + " " + jti.value, until: exp.value, now: now) else {
            throw Self.unauthorized("the JWT was already used (jti replay)")
        }
        return (entry, claims)
    }

    static func base64URL(_ text: Substring) -> Data? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s)
    }
}

/// CDS Hooks 2.0 services for drug–gene alerts from the patient's PGx findings:
///
/// - `GET /cds-services`: discovery (public).
/// - `POST /cds-services/{id}`: `tailor-pgx-order-select`, `tailor-pgx-order-sign`, `tailor-pgx-patient-view`.
/// - `POST /cds-services/{id}/feedback`: card outcomes, kept in the audit log (`cds_feedback`).
///
/// Calls are authenticated by the CDS client's JWT (``CDSClientVerifier``) and then act as the client's configured
/// Tailor user through ``AccessGate`` (read of `findings`), so care team, consent and audit apply; a refusal is answered
/// `{"cards":[]}` (the denial is audited by the gate). Which Tailor patient the call is about: ``CDSPrefetchedPatient``
/// (a Tailor id in `context.patientId`, else the EHR's patient matched through the `patient` prefetch; 412 when that
/// prefetch is needed and missing, 400 when it is malformed, 422 when identifiers disagree). Order-sign does not repeat
/// a card the clinician overrode at order-select (``CDSCardMemory``).
///
/// Cards (order-select/order-sign): for each drafted MedicationRequest (RxNorm ingredient code, or a drug name in the
/// coding display or text), the patient's current `pgx.drug` findings for that drug, CPIC first (DPWG only when CPIC
/// has no actionable recommendation). A recommendation is actionable when the guideline marks dosing information,
/// an alternate drug or other prescribing guidance, and its classification is not empty or "No Recommendation";
/// label-dosing recommendations carry none of these flags. Indicator: `critical` for Strong with an alternate drug,
/// `warning` for Strong or Moderate, `info` otherwise. The only suggestion is removing the draft, offered when the
/// guideline says an alternate drug is available (no replacement drug is invented).
struct CDSHooksRoutes {
    let env: APIEnvironment
    let verifier: CDSClientVerifier
    /// Configured public base URL (no trailing slash), or nil to use the request's Host.
    let baseURL: String?
    /// Order-select cards and their overrides, so order-sign does not repeat them.
    let memory = CDSCardMemory()

    struct Service: Encodable, Sendable {
        var hook: String
        var title: String
        var description: String
        var id: String
        var prefetch: [String: String]
    }

    static let services: [Service] = [
        Service(
            hook: "order-select", title: "Tailor pharmacogenomic prescribing check",
            description: "Checks the selected medication against the patient's consented pharmacogenomic results (CPIC/DPWG drug–gene guidelines).",
            id: "tailor-pgx-order-select", prefetch: ["patient": "Patient/{{context.patientId}}"]),
        Service(
            hook: "order-sign", title: "Tailor pharmacogenomic prescribing check (signing)",
            description: "Checks medications being signed against the patient's consented pharmacogenomic results (CPIC/DPWG drug–gene guidelines).",
            id: "tailor-pgx-order-sign", prefetch: ["patient": "Patient/{{context.patientId}}"]),
        Service(
            hook: "patient-view", title: "Tailor pharmacogenomic summary",
            description: "Summarises the patient's actionable pharmacogenomic phenotypes when the chart is opened.",
            id: "tailor-pgx-patient-view", prefetch: ["patient": "Patient/{{context.patientId}}"]),
    ]

    /// The routes below as OpenAPI path templates, so another method on them is a 405 with `Allow`, not a 404.
    static let declaredRoutes: [(path: String, methods: [String])] = [
        ("/cds-services", ["GET"]), ("/cds-services/{id}", ["POST"]), ("/cds-services/{id}/feedback", ["POST"]),
    ]

    func add(to router: Router<TailorContext>) {
        router.get("cds-services") { _, _ -> Response in
            struct Discovery: Encodable { var services: [Service] }
            return try JSON.response(Discovery(services: Self.services))
        }
        router.post("cds-services/:serviceID") { request, context -> Response in
            try await call(request, context)
        }
        router.post("cds-services/:serviceID/feedback") { request, context -> Response in
            try await feedback(request, context)
        }
    }

    // MARK: Authentication

    func service(_ context: TailorContext) throws -> Service {
        let id = try context.parameters.require("serviceID")
        guard let service = Self.services.first(where: { $0.id == id }) else { throw APIError.notFound("no CDS service '\(id.prefix(80))'") }
        return service
    }

    /// The URLs a token for `path` may name as `aud`.
    func audiences(_ request: Request, path: String) -> Set<String> {
        if let baseURL { return [baseURL + path] }
        guard let authority = request.head.authority else { return [] }
        // Behind TLS termination the request says http; either scheme names this host.
        return ["https://\(authority)\(path)", "http://\(authority)\(path)"]
    }

    /// The verified client (its `iss`) and the Tailor principal it acts as.
    func authenticate(_ request: Request, audiences: Set<String>) async throws -> (principal: Principal, aud: String, issuer: String) {
        let (entry, claims) = try await verifier.verify(authorization: request.headers[.authorization], audiences: audiences)
        guard let (account, _) = try await env.store.credentials(username: entry.client.actingUser), !account.disabled,
            account.role == .clinician || account.role == .geneticCounsellor
        else {
            throw CDSClientVerifier.unauthorized("the CDS client's acting user is missing, disabled, or not a clinician")
        }
        let aud = claims.aud?.value.first(where: audiences.contains) ?? ""
        return (account.principal, aud, entry.client.iss)
    }

    // MARK: Service call

    static func body(_ request: Request) async throws -> [String: Any] {
        if let contentType = request.headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "send the body as application/json")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 4 << 20) } catch {
            throw APIError(.contentTooLarge, "too_large", "the CDS request is larger than 4 MiB")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any] else {
            throw APIError.badRequest("the body must be a JSON object")
        }
        return object
    }

    struct HookRequest {
        var hook: String
        var hookInstance: String
        var patientID: String
        var encounterID: String?
        var context: [String: Any]
        var drafts: [DraftMedication]
        var prefetch: CDSPrefetchedPatient.Prefetch
        /// Whether the call offered FHIR access (`fhirServer`), which Tailor does not use.
        var fhirServer: Bool
    }

    struct DraftMedication {
        var reference: String?
        var codes: [String]
        var names: [String]
    }

    /// Checks the call's shape (CDS Hooks 2.0 and the hook's context), naming the field on a 400.
    static func validate(_ body: [String: Any], service: Service) throws -> HookRequest {
        guard let hook = body["hook"] as? String else { throw APIError.badRequest("hook is required", field: "hook") }
        guard hook == service.hook else {
            throw APIError.badRequest("hook '\(hook.prefix(60))' does not match service \(service.id) (\(service.hook))", field: "hook")
        }
        guard let instance = body["hookInstance"] as? String, UUID(uuidString: instance) != nil else {
            throw APIError.badRequest("hookInstance must be a UUID", field: "hookInstance")
        }
        guard let context = body["context"] as? [String: Any] else { throw APIError.badRequest("context must be an object", field: "context") }
        guard let patientID = context["patientId"] as? String, !patientID.isEmpty, patientID.count <= 200 else {
            throw APIError.badRequest("context.patientId is required", field: "context.patientId")
        }
        guard let userID = context["userId"] as? String, !userID.isEmpty else {
            throw APIError.badRequest("context.userId is required", field: "context.userId")
        }
        if body["fhirAuthorization"] != nil, !(body["fhirServer"] is String) {
            throw APIError.badRequest("fhirServer is required with fhirAuthorization", field: "fhirServer")
        }
        if let fhirServer = body["fhirServer"], !(fhirServer is String) {
            throw APIError.badRequest("fhirServer must be a URL string", field: "fhirServer")
        }
        var encounterID: String?
        if let encounter = context["encounterId"] {
            guard let text = encounter as? String, text.utf8.count <= 200 else {
                throw APIError.badRequest("context.encounterId must be a string", field: "context.encounterId")
            }
            encounterID = text
        }
        let prefetch = try CDSPrefetchedPatient.parse(body, contextPatientID: patientID)
        var drafts: [DraftMedication] = []
        if hook == "order-select" || hook == "order-sign" {
            guard let bundle = context["draftOrders"] as? [String: Any], bundle["resourceType"] as? String == "Bundle" else {
                throw APIError.badRequest("context.draftOrders must be a FHIR Bundle", field: "context.draftOrders")
            }
            var selections: Set<String>?
            if hook == "order-select" {
                guard let list = context["selections"] as? [String] else {
                    throw APIError.badRequest("context.selections must be an array of Type/id", field: "context.selections")
                }
                selections = Set(list)
            }
            for entry in bundle["entry"] as? [[String: Any]] ?? [] {
                guard let resource = entry["resource"] as? [String: Any], resource["resourceType"] as? String == "MedicationRequest" else { continue }
                let reference = (resource["id"] as? String).map { "MedicationRequest/\($0)" }
                if let selections, !selections.isEmpty, !selections.contains(reference ?? "") { continue }
                let concept = resource["medicationCodeableConcept"] as? [String: Any] ?? [:]
                var draft = DraftMedication(reference: reference, codes: [], names: [])
                for coding in concept["coding"] as? [[String: Any]] ?? [] {
                    if let system = coding["system"] as? String, system.lowercased().contains("rxnorm"), let code = coding["code"] as? String {
                        draft.codes.append(code)
                    }
                    if let display = coding["display"] as? String { draft.names.append(display) }
                }
                if let text = concept["text"] as? String { draft.names.append(text) }
                drafts.append(draft)
            }
        }
        return HookRequest(
            hook: hook, hookInstance: instance, patientID: patientID, encounterID: encounterID, context: context, drafts: drafts, prefetch: prefetch,
            fhirServer: body["fhirServer"] is String)
    }

    func call(_ request: Request, _ context: TailorContext) async throws -> Response {
        let service = try service(context)
        let (principal, aud, issuer) = try await authenticate(request, audiences: audiences(request, path: "/cds-services/\(service.id)"))
        let hook = try Self.validate(try await Self.body(request), service: service)
        let patient: PatientID
        switch try await Self.resolvePatient(contextPatientID: hook.patientID, prefetch: hook.prefetch, fhirServer: hook.fhirServer, store: env.store) {
        case .found(let match): patient = match.patientID
        case .none(let why):
            try await env.gate.recordEvent(
                actor: principal.userID.rawValue, role: principal.role.rawValue, action: "read", resource: "findings", outcome: .deny,
                reason: "CDS \(service.id): \(why)", requestID: context.id, purpose: .treatment)
            return try JSON.response(CardsResponse(cards: []))
        }
        let grant: AccessGrant
        do {
            grant = try await env.gate.authorize(principal, .read, .findings, patient: patient, requestID: context.id)
        } catch let denied as AccessDenied {
            if denied.accountInvalid { throw CDSClientVerifier.unauthorized("the CDS client's acting user is disabled or changed") }
            // Audited by the gate; the EHR learns nothing about the patient's genomics.
            return try JSON.response(CardsResponse(cards: []))
        }
        // Only the drafted drugs' evidence is read (a drug finding's subject is its drug); patient-view needs every drug's.
        let drafts = hook.drafts, everyDrug = hook.hook == "patient-view"
        let findings = try await env.store.findingContent(grant, patient: patient, kindPrefix: "pgx.") { finding in
            finding.kind == "pgx.drug" && (everyDrug || drafts.contains { Self.names($0, drug: finding.subject) })
        }
        let base = aud.hasSuffix("/cds-services/\(service.id)") ? String(aud.dropLast("/cds-services/\(service.id)".count)) : (baseURL ?? "")
        let report = "\(base)/api/v1/patients/\(patient.rawValue)/genomics-report"
        var cards: [Card] = []
        switch hook.hook {
        case "patient-view": cards = Self.patientViewCards(findings: findings, reportURL: report)
        default:
            for drug in Self.orderCards(drafts: hook.drafts, findings: findings, reportURL: report) {
                let key = drug.key.map { CDSCardMemory.key(issuer: issuer, patient: patient.rawValue, encounter: hook.encounterID, card: $0) }
                if hook.hook == "order-select", let key {
                    await memory.shown(card: drug.card.uuid, key: key, issuer: issuer)
                } else if hook.hook == "order-sign", let key, let override = await memory.suppressing(key: key) {
                    try await env.gate.recordEvent(
                        actor: principal.userID.rawValue, role: principal.role.rawValue, action: "read", resource: "cds_suppressed",
                        patientID: patient, outcome: .allow,
                        reason: "\(service.id): card '\(drug.card.summary.prefix(80))' not repeated: order-select card \(override.card) for the same order was overridden",
                        requestID: context.id, purpose: .treatment)
                    continue
                }
                cards.append(drug.card)
            }
        }
        return try JSON.response(CardsResponse(cards: cards))
    }

    // MARK: Cards

    struct CardsResponse: Encodable { var cards: [Card] }

    struct Card: Encodable {
        struct Source: Encodable {
            var label: String
            var url: String?
        }
        struct Action: Encodable {
            var type: String
            var description: String
            var resourceId: String?
        }
        struct Suggestion: Encodable {
            var label: String
            var uuid: String
            var actions: [Action]
        }
        struct Link: Encodable {
            var label: String
            var url: String
            var type: String
        }
        var uuid: String
        var summary: String
        var detail: String
        var indicator: String
        var source: Source
        var suggestions: [Suggestion]?
        var selectionBehavior: String?
        var links: [Link]
    }

    typealias DrugResult = PGxSampleReport.DrugResult
    typealias Recommendation = PGxSampleReport.RecommendationResult

    static func actionable(_ r: Recommendation) -> Bool {
        let classification = r.classification.trimmingCharacters(in: .whitespaces).lowercased()
        guard !classification.isEmpty, classification != "no recommendation", !r.text.hasPrefix("[Tailor note") else { return false }
        return r.alternateDrugAvailable || r.dosingInformation || r.otherPrescribingGuidance
    }

    /// 2 critical, 1 warning, 0 info.
    static func severity(_ r: Recommendation) -> Int {
        let c = r.classification.lowercased()
        if c == "strong" && r.alternateDrugAvailable { return 2 }
        if c == "strong" || c == "moderate" { return 1 }
        return 0
    }

    static func indicator(_ severity: Int) -> String { ["info", "warning", "critical"][severity] }

    /// At most 139 characters (the spec: under 140), cut at a character boundary with an ellipsis.
    static func clip(_ text: String, _ limit: Int = 139) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    static func firstSentence(_ text: String) -> String {
        // DPWG writes its advice as a list ("- use 65% of the standard initial dose."): no bullet in a summary.
        var flat = text.replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        while flat.hasPrefix("- ") || flat.hasPrefix("* ") { flat = String(flat.dropFirst(2)).trimmingCharacters(in: .whitespaces) }
        if let range = flat.range(of: ". ") { return String(flat[..<range.lowerBound]) + "." }
        return flat
    }

    /// Whether `name` (lower-case) occurs in `text` as whole words (case-insensitive).
    ///
    /// A byte search over UTF-8: it runs for every PGx drug finding on every order call, where Foundation's
    /// `range(of:)` was a measurable share of the service's time.
    static func mentions(_ text: String, _ name: String) -> Bool {
        guard !name.isEmpty else { return false }
        var text = text.lowercased()
        var name = name
        return text.withUTF8 { haystack in
            name.withUTF8 { needle in
                guard needle.count <= haystack.count, let first = needle.first else { return false }
                var start = 0
                while start <= haystack.count - needle.count {
                    if haystack[start] == first,
                        memcmp(haystack.baseAddress! + start, needle.baseAddress!, needle.count) == 0,
                        !letter(before: start, in: haystack), !letter(at: start + needle.count, in: haystack)
                    {
                        return true
                    }
                    start += 1
                }
                return false
            }
        }
    }

    /// Whether the character ending just before byte `offset` is a letter.
    private static func letter(before offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard offset > 0 else { return false }
        var start = offset - 1
        while start > 0, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return letter(at: start, in: bytes)
    }

    /// Whether the character starting at byte `offset` is a letter.
    private static func letter(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard offset < bytes.count else { return false }
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        let scalar = String(decoding: UnsafeBufferPointer(rebasing: bytes[offset..<end]), as: UTF8.self).unicodeScalars.first
        return scalar.map { Character($0).isLetter } ?? false
    }

    static func drugs(_ findings: [FindingContent]) -> [(FindingContent, DrugResult)] {
        findings.filter { $0.kind == "pgx.drug" }.compactMap { finding in
            guard let evidence = finding.evidence else { return nil }
            return DecodedEvidence.shared.drugResult(finding.id, evidence).map { (finding, $0) }
        }
    }

    /// Whether a drafted medication names `drug` (a finding's subject): by RxNorm code, or in its coding display or text.
    static func names(_ draft: DraftMedication, drug: String) -> Bool {
        let name = drug.lowercased()
        return draft.codes.contains { RxNormIngredients.drugs(forCode: $0).contains(name) } || draft.names.contains { mentions($0, name) }
    }

    /// Gene → "*2/*2" from the `pgx.gene` findings.
    static func genotypes(_ findings: [FindingContent]) -> [String: String] {
        var result: [String: String] = [:]
        for f in findings where f.kind == "pgx.gene" { if let label = f.label { result[f.subject] = label } }
        return result
    }

    /// A drug card and, when its draft order has an id, the key that names the same advice for the same order (draft
    /// reference, drug, guideline source and recommendation ids) for ``CDSCardMemory``.
    struct DrugCard {
        var card: Card
        var key: String?
    }

    static func orderCards(drafts: [DraftMedication], findings: [FindingContent], reportURL: String) -> [DrugCard] {
        let genotypes = genotypes(findings)
        var cards: [DrugCard] = []
        for draft in drafts {
            // Only the drafted drugs' findings are decoded: the evidence JSON of every drug finding on each call was most
            // of the service's time.
            let matching = drugs(findings.filter { $0.kind == "pgx.drug" && Self.names(draft, drug: $0.subject) })
            // Per drug: CPIC's card when it has an actionable recommendation, else DPWG's.
            let drugNames = Array(Set(matching.map { $0.1.drug.lowercased() })).sorted()
            for name in drugNames {
                let candidates = matching.filter { $0.1.drug.lowercased() == name }.sorted { ($0.1.source == "CPIC" ? 0 : 1) < ($1.1.source == "CPIC" ? 0 : 1) }
                for (_, result) in candidates {
                    if let card = drugCard(result, draft: draft, genotypes: genotypes, reportURL: reportURL) {
                        let advice = result.recommendations.filter(actionable).map(\.id).sorted().joined(separator: ",")
                        let key = draft.reference.map { [$0, result.drug.lowercased(), result.source, advice].joined(separator: "|") }
                        cards.append(DrugCard(card: card, key: key))
                        break
                    }
                }
            }
        }
        return cards
    }

    static func drugCard(_ result: DrugResult, draft: DraftMedication, genotypes: [String: String], reportURL: String) -> Card? {
        let recs = result.recommendations.filter(actionable)
        guard let top = recs.max(by: { severity($0) < severity($1) }) else { return nil }
        let level = severity(top)
        // Activity-score genes (CYP2D6, CYP2C9, DPYD) are keyed by the score: say so ("CYP2D6 activity score 0.0", not "CYP2D6 0.0").
        let phenotype = top.lookupKey.sorted { $0.key < $1.key }
            .map { Double($0.value) != nil ? "\($0.key) activity score \($0.value)" : "\($0.key) \($0.value)" }.joined(separator: ", ")
        let summary = clip("\(phenotype): \(firstSentence(top.text)) (\(result.source))")
        var detail = ""
        let genes = top.lookupKey.keys.sorted()
        let calls = genes.compactMap { gene in genotypes[gene].map { "\(gene) \($0)" } }
        if !calls.isEmpty { detail += "Genotype: \(calls.joined(separator: ", ")). " }
        detail += "Phenotype: \(phenotype).\n\n"
        detail += "**\(sourceLabel(result.guideline.name))** (\(result.source), version \(result.guideline.version)):\n\n"
        for r in recs {
            // The guideline's text verbatim, one paragraph per population.
            detail += "*\(r.population.isEmpty ? "All patients" : r.population)* (classification: \(r.classification))\n\n\(r.text)\n\n"
        }
        let implications = Array(Set(recs.flatMap(\.implications))).sorted()
        if !implications.isEmpty { detail += "\nImplications: \(implications.joined(separator: " "))\n" }
        var card = Card(
            uuid: UUID().uuidString.lowercased(), summary: summary, detail: detail, indicator: indicator(level),
            source: .init(label: sourceLabel(result.guideline.name), url: result.guideline.url.isEmpty ? nil : result.guideline.url),
            links: [.init(label: "Pharmacogenomic report (FHIR Genomics Reporting)", url: reportURL, type: "absolute")])
        if recs.contains(where: \.alternateDrugAvailable), let reference = draft.reference {
            card.selectionBehavior = "at-most-one"
            card.suggestions = [
                .init(
                    label: "Remove the draft \(result.drug) order", uuid: UUID().uuidString.lowercased(),
                    actions: [.init(type: "delete", description: "Remove the draft \(result.drug) order", resourceId: reference)])
            ]
        }
        return card
    }

    /// The genes with a non-normal phenotype that an actionable guideline recommendation (as for order cards) was
    /// looked up by, so "reference" calls of genes without an actionable recommendation do not count.
    /// The guideline's name as the card's source ("CPIC Guideline for clopidogrel and CYP2C19"), without PharmGKB's
    /// "Annotation of" prefix.
    static func sourceLabel(_ name: String) -> String {
        let prefix = "Annotation of "
        return name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name
    }

    static func patientViewCards(findings: [FindingContent], reportURL: String) -> [Card] {
        let genesWithAdvice = Set(drugs(findings).flatMap { _, result in result.recommendations.filter(actionable).flatMap(\.lookupKey.keys) })
        let notActionable = ["normal", "indeterminate", "unknown", "n/a", "no result", "uncertain"]
        let flagged = findings.filter { f in
            guard f.kind == "pgx.gene", genesWithAdvice.contains(f.subject), let phenotype = f.interpretation?.lowercased(), !phenotype.isEmpty
            else { return false }
            return !notActionable.contains { phenotype.hasPrefix($0) }
        }.sorted { $0.subject < $1.subject }
        guard !flagged.isEmpty else { return [] }
        let items = flagged.map { "\($0.subject) \($0.interpretation ?? "")" }
        let summary = clip("Actionable pharmacogenomic results: \(items.joined(separator: "; "))")
        let detail =
            "The patient's genotype predicts an altered drug response for these genes; see the guidelines before prescribing affected drugs.\n\n"
            + flagged.map { "- **\($0.subject)** \($0.label ?? ""): \($0.interpretation ?? "")" }.joined(separator: "\n")
        return [
            Card(
                uuid: UUID().uuidString.lowercased(), summary: summary, detail: detail, indicator: "info",
                source: .init(label: "Tailor pharmacogenomics (CPIC/DPWG)", url: nil),
                links: [.init(label: "Pharmacogenomic report (FHIR Genomics Reporting)", url: reportURL, type: "absolute")])
        ]
    }

    // MARK: Feedback

    func feedback(_ request: Request, _ context: TailorContext) async throws -> Response {
        let service = try service(context)
        let path = "/cds-services/\(service.id)"
        let (principal, _, issuer) = try await authenticate(
            request, audiences: audiences(request, path: path).union(audiences(request, path: path + "/feedback")))
        let body = try await Self.body(request)
        guard let items = body["feedback"] as? [[String: Any]], !items.isEmpty else {
            throw APIError.badRequest("feedback must be a non-empty array", field: "feedback")
        }
        var lines: [String] = []
        var outcomes: [(card: String, outcome: String)] = []
        for (index, item) in items.enumerated() {
            guard let card = item["card"] as? String, !card.isEmpty, card.count <= 100 else {
                throw APIError.badRequest("feedback[\(index)].card must be the card's uuid", field: "feedback[\(index)].card")
            }
            guard let outcome = item["outcome"] as? String, outcome == "accepted" || outcome == "overridden" else {
                throw APIError.badRequest("feedback[\(index)].outcome must be accepted or overridden", field: "feedback[\(index)].outcome")
            }
            guard let timestamp = item["outcomeTimestamp"] as? String, ISO8601DateFormatter().date(from: timestamp) != nil else {
                throw APIError.badRequest("feedback[\(index)].outcomeTimestamp must be an ISO 8601 instant", field: "feedback[\(index)].outcomeTimestamp")
            }
            var line = "card \(card) \(outcome) at \(timestamp)"
            if outcome == "accepted" {
                guard let accepted = item["acceptedSuggestions"] as? [[String: Any]] else {
                    throw APIError.badRequest("feedback[\(index)].acceptedSuggestions is required when accepted", field: "feedback[\(index)].acceptedSuggestions")
                }
                let ids = accepted.compactMap { $0["id"] as? String }.map { String($0.prefix(100)) }
                if !ids.isEmpty { line += " (suggestions \(ids.joined(separator: ", ")))" }
            }
            if let reason = item["overrideReason"] as? [String: Any], let coding = reason["reason"] as? [String: Any] {
                let code = [coding["system"] as? String, coding["code"] as? String].compactMap { $0 }.joined(separator: "|")
                line += " reason \(code.prefix(200))"
            }
            lines.append(line)
            outcomes.append((card, outcome))
        }
        // Only once every item is valid: an override at order-select keeps the card from repeating at order-sign.
        for (index, item) in outcomes.enumerated() where service.hook == "order-select" {
            if await memory.feedback(card: item.card, outcome: item.outcome, issuer: issuer) {
                lines[index] += " (not repeated at order-sign for the same order)"
            }
        }
        for line in lines {
            try await env.gate.recordEvent(
                actor: principal.userID.rawValue, role: principal.role.rawValue, action: "write", resource: "cds_feedback", outcome: .allow,
                reason: "\(service.id): \(line)", requestID: context.id, purpose: .treatment)
        }
        return try JSON.response([String: String]())
    }
}

/// Drug results decoded from findings' evidence, by finding ID. Findings are immutable, so an entry never goes stale;
/// decoding the evidence JSON was the largest part of building an order card. Bounded: emptied when full.
final class DecodedEvidence: Sendable {
    static let shared = DecodedEvidence(capacity: 4096)

    private let capacity: Int
    private let results = Mutex<[FindingID: CDSHooksRoutes.DrugResult]>([:])

    init(capacity: Int) { self.capacity = capacity }

    /// The drug result in `evidence` (nil when it is not one).
    func drugResult(_ id: FindingID, _ evidence: String) -> CDSHooksRoutes.DrugResult? {
        if let known = results.withLock({ $0[id] }) { return known }
        guard let decoded = try? JSON.decoder.decode(CDSHooksRoutes.DrugResult.self, from: Data(evidence.utf8)) else { return nil }
        results.withLock { results in
            if results.count >= capacity { results.removeAll(keepingCapacity: true) }
            results[id] = decoded
        }
        return decoded
    }

}
