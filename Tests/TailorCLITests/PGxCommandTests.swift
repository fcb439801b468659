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

    @Test func outsideCallsDriveRecommendationsAndEveryDrugCitesItsGuideline() throws {
        // One person's outside calls are never applied to every sample of a cohort file.
        let (refused, _, message) = try tailor(["pgx", "--json", "--outside-calls", fixtures + "/outside.tsv", fixtures + "/pgx-two-samples.vcf"])
        #expect(refused == 64)
        #expect(message.contains("choose one with --sample"))
        let (status, stdout, _) = try tailor([
            "pgx", "--json", "--sample", "P1", "--outside-calls", fixtures + "/outside.tsv", fixtures + "/pgx-two-samples.vcf",
        ])
        #expect(status == 0)
        let samples = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [[String: Any]])
        let drugs = try #require(samples.first?["drugs"] as? [[String: Any]])
        let abacavir = try #require(drugs.first { $0["drug"] as? String == "abacavir" && $0["source"] as? String == "CPIC" })
        let recommendation = try #require((abacavir["recommendations"] as? [[String: Any]])?.first)
        #expect(recommendation["text"] as? String == "Abacavir is not recommended")
        #expect((abacavir["guideline"] as? [String: Any])?["url"] as? String != nil)
        for drug in drugs { #expect((drug["guideline"] as? [String: Any])?["file"] != nil) }
        let genes = try #require(samples.first?["genes"] as? [[String: Any]])
        #expect(genes.first { $0["gene"] as? String == "CYP2D6" }?["outside_call"] as? Bool == true)
    }

    @Test func aBadOutsideCallFileNamesTheLine() throws {
        let (status, stdout, stderr) = try tailor(["pgx", "--outside-calls", fixtures + "/outside-bad.tsv", fixtures + "/pgx-two-samples.vcf"])
        #expect(status == 1)
        #expect(stdout.isEmpty)
        #expect(stderr.contains("outside-bad.tsv:2: expected 2 to 4 tab-separated columns"))
    }

    @Test func htmlReportIsSelfContainedAndCarriesTheDisclaimer() throws {
        let (status, stdout, _) = try tailor(["pgx", "--html", fixtures + "/pgx-two-samples.vcf"])
        #expect(status == 0)
        #expect(stdout.hasPrefix("<!doctype html>"))
        #expect(stdout.contains("Decision support for qualified clinicians"))
        #expect(stdout.contains("CC BY-SA 4.0"))
        #expect(!stdout.contains("<script"))
        #expect(stdout.contains("Sample P1") && stdout.contains("Sample P2"))
        let (both, _, message) = try tailor(["pgx", "--html", "--json", fixtures + "/pgx-two-samples.vcf"])
        #expect(both == 64)
        #expect(message.contains("choose one of"))
    }

    @Test func anUnreadableOutsideCallFileIsAClearError() throws {
        let (status, stdout, stderr) = try tailor(["pgx", "--outside-calls", fixtures + "/no-such.tsv", fixtures + "/pgx-two-samples.vcf", "--sample", "P1"])
        #expect(status == 1)
        #expect(stdout.isEmpty)
        #expect(stderr.contains("no-such.tsv: cannot be read"))
    }

    @Test func aSitesOnlyVCFIsAClearError() throws {
        let (status, stdout, stderr) = try tailor(["pgx", "--ndjson", fixtures + "/sites-only.vcf"])
        #expect(status == 1)
        #expect(stdout.isEmpty)
        #expect(stderr.contains("sites-only.vcf has no samples"))
    }

    @Test func assumeReferenceIsLabelled() throws {
        let (status, stdout, _) = try tailor(["pgx", "--assume-reference", fixtures + "/pgx-two-samples.vcf"])
        #expect(status == 0)
        #expect(stdout.contains("ASSUMED REFERENCE"))
        let (_, plain, _) = try tailor(["pgx", fixtures + "/pgx-two-samples.vcf"])
        #expect(!plain.contains("ASSUMED REFERENCE"))
    }
}
