public import ArgumentParser

/// The `tailor` command: thin subcommands over the library layers.
public struct TailorCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tailor",
        abstract: "Tailor: precision-medicine decision support from genomes and health records.",
        discussion: """
            Decision support for qualified clinicians; not a diagnosis. See README.md.
            """,
        subcommands: [ServeCommand.self, VCFCommand.self, PGxCommand.self, RiskCommand.self, PRSCommand.self, OncologyCommand.self, BreastCommand.self, DiagnoseCommand.self, PlanCommand.self, ScreenCommand.self, KnowledgeCommand.self, AuditCommand.self, ImportCommand.self]
    )

    public init() {}
}

extension TailorCommand {
    /// Entry point for the executable: parses arguments and runs the chosen subcommand asynchronously.
    public static func runFromCommandLine(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) async {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
