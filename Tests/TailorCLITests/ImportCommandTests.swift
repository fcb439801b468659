import Foundation
import Logging
import Records
import SQLKit
import Store
import Testing

/// `tailor import fhir` on a real data folder: per-file reports and totals, idempotent re-import, a malformed file
/// named with its FHIR path while the good files still import, and the import on the audit log.
@Suite(.enabled(if: executableBuilt)) struct ImportCommandTests {
    @Test func importsReportsAndIsIdempotent() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-import-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fhir = fixtures + "/fhir"
        let transaction = fhir + "/transaction-small.json", collection = fhir + "/collection-small.json", malformed = fhir + "/malformed.json"

        let first = try tailor(["import", "fhir", transaction, malformed, collection, "--data", folder])
        #expect(first.0 == 1, "a malformed file fails the run: \(first.2)")
        #expect(first.2.contains("error: \(malformed): entry[2].resource.effectiveDateTime: '2022-13-45' is not a FHIR date/dateTime"), "\(first.2)")
        #expect(first.1.contains("\(transaction): 1 patients created, 0 matched; 11 entries inserted"), "\(first.1)")
        #expect(first.1.contains("procedure 1") && first.1.contains("Claim: resource type not imported ×1"), "\(first.1)")
        #expect(first.1.contains("\(collection): 1 patients created, 0 matched; 3 entries inserted"), "\(first.1)")
        #expect(first.1.contains("total: 2 of 3 files imported; 2 patients created, 0 matched; 14 entries inserted, 0 already present"), "\(first.1)")
        #expect(first.1.contains("failed: 1 (\(malformed))"), "\(first.1)")

        // Again: nothing new, and the whole folder of good files succeeds.
        let second = try tailor(["import", "fhir", transaction, collection, "--database", folder + "/tailor.sqlite", "--json"])
        #expect(second.0 == 0, "\(second.2)")
        let totals = try #require(try JSONSerialization.jsonObject(with: Data(second.1.utf8)) as? [String: Any])
        #expect(totals["insertedTotal"] as? Int == 0)
        let inner = try #require(totals["totals"] as? [String: Any])
        #expect(inner["alreadyPresent"] as? Int == 14 && inner["patientsMatched"] as? Int == 2 && inner["patientsCreated"] as? Int == 0)

        // The record and the audit log: the import's account, purpose and what it did; the chain intact.
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let database = try Database(location: .sqlite(path: folder + "/tailor.sqlite"), logger: logger)
        let counts = try await database.read { db in
            (
                try await db.raw("SELECT COUNT(*) AS n FROM clinical_entries").first()!.decode(column: "n", as: Int64.self),
                try await db.raw("SELECT COUNT(*) AS n FROM patients").first()!.decode(column: "n", as: Int64.self),
                try await db.raw("SELECT user_id FROM users WHERE username = 'fhir-import'").first()!.decode(column: "user_id", as: String.self)
            )
        }
        #expect(counts.0 == 14 && counts.1 == 2)
        var imports: [AuditEntry] = []
        try await database.forEachAuditEntry { entry in
            if entry.record.reason.contains("FHIR import") { imports.append(entry) }
        }
        await database.close()
        #expect(imports.count == 5, "two registrations, one rejection, two matches")
        #expect(imports.contains { $0.record.outcome == .deny && $0.record.reason.contains("FHIR import rejected: malformed.json: entry[2]") })
        #expect(imports.allSatisfy { $0.record.actor == counts.2 && $0.record.purpose == "HOPERAT" && $0.record.actorRole == "administrator" })
        #expect(imports.contains { $0.record.reason.contains("FHIR import registered Patient/5cbc121b-cd71-4428-b8b7-31e53eba8184 with 11 entries") })
        let verify = try tailor(["audit", "verify", "--data", folder])
        #expect(verify.0 == 0, "\(verify.1)")

        let none = try tailor(["import", "fhir", fhir + "/no-such.json", "--data", folder])
        #expect(none.0 == 1 && none.2.contains("no-such.json"), "\(none.2)")
    }
}
