import BGZF
import Foundation
import Knowledge
import Testing

@Suite struct KnowledgePackTests {
    @Test func bundledPGxPackVerifiesAndNamesItsSources() throws {
        #expect(KnowledgePack.bundledNames().contains("pgx"))
        let pack = try KnowledgePack.bundled("pgx")
        #expect(pack.manifest.version == "2025-11-05-00-25")
        #expect(try pack.verify() == pack.manifest.files.count)
        // 20 genes' allele definitions plus exemptions; 17 current phenotype mappings plus 4 fallbacks; 118 guideline files.
        #expect(pack.paths(under: "definition/alleles/").count == 21)
        #expect(pack.paths(under: "phenotype/").count == 21)
        #expect(pack.paths(under: "reporter/guidelines_v2.12.0/").count == 118)
        let licences = Set(pack.manifest.sources(for: "reporter/guidelines_v2.12.0/DPWG_clopidogrel_and_CYP2C19.json").map(\.licence))
        #expect(licences.contains("CC-BY-SA-4.0"))
        #expect(!pack.manifest.sources(for: "definition/alleles/CYP2C19_translation.json").filter { $0.licence == "CC0-1.0" }.isEmpty)
    }

    @Test func definitionsReadBackAsTheSourceWroteThem() throws {
        let pack = try KnowledgePack.bundled("pgx")
        let json = try JSONSerialization.jsonObject(with: Data(try pack.data("definition/alleles/CYP2C19_translation.json"))) as? [String: Any]
        #expect(json?["gene"] as? String == "CYP2C19")
        let variants = json?["variants"] as? [[String: Any]]
        #expect(variants?.count == 35)
        #expect(variants?.first?["rsid"] as? String == "rs12248560")
        let positions = String(decoding: try pack.data("positions/pharmcat_positions.vcf"), as: UTF8.self)
        #expect(positions.split(separator: "\n").filter { !$0.hasPrefix("#") }.count == 1202)
    }

    @Test func aTamperedFileIsRefused() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-pack-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: try KnowledgePack.bundled("pgx").directory, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let path = "reporter/messages.json"
        try Data(Gzip.compress(Array("[]".utf8))).write(to: URL(fileURLWithPath: copy + "/" + path + ".gz"))
        let pack = try KnowledgePack(directory: copy)
        #expect {
            _ = try pack.data(path)
        } throws: { error in
            "\(error)".contains("does not match the manifest") && "\(error)".contains(path)
        }
        #expect(throws: KnowledgeError.self) { try pack.verify() }
        #expect(throws: KnowledgeError.self) { try pack.data("not/in/the/manifest.json") }
    }

    @Test func buildsAreReproducible() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-src-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
        try Data("{\"a\": 1}".utf8).write(to: URL(fileURLWithPath: root + "/data/one.json"))
        try Data("{\"b\": [2, 3]}".utf8).write(to: URL(fileURLWithPath: root + "/data/two.json"))
        try Data("ignored".utf8).write(to: URL(fileURLWithPath: root + "/data/notes.txt"))
        let recipe = PackBuilder.Recipe(
            name: "toy", title: "Toy", version: { _ in "1" },
            sources: [
                PackManifest.Source(name: "us", url: "-", revision: "-", retrieved: "2026-11-21", licence: "CC0-1.0", attribution: "-", covers: [""])
            ],
            include: ["data/"], extensions: [".json"], notes: [])
        let first = try PackBuilder.build(recipe, from: root, to: root + "/out1")
        let second = try PackBuilder.build(recipe, from: root, to: root + "/out2")
        #expect(first == second)
        #expect(first.files.map(\.path) == ["data/one.json", "data/two.json"])
        for file in ["manifest.json", "data/one.json.gz", "data/two.json.gz"] {
            #expect(FileManager.default.contents(atPath: root + "/out1/" + file) == FileManager.default.contents(atPath: root + "/out2/" + file))
        }
        #expect(try KnowledgePack(directory: root + "/out1").data("data/two.json") == Array("{\"b\": [2, 3]}".utf8))
    }

    @Test(arguments: [0, 1, 1000, 200_000])
    func gzipRoundTrips(_ size: Int) throws {
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) }
        #expect(try Gzip.decompress(Gzip.compress(bytes)) == bytes)
    }

    @Test func gzipRejectsDamage() {
        var bytes = Gzip.compress(Array(repeating: 65, count: 5000))
        bytes[bytes.count - 6] ^= 0xff  // the stored CRC32
        #expect(throws: BGZFError.self) { try Gzip.decompress(bytes) }
        #expect(throws: BGZFError.self) { try Gzip.decompress(Array("plain text, not gzip".utf8)) }
    }
}
