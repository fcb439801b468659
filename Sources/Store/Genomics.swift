import Foundation
public import Records
import SQLKit

/// Datasets, analysis runs and findings.
extension RecordStore {
    /// Where a dataset's encrypted file is: the blob's name and its wrapped data key. Internal to the server.
    public struct BlobReference: Sendable, Hashable {
        public var name: String
        public var wrappedKey: String

        public init(name: String, wrappedKey: String) {
            self.name = name
            self.wrappedKey = wrappedKey
        }
    }

    /// Stores a dataset's row, its samples and one queued run per analyser, in one transaction with the audit entry.
    /// The blob must already be committed to the blob store (a crash between the two leaves an unreferenced blob,
    /// which the next start sweeps away, never a row without its file).
    public func createDataset(
        _ grant: AccessGrant, _ dataset: Dataset, blob: BlobReference, sampleNames: [String], analysers: [String]
    ) async throws -> (dataset: Dataset, samples: [Sample], runs: [AnalysisRun]) {
        try grant.require(.write, .genomicData, dataset.patientID)
        let samples = sampleNames.map { Sample(id: .random(), patientID: dataset.patientID, datasetID: dataset.id, nameInFile: $0) }
        let runs = analysers.map { analyser in
            AnalysisRun(
                id: .random(), patientID: dataset.patientID, datasetID: dataset.id, analyser: analyser, status: .queued, progress: 0, attempts: 0,
                error: nil, createdAt: dataset.createdAt, startedAt: nil, finishedAt: nil, requestedBy: grant.principal.userID)
        }
        try await audited(grant) { db in
            try await db.raw(
                """
                INSERT INTO datasets (patient_id, dataset_id, kind, filename, size_bytes, sha256, genome_build, blob_key, wrapped_key, created_at, created_by)
                VALUES (\(bind: dataset.patientID.rawValue), \(bind: dataset.id.rawValue), \(bind: dataset.kind.rawValue), \(bind: dataset.filename),
                        \(bind: dataset.sizeBytes), \(bind: dataset.sha256), \(bind: dataset.genomeBuild), \(bind: blob.name), \(bind: blob.wrappedKey),
                        \(bind: dataset.createdAt), \(bind: dataset.createdBy.rawValue))
                """
            ).run()
            for sample in samples {
                try await db.raw(
                    """
                    INSERT INTO samples (patient_id, sample_id, dataset_id, name_in_file)
                    VALUES (\(bind: sample.patientID.rawValue), \(bind: sample.id.rawValue), \(bind: sample.datasetID.rawValue), \(bind: sample.nameInFile))
                    """
                ).run()
            }
            for run in runs { try await Self.insert(run, db) }
        }
        return (dataset, samples, runs)
    }

    static func insert(_ run: AnalysisRun, _ db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO analysis_runs (patient_id, run_id, dataset_id, analyser, status, progress, attempts, error, created_at, requested_by)
            VALUES (\(bind: run.patientID.rawValue), \(bind: run.id.rawValue), \(bind: run.datasetID.rawValue), \(bind: run.analyser),
                    \(bind: run.status.rawValue), \(bind: run.progress), \(bind: run.attempts), \(bind: run.error), \(bind: run.createdAt),
                    \(bind: run.requestedBy.rawValue))
            """
        ).run()
    }

    public func datasets(_ grant: AccessGrant, patient id: PatientID) async throws -> [Dataset] {
        try grant.require(.read, .genomicData, id)
        return try await database.read { db in
            try await db.raw("SELECT * FROM datasets WHERE patient_id = \(bind: id.rawValue) ORDER BY created_at DESC, dataset_id").all().map(Self.dataset)
        }
    }

    public func samples(_ grant: AccessGrant, patient id: PatientID) async throws -> [Sample] {
        try grant.require(.read, .genomicData, id)
        return try await database.read { db in
            try await db.raw("SELECT * FROM samples WHERE patient_id = \(bind: id.rawValue) ORDER BY dataset_id, name_in_file").all().map { row in
                Sample(
                    id: SampleID(rawValue: try row.decode(column: "sample_id", as: String.self)),
                    patientID: PatientID(rawValue: try row.decode(column: "patient_id", as: String.self)),
                    datasetID: DatasetID(rawValue: try row.decode(column: "dataset_id", as: String.self)),
                    nameInFile: try row.decode(column: "name_in_file", as: String.self))
            }
        }
    }

    public func runs(_ grant: AccessGrant, patient id: PatientID) async throws -> [AnalysisRun] {
        try grant.require(.read, .findings, id)
        return try await database.read { db in
            try await db.raw("SELECT * FROM analysis_runs WHERE patient_id = \(bind: id.rawValue) ORDER BY created_at DESC, run_id").all().map(Self.run)
        }
    }

    public func run(_ grant: AccessGrant, patient id: PatientID, run runID: RunID) async throws -> AnalysisRun {
        try grant.require(.read, .findings, id)
        let run = try await database.read { db in
            try await db.raw("SELECT * FROM analysis_runs WHERE patient_id = \(bind: id.rawValue) AND run_id = \(bind: runID.rawValue)").first().map(Self.run)
        }
        guard let run else { throw StoreError.notFound("no analysis run \(runID) for this patient") }
        return run
    }

    /// Puts a failed run back in the queue.
    public func retry(_ grant: AccessGrant, patient id: PatientID, run runID: RunID) async throws -> AnalysisRun {
        try grant.require(.write, .findings, id)
        return try await audited(grant) { db in
            guard let run = try await db.raw(
                "SELECT * FROM analysis_runs WHERE patient_id = \(bind: id.rawValue) AND run_id = \(bind: runID.rawValue)").first().map(Self.run)
            else { throw StoreError.notFound("no analysis run \(runID) for this patient") }
            guard run.status == .failed else {
                throw StoreError.conflict("run \(runID) is \(run.status.rawValue); only a failed run can be retried")
            }
            try await db.raw(
                "UPDATE analysis_runs SET status = 'queued', progress = 0, error = NULL, finished_at = NULL WHERE run_id = \(bind: runID.rawValue)"
            ).run()
            var updated = run
            updated.status = .queued
            updated.progress = 0
            updated.error = nil
            updated.finishedAt = nil
            return updated
        }
    }

    /// Findings of a patient: the current ones (latest succeeded run per dataset and analyser), or all ever written.
    public func findings(_ grant: AccessGrant, patient id: PatientID, includeSuperseded: Bool = false, limit: Int = 1000) async throws -> [Finding] {
        try grant.require(.read, .findings, id)
        let limit = max(1, min(limit, 5000))
        // Findings the consent withholds are left out in the query, so they do not take places under the limit; the
        // filter after it is the same rule, kept as the one definition (`Finding.visible(under:)`).
        let hidden = grant.consent.secondaryFindings ? nil : Finding.secondaryFindingKind
        return try await database.read { db in
            var query: SQLQueryString
            if includeSuperseded {
                query = "SELECT * FROM findings f WHERE f.patient_id = \(bind: id.rawValue)"
                if let hidden { query.appendInterpolation(" AND f.kind <> \(bind: hidden)" as SQLQueryString) }
                query.appendInterpolation(" ORDER BY f.created_at DESC, f.finding_id LIMIT \(unsafeRaw: String(limit))" as SQLQueryString)
            } else {
                query = Self.currentFindingsQuery(id, columns: "f.*", excludingKind: hidden, limit: limit)
            }
            return try await db.raw(query).all().map(Self.finding)
        }.filter { $0.visible(under: grant.consent) }
    }

    public func finding(_ grant: AccessGrant, patient id: PatientID, finding findingID: FindingID) async throws -> Finding {
        try grant.require(.read, .findings, id)
        let finding = try await database.read { db in
            try await db.raw("SELECT * FROM findings WHERE patient_id = \(bind: id.rawValue) AND finding_id = \(bind: findingID.rawValue)").first()
                .map(Self.finding)
        }
        // A secondary finding the patient has not opted in to receive is, for this request, not there.
        guard let finding, finding.visible(under: grant.consent) else { throw StoreError.notFound("no finding \(findingID) for this patient") }
        return finding
    }

    static func dataset(_ row: any SQLRow) throws -> Dataset {
        Dataset(
            id: DatasetID(rawValue: try row.decode(column: "dataset_id", as: String.self)),
            patientID: PatientID(rawValue: try row.decode(column: "patient_id", as: String.self)),
            kind: DatasetKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .germlineVCF,
            filename: try row.decode(column: "filename", as: String.self),
            sizeBytes: try row.decode(column: "size_bytes", as: Int64.self),
            sha256: try row.decode(column: "sha256", as: String.self),
            genomeBuild: try row.decode(column: "genome_build", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self),
            createdBy: UserID(rawValue: try row.decode(column: "created_by", as: String.self)))
    }

    static func finding(_ row: any SQLRow) throws -> Finding {
        Finding(
            id: FindingID(rawValue: try row.decode(column: "finding_id", as: String.self)),
            patientID: PatientID(rawValue: try row.decode(column: "patient_id", as: String.self)),
            runID: RunID(rawValue: try row.decode(column: "run_id", as: String.self)),
            datasetID: DatasetID(rawValue: try row.decode(column: "dataset_id", as: String.self)),
            kind: try row.decode(column: "kind", as: String.self),
            subject: try row.decode(column: "subject", as: String.self),
            summary: try row.decode(column: "summary", as: String.self),
            label: try row.decode(column: "label", as: String?.self),
            interpretation: try row.decode(column: "interpretation", as: String?.self),
            evidence: try row.decode(column: "evidence", as: String.self),
            provenance: try JSONCoding.decode(Provenance.self, from: try row.decode(column: "provenance", as: String.self)),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }
}

/// The analysis queue, worked by the server's job runner. The runner acts as the system, not as a user: every
/// read of a genome and every write of findings it makes is audited under the run and the user who requested it.
public struct JobQueue: Sendable {
    public let store: RecordStore
    public init(store: RecordStore) { self.store = store }

    /// A claimed run, with what the runner needs to read the dataset.
    public struct Claim: Sendable {
        public var run: AnalysisRun
        public var dataset: Dataset
        public var blob: RecordStore.BlobReference
        public var sampleNames: [String]
    }

    /// How often a running analysis proves it is alive, and how old its last proof may be before another
    /// process takes the run back.
    public static let heartbeatInterval: Int64 = 5_000
    public static let staleAfter: Int64 = 30_000

    /// Runs left `running` by a process that died go back to the queue. On SQLite (one server process by design)
    /// every running run is taken back at start; on PostgreSQL, shared by several processes, only runs whose
    /// heartbeat is older than ``staleAfter``, so a live peer's work is never taken from it.
    @discardableResult
    public func requeueInterrupted(all: Bool) async throws -> Int {
        let cutoff = store.now() - Self.staleAfter
        return try await store.database.write { db in
            let condition: SQLQueryString =
                all ? "status = 'running'" : "status = 'running' AND COALESCE(heartbeat_at, started_at) <= \(bind: cutoff)"
            let rows = try await db.raw(
                "UPDATE analysis_runs SET status = 'queued', progress = 0 WHERE \(condition) RETURNING run_id"
            ).all()
            return rows.count
        }
    }

    /// Records that `run` is still being worked on.
    public func heartbeat(_ run: RunID) async throws {
        let now = store.now()
        try await store.database.write { db in
            try await db.raw("UPDATE analysis_runs SET heartbeat_at = \(bind: now) WHERE run_id = \(bind: run.rawValue) AND status = 'running'").run()
        }
    }

    /// Takes the oldest queued run, marking it running, and audits the genome read it is about to make.
    public func claimNext() async throws -> Claim? {
        let engine = store.engine
        let now = store.now()
        return try await store.database.write { db in
            let skip = engine == .postgres ? " FOR UPDATE SKIP LOCKED" : ""
            guard let row = try await db.raw(
                "SELECT * FROM analysis_runs WHERE status = 'queued' ORDER BY created_at, run_id LIMIT 1\(unsafeRaw: skip)").first()
            else { return nil }
            var run = try RecordStore.run(row)
            try await db.raw(
                "UPDATE analysis_runs SET status = 'running', attempts = attempts + 1, started_at = \(bind: now), heartbeat_at = \(bind: now), progress = 0 WHERE run_id = \(bind: run.id.rawValue)"
            ).run()
            run.status = .running
            run.attempts += 1
            run.startedAt = now
            guard let datasetRow = try await db.raw("SELECT * FROM datasets WHERE dataset_id = \(bind: run.datasetID.rawValue)").first() else {
                throw StoreError.notFound("dataset \(run.datasetID) of run \(run.id) is missing")
            }
            let dataset = try RecordStore.dataset(datasetRow)
            let blob = RecordStore.BlobReference(
                name: try datasetRow.decode(column: "blob_key", as: String.self), wrappedKey: try datasetRow.decode(column: "wrapped_key", as: String.self))
            let samples = try await db.raw("SELECT name_in_file FROM samples WHERE dataset_id = \(bind: dataset.id.rawValue) ORDER BY name_in_file").all()
                .map { try $0.decode(column: "name_in_file", as: String.self) }
            try await AuditLog.append(
                [
                    AuditRecord(
                        time: now, actor: "system", actorRole: "system", action: Action.read.rawValue, resource: Resource.genomicData.rawValue,
                        patientID: run.patientID, purpose: PurposeOfUse.treatment.rawValue, outcome: .allow,
                        reason: "analysis run \(run.id) (\(run.analyser)) requested by \(run.requestedBy), attempt \(run.attempts)", requestID: run.id.rawValue)
                ], in: db, engine: engine)
            return Claim(run: run, dataset: dataset, blob: blob, sampleNames: samples)
        }
    }

    public func progress(_ run: RunID, _ value: Double) async throws {
        try await store.database.write { db in
            try await db.raw("UPDATE analysis_runs SET progress = \(bind: min(max(value, 0), 1)) WHERE run_id = \(bind: run.rawValue) AND status = 'running'").run()
        }
    }

    /// Writes every finding and marks the run succeeded, in one transaction: a run has all its findings or none.
    public func complete(_ run: AnalysisRun, findings: [Finding]) async throws {
        let engine = store.engine
        let now = store.now()
        try await store.database.write { db in
            for finding in findings {
                try await db.raw(
                    """
                    INSERT INTO findings (patient_id, finding_id, run_id, dataset_id, kind, subject, summary, label, interpretation, evidence, provenance, created_at)
                    VALUES (\(bind: finding.patientID.rawValue), \(bind: finding.id.rawValue), \(bind: finding.runID.rawValue), \(bind: finding.datasetID.rawValue),
                            \(bind: finding.kind), \(bind: finding.subject), \(bind: finding.summary), \(bind: finding.label), \(bind: finding.interpretation),
                            \(bind: finding.evidence), \(bind: try JSONCoding.encode(finding.provenance)), \(bind: finding.createdAt))
                    """
                ).run()
            }
            try await db.raw(
                "UPDATE analysis_runs SET status = 'succeeded', progress = 1, error = NULL, finished_at = \(bind: now) WHERE run_id = \(bind: run.id.rawValue)"
            ).run()
            try await AuditLog.append(
                [
                    AuditRecord(
                        time: now, actor: "system", actorRole: "system", action: Action.write.rawValue, resource: Resource.findings.rawValue,
                        patientID: run.patientID, purpose: PurposeOfUse.treatment.rawValue, outcome: .allow,
                        reason: "analysis run \(run.id) (\(run.analyser)) stored \(findings.count) findings", requestID: run.id.rawValue)
                ], in: db, engine: engine)
        }
    }

    /// Records why a run failed; it can be retried.
    public func fail(_ run: AnalysisRun, error message: String) async throws {
        let now = store.now()
        try await store.database.write { db in
            try await db.raw(
                "UPDATE analysis_runs SET status = 'failed', error = \(bind: String(message.prefix(2000))), finished_at = \(bind: now) WHERE run_id = \(bind: run.id.rawValue)"
            ).run()
        }
    }

    /// Names of every blob a dataset row refers to (everything else in the blob store is debris from a crash).
    public func referencedBlobs() async throws -> Set<String> {
        try await store.database.read { db in
            Set(try await db.raw("SELECT blob_key FROM datasets").all().map { try $0.decode(column: "blob_key", as: String.self) })
        }
    }
}

/// What decision support reads of a current finding: no provenance, and the evidence JSON only when asked for.
/// Decoding every finding's provenance and copying every evidence document was most of a CDS Hooks call's time.
public struct FindingContent: Sendable, Hashable {
    /// Findings never change once written, so callers may cache what they derive from one under its ID.
    public var id: FindingID
    public var kind: String
    public var subject: String
    public var label: String?
    public var interpretation: String?
    /// The evidence JSON, when it was asked for.
    public var evidence: String?
}

extension RecordStore {
    /// The patient's current findings (as ``findings(_:patient:includeSuperseded:limit:)`` reads them) whose kind
    /// starts with `kindPrefix`, with the evidence of those `withEvidence` picks (it sees them without).
    public func findingContent(
        _ grant: AccessGrant, patient id: PatientID, kindPrefix: String, limit: Int = 5000,
        withEvidence: @escaping @Sendable (FindingContent) -> Bool
    ) async throws -> [FindingContent] {
        try grant.require(.read, .findings, id)
        let limit = max(1, min(limit, 5000))
        return try await database.read { db in
            let current: SQLQueryString = """
                f.patient_id = \(bind: id.rawValue) AND f.run_id IN (
                    SELECT r.run_id FROM analysis_runs r WHERE r.patient_id = \(bind: id.rawValue) AND \(unsafeRaw: Self.runIsCurrent))
                """
            var query: SQLQueryString = "SELECT f.finding_id, f.kind, f.subject, f.label, f.interpretation FROM findings f WHERE "
            query.appendInterpolation(current)
            query.appendInterpolation(
                " AND \(Self.kindHasPrefix(kindPrefix)) ORDER BY f.kind, f.subject, f.finding_id LIMIT \(unsafeRaw: String(limit))" as SQLQueryString)
            var ids: [String] = []
            var contents: [FindingContent] = []
            for row in try await db.raw(query).all() {
                ids.append(try row.decode(column: "finding_id", as: String.self))
                contents.append(
                    FindingContent(
                        id: FindingID(rawValue: ids[ids.count - 1]), kind: try row.decode(column: "kind", as: String.self), subject: try row.decode(column: "subject", as: String.self),
                        label: try row.decode(column: "label", as: String?.self),
                        interpretation: try row.decode(column: "interpretation", as: String?.self), evidence: nil))
            }
            let wanted = contents.indices.filter { withEvidence(contents[$0]) }
            guard !wanted.isEmpty else { return contents }
            var position: [String: Int] = [:]
            for index in wanted { position[ids[index]] = index }
            for chunk in wanted.chunked(into: 400) {
                var evidenceQuery: SQLQueryString = "SELECT f.finding_id, f.evidence FROM findings f WHERE f.finding_id IN ("
                for (offset, index) in chunk.enumerated() {
                    evidenceQuery.appendInterpolation(offset == 0 ? "\(bind: ids[index])" as SQLQueryString : ", \(bind: ids[index])" as SQLQueryString)
                }
                evidenceQuery.appendLiteral(")")
                for row in try await db.raw(evidenceQuery).all() {
                    if let index = position[try row.decode(column: "finding_id", as: String.self)] {
                        contents[index].evidence = try row.decode(column: "evidence", as: String.self)
                    }
                }
            }
            return contents
        }
    }
}
