import Foundation
public import Interop
public import Records
import SQLKit

/// Applying a FHIR ``ImportPlan`` (from `FHIRBundleImporter.plan`) to the record: one transaction per bundle.
///
/// Who may import: the caller's grant is a `write` on `patient_registration` (clinicians, genetic counsellors and
/// administrators). A Patient in the bundle that is not yet in the record is registered from it, with everything the
/// bundle holds about them (the bundle is the registration, as `POST /patients` is; a clinician or counsellor who
/// imports joins the new patient's care team). A Patient already in the record (same `Patient/<id>` key, or same MRN)
/// is matched; adding entries to a matched record needs, in addition, a `write` on that patient's clinical record,
/// asked through the same gate (`authorizeExisting`) before the transaction starts, so the care team and consent
/// apply exactly as for `POST /patients/{id}/entries`. Re-importing a bundle whose entries are all present writes
/// nothing to the record and needs no grant beyond registration.
///
/// Idempotency: every entry carries its `source_key`; keys already stored for the patient are skipped and reported
/// as already present. Audit: one entry per Patient in the bundle (who, purpose, what was created or matched, counts),
/// plus the clinical-record grant's entry for each matched patient that received new entries, all committed with
/// the import itself.
extension RecordStore {
    /// What one import did.
    public struct FHIRImportResult: Sendable, Codable, Hashable {
        /// One Patient of the bundle.
        public struct PatientOutcome: Sendable, Codable, Hashable {
            public var sourceKey: String
            public var patientID: PatientID
            /// Registered by this import (else matched to an existing record).
            public var created: Bool
            public var inserted: Int
            public var alreadyPresent: Int
        }

        /// What became of one bundle entry that maps to the record.
        public struct ResourceOutcome: Sendable, Codable, Hashable {
            public enum Status: String, Sendable, Codable, Hashable {
                /// A new patient, or at least one new entry.
                case created
                /// An existing patient, or entries that were all stored before.
                case alreadyPresent = "already-present"
            }

            public var entryIndex: Int
            public var resourceType: String
            public var sourceKey: String
            public var status: Status
            public var patientID: PatientID
            /// The record entries the resource is stored as (two for a blood pressure); empty for a Patient.
            public var entryIDs: [EntryID]
        }

        public var bundleType: String
        public var totalEntries: Int
        public var patientsCreated: Int
        public var patientsMatched: Int
        /// Kind (`observation`, `procedure`, …) → entries inserted.
        public var inserted: [String: Int]
        /// Kind → entries that were already stored (same source key).
        public var alreadyPresent: [String: Int]
        /// `ResourceType: reason` → count, for bundle entries that map to nothing.
        public var skipped: [String: Int]
        public var patients: [PatientOutcome]
        /// Per mapped bundle entry, in bundle order.
        public var resources: [ResourceOutcome]

        public var insertedTotal: Int { inserted.values.reduce(0, +) }
        public var alreadyPresentTotal: Int { alreadyPresent.values.reduce(0, +) }
    }

    /// Imports one bundle's plan in one transaction: all of it or, on any error, nothing.
    ///
    /// - Parameters:
    ///   - grant: a `write` on `patient_registration`.
    ///   - authorizeExisting: asks the gate for a `write` on `clinical_record` of a matched patient that would receive
    ///     new entries (throws ``AccessDenied`` to refuse, which fails the whole import).
    /// - Throws: ``FHIRImportError`` naming the entry and path for content the record cannot hold; ``StoreError``
    ///   `.conflict` for an MRN that belongs to a different imported patient or a record that changed during the
    ///   import; ``AccessDenied`` from `authorizeExisting`.
    public func importFHIR(
        _ grant: AccessGrant, plan: ImportPlan, authorizeExisting: @Sendable (PatientID) async throws -> AccessGrant
    ) async throws -> FHIRImportResult {
        try grant.require(.write, .patientRegistration, nil)
        try Self.validate(plan)
        // Before the transaction (the gate must not wait on the writer this transaction holds): which matched
        // patients would receive new entries, and the grants for them.
        let needing: [PatientID] = try await database.read { db in
            var ids: [PatientID] = []
            for patient in plan.patients {
                // A conflicting MRN is reported by the transaction, which checks every match again.
                let found: PatientMatch?
                do { found = try await Self.match(patient, in: db, lock: false) } catch StoreError.conflict { found = nil }
                guard let match = found else { continue }
                let present = try await Self.presentKeys(match.id, in: db)
                if patient.entries.contains(where: { $0.entryType != nil && present[$0.source.key] == nil }) { ids.append(match.id) }
            }
            return ids
        }
        var recordGrants: [PatientID: AccessGrant] = [:]
        for id in needing where recordGrants[id] == nil {
            let recordGrant = try await authorizeExisting(id)
            try recordGrant.require(.write, .clinicalRecord, id)
            recordGrants[id] = recordGrant
        }
        let grants = recordGrants
        let stamp = now()
        let engine = self.engine
        return try await database.write { db in
            try await Self.apply(plan, grant: grant, recordGrants: grants, stamp: stamp, engine: engine, in: db)
        }
    }

    // MARK: Steps

    /// Checks what the database would refuse (or what PostgreSQL cannot store) before anything is written, naming the
    /// FHIR path.
    static func validate(_ plan: ImportPlan) throws(FHIRImportError) {
        for patient in plan.patients {
            let index = patient.source.entryIndex
            guard ["female", "male", "other", "unknown"].contains(patient.sex) else {
                throw .invalid(entry: index, path: "entry[\(index)].resource.gender", message: "'\(patient.sex.prefix(40))' is not female, male, other or unknown")
            }
            for (field, value) in [("name", patient.givenName + patient.familyName), ("identifier", patient.mrn ?? ""), ("id", patient.source.key)]
            where value.contains("\0") {
                throw .invalid(entry: index, path: "entry[\(index)].resource.\(field)", message: "contains the NUL character")
            }
            for entry in patient.entries {
                let texts = [entry.category, entry.system, entry.code, entry.display ?? "", entry.valueText ?? "", entry.unit ?? "", entry.status ?? "", entry.source.key]
                if texts.contains(where: { $0.contains("\0") }) {
                    throw .invalid(entry: entry.source.entryIndex, path: "entry[\(entry.source.entryIndex)].resource", message: "contains the NUL character")
                }
                if let number = entry.valueNumber, !number.isFinite {
                    throw .invalid(entry: entry.source.entryIndex, path: "entry[\(entry.source.entryIndex)].resource.valueQuantity.value", message: "is not a finite number")
                }
            }
        }
    }

    struct PatientMatch {
        var id: PatientID
        /// The matched row has no source key yet (matched by MRN): the import records it.
        var stampKey: Bool
    }

    /// The existing patient a bundle Patient is: by source key, else by MRN. An MRN held by a patient imported from a
    /// different source key is a conflict (two records claim one MRN), not a match.
    static func match(_ patient: ImportedPatient, in db: any SQLDatabase, lock: Bool) async throws -> PatientMatch? {
        let key = patient.source.key
        let suffix = lock ? " FOR UPDATE" : ""
        if let row = try await db.raw("SELECT patient_id FROM patients WHERE source_key = \(bind: key)\(unsafeRaw: suffix)").first() {
            return PatientMatch(id: PatientID(rawValue: try row.decode(column: "patient_id", as: String.self)), stampKey: false)
        }
        guard let mrn = patient.mrn, !mrn.isEmpty,
            let row = try await db.raw("SELECT patient_id, source_key FROM patients WHERE mrn = \(bind: mrn)\(unsafeRaw: suffix)").first()
        else { return nil }
        if let other = try row.decode(column: "source_key", as: String?.self), other != key {
            let index = patient.source.entryIndex
            throw StoreError.conflict(
                "entry[\(index)].resource.identifier: MRN '\(mrn.prefix(64))' belongs to a patient imported from \(other), not \(key)")
        }
        return PatientMatch(id: PatientID(rawValue: try row.decode(column: "patient_id", as: String.self)), stampKey: true)
    }

    /// Source key → entry ID of the entries already stored for a patient.
    static func presentKeys(_ id: PatientID, in db: any SQLDatabase) async throws -> [String: EntryID] {
        var keys: [String: EntryID] = [:]
        for row in try await db.raw(
            "SELECT source_key, entry_id FROM clinical_entries WHERE patient_id = \(bind: id.rawValue) AND source_key IS NOT NULL"
        ).all() {
            keys[try row.decode(column: "source_key", as: String.self)] = EntryID(rawValue: try row.decode(column: "entry_id", as: String.self))
        }
        return keys
    }

    /// The transaction's body.
    static func apply(
        _ plan: ImportPlan, grant: AccessGrant, recordGrants: [PatientID: AccessGrant], stamp: Int64, engine: SQLEngine, in db: any SQLDatabase
    ) async throws -> FHIRImportResult {
        let principal = grant.principal
        var result = FHIRImportResult(
            bundleType: plan.report.bundleType, totalEntries: plan.report.totalEntries, patientsCreated: 0, patientsMatched: 0, inserted: [:],
            alreadyPresent: [:], skipped: [:], patients: [], resources: [])
        for (skip, count) in plan.report.skipped { result.skipped[skip.description, default: 0] += count }
        var audits: [AuditRecord] = []

        for patient in plan.patients {
            let match = try await Self.match(patient, in: db, lock: engine == .postgres)
            let id: PatientID
            var present: [String: EntryID] = [:]
            if let match {
                id = match.id
                if match.stampKey {
                    try await db.raw("UPDATE patients SET source_key = \(bind: patient.source.key) WHERE patient_id = \(bind: id.rawValue)").run()
                }
                present = try await presentKeys(id, in: db)
            } else {
                id = .random()
                let row = patient.patient(id: id, createdAt: stamp)
                try await db.raw(
                    """
                    INSERT INTO patients (patient_id, mrn, given_name, family_name, birth_date, sex, created_at, created_by, source_key)
                    VALUES (\(bind: id.rawValue), \(bind: row.mrn), \(bind: row.givenName), \(bind: row.familyName), \(bind: row.birthDate),
                            \(bind: row.sex), \(bind: stamp), \(bind: principal.userID.rawValue), \(bind: patient.source.key))
                    """
                ).run()
                if principal.role == .clinician || principal.role == .geneticCounsellor {
                    try await db.raw(
                        """
                        INSERT INTO care_team_members (patient_id, user_id, added_at, added_by)
                        VALUES (\(bind: id.rawValue), \(bind: principal.userID.rawValue), \(bind: stamp), \(bind: principal.userID.rawValue))
                        """
                    ).run()
                }
            }

            // New rows, and per resource (entry index) what happened.
            var rows: [(ClinicalEntry, String)] = []
            var perResource: [Int: FHIRImportResult.ResourceOutcome] = [:]
            var order: [Int] = []
            var inserted = 0, already = 0
            for entry in patient.entries {
                let index = entry.source.entryIndex
                guard entry.entryType != nil else {
                    result.skipped["\(entry.source.resourceType): \(ImportSkip.Reason.noEntryType)", default: 0] += 1
                    continue
                }
                if perResource[index] == nil {
                    order.append(index)
                    // The resource's own key (a component's key adds `/component/…` to it).
                    let key = entry.source.key.components(separatedBy: "/component/")[0]
                    perResource[index] = .init(
                        entryIndex: index, resourceType: entry.source.resourceType, sourceKey: key, status: .alreadyPresent, patientID: id,
                        entryIDs: [])
                }
                if let existing = present[entry.source.key] {
                    perResource[index]?.entryIDs.append(existing)
                    result.alreadyPresent[entry.kind.rawValue, default: 0] += 1
                    already += 1
                } else if let row = entry.clinicalEntry(id: .random(), patientID: id, recordedAt: stamp, recordedBy: principal.userID) {
                    rows.append((row, entry.source.key))
                    present[entry.source.key] = row.id
                    perResource[index]?.entryIDs.append(row.id)
                    perResource[index]?.status = .created
                    result.inserted[entry.kind.rawValue, default: 0] += 1
                    inserted += 1
                }
            }
            if match != nil, !rows.isEmpty {
                // Asked for before the transaction; a record that gained a match since then was not authorised.
                guard let recordGrant = recordGrants[id] else {
                    throw StoreError.conflict("the record of \(patient.source.key) changed during the import; import the bundle again")
                }
                try recordGrant.require(.write, .clinicalRecord, id)
                if var entry = recordGrant.pendingAudit {
                    entry.reason += ": FHIR import of \(rows.count) entries from \(patient.source.key)"
                    audits.append(entry)
                }
            }
            try await insertEntries(rows, in: db)

            if var entry = grant.pendingAudit {
                entry.patientID = id
                entry.reason +=
                    match == nil
                    ? ": FHIR import registered \(patient.source.key) with \(inserted) entries"
                    : ": FHIR import matched \(patient.source.key) (\(inserted) new entries, \(already) already present)"
                audits.append(entry)
            }
            if match == nil { result.patientsCreated += 1 } else { result.patientsMatched += 1 }
            result.patients.append(.init(sourceKey: patient.source.key, patientID: id, created: match == nil, inserted: inserted, alreadyPresent: already))
            result.resources.append(
                .init(
                    entryIndex: patient.source.entryIndex, resourceType: "Patient", sourceKey: patient.source.key, status: match == nil ? .created : .alreadyPresent,
                    patientID: id, entryIDs: []))
            result.resources.append(contentsOf: order.compactMap { perResource[$0] })
        }
        if plan.patients.isEmpty, var entry = grant.pendingAudit {
            entry.reason += ": FHIR import of a bundle with no Patient (nothing stored)"
            audits.append(entry)
        }
        result.resources.sort { $0.entryIndex < $1.entryIndex }
        try await AuditLog.append(audits, in: db, engine: engine)
        return result
    }

    /// Multi-row INSERTs of 400 rows (15 parameters each: under both engines' bind-parameter limits).
    static func insertEntries(_ rows: [(ClinicalEntry, String)], in db: any SQLDatabase) async throws {
        for slice in rows.chunked(into: 400) {
            var query = SQLQueryString(
                "INSERT INTO clinical_entries (patient_id, entry_id, entry_type, category, code_system, code, display, value_number, value_text, unit, status, effective_at, recorded_at, recorded_by, source_key) VALUES "
            )
            for (index, (r, key)) in slice.enumerated() {
                if index > 0 { query.appendLiteral(", ") }
                query.appendInterpolation(
                    """
                    (\(bind: r.patientID.rawValue), \(bind: r.id.rawValue), \(bind: r.type.rawValue), \(bind: r.category), \(bind: r.system), \
                    \(bind: r.code), \(bind: r.display), \(bind: r.valueNumber), \(bind: r.valueText), \(bind: r.unit), \(bind: r.status), \
                    \(bind: r.effectiveAt), \(bind: r.recordedAt), \(bind: r.recordedBy.rawValue), \(bind: key))
                    """ as SQLQueryString)
            }
            try await db.raw(query).run()
        }
    }
}
