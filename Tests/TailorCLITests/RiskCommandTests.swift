import Foundation
import Logging
import Server
import Store
import Testing

@Suite(.enabled(if: executableBuilt, "the tailor executable is built beside the tests"))
struct RiskCommandTests {
    /// The AHA/preventr worked example through flags, and the same through a JSON file.
    @Test func preventWorkedExampleFromFlagsAndFromJSON() throws {
        let flags = [
            "--sex", "female", "--age", "50", "--total-cholesterol", "200", "--hdl", "45", "--systolic-bp", "160", "--on-bp-treatment",
            "--diabetes", "--egfr", "90", "--bmi", "35",
        ]
        let (status, stdout, _) = try tailor(["risk", "prevent", "--json"] + flags)
        #expect(status == 0)
        let results = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [[String: Any]])
        let total10 = try #require(results.first { ($0["outcome"] as? String)?.contains("10-year total cardiovascular") == true })
        #expect(abs((total10["value"] as? Double ?? 0) - 14.7) < 0.05)
        #expect((total10["equation"] as? [String: Any])?["knowledge"] as? String == "risk 2026.11-1")

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-risk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let json = dir.appendingPathComponent("in.json")
        try Data(
            #"{"sex":"female","age":50,"totalCholesterol":200,"hdl":45,"systolicBP":160,"onBPTreatment":true,"diabetes":true,"egfr":90,"bmi":35}"#
                .utf8
        ).write(to: json)
        let (status2, text, _) = try tailor(["risk", "prevent", "--input", json.path])
        #expect(status2 == 0)
        #expect(text.contains("10-year total cardiovascular disease: 14.7 %"))
        // A flag overrides the file.
        let (_, older, _) = try tailor(["risk", "prevent", "--input", json.path, "--age", "60"])
        #expect(!older.contains("10-year total cardiovascular disease: 14.7 %"))
    }

    @Test(arguments: [
        (["risk", "pce", "--sex", "male", "--race", "white", "--age", "55", "--total-cholesterol", "213", "--hdl", "1.2", "--systolic-bp", "120"],
         1, "hdl 1.2 mg/dL is outside the accepted range"),
        (["risk", "pce", "--sex", "male", "--race", "white", "--age", "55"], 64, "missing required input totalCholesterol (--total-cholesterol)"),
        (["risk", "egfr", "--sex", "female", "--age", "43", "--creatinine", "high"], 64, "--creatinine needs a number"),
        (["risk", "egfr", "--sex", "female", "--age", "43", "--creatinine", "1.5", "--weight", "70"], 64, "unknown option '--weight'"),
        (["risk", "pce", "--sex", "other", "--race", "white", "--age", "55", "--total-cholesterol", "213", "--hdl", "50", "--systolic-bp", "120"],
         64, "input sex: not an accepted value; one of female, male"),
    ])
    func badInputIsNamed(arguments: [String], status: Int32, message: String) throws {
        let (code, _, stderr) = try tailor(arguments)
        #expect(code == status)
        #expect(stderr.contains(message), "\(stderr)")
    }

    @Test func outsideTheDerivationRangeIsNotApplicableNotAnError() throws {
        let (status, stdout, _) = try tailor([
            "risk", "pce", "--sex", "male", "--race", "white", "--age", "35", "--total-cholesterol", "213", "--hdl", "50", "--systolic-bp", "120",
        ])
        #expect(status == 0)
        #expect(stdout.contains("not applicable, because age 35 years is outside 40–79 years"))
    }

    @Test func qrisk3ShowsTheClinRiskDisclaimer() throws {
        let (status, stdout, _) = try tailor([
            "risk", "qrisk3", "--sex", "female", "--age", "64", "--height-cm", "165", "--weight-kg", "70", "--cholesterol-hdl-ratio", "4",
            "--systolic-bp", "130", "--systolic-bpsd", "5", "--townsend", "0", "--smoking", "0",
        ])
        #expect(status == 0)
        #expect(stdout.contains("ClinRisk Ltd."))
        #expect(stdout.contains("10-year cardiovascular disease: "))
    }

    @Test func egfrAndGail() throws {
        let (s1, egfr, _) = try tailor(["risk", "egfr", "--sex", "male", "--age", "43", "--creatinine", "88", "--creatinine-unit", "umol/L"])
        #expect(s1 == 0)
        #expect(egfr.contains(": 96 mL/min/1.73m²"))
        let (s2, gail, _) = try tailor(["risk", "gail", "--age", "40", "--race", "1", "--biopsies", "1", "--age-at-menarche", "12"])
        #expect(s2 == 0)
        #expect(gail.contains("5-year invasive breast cancer"))
    }
}

@Suite(.enabled(if: executableBuilt, "the tailor executable is built beside the tests"))
struct PRSCommandTests {
    @Test func tsvNdjsonAndMatchLog() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-prs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let log = dir.appendingPathComponent("log.tsv").path
        let vcf = fixtures + "/cineca_120.vcf.gz"
        let score = fixtures + "/PGS001229_22.txt"
        let (status, tsv, stderr) = try tailor(["prs", "score", "--vcf", vcf, "--score", score, "--tsv", "--match-log", log])
        #expect(status == 0)
        let rows = tsv.split(separator: "\n")
        #expect(rows.count == 121)
        #expect(rows[0] == "sampleset\tFID\tIID\tPGS\tSUM\tDENOM\tAVG")
        #expect(rows[1].hasPrefix("tailor\tHG00096_HG00096\tHG00096_HG00096\tPGS001229\t0.54502"))
        #expect(stderr.contains("PGS001229: 782 of 835 variants matched; excluded 47 ambiguous; 6 not found"))
        let logLines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(logLines.count == 836)
        #expect(logLines.contains { $0.hasPrefix("PGS001229\t0\t16\trs5746679") && $0.contains("\tmatched\trefalt\t") })

        let (s2, ndjson, _) = try tailor(["prs", "score", "--vcf", vcf, "--score", score, "--ndjson"])
        #expect(s2 == 0)
        let lines = ndjson.split(separator: "\n")
        #expect(lines.count == 121)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(summary["type"] as? String == "score")
        #expect(summary["matched"] as? Int == 782)
        #expect((summary["caveat"] as? String)?.contains("4.9× lower in African") == true)
        let sample = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(sample["sample"] as? String == "HG00096_HG00096")
    }

    /// Normalisation against 1000 Genomes reference sums by superpopulation; an absent population is refused, naming
    /// the ones the reference has.
    @Test func normalisesAgainstAReferencePopulation() throws {
        let common = [
            "prs", "score", "--vcf", fixtures + "/cineca_120.vcf.gz", "--score", fixtures + "/PGS001229_22.txt", "--tsv",
            "--reference", fixtures + "/reference_scores_subset.txt", "--reference-populations", fixtures + "/reference_populations_subset.psam",
        ]
        let (status, tsv, _) = try tailor(common + ["--population", "EUR"])
        #expect(status == 0)
        let rows = tsv.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(rows[0].suffix(3) == ["Z", "PERCENTILE", "REFERENCE"])
        #expect(rows.count == 121)
        #expect(rows.dropFirst().allSatisfy { $0.count == 10 && $0[9] == "EUR" && Double($0[7]) != nil })
        let (bad, _, stderr) = try tailor(common + ["--population", "XYZ"])
        #expect(bad == 64)
        #expect(stderr.contains("no XYZ sums for PGS001229 (it has: AFR, AMR, EAS, EUR, SAS)"))
    }

    @Test func badInputsAreClearErrors() throws {
        let (s1, _, e1) = try tailor(["prs", "score", "--vcf", fixtures + "/cineca_120.vcf.gz", "--score", fixtures + "/missing.txt"])
        #expect(s1 == 1)
        #expect(e1.contains("missing.txt: cannot be read"))
        let (s2, _, e2) = try tailor(["prs", "score", "--vcf", fixtures + "/cineca_120.vcf.gz"])
        #expect(s2 == 64)
        #expect(e2.contains("give at least one --score file"))
    }
}

@Suite(.enabled(if: executableBuilt, "the tailor executable is built beside the tests"))
struct OncologyAndBreastCommandTests {
    @Test func oncologyTiersAnAnnotatedVCFAndNamesItsKnowledge() throws {
        let (status, stdout, _) = try tailor(["oncology", "--tumor-type", "LUAD", fixtures + "/oncology_vep_annotated.vcf"])
        #expect(status == 0)
        #expect(stdout.contains("== Tier I =="))
        #expect(stdout.contains("BRAF p.V600E"))
        #expect(stdout.contains("moalmanac"))
        let (bad, _, stderr) = try tailor(["oncology", "--tumor-type", "LUADD", fixtures + "/oncology_vep_annotated.vcf"])
        #expect(bad != 0)
        #expect(stderr.contains("LUAD"))
    }

    @Test func breastPredictGivesPatientSentencesAndRefusesImpossibleInput() throws {
        let args = [
            "breast", "predict", "--age", "55", "--tumour-size-mm", "25", "--grade", "2", "--positive-nodes", "2", "--er", "positive",
            "--her2", "negative", "--ki67", "positive", "--detection", "symptomatic", "--menopause", "postmenopausal", "--endocrine",
            "--chemotherapy", "third",
        ]
        let (status, stdout, _) = try tailor(args)
        #expect(status == 0)
        #expect(stdout.contains("Of 100 women like you"))
        let (bad, _, stderr) = try tailor(args.map { $0 == "55" ? "130" : $0 })
        #expect(bad == 1)
        #expect(stderr.contains("age"))
    }
}

@Suite(.enabled(if: executableBuilt, "the tailor executable is built beside the tests"))
struct DiagnoseCommandTests {
    @Test func ranksGenesWithTheHPOVersionAndRefusesBadIDs() throws {
        let (status, stdout, _) = try tailor(["diagnose", "--hpo", "HP:0001250,HP:0001263,HP:0000252", "--top", "3"])
        #expect(status == 0)
        #expect(stdout.contains("Human Phenotype Ontology (version 2025-01-16)"))
        #expect(stdout.contains("1. "))
        let (bad, _, stderr) = try tailor(["diagnose", "--hpo", "HP:0001250,HP:12"])
        #expect(bad == 64)
        #expect(stderr.contains("HP:12"))
        let (json, out, _) = try tailor(["diagnose", "--hpo", "HP:0001250", "--top", "2", "--json"])
        #expect(json == 0)
        #expect((try JSONSerialization.jsonObject(with: Data(out.utf8))) is [String: Any])
    }
}

/// `tailor screen` on a tiny annotated VCF and a ClinVar-format fixture (made-up ClinVar IDs): the BRCA2 frameshift is a
/// secondary finding; the TTN missense and the heterozygous HFE C282Y are not, each by its gene's ACMG SF rule; without
/// consent nothing is reported.
@Suite(.enabled(if: executableBuilt, "the tailor executable is built beside the tests"))
struct ScreenCommandTests {
    @Test func reportsByTheGeneRulesAndRespectsConsent() throws {
        let vcf = fixtures + "/screen_sample.vcf", clinvar = fixtures + "/clinvar_fixture.vcf"
        let (status, stdout, stderr) = try tailor(["screen", "--vcf", vcf, "--clinvar", clinvar, "--json"])
        #expect(status == 0, "\(stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        let reported = (report["findings"] as? [[String: Any]] ?? []).compactMap { $0["gene"] as? String }
        #expect(reported == ["BRCA2"], "\(stdout.prefix(600))")
        #expect(stdout.contains("TTN") && stdout.contains("HFE"), "not-reported variants keep their reasons")
        let (text, readable, _) = try tailor(["screen", "--vcf", vcf, "--clinvar", clinvar])
        #expect(text == 0 && readable.contains("BRCA2"))
        let (withheld, out, _) = try tailor(["screen", "--vcf", vcf, "--clinvar", clinvar, "--no-consent"])
        #expect(withheld == 0)
        #expect(out.lowercased().contains("withheld") && !out.contains("BRCA2 "), "\(out)")
        let (missing, _, error) = try tailor(["screen", "--vcf", vcf, "--clinvar", "/nonexistent/clinvar.vcf"])
        #expect(missing != 0 && error.contains("clinvar"), "\(error)")
    }
}

/// `tailor plan` against a record made by the server's own demo loader: the plan for a demo patient as the demo
/// clinician, in text, JSON and FHIR; an account outside the care team is refused; a bad patient ID is named.
@Suite(.enabled(if: executableBuilt, "the tailor executable is built beside the tests"))
struct PlanCommandTests {
    @Test func planForADemoPatientThroughTheAccessPolicy() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-plan-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        var configuration = ServerConfiguration()
        configuration.dataDirectory = data
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let server = try await TailorServer.open(configuration, logger: logger)
        _ = try await server.bootstrapAdministrator()
        _ = try await server.loadDemo()
        await server.database.close()

        let (status, text, stderr) = try tailor(["plan", "pat_demo-alex", "--as", "clinician", "--data", data, "--date", "2026-12-06"])
        #expect(status == 0, "\(stderr)")
        #expect(text.contains("Decision support"), "\(text.prefix(400))")
        let (json, out, _) = try tailor(["plan", "pat_demo-alex", "--as", "clinician", "--data", data, "--format", "json"])
        #expect(json == 0)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect((answer["plan"] as? [String: Any])?["packName"] as? String == "careplan")
        let (fhir, bundle, _) = try tailor(["plan", "pat_demo-alex", "--as", "clinician", "--data", data, "--format", "fhir"])
        #expect(fhir == 0 && bundle.contains("\"resourceType\":\"CarePlan\""))
        // The researcher may not read a patient's record; the refusal is the access policy's.
        let (denied, _, reason) = try tailor(["plan", "pat_demo-alex", "--as", "researcher", "--data", data])
        #expect(denied == 1 && reason.contains("access denied"), "\(reason)")
        let (bad, _, named) = try tailor(["plan", "smp_demo-alex", "--as", "clinician", "--data", data])
        #expect(bad == 64 && named.contains("smp_demo-alex"), "\(named)")
    }
}
