import ArgumentParser
import Foundation
import Knowledge

/// `tailor knowledge …`: compile, list and verify the versioned knowledge packs.
struct KnowledgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knowledge",
        abstract: "Compile, list and verify knowledge packs (versioned clinical knowledge with sources and licences).",
        subcommands: [Build.self, List.self, Verify.self]
    )

    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compile a pack from its public source folder into the repository (a reproducible update step).")

        @Argument(help: "The pack to build: \(Recipes.all.keys.sorted().joined(separator: ", ")).")
        var pack: String

        @Option(help: "The source folder, e.g. ../shared/data/pharmcat for pgx.")
        var source: String

        @Option(help: "Where to write the pack (default: Sources/Knowledge/Packs/<pack> in this checkout).")
        var output: String?

        func run() async throws {
            guard let recipe = Recipes.all[pack] else {
                throw ValidationError("unknown pack '\(pack)'; known: \(Recipes.all.keys.sorted().joined(separator: ", "))")
            }
            let target = output ?? "Sources/Knowledge/Packs/\(pack)"
            let manifest = try PackBuilder.build(recipe, from: source, to: target)
            let bytes = manifest.files.reduce(0) { $0 + $1.bytes }
            print("built \(manifest.name) \(manifest.version): \(manifest.files.count) files (\(bytes) bytes uncompressed) in \(target)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the packs in this build with their versions and licences.")

        func run() async throws {
            for name in KnowledgePack.bundledNames() {
                let pack = try KnowledgePack.bundled(name)
                let m = pack.manifest
                print("\(m.name)\t\(m.version)\t\(m.files.count) files\t\(m.title)")
                for source in m.sources { print("  \(source.name) (\(source.licence)): \(source.url), \(source.revision)") }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check every file of every pack against its manifest digest.")

        func run() async throws {
            var failed = false
            for name in KnowledgePack.bundledNames() {
                do {
                    let count = try KnowledgePack.bundled(name).verify()
                    print("\(name): \(count) files verified")
                } catch {
                    failed = true
                    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                }
            }
            if failed { throw ExitCode(1) }
        }
    }
}
