import BGZF
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PGx
import Records
import SQLKit
@testable import Server
import Store
import Testing

/// CDS Hooks patient matching (Tailor id, else the EHR's patient through the `patient` prefetch; 412 / 400 / 422), the
/// order-select → order-sign no-repeat rule, and the demo's outside calls (CYP2D6, HLA-B).
@Suite struct CDSHooksPrefetchTests {
    typealias Base = CDSHooksTests

    /// A CDS-enabled server with patient A (CYP2C19 *2/*2 genome, MRN `MRN-A`, imported as FHIR `Patient/ehr-a`) and
    /// patient B (no genome, MRN `MRN-B`).
    struct World {
        var cast: Base.Cast
        var other: PatientID
    }

    /// Runs `body` against a fresh world (the harness serves one `test` session, so the setup happens inside it).
    static func run(_ body: @escaping @Sendable (World, any TestClientProtocol) async throws -> Void) async throws {
        let cast = try await Base.cast()
        let vcf = try UploadAndAnalysisTests.demoVCF()
        try await cast.harness.test { client in
            let upload = try await client.execute(
                uri: "/api/v1/patients/\(cast.patient.rawValue)/datasets?kind=germline_vcf&filename=genome.vcf", method: .post,
                headers: [.authorization: "Bearer \(cast.clinician)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: Array(vcf.utf8)))
            #expect(upload.status == .created, "\(upload.text)")
            #expect(try await cast.harness.server.analysisService().workOne())
            let doc = try #require(try await cast.harness.server.store.credentials(username: "doc")?.0)
            let other = try await cast.harness.server.store.createPatient(
                try await cast.harness.server.gate.authorize(doc.principal, .write, .patientRegistration, requestID: "setup"),
                .init(mrn: "MRN-B", givenName: "C", familyName: "D"))
            try await cast.harness.server.database.write { db in
                try await db.raw("UPDATE patients SET source_key = 'Patient/ehr-a', mrn = 'MRN-A' WHERE patient_id = \(bind: cast.patient.rawValue)").run()
            }
            try await body(World(cast: cast, other: other.id), client)
        }
    }

    static func mrPatient(id: String?, mrns: [String]) -> [String: Any] {
        var patient: [String: Any] = ["resourceType": "Patient"]
        if let id { patient["id"] = id }
        patient["identifier"] = mrns.map { mrn in
            ["type": ["coding": [["system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"]]], "system": "urn:ehr:mrn", "value": mrn]
        }
        return patient
    }

    /// An order-select (or order-sign) call drafting clopidogrel (RxNorm 32968) as `MedicationRequest/<draft>`.
    static func body(
        patient: String, hook: String = "order-select", prefetch: Any? = nil, fhirServer: Bool = false, encounter: String? = nil,
        draft: String = "draft-1"
    ) -> String {
        var context: [String: Any] = ["userId": "Practitioner/example", "patientId": patient]
        if hook != "patient-view" {
            context["draftOrders"] = [
                "resourceType": "Bundle", "type": "collection",
                "entry": [
                    [
                        "resource": [
                            "resourceType": "MedicationRequest", "id": draft, "status": "draft", "intent": "order",
                            "medicationCodeableConcept": ["coding": [["system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "32968"]]],
                        ] as [String: Any]
                    ]
                ],
            ] as [String: Any]
        }
        if hook == "order-select" { context["selections"] = ["MedicationRequest/\(draft)"] }
        if let encounter { context["encounterId"] = encounter }
        var body: [String: Any] = ["hook": hook, "hookInstance": UUID().uuidString, "context": context]
        if let prefetch { body["prefetch"] = prefetch }
        if fhirServer {
            body["fhirServer"] = "https://ehr.example/fhir"
            body["fhirAuthorization"] = ["access_token": "x", "token_type": "Bearer", "expires_in": 300, "scope": "patient/*.rs", "subject": "cds"]
        }
        return String(decoding: Base.json(body), as: UTF8.self)
    }

    static func service(_ hook: String) -> String { "tailor-pgx-\(hook)" }

    static func send(_ client: any TestClientProtocol, _ world: World, hook: String = "order-select", _ body: String) async throws -> TestResponse {
        try await Base.post(
            client, "/cds-services/\(service(hook))", token: try Base.es256(world.cast.key, Base.claims(service: service(hook))), body: body)
    }

    static func cards(_ response: TestResponse) throws -> [[String: Any]] {
        try #require(try response.json()["cards"] as? [[String: Any]], "\(response.text)")
    }

    @Test(
        "412 when context.patientId is the EHR's own id and the patient prefetch that would match it is missing",
        arguments: ["noPrefetch", "emptyPrefetchObject", "withFHIRServer", "unknownTailorID", "patientView"])
    func prefetchMissing(kind: String) async throws {
        try await Self.run { world, client in
            let body: String
            var hook = "order-select"
            switch kind {
            case "emptyPrefetchObject": body = Self.body(patient: "ehr-a", prefetch: [String: Any]())
            case "withFHIRServer": body = Self.body(patient: "ehr-a", fhirServer: true)
            case "unknownTailorID": body = Self.body(patient: "pat-nobody")
            case "patientView":
                hook = "patient-view"
                body = Self.body(patient: "ehr-a", hook: hook)
            default: body = Self.body(patient: "ehr-a")
            }
            let response = try await Self.send(client, world, hook: hook, body)
            #expect(response.status == .preconditionFailed, "\(kind): \(response.text)")
            #expect(response.errorCode == "prefetch_required")
            let message = try #require((try response.json()["error"] as? [String: Any])?["message"] as? String)
            #expect(message.contains("prefetch.patient"))
            #expect(message.contains("does not query EHR FHIR servers") == (kind == "withFHIRServer"), "\(message)")
        }
    }

    /// context.patientId ("tailor" for patient A's Tailor id), the prefetched Patient's MRNs (nil: no Patient sent; the
    /// Patient's id is context.patientId), and the outcome: "card", "none", "null" (prefetch sent as null) or "422".
    struct Resolution: Sendable, CustomTestStringConvertible {
        var name: String
        var patient: String
        var mrns: [String]?
        var expected: String
        var testDescription: String { name }
    }

    static let resolutions: [Resolution] = [
        .init(name: "Tailor id, FHIR form, no prefetch", patient: "tailor", mrns: nil, expected: "card"),
        .init(name: "EHR id matched by MRN", patient: "ehr-x", mrns: ["MRN-A"], expected: "card"),
        .init(name: "EHR id matched by the imported FHIR id", patient: "ehr-a", mrns: [], expected: "card"),
        .init(name: "imported FHIR id and MRN agree", patient: "ehr-a", mrns: ["MRN-A", "OTHER"], expected: "card"),
        .init(name: "the patient has no genome", patient: "ehr-y", mrns: ["MRN-B"], expected: "none"),
        .init(name: "no Tailor patient has the identifiers", patient: "ehr-z", mrns: ["MRN-Z"], expected: "none"),
        .init(name: "the EHR's read found nothing (null)", patient: "ehr-z", mrns: nil, expected: "null"),
        .init(name: "imported FHIR id names A, the MRN names B", patient: "ehr-a", mrns: ["MRN-B"], expected: "422"),
        .init(name: "a Tailor id whose MRN contradicts the prefetch", patient: "tailor", mrns: ["MRN-B"], expected: "422"),
    ]

    @Test("the EHR's patient is matched through the prefetched Patient's identifiers", arguments: resolutions)
    func resolution(_ resolution: Resolution) async throws {
        let name = resolution.name, expected = resolution.expected
        try await Self.run { world, client in
            let patient = resolution.patient == "tailor" ? world.cast.patient.fhirID : resolution.patient
            var prefetch: [String: Any]?
            if let mrns = resolution.mrns {
                prefetch = ["patient": Self.mrPatient(id: patient, mrns: mrns)]
            } else if expected == "null" {
                prefetch = ["patient": NSNull()]
            }
            let body = Self.body(patient: patient, prefetch: prefetch)
            let response = try await Self.send(client, world, body)
            switch expected {
            case "card":
                #expect(response.status == .ok, "\(name): \(response.text)")
                let cards = try Self.cards(response)
                #expect(cards.count == 1 && (cards.first?["summary"] as? String)?.contains("CYP2C19") == true, "\(name): \(response.text)")
                #expect(
                    (cards.first?["links"] as? [[String: Any]])?.first?["url"] as? String
                        == "\(Base.base)/api/v1/patients/\(world.cast.patient.rawValue)/genomics-report", "\(name)")
            case "422":
                #expect(response.status == .unprocessableContent, "\(name): \(response.text)")
                #expect(response.errorCode == "patient_mismatch", "\(name)")
            default:
                #expect(response.status == .ok, "\(name): \(response.text)")
                #expect(try Self.cards(response).isEmpty, "\(name): \(response.text)")
                // Each read is audited: a miss as a denial, a patient without findings as the gate's allowed read.
                let audit = try #require(try await world.cast.harness.lastAudit())
                #expect(audit.record.resource == "findings", "\(name)")
                #expect(audit.record.outcome == (expected == "none" && patient == "ehr-y" ? .allow : .deny), "\(name): \(audit.record.reason)")
                if patient == "ehr-y" { #expect(audit.record.patientID == world.other) }
            }
        }
    }

    @Test(
        "a malformed prefetch is a 400 naming the field, never a crash",
        arguments: [
            (#""not an object""#, "prefetch"),
            (#"{"patient":"Patient/ehr-a"}"#, "prefetch.patient"),
            (#"{"patient":{"resourceType":"Observation","id":"ehr-a"}}"#, "prefetch.patient.resourceType"),
            (#"{"patient":{"resourceType":"Patient","id":"someone-else"}}"#, "prefetch.patient.id"),
            (#"{"patient":{"resourceType":"Patient","id":7}}"#, "prefetch.patient.id"),
            (#"{"patient":{"resourceType":"Patient","identifier":"MRN-A"}}"#, "prefetch.patient.identifier"),
            (#"{"patient":{"resourceType":"Patient","identifier":[1]}}"#, "prefetch.patient.identifier[0]"),
            (#"{"patient":{"resourceType":"Patient","identifier":[{"value":5}]}}"#, "prefetch.patient.identifier[0].value"),
            (#"{"patient":{"resourceType":"Patient","identifier":[{"type":"MR","value":"MRN-A"}]}}"#, "prefetch.patient.identifier[0].type"),
            (#"{"patient":{"resourceType":"Patient","identifier":[{"system":["x"],"value":"MRN-A"}]}}"#, "prefetch.patient.identifier[0].system"),
        ])
    func malformedPrefetch(prefetch: String, field: String) async throws {
        var object = try #require(try JSONSerialization.jsonObject(with: Data(Self.body(patient: "ehr-a").utf8)) as? [String: Any])
        object["prefetch"] = try JSONSerialization.jsonObject(with: Data(prefetch.utf8), options: [.fragmentsAllowed])
        let body = String(decoding: Base.json(object), as: UTF8.self)
        try await Self.run { world, client in
            let response = try await Self.send(client, world, body)
            #expect(response.status == .badRequest, "\(prefetch): \(response.text)")
            #expect((try response.json()["error"] as? [String: Any])?["field"] as? String == field, "\(prefetch): \(response.text)")
        }
    }

    /// Order-select shows a card; the order-sign for the same order repeats it unless the clinician overrode it.
    @Test(
        "order-sign repeats an order-select card unless it was overridden for the same order and encounter",
        arguments: [
            ("no feedback", "", "draft-1", "enc-1", true),
            ("accepted", "accepted", "draft-1", "enc-1", true),
            ("overridden", "overridden", "draft-1", "enc-1", false),
            ("overridden, another draft order", "overridden", "draft-2", "enc-1", true),
            ("overridden, another encounter", "overridden", "draft-1", "enc-2", true),
            ("overridden, feedback for an unknown card", "overridden-unknown", "draft-1", "enc-1", true),
        ])
    func noRepeatAtSign(name: String, feedback: String, signDraft: String, signEncounter: String, shown: Bool) async throws {
        try await Self.run { world, client in
            let patient = world.cast.patient.fhirID
            let select = try await Self.send(client, world, Self.body(patient: patient, encounter: "enc-1", draft: "draft-1"))
            let card = try #require(try Self.cards(select).first, "\(select.text)")
            let uuid = try #require(card["uuid"] as? String)
            if !feedback.isEmpty {
                let outcome = feedback.hasPrefix("overridden") ? "overridden" : "accepted"
                var item: [String: Any] = [
                    "card": feedback == "overridden-unknown" ? UUID().uuidString.lowercased() : uuid, "outcome": outcome,
                    "outcomeTimestamp": "2026-12-06T10:00:00Z",
                ]
                if outcome == "accepted" { item["acceptedSuggestions"] = [["id": "s1"]] }
                if outcome == "overridden" {
                    item["overrideReason"] = ["reason": ["system": "http://example.org/reasons", "code": "benefit-outweighs-risk", "display": "Benefit outweighs risk"]]
                }
                let posted = try await Base.post(
                    client, "/cds-services/tailor-pgx-order-select/feedback",
                    token: try Base.es256(world.cast.key, Base.claims(service: "tailor-pgx-order-select")),
                    body: String(decoding: Base.json(["feedback": [item]]), as: UTF8.self))
                #expect(posted.status == .ok, "\(posted.text)")
            }
            let sign = try await Self.send(client, world, hook: "order-sign", Self.body(patient: patient, hook: "order-sign", encounter: signEncounter, draft: signDraft))
            #expect(sign.status == .ok)
            #expect(try Self.cards(sign).count == (shown ? 1 : 0), "\(name): \(sign.text)")
            let audit = try #require(try await world.cast.harness.lastAudit())
            if shown {
                #expect(audit.record.resource == "findings", "\(name)")
            } else {
                #expect(audit.record.resource == "cds_suppressed" && audit.record.reason.contains(uuid), "\(name): \(audit.record.reason)")
                #expect(audit.record.patientID == world.cast.patient)
                // A second order-select still shows the card: suppression is for order-sign only.
                let again = try await Self.send(client, world, Self.body(patient: patient, encounter: "enc-1", draft: "draft-1"))
                #expect(try Self.cards(again).count == 1)
            }
        }
    }

    @Test func cardMemoryIsBoundedKeepsTheNewestAndHonoursIssuerOutcomeAndWindow() async {
        let memory = CDSCardMemory()
        let start = Date()
        let count = CDSCardMemory.capacity + 1
        for i in 0..<count {
            await memory.shown(card: "c\(i)", key: "k\(i)", issuer: "ehr", now: start.addingTimeInterval(Double(i) / 1000))
        }
        let newest = count - 1, later = start.addingTimeInterval(30)
        #expect(await !memory.feedback(card: "c0", outcome: "overridden", issuer: "ehr", now: later), "the oldest card was pruned")
        #expect(await !memory.feedback(card: "c\(newest)", outcome: "overridden", issuer: "another-ehr", now: later))
        #expect(await !memory.feedback(card: "c\(newest)", outcome: "accepted", issuer: "ehr", now: later))
        #expect(await memory.suppressing(key: "k\(newest)", now: later) == nil)
        #expect(await memory.feedback(card: "c\(newest)", outcome: "overridden", issuer: "ehr", now: later))
        #expect(await memory.suppressing(key: "k\(newest)", now: later)?.card == "c\(newest)")
        #expect(await memory.suppressing(key: "k\(newest)", now: later.addingTimeInterval(CDSCardMemory.window)) == nil, "the override expires")
    }

    /// The demo's outside calls (CYP2D6, HLA-B) reach the PGx analysis, with their source in the gene finding.
    @Test(
        "outside calls in a genome's header are used for genes a VCF cannot call",
        arguments: [
            ("pat_demo-sam", "CYP2D6", "*4/*4", "Poor Metabolizer", "codeine"),
            ("pat_demo-mei", "HLA-B", "*40:01/*58:01", "*58:01 positive", "allopurinol"),
            ("pat_demo-priya", "CYP2D6", "*1/*2", "Normal Metabolizer", nil),
            ("pat_demo-priya", "HLA-B", "*07:02/*08:01", "*58:01 negative", nil),
        ] as [(String, String, String, String, String?)])
    func demoOutsideCalls(id: String, gene: String, diplotype: String, phenotype: String, actionableDrug: String?) async throws {
        let patient = try #require(TailorServer.demoPatients.first { $0.id == id })
        let text = try DemoGenome.vcf(
            sample: "S", diplotypes: patient.diplotypes, outsideCalls: patient.outsideCalls, definitions: UploadAndAnalysisTests.definitions,
            male: patient.sex == "male")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).vcf").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let drafts = try await PGxGenomeAnalyser.load().analyse(try ReadableFile(path: path), sample: "S") { _ in }
        let finding = try #require(drafts.first { $0.kind == "pgx.gene" && $0.subject == gene }, "\(id) \(gene)")
        let summary: String = finding.summary
        let expectedAlleles: Set<String> = Set(diplotype.split(separator: "/").map(String.init))
        let calledAlleles: Set<String> = Set((finding.label ?? "").split(separator: "/").map(String.init))
        #expect(calledAlleles == expectedAlleles, "\(id) \(gene): \(summary)")
        #expect((finding.interpretation ?? "").contains(phenotype), "\(id) \(gene): \(summary)")
        #expect(summary.contains("outside call") && summary.contains("synthetic"), "\(summary)")
        #expect(finding.evidence.contains(#""outside_call":true"#))
        if let actionableDrug {
            let drug = try #require(
                drafts.first { draft in draft.kind == "pgx.drug" && draft.subject == actionableDrug && draft.label == "CPIC" }, "\(actionableDrug)")
            let result = try JSON.decoder.decode(CDSHooksRoutes.DrugResult.self, from: Data(drug.evidence.utf8))
            #expect(result.recommendations.contains(where: CDSHooksRoutes.actionable), "\(drug.summary)")
        }
    }

    @Test func aMalformedOutsideCallLineIsRefusedAtUpload() async throws {
        let cast = try await Base.cast()
        let vcf = try UploadAndAnalysisTests.demoVCF().replacingOccurrences(
            of: "##FORMAT=", with: "##\(PGxGenomeAnalyser.outsideCallKey)=<Gene=CYP2D6,Diplotype=\"*4/\",Source=\"lab\">\n##FORMAT=")
        try await cast.harness.test { client in
            let upload = try await client.execute(
                uri: "/api/v1/patients/\(cast.patient.rawValue)/datasets?kind=germline_vcf&filename=genome.vcf", method: .post,
                headers: [.authorization: "Bearer \(cast.clinician)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: Array(vcf.utf8)))
            #expect(upload.status == .unprocessableContent, "\(upload.text)")
            #expect(upload.errorCode == "invalid_outside_call")
        }
    }
}
