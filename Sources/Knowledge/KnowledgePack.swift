import BGZF
import Crypto
import Foundation

/// What a knowledge pack is and where its data came from: the provenance every recommendation cites.
public struct PackManifest: Codable, Sendable, Hashable {
    /// Short name, e.g. `pgx`.
    public var name: String
    public var title: String
    /// The data version the pack was compiled from (as the source states it).
    public var version: String
    public var sources: [Source]
    public var files: [Entry]
    /// The command that compiled the pack, so an update is a reproducible step.
    public var builtBy: String
    public var notes: [String]

    /// One upstream source, its licence, and which pack files it covers.
    public struct Source: Codable, Sendable, Hashable {
        public init(
            name: String, url: String, revision: String, retrieved: String, licence: String, attribution: String, covers: [String]
        ) {
            self.name = name
            self.url = url
            self.revision = revision
            self.retrieved = retrieved
            self.licence = licence
            self.attribution = attribution
            self.covers = covers
        }

        public var name: String
        public var url: String
        /// Release, tag or commit of the upstream data.
        public var revision: String
        /// When the data were retrieved (ISO date).
        public var retrieved: String
        public var licence: String
        /// Attribution text that must accompany anything derived from these files.
        public var attribution: String
        /// Path prefixes (within the pack) of the files this source covers.
        public var covers: [String]
    }

    /// One file of the pack, stored gzip-compressed as `<path>.gz`.
    public struct Entry: Codable, Sendable, Hashable {
        public var path: String
        /// SHA-256 of the uncompressed bytes, in hex.
        public var sha256: String
        /// Uncompressed size.
        public var bytes: Int
    }

    /// The sources whose `covers` prefixes match `path` (a file can be under several licences).
    public func sources(for path: String) -> [Source] { sources.filter { $0.covers.contains { path.hasPrefix($0) } } }
}

/// A problem with a knowledge pack: missing, unreadable, or not what its manifest says.
public struct KnowledgeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var pack: String
    public var path: String?
    public var message: String

    public init(pack: String, path: String? = nil, message: String) {
        self.pack = pack
        self.path = path
        self.message = message
    }

    public var description: String { "knowledge pack \(pack)" + (path.map { " (\($0))" } ?? "") + ": " + message }
}

/// A versioned knowledge pack on disk: a manifest and its gzip-compressed files.
///
/// Every read is checked against the SHA-256 in the manifest, so a damaged or hand-edited file can
/// never silently change a clinical recommendation.
public struct KnowledgePack: Sendable {
    public let manifest: PackManifest
    /// The pack's folder.
    public let directory: String

    /// The folder holding the packs compiled into this build.
    public static var bundledDirectory: String? { Bundle.module.url(forResource: "Packs", withExtension: nil)?.path }

    /// A pack compiled into this build, by name (e.g. `pgx`).
    public static func bundled(_ name: String) throws(KnowledgeError) -> KnowledgePack {
        guard let root = bundledDirectory else { throw KnowledgeError(pack: name, message: "no packs are bundled with this build") }
        return try KnowledgePack(directory: root + "/" + name)
    }

    /// The names of the packs compiled into this build.
    public static func bundledNames() -> [String] {
        guard let root = bundledDirectory, let names = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        return names.filter { FileManager.default.fileExists(atPath: root + "/" + $0 + "/manifest.json") }.sorted()
    }

    /// Opens the pack in `directory` and reads its manifest.
    public init(directory: String) throws(KnowledgeError) {
        let name = URL(fileURLWithPath: directory).lastPathComponent
        guard let data = FileManager.default.contents(atPath: directory + "/manifest.json") else {
            throw KnowledgeError(pack: name, path: "manifest.json", message: "not found in \(directory)")
        }
        do {
            manifest = try JSONDecoder().decode(PackManifest.self, from: data)
        } catch {
            throw KnowledgeError(pack: name, path: "manifest.json", message: "unreadable: \(error)")
        }
        self.directory = directory
    }

    /// The uncompressed bytes of `path`, checked against the manifest's digest.
    public func data(_ path: String) throws(KnowledgeError) -> [UInt8] {
        guard let entry = manifest.files.first(where: { $0.path == path }) else {
            throw KnowledgeError(pack: manifest.name, path: path, message: "no such file in the manifest")
        }
        guard let compressed = FileManager.default.contents(atPath: directory + "/" + path + ".gz") else {
            throw KnowledgeError(pack: manifest.name, path: path, message: "the manifest lists it but \(path).gz is missing")
        }
        let bytes: [UInt8]
        do {
            bytes = try Gzip.decompress([UInt8](compressed))
        } catch {
            throw KnowledgeError(pack: manifest.name, path: path, message: "cannot decompress: \(error)")
        }
        let digest = Self.sha256(bytes)
        guard digest == entry.sha256, bytes.count == entry.bytes else {
            throw KnowledgeError(
                pack: manifest.name, path: path, message: "content does not match the manifest (SHA-256 \(digest), expected \(entry.sha256))")
        }
        return bytes
    }

    /// The paths under a folder of the pack, e.g. `definition/alleles/`.
    public func paths(under prefix: String) -> [String] { manifest.files.map(\.path).filter { $0.hasPrefix(prefix) }.sorted() }

    /// Reads and checks every file; returns how many were verified.
    @discardableResult
    public func verify() throws(KnowledgeError) -> Int {
        for entry in manifest.files { _ = try data(entry.path) }
        return manifest.files.count
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let s = String(byte, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }
}
