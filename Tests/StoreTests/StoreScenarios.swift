import Foundation
import Monitoring
import Records
import SQLKit
import Store
import Testing

/// Store behaviour, each scenario run on SQLite and (when configured) PostgreSQL by the suites below.
enum StoreScenario: String, CaseIterable, CustomStringConvertible, Sendable {
    case migrationsAreIdempotent
    case auditGroupCommitKeepsOneChain
    case auditChainHoldsAcrossServersAndWrites
    case auditAndFindingsAreAppendOnly
    case tamperingIsFoundByVerify
    case gateAuditsAllowAndDeny
    case consentChangeAppliesOnNextRequest
    case breakGlassExpires
    case datasetRunAndFindingsAreAtomic
    case failedRunRetriesAndInterruptedRunRequeues
    case newerRunSupersedesOlderFindings
    case researchCountsOnlyConsentingAndSuppressesSmallCounts
    case validationNamesTheField
    case readingsIgnoreDuplicatesAndComeBackInOrder
    case goalVersionsAreAppendOnlyAndConflictsAreRefused

    var description: String { rawValue }

    func run(on engine: TestEngine) async throws {
        var clock = ManualClock()
        let test = try await TestDatabase.open(engine, now: clock.reader)
        do {
            try await body(test, &clock)
        } catch {
            await test.close()
            throw error
        }
        await test.close()
    }

    func body(_ t: TestDatabase, _ clock: inout ManualClock) async throws {
        let store = t.store
        let gate = t.gate
        switch self {
        case .migrationsAreIdempotent:
            try await t.database.migrate()
            #expect(try await t.database.appliedMigrations() == ["0001_record", "0002_run_heartbeat", "0003_monitoring_care_plans", "0004_fhir_import"])

        case .auditGroupCommitKeepsOneChain:
            let clinician = try await t.user("doc", .clinician)
            // Each call ends in a denial (recorded) or, on a machine loaded enough that a call waits past the pool's
            // timeout for the single writer, in another error (nothing recorded): the chain must hold exactly the denials.
            let outcomes = await withTaskGroup(of: String?.self) { group in
                for n in 0..<200 {
                    group.addTask {
                        do {
                            _ = try await gate.authorize(clinician, .read, .patientSummary, patient: PatientID(rawValue: "pat_missing\(n)"), requestID: "r\(n)")
                            return "allowed"
                        } catch is AccessDenied {
                            return nil
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                return await group.reduce(into: [String?]()) { $0.append($1) }
            }
            let denied = outcomes.filter { $0 == nil }.count
            #expect(!outcomes.contains("allowed"))
            #expect(denied >= 150, "\(outcomes.compactMap { $0 }.prefix(3))")
            // 1 bootstrap-account entry + the denials, in one unbroken chain.
            #expect(try await t.database.verifyAuditChain() == Int64(1 + denied))

        case .auditChainHoldsAcrossServersAndWrites:
            // Another server on the same database (its own connections and audit log) and writes that chain their
            // entries inside their own transactions both move the head under this process's audit log.
            let other = try t.sibling()
            do {
                @Sendable func event(_ gate: AccessGate, _ id: String) async throws {
                    try await gate.recordEvent(actor: "system", role: "system", action: "read", resource: "test", outcome: .allow, reason: "test", requestID: id)
                }
                // In turn, so each log finds the head where the other left it.
                for round in 0..<3 {
                    try await event(gate, "mine-\(round)")
                    try await event(other.gate, "theirs-\(round)")
                    _ = try await t.user("writer\(round)", .clinician)
                }
                if t.database.engine == .postgres {
                    // The first group of each later round found the head moved: the retry path ran.
                    #expect(await t.audit.headMisses >= 2)
                    #expect(await other.audit.headMisses >= 2)
                }
                // And all at once.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for n in 0..<60 {
                        group.addTask { try await event(gate, "mine-c\(n)") }
                        group.addTask { try await event(other.gate, "theirs-c\(n)") }
                        if n % 10 == 0 { group.addTask { _ = try await t.user("cwriter\(n)", .clinician) } }
                    }
                    try await group.waitForAll()
                }
                let counts = try await t.database.read { db in
                    try await db.raw(
                        """
                        SELECT COUNT(*) AS total, SUM(CASE WHEN request_id LIKE 'mine-%' THEN 1 ELSE 0 END) AS mine,
                               SUM(CASE WHEN request_id LIKE 'theirs-%' THEN 1 ELSE 0 END) AS theirs FROM audit_events
                        """
                    ).first()
                }
                #expect(try counts?.decode(column: "mine", as: Int64.self) == 63)
                #expect(try counts?.decode(column: "theirs", as: Int64.self) == 63)
                // One unbroken chain holding every entry, whichever path wrote it.
                #expect(try await t.database.verifyAuditChain() == counts?.decode(column: "total", as: Int64.self))
            } catch {
                await other.database.close()
                throw error
            }
            await other.database.close()

        case .auditAndFindingsAreAppendOnly:
            _ = try await t.user("admin", .administrator)
            await #expect(throws: (any Error).self) {
                try await t.database.write { db in try await db.raw("UPDATE audit_events SET reason = 'edited'").run() }
            }
            await #expect(throws: (any Error).self) {
                try await t.database.write { db in try await db.raw("DELETE FROM audit_events").run() }
            }
            #expect(try await t.database.verifyAuditChain() == 1)

        case .tamperingIsFoundByVerify:
            let clinician = try await t.user("doc", .clinician)
            for n in 0..<5 {
                _ = try? await gate.authorize(clinician, .read, .patientSummary, patient: PatientID(rawValue: "pat_x\(n)"), requestID: "r")
            }
            // Someone with database rights disables the guard and edits entry 3.
            try await t.database.write { db in
                switch t.database.engine {
                case .sqlite: try await db.raw("DROP TRIGGER audit_events_no_update").run()
                case .postgres: try await db.raw("DROP TRIGGER audit_events_append_only ON audit_events").run()
                }
                try await db.raw("UPDATE audit_events SET reason = 'nothing to see' WHERE seq = 3").run()
            }
            await #expect { try await t.database.verifyAuditChain() } throws: { ($0 as? AuditChain.Break)?.sequence == 3 }

        case .gateAuditsAllowAndDeny:
            let clinician = try await t.user("doc", .clinician)
            let outsider = try await t.user("other", .clinician)
            let patient = try await store.createPatient(
                try await gate.authorize(clinician, .write, .patientRegistration, requestID: "r1"), .init(givenName: "A", familyName: "B"))
            let grant = try await gate.authorize(clinician, .read, .patientSummary, patient: patient.id, requestID: "r2")
            #expect(try await store.summary(grant, patient.id).patient == patient)
            await #expect(throws: AccessDenied.self) {
                try await gate.authorize(outsider, .read, .patientSummary, patient: patient.id, requestID: "r3")
            }
            let admin = try await t.user("admin", .administrator)
            let trail = try await store.patientAudit(
                try await gate.authorize(admin, .read, .patientAudit, patient: patient.id, requestID: "r4"), patient: patient.id, limit: 10, before: nil)
            // Newest first: the admin's own read, the denial, the clinician's read, the registration.
            #expect(trail.map(\.record.outcome) == [.allow, .deny, .allow, .allow])
            #expect(trail[1].record.actor == outsider.userID.rawValue)
            #expect(trail[1].record.reason == "not on the patient's care team")
            #expect(trail.map(\.record.requestID) == ["r4", "r3", "r2", "r1"])

        case .consentChangeAppliesOnNextRequest:
            let clinician = try await t.user("doc", .clinician)
            let patient = try await store.createPatient(
                try await gate.authorize(clinician, .write, .patientRegistration, requestID: "r"), .init(givenName: "A", familyName: "B"))
            _ = try await gate.authorize(clinician, .read, .findings, patient: patient.id, requestID: "r")
            let account = try await t.user("pat", .patient, patient: patient.id)
            _ = try await store.recordConsent(
                try await gate.authorize(account, .write, .consent, patient: patient.id, requestID: "r"), patient: patient.id,
                ConsentDirective(treatment: [.clinical]))
            await #expect(throws: AccessDenied.self) { try await gate.authorize(clinician, .read, .findings, patient: patient.id, requestID: "r") }
            _ = try await gate.authorize(clinician, .read, .clinicalRecord, patient: patient.id, requestID: "r")
            let history = try await store.consentHistory(
                try await gate.authorize(account, .read, .consent, patient: patient.id, requestID: "r"), patient: patient.id)
            #expect(history.map(\.version) == [1])

        case .breakGlassExpires:
            let clinician = try await t.user("doc", .clinician)
            let emergency = try await t.user("er-doc", .clinician)
            let patient = try await store.createPatient(
                try await gate.authorize(clinician, .write, .patientRegistration, requestID: "r"), .init(givenName: "A", familyName: "B"))
            await #expect(throws: AccessDenied.self) { try await gate.authorize(emergency, .read, .findings, patient: patient.id, requestID: "r") }
            await #expect(throws: StoreError.self) {
                try await store.breakGlass(
                    try await gate.authorize(emergency, .write, .breakGlass, patient: patient.id, requestID: "r"), patient: patient.id, reason: "short",
                    duration: 1000)
            }
            _ = try await store.breakGlass(
                try await gate.authorize(emergency, .write, .breakGlass, patient: patient.id, requestID: "r"), patient: patient.id,
                reason: "unconscious in the emergency department", duration: 60_000)
            let grant = try await gate.authorize(emergency, .read, .findings, patient: patient.id, requestID: "r")
            #expect(grant.purpose == .emergency)
            clock.advance(by: 61_000)
            await #expect(throws: AccessDenied.self) { try await gate.authorize(emergency, .read, .findings, patient: patient.id, requestID: "r") }

        case .datasetRunAndFindingsAreAtomic:
            let (patient, clinician) = try await Self.patientWithClinician(t)
            let queue = JobQueue(store: store)
            let created = try await Self.dataset(t, patient, clinician)
            #expect(created.runs.count == 1)
            let claim = try #require(try await queue.claimNext())
            #expect(claim.sampleNames == ["S1"])
            #expect(try await queue.claimNext() == nil)
            // A finding that violates a constraint (unknown dataset) makes the whole completion roll back.
            var bad = Self.finding(claim, subject: "CYP2C19")
            bad.datasetID = DatasetID(rawValue: "dst_nope")
            await #expect(throws: (any Error).self) { try await queue.complete(claim.run, findings: [Self.finding(claim, subject: "A"), bad]) }
            let read = { try await store.findings(try await gate.authorize(clinician, .read, .findings, patient: patient, requestID: "r"), patient: patient) }
            #expect(try await read().isEmpty)
            try await queue.complete(claim.run, findings: [Self.finding(claim, subject: "CYP2C19"), Self.finding(claim, subject: "CYP2C9")])
            #expect(try await read().map(\.subject) == ["CYP2C19", "CYP2C9"])
            await #expect(throws: (any Error).self) {
                try await t.database.write { db in try await db.raw("UPDATE findings SET summary = 'x'").run() }
            }

        case .failedRunRetriesAndInterruptedRunRequeues:
            let (patient, clinician) = try await Self.patientWithClinician(t)
            let queue = JobQueue(store: store)
            _ = try await Self.dataset(t, patient, clinician)
            let claim = try #require(try await queue.claimNext())
            try await queue.fail(claim.run, error: "boom")
            let grant = try await gate.authorize(clinician, .read, .findings, patient: patient, requestID: "r")
            let failed = try await store.run(grant, patient: patient, run: claim.run.id)
            #expect(failed.status == .failed)
            #expect(failed.error == "boom")
            let retried = try await store.retry(
                try await gate.authorize(clinician, .write, .findings, patient: patient, requestID: "r"), patient: patient, run: claim.run.id)
            #expect(retried.status == .queued)
            let again = try #require(try await queue.claimNext())
            #expect(again.run.attempts == 2)
            // The process dies here; the next start puts the run back.
            // A peer on PostgreSQL leaves a fresh run alone; a restarted embedded server takes it back.
            #expect(try await queue.requeueInterrupted(all: false) == 0)
            clock.advance(by: JobQueue.staleAfter + 1)
            #expect(try await queue.requeueInterrupted(all: false) == 1)
            #expect(try await queue.claimNext()?.run.attempts == 3)

        case .newerRunSupersedesOlderFindings:
            // Re-analysis of the same dataset: the list, the summary and research all show only the newer run's
            // result; the older one stays stored and listed with `includeSuperseded`.
            let (patient, clinician) = try await Self.patientWithClinician(t)
            let queue = JobQueue(store: store)
            let created = try await Self.dataset(t, patient, clinician)
            let first = try #require(try await queue.claimNext())
            var old = Self.finding(first, subject: "CYP2C19")
            old.summary = "old call"
            try await queue.complete(first.run, findings: [old])
            clock.advance(by: 1000)
            let grant = { try await gate.authorize(clinician, .read, .findings, patient: patient, requestID: "r") }
            #expect(try await store.findings(try await grant(), patient: patient).map(\.summary) == ["old call"])
            // A second run on the same dataset (as a knowledge update would queue).
            let queuedAt = clock.reader()
            try await t.database.write { db in
                try await db.raw(
                    """
                    INSERT INTO analysis_runs (patient_id, run_id, dataset_id, analyser, status, progress, attempts, created_at, requested_by)
                    VALUES (\(bind: patient.rawValue), 'run_second', \(bind: created.dataset.id.rawValue), 'pgx', 'queued', 0, 0, \(bind: queuedAt), 'usr_x')
                    """
                ).run()
            }
            let second = try #require(try await queue.claimNext())
            #expect(second.run.id.rawValue == "run_second")
            var new = Self.finding(second, subject: "CYP2C19")
            new.summary = "new call"
            try await queue.complete(second.run, findings: [new])
            #expect(try await store.findings(try await grant(), patient: patient).map(\.summary) == ["new call"])
            #expect(Set(try await store.findings(try await grant(), patient: patient, includeSuperseded: true).map(\.summary)) == ["old call", "new call"])
            let summary = try await store.summary(
                try await gate.authorize(clinician, .read, .patientSummary, patient: patient, requestID: "r"), patient)
            #expect(summary.findings.map(\.summary) == ["new call"])

        case .researchCountsOnlyConsentingAndSuppressesSmallCounts:
            let clinician = try await t.user("doc", .clinician)
            let researcher = try await t.user("sci", .researcher)
            let queue = JobQueue(store: store)
            for n in 0..<8 {
                let patient = try await store.createPatient(
                    try await gate.authorize(clinician, .write, .patientRegistration, requestID: "r"), .init(givenName: "P\(n)", familyName: "X"))
                let consent =
                    n < 6
                    ? ConsentDirective(researchUses: [.healthMedical], researchCategories: [.genomic])
                    : ConsentDirective(researchUses: [.healthMedical], researchCategories: [.clinical])
                _ = try await store.recordConsent(
                    try await gate.authorize(clinician, .write, .consent, patient: patient.id, requestID: "r"), patient: patient.id, consent)
                _ = try await Self.dataset(t, patient.id, clinician)
                let claim = try #require(try await queue.claimNext())
                var finding = Self.finding(claim, subject: "CYP2C19")
                finding.interpretation = n < 5 ? "Normal Metabolizer" : "Poor Metabolizer"
                try await queue.complete(claim.run, findings: [finding])
            }
            let grant = { try await gate.authorize(researcher, .read, .researchAggregate, requestID: "r") }
            let aggregate = try await store.pgxAggregate(try await grant(), gene: "CYP2C19", groupBy: "phenotype", use: .diseaseSpecific("MONDO:1"))
            #expect(aggregate.patients == 6)
            #expect(aggregate.rows == [.init(value: "Normal Metabolizer", count: 5, suppressed: false), .init(value: "Poor Metabolizer", count: nil, suppressed: true)])
            let general = try await store.pgxAggregate(try await grant(), gene: "CYP2C19", groupBy: "phenotype", use: .general)
            #expect(general.patients == nil)
            #expect(general.rows.isEmpty)

        case .validationNamesTheField:
            let clinician = try await t.user("doc", .clinician)
            let registration = { try await gate.authorize(clinician, .write, .patientRegistration, requestID: "r") }
            await #expect { try await store.createPatient(try await registration(), .init(givenName: " ", familyName: "B")) } throws: {
                ($0 as? StoreError) == .invalid(field: "givenName", message: "must be 1–200 characters")
            }
            await #expect { try await store.createPatient(try await registration(), .init(givenName: "A", familyName: "B", birthDate: "1990-13-01")) } throws: {
                if case .invalid(field: "birthDate", _) = $0 as? StoreError { return true } else { return false }
            }
            _ = try await store.createPatient(try await registration(), .init(mrn: "M1", givenName: "A", familyName: "B"))
            await #expect { try await store.createPatient(try await registration(), .init(mrn: "M1", givenName: "C", familyName: "D")) } throws: {
                if case .conflict = $0 as? StoreError { return true } else { return false }
            }
            let patient = try await store.createPatient(try await registration(), .init(givenName: "E", familyName: "F"))
            await #expect {
                try await store.addEntries(
                    try await gate.authorize(clinician, .write, .clinicalRecord, patient: patient.id, requestID: "r"), patient: patient.id,
                    [.init(type: .condition, category: "x", system: "s", code: "c"), .init(type: .phenotype, category: "phenotype", system: "hp", code: "seizure")])
            } throws: {
                if case .invalid(field: "entries[1].code", _) = $0 as? StoreError { return true } else { return false }
            }

        case .readingsIgnoreDuplicatesAndComeBackInOrder:
            let (patient, clinician) = try await Self.patientWithClinician(t)
            let write = try await gate.authorize(clinician, .write, .monitoring, patient: patient, requestID: "r")
            let base: Int64 = 1_790_000_000_000
            // 5,000 readings: more than two INSERT statements' worth, written newest first to prove the read orders them.
            let readings = (0..<5_000).reversed().map { n in
                Reading(kind: .bloodPressure, at: base + Int64(n) * 60_000, value: 120 + Double(n % 20), value2: 80, source: .home, utcOffsetMinutes: 60)
            }
            let first = try await store.addReadings(write, patient: patient, readings)
            #expect(first == .init(inserted: 5_000, duplicates: 0))
            // The same batch again plus one repeat inside the batch and one new reading: only the new one is stored.
            let extra = Reading(kind: .weight, at: base, value: 80.5, source: .device, externalID: "scale-1")
            let second = try await store.addReadings(
                try await gate.authorize(clinician, .write, .monitoring, patient: patient, requestID: "r2"), patient: patient,
                readings + [readings[0], extra])
            #expect(second == .init(inserted: 1, duplicates: 5_001))
            let read = try await gate.authorize(clinician, .read, .monitoring, patient: patient, requestID: "r3")
            let back = try await store.readings(read, patient: patient, kinds: [.bloodPressure])
            #expect(back.count == 5_000)
            #expect(back.first?.at == base && back.last?.at == base + 4_999 * 60_000)
            #expect(back.first?.value2 == 80 && back.first?.utcOffsetMinutes == 60)
            #expect(zip(back, back.dropFirst()).allSatisfy { $0.at < $1.at })
            let window = try await store.readings(read, patient: patient, from: base, to: base + 60_000 * 9)
            #expect(window.count == 11)  // 10 BP readings and the weight
            #expect(window.contains { $0.kind == .weight && $0.externalID == "scale-1" })
            // Another patient's series is separate.
            let other = try await store.createPatient(
                try await gate.authorize(clinician, .write, .patientRegistration, requestID: "r4"), .init(givenName: "C", familyName: "D"))
            let otherWrite = try await gate.authorize(clinician, .write, .monitoring, patient: other.id, requestID: "r5")
            #expect(try await store.addReadings(otherWrite, patient: other.id, Array(readings.prefix(3))).inserted == 3)
            // A grant for one patient cannot write another's series.
            await #expect(throws: (any Error).self) { _ = try await store.addReadings(otherWrite, patient: patient, [extra]) }

        case .goalVersionsAreAppendOnlyAndConflictsAreRefused:
            let (patient, clinician) = try await Self.patientWithClinician(t)
            let plan = try await store.saveCarePlan(
                try await gate.authorize(clinician, .write, .clinicalRecord, patient: patient, requestID: "r"), patient: patient,
                guideline: "aha-acc-2025", knowledge: "careplan 1", document: "{}",
                goals: [.init(lifecycleStatus: "proposed", document: #"{"v":1}"#), .init(lifecycleStatus: "proposed", document: #"{"other":1}"#)]
            ).plan
            let saved = try await store.goalVersions(
                try await gate.authorize(clinician, .read, .clinicalRecord, patient: patient, requestID: "r"), patient: patient)
            #expect(saved.count == 2 && saved.allSatisfy { $0.version == 1 && $0.planID == plan.id && $0.action == "proposed" })
            let goal = try #require(saved.first { $0.document == #"{"v":1}"# }).goalID
            let patientUser = try await t.user("pat", .patient, patient: patient)
            _ = try await store.appendGoalVersion(
                try await gate.authorize(patientUser, .write, .clinicalRecord, patient: patient, requestID: "r"), patient: patient, goal: goal,
                version: 2, planID: plan.id, lifecycleStatus: "accepted", action: "accepted", note: "ok", document: #"{"v":2}"#)
            // A change made against version 1 again is a conflict, not a silent overwrite.
            await #expect {
                _ = try await store.appendGoalVersion(
                    try await gate.authorize(clinician, .write, .clinicalRecord, patient: patient, requestID: "r"), patient: patient, goal: goal,
                    version: 2, planID: plan.id, lifecycleStatus: "rejected", action: "declined", note: nil, document: "{}")
            } throws: { error in
                if case .conflict = error as? StoreError { return true } else { return false }
            }
            let history = try await store.goalVersions(
                try await gate.authorize(clinician, .read, .clinicalRecord, patient: patient, requestID: "r"), patient: patient)
            let thisGoal = history.filter { $0.goalID == goal }
            #expect(thisGoal.map(\.version) == [1, 2])
            #expect(thisGoal.map(\.lifecycleStatus) == ["proposed", "accepted"])
            #expect(thisGoal.last?.recordedRole == .patient)
            #expect(history.count == 3)
            await #expect(throws: (any Error).self) {
                try await t.database.write { db in try await db.raw("UPDATE care_goals SET lifecycle_status = 'completed'").run() }
            }
            await #expect(throws: (any Error).self) {
                try await t.database.write { db in try await db.raw("DELETE FROM care_plans").run() }
            }
            let plans = try await store.carePlans(
                try await gate.authorize(clinician, .read, .clinicalRecord, patient: patient, requestID: "r"), patient: patient)
            #expect(plans.map(\.id) == [plan.id])
        }
    }
    static func patientWithClinician(_ t: TestDatabase) async throws -> (PatientID, Principal) {
        let clinician = try await t.user("doc", .clinician)
        let patient = try await t.store.createPatient(
            try await t.gate.authorize(clinician, .write, .patientRegistration, requestID: "r"), .init(givenName: "A", familyName: "B"))
        return (patient.id, clinician)
    }

    static func dataset(_ t: TestDatabase, _ patient: PatientID, _ clinician: Principal) async throws -> (dataset: Dataset, samples: [Sample], runs: [AnalysisRun]) {
        let dataset = Dataset(
            id: .random(), patientID: patient, kind: .germlineVCF, filename: "a.vcf", sizeBytes: 10, sha256: "00", genomeBuild: "GRCh38",
            createdAt: t.store.now(), createdBy: clinician.userID)
        return try await t.store.createDataset(
            try await t.gate.authorize(clinician, .write, .genomicData, patient: patient, requestID: "r"), dataset,
            blob: .init(name: "b" + UUID().uuidString.prefix(8), wrappedKey: "k"), sampleNames: ["S1"], analysers: ["pgx"])
    }

    static func finding(_ claim: JobQueue.Claim, subject: String) -> Finding {
        Finding(
            id: .random(), patientID: claim.run.patientID, runID: claim.run.id, datasetID: claim.dataset.id, kind: "pgx.gene", subject: subject,
            summary: subject, evidence: "{}", provenance: Provenance(analyser: "pgx", analyserVersion: "1", knowledge: ["pgx": "v"], inputDigests: [:]),
            createdAt: 1)
    }
}

/// A clock tests move by hand (break-glass expiry).
struct ManualClock: Sendable {
    private let box = Box()
    final class Box: @unchecked Sendable {
        // Only touched from the test's own task between awaits; a lock keeps the reader safe anyway.
        let lock = NSLock()
        var now: Int64 = 1_800_000_000_000
    }

    var reader: @Sendable () -> Int64 {
        let box = self.box
        return { box.lock.lock(); defer { box.lock.unlock() }; return box.now }
    }

    mutating func advance(by millis: Int64) {
        box.lock.lock()
        box.now += millis
        box.lock.unlock()
    }
}

@Suite("Store on SQLite") struct StoreSQLiteTests {
    @Test(arguments: StoreScenario.allCases)
    func scenario(_ scenario: StoreScenario) async throws { try await scenario.run(on: .sqlite) }
}

@Suite("Store on PostgreSQL", .enabled(if: TestEngine.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set: PostgreSQL runs skipped"))
struct StorePostgresTests {
    @Test(arguments: StoreScenario.allCases)
    func scenario(_ scenario: StoreScenario) async throws { try await scenario.run(on: .postgres) }
}
