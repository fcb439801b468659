import BGZF
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Knowledge
import HummingbirdTesting
import PGx
import Records
@testable import Server
import Store
import Testing

@Suite struct UploadAndAnalysisTests {
    static let definitions: PGxDefinitions = try! PGxDefinitions(pack: .bundled("pgx"))

    static func demoVCF(_ diplotypes: [String: (String, String)] = ["CYP2C19": ("*2", "*2")], sample: String = "S1") throws -> String {
        try DemoGenome.vcf(sample: sample, diplotypes: diplotypes, definitions: definitions, male: false)
    }

    struct Cast {
        var harness: ServerHarness
        var clinician: String
        var patient: PatientID
    }

    static func cast(maxUpload: Int64 = 64 << 20) async throws -> Cast {
        let harness = try await ServerHarness.open(maxUpload: maxUpload)
        let clinician = try await harness.account("doc", .clinician)
        let patient = try await harness.server.store.createPatient(
            try await harness.server.gate.authorize(clinician.principal, .write, .patientRegistration, requestID: "setup"),
            .init(givenName: "A", familyName: "B"))
        return Cast(harness: harness, clinician: try await harness.token(clinician), patient: patient.id)
    }

    static func upload(_ client: any TestClientProtocol, _ cast: Cast, _ bytes: [UInt8], query: String = "kind=germline_vcf&filename=genome.vcf") async throws -> TestResponse {
        try await client.execute(
            uri: "/api/v1/patients/\(cast.patient.rawValue)/datasets?\(query)", method: .post,
            headers: [.authorization: "Bearer \(cast.clinician)", .contentType: "application/octet-stream"], body: ByteBuffer(bytes: bytes))
    }

    /// Nothing of a rejected upload may remain: no dataset row, no blob, no staged file.
    static func expectNothingLeft(_ client: any TestClientProtocol, _ cast: Cast) async throws {
        let listing = try await client.call(.get, "/api/v1/patients/\(cast.patient.rawValue)/datasets", token: cast.clinician)
        #expect(listing.text == #"{"datasets":[],"samples":[]}"#)
        let genomes = (cast.harness.folder as NSString).appendingPathComponent("genomes")
        for folder in ["blobs", "staging"] {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: (genomes as NSString).appendingPathComponent(folder))) ?? []
            #expect(files.isEmpty, "\(folder) still has \(files)")
        }
    }

    @Test func uploadEncryptsQueuesAndAnalyses() async throws {
        let cast = try await Self.cast()
        let text = try Self.demoVCF()
        try await cast.harness.test { client in
            let response = try await Self.upload(client, cast, Array(text.utf8))
            #expect(response.status == .created, "\(response.text)")
            let body = try response.json()
            let dataset = try #require(body["dataset"] as? [String: Any])
            #expect(dataset["sha256"] as? String == SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined())
            #expect(dataset["genomeBuild"] as? String == "GRCh38")
            #expect((body["runs"] as? [[String: Any]])?.first?["status"] as? String == "queued")
            // At rest the file is not readable as a VCF.
            let blobs = (cast.harness.folder as NSString).appendingPathComponent("genomes/blobs")
            let stored = try FileManager.default.contentsOfDirectory(atPath: blobs)
            #expect(stored.count == 1)
            let raw = try Data(contentsOf: URL(fileURLWithPath: (blobs as NSString).appendingPathComponent(stored[0])))
            #expect(raw.range(of: Data("##fileformat".utf8)) == nil)

            #expect(try await cast.harness.server.analysisService().workOne())
            let findings = try await client.call(.get, "/api/v1/patients/\(cast.patient.rawValue)/findings", token: cast.clinician).json()
            let list = try #require(findings["findings"] as? [[String: Any]])
            let cyp2c19 = try #require(list.first { $0["kind"] as? String == "pgx.gene" && $0["subject"] as? String == "CYP2C19" })
            #expect(cyp2c19["label"] as? String == "*2/*2")
            #expect(cyp2c19["interpretation"] as? String == "Poor Metabolizer")
            let provenance = try #require(cyp2c19["provenance"] as? [String: Any])
            #expect((provenance["knowledge"] as? [String: String])?["pgx"] != nil)
            #expect((provenance["inputDigests"] as? [String: String])?.values.first == dataset["sha256"] as? String)
            let clopidogrel = try #require(
                list.first { $0["kind"] as? String == "pgx.drug" && $0["subject"] as? String == "clopidogrel" && $0["label"] as? String == "CPIC" })
            #expect((clopidogrel["summary"] as? String)?.hasPrefix("clopidogrel (CPIC): Avoid clopidogrel if possible.") == true, "\(clopidogrel)")
            let runs = try await client.call(.get, "/api/v1/patients/\(cast.patient.rawValue)/runs", token: cast.clinician).json()
            #expect(((runs["runs"] as? [[String: Any]])?.first?["status"] as? String) == "succeeded")

            // The same findings as FHIR Genomics Reporting: a report, CYP2C19's genotype, clopidogrel's implication.
            let report = try await client.call(.get, "/api/v1/patients/\(cast.patient.rawValue)/genomics-report", token: cast.clinician)
            #expect(report.status == .ok)
            #expect(report.headers[.contentType]?.hasPrefix("application/fhir+json") == true)
            let bundle = try report.json()
            #expect(bundle["resourceType"] as? String == "Bundle" && bundle["type"] as? String == "collection")
            let resources = ((bundle["entry"] as? [[String: Any]]) ?? []).compactMap { $0["resource"] as? [String: Any] }
            #expect(resources.filter { $0["resourceType"] as? String == "DiagnosticReport" }.count == 1)
            let observations = resources.filter { $0["resourceType"] as? String == "Observation" }
            #expect(observations.contains { ($0["valueCodeableConcept"] as? [String: Any])?["text"] as? String == "CYP2C19 *2/*2" })
            #expect(report.text.contains("clopidogrel") && report.text.contains("Avoid clopidogrel"))
            #expect(observations.allSatisfy { ($0["subject"] as? [String: Any])?["reference"] as? String == "Patient/\(cast.patient.fhirID)" })
        }
    }

    @Test(
        "a bad file is rejected with 4xx naming the problem, and leaves nothing behind",
        arguments: [
            ("malformed", "invalid_vcf", 422), ("grch37", "wrong_build", 422), ("notvcf", "invalid_vcf", 422), ("empty", "empty_file", 422),
            ("twosamples", "choose_sample", 422), ("unknownsample", "unknown_sample", 422), ("oversized", "too_large", 413),
            ("badgenotype", "invalid_vcf", 422),
        ])
    func rejected(kind: String, code: String, status: Int) async throws {
        let cast = try await Self.cast(maxUpload: kind == "oversized" ? 2000 : 64 << 20)
        var text = try Self.demoVCF()
        var query = "kind=germline_vcf&filename=genome.vcf"
        switch kind {
        case "malformed":
            // Line 20 gets a position that is not a number.
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var fields = lines[19].split(separator: "\t").map(String.init)
            fields[1] = "12x4"
            lines[19] = fields.joined(separator: "\t")
            text = lines.joined(separator: "\n")
        case "grch37":
            // No contig lengths, and a reference line naming GRCh37 (hg19).
            text = text.split(separator: "\n").filter { !$0.hasPrefix("##contig") }.joined(separator: "\n") + "\n"
            text = text.replacingOccurrences(of: "##reference=GRCh38", with: "##reference=file:///refs/hg19.fa")
        case "badgenotype":
            // A genotype naming an allele the record does not have (found by schemathesis: it used to pass the check).
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines[25] = lines[25].replacingOccurrences(of: #"\t[0-9]/[0-9]$"#, with: "\t0/7", options: .regularExpression)
            text = lines.joined(separator: "\n")
        case "notvcf":
            text = "hello, this is not a genome\n"
        case "empty":
            text = ""
        case "twosamples", "unknownsample":
            text = text.replacingOccurrences(of: "FORMAT\tS1\n", with: "FORMAT\tS1\tS2\n").replacingOccurrences(
                of: #"(\t[0-9]/[0-9])\n"#, with: "$1$1\n", options: .regularExpression)
            if kind == "unknownsample" { query += "&sample=S9" }
        default:
            break
        }
        let bytes = Array(text.utf8)
        let finalQuery = query
        try await cast.harness.test { client in
            let response = try await Self.upload(client, cast, bytes, query: finalQuery)
            #expect(response.status.code == status, "\(kind): \(response.status.code) \(response.text)")
            #expect(response.errorCode == code, "\(kind): \(response.text)")
            if kind == "malformed" {
                // The user's file name and line, never the server's storage path.
                #expect(response.text.contains("genome.vcf:20: POS"), "\(response.text)")
                #expect(!response.text.contains("tlrb"), "\(response.text)")
            }
            try await Self.expectNothingLeft(client, cast)
        }
    }

    @Test func secondSampleCanBeChosen() async throws {
        let cast = try await Self.cast()
        let text = try Self.demoVCF().replacingOccurrences(of: "FORMAT\tS1\n", with: "FORMAT\tS1\tS2\n").replacingOccurrences(
            of: #"(\t[0-9]/[0-9])\n"#, with: "$1\t0/0\n", options: .regularExpression)
        try await cast.harness.test { client in
            let response = try await Self.upload(client, cast, Array(text.utf8), query: "kind=germline_vcf&filename=g.vcf&sample=S2")
            #expect(response.status == .created, "\(response.text)")
            #expect(((try response.json()["samples"] as? [[String: Any]])?.first?["nameInFile"] as? String) == "S2")
        }
    }

    @Test func failedRunIsRecordedAndRetried() async throws {
        let cast = try await Self.cast()
        try await cast.harness.test { client in
            #expect(try await Self.upload(client, cast, Array(try Self.demoVCF().utf8)).status == .created)
            let queue = JobQueue(store: cast.harness.server.store)
            let claim = try #require(try await queue.claimNext())
            try await queue.fail(claim.run, error: "the analyser ran out of memory")
            let run = try await client.call(.get, "/api/v1/patients/\(cast.patient.rawValue)/runs/\(claim.run.id.rawValue)", token: cast.clinician).json()
            #expect(run["status"] as? String == "failed")
            #expect(run["error"] as? String == "the analyser ran out of memory")
            let retried = try await client.call(.post, "/api/v1/patients/\(cast.patient.rawValue)/runs/\(claim.run.id.rawValue)/retry", token: cast.clinician)
            #expect(retried.status == .accepted)
            let again = try await client.call(.post, "/api/v1/patients/\(cast.patient.rawValue)/runs/\(claim.run.id.rawValue)/retry", token: cast.clinician)
            #expect(again.status == .conflict)
            #expect(try await cast.harness.server.analysisService().workOne())
            let done = try await client.call(.get, "/api/v1/patients/\(cast.patient.rawValue)/runs/\(claim.run.id.rawValue)", token: cast.clinician).json()
            #expect(done["status"] as? String == "succeeded")
            #expect(done["attempts"] as? Int == 2)
        }
    }

    /// The demo's genomes give the calls the demo promises (so its story is true).
    @Test(arguments: TailorServer.demoPatients.map(\.id))
    func demoGenomesCallAsIntended(id: String) async throws {
        let patient = try #require(TailorServer.demoPatients.first { $0.id == id })
        let text = try DemoGenome.vcf(sample: "S", diplotypes: patient.diplotypes, definitions: Self.definitions, male: patient.sex == "male")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString).vcf").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let analyser = try await PGxGenomeAnalyser.load()
        let drafts = try await analyser.analyse(try ReadableFile(path: path), sample: "S") { _ in }
        for (gene, (first, second)) in patient.diplotypes {
            let finding = try #require(drafts.first { $0.kind == "pgx.gene" && $0.subject == gene }, "\(gene)")
            // DPYD is printed CPIC's way: the non-reference allele with its zygosity.
            let expected = first == "Reference" ? ["\(second) (heterozygous)"] : ["\(first)/\(second)", "\(second)/\(first)"]
            #expect(expected.contains(finding.label ?? ""), "\(id) \(gene): \(finding.summary)")
        }
        // Genes left at reference are called, not missing.
        let cyp2c9 = try #require(drafts.first { $0.subject == "CYP2C9" && $0.kind == "pgx.gene" })
        #expect(cyp2c9.label != nil)
    }
}

@Suite struct APIErrorTests {
    @Test func errorsHaveOneShape() async throws {
        let harness = try await ServerHarness.open()
        let clinician = try await harness.account("doc", .clinician)
        let token = try await harness.token(clinician)
        let disabledAccount = try await harness.account("gone", .clinician)
        let disabledToken = try await harness.token(disabledAccount)
        let admin = try await harness.account("adm", .administrator)
        _ = try await harness.server.store.updateAccount(
            try await harness.server.gate.authorize(admin.principal, .write, .accounts, requestID: "t"), user: disabledAccount.id, disabled: true,
            passwordHash: nil)
        try await harness.test { client in
            let cases: [(HTTPRequest.Method, String, String?, String?, Int, String)] = [
                (.post, "/api/v1/patients", token, "{not json", 400, "malformed_json"),
                (.post, "/api/v1/patients", token, #"{"givenName":"A"}"#, 422, "missing_field"),
                (.post, "/api/v1/patients", token, #"{"givenName":"A","familyName":7}"#, 422, "invalid_field"),
                (.post, "/api/v1/patients", token, #"{"givenName":"A","familyName":"B","sex":"robot"}"#, 422, "invalid_field"),
                (.get, "/api/v1/nothing-here", token, nil, 404, "not_found"),
                (.get, "/api/v1/patients/pat_unknown", token, nil, 404, "not_found"),
                (.get, "/api/v1/patients/not-an-id", token, nil, 404, "not_found"),
                (.get, "/api/v1/patients?limit=0", token, nil, 400, "bad_request"),
                (.get, "/api/v1/patients", "garbage", nil, 401, "invalid_token"),
                (.get, "/api/v1/patients", disabledToken, nil, 401, "invalid_token"),
                (.get, "/api/v1/patients", nil, nil, 401, "unauthenticated"),
                (.post, "/api/v1/auth/login", nil, #"{"username":"doc","password":"wrong password"}"#, 401, "login_failed"),
            ]
            for (method, uri, token, body, status, code) in cases {
                let response = try await client.call(method, uri, token: token, json: body)
                #expect(response.status.code == status, "\(method) \(uri): \(response.status.code) \(response.text)")
                #expect(response.errorCode == code, "\(method) \(uri): \(response.text)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
            let wrongType = try await client.execute(
                uri: "/api/v1/patients", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "text/plain"],
                body: ByteBuffer(string: "{}"))
            #expect(wrongType.status == .unsupportedMediaType)
            let tooBig = try await client.call(.post, "/api/v1/patients", token: token, json: "{\"givenName\":\"" + String(repeating: "a", count: 2 << 20) + "\"}")
            #expect(tooBig.status == .contentTooLarge)
            // The failed login is on record.
            let last = try #require(try await harness.lastAudit())
            #expect(last.record.action == "login")
            #expect(last.record.outcome == .deny)
            // Found by schemathesis: a NUL in any string (PostgreSQL cannot store it), a calendar-impossible date, an
            // undeclared method on a known path (405 with Allow), a patient's own directory page.
            let nul = try await client.call(.post, "/api/v1/patients", token: token, json: #"{"givenName":"A\u0000B","familyName":"x","sex":"male"}"#)
            #expect(nul.status == .unprocessableContent && nul.errorCode == "invalid_field", "\(nul.text)")
            let nulQuery = try await client.call(.get, "/api/v1/patients?after=a%00b", token: token)
            #expect(nulQuery.status == .badRequest, "\(nulQuery.text)")
            let february = try await client.call(.post, "/api/v1/patients", token: token, json: #"{"givenName":"A","familyName":"B","birthDate":"2000-02-31"}"#)
            #expect(february.status == .unprocessableContent, "\(february.text)")
            let trace = try await client.execute(uri: "/health", method: .put)
            #expect(trace.status == .methodNotAllowed)
            #expect(trace.headers[.allow] == "GET")
            let deletePatients = try await client.call(.delete, "/api/v1/patients", token: token)
            #expect(deletePatients.status == .methodNotAllowed)
            #expect(deletePatients.headers[.allow] == "GET, POST")
        }
    }

    @Test func loginIssuesATokenThatWorks() async throws {
        let harness = try await ServerHarness.open()
        let hash = try await harness.server.authenticator.hashPassword("correct horse battery")
        _ = try await harness.server.store.createUser(nil, .init(username: "nurse", displayName: "N", role: .clinician), passwordHash: hash)
        try await harness.test { client in
            let login = try await client.call(.post, "/api/v1/auth/login", token: nil, json: #"{"username":"Nurse","password":"correct horse battery"}"#)
            #expect(login.status == .ok)
            #expect(login.headers[.setCookie]?.contains("HttpOnly") == true)
            let token = try #require(try login.json()["token"] as? String)
            let me = try await client.call(.get, "/api/v1/me", token: token).json()
            #expect(me["username"] as? String == "nurse")
            #expect(me["passwordHash"] == nil)

            // An administrator disables the account: its live token stops working on the next request.
            let admin = try await harness.account("adm", .administrator)
            let adminToken = try await harness.token(admin)
            let userID = try #require(me["id"] as? String)
            let disabled = try await client.call(.patch, "/api/v1/users/\(userID)", token: adminToken, json: #"{"disabled":true}"#)
            #expect(disabled.status == .ok)
            #expect(try disabled.json()["disabled"] as? Bool == true, "\(disabled.text)")
            #expect(try await client.call(.get, "/api/v1/patients", token: token).status == .unauthorized)
            #expect(try await client.call(.post, "/api/v1/auth/login", token: nil, json: #"{"username":"nurse","password":"correct horse battery"}"#).status == .unauthorized)
            // Re-enabled with a new password, in one change with one audit entry.
            let restored = try await client.call(.patch, "/api/v1/users/\(userID)", token: adminToken, json: #"{"disabled":false,"password":"a new long passphrase"}"#)
            #expect(restored.status == .ok, "\(restored.text)")
            let entry = try #require(try await harness.lastAudit())
            #expect(entry.record.reason.hasSuffix("(enabled) (password set)"), "\(entry.record.reason)")
            #expect(try await client.call(.post, "/api/v1/auth/login", token: nil, json: #"{"username":"nurse","password":"a new long passphrase"}"#).status == .ok)
            #expect(try await client.call(.patch, "/api/v1/users/usr_nobody", token: adminToken, json: #"{"disabled":true}"#).status == .notFound)
        }
    }
}
