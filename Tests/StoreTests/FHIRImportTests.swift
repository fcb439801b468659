import Foundation
import Interop
import Records
import SQLKit
import Store
import Testing

/// The FHIR fixtures (small hand-written bundles kept with the CLI tests, which copy them as resources).
enum FHIRFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TailorCLITests/Fixtures/fhir")

    static func data(_ name: String) throws -> Data { try Data(contentsOf: folder.appendingPathComponent(name)) }
    static func plan(_ name: String) throws -> ImportPlan { try FHIRBundleImporter.plan(try data(name)) }
}

/// `RecordStore.importFHIR` and migration `0004_fhir_import`, each on SQLite and (when configured) PostgreSQL.
enum FHIRImportScenario: String, CaseIterable, CustomStringConvertible, Sendable {
    case importStoresEntriesWithCodesAndValues
    case reimportAddsNothing
    case matchedRecordNeedsACareTeamGrantForNewEntries
    case failureMidBundleLeavesNothing
    case contentTheRecordCannotHoldIsRefusedByPath
    case migrationFromAnOlderDatabaseKeepsRowsAndTheCheck

    var description: String { rawValue }

    func run(on engine: TestEngine) async throws {
        let t = try await TestDatabase.open(engine, through: self == .migrationFromAnOlderDatabaseKeepsRowsAndTheCheck ? "0002_run_heartbeat" : nil)
        do {
            try await body(t, engine)
        } catch {
            await t.close()
            throw error
        }
        await t.close()
    }

    static let txPatientKey = "Patient/5cbc121b-cd71-4428-b8b7-31e53eba8184"

    func importAs(_ t: TestDatabase, _ principal: Principal, _ plan: ImportPlan) async throws -> RecordStore.FHIRImportResult {
        let gate = t.gate
        let grant = try await gate.authorize(principal, .write, .patientRegistration, requestID: "import")
        return try await t.store.importFHIR(grant, plan: plan) { id in
            try await gate.authorize(principal, .write, .clinicalRecord, patient: id, requestID: "import")
        }
    }

    func count(_ t: TestDatabase, _ sql: String) async throws -> Int64 {
        try await t.database.read { db in try await db.raw(SQLQueryString(sql)).first()!.decode(column: "n", as: Int64.self) }
    }

    func body(_ t: TestDatabase, _ engine: TestEngine) async throws {
        switch self {
        case .importStoresEntriesWithCodesAndValues:
            let doc = try await t.user("doc", .clinician)
            let result = try await importAs(t, doc, try FHIRFixtures.plan("transaction-small.json"))
            #expect(result.patientsCreated == 1 && result.patientsMatched == 0)
            #expect(
                result.inserted == ["observation": 4, "condition": 1, "allergy": 1, "medication": 1, "immunization": 1, "procedure": 1, "encounter": 1, "report": 1],
                "\(result.inserted)")
            #expect(result.alreadyPresentTotal == 0)
            #expect(result.skipped["Organization: \(ImportSkip.Reason.referenceTarget)"] == 1, "\(result.skipped)")
            #expect(result.skipped["Claim: \(ImportSkip.Reason.notImported)"] == 1, "\(result.skipped)")
            let id = try #require(result.patients.first?.patientID)
            // Every mapped bundle entry has an outcome; the blood pressure is two entries.
            #expect(result.resources.map(\.entryIndex) == [0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
            #expect(result.resources.first { $0.sourceKey == "Observation/obs-tx-bp" }?.entryIDs.count == 2)

            let read = try await t.gate.authorize(doc, .read, .clinicalRecord, patient: id, requestID: "r")
            let entries = try await t.store.entries(read, patient: id, type: nil, code: nil, limit: 100, before: nil)
            #expect(entries.count == 11)
            let systolic = try #require(entries.first { $0.code == "8480-6" })
            #expect(systolic.type == .observation && systolic.system == "http://loinc.org" && systolic.valueNumber == 132 && systolic.unit == "mm[Hg]")
            #expect(systolic.category == "vital-signs" && systolic.effectiveAt == 1_614_845_400_000)
            #expect(entries.first { $0.code == "2339-0" }?.valueNumber == 97.5)
            #expect(entries.first { $0.code == "72166-2" }?.valueText == "Never smoked tobacco (finding)")
            #expect(entries.contains { $0.type == .procedure && $0.code == "430193006" })
            #expect(entries.contains { $0.type == .encounter && $0.code == "185349003" && $0.valueText == "AMB" })
            #expect(entries.contains { $0.type == .report && $0.code == "51990-0" && $0.valueText == "Normal fasting glucose." })
            #expect(entries.contains { $0.type == .medication && $0.code == "314076" && $0.valueText == "one tablet daily" })
            #expect(entries.contains { $0.type == .condition && $0.category == "allergy" && $0.code == "91936005" })
            // The importing clinician registered the patient and is on the care team; the import is on record.
            let summary = try await t.store.summary(try await t.gate.authorize(doc, .read, .patientSummary, patient: id, requestID: "r"), id)
            #expect(summary.patient.mrn == "MRN-TX-0001" && summary.patient.givenName == "Maren" && summary.patient.birthDate == "1968-02-29")
            #expect(summary.counts["procedure"] == 1 && summary.counts["observation"] == 4)
            var audits: [AuditEntry] = []
            try await t.database.forEachAuditEntry(patientID: id) { audits.append($0) }
            let registered = try #require(audits.first { $0.record.resource == "patient_registration" })
            #expect(registered.record.actor == doc.userID.rawValue && registered.record.purpose == "TREAT" && registered.record.outcome == .allow)
            #expect(registered.record.reason.contains("FHIR import registered \(Self.txPatientKey) with 11 entries"), "\(registered.record.reason)")
            #expect(try await t.database.verifyAuditChain() > 0)

        case .reimportAddsNothing:
            let doc = try await t.user("doc", .clinician)
            let plan = try FHIRFixtures.plan("transaction-small.json")
            let first = try await importAs(t, doc, plan)
            let second = try await importAs(t, doc, plan)
            #expect(first.insertedTotal == 11)
            #expect(second.patientsCreated == 0 && second.patientsMatched == 1 && second.insertedTotal == 0 && second.alreadyPresentTotal == 11)
            #expect(second.patients.first?.patientID == first.patients.first?.patientID)
            #expect(second.resources.allSatisfy { $0.status == .alreadyPresent })
            // The locations of the second import are the entries the first one stored.
            #expect(Set(second.resources.flatMap(\.entryIDs)) == Set(first.resources.flatMap(\.entryIDs)))
            #expect(try await count(t, "SELECT COUNT(*) AS n FROM clinical_entries") == 11)
            #expect(try await count(t, "SELECT COUNT(*) AS n FROM patients") == 1)
            // A collection bundle imports beside it, and again adds nothing the second time.
            let collection = try FHIRFixtures.plan("collection-small.json")
            #expect(try await importAs(t, doc, collection).insertedTotal == 3)
            let again = try await importAs(t, doc, collection)
            #expect(again.insertedTotal == 0 && again.alreadyPresentTotal == 3 && again.skipped["Provenance: \(ImportSkip.Reason.notImported)"] == 1)
            #expect(try await count(t, "SELECT COUNT(*) AS n FROM clinical_entries") == 14)

        case .matchedRecordNeedsACareTeamGrantForNewEntries:
            let doc = try await t.user("doc", .clinician)
            let other = try await t.user("other", .clinician)
            let admin = try await t.user("admin", .administrator)
            var plan = try FHIRFixtures.plan("transaction-small.json")
            _ = try await importAs(t, doc, plan)
            // Nothing new: matching needs no access to the record.
            #expect(try await importAs(t, other, plan).insertedTotal == 0)
            #expect(try await importAs(t, admin, plan).alreadyPresentTotal == 11)
            // One new observation: only the care team may add it.
            var extra = plan.patients[0].entries[1]
            extra.source.key = "Observation/obs-tx-new"
            extra.valueNumber = 101
            plan.patients[0].entries.append(extra)
            await #expect(throws: AccessDenied.self) { _ = try await importAs(t, other, plan) }
            await #expect(throws: AccessDenied.self) { _ = try await importAs(t, admin, plan) }
            #expect(try await count(t, "SELECT COUNT(*) AS n FROM clinical_entries") == 11)
            let added = try await importAs(t, doc, plan)
            #expect(added.insertedTotal == 1 && added.alreadyPresentTotal == 11)
            var audits: [AuditEntry] = []
            try await t.database.forEachAuditEntry { audits.append($0) }
            #expect(audits.contains { $0.record.resource == "clinical_record" && $0.record.action == "write" && $0.record.reason.contains("FHIR import of 1 entries") })
            #expect(audits.contains { $0.record.actor == other.userID.rawValue && $0.record.outcome == .deny && $0.record.resource == "clinical_record" })

        case .failureMidBundleLeavesNothing:
            let doc = try await t.user("doc", .clinician)
            _ = try await importAs(t, doc, try FHIRFixtures.plan("transaction-small.json"))
            let patients = try await count(t, "SELECT COUNT(*) AS n FROM patients")
            let entries = try await count(t, "SELECT COUNT(*) AS n FROM clinical_entries")
            let audit = try await t.database.auditHead().sequence
            // Patient A is new and is written first; patient B claims the MRN of the patient imported above from a
            // different source, which fails after A and its entries are inserted.
            let collection = try FHIRFixtures.plan("collection-small.json")
            var b = collection.patients[0]
            b.source.key = "Patient/claims-someone-elses-mrn"
            b.source.entryIndex = 5
            b.mrn = "MRN-TX-0001"
            b.entries = []
            let plan = ImportPlan(patients: [collection.patients[0], b], report: collection.report)
            await #expect {
                _ = try await importAs(t, doc, plan)
            } throws: { error in
                "\(error)".contains("entry[5].resource.identifier: MRN 'MRN-TX-0001' belongs to a patient imported from \(Self.txPatientKey)")
            }
            #expect(try await count(t, "SELECT COUNT(*) AS n FROM patients") == patients)
            #expect(try await count(t, "SELECT COUNT(*) AS n FROM clinical_entries") == entries)
            #expect(try await count(t, "SELECT COUNT(*) AS n FROM patients WHERE source_key = 'Patient/coll-p2'") == 0)
            #expect(try await count(t, "SELECT COUNT(*) AS n FROM care_team_members") == 1)
            #expect(try await t.database.auditHead().sequence == audit)
            #expect(try await t.database.verifyAuditChain() == audit)
            // The same bundle without B imports.
            #expect(try await importAs(t, doc, collection).patientsCreated == 1)

        case .contentTheRecordCannotHoldIsRefusedByPath:
            let doc = try await t.user("doc", .clinician)
            var plan = try FHIRFixtures.plan("collection-small.json")
            plan.patients[0].entries[1].display = "weight\0"
            await #expect(throws: FHIRImportError.invalid(entry: 2, path: "entry[2].resource", message: "contains the NUL character")) {
                _ = try await importAs(t, doc, plan)
            }
            plan = try FHIRFixtures.plan("collection-small.json")
            plan.patients[0].sex = "robot"
            await #expect(throws: FHIRImportError.self) { _ = try await importAs(t, doc, plan) }
            #expect(try await count(t, "SELECT COUNT(*) AS n FROM patients") == 0)
            // Researchers and patients cannot import at all (registration is refused and audited).
            let researcher = try await t.user("res", .researcher)
            await #expect(throws: AccessDenied.self) { _ = try await importAs(t, researcher, try FHIRFixtures.plan("collection-small.json")) }

        case .migrationFromAnOlderDatabaseKeepsRowsAndTheCheck:
            #expect(try await t.database.appliedMigrations() == ["0001_record", "0002_run_heartbeat"])
            let doc = try await t.user("doc", .clinician)
            let patient = try await t.store.createPatient(
                try await t.gate.authorize(doc, .write, .patientRegistration, requestID: "r"), .init(mrn: "OLD-1", givenName: "Old", familyName: "Record"))
            let written = try await t.store.addEntries(
                try await t.gate.authorize(doc, .write, .clinicalRecord, patient: patient.id, requestID: "r"), patient: patient.id,
                [.init(type: .observation, category: "laboratory", system: "http://loinc.org", code: "2339-0", valueNumber: 5.4, unit: "mmol/L")])
            try await t.database.migrate()
            #expect(try await t.database.appliedMigrations().contains("0004_fhir_import"))
            let read = try await t.gate.authorize(doc, .read, .clinicalRecord, patient: patient.id, requestID: "r")
            #expect(try await t.store.entries(read, patient: patient.id, type: nil, code: nil, limit: 10, before: nil) == written)
            // The new types are accepted, anything else is still refused by the CHECK.
            let write = try await t.gate.authorize(doc, .write, .clinicalRecord, patient: patient.id, requestID: "r")
            _ = try await t.store.addEntries(write, patient: patient.id, [.init(type: .procedure, category: "procedure", system: "http://snomed.info/sct", code: "430193006")])
            await #expect(throws: (any Error).self) {
                try await t.database.write { db in
                    try await db.raw(
                        """
                        INSERT INTO clinical_entries (patient_id, entry_id, entry_type, category, code_system, code, recorded_at, recorded_by)
                        VALUES (\(bind: patient.id.rawValue), 'ent_bogus', 'bogus', 'x', 'x', 'x', 1, 'usr_x')
                        """
                    ).run()
                }
            }
            // The patient registered by hand is matched by MRN and takes the bundle's key.
            var plan = try FHIRFixtures.plan("collection-small.json")
            plan.patients[0].mrn = "OLD-1"
            let result = try await importAs(t, doc, plan)
            #expect(result.patientsMatched == 1 && result.patients.first?.patientID == patient.id && result.insertedTotal == 3)
            #expect(try await count(t, "SELECT COUNT(*) AS n FROM patients WHERE source_key = 'Patient/coll-p2'") == 1)
            // Foreign keys and indexes survived the rebuild: an entry for a missing patient is refused.
            await #expect(throws: (any Error).self) {
                try await t.database.write { db in
                    try await db.raw(
                        """
                        INSERT INTO clinical_entries (patient_id, entry_id, entry_type, category, code_system, code, recorded_at, recorded_by)
                        VALUES ('pat_missing', 'ent_orphan', 'observation', 'x', 'x', 'x', 1, 'usr_x')
                        """
                    ).run()
                }
            }
            if engine == .sqlite {
                let indexes = try await t.database.read { db in
                    try await db.raw("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'clinical_entries' AND sql IS NOT NULL ORDER BY name").all()
                        .map { try $0.decode(column: "name", as: String.self) }
                }
                #expect(indexes == ["entries_by_patient", "entries_by_source_key"])
            }
        }
    }
}

@Suite("FHIR import on SQLite") struct FHIRImportSQLiteTests {
    @Test(arguments: FHIRImportScenario.allCases)
    func scenario(_ scenario: FHIRImportScenario) async throws { try await scenario.run(on: .sqlite) }
}

@Suite("FHIR import on PostgreSQL", .enabled(if: TestEngine.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set: PostgreSQL runs skipped"))
struct FHIRImportPostgresTests {
    @Test(arguments: FHIRImportScenario.allCases)
    func scenario(_ scenario: FHIRImportScenario) async throws { try await scenario.run(on: .postgres) }
}
