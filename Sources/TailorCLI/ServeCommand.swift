import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import Records
import Server
import Store

/// `tailor serve`: the patient record, REST API and analysis runner. With no options it keeps everything in
/// `./tailor-data` (SQLite and encrypted genome files) and listens on 127.0.0.1:8080.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Tailor server (REST API under /api/v1, OpenAPI at /openapi.json, metrics at /metrics).",
        discussion: """
            Settings come from these flags, then TAILOR_* environment variables, then --config FILE (JSON), then
            defaults; see README.md ("Configuration"). On an empty database an administrator account 'admin' is
            created and its password printed once (set TAILOR_ADMIN_PASSWORD to choose it).
            """
    )

    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (default 8080; 0 picks a free port).") var port: Int?
    @Option(help: "Data folder for the SQLite database, keys and encrypted genomes (default ./tailor-data).") var data: String?
    @Option(help: "Database: a postgres:// URL, or a SQLite file path (default <data>/tailor.sqlite).") var database: String?
    @Option(help: "A JSON file of settings.") var config: String?
    @Option(help: "A ClinVar VCF (GRCh38) to screen uploaded germline genomes for ACMG secondary findings (shown only with the patient's consent).")
    var clinvar: String?
    @Flag(help: "Load synthetic demo patients, genomes and one account per role, and print how to sign in.") var demo = false

    func run() async throws {
        var flags: ServerConfiguration.Settings = [:]
        flags["host"] = host
        flags["port"] = port.map(String.init)
        flags["data"] = data
        flags["database"] = database
        flags["clinvar"] = clinvar
        let configuration: ServerConfiguration
        do {
            var resolved = try ServerConfiguration.resolve(flags: flags, environment: ProcessInfo.processInfo.environment, file: config)
            resolved.demo = demo
            configuration = resolved
        } catch {
            throw ValidationError("\(error)")
        }
        let level = configuration.logLevel
        let json = ProcessInfo.processInfo.environment["TAILOR_LOG_FORMAT"]?.lowercased() == "json"
        LoggingSystem.bootstrap { label in
            if json { return JSONLogHandler(label: label, level: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "tailor")

        let server: TailorServer
        do {
            server = try await TailorServer.open(configuration, logger: logger, registry: registry)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let demoAccounts: [TailorServer.DemoAccount]
        do {
            if let password = try await server.bootstrapAdministrator() {
                print("Created the administrator account: username 'admin', password '\(password)' (shown once; change it).")
            }
            demoAccounts = demo ? try await server.loadDemo() : []
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            await server.database.close()
            throw ExitCode(1)
        }
        try await server.run { port in
            let base = "http://\(configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host):\(port)"
            var lines = ["Tailor is listening on \(base) (database: \(configuration.resolvedDatabase), data: \(configuration.dataDirectory))"]
            if !demoAccounts.isEmpty {
                lines.append("Demo accounts (synthetic data only):")
                for account in demoAccounts {
                    let whose = account.patient.map { " (\($0): \(account.story ?? ""))" } ?? ""
                    lines.append("  \(account.role.rawValue.padding(toLength: 19, withPad: " ", startingAt: 0)) \(account.username) / \(account.password)\(whose)")
                }
                lines.append("Try:")
                lines.append("  TOKEN=$(curl -s \(base)/api/v1/auth/login -H 'content-type: application/json' -d '{\"username\":\"clinician\",\"password\":\"demo-clinician\"}' | sed -E 's/.*\"token\":\"([^\"]+)\".*/\\1/')")
                lines.append("  curl -s \(base)/api/v1/patients -H \"Authorization: Bearer $TOKEN\"")
                lines.append("  curl -s \(base)/api/v1/patients/pat_demo-alex/findings -H \"Authorization: Bearer $TOKEN\"")
                lines.append("  curl -s \(base)/api/v1/patients/pat_demo-sam/risk -H \"Authorization: Bearer $TOKEN\"")
            }
            // Written straight to the descriptor: scripts wait for this line, so it must not sit in a buffer.
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
    }
}

/// `tailor audit verify`: checks the audit log's hash chain end to end.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Work with the audit log.", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify the audit log's hash chain; names the first broken entry and exits 1 if there is one.")

        @Option(help: "Data folder of an embedded install (default ./tailor-data).") var data: String?
        @Option(help: "Database: a postgres:// URL or a SQLite file path (overrides --data).") var database: String?

        func run() async throws {
            let location: DatabaseLocation
            do {
                if let database = database ?? ProcessInfo.processInfo.environment["TAILOR_DATABASE_URL"] {
                    location = try DatabaseLocation(parsing: database)
                } else {
                    let folder = data ?? ProcessInfo.processInfo.environment["TAILOR_DATA"] ?? "./tailor-data"
                    let path = (folder as NSString).appendingPathComponent("tailor.sqlite")
                    guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("no Tailor database at \(path)") }
                    location = .sqlite(path: path)
                }
            } catch let error as ValidationError {
                throw error
            } catch {
                throw ValidationError("\(error)")
            }
            var logger = Logger(label: "tailor.audit")
            logger.logLevel = .warning
            let db = try Database(location: location, logger: logger)
            do {
                let count = try await db.verifyAuditChain()
                await db.close()
                print("audit log intact: \(count) entries verified (\(location))")
            } catch let broken as AuditChain.Break {
                await db.close()
                print("audit log BROKEN at \(broken)")
                throw ExitCode(1)
            } catch {
                await db.close()
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}
