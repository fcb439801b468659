import BGZF
import Foundation

/// Compiles a knowledge pack from a folder of public source data: selects files, compresses each,
/// records its digest, and writes the manifest. Output is byte-for-byte reproducible.
public enum PackBuilder {
    /// What to take from a source folder and how to describe it.
    public struct Recipe: Sendable {
        public var name: String
        public var title: String
        /// Reads the data version from the source folder.
        public var version: @Sendable (String) throws -> String
        public var sources: [PackManifest.Source]
        /// Paths relative to the source folder: a file, or a folder ending in `/` (its files with the given extensions).
        public var include: [String]
        public var extensions: [String]
        public var notes: [String]
        /// Derived files (pack path → bytes) computed from the source folder: compact forms that load fast.
        /// The source files stay in the pack unmodified, so provenance is never lost.
        public var derive: (@Sendable (String) throws -> [String: [UInt8]])?

        public init(
            name: String, title: String, version: @escaping @Sendable (String) throws -> String, sources: [PackManifest.Source],
            include: [String], extensions: [String], notes: [String], derive: (@Sendable (String) throws -> [String: [UInt8]])? = nil
        ) {
            self.derive = derive
            self.name = name
            self.title = title
            self.version = version
            self.sources = sources
            self.include = include
            self.extensions = extensions
            self.notes = notes
        }
    }

    /// Builds `recipe` from `sourceDirectory` into `outputDirectory`, replacing what was there.
    ///
    /// - Returns: the manifest written.
    @discardableResult
    public static func build(_ recipe: Recipe, from sourceDirectory: String, to outputDirectory: String) throws -> PackManifest {
        let fm = FileManager.default
        var paths: [String] = []
        for item in recipe.include {
            if item.hasSuffix("/") {
                let names = try fm.contentsOfDirectory(atPath: sourceDirectory + "/" + item)
                paths += names.filter { name in recipe.extensions.contains { name.hasSuffix($0) } }.map { item + $0 }
            } else {
                guard fm.fileExists(atPath: sourceDirectory + "/" + item) else {
                    throw KnowledgeError(pack: recipe.name, path: item, message: "not found in \(sourceDirectory)")
                }
                paths.append(item)
            }
        }
        paths.sort()
        guard !paths.isEmpty else { throw KnowledgeError(pack: recipe.name, message: "no files matched in \(sourceDirectory)") }
        if fm.fileExists(atPath: outputDirectory) { try fm.removeItem(atPath: outputDirectory) }
        var contents: [(String, [UInt8])] = []
        for path in paths {
            guard let data = fm.contents(atPath: sourceDirectory + "/" + path) else {
                throw KnowledgeError(pack: recipe.name, path: path, message: "unreadable")
            }
            contents.append((path, [UInt8](data)))
        }
        if let derive = recipe.derive {
            contents += try derive(sourceDirectory).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        var entries: [PackManifest.Entry] = []
        for (path, bytes) in contents {
            let target = outputDirectory + "/" + path + ".gz"
            try fm.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(Gzip.compress(bytes)).write(to: URL(fileURLWithPath: target))
            entries.append(PackManifest.Entry(path: path, sha256: KnowledgePack.sha256(bytes), bytes: bytes.count))
        }
        let manifest = PackManifest(
            name: recipe.name, title: recipe.title, version: try recipe.version(sourceDirectory), sources: recipe.sources, files: entries,
            builtBy: "tailor knowledge build \(recipe.name) --source <folder>", notes: recipe.notes)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: outputDirectory + "/manifest.json"))
        return manifest
    }
}
