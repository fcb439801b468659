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

/// The small FHIR fixtures kept with the CLI tests.
enum FHIRFixture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TailorCLITests/Fixtures/fhir")
    static func text(_ name: String) throws -> String { try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8) }
}

extension TestClientProtocol {
    func fhirPost(_ body: String, token: String?, contentType: String = "application/fhir+json") async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: contentType]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: "/fhir/r4", method: .post, headers: headers, body: ByteBuffer(string: body))
    }
}

extension TestResponse {
    /// The first issue's code of an OperationOutcome body.
    var fhirIssueCode: String? { (((try? json())?["issue"] as? [[String: Any]])?.first)?["code"] as? String }
    var fhirIssue: [String: Any]? { (((try? json())?["issue"] as? [[String: Any]])?.first) }
    var isOperationOutcome: Bool { (try? json())?["resourceType"] as? String == "OperationOutcome" }
}

@Suite struct FHIRRoutesTests {
    @Test("POST /fhir/r4 and the facade on SQLite") func sqlite() async throws { try await Self.run(.sqlite) }

    @Test("POST /fhir/r4 and the facade on PostgreSQL", .enabled(if: ServerHarness.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set"))
    func postgres() async throws { try await Self.run(.postgres) }

    static func run(_ engine: ServerHarness.Engine) async throws {
        let harness = try await ServerHarness.open(engine)
        let doc = try await harness.account("doc", .clinician)
        let offTeam = try await harness.account("other-doc", .clinician)
        let docToken = try await harness.token(doc)
        let offToken = try await harness.token(offTeam)
        let transaction = try FHIRFixture.text("transaction-small.json")
        let malformed = try FHIRFixture.text("malformed.json")
        let store = harness.server.store
        let gate = harness.server.gate

        try await harness.test { client in
            // Import: a transaction-response with one entry per input entry.
            let first = try await client.fhirPost(transaction, token: docToken)
            #expect(first.status == .ok, "\(first.text.prefix(300))")
            #expect(first.headers[.contentType]?.hasPrefix("application/fhir+json") == true)
            let bundle = try first.json()
            #expect(bundle["resourceType"] as? String == "Bundle" && bundle["type"] as? String == "transaction-response")
            let entries = try #require(bundle["entry"] as? [[String: Any]])
            #expect(entries.count == 13)
            func response(_ i: Int) -> [String: Any] { entries[i]["response"] as? [String: Any] ?? [:] }
            #expect(response(0)["status"] as? String == "201 Created")
            let patientLocation = try #require(response(0)["location"] as? String)
            #expect(patientLocation.hasPrefix("Patient/pat-"))
            let patientID = try PatientID(parsingFHIR: patientLocation.dropFirst("Patient/".count))
            #expect((response(3)["location"] as? String)?.hasPrefix("Observation/ent-") == true)
            #expect(response(1)["status"] as? String == "200 OK" && response(1)["outcome"] != nil, "Organization: reference target")
            #expect("\(response(12)["outcome"] ?? "")".contains("Claim: not stored"), "Claim: not imported")
            // Re-import: nothing new, every stored entry answered 200 with the same location.
            let second = try await client.fhirPost(transaction, token: docToken)
            let again = try #require(try second.json()["entry"] as? [[String: Any]])
            #expect(again.allSatisfy { ($0["response"] as? [String: Any])?["status"] as? String == "200 OK" })
            #expect((again[0]["response"] as? [String: Any])?["location"] as? String == patientLocation)
            #expect(try await harness.server.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM clinical_entries").first()!.decode(column: "n", as: Int64.self)
            } == 11)

            // A batch is answered with a batch-response; a collection (applied as one transaction) with a transaction-response.
            let collection = try FHIRFixture.text("collection-small.json")
            let batch = try await client.fhirPost(collection.replacingOccurrences(of: #""type": "collection""#, with: #""type": "batch""#), token: docToken)
            #expect(try batch.json()["type"] as? String == "batch-response", "\(batch.text.prefix(200))")
            #expect((try batch.json()["entry"] as? [[String: Any]])?.count == 5)
            #expect(try await client.fhirPost(collection, token: docToken).json()["type"] as? String == "transaction-response")

            // Wrong content type: 415 as an OperationOutcome.
            let plain = try await client.fhirPost(transaction, token: docToken, contentType: "text/plain")
            #expect(plain.status == .unsupportedMediaType && plain.fhirIssueCode == "not-supported")

            // Malformed: 422 naming the entry and path; nothing stored; the rejection is audited.
            let before = try await harness.lastAudit()?.sequence ?? 0
            let bad = try await client.fhirPost(malformed, token: docToken, contentType: "application/json")
            #expect(bad.status == .unprocessableContent, "\(bad.text)")
            #expect(bad.isOperationOutcome && bad.fhirIssueCode == "invalid")
            #expect((bad.fhirIssue?["expression"] as? [String]) == ["Bundle.entry[2].resource.effectiveDateTime"], "\(bad.text)")
            #expect((bad.fhirIssue?["diagnostics"] as? String)?.contains("2022-13-45") == true)
            let rejected = try await harness.auditEntries(after: before)
            #expect(rejected.contains { $0.record.outcome == .deny && $0.record.actor == doc.id.rawValue && $0.record.reason.hasPrefix("FHIR import rejected") })
            #expect(try await harness.server.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM patients").first()!.decode(column: "n", as: Int64.self)
            } == 2)
            let notBundle = try await client.fhirPost(#"{"resourceType":"Patient"}"#, token: docToken)
            #expect(notBundle.status == .badRequest && notBundle.isOperationOutcome)

            // A patient account may not import (403 OperationOutcome, audited); no token: 401.
            let patientAccount = try await harness.account("pat", .patient, patient: patientID)
            let patientToken = try await harness.token(patientAccount)
            let forbidden = try await client.fhirPost(transaction, token: patientToken)
            #expect(forbidden.status == .forbidden && forbidden.fhirIssueCode == "forbidden")
            let denial = try #require(try await harness.lastAudit())
            #expect(denial.record.actor == patientAccount.id.rawValue && denial.record.outcome == .deny && denial.record.resource == "patient_registration")
            #expect(try await client.fhirPost(transaction, token: nil).status == .unauthorized)

            // CapabilityStatement.
            let metadata = try await client.call(.get, "/fhir/r4/metadata", token: nil)
            let capability = try metadata.json()
            #expect(capability["resourceType"] as? String == "CapabilityStatement" && capability["fhirVersion"] as? String == "4.0.1")
            #expect("\(capability)".contains("Observation") && "\(capability)".contains("everything"))

            // Read and search.
            let p = patientID.rawValue
            let patient = try await client.call(.get, "/fhir/r4/Patient/\(p)", token: docToken).json()
            #expect(patient["resourceType"] as? String == "Patient" && patient["gender"] as? String == "female" && patient["birthDate"] as? String == "1968-02-29")
            let systolic = try await client.call(.get, "/fhir/r4/Observation?patient=Patient/\(p)&code=http://loinc.org%7C8480-6", token: docToken).json()
            #expect(systolic["type"] as? String == "searchset" && systolic["total"] as? Int == 1)
            let observation = try #require(((systolic["entry"] as? [[String: Any]])?.first)?["resource"] as? [String: Any])
            #expect((observation["valueQuantity"] as? [String: Any])?["value"] as? Double == 132)
            #expect(observation["effectiveDateTime"] as? String == "2021-03-04T08:10:00Z")
            let later = try await client.call(.get, "/fhir/r4/Observation?patient=\(p)&date=ge2021-03-05", token: docToken).json()
            #expect(later["total"] as? Int == 0)
            let sameDay = try await client.call(.get, "/fhir/r4/Observation?patient=\(p)&date=ge2021-03-04&date=le2021-03-04", token: docToken).json()
            #expect(sameDay["total"] as? Int == 4)
            let labs = try await client.call(.get, "/fhir/r4/Observation?patient=\(p)&category=laboratory", token: docToken).json()
            #expect(labs["total"] as? Int == 1)
            // Paging: follow `next` to the end; every observation once.
            var seen: [String] = []
            var url: String? = "/fhir/r4/Observation?patient=\(p)&_count=3"
            while let next = url {
                let page = try await client.call(.get, next, token: docToken).json()
                seen += ((page["entry"] as? [[String: Any]]) ?? []).compactMap { ($0["resource"] as? [String: Any])?["id"] as? String }
                let link = (page["link"] as? [[String: Any]])?.first { $0["relation"] as? String == "next" }?["url"] as? String
                url = link.map { "/fhir/r4/" + $0.components(separatedBy: "/fhir/r4/").last! }
                #expect(seen.count <= 4)
            }
            #expect(seen.count == 4 && Set(seen).count == 4)
            #expect(try await client.call(.get, "/fhir/r4/Condition?patient=\(p)", token: docToken).json()["total"] as? Int == 1)
            #expect(try await client.call(.get, "/fhir/r4/MedicationRequest?patient=\(p)", token: docToken).json()["total"] as? Int == 1)
            let everything = try await client.call(.get, "/fhir/r4/Patient/\(p)/$everything?_count=100", token: docToken).json()
            let types = ((everything["entry"] as? [[String: Any]]) ?? []).compactMap { ($0["resource"] as? [String: Any])?["resourceType"] as? String }
            #expect(Set(types) == ["Patient", "Encounter", "Observation", "Condition", "AllergyIntolerance", "MedicationRequest", "Procedure", "DiagnosticReport", "Immunization"])
            #expect(types.count == 12)

            // Errors are OperationOutcomes with the right status.
            let unknown = try await client.call(.get, "/fhir/r4/Observation?patient=\(p)&bogus=1", token: docToken)
            #expect(unknown.status == .badRequest && unknown.fhirIssueCode == "invalid" && (unknown.fhirIssue?["expression"] as? [String]) == ["bogus"])
            #expect(try await client.call(.get, "/fhir/r4/Observation", token: docToken).status == .badRequest)
            let missing = try await client.call(.get, "/fhir/r4/Patient/pat_nobody", token: docToken)
            #expect(missing.status == .notFound && missing.fhirIssueCode == "not-found")
            let everythingMissing = try await client.call(.get, "/fhir/r4/Patient/pat_nobody/$everything", token: docToken)
            #expect(everythingMissing.status == .notFound && everythingMissing.isOperationOutcome)
            let wrongMethod = try await client.call(.get, "/fhir/r4", token: docToken)
            #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.isOperationOutcome)

            // Role: a clinician off the care team is refused, as an OperationOutcome, and the refusal is audited.
            let off = try await client.call(.get, "/fhir/r4/Observation?patient=\(p)", token: offToken)
            #expect(off.status == .forbidden && off.fhirIssueCode == "forbidden")
            let offAudit = try #require(try await harness.lastAudit())
            #expect(offAudit.record.actor == offTeam.id.rawValue && offAudit.record.outcome == .deny && offAudit.record.patientID == patientID)

            // Consent: the patient withholds clinical data from treatment; the care team's search is refused and audited.
            _ = try await store.recordConsent(
                try await gate.authorize(patientAccount.principal, .write, .consent, patient: patientID, requestID: "t"), patient: patientID,
                ConsentDirective(treatment: [.genomic, .monitoring]))
            let withheld = try await client.call(.get, "/fhir/r4/Observation?patient=\(p)", token: docToken)
            #expect(withheld.status == .forbidden && withheld.fhirIssueCode == "forbidden", "\(withheld.text)")
            #expect((withheld.fhirIssue?["diagnostics"] as? String)?.contains("consent") == true)
            let consentAudit = try #require(try await harness.lastAudit())
            #expect(consentAudit.record.actor == doc.id.rawValue && consentAudit.record.outcome == .deny && consentAudit.record.resource == "clinical_record")
            #expect(try await client.call(.get, "/fhir/r4/Patient/\(p)/$everything", token: docToken).status == .forbidden)
            // The patient still reads their own record.
            #expect(try await client.call(.get, "/fhir/r4/Observation?patient=\(p)", token: patientToken).json()["total"] as? Int == 4)
            #expect(try await harness.server.database.verifyAuditChain() > 0)
        }
    }
}
