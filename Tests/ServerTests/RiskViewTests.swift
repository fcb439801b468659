import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Polygenic
import Records
import Risk
import Store
import Testing

@testable import Server

/// The risk view: stored entries mapped to the equations' inputs by code (pure), and the route on both engines, with
/// its access decisions, its audit entries, consent withholding the genomic part, and its OpenAPI schema.
@Suite struct RiskViewTests {
    static let at = RiskDate(iso: "2026-11-30")!
    static let patientID = PatientID(rawValue: "pat_risk")
    static let patient = Patient(
        id: patientID, mrn: nil, givenName: "R", familyName: "V", birthDate: "1976-05-10", sex: "female", createdAt: 0)

    static func millis(_ day: String) -> Int64 { Int64(RiskDate(iso: day)!.daysSinceEpoch) * 86_400_000 + 36_000_000 }

    static func entry(
        _ code: String, _ value: Double? = nil, _ unit: String? = nil, type: EntryType = .observation, system: String = RiskRecordCodes.loinc,
        text: String? = nil, display: String? = nil, status: String? = "final", on day: String? = nil, recorded: String = "2026-11-20",
        category: String = "laboratory"
    ) -> ClinicalEntry {
        ClinicalEntry(
            id: .random(), patientID: patientID, type: type, category: category, system: system, code: code, display: display, valueNumber: value,
            valueText: text, unit: unit, status: status, effectiveAt: day.map(millis), recordedAt: millis(recorded),
            recordedBy: UserID(rawValue: "usr_x"))
    }

    /// The AHA worked-example patient (risk-and-care.md §1.2) as stored entries, with older and withdrawn values
    /// around the ones that must be chosen.
    static var ahaEntries: [ClinicalEntry] {
        [
            entry("8480-6", 160, "mm[Hg]", on: "2026-10-02", category: "vital-signs"),
            entry("8480-6", 120, "mm[Hg]", on: "2026-06-02", category: "vital-signs"),  // older
            entry("8480-6", 99, "mm[Hg]", status: "entered-in-error", on: "2026-11-01"),  // withdrawn
            entry("8480-6", 101, "mm[Hg]", on: "2026-12-24"),  // after the calculation date
            entry("2093-3", 200, "mg/dL", on: "2026-09-01"),
            entry("2085-9", 45, "mg/dL", on: "2026-09-01"),
            entry("39156-5", 35, "kg/m2", on: "2026-10-02", category: "vital-signs"),
            entry("98979-8", 90, "mL/min/{1.73_m2}", on: "2026-09-01"),
            entry("72166-2", text: "Never smoker", on: "2026-10-02", category: "social-history"),
            entry(
                "44054006", type: .condition, system: RiskRecordCodes.snomed, display: "Diabetes", status: "active", on: nil,
                category: "problem-list-item"),
            entry(
                "5487", type: .medication, system: RiskRecordCodes.rxnorm, display: "hydrochlorothiazide", status: "active", category: "outpatient"),
            entry("83367", type: .medication, system: RiskRecordCodes.rxnorm, display: "atorvastatin", status: "stopped", category: "outpatient"),
        ]
    }

    // MARK: Mapping (pure)

    @Test func entriesMapToTheLatestUsableValuesByCode() throws {
        let input = RiskRecordMapping.input(patient: Self.patient, entries: Self.ahaEntries.shuffled(), at: Self.at)
        #expect(input.sex == .female)
        #expect(input.birthDate == RiskDate(iso: "1976-05-10"))
        #expect(input.systolicBP?.value == 160)
        #expect(input.systolicBP?.date == RiskDate(iso: "2026-10-02"))
        #expect(input.systolicBP?.source == "LOINC 8480-6")
        #expect(input.systolicBP?.dateIsRecorded == false)
        #expect(input.totalCholesterol?.value == 200)
        #expect(input.hdl?.unit == "mg/dL")
        #expect(input.egfr?.value == 90)
        #expect(input.smoker?.present == false)
        #expect(input.smoker?.evidence == "smoking status 'Never smoker' (LOINC 72166-2) on 2026-10-02")
        #expect(input.diabetes?.present == true)
        #expect(input.diabetes?.evidence == "Diabetes (SNOMED 44054006), active")
        #expect(input.onBPTreatment?.present == true)
        #expect(input.onBPTreatment?.evidence == "hydrochlorothiazide, active")
        #expect(input.onStatin?.present == false)  // stopped
        #expect(input.knownASCVD?.present == false)
        #expect(input.zip == nil)

        // What the builder makes of it is the AHA worked example: 14.7 % 10-year total CVD.
        let profile = try RiskProfileBuilder.bundled().build(input, at: Self.at)
        #expect(profile.missing.isEmpty, "\(profile.missing)")
        #expect((profile.prevent[0].value! * 10).rounded() / 10 == 14.7)
    }

    @Test func theCalculationDateLimitsWhatCounts() {
        let input = RiskRecordMapping.input(patient: Self.patient, entries: Self.ahaEntries, at: RiskDate(iso: "2026-09-15")!)
        #expect(input.systolicBP?.value == 120)  // the October reading is later
        #expect(input.smoker == nil)
        #expect(input.bmi == nil)
    }

    @Test func medicationsAreRecognisedByIngredientCodeOrName() {
        let entries = [
            Self.entry("617312", type: .medication, system: RiskRecordCodes.rxnorm, display: "Atorvastatin 20 MG Oral Tablet", status: "active"),
            Self.entry("32968", type: .medication, system: RiskRecordCodes.rxnorm, display: "clopidogrel", status: nil),
            Self.entry("x1", type: .medication, system: "urn:local", display: "lisinopril 10 mg", status: "active"),
        ]
        let input = RiskRecordMapping.input(patient: Self.patient, entries: entries, at: Self.at)
        #expect(input.onStatin?.present == true)
        #expect(input.onStatin?.evidence == "Atorvastatin 20 MG Oral Tablet (atorvastatin), active")
        #expect(input.onBPTreatment?.present == false)
        // An unmapped antihypertensive is not silently taken as "untreated": the list is named for the reader.
        #expect(input.onBPTreatment?.evidence.contains("2 other active medications (clopidogrel, lisinopril 10 mg) not recognised") == true)
        #expect(input.diabetes?.present == false)
        #expect(input.diabetes?.evidence == "no active diabetes (SNOMED 44054006) on the problem list")
    }

    @Test func conditionsCountWhenActiveOrUndated() {
        let entries = [
            Self.entry("44054006", type: .condition, system: RiskRecordCodes.snomed, display: "Diabetes", status: "resolved"),
            Self.entry("414545008", type: .condition, system: RiskRecordCodes.snomed, display: "Ischemic heart disease", status: nil),
        ]
        let input = RiskRecordMapping.input(patient: Self.patient, entries: entries, at: Self.at)
        #expect(input.diabetes?.present == false)
        #expect(input.knownASCVD?.present == true)
        #expect(input.knownASCVD?.evidence == "Ischemic heart disease (SNOMED 414545008), no status")
    }

    @Test func unitsAndDatesAreCarriedAsRecorded() {
        let entries = [
            Self.entry("2160-0", 88, "umol/L", on: nil, recorded: "2026-08-01"),
            Self.entry("2093-3", 5.2, "mmol/L", on: "2026-08-01"),
            Self.entry("14959-1", 30, "mg/g", on: "2026-08-01"),
            Self.entry("8302-2", 170, "cm", on: "2020-08-01"),
            Self.entry("29463-7", 80, "kg", on: "2026-08-01"),
            Self.entry("72166-2", text: "449868002", on: "2026-08-01"),
            Self.entry("4548-4", nil, "%", text: "pending", on: "2026-08-02"),  // no number: skipped
        ]
        let input = RiskRecordMapping.input(patient: Self.patient, entries: entries, at: Self.at)
        #expect(input.creatinine?.unit == "umol/L")
        #expect(input.creatinine?.dateIsRecorded == true)
        #expect(input.creatinine?.date == RiskDate(iso: "2026-08-01"))
        #expect(input.totalCholesterol?.unit == "mmol/L")
        #expect(input.uacr?.source == "LOINC 14959-1")
        #expect(input.height?.value == 170)
        #expect(input.weight?.value == 80)
        #expect(input.smoker?.present == true)
        #expect(input.hba1c == nil)
    }

    @Test func anUnknownSmokingAnswerIsNamedNotGuessed() throws {
        let input = RiskRecordMapping.input(
            patient: Self.patient, entries: [Self.entry("72166-2", text: "Current some day smoker", on: "2026-08-01")], at: Self.at)
        #expect(input.smoker == nil)
        let reason = try #require(input.unreadable["smoker"])
        #expect(reason.hasPrefix("smoking status 'Current some day smoker' (LOINC 72166-2) on 2026-08-01 is not a recognised answer"))
        let profile = try RiskProfileBuilder.bundled().build(input, at: Self.at)
        #expect(profile.missing.contains(reason))
        #expect(!profile.missing.contains("no smoking status on record"))
    }

    @Test func theSexOfTheRecordDecides() {
        var other = Self.patient
        other.sex = "other"
        other.birthDate = nil
        let input = RiskRecordMapping.input(patient: other, entries: [], at: Self.at)
        #expect(input.sex == nil)
        #expect(input.recordedSex == "other")
        #expect(input.birthDate == nil)
    }

    // MARK: The route

    struct Cast {
        var harness: ServerHarness
        var patient: PatientID
        var clinician: String
        var offTeam: String
        var own: String
        var ownAccount: UserAccount
        var clinicianAccount: UserAccount
    }

    /// A patient born 1976-05-10 (the AHA worked example on 2026-11-30) with a care-team clinician, an off-team one
    /// and their own account; the entries above; and, when `findings`, one polygenic and one monogenic finding.
    static func cast(_ engine: ServerHarness.Engine, findings: Bool) async throws -> Cast {
        let harness = try await ServerHarness.open(engine)
        let store = harness.server.store
        let gate = harness.server.gate
        let clinician = try await harness.account("doc", .clinician)
        let offTeam = try await harness.account("other-doc", .clinician)
        let patient = try await store.createPatient(
            try await gate.authorize(clinician.principal, .write, .patientRegistration, requestID: "setup"),
            .init(givenName: "R", familyName: "V", birthDate: "1976-05-10", sex: "female"))
        let own = try await harness.account("pat", .patient, patient: patient.id)
        let newEntries = ahaEntries.map {
            RecordStore.NewEntry(
                type: $0.type, category: $0.category, system: $0.system, code: $0.code, display: $0.display, valueNumber: $0.valueNumber,
                // An undated fixture entry keeps its recording date as its date: stored today it would otherwise be
                // dated after the calculation date and (rightly) not count, which is not what these cases test.
                valueText: $0.valueText, unit: $0.unit, status: $0.status, effectiveAt: $0.effectiveAt ?? $0.recordedAt)
        }
        _ = try await store.addEntries(
            try await gate.authorize(clinician.principal, .write, .clinicalRecord, patient: patient.id, requestID: "setup"), patient: patient.id,
            newEntries)
        // A home reading, far higher: never used (monitoring is not read by the risk view).
        _ = try await store.addEntries(
            try await gate.authorize(clinician.principal, .write, .monitoring, patient: patient.id, requestID: "setup"), patient: patient.id,
            [
                .init(
                    type: .observation, category: "monitoring", system: RiskRecordCodes.loinc, code: "8480-6", valueNumber: 178, unit: "mm[Hg]",
                    effectiveAt: millis("2026-11-29"))
            ])
        if findings { try await addFindings(harness, patient: patient.id, by: clinician) }
        return Cast(
            harness: harness, patient: patient.id, clinician: try await harness.token(clinician), offTeam: try await harness.token(offTeam),
            own: try await harness.token(own), ownAccount: own, clinicianAccount: clinician)
    }

    /// The polygenic score's evidence, as a scoring analyser stores it (``PolygenicScoreFinding``).
    static let prsEvidence = #"""
        {"summary":{"id":"PGS000001","name":"PRS77_BC","trait":"Breast cancer","traitEFO":"EFO_0000305","citation":"Mavaddat N et al. J Natl Cancer Inst (2015)","genomeBuild":"GRCh38","harmonised":true,"rows":77,"declaredVariants":77,"matched":70,"matchedFraction":0.9090909090909091,"lowOverlap":false,"excluded":{"ambiguous":5},"unmatched":2,"missingGenotypes":"skip","warnings":[],"caveat":"Polygenic score accuracy depends on genetic ancestry (Martin AR et al., Nat Genet 2019;51:584). Check PGS000001.","reference":"EUR (1000G)"},
         "score":{"score":"PGS000001","sum":0.8123,"denominator":140,"average":0.0058,"normalised":{"z":1.31,"percentile":90.5,"population":"EUR","referenceSize":503}}}
        """#

    static func addFindings(_ harness: ServerHarness, patient: PatientID, by clinician: UserAccount) async throws {
        let store = harness.server.store
        let dataset = Dataset(
            id: .random(), patientID: patient, kind: .germlineVCF, filename: "g.vcf", sizeBytes: 1, sha256: "00", genomeBuild: "GRCh38",
            createdAt: 1, createdBy: clinician.id)
        _ = try await store.createDataset(
            try await harness.server.gate.authorize(clinician.principal, .write, .genomicData, patient: patient, requestID: "setup"), dataset,
            blob: .init(name: "none", wrappedKey: "none"), sampleNames: ["S1"], analysers: ["prs"])
        let queue = JobQueue(store: store)
        let claim = try #require(try await queue.claimNext())
        let provenance = Provenance(analyser: "prs", analyserVersion: "1", knowledge: ["clinvar": "2026-10"], inputDigests: [:])
        func finding(_ kind: String, _ subject: String, _ summary: String, label: String?, interpretation: String?, evidence: String) -> Finding {
            Finding(
                id: .random(), patientID: patient, runID: claim.run.id, datasetID: dataset.id, kind: kind, subject: subject, summary: summary,
                label: label, interpretation: interpretation, evidence: evidence, provenance: provenance, createdAt: 5)
        }
        try await queue.complete(
            claim.run,
            findings: [
                finding(
                    "prs.score", "PGS000001", "PGS000001 (breast cancer): Z 1.31, 90th percentile vs EUR", label: "PGS000001",
                    interpretation: "Breast cancer", evidence: prsEvidence),
                finding("prs.score", "PGS999999", "unreadable", label: nil, interpretation: nil, evidence: "{}"),
                finding(
                    "germline.variant", "BRCA2", "BRCA2 c.5946del: Pathogenic", label: "NM_000059.4:c.5946del", interpretation: "Pathogenic",
                    evidence: "{}"),
                finding(
                    "pgx.gene", "CYP2C19", "CYP2C19 *1/*1: Normal Metabolizer", label: "*1/*1", interpretation: "Normal Metabolizer", evidence: "{}"),
            ])
    }

    @Test("the risk view on SQLite", arguments: [false, true])
    func sqlite(withheld: Bool) async throws { try await Self.route(.sqlite, withheld: withheld) }

    @Test(
        "the risk view on PostgreSQL", .enabled(if: ServerHarness.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set: PostgreSQL runs skipped"),
        arguments: [false, true])
    func postgres(withheld: Bool) async throws { try await Self.route(.postgres, withheld: withheld) }

    static func route(_ engine: ServerHarness.Engine, withheld: Bool) async throws {
        let cast = try await Self.cast(engine, findings: true)
        let harness = cast.harness
        if withheld {
            _ = try await harness.server.store.recordConsent(
                try await harness.server.gate.authorize(cast.ownAccount.principal, .write, .consent, patient: cast.patient, requestID: "setup"),
                patient: cast.patient, ConsentDirective(treatment: [.clinical, .monitoring]))
        }
        let path = "/api/v1/patients/\(cast.patient.rawValue)/risk?at=2026-11-30"
        let expected = try RiskProfileBuilder.bundled().build(
            RiskRecordMapping.input(patient: Self.patient, entries: ahaEntries, at: Self.at), at: Self.at)
        try await harness.test { client in
            // The care-team clinician: the clinical part always; the genomic part unless consent withholds it.
            var before = try await harness.lastAudit()?.sequence ?? 0
            let response = try await client.call(.get, path, token: cast.clinician)
            #expect(response.status == .ok, "\(response.text.prefix(300))")
            let body = try response.json()
            #expect(OpenAPISchema.errors(response, schema: "RiskView").isEmpty, "\(OpenAPISchema.errors(response, schema: "RiskView"))")
            #expect(body["patientID"] as? String == cast.patient.rawValue)
            #expect(body["at"] as? String == "2026-11-30")
            let clinical = try #require(body["clinical"] as? [String: Any])
            #expect(clinical["age"] as? Int == 50)
            let prevent = try #require(clinical["prevent"] as? [[String: Any]])
            // JSONSerialization may read a double one unit in the last place off what was written: compare to 1e-12.
            #expect(prevent.count == 10)
            for (result, value) in zip(prevent, expected.prevent.map(\.value)) { #expect(near(result["value"] as? Double, value)) }
            #expect((prevent[0]["equation"] as? [String: Any])?["population"] as? String == expected.prevent[0].equation.population)
            let pce = try #require(clinical["pce"] as? [String: Any])
            #expect(near(pce["value"] as? Double, expected.pce.value))
            let inputs = try #require(clinical["inputs"] as? [[String: Any]])
            #expect(inputs.contains { $0["text"] as? String == "SBP 160 mmHg on 2026-10-02" })
            #expect(!inputs.contains { ($0["text"] as? String)?.contains("178") == true })

            let audit = try await harness.auditEntries(after: before)
            #expect(audit.map(\.record.resource) == ["clinical_record", "findings"])
            #expect(audit.map(\.record.outcome) == [.allow, withheld ? .deny : .allow])
            #expect(audit.allSatisfy { $0.record.patientID == cast.patient && $0.record.actor == cast.clinicianAccount.id.rawValue })

            let genomic = try #require(body["genomic"] as? [String: Any])
            if withheld {
                #expect(genomic["status"] as? String == "withheld")
                #expect(
                    genomic["statement"] as? String == "Genomic findings are not shown: the patient's consent withholds genomic data from treatment.")
                #expect(genomic["monogenic"] == nil && genomic["polygenic"] == nil)
                #expect(!response.text.contains("BRCA2") && !response.text.contains("PGS000001"))
            } else {
                try Self.expectGenomicShown(genomic)
            }

            // The patient themself sees it all, whatever their treatment consent.
            let own = try await client.call(.get, path, token: cast.own)
            #expect(own.status == .ok)
            try Self.expectGenomicShown(try #require(try own.json()["genomic"] as? [String: Any]))

            // Not on the care team: refused, and the refusal is on record.
            before = try await harness.lastAudit()?.sequence ?? 0
            let refused = try await client.call(.get, path, token: cast.offTeam)
            #expect(refused.status == .forbidden)
            let denial = try await harness.auditEntries(after: before)
            #expect(denial.map(\.record.resource) == ["clinical_record"])
            #expect(denial.first?.record.outcome == .deny)

            // A bad date is a 400 naming the parameter, before anything is read.
            before = try await harness.lastAudit()?.sequence ?? 0
            for bad in ["2026-02-30", "30-11-2026", "2026-11-30T00:00:00Z", "1799-12-31"] {
                let response = try await client.call(.get, "/api/v1/patients/\(cast.patient.rawValue)/risk?at=\(bad)", token: cast.clinician)
                #expect(response.status == .badRequest, "\(bad)")
                #expect(response.errorCode == "bad_request")
                #expect((try response.json()["error"] as? [String: Any])?["field"] as? String == "at")
            }
            #expect(try await harness.auditEntries(after: before).isEmpty)

            // An earlier date uses only what was known then, and counts the age to it.
            let earlier = try await client.call(.get, "/api/v1/patients/\(cast.patient.rawValue)/risk?at=2026-09-15", token: cast.clinician)
            let earlierClinical = try #require(try earlier.json()["clinical"] as? [String: Any])
            #expect((earlierClinical["inputs"] as? [[String: Any]])?.first { $0["name"] as? String == "systolicBP" }?["value"] as? Double == 120)
            #expect((earlierClinical["missing"] as? [String])?.contains("no smoking status on record") == true)

            // Without `at`, today by the server's clock.
            let today = try await client.call(.get, "/api/v1/patients/\(cast.patient.rawValue)/risk", token: cast.clinician)
            #expect(try today.json()["at"] as? String == RiskDate(epochMillis: harness.server.gate.now()).description)
        }
    }

    static func near(_ a: Double?, _ b: Double?) -> Bool {
        guard let a, let b else { return false }
        return abs(a - b) <= 1e-12 * max(1, abs(b))
    }

    static func expectGenomicShown(_ genomic: [String: Any]) throws {
        #expect(genomic["status"] as? String == "shown")
        #expect(genomic["statement"] == nil)
        let monogenic = try #require(genomic["monogenic"] as? [String: Any])
        #expect(monogenic["kind"] as? String == "germline.variant")
        #expect(monogenic["statement"] as? String == "1 monogenic finding on record")
        let variant = try #require((monogenic["findings"] as? [[String: Any]])?.first)
        #expect(variant["gene"] as? String == "BRCA2")
        #expect(variant["classification"] as? String == "Pathogenic")
        #expect((variant["knowledge"] as? [String: String])?["clinvar"] == "2026-10")
        #expect((monogenic["uncertainty"] as? String)?.contains("not a risk estimate") == true)
        let polygenic = try #require(genomic["polygenic"] as? [String: Any])
        let scores = try #require(polygenic["scores"] as? [[String: Any]])
        #expect(scores.count == 2)  // the pgx finding is neither
        let score = try #require(scores.first { $0["scoreID"] as? String == "PGS000001" })
        #expect(near(score["matchRate"] as? Double, 70.0 / 77.0))
        #expect(score["referencePopulation"] as? String == "EUR")
        #expect(score["percentile"] as? Double == 90.5)
        #expect((score["caveat"] as? String)?.contains("Martin AR") == true)
        let unreadable = try #require(scores.first { $0["scoreID"] as? String == "PGS999999" })
        #expect((unreadable["caveat"] as? String)?.contains("4.9× lower in African") == true)
        #expect((unreadable["warnings"] as? [String])?.first?.contains("could not be read") == true)
        #expect(unreadable["matchRate"] == nil)
    }

    @Test func withoutFindingsTheSectionsSaySo() async throws {
        let cast = try await Self.cast(.sqlite, findings: false)
        try await cast.harness.test { client in
            let response = try await client.call(.get, "/api/v1/patients/\(cast.patient.rawValue)/risk?at=2026-11-30", token: cast.clinician)
            #expect(OpenAPISchema.errors(response, schema: "RiskView").isEmpty, "\(OpenAPISchema.errors(response, schema: "RiskView"))")
            let body = try response.json()
            let genomic = try #require(body["genomic"] as? [String: Any])
            #expect((genomic["monogenic"] as? [String: Any])?["statement"] as? String == "no monogenic findings on record")
            #expect((genomic["polygenic"] as? [String: Any])?["statement"] as? String == "no polygenic scores on record")
        }
    }

    @Test func theDemoPatientsHaveRealEstimates() async throws {
        let harness = try await ServerHarness.open(.sqlite)
        _ = try await harness.server.bootstrapAdministrator()
        _ = try await harness.server.loadDemo()
        let clinician = try #require(try await harness.server.store.credentials(username: "clinician")).0
        let token = try await harness.token(clinician)
        try await harness.test { client in
            var estimates: [String: (prevent: Double?, pce: Double?)] = [:]
            for id in ["pat_demo-alex", "pat_demo-sam", "pat_demo-mei", "pat_demo-jordan", "pat_demo-priya"] {
                // Today: the demo's undated problem-list entries are recorded when the demo loads.
                let response = try await client.call(.get, "/api/v1/patients/\(id)/risk", token: token)
                #expect(response.status == .ok, "\(id): \(response.text.prefix(200))")
                let body = try response.json()
                #expect(OpenAPISchema.errors(response, schema: "RiskView").isEmpty, "\(id): \(OpenAPISchema.errors(response, schema: "RiskView"))")
                let clinical = try #require(body["clinical"] as? [String: Any])
                let prevent = (clinical["prevent"] as? [[String: Any]])?.first?["value"] as? Double
                let pce = (clinical["pce"] as? [String: Any])?["value"] as? Double
                estimates[id] = (prevent, pce)
                if id == "pat_demo-jordan" { #expect((body["genomic"] as? [String: Any])?["status"] as? String == "withheld") }
            }
            #expect(estimates["pat_demo-sam"]?.prevent != nil && estimates["pat_demo-sam"]?.pce != nil)
            #expect(estimates["pat_demo-mei"]?.prevent != nil && estimates["pat_demo-mei"]?.pce != nil)
            #expect(estimates["pat_demo-jordan"]?.prevent != nil && estimates["pat_demo-jordan"]?.pce != nil)
            #expect(estimates["pat_demo-priya"]?.prevent != nil && estimates["pat_demo-priya"]?.pce == nil)  // 34: PCE start at 40
            #expect(estimates["pat_demo-alex"]?.prevent == nil && estimates["pat_demo-alex"]?.pce == nil)  // known heart disease
        }
    }
}

/// A small JSON Schema check of a response against a schema of the served OpenAPI document: `$ref`, `type`,
/// `required`, `properties`, `additionalProperties`, `items`, `enum`, `const`, `pattern`, `minimum`/`maximum`,
/// `minItems`/`maxItems`. Enough to hold the risk view to its declared shape in every test run (schemathesis checks it
/// again in CI). The response is read with `JSONDecoder` into ``Value``, so booleans, integers and other numbers are
/// told apart the same way on every platform.
enum OpenAPISchema {
    indirect enum Value: Decodable {
        case null, bool(Bool), integer(Int64), number(Double), string(String), array([Value]), object([String: Value])

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let bool = try? container.decode(Bool.self) {
                self = .bool(bool)
            } else if let integer = try? container.decode(Int64.self) {
                self = .integer(integer)
            } else if let number = try? container.decode(Double.self) {
                self = .number(number)
            } else if let string = try? container.decode(String.self) {
                self = .string(string)
            } else if let array = try? container.decode([Value].self) {
                self = .array(array)
            } else {
                self = .object(try container.decode([String: Value].self))
            }
        }

        var type: String {
            switch self {
            case .null: "null"
            case .bool: "boolean"
            case .integer: "integer"
            case .number: "number"
            case .string: "string"
            case .array: "array"
            case .object: "object"
            }
        }

        var scalar: String? {
            switch self {
            case .bool(let value): String(value)
            case .integer(let value): String(value)
            case .number(let value): String(value)
            case .string(let value): value
            default: nil
            }
        }

        var double: Double? {
            switch self {
            case .integer(let value): Double(value)
            case .number(let value): value
            default: nil
            }
        }
    }

    static func errors(_ response: TestResponse, schema name: String) -> [String] {
        guard let value = try? JSONDecoder().decode(Value.self, from: Data(response.text.utf8)) else { return ["not JSON"] }
        guard let document = (try? JSONSerialization.jsonObject(with: Data(OpenAPIDocument.bytes))) as? [String: Any] else { return ["no document"] }
        var errors: [String] = []
        check(value, ["$ref": "#/components/schemas/\(name)"], document: document, path: "$", errors: &errors)
        return errors
    }

    static func scalar(_ any: Any) -> String {
        if let bool = any as? Bool { return String(bool) }
        return "\(any)"
    }

    static func check(_ value: Value, _ schema: [String: Any], document: [String: Any], path: String, errors: inout [String]) {
        if let ref = schema["$ref"] as? String {
            var node: Any = document
            for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] ?? [:] }
            check(value, node as? [String: Any] ?? [:], document: document, path: path, errors: &errors)
            return
        }
        if let types = (schema["type"] as? String).map({ [$0] }) ?? schema["type"] as? [String] {
            guard types.contains(value.type) || (value.type == "integer" && types.contains("number")) else {
                errors.append("\(path): \(value.type), expected \(types)")
                return
            }
        }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { scalar($0) == value.scalar }) {
            errors.append("\(path): \(value.scalar ?? value.type) not in \(allowed)")
        }
        if let constant = schema["const"], scalar(constant) != value.scalar {
            errors.append("\(path): \(value.scalar ?? value.type) is not \(constant)")
        }
        if let pattern = schema["pattern"] as? String, case .string(let text) = value, text.range(of: pattern, options: .regularExpression) == nil {
            errors.append("\(path): '\(text)' does not match \(pattern)")
        }
        if let number = value.double {
            if let minimum = (schema["minimum"] as? NSNumber)?.doubleValue, number < minimum { errors.append("\(path): below \(minimum)") }
            if let maximum = (schema["maximum"] as? NSNumber)?.doubleValue, number > maximum { errors.append("\(path): above \(maximum)") }
        }
        if case .object(let object) = value {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { errors.append("\(path): missing \(key)") }
            for (key, child) in object.sorted(by: { $0.key < $1.key }) {
                if let property = properties[key] as? [String: Any] {
                    check(child, property, document: document, path: "\(path).\(key)", errors: &errors)
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    check(child, additional, document: document, path: "\(path).\(key)", errors: &errors)
                } else if schema["additionalProperties"] as? Bool == false {
                    errors.append("\(path): undeclared \(key)")
                }
            }
        }
        if case .array(let array) = value {
            if let minimum = schema["minItems"] as? Int, array.count < minimum { errors.append("\(path): fewer than \(minimum) items") }
            if let maximum = schema["maxItems"] as? Int, array.count > maximum { errors.append("\(path): more than \(maximum) items") }
            if let items = schema["items"] as? [String: Any] {
                for (index, item) in array.enumerated() { check(item, items, document: document, path: "\(path)[\(index)]", errors: &errors) }
            }
        }
    }
}
