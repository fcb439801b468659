import ArgumentParser
import Foundation
import Interop
import Logging
import Records
import Server
import Store

/// `tailor import fhir FILE…`: imports FHIR R4 Bundles (transaction, batch or collection) into the record that
/// `tailor serve` uses, each file in its own transaction, through the access gate and the audit log.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import records from other systems.", subcommands: [FHIR.self])

    struct FHIR: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fhir",
            abstract: "Import FHIR R4 Bundles (JSON) into the record; re-importing a bundle adds nothing twice.",
            discussion: """
                Each file is one transaction: all of it or nothing. A malformed bundle is reported with its file and the
                FHIR path of the first problem; the other files are still imported, and the exit status is 1.
                The import acts as the account named by --user (default: the service account 'fhir-import', an
                administrator created on first use with no password), through the same access policy and audit log as
                the API: administrators register new patients; adding entries to an existing record needs an account
                on the patient's care team.
                """)

        @Argument(help: "Bundle files (.json), or folders of them.") var files: [String]
        @Option(help: "Data folder of an embedded install (default ./tailor-data, or TAILOR_DATA).") var data: String?
        @Option(help: "Database: a postgres:// URL or a SQLite file path (overrides --data; or TAILOR_DATABASE_URL).") var database: String?
        @Option(help: "Account to import as (default: the 'fhir-import' service account).") var user: String?
        @Flag(help: "Refuse bundles holding resource types that are neither imported nor reference targets.") var strict = false
        @Flag(help: "Print the totals as JSON on standard output.") var json = false

        static let serviceAccount = "fhir-import"

        func run() async throws {
            var flags: ServerConfiguration.Settings = [:]
            flags["data"] = data
            flags["database"] = database
            let location: DatabaseLocation
            do {
                location = try ServerConfiguration.resolve(flags: flags, environment: ProcessInfo.processInfo.environment, file: nil).resolvedDatabase
            } catch {
                throw ValidationError("\(error)")
            }
            let paths = try Self.bundleFiles(files)
            var logger = Logger(label: "tailor.import")
            logger.logLevel = .warning
            let db = try Database(location: location, logger: logger)
            do {
                try await db.migrate()
                let failed = try await importAll(paths, database: db)
                await db.close()
                if failed > 0 { throw ExitCode(1) }
            } catch let exit as ExitCode {
                throw exit
            } catch {
                await db.close()
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }

        /// Imports every file; returns how many failed.
        func importAll(_ paths: [String], database db: Database) async throws -> Int {
            let store = RecordStore(database: db)
            let gate = AccessGate(database: db, audit: AuditLog(database: db))
            let principal = try await Self.principal(user, store: store)
            var options = FHIRImportOptions()
            options.strict = strict
            let clock = ContinuousClock()
            let started = clock.now
            var totals = Totals()
            for path in paths {
                let fileStart = clock.now
                let requestID = "cli-import-" + UUID().uuidString.lowercased()
                var grant: AccessGrant?
                do {
                    grant = try await gate.authorize(principal, .write, .patientRegistration, requestID: requestID)
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                    let plan = try FHIRBundleImporter.plan(bytes, options: options)
                    let result = try await store.importFHIR(grant!, plan: plan) { id in
                        try await gate.authorize(principal, .write, .clinicalRecord, patient: id, requestID: requestID)
                    }
                    totals.add(result)
                    if !json { print(Self.line(path, result, seconds: (clock.now - fileStart).seconds)) }
                } catch {
                    totals.failed.append(path)
                    let message = Self.describe(error)
                    FileHandle.standardError.write(Data("error: \(path): \(message)\n".utf8))
                    // A refused import is on record as the API's are (a denial by the policy is recorded by the gate).
                    if let grant {
                        try await gate.recordEvent(
                            actor: principal.userID.rawValue, role: principal.role.rawValue, action: Action.write.rawValue,
                            resource: Resource.patientRegistration.rawValue, outcome: .deny,
                            reason: "FHIR import rejected: \((path as NSString).lastPathComponent): \(message.prefix(300))", requestID: requestID,
                            purpose: grant.purpose)
                    }
                }
            }
            let seconds = (clock.now - started).seconds
            if json {
                print(try totals.json(seconds: seconds))
            } else {
                print(totals.summary(files: paths.count, seconds: seconds))
            }
            return totals.failed.count
        }

        /// The account the import acts as: `--user`, or the service account (created on first use).
        static func principal(_ username: String?, store: RecordStore) async throws -> Principal {
            let name = username ?? serviceAccount
            if let (account, _) = try await store.credentials(username: name) {
                guard !account.disabled else { throw ValidationError("the account '\(name)' is disabled") }
                return account.principal
            }
            guard username == nil else { throw ValidationError("no account '\(name)'") }
            // No password can match this hash: the account exists only for imports on this machine.
            return try await store.createUser(
                nil, .init(username: serviceAccount, displayName: "FHIR import (command line)", role: .administrator),
                passwordHash: "!no-login:" + UUID().uuidString
            ).principal
        }

        static func describe(_ error: any Error) -> String {
            switch error {
            case let error as FHIRImportError: error.description
            case let error as AccessDenied: error.description
            case let error as StoreError: error.description
            case let error as CocoaError where error.code == .fileReadNoSuchFile: "no such file"
            default: "\(error)"
            }
        }

        static func line(_ path: String, _ r: RecordStore.FHIRImportResult, seconds: Double) -> String {
            let inserted = r.inserted.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            var text = "\(path): \(r.patientsCreated) patients created, \(r.patientsMatched) matched; \(r.insertedTotal) entries inserted"
            if !inserted.isEmpty { text += " (\(inserted))" }
            text += ", \(r.alreadyPresentTotal) already present"
            let skipped = r.skipped.values.reduce(0, +)
            if skipped > 0 {
                text += "; \(skipped) skipped (" + r.skipped.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: "; ") + ")"
            }
            return text + String(format: " [%.2f s]", seconds)
        }

        /// Every `.json` file of the arguments (folders are listed, sorted); a missing path is reported as a failure.
        static func bundleFiles(_ arguments: [String]) throws -> [String] {
            var files: [String] = []
            let manager = FileManager.default
            for path in arguments {
                var isDirectory: ObjCBool = false
                if manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    let names = try manager.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".json") }.sorted()
                    files += names.map { (path as NSString).appendingPathComponent($0) }
                } else {
                    files.append(path)
                }
            }
            guard !files.isEmpty else { throw ValidationError("no bundle files given") }
            return files
        }
    }
}

/// Sums of a multi-file import.
private struct Totals: Encodable {
    var files = 0
    var patientsCreated = 0
    var patientsMatched = 0
    var inserted: [String: Int] = [:]
    var alreadyPresent = 0
    var skipped = 0
    var failed: [String] = []

    mutating func add(_ r: RecordStore.FHIRImportResult) {
        files += 1
        patientsCreated += r.patientsCreated
        patientsMatched += r.patientsMatched
        for (kind, count) in r.inserted { inserted[kind, default: 0] += count }
        alreadyPresent += r.alreadyPresentTotal
        skipped += r.skipped.values.reduce(0, +)
    }

    var insertedTotal: Int { inserted.values.reduce(0, +) }

    func summary(files total: Int, seconds: Double) -> String {
        var text = "total: \(files) of \(total) files imported; \(patientsCreated) patients created, \(patientsMatched) matched; "
        text += "\(insertedTotal) entries inserted, \(alreadyPresent) already present, \(skipped) skipped"
        text += String(format: "; %.2f s", seconds)
        if !failed.isEmpty { text += "\nfailed: \(failed.count) (\(failed.joined(separator: ", ")))" }
        return text
    }

    func json(seconds: Double) throws -> String {
        struct Output: Encodable {
            var totals: Totals
            var insertedTotal: Int
            var seconds: Double
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Output(totals: self, insertedTotal: insertedTotal, seconds: seconds)), as: UTF8.self)
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
