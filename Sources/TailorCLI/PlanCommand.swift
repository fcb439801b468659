import ArgumentParser
import Foundation
import Logging
import Records
import Server
import Store

/// `tailor plan PATIENT`: the personalised care plan for a patient in the local record, as the API would give it
/// to the named account (same access policy, same audit entries).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "The personalised care plan for a patient in the record (hypertension, diabetes, surveillance, goals).",
        discussion: """
            Reads the record `tailor serve` keeps (--data / --database, or the TAILOR_* settings) as ACCOUNT, which must be
            allowed to read the patient (their care team, or the patient): every read is checked and audited exactly as
            GET /api/v1/patients/{id}/care-plan is. Each item names its rule, its source and why it applies.
            Decision support for qualified clinicians and the patient together, not a diagnosis or an order.
            """
    )

    @Argument(help: "The patient (pat_…).") var patient: String
    @Option(name: .customLong("as"), help: "The account the plan is computed for (a clinician, counsellor or the patient).") var account: String
    @Option(help: "aha-acc-2025 (PREVENT ≥ 7.5%, default) or acc-aha-2017 (PCE ≥ 10%).") var guideline = "aha-acc-2025"
    @Option(help: "Plan date, YYYY-MM-DD (default today).") var date: String?
    @Option(help: "text (default), json or fhir (a FHIR R4 Bundle of the CarePlan and its Goals).") var format = "text"
    @Option(help: "Data folder of the record (default ./tailor-data).") var data: String?
    @Option(help: "Database: a postgres:// URL, or a SQLite file path.") var database: String?
    @Option(help: "A JSON file of settings.") var config: String?

    func run() async throws {
        let id: PatientID
        do { id = try PatientID(parsing: patient) } catch { throw ValidationError("\(error)") }
        guard let planFormat = TailorServer.PlanFormat(rawValue: format) else {
            throw ValidationError("--format must be one of \(TailorServer.PlanFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var asOf: Int64?
        if let date {
            // Noon UTC of that day: the plan's date is the same calendar day in every time zone from UTC-11 to UTC+11.
            let parts = date.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            guard date.count == 10, parts.count == 3, let year = parts[0], let month = parts[1], let day = parts[2],
                let noon = calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12)),
                calendar.component(.day, from: noon) == day, (1970...2099).contains(year)
            else { throw ValidationError("--date must be a real day YYYY-MM-DD between 1970 and 2099, got '\(date)'") }
            asOf = Int64(noon.timeIntervalSince1970 * 1000)
        }
        var flags: ServerConfiguration.Settings = [:]
        flags["data"] = data
        flags["database"] = database
        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration.resolve(flags: flags, environment: ProcessInfo.processInfo.environment, file: config)
        } catch {
            throw ValidationError("\(error)")
        }
        var logger = Logger(label: "tailor")
        logger.logLevel = .warning
        guard FileManager.default.fileExists(atPath: configuration.dataDirectory) || database != nil else {
            FileHandle.standardError.write(Data("error: no record at \(configuration.dataDirectory): start `tailor serve` once, or pass --data\n".utf8))
            throw ExitCode(1)
        }
        let server: TailorServer
        do {
            server = try await TailorServer.open(configuration, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        do {
            let output = try await server.carePlan(patient: id, asUser: account, guideline: guideline, asOf: asOf, format: planFormat)
            await server.database.close()
            print(output)
        } catch {
            await server.database.close()
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
