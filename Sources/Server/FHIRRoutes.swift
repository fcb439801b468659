import Foundation
import HTTPTypes
import Hummingbird
import Interop
import NIOCore
import Records
import Store

/// The FHIR R4 endpoint at `/fhir/r4` (JSON only): Bundle import (`POST /fhir/r4`), the CapabilityStatement, and a
/// read/search facade over the record. Every patient-data request goes through ``APIEnvironment/grant`` (the same gate,
/// consent and audit as `/api/v1`); every error is an OperationOutcome (see ``FHIROutcome``).
///
/// Each facade route asks for the same ``Resource`` as the REST route it mirrors, so there is one answer to "who may":
/// `Consent` is the `consent` resource (the patient and their care team), `AuditEvent` the `patient_audit` resource (the
/// patient and administrators, never the care team: ``AccessPolicy``), `_include` of the subject a further
/// `patient_summary` decision, and a read by id the decision about the entry's owner.
enum FHIRRoutes {
    static let fhirVersion = "4.0.1"
    /// Bundles are larger than the API's JSON bodies (a Synthea record is up to ~2 MB); this bounds what one import may
    /// send before anything is parsed.
    static let maxBundleBytes = 32 << 20
    static let mediaType = "application/fhir+json; fhirVersion=4.0; charset=utf-8"

    static func add(to router: Router<TailorContext>, environment env: APIEnvironment) {
        router.get("fhir/r4/metadata") { request, _ -> Response in
            try checkParameters(request, allowed: [])
            return response(capabilityStatement())
        }

        router.post("fhir/r4") { request, context -> Response in try await importBundle(request, context, env) }

        router.get("fhir/r4/Patient/:patientID") { request, context -> Response in
            try checkParameters(request, allowed: [])
            let id = try patientID(context.parameters.require("patientID"))
            let grant = try await env.grant(context, .read, .patientSummary, patient: id)
            return response(FHIRResources.patient(try await env.store.patient(grant, id)))
        }

        router.get("fhir/r4/Patient/:patientID/$everything") { request, context -> Response in
            try checkParameters(request, allowed: ["_count", "_after"])
            let id = try patientID(context.parameters.require("patientID"))
            let count = try countParameter(request)
            let after = try afterParameter(request)
            let summaryGrant = try await env.grant(context, .read, .patientSummary, patient: id)
            let patient = try await env.store.patient(summaryGrant, id)
            let grant = try await env.grant(context, .read, .clinicalRecord, patient: id)
            let (entries, total) = try await env.store.searchEntries(grant, patient: id, .init(types: [], after: after, limit: count))
            var resources: [[String: Any]] = after == nil ? [FHIRResources.patient(patient)] : []
            resources += entries.map(FHIRResources.resource)
            let next = entries.count == count ? entries.last.map { "Patient/\(id.fhirID)/$everything?_count=\(count)&_after=\($0.id.fhirID)" } : nil
            return response(searchset(request, resources, total: total + 1, next: next))
        }

        // Searches of one patient's entries, each as the REST API lists them, and reads of one entry by its ID.
        for search in FHIRSearch.all {
            router.get("fhir/r4/\(search.resourceType)") { request, context -> Response in try await run(search, request, context, env) }
            router.get("fhir/r4/\(search.resourceType)/:id") { request, context -> Response in try await read(search, request, context, env) }
        }

        // Consent: the patient's consent history, as `GET /api/v1/patients/{id}/consent` (consent access).
        router.get("fhir/r4/Consent") { request, context -> Response in
            try checkParameters(request, allowed: ["patient"])
            let id = try patientParameter(request)
            let grant = try await env.grant(context, .read, .consent, patient: id)
            let resources = FHIRPrivacyResources.consents(try await env.store.consentHistory(grant, patient: id))
            return response(searchset(request, resources, total: resources.count, next: nil))
        }
        router.get("fhir/r4/Consent/:id") { request, context -> Response in try await readConsent(request, context, env) }

        // AuditEvent: one patient's audit trail, as `GET /api/v1/patients/{id}/audit` (the patient and administrators).
        router.get("fhir/r4/AuditEvent") { request, context -> Response in try await searchAudit(request, context, env) }
    }

    // MARK: Import

    static func importBundle(_ request: Request, _ context: TailorContext, _ env: APIEnvironment) async throws -> Response {
        let media =
            request.headers[.contentType].map { $0.split(separator: ";", omittingEmptySubsequences: false)[0].trimmingCharacters(in: .whitespaces).lowercased() }
            ?? ""
        guard media == "application/fhir+json" || media == "application/json" else {
            throw APIError(.unsupportedMediaType, "unsupported_media_type", "send the Bundle as application/fhir+json (or application/json)")
        }
        try checkParameters(request, allowed: [])
        let grant = try await env.grant(context, .write, .patientRegistration)
        /// A refused import is on record too (the grant's own entry commits only with a successful import).
        func rejected(_ error: APIError) async throws -> APIError {
            try await env.gate.recordEvent(
                actor: grant.principal.userID.rawValue, role: grant.principal.role.rawValue, action: Action.write.rawValue,
                resource: Resource.patientRegistration.rawValue, outcome: .deny, reason: "FHIR import rejected: \(error.message.prefix(300))",
                requestID: context.id, purpose: grant.purpose)
            return error
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBundleBytes)
        } catch {
            throw try await rejected(APIError(.contentTooLarge, "too_large", "the Bundle is larger than \(maxBundleBytes) bytes"))
        }
        let data = Data(buffer.readableBytesView)
        let plan: ImportPlan
        do {
            plan = try FHIRBundleImporter.plan(data, options: FHIRImportOptions(maxBytes: maxBundleBytes))
        } catch {
            throw try await rejected(apiError(error))
        }
        let result: RecordStore.FHIRImportResult
        do {
            result = try await env.store.importFHIR(grant, plan: plan) { id in
                try await env.grant(context, .write, .clinicalRecord, patient: id)
            }
        } catch let error as FHIRImportError {
            throw try await rejected(apiError(error))
        } catch let error as StoreError {
            throw try await rejected(APIError.from(error))
        }
        return response(transactionResponse(data, plan: plan, result: result))
    }

    static func apiError(_ error: FHIRImportError) -> APIError {
        let expression = error.path.map { "Bundle." + $0 }
        switch error {
        case .tooLarge: return APIError(.contentTooLarge, "too_large", error.description)
        case .notJSON, .notABundle, .unsupportedBundleType: return APIError(.badRequest, "invalid", error.description, field: expression)
        default: return APIError(.unprocessableContent, "invalid", error.description, field: expression)
        }
    }

    /// A `transaction-response` (`batch-response` for a batch) with one entry per input entry, in order: 201 and the
    /// location for what this import stored, 200 and the location for what was already there, 200 with an
    /// informational outcome for entries that map to nothing in the record (and why).
    static func transactionResponse(_ data: Data, plan: ImportPlan, result: RecordStore.FHIRImportResult) -> [String: Any] {
        let raw = ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["entry"] as? [Any] ?? []
        var outcomes: [Int: RecordStore.FHIRImportResult.ResourceOutcome] = [:]
        for outcome in result.resources { outcomes[outcome.entryIndex] = outcome }
        var entries: [[String: Any]] = []
        for index in 0..<plan.report.totalEntries {
            if let outcome = outcomes[index] {
                let location =
                    outcome.resourceType == "Patient"
                    ? "Patient/\(outcome.patientID.fhirID)"
                    : "\(FHIRResources.resourceType(outcome.resourceType))/\(outcome.entryIDs.first?.fhirID ?? "")"
                entries.append(["response": ["status": outcome.status == .created ? "201 Created" : "200 OK", "location": location]])
            } else {
                let type = ((raw[safe: index] as? [String: Any])?["resource"] as? [String: Any])?["resourceType"] as? String ?? "resource"
                let why =
                    FHIRBundleImporter.referenceTargetTypes.contains(type)
                    ? ImportSkip.Reason.referenceTarget
                    : FHIRBundleImporter.importedTypes.contains(type) ? "no patient reference or no coding" : ImportSkip.Reason.notImported
                let response: [String: Any] = [
                    "status": "200 OK",
                    "outcome": FHIROutcome.outcome(severity: "information", code: "informational", "\(type): not stored (\(why))", expression: "Bundle.entry[\(index)]"),
                ]
                entries.append(["response": response])
            }
        }
        return ["resourceType": "Bundle", "type": plan.report.bundleType == "batch" ? "batch-response" : "transaction-response", "entry": entries]
    }

    // MARK: Search

    static func run(_ search: FHIRSearch, _ request: Request, _ context: TailorContext, _ env: APIEnvironment) async throws -> Response {
        try checkParameters(request, allowed: search.parameters.union(["patient", "subject", "_count", "_after", "_include"]))
        let query = request.uri.queryParameters
        let id = try patientParameter(request)
        let include = try includeParameter(request, search)
        var filter = RecordStore.EntrySearch(types: search.types, excludedCategories: search.excludedCategories)
        filter.limit = try countParameter(request)
        filter.after = try afterParameter(request)
        if let code = query["code"] {
            let parts = code.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 {
                filter.system = parts[0].isEmpty ? nil : String(parts[0])
                filter.code = String(parts[1])
            } else {
                filter.code = String(code)
            }
        }
        var resource = Resource.clinicalRecord
        if let category = query["category"] {
            let code = String(category.split(separator: "|").last ?? "")
            filter.categories = [code]
            if code == "monitoring" { resource = .monitoring }
        }
        (filter.from, filter.until) = try dateParameters(request)
        let grant = try await env.grant(context, .read, resource, patient: id)
        let (entries, total) = try await env.store.searchEntries(grant, patient: id, filter)
        let resources = entries.map(FHIRResources.resource).filter { $0["resourceType"] as? String == search.resourceType }
        // `_include=…:subject` adds the one subject every match shares (the searched patient: a search never spans
        // patients, so an include cannot reach another record), under its own patient-summary decision, audited.
        var included: [[String: Any]] = []
        if include {
            let summaryGrant = try await env.grant(context, .read, .patientSummary, patient: id)
            included = [FHIRResources.patient(try await env.store.patient(summaryGrant, id))]
        }
        let next = entries.count == filter.limit ? entries.last.map { nextLink(request, search.resourceType, after: $0.id.fhirID) } : nil
        return response(searchset(request, resources, total: total, next: next, included: included))
    }

    /// The same search from the item after `after` (every other parameter kept).
    static func nextLink(_ request: Request, _ resourceType: String, after: String) -> String {
        var items = request.uri.queryParameters.filter { $0.key != "_after" }.map { "\($0.key)=\(percent(String($0.value)))" }
        items.append("_after=\(after)")
        return "\(resourceType)?" + items.joined(separator: "&")
    }

    /// `_include` as the CapabilityStatement declares it: only `{type}:subject`.
    static func includeParameter(_ request: Request, _ search: FHIRSearch) throws -> Bool {
        let values = request.uri.queryParameters[values: "_include"]
        for value in values where value != search.include {
            throw APIError.badRequest("_include supports only \(search.include), got '\(value.prefix(60))'", field: "_include")
        }
        return !values.isEmpty
    }

    // MARK: Reads by ID

    /// One entry by its FHIR id. The entry's owner is looked up first so the gate decides about the right patient (a
    /// refusal is audited against them); an ID of another type's entry is 404, as an unknown one.
    static func read(_ search: FHIRSearch, _ request: Request, _ context: TailorContext, _ env: APIEnvironment) async throws -> Response {
        try checkParameters(request, allowed: [])
        let raw = try context.parameters.require("id")
        let notFound = APIError.notFound("no \(search.resourceType) '\(raw.prefix(80))'")
        guard let id = try? EntryID(parsingFHIR: raw), let owner = try await env.store.owner(ofEntry: id) else { throw notFound }
        let grant = try await env.grant(context, .read, owner.monitoring ? .monitoring : .clinicalRecord, patient: owner.patient)
        let entry = try await env.store.entry(grant, patient: owner.patient, id: id)
        let resource = FHIRResources.resource(entry)
        guard search.matches(entry), resource["resourceType"] as? String == search.resourceType else { throw notFound }
        return response(resource)
    }

    /// One consent version by its FHIR id, under the owner's consent decision.
    static func readConsent(_ request: Request, _ context: TailorContext, _ env: APIEnvironment) async throws -> Response {
        try checkParameters(request, allowed: [])
        let raw = try context.parameters.require("id")
        let notFound = APIError.notFound("no Consent '\(raw.prefix(80))'")
        guard let id = try? ConsentID(parsingFHIR: raw), let patient = try await env.store.owner(ofConsent: id) else { throw notFound }
        let grant = try await env.grant(context, .read, .consent, patient: patient)
        let resources = FHIRPrivacyResources.consents(try await env.store.consentHistory(grant, patient: patient))
        guard let resource = resources.first(where: { $0["id"] as? String == id.fhirID }) else { throw notFound }
        return response(resource)
    }

    // MARK: AuditEvent

    /// `AuditEvent?patient=…[&date=…][&_count=…]`: newest first, paged by sequence (`_after=aud-N` from a next link).
    /// The read is itself decided and audited first, so it appears on the trail it returns.
    static func searchAudit(_ request: Request, _ context: TailorContext, _ env: APIEnvironment) async throws -> Response {
        try checkParameters(request, allowed: ["patient", "date", "_count", "_after"])
        let id = try patientParameter(request)
        var search = RecordStore.AuditSearch(limit: try countParameter(request))
        (search.from, search.until) = try dateParameters(request)
        if let after = request.uri.queryParameters["_after"] {
            guard let sequence = auditSequence(String(after)) else {
                throw APIError.badRequest("_after must be an AuditEvent id from a next link (aud-N)", field: "_after")
            }
            search.before = sequence
        }
        let grant = try await env.grant(context, .read, .patientAudit, patient: id)
        let (entries, total) = try await env.store.searchPatientAudit(grant, patient: id, search)
        let next = entries.count == search.limit ? entries.last.map { nextLink(request, "AuditEvent", after: "aud-\($0.sequence)") } : nil
        return response(searchset(request, entries.map(FHIRPrivacyResources.auditEvent), total: total, next: next))
    }

    /// `aud-` and 1–18 digits (the OpenAPI pattern says the same), as a sequence number.
    static func auditSequence(_ text: String) -> Int64? {
        guard text.hasPrefix("aud-") else { return nil }
        let digits = text.dropFirst(4)
        guard (1...18).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(digits)
    }

    /// Every `date` parameter, intersected: `[from, until)` in ms.
    static func dateParameters(_ request: Request) throws -> (from: Int64?, until: Int64?) {
        var from: Int64?, until: Int64?
        for value in request.uri.queryParameters[values: "date"] {
            let bound = try dateBound(String(value))
            if let start = bound.from { from = max(from ?? start, start) }
            if let end = bound.until { until = min(until ?? end, end) }
        }
        return (from, until)
    }

    /// `ge2021-01-01` etc. as a half-open interval in ms. A value covers its whole precision (a day, a month, a year).
    /// At most 40 characters (the OpenAPI document's `FHIRDate` says the same, with a pattern for exactly what parses).
    static func dateBound(_ text: String) throws -> (from: Int64?, until: Int64?) {
        let prefixes = ["eq", "ge", "gt", "le", "lt"]
        var prefix = "eq", value = text
        if let p = prefixes.first(where: { text.hasPrefix($0) }) {
            prefix = p
            value = String(text.dropFirst(2))
        }
        guard text.count <= 40, let start = FHIRDate.epochMillis(value), let end = endOfPrecision(value, start: start) else {
            throw APIError.badRequest("date must be [eq|ge|gt|le|lt] followed by a FHIR date or dateTime, got '\(text.prefix(60))'", field: "date")
        }
        switch prefix {
        case "ge": return (start, nil)
        case "gt": return (end, nil)
        case "le": return (nil, end)
        case "lt": return (nil, start)
        default: return (start, end)
        }
    }

    /// The first instant after the value's precision: counted in days from its start, so the last year (9999) has an end
    /// too, though the year after it cannot be written.
    static func endOfPrecision(_ value: String, start: Int64) -> Int64? {
        let parts = value.prefix(10).split(separator: "-").compactMap { Int($0) }
        let day: Int64 = 86_400_000
        func leap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }
        switch (value.count, parts.count) {
        case (4, 1): return start + (leap(parts[0]) ? 366 : 365) * day
        case (7, 2):
            let days: Int64 = switch parts[1] {
            case 2: leap(parts[0]) ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
            return start + days * day
        case (10, 3): return start + day
        default: return start + 1
        }
    }

    // MARK: Helpers

    static func patientID(_ text: String) throws -> PatientID {
        let raw = text.hasPrefix("Patient/") ? String(text.dropFirst("Patient/".count)) : text
        do { return try PatientID(parsingFHIR: raw) } catch { throw APIError.notFound("no Patient '\(raw.prefix(80))'") }
    }

    /// The searched patient: `patient` (or its synonym `subject`), as `Patient/{id}` or `{id}`.
    static func patientParameter(_ request: Request) throws -> PatientID {
        let query = request.uri.queryParameters
        guard let reference = query["patient"] ?? query["subject"] else {
            throw APIError.badRequest("a search needs the patient parameter (patient=Patient/{id})", field: "patient")
        }
        return try patientID(String(reference))
    }

    static func countParameter(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["_count"] else { return 50 }
        guard let count = Int(text), (1...1000).contains(count) else {
            throw APIError.badRequest("_count must be a whole number in 1...1000", field: "_count")
        }
        return count
    }

    static func afterParameter(_ request: Request) throws -> EntryID? {
        guard let text = request.uri.queryParameters["_after"] else { return nil }
        do { return try EntryID(parsingFHIR: text) } catch { throw APIError.badRequest("_after must be an entry ID from a next link", field: "_after") }
    }

    /// Unknown search parameters are an error (FHIR's strict handling), so a typo never silently widens a search.
    static func checkParameters(_ request: Request, allowed: Set<String>) throws {
        for (name, value) in request.uri.queryParameters {
            let key = String(name)
            if key == "_format" {
                guard ["json", "application/json", "application/fhir+json"].contains(String(value)) else {
                    throw APIError(.unsupportedMediaType, "unsupported_media_type", "only JSON is supported (_format=json)")
                }
                continue
            }
            guard allowed.contains(key) else {
                let known = allowed.sorted().joined(separator: ", ")
                throw APIError.badRequest("unknown or unsupported search parameter '\(key.prefix(60))'" + (known.isEmpty ? "" : " (supported: \(known))"), field: key)
            }
        }
    }

    /// A searchset: `resources` as matches (counted by `total`), then `included` resources (mode `include`, not counted).
    static func searchset(_ request: Request, _ resources: [[String: Any]], total: Int, next: String?, included: [[String: Any]] = []) -> [String: Any] {
        let base = baseURL(request)
        var links: [[String: Any]] = [["relation": "self", "url": base + String(request.uri.description.dropFirst("/fhir/r4/".count))]]
        if let next { links.append(["relation": "next", "url": base + next]) }
        func entries(_ resources: [[String: Any]], mode: String) -> [[String: Any]] {
            resources.map { resource in
                [
                    "fullUrl": base + "\(resource["resourceType"] ?? "")/\(resource["id"] ?? "")", "resource": resource,
                    "search": ["mode": mode],
                ] as [String: Any]
            }
        }
        return [
            "resourceType": "Bundle", "type": "searchset", "total": total, "link": links,
            "entry": entries(resources, mode: "match") + entries(included, mode: "include"),
        ]
    }

    static func baseURL(_ request: Request) -> String {
        let host = request.head.authority ?? "localhost"
        return "http://\(host)/fhir/r4/"
    }

    static func percent(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~|:"))) ?? text
    }

    static func response(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: mediaType, .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func capabilityStatement() -> [String: Any] {
        func resource(
            _ type: String, interactions: [String], params: [(String, String)], includes: [String] = [], operations: [(String, String)] = []
        ) -> [String: Any] {
            var item: [String: Any] = ["type": type, "interaction": interactions.map { ["code": $0] }]
            if !params.isEmpty { item["searchParam"] = params.map { ["name": $0.0, "type": $0.1] } }
            if !includes.isEmpty { item["searchInclude"] = includes }
            if !operations.isEmpty {
                item["operation"] = operations.map { ["name": $0.0, "definition": $0.1] }
            }
            return item
        }
        let everything = ("everything", "http://hl7.org/fhir/OperationDefinition/Patient-everything")
        var resources = [resource("Patient", interactions: ["read"], params: [], operations: [everything])]
        for search in FHIRSearch.all {
            let params: [(String, String)] =
                [("patient", "reference"), ("_count", "number")] + search.parameters.sorted().map { ($0, $0 == "date" ? "date" : "token") }
            resources.append(resource(search.resourceType, interactions: ["read", "search-type"], params: params, includes: [search.include]))
        }
        resources.append(resource("Consent", interactions: ["read", "search-type"], params: [("patient", "reference")]))
        resources.append(resource("AuditEvent", interactions: ["search-type"], params: [("patient", "reference"), ("date", "date"), ("_count", "number")]))
        return [
            "resourceType": "CapabilityStatement", "status": "active", "date": "2026-12-06", "kind": "instance",
            "fhirVersion": fhirVersion, "format": ["json", "application/fhir+json"],
            "software": ["name": "Tailor"],
            "implementation": ["description": "Tailor FHIR R4 facade: Bundle import, read/search of the patient record, consent history and audit trail"],
            "rest": [
                [
                    "mode": "server",
                    "security": ["description": "Bearer token from POST /api/v1/auth/login; consent and care-team rules as the REST API; every access audited."],
                    "interaction": [["code": "transaction"], ["code": "batch"]],
                    "resource": resources,
                ] as [String: Any]
            ],
        ]
    }
}

/// The type-level searches the facade answers.
struct FHIRSearch: Sendable {
    var resourceType: String
    var types: [EntryType]
    var excludedCategories: [String]
    /// Search parameters besides `patient`, `_count`.
    var parameters: Set<String>
    /// The one `_include` each search supports (declared as `searchInclude`): the matches' subject.
    var include: String { "\(resourceType):subject" }

    /// Whether an entry is one this search (and a read of this type) answers with.
    func matches(_ entry: ClinicalEntry) -> Bool { types.contains(entry.type) && !excludedCategories.contains(entry.category) }

    static let all: [FHIRSearch] = [
        FHIRSearch(resourceType: "Observation", types: [.observation], excludedCategories: [], parameters: ["code", "date", "category"]),
        FHIRSearch(resourceType: "Condition", types: [.condition], excludedCategories: ["allergy"], parameters: ["code"]),
        FHIRSearch(resourceType: "MedicationRequest", types: [.medication], excludedCategories: ["immunization", "medication-statement"], parameters: ["code"]),
    ]
}

/// Record values as FHIR R4 resources (JSON objects).
enum FHIRResources {
    /// The facade's type for what an import of `sourceType` stored (MedicationStatement stays itself, the rest map 1:1).
    static func resourceType(_ sourceType: String) -> String { sourceType }

    static func patient(_ p: Patient) -> [String: Any] {
        var resource: [String: Any] = [
            "resourceType": "Patient", "id": p.id.fhirID, "gender": p.sex,
            "name": [["use": "official", "family": p.familyName, "given": p.givenName.split(separator: " ").map(String.init)] as [String: Any]],
        ]
        if let mrn = p.mrn {
            resource["identifier"] = [
                ["type": ["coding": [["system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"]]], "value": mrn] as [String: Any]
            ]
        }
        if let birthDate = p.birthDate { resource["birthDate"] = birthDate }
        return resource
    }

    static func instant(_ millis: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    static func concept(_ e: ClinicalEntry) -> [String: Any] {
        var coding: [String: Any] = ["system": e.system, "code": e.code]
        if let display = e.display { coding["display"] = display }
        return ["coding": [coding]]
    }

    /// How an entry kind is written: the resource type and the element names that differ between types for the same
    /// things (the code, the patient reference, the time), and the status written when the entry has none (`nil`: no
    /// status element, as AllergyIntolerance and Condition carry theirs as a CodeableConcept).
    struct Shape {
        var resourceType: String
        var defaultStatus: String?
        var codeElement: String
        var subjectElement: String
        var timeElement: String
    }

    static func shape(_ e: ClinicalEntry) -> Shape {
        switch e.type {
        case .observation, .phenotype, .factor: Shape(resourceType: "Observation", defaultStatus: "final", codeElement: "code", subjectElement: "subject", timeElement: "effectiveDateTime")
        case .condition where e.category == "allergy":
            Shape(resourceType: "AllergyIntolerance", defaultStatus: nil, codeElement: "code", subjectElement: "patient", timeElement: "onsetDateTime")
        case .condition: Shape(resourceType: "Condition", defaultStatus: nil, codeElement: "code", subjectElement: "subject", timeElement: "onsetDateTime")
        case .medication where e.category == "immunization":
            Shape(resourceType: "Immunization", defaultStatus: "completed", codeElement: "vaccineCode", subjectElement: "patient", timeElement: "occurrenceDateTime")
        case .medication where e.category == "medication-statement":
            Shape(
                resourceType: "MedicationStatement", defaultStatus: "unknown", codeElement: "medicationCodeableConcept", subjectElement: "subject",
                timeElement: "effectiveDateTime")
        case .medication:
            Shape(
                resourceType: "MedicationRequest", defaultStatus: "unknown", codeElement: "medicationCodeableConcept", subjectElement: "subject",
                timeElement: "authoredOn")
        case .procedure: Shape(resourceType: "Procedure", defaultStatus: "unknown", codeElement: "code", subjectElement: "subject", timeElement: "performedDateTime")
        case .encounter: Shape(resourceType: "Encounter", defaultStatus: "unknown", codeElement: "type", subjectElement: "subject", timeElement: "period")
        case .report: Shape(resourceType: "DiagnosticReport", defaultStatus: "unknown", codeElement: "code", subjectElement: "subject", timeElement: "effectiveDateTime")
        }
    }

    /// The resource an entry is shown as: the elements every type has (written by its ``Shape``), then each type's own.
    static func resource(_ e: ClinicalEntry) -> [String: Any] {
        let form = shape(e)
        var r: [String: Any] = ["id": e.id.fhirID, "resourceType": form.resourceType]
        r[form.subjectElement] = ["reference": "Patient/\(e.patientID.fhirID)"]
        if let status = form.defaultStatus { r["status"] = e.status ?? status }
        if let time = e.effectiveAt.map(instant) { r[form.timeElement] = form.resourceType == "Encounter" ? ["start": time] : time }
        r[form.codeElement] = form.resourceType == "Encounter" ? [concept(e)] : concept(e)
        func statusConcept(_ system: String) {
            if let status = e.status { r["clinicalStatus"] = ["coding": [["system": system, "code": status]]] }
        }
        switch form.resourceType {
        case "Observation":
            r["category"] = [["coding": [["system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": e.category]]]]
            if let number = e.valueNumber {
                var quantity: [String: Any] = ["value": number]
                if let unit = e.unit { quantity["unit"] = unit; quantity["system"] = "http://unitsofmeasure.org"; quantity["code"] = unit }
                r["valueQuantity"] = quantity
            } else if let text = e.valueText {
                r["valueString"] = text
            }
        case "AllergyIntolerance":
            statusConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical")
            if let text = e.valueText { r["criticality"] = text }
        case "Condition":
            r["category"] = [["coding": [["system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": e.category]]]]
            statusConcept("http://terminology.hl7.org/CodeSystem/condition-clinical")
        case "MedicationRequest":
            r["intent"] = "order"
            if let text = e.valueText { r["dosageInstruction"] = [["text": text]] }
        case "Encounter":
            r["class"] = ["system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": e.valueText ?? "AMB"]
        case "DiagnosticReport":
            if let text = e.valueText { r["conclusion"] = text }
        default:
            break
        }
        return r
    }
}

/// Errors on `/fhir/…` as OperationOutcome, with the HTTP status the API would use.
enum FHIROutcome {
    static func outcome(severity: String = "error", code: String, _ diagnostics: String, expression: String? = nil) -> [String: Any] {
        var issue: [String: Any] = ["severity": severity, "code": code, "diagnostics": diagnostics]
        if let expression { issue["expression"] = [expression] }
        return ["resourceType": "OperationOutcome", "issue": [issue]]
    }

    static func response(_ error: APIError) -> Response {
        let code: String
        switch error.status.code {
        case 400, 422: code = error.status.code == 422 && error.code == "conflict" ? "conflict" : "invalid"
        case 401: code = "login"
        case 403: code = "forbidden"
        case 404: code = "not-found"
        case 405, 415: code = "not-supported"
        case 409: code = "conflict"
        case 413: code = "too-costly"
        default: code = "exception"
        }
        let object = outcome(code: code, error.message, expression: error.field)
        var response = FHIRRoutes.response(object, status: error.status)
        for field in error.headers { response.headers.append(field) }
        return response
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
