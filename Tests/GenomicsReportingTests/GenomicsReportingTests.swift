import Foundation
import Records
import Testing

@testable import GenomicsReporting

/// The PharmCAT example 2 findings (see Fixtures/SOURCE.md): genes CYP2C19 *2/*2, CYP2C9, CYP2D6 (not called),
/// CYP4F2, VKORC1; drugs clopidogrel (CPIC, 3 recommendations), clopidogrel (DPWG, 1), warfarin (CPIC, 1).
func fixtureFindings() throws -> [Finding] {
    let url = try #require(Bundle.module.url(forResource: "pharmcat-example2-findings", withExtension: "json", subdirectory: "Fixtures"))
    return try JSONDecoder().decode([Finding].self, from: Data(contentsOf: url))
}

let patient = "Patient/pat_example2"
let issued = "2026-12-06T10:00:00Z"

func resources(_ bundle: JSONValue) -> [JSONValue] { (bundle["entry"]?.arrayValue ?? []).compactMap { $0["resource"] } }

func profile(_ resource: JSONValue) -> String? { resource["meta"]?["profile"]?[0]?.stringValue }

func resources(_ bundle: JSONValue, profile name: String) -> [JSONValue] {
    resources(bundle).filter { profile($0) == "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/" + name }
}

/// The (system, code) pairs of a CodeableConcept.
func codes(_ concept: JSONValue?) -> [String] {
    (concept?["coding"]?.arrayValue ?? []).map { "\($0["system"]?.stringValue ?? "")|\($0["code"]?.stringValue ?? "")" }
}

func components(_ resource: JSONValue, code: String) -> [JSONValue] {
    (resource["component"]?.arrayValue ?? []).filter { codes($0["code"]).contains(code) }
}

func categories(_ resource: JSONValue) -> [String] { (resource["category"]?.arrayValue ?? []).flatMap { codes($0) } }

let loinc = "http://loinc.org"
let tbd = "http://hl7.org/fhir/uv/genomics-reporting/CodeSystem/tbd-codes-cs"

@Suite struct BundleShapeTests {
    @Test func countsPerProfile() throws {
        let bundle = try GenomicsReportingExport.bundle(findings: try fixtureFindings(), patientReference: patient, issued: issued)
        #expect(bundle["resourceType"] == "Bundle")
        #expect(bundle["type"] == "collection")
        #expect(resources(bundle).count == 1 + 4 + 5)
        #expect(resources(bundle).filter { $0["resourceType"] == "DiagnosticReport" }.count == 1)
        #expect(resources(bundle, profile: "genomic-report").count == 1)
        // CYP2C19, CYP2C9, CYP4F2, VKORC1 called; CYP2D6 not.
        #expect(resources(bundle, profile: "genotype").count == 4)
        // clopidogrel CPIC 3 + DPWG 1, warfarin CPIC 1.
        #expect(resources(bundle, profile: "therapeutic-implication").count == 5)
    }

    @Test func genomicReportFixedCodes() throws {
        let bundle = try GenomicsReportingExport.bundle(findings: try fixtureFindings(), patientReference: patient, issued: issued)
        let report = try #require(resources(bundle, profile: "genomic-report").first)
        #expect(report["resourceType"] == "DiagnosticReport")
        #expect(report["status"] == "final")
        // profile-rules genomic-report.fixed.code: http://loinc.org#51969-4
        #expect(codes(report["code"]) == ["\(loinc)|51969-4"])
        // profile-rules genomic-report.slices.category.Genetics: v2-0074#GE, min 1, coding 1..1
        let genetics = (report["category"]?.arrayValue ?? []).filter { codes($0) == ["http://terminology.hl7.org/CodeSystem/v2-0074|GE"] }
        #expect(genetics.count == 1)
        #expect(report["subject"]?["reference"] == .string(patient))
        #expect(report["result"]?.arrayValue?.count == 9)
        // Provenance as genomic-report-note extensions (slice coded-note).
        let notes = (report["extension"]?.arrayValue ?? []).filter {
            $0["url"] == "http://hl7.org/fhir/uv/genomics-reporting/StructureDefinition/genomic-report-note"
        }.compactMap { $0["valueAnnotation"]?["text"]?.stringValue }
        #expect(notes.contains { $0.contains("run_example2") && $0.contains("pgx 2025-11-05-00-25") && $0.contains("sha256:") })
        #expect(notes.contains { $0.hasPrefix("CYP2D6 was not called") })
    }

    @Test func genotypeFixedCodes() throws {
        let bundle = try GenomicsReportingExport.bundle(findings: try fixtureFindings(), patientReference: patient, issued: issued)
        for observation in resources(bundle, profile: "genotype") {
            #expect(observation["resourceType"] == "Observation")
            // profile-rules genotype.fixed.code: http://loinc.org#84413-4
            #expect(codes(observation["code"]) == ["\(loinc)|84413-4"])
            // profile-rules genomic-base slices.category labCategory (observation-category#laboratory) and geCategory (v2-0074#GE), each 1..1
            #expect(categories(observation).filter { $0 == "http://terminology.hl7.org/CodeSystem/observation-category|laboratory" }.count == 1)
            #expect(categories(observation).filter { $0 == "http://terminology.hl7.org/CodeSystem/v2-0074|GE" }.count == 1)
            // profile-rules genotype.cardinality value[x] 1..1, only CodeableConcept
            #expect(observation["valueCodeableConcept"] != nil)
            // profile-rules finding.slices.component.gene-studied: http://loinc.org#48018-6, value CodeableConcept 1..1
            let geneStudied = components(observation, code: "\(loinc)|48018-6")
            #expect(geneStudied.count == 1)
            #expect(geneStudied.first?["valueCodeableConcept"] != nil)
        }
    }

    @Test func therapeuticImplicationFixedCodes() throws {
        let bundle = try GenomicsReportingExport.bundle(findings: try fixtureFindings(), patientReference: patient, issued: issued)
        for observation in resources(bundle, profile: "therapeutic-implication") {
            // profile-rules therapeutic-implication.fixed.code: tbd-codes-cs#therapeutic-implication
            #expect(codes(observation["code"]) == ["\(tbd)|therapeutic-implication"])
            // genomic-base category slices labCategory + geCategory
            #expect(categories(observation).filter { $0 == "http://terminology.hl7.org/CodeSystem/observation-category|laboratory" }.count == 1)
            #expect(categories(observation).filter { $0 == "http://terminology.hl7.org/CodeSystem/v2-0074|GE" }.count == 1)
            // profile-rules therapeutic-implication.cardinality: value[x] 0..0, derivedFrom 1..*
            #expect(observation.objectValue?.keys.contains { $0.hasPrefix("value") } == false)
            #expect((observation["derivedFrom"]?.arrayValue?.count ?? 0) >= 1)
            // slices.component.medication-assessed: http://loinc.org#51963-7, value CodeableConcept
            #expect(components(observation, code: "\(loinc)|51963-7").count == 1)
            // slices.component.conclusion-string (genomic-base): tbd-codes-cs#conclusion-string, valueString, max 1
            let conclusion = components(observation, code: "\(tbd)|conclusion-string")
            #expect(conclusion.count == 1)
            #expect(conclusion.first?["valueString"]?.stringValue?.isEmpty == false)
            // slices.component.therapeutic-implication: value CodeableConcept 1..1
            for component in components(observation, code: "\(tbd)|therapeutic-implication") {
                #expect(component["valueCodeableConcept"] != nil)
            }
            // slices.extension.workflow-relatedArtifact: the guideline
            let artifacts = (observation["extension"]?.arrayValue ?? []).filter { $0["url"] == "http://hl7.org/fhir/StructureDefinition/workflow-relatedArtifact" }
            #expect(artifacts.contains { $0["valueRelatedArtifact"]?["type"] == "documentation" })
        }
    }

    @Test func referencesResolveWithinTheBundle() throws {
        let bundle = try GenomicsReportingExport.bundle(findings: try fixtureFindings(), patientReference: patient, issued: issued)
        let entries = bundle["entry"]?.arrayValue ?? []
        let fullUrls = entries.compactMap { $0["fullUrl"]?.stringValue }
        #expect(fullUrls.count == entries.count)
        #expect(Set(fullUrls).count == fullUrls.count)
        for entry in entries {
            let url = try #require(entry["fullUrl"]?.stringValue)
            #expect(url.hasPrefix("urn:uuid:"))
            #expect(entry["resource"]?["id"]?.stringValue.map { "urn:uuid:" + $0 } == url)
        }
        var references: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let o):
                if case .string(let r)? = o["reference"] { references.append(r) }
                o.values.forEach(collect)
            case .array(let a): a.forEach(collect)
            default: break
            }
        }
        collect(bundle)
        let inBundle = references.filter { $0 != patient }
        #expect(inBundle.count == 9 + 6)  // report results + derivedFrom (warfarin CPIC has two)
        for reference in inBundle { #expect(fullUrls.contains(reference), "unresolved \(reference)") }
    }
}

@Suite struct ContentTests {
    @Test func cyp2c19Genotype() throws {
        let bundle = try GenomicsReportingExport.bundle(findings: try fixtureFindings(), patientReference: patient, issued: issued)
        let genotype = try #require(
            resources(bundle, profile: "genotype").first { components($0, code: "\(loinc)|48018-6").first?["valueCodeableConcept"]?["text"] == "CYP2C19" })
        #expect(genotype["valueCodeableConcept"]?["text"] == "CYP2C19 *2/*2")
        #expect(codes(components(genotype, code: "\(loinc)|48018-6").first?["valueCodeableConcept"]) == ["http://www.genenames.org|HGNC:2621"])
        let notes = (genotype["note"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }
        #expect(notes.contains("Phenotype: Poor Metabolizer"))
    }

    @Test func clopidogrelImplication() throws {
        let findings = try fixtureFindings()
        // The expected text straight from the fixture's evidence, read without the module's decoders.
        let cpic = try #require(findings.first { $0.id.rawValue == "fnd_drug-clopidogrel-cpic" })
        let evidence = try #require(try JSONSerialization.jsonObject(with: Data(cpic.evidence.utf8)) as? [String: Any])
        let recommendations = try #require(evidence["recommendations"] as? [[String: Any]])
        let expected = try #require(recommendations.first?["text"] as? String)
        #expect(expected.hasPrefix("Avoid clopidogrel if possible."))

        let bundle = try GenomicsReportingExport.bundle(findings: findings, patientReference: patient, issued: issued)
        let clopidogrel = resources(bundle, profile: "therapeutic-implication").filter {
            components($0, code: "\(loinc)|51963-7").first?["valueCodeableConcept"]?["text"] == "clopidogrel"
        }
        #expect(clopidogrel.count == 4)
        let texts = clopidogrel.compactMap { components($0, code: "\(tbd)|conclusion-string").first?["valueString"]?.stringValue }
        #expect(texts.contains(expected))
        let first = try #require(clopidogrel.first { components($0, code: "\(tbd)|conclusion-string").first?["valueString"]?.stringValue == expected })
        // RxNorm 32968 from pypgx cpic-table.csv; LOINC LA9657-3 "Poor metabolizer" from genetic-therapeutic-implications-vs.
        #expect(codes(components(first, code: "\(loinc)|51963-7").first?["valueCodeableConcept"]) == ["http://www.nlm.nih.gov/research/umls/rxnorm|32968"])
        let phenotype = components(first, code: "\(tbd)|therapeutic-implication").first?["valueCodeableConcept"]
        #expect(codes(phenotype) == ["\(loinc)|LA9657-3"])
        #expect(phenotype?["text"] == "CYP2C19 Poor Metabolizer")
        // derivedFrom is the CYP2C19 genotype.
        let genotypeURL = (bundle["entry"]?.arrayValue ?? []).first {
            $0["resource"]?["valueCodeableConcept"]?["text"] == "CYP2C19 *2/*2"
        }?["fullUrl"]
        #expect(first["derivedFrom"] == .array([["reference": try #require(genotypeURL)]]))
        // Guideline URL and PMIDs.
        let artifacts = (first["extension"]?.arrayValue ?? []).compactMap { $0["valueRelatedArtifact"] }
        #expect(artifacts.contains { $0["url"] == "https://www.pharmgkb.org/guidelineAnnotation/PA166104948" })
        #expect(artifacts.contains { $0["label"] == "PMID:35034351" })
    }

    @Test func recommendationWithoutGenotypeIsListedNotExported() throws {
        let findings = try fixtureFindings().filter { $0.subject != "CYP2C19" }
        let bundle = try GenomicsReportingExport.bundle(findings: findings, patientReference: patient, issued: issued)
        #expect(resources(bundle, profile: "therapeutic-implication").count == 1)  // warfarin only
        let report = try #require(resources(bundle, profile: "genomic-report").first)
        let notes = (report["extension"]?.arrayValue ?? []).compactMap { $0["valueAnnotation"]?["text"]?.stringValue }
        #expect(notes.filter { $0.hasPrefix("clopidogrel") && $0.contains("no genotype for CYP2C19") }.count == 4)
    }
}

@Suite struct DeterminismTests {
    @Test func sameInputSameBytes() throws {
        let findings = try fixtureFindings()
        let a = try GenomicsReportingExport.bundle(findings: findings, patientReference: patient, issued: issued).serialized()
        let b = try GenomicsReportingExport.bundle(findings: findings.reversed(), patientReference: patient, issued: issued).serialized()
        #expect(a == b)
        #expect(a.count > 1000)
        // Valid JSON that round-trips to the same value.
        let decoded = try JSONDecoder().decode(JSONValue.self, from: a)
        #expect(decoded.serialized() == a)
    }

    @Test func fullUrlsDerivedFromFindingIDs() throws {
        let bundle = try GenomicsReportingExport.bundle(findings: try fixtureFindings(), patientReference: patient, issued: issued)
        let urls = (bundle["entry"]?.arrayValue ?? []).compactMap { $0["fullUrl"]?.stringValue }
        #expect(urls.contains("urn:uuid:" + DeterministicUUID.make("genotype|fnd_gene-cyp2c19")))
        #expect(urls.contains("urn:uuid:" + DeterministicUUID.make("genomic-report|run_example2")))
    }

    @Test func sha1KnownAnswerAndUUIDShape() {
        let hex = SHA1.hash(Array("abc".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(hex == "a9993e364706816aba3e25717850c26c9cd0d89d")
        let long = SHA1.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(long == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        let uuid = DeterministicUUID.make("x")
        #expect(UUID(uuidString: uuid) != nil)
        #expect(Array(uuid)[14] == "5")
        #expect(uuid != DeterministicUUID.make("y"))
    }
}

@Suite struct ErrorTests {
    func replacingEvidence(of id: String, with evidence: String) throws -> [Finding] {
        try fixtureFindings().map { finding in
            var finding = finding
            if finding.id.rawValue == id { finding.evidence = evidence }
            return finding
        }
    }

    @Test func unparseableEvidenceNamesTheFinding() throws {
        let findings = try replacingEvidence(of: "fnd_gene-cyp2c19", with: "{not json")
        #expect {
            try GenomicsReportingExport.bundle(findings: findings, patientReference: patient, issued: issued)
        } throws: { error in
            guard case .unreadableEvidence(let id, let field, _) = error as? GenomicsReportingError else { return false }
            return id == "fnd_gene-cyp2c19" && field == "evidence"
        }
    }

    @Test func missingFieldNamesThePath() throws {
        let cpic = try #require(try fixtureFindings().first { $0.id.rawValue == "fnd_drug-clopidogrel-cpic" })
        var object = try #require(try JSONSerialization.jsonObject(with: Data(cpic.evidence.utf8)) as? [String: Any])
        var recommendations = try #require(object["recommendations"] as? [[String: Any]])
        recommendations[1]["lookup_key"] = nil
        object["recommendations"] = recommendations
        let broken = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let findings = try replacingEvidence(of: "fnd_drug-clopidogrel-cpic", with: broken)
        do {
            _ = try GenomicsReportingExport.bundle(findings: findings, patientReference: patient, issued: issued)
            Issue.record("expected an error")
        } catch {
            #expect(error == .unreadableEvidence(findingID: "fnd_drug-clopidogrel-cpic", field: "evidence.recommendations[1].lookup_key", reason: "missing"))
            #expect(error.description.contains("fnd_drug-clopidogrel-cpic"))
        }
    }

    @Test func wrongTypeNamesThePath() throws {
        let findings = try replacingEvidence(of: "fnd_gene-cyp2c9", with: #"{"gene":"CYP2C9","called":"yes","diplotypes":[],"print_calls":[]}"#)
        do {
            _ = try GenomicsReportingExport.bundle(findings: findings, patientReference: patient, issued: issued)
            Issue.record("expected an error")
        } catch {
            guard case .unreadableEvidence(let id, let field, _) = error else { Issue.record("wrong case \(error)"); return }
            #expect(id == "fnd_gene-cyp2c9")
            #expect(field == "evidence.called")
        }
    }

    @Test func badArguments() throws {
        let findings = try fixtureFindings()
        #expect(throws: GenomicsReportingError.self) { try GenomicsReportingExport.bundle(findings: findings, patientReference: " ", issued: issued) }
        #expect(throws: GenomicsReportingError.self) { try GenomicsReportingExport.bundle(findings: findings, patientReference: patient, issued: "2026-12-06") }
        #expect(GenomicsReportingExport.isInstant("2026-12-06T10:00:00.123+01:00"))
        #expect(!GenomicsReportingExport.isInstant("2026-12-06T10:00:00"))
        var other = findings
        other[0].patientID = PatientID(rawValue: "pat_other")
        #expect(throws: GenomicsReportingError.self) { try GenomicsReportingExport.bundle(findings: other, patientReference: patient, issued: issued) }
    }
}
