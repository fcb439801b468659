import Foundation
import SQLKit

/// Migration `0004_fhir_import`: what FHIR import needs from the schema.
///
/// - `clinical_entries.source_key` (nullable): the importer's idempotency key (`Observation/abc`, or
///   `Observation/abc/component/<system>|<code>` for a blood-pressure component), unique per patient, so importing a
///   bundle twice cannot duplicate an entry. Entries written through the REST API have none.
/// - `patients.source_key` (nullable, unique): the FHIR Patient's key (`Patient/<id>`), so a re-imported Patient is
///   matched to the record it created. A Patient with no match by key is matched by MRN (an MR-typed identifier)
///   when one is registered, which links records registered by hand to their EHR export.
/// - the entry types `procedure`, `encounter` and `report`, so Procedure, Encounter and DiagnosticReport are stored
///   rather than skipped. PostgreSQL swaps the CHECK constraint; SQLite cannot alter a CHECK, so the table is rebuilt
///   from its own current definition (whatever columns, indexes and triggers earlier migrations gave it), with
///   only the CHECK's list changed, rows copied as they are. The allowed values are the union of what the
///   existing CHECK allows and the new types, so a type added by another migration is kept.
enum FHIRImportSchema {
    static let name = "0004_fhir_import"
    static let newEntryTypes = ["procedure", "encounter", "report"]

    static let migration = Migration(
        name: name,
        statements: { _ in
            [
                "ALTER TABLE patients ADD COLUMN source_key TEXT",
                "CREATE UNIQUE INDEX patients_by_source_key ON patients (source_key)",
            ]
        },
        run: { db, engine in
            switch engine {
            case .sqlite: try await rebuildSQLite(db)
            case .postgres: try await alterPostgres(db)
            }
            try await db.raw("ALTER TABLE clinical_entries ADD COLUMN source_key TEXT").run()
            try await db.raw("CREATE UNIQUE INDEX entries_by_source_key ON clinical_entries (patient_id, source_key)").run()
        })

    /// The single-quoted values in a CHECK's text (`'observation'`, or PostgreSQL's `'observation'::text`).
    static func quotedValues(in text: Substring) -> [String] {
        var values: [String] = []
        var current: String?
        for character in text {
            if character == "'" {
                if let value = current {
                    values.append(value)
                    current = nil
                } else {
                    current = ""
                }
            } else if current != nil {
                current!.append(character)
            }
        }
        return values
    }

    static func checkList(_ values: [String]) -> String {
        var seen: Set<String> = []
        let unique = values.filter { seen.insert($0).inserted }
        return "entry_type IN (" + unique.map { "'\($0)'" }.joined(separator: ",") + ")"
    }

    static func alterPostgres(_ db: any SQLDatabase) async throws {
        let row = try await db.raw(
            """
            SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
            WHERE c.conrelid = 'clinical_entries'::regclass AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%entry_type%'
            """
        ).first()
        var existing: [String] = []
        if let row {
            let definition = try row.decode(column: "def", as: String.self)
            existing = quotedValues(in: definition[...])
            try await db.raw("ALTER TABLE clinical_entries DROP CONSTRAINT clinical_entries_entry_type_check").run()
        }
        try await db.raw(
            "ALTER TABLE clinical_entries ADD CONSTRAINT clinical_entries_entry_type_check CHECK (\(unsafeRaw: checkList(existing + newEntryTypes)))"
        ).run()
    }

    /// SQLite's documented procedure for a change ALTER TABLE cannot make: create the new table, copy, drop, rename,
    /// recreate indexes and triggers. Refuses (rather than risks cascading deletes) if any table references
    /// `clinical_entries` by foreign key, since dropping the old table would touch its children.
    static func rebuildSQLite(_ db: any SQLDatabase) async throws {
        guard
            let row = try await db.raw("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'clinical_entries'").first()
        else { throw StoreError.migration(name: name, message: "clinical_entries is missing") }
        let definition = try row.decode(column: "sql", as: String.self)
        let tables = try await db.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all()
            .map { try $0.decode(column: "name", as: String.self) }
        for table in tables where table != "clinical_entries" {
            let references = try await db.raw("SELECT \"table\" AS target FROM pragma_foreign_key_list(\(bind: table))").all()
                .map { try $0.decode(column: "target", as: String.self) }
            if references.contains(where: { $0.lowercased() == "clinical_entries" }) {
                throw StoreError.migration(name: name, message: "\(table) references clinical_entries; rebuild it together with clinical_entries")
            }
        }
        guard let check = definition.range(of: "CHECK (entry_type IN (") else {
            throw StoreError.migration(name: name, message: "no CHECK (entry_type IN (…)) in clinical_entries' definition")
        }
        guard let close = definition[check.upperBound...].range(of: "))") else {
            throw StoreError.migration(name: name, message: "unterminated entry_type CHECK")
        }
        let existing = quotedValues(in: definition[check.upperBound..<close.lowerBound])
        var rebuilt = definition
        rebuilt.replaceSubrange(check.lowerBound..<close.upperBound, with: "CHECK (\(checkList(existing + newEntryTypes)))")
        guard let head = rebuilt.range(of: "CREATE TABLE clinical_entries") else {
            throw StoreError.migration(name: name, message: "unexpected clinical_entries definition")
        }
        rebuilt.replaceSubrange(head, with: "CREATE TABLE clinical_entries_0004")
        // Indexes and triggers on the table, and views that mention it, to recreate after the swap.
        let dependents = try await db.raw(
            """
            SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL
              AND ((type IN ('index', 'trigger') AND tbl_name = 'clinical_entries') OR (type = 'view' AND sql LIKE '%clinical_entries%'))
            ORDER BY CASE type WHEN 'index' THEN 0 WHEN 'view' THEN 1 ELSE 2 END, name
            """
        ).all().map { (type: try $0.decode(column: "type", as: String.self), name: try $0.decode(column: "name", as: String.self), sql: try $0.decode(column: "sql", as: String.self)) }
        for view in dependents where view.type == "view" {
            try await db.raw("DROP VIEW \(ident: view.name)").run()
        }
        try await db.raw(SQLQueryString(rebuilt)).run()
        try await db.raw("INSERT INTO clinical_entries_0004 SELECT * FROM clinical_entries").run()
        try await db.raw("DROP TABLE clinical_entries").run()
        try await db.raw("ALTER TABLE clinical_entries_0004 RENAME TO clinical_entries").run()
        for dependent in dependents {
            try await db.raw(SQLQueryString(dependent.sql)).run()
        }
    }
}
