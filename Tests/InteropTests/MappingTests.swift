import Foundation
@testable import Interop
import Records
import Testing

@Suite struct MappingTests {
    @Test func patientNameMRNAndSex() throws {
        let patient = try #require(try FHIRBundleImporter.plan(bundle()).patients.first)
        #expect(patient.givenName == "Jane Q" && patient.familyName == "Doe")
        #expect(patient.mrn == "MRN-1" && patient.sex == "female" && patient.birthDate == "1970-01-02")
        #expect(patient.source.key == "Patient/p1" && patient.source.fullUrl == "urn:uuid:p1")
    }

    /// References may be `urn:uuid:`, relative `Type/id`, versioned, or absolute URLs ending in `Type/id`.
    @Test(arguments: ["urn:uuid:p1", "Patient/p1", "Patient/p1/_history/3", "https://ehr.example.org/fhir/Patient/p1"])
    func referenceFormsResolve(_ reference: String) throws {
        let plan = try FHIRBundleImporter.plan(bundle(type: "collection", observation("o1", subject: reference)))
        #expect(plan.patients[0].entries.map(\.code) == ["2093-3"])
    }

    @Test func quantityValueUnitAndTime() throws {
        let entry = try #require(try FHIRBundleImporter.plan(bundle(observation("o1"))).patients[0].entries.first)
        #expect(entry.valueNumber == 212 && entry.unit == "mg/dL" && entry.status == "final")
        #expect(entry.effectiveAt == 1_577_836_800_000)
        #expect(entry.category == "uncategorized")
    }

    @Test func codeableConceptAndStringValues() throws {
        let coded = observation(
            "o1",
            #","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"social-history"}]}],"valueCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"8517006","display":"Former smoker"}]}"#
        ).replacingOccurrences(of: #","valueQuantity":{"value":212,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}"#, with: "")
        let text = observation("o2", #","valueString":"negative""#)
            .replacingOccurrences(of: #","valueQuantity":{"value":212,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}"#, with: "")
        let entries = try FHIRBundleImporter.plan(bundle(coded, text)).patients[0].entries
        #expect(entries[0].valueText == "Former smoker" && entries[0].valueNumber == nil && entries[0].category == "social-history")
        #expect(entries[1].valueText == "negative")
    }

    @Test func medicationReferenceTakesTheMedicationsRxNormCode() throws {
        let medication =
            #"{"fullUrl":"urn:uuid:med1","resource":{"resourceType":"Medication","id":"med1","code":{"coding":[{"system":"http://example.org/local","code":"X"},{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"32968","display":"clopidogrel"}]}}}"#
        let request =
            #"{"fullUrl":"urn:uuid:mr1","resource":{"resourceType":"MedicationRequest","id":"mr1","status":"active","intent":"order","subject":{"reference":"urn:uuid:p1"},"authoredOn":"2021-03-04","medicationReference":{"reference":"urn:uuid:med1"},"dosageInstruction":[{"text":"75 mg daily"}]}}"#
        let statement =
            ##"{"fullUrl":"urn:uuid:ms1","resource":{"resourceType":"MedicationStatement","id":"ms1","status":"active","subject":{"reference":"Patient/p1"},"contained":[{"resourceType":"Medication","id":"c","code":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"2670","display":"codeine"}]}}],"medicationReference":{"reference":"#c"}}}"##
        let plan = try FHIRBundleImporter.plan(bundle(medication, request, statement))
        let entries = plan.patients[0].entries
        #expect(entries.map(\.code) == ["32968", "2670"])
        #expect(entries.allSatisfy { $0.system == "http://www.nlm.nih.gov/research/umls/rxnorm" && $0.entryType == .medication })
        #expect(entries[0].valueText == "75 mg daily" && entries[0].category == "medication-request")
        #expect(entries[0].effectiveAt == 1_614_816_000_000)
        #expect(entries[1].category == "medication-statement")
        #expect(plan.report.skipped[ImportSkip(resourceType: "Medication", reason: ImportSkip.Reason.referenceTarget)] == 1)
    }

    @Test func allergyAndImmunizationMapOntoConditionAndMedication() throws {
        let allergy =
            #"{"fullUrl":"urn:uuid:a1","resource":{"resourceType":"AllergyIntolerance","id":"a1","clinicalStatus":{"coding":[{"code":"active"}]},"criticality":"high","code":{"coding":[{"system":"http://snomed.info/sct","code":"91936005","display":"Allergy to penicillin"}]},"patient":{"reference":"urn:uuid:p1"},"recordedDate":"2001-05"}}"#
        let vaccine =
            #"{"fullUrl":"urn:uuid:i1","resource":{"resourceType":"Immunization","id":"i1","status":"completed","vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}]},"patient":{"reference":"urn:uuid:p1"},"occurrenceDateTime":"2012-08-10T20:37:06+02:00"}}"#
        let entries = try FHIRBundleImporter.plan(bundle(allergy, vaccine)).patients[0].entries
        #expect(entries[0].kind == .allergy && entries[0].entryType == .condition && entries[0].category == "allergy")
        #expect(entries[0].status == "active" && entries[0].valueText == "high" && entries[0].effectiveAt == 988_675_200_000)
        #expect(entries[1].kind == .immunization && entries[1].entryType == .medication && entries[1].system == "http://hl7.org/fhir/sid/cvx")
        let twoHoursBeforeUTC: Int64 = 1_344_631_026_000 - 2 * 3_600_000
        #expect(entries[1].effectiveAt == twoHoursBeforeUTC, "the +02:00 offset is applied")
    }

    @Test func refutedConditionIsNotActive() throws {
        let condition =
            #"{"fullUrl":"urn:uuid:c1","resource":{"resourceType":"Condition","id":"c1","clinicalStatus":{"coding":[{"code":"active"}]},"verificationStatus":{"coding":[{"code":"refuted"}]},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"E11"},{"system":"http://snomed.info/sct","code":"44054006","display":"Diabetes"}]},"subject":{"reference":"urn:uuid:p1"}}}"#
        let entry = try #require(try FHIRBundleImporter.plan(bundle(condition)).patients[0].entries.first)
        #expect(entry.status == "refuted" && entry.code == "44054006" && entry.category == "problem-list-item")
    }

    @Test func procedureEncounterAndReportHaveTheirOwnEntryTypes() throws {
        let encounter =
            #"{"fullUrl":"urn:uuid:e1","resource":{"resourceType":"Encounter","id":"e1","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":"urn:uuid:p1"},"period":{"start":"2020-01-01T00:00:00Z"}}}"#
        let plan = try FHIRBundleImporter.plan(bundle(encounter, observation("o1", #","encounter":{"reference":"urn:uuid:e1"}"#)))
        let entries = plan.patients[0].entries
        #expect(entries[0].kind == .encounter && entries[0].entryType == .encounter && entries[0].code == "AMB")
        #expect(
            entries[0].clinicalEntry(
                id: EntryID(rawValue: "ent_1"), patientID: PatientID(rawValue: "pat_1"), recordedAt: 0, recordedBy: UserID(rawValue: "usr_1"))?.type
                == .encounter)
        #expect(entries[1].encounterKey == "Encounter/e1")
        #expect(plan.report.unstorable.isEmpty)
        #expect(ImportedKind.procedure.entryType == .procedure && ImportedKind.report.entryType == .report)
    }

    @Test func resourcesWithoutPatientOrCodeAreSkippedWithReason() throws {
        let group = #"{"fullUrl":"urn:uuid:g1","resource":{"resourceType":"Group","id":"g1"}}"#
        let noCode =
            #"{"fullUrl":"urn:uuid:c2","resource":{"resourceType":"Condition","id":"c2","code":{"text":"back pain"},"subject":{"reference":"urn:uuid:p1"}}}"#
        let plan = try FHIRBundleImporter.plan(bundle(group, observation("o1", subject: "urn:uuid:g1"), noCode))
        #expect(plan.report.skipped[ImportSkip(resourceType: "Observation", reason: ImportSkip.Reason.noPatient)] == 1)
        #expect(plan.report.skipped[ImportSkip(resourceType: "Condition", reason: ImportSkip.Reason.noCode)] == 1)
        #expect(plan.patients[0].entries.isEmpty)
    }

    @Test func entriesGoToTheirOwnPatient() throws {
        let second =
            #"{"fullUrl":"urn:uuid:p2","resource":{"resourceType":"Patient","id":"p2","gender":"male"}}"#
        let plan = try FHIRBundleImporter.plan(bundle(second, observation("o1", subject: "urn:uuid:p2"), observation("o2")))
        #expect(plan.patients.map { $0.entries.map(\.source.id) } == [["o2"], ["o1"]])
        #expect(plan.patients[1].sex == "male" && plan.patients[1].givenName.isEmpty)
    }
}

@Suite struct FHIRDateTests {
    @Test(arguments: [
        ("1970", 0), ("1970-02", 2_678_400_000), ("2000-02-29", 951_782_400_000), ("2020-01-01T00:00:00Z", 1_577_836_800_000),
        ("2020-01-01T01:00:00+01:00", 1_577_836_800_000), ("2020-01-01T00:00:00.5-00:00", 1_577_836_800_500),
        ("2020-01-01T00:00:00.123456Z", 1_577_836_800_123), ("2020-01-01T00:00:00", 1_577_836_800_000),
        ("1969-12-31", -86_400_000),
    ] as [(String, Int64)])
    func valid(_ text: String, _ millis: Int64) {
        #expect(FHIRDate.epochMillis(text) == millis)
    }

    @Test(arguments: [
        "", "20", "2020-1-01", "2020-00-10", "2019-02-29", "2020-04-31", "2020-01-01T24:00:00Z", "2020-01-01T10:00Z",
        "2020-01-01T10:00:00+15:00", "2020-01-01T10:00:00.Z", "2020-01-01 10:00:00Z", "2020-01-01T10:00:00Zjunk", "yesterday",
    ])
    func invalid(_ text: String) {
        #expect(FHIRDate.epochMillis(text) == nil)
    }

    @Test func birthDateMustBeADate() {
        #expect(FHIRDate.isValidDate("1986-11-28"))
        #expect(!FHIRDate.isValidDate("1986-11-28T00:00:00Z"))
    }
}
