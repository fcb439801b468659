import Foundation
import Testing

@Suite(.enabled(if: executableBuilt, "the tailor executable is built beside the tests"))
struct PGxCommandTests {
    @Test func ndjsonGivesOneLinePerSampleWithGeneObjects() throws {
        let (status, stdout, _) = try tailor(["pgx", "--ndjson", fixtures + "/pgx-two-samples.vcf"])
        #expect(status == 0)
        let lines = stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["sample"] as? String == "P1")
        let genes = try #require(first["genes"] as? [[String: Any]])
        let cyp2c19 = try #require(genes.first { $0["gene"] as? String == "CYP2C19" })
        // Only one of CYP2C19's 35 positions is in the file: the rest are missing, not reference, so the call is ambiguous.
        #expect((cyp2c19["missing_positions"] as? [String])?.count == 34)
        #expect((cyp2c19["diplotypes"] as? [String])?.contains("*2/*2") == true)
        #expect(cyp2c19.keys.contains("phenotype"))
    }

    @Test func unknownSampleAndNonVCFAreClearErrors() throws {
        let (status, _, stderr) = try tailor(["pgx", "--sample", "NOBODY", fixtures + "/pgx-two-samples.vcf"])
        #expect(status == 64)
        #expect(stderr.contains("sample 'NOBODY' is not in"))
        let (bad, _, message) = try tailor(["pgx", fixtures + "/bad.vcf"])
        #expect(bad == 1)
        #expect(message.contains("bad.vcf:4: POS"))
    }
}
