import ArgumentParser
import Foundation
import GenomicFiles
import Testing

@testable import TailorCLI

@Suite struct StatsCommandTests {
    @Test func jsonHasTheDocumentedTopLevelFields() async throws {
        let report = try await VCFStatistics.compute(path: fixtures + "/spanning.vcf")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(try StatsOutput.json(report).utf8)) as? [String: Any])
        #expect(object["records"] as? Int == 3)
        #expect(object["samples"] as? Int == 3)
        #expect(object["build"] as? String == "GRCh38")
        let perSample = try #require(object["per_sample"] as? [[String: Any]])
        #expect(perSample.map { $0["name"] as? String } == ["S0001", "S0002", "S0003"])
        #expect(perSample[0]["het"] as? Int == 2)
        #expect(perSample[2]["hom_alt"] as? Int == 2)
    }

    @Test func textReportNamesTheBuildAndCounts() async throws {
        let report = try await VCFStatistics.compute(path: fixtures + "/spanning.vcf")
        let text = StatsOutput.text(report)
        #expect(text.contains("records\t3"))
        #expect(text.contains("GRCh38 (24 of 24 chromosome lengths match GRCh38)"))
        #expect(text.contains("S0001\t0\t0\t2\t2\t0\t0\t10.0\t1\t0\t0\t0"))  // as bcftools stats -s - prints it
    }

    @Test(arguments: [["vcf", "stats", "x.vcf", "--threads", "0"], ["vcf", "stats"], ["vcf", "nonsense"]])
    func badArgumentsAreRejected(_ arguments: [String]) {
        #expect(throws: (any Error).self) { try TailorCommand.parseAsRoot(arguments) }
    }

    @Test(.enabled(if: executableBuilt, "the tailor executable is built beside the tests"))
    func executableReportsSuccessAndFailureByExitStatus() throws {
        let (ok, stdout, _) = try tailor(["vcf", "stats", "--json", fixtures + "/spanning.vcf"])
        #expect(ok == 0)
        #expect(stdout.contains("\"records\" : 3"))
        let (bad, _, stderr) = try tailor(["vcf", "stats", fixtures + "/bad.vcf"])
        #expect(bad == 1)
        #expect(stderr.contains("bad.vcf:4: POS: 'x' is not a position"))
        let (lenient, text, _) = try tailor(["vcf", "stats", "--lenient", fixtures + "/bad.vcf"])
        #expect(lenient == 0)
        #expect(text.contains("skipped 1 malformed line"))
        let (usage, _, _) = try tailor(["vcf", "stats", "--threads", "0", "x.vcf"])
        #expect(usage == 64)
    }
}
