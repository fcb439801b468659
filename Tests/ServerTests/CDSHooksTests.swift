import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Records
import SQLKit
@testable import Server
import Store
import Testing

/// CDS Hooks 2.0 drug–gene alerts: discovery, the client JWT, cards from real PGx findings, consent, feedback.
@Suite struct CDSHooksTests {
    static let issuer = "https://ehr.example"
    static let base = "https://tailor.test"

    struct Cast {
        var harness: ServerHarness
        var key: P256.Signing.PrivateKey
        var clinician: String
        var patient: PatientID
    }

    /// A server trusting one EHR (ES256 key) acting as clinician `doc`, and a patient of `doc`'s.
    static func cast(_ engine: ServerHarness.Engine = .sqlite) async throws -> Cast {
        let key = P256.Signing.PrivateKey()
        let harness = try await ServerHarness.open(engine) { configuration in
            configuration.cdsClients = [CDSClient(iss: issuer, publicKeyPEM: key.publicKey.pemRepresentation, actingUser: "doc")]
            configuration.cdsBaseURL = base
        }
        let clinician = try await harness.account("doc", .clinician)
        let patient = try await harness.server.store.createPatient(
            try await harness.server.gate.authorize(clinician.principal, .write, .patientRegistration, requestID: "setup"),
            .init(givenName: "A", familyName: "B"))
        return Cast(harness: harness, key: key, clinician: try await harness.token(clinician), patient: patient.id)
    }

    static func b64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func json(_ object: Any) -> Data { try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) }

    /// A JWT with `alg`, signed by `sign` over `header.payload`.
    static func jwt(alg: String, claims: [String: Any], sign: (Data) throws -> Data) rethrows -> String {
        let input = b64url(json(["alg": alg, "typ": "JWT", "kid": "k1"])) + "." + b64url(json(claims))
        return input + "." + b64url(try sign(Data(input.utf8)))
    }

    static func claims(service: String, aud: String? = nil, exp: TimeInterval = 300, iss: String = issuer, jti: Bool = true) -> [String: Any] {
        let now = Date().timeIntervalSince1970
        var claims: [String: Any] = ["iss": iss, "aud": aud ?? "\(base)/cds-services/\(service)", "exp": Int(now + exp), "iat": Int(now)]
        if jti { claims["jti"] = UUID().uuidString }
        return claims
    }

    static func es256(_ key: P256.Signing.PrivateKey, _ claims: [String: Any]) throws -> String {
        try jwt(alg: "ES256", claims: claims) { try key.signature(for: $0).rawRepresentation }
    }

    static func orderSelect(patient: String, coding: [String: Any], text: String? = nil, hook: String = "order-select") -> String {
        var concept: [String: Any] = ["coding": [coding.merging(["system": "http://www.nlm.nih.gov/research/umls/rxnorm"]) { a, _ in a }]]
        if let text { concept["text"] = text }
        var context: [String: Any] = [
            "userId": "Practitioner/example", "patientId": patient,
            "draftOrders": [
                "resourceType": "Bundle", "type": "collection",
                "entry": [
                    [
                        "resource": [
                            "resourceType": "MedicationRequest", "id": "draft-1", "status": "draft", "intent": "order",
                            "medicationCodeableConcept": concept, "subject": ["reference": "Patient/\(patient)"],
                        ]
                    ]
                ],
            ],
        ]
        if hook == "order-select" { context["selections"] = ["MedicationRequest/draft-1"] }
        let body: [String: Any] = ["hook": hook, "hookInstance": UUID().uuidString, "context": context]
        return String(decoding: json(body), as: UTF8.self)
    }

    /// `body` (a JSON object) with `prefetch` added.
    static func withPrefetch(_ body: String, _ prefetch: [String: Any]) -> String {
        var object = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
        object["prefetch"] = prefetch
        return String(decoding: json(object), as: UTF8.self)
    }

    static func post(_ client: any TestClientProtocol, _ path: String, token: String?, body: String) async throws -> TestResponse {
        try await client.call(.post, path, token: token, json: body)
    }

    @Test func discoveryListsTheThreeServices() async throws {
        let cast = try await Self.cast()
        try await cast.harness.test { client in
            let response = try await client.call(.get, "/cds-services", token: nil)
            #expect(response.status == .ok)
            let services = try #require(try response.json()["services"] as? [[String: Any]])
            #expect(services.map { $0["id"] as? String } == ["tailor-pgx-order-select", "tailor-pgx-order-sign", "tailor-pgx-patient-view"])
            #expect(services.map { $0["hook"] as? String } == ["order-select", "order-sign", "patient-view"])
            for service in services {
                #expect((service["title"] as? String)?.isEmpty == false && (service["description"] as? String)?.isEmpty == false)
                #expect((service["prefetch"] as? [String: String])?["patient"] == "Patient/{{context.patientId}}")
            }
        }
    }

    @Test("order-select/sign and patient-view cards from real PGx findings, consent applied (SQLite)")
    func cardsSQLite() async throws { try await Self.cards(.sqlite) }

    @Test(
        "order-select/sign and patient-view cards from real PGx findings, consent applied (PostgreSQL)",
        .enabled(if: ServerHarness.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set: PostgreSQL runs skipped"))
    func cardsPostgres() async throws { try await Self.cards(.postgres) }

    static func cards(_ engine: ServerHarness.Engine) async throws {
        let cast = try await Self.cast(engine)
        let vcf = try UploadAndAnalysisTests.demoVCF()
        let service = "tailor-pgx-order-select"
        let path = "/cds-services/\(service)"
        try await cast.harness.test { client in
            let upload = try await client.execute(
                uri: "/api/v1/patients/\(cast.patient.rawValue)/datasets?kind=germline_vcf&filename=genome.vcf", method: .post,
                headers: [.authorization: "Bearer \(cast.clinician)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: Array(vcf.utf8)))
            #expect(upload.status == .created, "\(upload.text)")
            #expect(try await cast.harness.server.analysisService().workOne())
            let findings = try await client.call(.get, "/api/v1/patients/\(cast.patient.rawValue)/findings", token: cast.clinician).json()
            let list = try #require(findings["findings"] as? [[String: Any]])
            let finding = try #require(list.first { $0["kind"] as? String == "pgx.drug" && $0["subject"] as? String == "clopidogrel" && $0["label"] as? String == "CPIC" })
            let evidence = try #require(try JSONSerialization.jsonObject(with: Data((finding["evidence"] as? String ?? "").utf8)) as? [String: Any])
            let guideline = try #require(evidence["guideline"] as? [String: Any])
            let guidelineURL = try #require(guideline["url"] as? String)

            // A clinical product code with the drug in its display, and the bare ingredient code: both alert.
            for (coding, text) in [(["code": "309362", "display": "Clopidogrel 75 MG Oral Tablet"], "Clopidogrel 75 MG Oral Tablet"), (["code": "32968"], nil)] {
                let token = try Self.es256(cast.key, Self.claims(service: service))
                let response = try await Self.post(client, path, token: token, body: Self.orderSelect(patient: cast.patient.rawValue, coding: coding, text: text))
                #expect(response.status == .ok, "\(response.text)")
                let cards = try #require(try response.json()["cards"] as? [[String: Any]])
                #expect(cards.count == 1, "\(response.text)")
                let card = try #require(cards.first)
                let summary = try #require(card["summary"] as? String)
                #expect(summary.count <= 140)
                #expect(summary.contains("CYP2C19") && summary.contains("Poor Metabolizer") && summary.contains("clopidogrel"), "\(summary)")
                #expect(card["indicator"] as? String == "critical")
                let source = try #require(card["source"] as? [String: Any])
                #expect(source["url"] as? String == guidelineURL)
                #expect((source["label"] as? String).map { ($0.hasPrefix("CPIC Guideline for") && (guideline["name"] as? String)?.hasSuffix($0) == true) } == true)
                #expect((card["detail"] as? String)?.contains("Avoid clopidogrel if possible.") == true)
                #expect((card["detail"] as? String)?.contains("*2/*2") == true)
                #expect(UUID(uuidString: card["uuid"] as? String ?? "") != nil)
                let links = try #require(card["links"] as? [[String: Any]])
                #expect(links.first?["url"] as? String == "\(Self.base)/api/v1/patients/\(cast.patient.rawValue)/genomics-report")
                #expect(links.first?["type"] as? String == "absolute")
                // Removing the draft is offered; no replacement drug is made up.
                #expect(card["selectionBehavior"] as? String == "at-most-one")
                let actions = try #require((card["suggestions"] as? [[String: Any]])?.first?["actions"] as? [[String: Any]])
                #expect(actions.count == 1 && actions[0]["type"] as? String == "delete" && actions[0]["resourceId"] as? String == "MedicationRequest/draft-1")
            }

            // Order-sign gives the same advice.
            let sign = try await Self.post(
                client, "/cds-services/tailor-pgx-order-sign", token: try Self.es256(cast.key, Self.claims(service: "tailor-pgx-order-sign")),
                body: Self.orderSelect(patient: cast.patient.rawValue, coding: ["code": "32968"], hook: "order-sign"))
            #expect((try sign.json()["cards"] as? [[String: Any]])?.count == 1, "\(sign.text)")

            // A drug without a PGx finding: no advice.
            let other = try await Self.post(
                client, path, token: try Self.es256(cast.key, Self.claims(service: service)),
                body: Self.orderSelect(patient: cast.patient.rawValue, coding: ["code": "29046", "display": "lisinopril 10 MG Oral Tablet"]))
            #expect(other.status == .ok)
            #expect(other.text == #"{"cards":[]}"#)

            // A patient imported from FHIR is found by its FHIR id, given the patient prefetch (412 without it).
            try await cast.harness.server.database.write { db in
                try await db.raw("UPDATE patients SET source_key = 'Patient/ehr-123' WHERE patient_id = \(bind: cast.patient.rawValue)").run()
            }
            let byFHIR = try await Self.post(
                client, path, token: try Self.es256(cast.key, Self.claims(service: service)),
                body: Self.withPrefetch(Self.orderSelect(patient: "ehr-123", coding: ["code": "32968"]), ["patient": ["resourceType": "Patient", "id": "ehr-123"]]))
            #expect((try byFHIR.json()["cards"] as? [[String: Any]])?.count == 1, "\(byFHIR.text)")
            let withoutPrefetch = try await Self.post(
                client, path, token: try Self.es256(cast.key, Self.claims(service: service)),
                body: Self.orderSelect(patient: "ehr-123", coding: ["code": "32968"]))
            #expect(withoutPrefetch.status == .preconditionFailed, "\(withoutPrefetch.text)")

            // Patient view: one info card naming CYP2C19.
            let view: [String: Any] = [
                "hook": "patient-view", "hookInstance": UUID().uuidString,
                "context": ["userId": "Practitioner/example", "patientId": cast.patient.rawValue],
            ]
            let viewed = try await Self.post(
                client, "/cds-services/tailor-pgx-patient-view", token: try Self.es256(cast.key, Self.claims(service: "tailor-pgx-patient-view")),
                body: String(decoding: Self.json(view), as: UTF8.self))
            let viewCards = try #require(try viewed.json()["cards"] as? [[String: Any]])
            #expect(viewCards.count == 1 && viewCards[0]["indicator"] as? String == "info")
            #expect((viewCards[0]["summary"] as? String)?.contains("CYP2C19 Poor Metabolizer") == true, "\(viewed.text)")
            // Reference calls with no actionable recommendation are not listed.
            #expect((viewCards[0]["summary"] as? String)?.contains("Uncertain") == false, "\(viewed.text)")

            // Consent withholding genomic data from treatment: no cards, and the refusal is on record.
            let consent = #"{"treatment":["clinical","monitoring"],"researchUses":[],"researchCategories":[],"secondaryFindings":false}"#
            let put = try await client.call(.put, "/api/v1/patients/\(cast.patient.rawValue)/consent", token: cast.clinician, json: consent)
            #expect(put.status == .ok || put.status == .created, "\(put.text)")
            let refused = try await Self.post(
                client, path, token: try Self.es256(cast.key, Self.claims(service: service)),
                body: Self.orderSelect(patient: cast.patient.rawValue, coding: ["code": "32968"]))
            #expect(refused.status == .ok)
            #expect(refused.text == #"{"cards":[]}"#)
            let audit = try #require(try await cast.harness.lastAudit())
            #expect(audit.record.outcome == .deny && audit.record.resource == "findings" && audit.record.patientID == cast.patient)
        }
    }

    @Test(
        "a CDS client JWT that is not trustworthy is refused with 401",
        arguments: ["missing", "unknownKey", "none", "hs256", "expired", "wrongAud", "unknownIssuer", "noJti", "userToken", "longLived", "replayed"])
    func badTokens(kind: String) async throws {
        let cast = try await Self.cast()
        let service = "tailor-pgx-order-select"
        let claims = Self.claims(service: service)
        let token: String?
        switch kind {
        case "missing": token = nil
        case "unknownKey": token = try Self.es256(P256.Signing.PrivateKey(), claims)
        case "none": token = Self.jwt(alg: "none", claims: claims) { _ in Data() }
        case "hs256":
            token = Self.jwt(alg: "HS256", claims: claims) { Data(HMAC<SHA256>.authenticationCode(for: $0, using: SymmetricKey(data: Data("secret".utf8)))) }
        case "expired": token = try Self.es256(cast.key, Self.claims(service: service, exp: -60))
        case "wrongAud": token = try Self.es256(cast.key, Self.claims(service: service, aud: "https://other.example/cds-services/\(service)"))
        case "unknownIssuer": token = try Self.es256(cast.key, Self.claims(service: service, iss: "https://evil.example"))
        case "noJti": token = try Self.es256(cast.key, Self.claims(service: service, jti: false))
        case "longLived": token = try Self.es256(cast.key, Self.claims(service: service, exp: 86400))
        case "replayed": token = try Self.es256(cast.key, claims)
        default: token = cast.clinician
        }
        try await cast.harness.test { client in
            if kind == "replayed" {
                let first = try await Self.post(
                    client, "/cds-services/\(service)", token: token, body: Self.orderSelect(patient: cast.patient.rawValue, coding: ["code": "32968"]))
                #expect(first.status == .ok, "\(first.text)")
            }
            let response = try await Self.post(
                client, "/cds-services/\(service)", token: token, body: Self.orderSelect(patient: cast.patient.rawValue, coding: ["code": "32968"]))
            #expect(response.status == .unauthorized, "\(kind): \(response.text)")
            #expect(response.errorCode == "invalid_cds_token", "\(kind): \(response.text)")
        }
    }

    @Test func malformedRequestsAndUnknownServices() async throws {
        let cast = try await Self.cast()
        let service = "tailor-pgx-order-select"
        let patient = cast.patient.rawValue
        try await cast.harness.test { client in
            let unknown = try await Self.post(
                client, "/cds-services/nope", token: try Self.es256(cast.key, Self.claims(service: "nope")), body: "{}")
            #expect(unknown.status == .notFound)
            let bodies = [
                "not json",
                #"{"hook":"patient-view","hookInstance":"\#(UUID().uuidString)","context":{"userId":"Practitioner/1","patientId":"\#(patient)"}}"#,
                #"{"hook":"order-select","hookInstance":"x","context":{"userId":"Practitioner/1","patientId":"\#(patient)","selections":[],"draftOrders":{"resourceType":"Bundle"}}}"#,
                #"{"hook":"order-select","hookInstance":"\#(UUID().uuidString)","context":{"userId":"Practitioner/1","patientId":"\#(patient)","selections":[]}}"#,
                #"{"hook":"order-select","hookInstance":"\#(UUID().uuidString)","context":{"userId":"Practitioner/1","selections":[],"draftOrders":{"resourceType":"Bundle"}}}"#,
            ]
            for body in bodies {
                let response = try await Self.post(client, "/cds-services/\(service)", token: try Self.es256(cast.key, Self.claims(service: service)), body: body)
                #expect(response.status == .badRequest, "\(body): \(response.text)")
                #expect(response.errorCode == "bad_request")
            }
            // An unknown patient: no advice.
            let nobody = try await Self.post(
                client, "/cds-services/\(service)", token: try Self.es256(cast.key, Self.claims(service: service)),
                body: Self.withPrefetch(
                    Self.orderSelect(patient: "no-such-patient", coding: ["code": "32968"]), ["patient": ["resourceType": "Patient", "id": "no-such-patient"]]))
            #expect(nobody.text == #"{"cards":[]}"#)
        }
    }

    @Test func clientsFileIsReadFromConfiguration() async throws {
        let key = P256.Signing.PrivateKey()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cds-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let clients = [["iss": Self.issuer, "publicKeyPEM": key.publicKey.pemRepresentation, "actingUser": "doc"]]
        try Self.json(clients).write(to: URL(fileURLWithPath: file))
        let configuration = try ServerConfiguration.resolve(
            flags: [:], environment: ["TAILOR_CDS_CLIENTS": file, "TAILOR_CDS_BASE_URL": "https://tailor.example/"], file: nil)
        #expect(configuration.cdsClients == [CDSClient(iss: Self.issuer, publicKeyPEM: key.publicKey.pemRepresentation, actingUser: "doc")])
        #expect(configuration.cdsBaseURL == "https://tailor.example")
        try Data("[{\"iss\":1}]".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.resolve(flags: [:], environment: ["TAILOR_CDS_CLIENTS": file], file: nil) }
        // A key that is not an EC or RSA public key stops the server from starting.
        await #expect(throws: ConfigurationError.self) {
            _ = try await CDSClientVerifier.make([CDSClient(iss: Self.issuer, publicKeyPEM: "not a key", actingUser: "doc")])
        }
    }

    @Test func feedbackIsAudited() async throws {
        let cast = try await Self.cast()
        let service = "tailor-pgx-order-select"
        let path = "/cds-services/\(service)/feedback"
        let card = UUID().uuidString.lowercased()
        try await cast.harness.test { client in
            let body = #"{"feedback":[{"card":"\#(card)","outcome":"accepted","acceptedSuggestions":[{"id":"s1"}],"outcomeTimestamp":"2026-12-06T10:00:00Z"}]}"#
            let response = try await Self.post(client, path, token: try Self.es256(cast.key, Self.claims(service: service)), body: body)
            #expect(response.status == .ok, "\(response.text)")
            let audit = try #require(try await cast.harness.lastAudit())
            #expect(audit.record.resource == "cds_feedback" && audit.record.reason.contains(card) && audit.record.reason.contains("accepted"))
            let bad = #"{"feedback":[{"card":"\#(card)","outcome":"maybe","outcomeTimestamp":"2026-12-06T10:00:00Z"}]}"#
            let rejected = try await Self.post(client, path, token: try Self.es256(cast.key, Self.claims(service: service)), body: bad)
            #expect(rejected.status == .badRequest)
            let anonymous = try await Self.post(client, path, token: nil, body: body)
            #expect(anonymous.status == .unauthorized)
        }
    }
}
