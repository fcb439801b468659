import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Records
@testable import Server
import Store
import Testing

/// Every route × every role × own / other patient × consent state: the expected answer is written out by hand
/// below (not computed by the policy under test), and every request must leave an audit entry with the same outcome.
@Suite struct AuthorizationMatrixTests {
    /// Who is calling, relative to patient X (whose record the routes address).
    enum Caller: String, CaseIterable, Sendable {
        case patientSelf = "P"  // X's own account
        case patientOther = "P2"  // another patient's account
        case clinicianOnTeam = "C"
        case clinicianOffTeam = "C2"
        case counsellorOnTeam = "G"
        case researcher = "R"
        case administrator = "A"
    }

    enum ConsentState: String, CaseIterable, Sendable {
        case standard
        /// X withholds genomic data from treatment.
        case genomicWithheld
    }

    struct Route: Sendable, CustomStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: String?
        /// Callers allowed under the standard consent.
        var allowed: Set<Caller>
        /// Callers allowed when genomic data is withheld from treatment (defaults to `allowed`).
        var allowedWithheld: Set<Caller>?
        /// The resource the audit entry names (nil: no patient-data decision is audited, e.g. the directory filter).
        var resource: Resource
        /// Further decisions an allowed request goes on to ask for, in order (the risk view asks for findings after the
        /// clinical record): their resources and who they allow; a refusal there answers with the rest of the view, not 403.
        var then: [Then] = []
        var description: String { "\(method) \(path)" }
    }

    struct Then: Sendable {
        var resource: Resource
        var allowed: Set<Caller>
        var allowedWithheld: Set<Caller>
    }

    static let factor = #"{"entries":[{"type":"factor","category":"lifestyle","system":"urn:tailor:factor","code":"sleep-hours","valueNumber":7}]}"#
    static let batch = #"{"readings":[{"kind":"blood-pressure","at":1767258000000,"systolic":128,"diastolic":82,"unit":"mmHg","utcOffsetMinutes":0}]}"#
    static let reading = #"{"entries":[{"type":"observation","category":"monitoring","system":"http://loinc.org","code":"8480-6","valueNumber":128,"unit":"mm[Hg]"}]}"#
    /// Re-records the consent state under test (so the write does not change what later rows see).
    /// A bundle whose one Patient is created by the first allowed import and matched (nothing new) by the rest.
    static let fhirBundle = #"{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:matrix","resource":{"resourceType":"Patient","id":"matrix","gender":"other"}}]}"#
    static let consentStandard = #"{"treatment":["genomic","clinical","monitoring"],"researchUses":[],"researchCategories":[],"secondaryFindings":false}"#
    static let consentWithheld = #"{"treatment":["clinical","monitoring"],"researchUses":[],"researchCategories":[],"secondaryFindings":false}"#

    static var routes: [Route] {
        let x = "/api/v1/patients/{X}"
        let care: Set<Caller> = [.patientSelf, .clinicianOnTeam, .counsellorOnTeam]
        return [
            Route(method: .get, path: x, allowed: care, resource: .patientSummary),
            Route(method: .get, path: x + "/entries", allowed: care, resource: .clinicalRecord),
            Route(method: .post, path: x + "/entries", body: factor, allowed: care, resource: .clinicalRecord),
            Route(method: .get, path: x + "/monitoring", allowed: care, resource: .monitoring),
            Route(method: .post, path: x + "/monitoring", body: reading, allowed: care, resource: .monitoring),
            Route(method: .get, path: x + "/consent", allowed: care, resource: .consent),
            Route(method: .put, path: x + "/consent", body: "{CONSENT}", allowed: care, resource: .consent),
            Route(method: .get, path: x + "/care-team", allowed: care.union([.administrator]), resource: .careTeam),
            Route(method: .post, path: x + "/care-team", body: #"{"userID":"{EXTRA}"}"#, allowed: [.administrator], resource: .careTeam),
            Route(method: .get, path: x + "/audit", allowed: [.patientSelf, .administrator], resource: .patientAudit),
            Route(
                method: .get, path: x + "/risk?at=2026-11-30", allowed: care, resource: .clinicalRecord,
                then: [Then(resource: .findings, allowed: care, allowedWithheld: [.patientSelf])]),
            // Monitoring readings, factors and care plans (issue #9).
            Route(method: .post, path: x + "/readings", body: batch, allowed: care, resource: .monitoring),
            Route(method: .get, path: x + "/readings", allowed: care, resource: .monitoring),
            Route(method: .get, path: x + "/monitoring/summary", allowed: care, resource: .monitoring),
            Route(method: .put, path: x + "/factors", body: #"{"sleep":{"hoursPerNight":6.5}}"#, allowed: care, resource: .clinicalRecord),
            Route(method: .get, path: x + "/factors", allowed: care, resource: .clinicalRecord),
            Route(method: .get, path: x + "/goals", allowed: care, resource: .clinicalRecord),
            Route(
                method: .get, path: x + "/care-plan", allowed: care, resource: .clinicalRecord,
                then: [
                    Then(resource: .monitoring, allowed: care, allowedWithheld: care),
                    Then(resource: .findings, allowed: care, allowedWithheld: [.patientSelf]),
                ]),
            Route(
                method: .post, path: x + "/care-plan", allowed: [.clinicianOnTeam, .counsellorOnTeam], resource: .clinicalRecord,
                then: [
                    Then(resource: .monitoring, allowed: care, allowedWithheld: care),
                    Then(resource: .findings, allowed: care, allowedWithheld: [.patientSelf]),
                    Then(resource: .clinicalRecord, allowed: care, allowedWithheld: care),
                ]),
            Route(method: .get, path: x + "/datasets", allowed: care, allowedWithheld: [.patientSelf], resource: .genomicData),
            Route(method: .get, path: x + "/runs", allowed: care, allowedWithheld: [.patientSelf], resource: .findings),
            Route(method: .get, path: x + "/findings", allowed: care, allowedWithheld: [.patientSelf], resource: .findings),
            Route(method: .get, path: x + "/genomics-report", allowed: care, allowedWithheld: [.patientSelf], resource: .findings),
            // The Phenopacket export asks for the findings first (withheld genomic data refuses the whole export), then the
            // clinical record (phenotypes) and the summary (sex, birth date).
            Route(
                method: .get, path: x + "/phenopacket", allowed: care, allowedWithheld: [.patientSelf], resource: .findings,
                then: [
                    Then(resource: .clinicalRecord, allowed: care, allowedWithheld: care),
                    Then(resource: .patientSummary, allowed: care, allowedWithheld: care),
                ]),
            // The FHIR facade: the same decisions as the REST routes it mirrors (before break-glass, which opens reads).
            Route(method: .get, path: "/fhir/r4/Patient/{X}", allowed: care, resource: .patientSummary),
            Route(method: .get, path: "/fhir/r4/Observation?patient=Patient/{X}", allowed: care, resource: .clinicalRecord),
            Route(method: .get, path: "/fhir/r4/Condition?patient={X}", allowed: care, resource: .clinicalRecord),
            Route(method: .get, path: "/fhir/r4/MedicationRequest?patient={X}", allowed: care, resource: .clinicalRecord),
            Route(
                method: .get, path: "/fhir/r4/Patient/{X}/$everything", allowed: care, resource: .patientSummary,
                then: [Then(resource: .clinicalRecord, allowed: care, allowedWithheld: care)]),
            Route(
                method: .get, path: "/fhir/r4/Observation?patient={X}&_include=Observation:subject", allowed: care, resource: .clinicalRecord,
                then: [Then(resource: .patientSummary, allowed: care, allowedWithheld: care)]),
            Route(method: .get, path: "/fhir/r4/Consent?patient={X}", allowed: care, resource: .consent),
            // One policy for audit trails, as GET /patients/{X}/audit: the patient and administrators.
            Route(method: .get, path: "/fhir/r4/AuditEvent?patient={X}&_count=5", allowed: [.patientSelf, .administrator], resource: .patientAudit),
            Route(
                method: .post, path: x + "/break-glass", body: #"{"reason":"collapsed in clinic, needs medication history"}"#,
                allowed: [.clinicianOnTeam, .clinicianOffTeam, .counsellorOnTeam, .administrator], resource: .breakGlass),
            Route(method: .get, path: "/api/v1/patients", allowed: [.patientSelf, .patientOther, .clinicianOnTeam, .clinicianOffTeam, .counsellorOnTeam, .administrator], resource: .patientDirectory),
            Route(method: .post, path: "/api/v1/patients", body: #"{"givenName":"New","familyName":"Patient","sex":"female"}"#,
                  allowed: [.clinicianOnTeam, .clinicianOffTeam, .counsellorOnTeam, .administrator], resource: .patientRegistration),
            Route(method: .get, path: "/api/v1/users", allowed: [.administrator], resource: .accounts),
            Route(method: .get, path: "/api/v1/audit", allowed: [.administrator], resource: .auditLog),
            Route(method: .get, path: "/api/v1/research/pgx?gene=CYP2C19", allowed: [.researcher], resource: .researchAggregate),
            // FHIR import: a registration.
            Route(method: .post, path: "/fhir/r4", body: fhirBundle,
                  allowed: [.clinicianOnTeam, .clinicianOffTeam, .counsellorOnTeam, .administrator], resource: .patientRegistration),
        ]
    }

    @Test("authorization matrix on SQLite", arguments: ConsentState.allCases)
    func sqlite(consent: ConsentState) async throws { try await Self.run(.sqlite, consent: consent) }

    @Test(
        "authorization matrix on PostgreSQL", .enabled(if: ServerHarness.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set: PostgreSQL runs skipped"),
        arguments: ConsentState.allCases)
    func postgres(consent: ConsentState) async throws { try await Self.run(.postgres, consent: consent) }

    static func run(_ engine: ServerHarness.Engine, consent: ConsentState) async throws {
        let harness = try await ServerHarness.open(engine)
        let store = harness.server.store
        let gate = harness.server.gate
        // The cast: X (with its patient account), Y (another patient), a clinician and counsellor on X's team.
        let clinician = try await harness.account("c-on", .clinician)
        let offTeam = try await harness.account("c-off", .clinician)
        let counsellor = try await harness.account("g-on", .geneticCounsellor)
        let researcher = try await harness.account("res", .researcher)
        // Added to X's team by the care-team row (someone outside the cast, so later rows see the same team).
        let extra = try await harness.account("c-extra", .clinician)
        let admin = try await harness.account("adm", .administrator)
        let x = try await store.createPatient(
            try await gate.authorize(clinician.principal, .write, .patientRegistration, requestID: "setup"), .init(givenName: "X", familyName: "X", birthDate: "1970-03-01", sex: "female"))
        let y = try await store.createPatient(
            try await gate.authorize(offTeam.principal, .write, .patientRegistration, requestID: "setup"), .init(givenName: "Y", familyName: "Y"))
        try await store.addToCareTeam(try await gate.authorize(admin.principal, .write, .careTeam, patient: x.id, requestID: "setup"), patient: x.id, user: counsellor.id)
        let xAccount = try await harness.account("pat-x", .patient, patient: x.id)
        let yAccount = try await harness.account("pat-y", .patient, patient: y.id)
        if consent == .genomicWithheld {
            _ = try await store.recordConsent(
                try await gate.authorize(xAccount.principal, .write, .consent, patient: x.id, requestID: "setup"), patient: x.id,
                ConsentDirective(treatment: [.clinical, .monitoring]))
        }
        let accounts: [Caller: UserAccount] = [
            .patientSelf: xAccount, .patientOther: yAccount, .clinicianOnTeam: clinician, .clinicianOffTeam: offTeam, .counsellorOnTeam: counsellor,
            .researcher: researcher, .administrator: admin,
        ]
        var tokens: [Caller: String] = [:]
        for (caller, account) in accounts { tokens[caller] = try await harness.token(account) }
        let frozenTokens = tokens

        try await harness.test { client in
            for route in routes {
                for caller in Caller.allCases {
                    let allowed = (consent == .genomicWithheld ? route.allowedWithheld ?? route.allowed : route.allowed).contains(caller)
                    let path = route.path.replacingOccurrences(of: "{X}", with: x.id.rawValue)
                    let body = route.body?.replacingOccurrences(of: "{EXTRA}", with: extra.id.rawValue)
                        .replacingOccurrences(of: "{CONSENT}", with: consent == .standard ? consentStandard : consentWithheld)
                    let before = try await harness.lastAudit()?.sequence ?? 0
                    let response = try await client.call(route.method, path, token: frozenTokens[caller], json: body)
                    let label = "\(route) as \(caller.rawValue) (\(consent.rawValue))"
                    if allowed {
                        #expect((200..<300).contains(response.status.code), "\(label): expected success, got \(response.status.code) \(response.text.prefix(200))")
                    } else {
                        #expect(response.status == .forbidden, "\(label): expected 403, got \(response.status.code) \(response.text.prefix(200))")
                        #expect(response.errorCode == "forbidden" || response.fhirIssueCode == "forbidden", "\(label)")
                    }
                    // The decision is on record, with the caller and the outcome (and a second decision's, when asked).
                    let entries = try await harness.auditEntries(after: before)
                    let entry = try #require(route.then.isEmpty ? entries.last : entries.first, "\(label): no new audit entry")
                    #expect(entry.record.actor == accounts[caller]!.id.rawValue, "\(label): audit actor")
                    #expect(entry.record.outcome == (allowed ? .allow : .deny), "\(label): audit outcome")
                    #expect(entry.record.resource == route.resource.rawValue, "\(label): audit resource \(entry.record.resource)")
                    if route.resource.isPatientScoped { #expect(entry.record.patientID == x.id, "\(label): audit patient") }
                    if !route.then.isEmpty {
                        #expect(entries.count == (allowed ? 1 + route.then.count : 1), "\(label): \(entries.count) audit entries")
                        if allowed, entries.count == 1 + route.then.count {
                            for (then, next) in zip(route.then, entries.dropFirst()) {
                                let nextAllowed = (consent == .genomicWithheld ? then.allowedWithheld : then.allowed).contains(caller)
                                #expect(next.record.resource == then.resource.rawValue, "\(label): later audit resource \(next.record.resource)")
                                #expect(next.record.outcome == (nextAllowed ? .allow : .deny), "\(label): later audit outcome")
                                #expect(next.record.actor == accounts[caller]!.id.rawValue && next.record.patientID == x.id, "\(label): later audit")
                            }
                        }
                    }
                }
            }
            // No credentials: 401 for every route, and nothing is read.
            for route in routes {
                let response = try await client.call(route.method, route.path.replacingOccurrences(of: "{X}", with: x.id.rawValue), token: nil, json: route.body)
                #expect(response.status == .unauthorized, "\(route) without a token")
            }
            // The whole matrix left one unbroken chain: at least one entry per authenticated request.
            #expect(try await harness.server.database.verifyAuditChain() >= Int64(routes.count * Caller.allCases.count))
        }
    }
}
