import Foundation
import Interop
import Records
import Testing

/// What each fixture must produce. The numbers were computed independently of the importer, with this Python one-off
/// over each file (Python 3 `json` only):
///
/// ```python
/// b = json.load(open(f)); c = collections.Counter(e["resource"]["resourceType"] for e in b["entry"])
/// bp = [e["resource"] for e in b["entry"] if "component" in e["resource"]]           # blood pressures
/// p = b["entry"][0]["resource"]                                                      # the Patient
/// mrn = [i["value"] for i in p["identifier"] if any(x["code"] == "MR" for x in i.get("type", {}).get("coding", []))]
/// ms = int(datetime.fromisoformat(bp[0]["effectiveDateTime"]).timestamp() * 1000)
/// ```
struct SyntheaExpectation: Sendable, CustomTestStringConvertible {
    var file: String
    var totalEntries: Int
    /// Resource type → count, for the types the importer maps.
    var imported: [String: Int]
    /// Resource type → count, for the types it skips.
    var skipped: [String: Int]
    /// Observations with components (each is one blood pressure: 2 entries instead of 1).
    var bloodPressures: Int
    var givenName: String, familyName: String, sex: String, birthDate: String, mrn: String
    var bp: (id: String, effectiveAt: Int64, systolic: Double, diastolic: Double)
    var medication: (id: String, rxnorm: String, display: String, status: String)

    var testDescription: String { file }
}

let syntheaFixtures: [SyntheaExpectation] = [
    SyntheaExpectation(
        file: "Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2", totalEntries: 73,
        imported: [
            "Patient": 1, "Condition": 1, "DiagnosticReport": 2, "Encounter": 7, "Immunization": 4, "MedicationRequest": 1,
            "Observation": 36, "Procedure": 3,
        ],
        skipped: ["CarePlan": 1, "Claim": 8, "ExplanationOfBenefit": 7, "Organization": 1, "Practitioner": 1],
        bloodPressures: 3, givenName: "Liz", familyName: "Conn", sex: "female", birthDate: "1986-11-28",
        mrn: "27c911c6-f045-4ffa-af5d-6eba57ac94b2",
        bp: ("e0386e8c-543c-4453-bf90-dc3d893d2232", 1_344_631_026_000, 165.41473349323684, 105.1409527895433),
        medication: ("e1e45551-ea23-40f1-9a5a-64dd5684185b", "316049", "Hydrochlorothiazide 25 MG", "active")),
    SyntheaExpectation(
        file: "Alberto_Atencio_fc712d1f-5a2e-4407-9c55-a2a2bad623c2", totalEntries: 76,
        imported: [
            "Patient": 1, "Condition": 3, "DiagnosticReport": 1, "Encounter": 6, "Immunization": 7, "MedicationRequest": 2,
            "Observation": 35, "Procedure": 3,
        ],
        skipped: ["Claim": 8, "ExplanationOfBenefit": 6, "Organization": 2, "Practitioner": 2],
        bloodPressures: 4, givenName: "Alberto", familyName: "Atencio", sex: "male", birthDate: "1993-06-07",
        mrn: "fc712d1f-5a2e-4407-9c55-a2a2bad623c2",
        bp: ("810b2c64-6e1c-4a1f-8bad-1a8e257fd202", 1_330_320_525_000, 124.134551400282, 83.14531190501731),
        medication: ("8a79228f-00d2-481d-8cea-a90ba563a301", "308971", "Carbamazepine[Tegretol]", "active")),
    SyntheaExpectation(
        file: "Antonio_Castellanos_6d2eba67-5b4a-403f-a29f-e6da3f1ea963", totalEntries: 83,
        imported: [
            "Patient": 1, "Condition": 3, "DiagnosticReport": 2, "Encounter": 6, "Immunization": 6, "MedicationRequest": 2,
            "Observation": 44, "Procedure": 2,
        ],
        skipped: ["CarePlan": 1, "Claim": 8, "ExplanationOfBenefit": 6, "Organization": 1, "Practitioner": 1],
        bloodPressures: 3, givenName: "Antonio", familyName: "Castellanos", sex: "male", birthDate: "1991-06-08",
        mrn: "6d2eba67-5b4a-403f-a29f-e6da3f1ea963",
        bp: ("88f4858f-3b24-44bc-9085-a9ec421f2e35", 1_376_109_869_000, 162.1435023309785, 93.00482140909635),
        medication: ("2a98f7d0-76a5-43fe-ae69-5a7d5056dac8", "849574", "Naproxen sodium 220 MG Oral Tablet", "stopped")),
]

func fixture(_ name: String) throws -> Data {
    let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
    return try Data(contentsOf: url)
}

@Suite struct SyntheaFixtureTests {
    @Test(arguments: syntheaFixtures)
    func countsPerResourceTypeMatchAnIndependentCount(_ expected: SyntheaExpectation) throws {
        let plan = try FHIRBundleImporter.plan(fixture(expected.file))
        #expect(plan.report.bundleType == "transaction")
        #expect(plan.report.totalEntries == expected.totalEntries)
        #expect(plan.report.mapped == expected.imported)
        let skippedByType = Dictionary(plan.report.skipped.map { ($0.key.resourceType, $0.value) }, uniquingKeysWith: +)
        #expect(skippedByType == expected.skipped)
        // Every entry is accounted for: mapped or skipped, never silently dropped.
        #expect(plan.report.mapped.values.reduce(0, +) + plan.report.skipped.values.reduce(0, +) == expected.totalEntries)

        #expect(plan.patients.count == 1)
        let entries = try #require(plan.patients.first).entries
        let clinical = expected.imported.filter { $0.key != "Patient" }.values.reduce(0, +)
        #expect(entries.count == clinical + expected.bloodPressures)
        #expect(entries.filter { $0.kind == .observation }.count == expected.imported["Observation"]! + expected.bloodPressures)
        #expect(plan.report.produced[.immunization] == expected.imported["Immunization"])
    }

    @Test(arguments: syntheaFixtures)
    func patientDemographics(_ expected: SyntheaExpectation) throws {
        let patient = try #require(try FHIRBundleImporter.plan(fixture(expected.file)).patients.first)
        #expect(patient.givenName == expected.givenName)
        #expect(patient.familyName == expected.familyName)
        #expect(patient.sex == expected.sex)
        #expect(patient.birthDate == expected.birthDate)
        #expect(patient.mrn == expected.mrn)
        let record = patient.patient(id: PatientID(rawValue: "pat_test"), createdAt: 7)
        #expect(record.birthDate == expected.birthDate && record.sex == expected.sex && record.mrn == expected.mrn)
    }

    @Test(arguments: syntheaFixtures)
    func bloodPressureIsSplitIntoSystolicAndDiastolic(_ expected: SyntheaExpectation) throws {
        let entries = try #require(try FHIRBundleImporter.plan(fixture(expected.file)).patients.first).entries
        let parts = entries.filter { $0.source.id == expected.bp.id }
        #expect(parts.count == 2, "the panel itself (LOINC 55284-4, no value) is not an entry; its two components are")
        let systolic = try #require(parts.first { $0.code == "8480-6" })
        let diastolic = try #require(parts.first { $0.code == "8462-4" })
        for part in [systolic, diastolic] {
            #expect(part.system == "http://loinc.org")
            #expect(part.unit == "mm[Hg]")
            #expect(part.category == "vital-signs")
            #expect(part.status == "final")
            #expect(part.effectiveAt == expected.bp.effectiveAt)
            #expect(part.entryType == .observation)
            #expect(part.encounterKey?.hasPrefix("Encounter/") == true)
        }
        #expect(systolic.valueNumber == expected.bp.systolic)
        #expect(diastolic.valueNumber == expected.bp.diastolic)
        #expect(systolic.source.key == "Observation/\(expected.bp.id)/component/http://loinc.org|8480-6")
        #expect(systolic.source.fullUrl == "urn:uuid:\(expected.bp.id)")
    }

    @Test(arguments: syntheaFixtures)
    func medicationKeepsItsRxNormCode(_ expected: SyntheaExpectation) throws {
        let entries = try #require(try FHIRBundleImporter.plan(fixture(expected.file)).patients.first).entries
        let medication = try #require(entries.first { $0.source.id == expected.medication.id })
        #expect(medication.kind == .medication)
        #expect(medication.entryType == .medication)
        #expect(medication.system == "http://www.nlm.nih.gov/research/umls/rxnorm")
        #expect(medication.code == expected.medication.rxnorm)
        #expect(medication.display == expected.medication.display)
        #expect(medication.status == expected.medication.status)
        let row = try #require(
            medication.clinicalEntry(
                id: EntryID(rawValue: "ent_1"), patientID: PatientID(rawValue: "pat_1"), recordedAt: 1, recordedBy: UserID(rawValue: "usr_1")))
        #expect(row.type == .medication && row.code == expected.medication.rxnorm)
    }

    @Test(arguments: syntheaFixtures)
    func idempotencyKeysAreStableAndUnique(_ expected: SyntheaExpectation) throws {
        let data = try fixture(expected.file)
        let first = try FHIRBundleImporter.plan(data)
        let second = try FHIRBundleImporter.plan(data)
        #expect(first == second, "two parses of the same bytes give the same plan")
        let keys = first.patients.flatMap { [$0.source.key] + $0.entries.map(\.source.key) }
        #expect(Set(keys).count == keys.count, "keys are unique within the bundle")
        #expect(keys.allSatisfy { !$0.isEmpty })
        #expect(first.patients[0].source.key.hasPrefix("Patient/"))
    }
}
