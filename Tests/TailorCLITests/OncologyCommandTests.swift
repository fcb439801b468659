import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// `tailor oncology` options that reach outside the shipped packs: user-supplied gene roles, the TMB definition, and OncoKB
/// with the user's token, tested against a live stand-in for OncoKB's API on loopback.
@Suite(.enabled(if: executableBuilt, "the tailor executable is built beside the tests"))
struct OncologyCommandTests {
    static let vcf = fixtures + "/oncology_vep_annotated.vcf"

    @Test func geneRolesAndTMBDefinitionAreOptionsWithClearRefusals() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-roles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let roles = dir.appendingPathComponent("roles.tsv").path
        try "gene\trole\nBRAF\toncogene\nTP53\tmaybe\n".write(toFile: roles, atomically: true, encoding: .utf8)
        let (bad, _, stderr) = try tailor(["oncology", "--tumor-type", "LUAD", "--gene-roles", roles, Self.vcf])
        #expect(bad != 0 && stderr.contains("roles.tsv:3: role 'maybe' for TP53"))

        try "gene\trole\nBRAF\toncogene\nTP53\ttsg\n".write(toFile: roles, atomically: true, encoding: .utf8)
        let (ok, stdout, _) = try tailor(["oncology", "--tumor-type", "LUAD", "--gene-roles", roles, "--assay-mb", "1", "--tmb-definition", "non-silent", Self.vcf])
        #expect(ok == 0 && stdout.contains("by non-silent"))
        #expect(!stdout.contains("which are not shipped"))  // the note asking for roles is gone

        let (wrong, _, err2) = try tailor(["oncology", "--tumor-type", "LUAD", "--tmb-definition", "all", Self.vcf])
        #expect(wrong != 0 && err2.contains("--tmb-definition takes coding-and-silent, non-silent, missense"))
    }

    @Test func oncokbNeedsATokenAndIsOffByDefault() throws {
        let (status, _, stderr) = try tailor(["oncology", "--tumor-type", "LUAD", "--oncokb", Self.vcf], environment: ["ONCOKB_API_TOKEN": ""])
        #expect(status != 0 && stderr.contains("ONCOKB_API_TOKEN"))
        let (url, _, err2) = try tailor(["oncology", "--tumor-type", "LUAD", "--oncokb-url", "http://127.0.0.1:9", Self.vcf])
        #expect(url != 0 && err2.contains("need --oncokb"))
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("oncokb-token-\(UUID().uuidString)").path
        try "\n".write(toFile: empty, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let (blank, _, err3) = try tailor(["oncology", "--tumor-type", "LUAD", "--oncokb", "--oncokb-token-file", empty, Self.vcf])
        #expect(blank != 0 && err3.contains("is empty"))
        let (missing, _, err4) = try tailor(["oncology", "--tumor-type", "LUAD", "--oncokb", "--oncokb-token-file", empty + ".none", Self.vcf])
        #expect(missing != 0 && err4.contains("cannot be read"))
    }

    /// The real HTTP path: AsyncHTTPClient → a Hummingbird server answering as OncoKB's batch endpoint does.
    @Test func oncokbIsAskedOverHTTPWithTheUsersToken() async throws {
        let seen = Mutex<[(authorization: String?, body: String)]>([])
        let router = Router()
        router.post("api/v1/annotate/mutations/byProteinChange") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            seen.withLock { $0.append((request.headers[.authorization], body)) }
            let queries = (try JSONSerialization.jsonObject(with: Data(body.utf8))) as? [[String: Any]] ?? []
            let answers = queries.map { q -> String in
                let id = q["id"] as? String ?? ""
                let treatments = id == "BRAF p.V600E"
                    ? #"{"drugs":[{"drugName":"Vemurafenib"}],"level":"LEVEL_1","pmids":["21639808"],"levelAssociatedCancerType":{"code":"LUAD","name":"Lung Adenocarcinoma","mainType":{"name":"Non-Small Cell Lung Cancer"}}}"#
                    : ""
                return #"{"query":{"id":"\#(id)"},"oncogenic":"Oncogenic","mutationEffect":{"knownEffect":"Gain-of-function"},"treatments":[\#(treatments)],"dataVersion":"v0-stub"}"#
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "[\(answers.joined(separator: ","))]")))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let (status, stdout, stderr) = try tailor(
                ["oncology", "--tumor-type", "LUAD", "--oncokb", "--oncokb-url", "http://127.0.0.1:\(port)/api/v1", "--json", Self.vcf],
                environment: ["ONCOKB_API_TOKEN": "stub-token"])
            #expect(status == 0, "\(stderr)")
            #expect(stdout.contains("Vemurafenib") && stdout.contains("\"OncoKB\"") && stdout.contains("v0-stub"))
            #expect(stdout.contains("oncokb.org/terms"))
        }
        let requests = seen.withLock { $0 }
        #expect(!requests.isEmpty && requests.allSatisfy { $0.authorization == "Bearer stub-token" })
        #expect(requests.allSatisfy { $0.body.contains("\"alteration\":\"V600E\"") || !$0.body.contains("BRAF") })
    }
}
