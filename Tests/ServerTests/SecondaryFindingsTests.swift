import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Records
@testable import Server
import Store
import Testing

/// The germline screen of uploaded genomes (ACMG secondary findings against the installation's ClinVar): findings are
/// stored, and shown only while the patient's consent opts in to receiving them, on every read path.
@Suite struct SecondaryFindingsTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path

    @Test(arguments: [ServerHarness.Engine.sqlite])
    func screenedFindingsAreShownOnlyWithConsent(engine: ServerHarness.Engine) async throws {
        let harness = try await ServerHarness.open(engine) { $0.clinvar = Self.fixtures + "/clinvar_fixture.vcf" }
        #expect(harness.server.analysers.map(\.name).sorted() == ["germline", "pgx"])
        let clinician = try await harness.account("doc", .clinician)
        let patient = try await harness.server.store.createPatient(
            try await harness.server.gate.authorize(clinician.principal, .write, .patientRegistration, requestID: "setup"),
            .init(givenName: "A", familyName: "B"))
        let token = try await harness.token(clinician)
        let base = "/api/v1/patients/\(patient.id.rawValue)"
        let vcf = try String(contentsOfFile: Self.fixtures + "/screen_sample.vcf", encoding: .utf8)
        try await harness.test { client in
            func consent(secondary: Bool) async throws {
                let body = #"{"treatment":["genomic","clinical","monitoring"],"researchUses":[],"researchCategories":[],"secondaryFindings":\#(secondary)}"#
                let put = try await client.call(.put, base + "/consent", token: token, json: body)
                #expect(put.status == .ok || put.status == .created, "\(put.text)")
            }
            try await consent(secondary: false)
            let upload = try await client.execute(
                uri: base + "/datasets?kind=germline_vcf&filename=exome.vcf", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/octet-stream"], body: .init(string: vcf))
            #expect(upload.status == .created, "\(upload.text)")
            let runs = try #require(try upload.json()["runs"] as? [[String: Any]])
            #expect(Set(runs.compactMap { $0["analyser"] as? String }) == ["germline", "pgx"])
            while try await harness.server.analysisService().workOne() {}

            // Not opted in: neither the list, nor the risk view, nor a read by ID shows them.
            let hidden = try await client.call(.get, base + "/findings", token: token)
            #expect(!hidden.text.contains("germline.secondary") && !hidden.text.contains("BRCA2"), "\(hidden.text)")
            let riskHidden = try await client.call(.get, base + "/risk", token: token)
            #expect(riskHidden.status == .ok && !riskHidden.text.contains("BRCA2"))

            // Opted in: the BRCA2 frameshift is reported; the TTN missense (truncating only) and the HFE C282Y heterozygote
            // (homozygotes only) are not findings.
            try await consent(secondary: true)
            let shown = try await client.call(.get, base + "/findings", token: token).json()
            let list = try #require(shown["findings"] as? [[String: Any]])
            let secondary = list.filter { $0["kind"] as? String == Finding.secondaryFindingKind }
            #expect(secondary.compactMap { $0["subject"] as? String } == ["BRCA2"], "\(secondary)")
            let brca2 = try #require(secondary.first)
            #expect(brca2["interpretation"] as? String == "Pathogenic")
            #expect((brca2["summary"] as? String)?.contains("ACMG SF v3.2") == true, "\(brca2)")
            let provenance = try #require(brca2["provenance"] as? [String: Any])
            #expect((provenance["knowledge"] as? [String: String])?["acmg-sf"] != nil)
            #expect((provenance["knowledge"] as? [String: String])?["clinvar"]?.hasPrefix("ClinVar") == true)
            let id = try #require(brca2["id"] as? String)
            #expect(try await client.call(.get, base + "/findings/\(id)", token: token).status == .ok)
            let risk = try await client.call(.get, base + "/risk", token: token)
            #expect(risk.text.contains("BRCA2"), "\(risk.text)")

            // A change of mind takes effect on the next request, including a read by ID.
            try await consent(secondary: false)
            #expect(try await client.call(.get, base + "/findings/\(id)", token: token).status == .notFound)

            // Withheld findings do not take places under a limit: "germline.secondary" sorts before "pgx.*", so a
            // filter applied after the SQL LIMIT would answer nothing here.
            let grant = try await harness.server.gate.authorize(clinician.principal, .read, .findings, patient: patient.id, requestID: "limit")
            for superseded in [false, true] {
                let first = try await harness.server.store.findings(grant, patient: patient.id, includeSuperseded: superseded, limit: 1)
                #expect(first.count == 1 && first.allSatisfy { $0.kind != Finding.secondaryFindingKind }, "\(first.map(\.kind))")
            }
        }
    }

    @Test func withoutClinVarTheScreenIsNotInstalled() async throws {
        let harness = try await ServerHarness.open()
        #expect(harness.server.analysers.map(\.name) == ["pgx"])
        await harness.close()
    }

    @Test func anUnreadableClinVarIsAConfigurationError() {
        #expect {
            _ = try ServerConfiguration.resolve(flags: ["clinvar": "/nonexistent/clinvar.vcf.gz"], environment: [:], file: nil)
        } throws: { error in
            "\(error)" == "--clinvar: '/nonexistent/clinvar.vcf.gz' cannot be read"
        }
    }
}

@Suite("Secondary findings on PostgreSQL", .enabled(if: ServerHarness.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set: PostgreSQL runs skipped"))
struct SecondaryFindingsPostgresTests {
    @Test func screenedFindingsAreShownOnlyWithConsent() async throws {
        try await SecondaryFindingsTests().screenedFindingsAreShownOnlyWithConsent(engine: .postgres)
    }
}
