import Foundation
import Logging
import Records
import SQLKit
import Store
import Testing

/// `tailor audit verify` on a real database: exit 0 when intact; exit 1 naming the first broken entry.
@Suite(.enabled(if: executableBuilt)) struct AuditCommandTests {
    @Test func verifyNamesTheFirstBrokenEntry() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-audit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let database = try Database(location: .sqlite(path: folder + "/tailor.sqlite"), logger: logger)
        try await database.migrate()
        let audit = AuditLog(database: database)
        for n in 1...6 {
            try await audit.record(
                AuditRecord(
                    time: Int64(n), actor: "usr_a", actorRole: "clinician", action: "read", resource: "findings", patientID: PatientID(rawValue: "pat_a"),
                    purpose: "TREAT", outcome: .allow, reason: "care team", requestID: "r\(n)"))
        }
        await database.close()

        let intact = try tailor(["audit", "verify", "--data", folder])
        #expect(intact.0 == 0, "\(intact.2)")
        #expect(intact.1.contains("audit log intact: 6 entries verified"), "\(intact.1)")

        // Someone with file access edits entry 4 around the append-only trigger.
        let editor = try Database(location: .sqlite(path: folder + "/tailor.sqlite"), logger: logger)
        try await editor.write { db in
            try await db.raw("DROP TRIGGER audit_events_no_update").run()
            try await db.raw("UPDATE audit_events SET actor = 'usr_b' WHERE seq = 4").run()
        }
        await editor.close()
        let broken = try tailor(["audit", "verify", "--database", folder + "/tailor.sqlite"])
        #expect(broken.0 == 1)
        #expect(broken.1.contains("audit log BROKEN at audit entry 4: its contents do not match its hash"), "\(broken.1)")

        let missing = try tailor(["audit", "verify", "--data", folder + "/nowhere"])
        #expect(missing.0 != 0)
        #expect(missing.2.contains("no Tailor database"), "\(missing.2)")
    }
}
