// Replays every input in Corpus/ through the fuzz targets' own code (the FuzzTargets module, which the
// libFuzzer executables in Fuzz/ call too), so that CI re-checks the corpus and every input that once
// crashed a fuzz target, without libFuzzer.
//
// Each file runs in a child process (a Swift Testing exit test): a crash or trap fails that file's case
// instead of ending the whole run. File names start with the target that reads them: FuzzVCFHeader-,
// FuzzVCFRecord-, FuzzBGZFBlock-.

import Foundation
import FuzzTargets
import Testing

@Suite("Fuzz corpus replay")
struct FuzzReplayTests {
    static let corpus = Bundle.module.url(forResource: "Corpus", withExtension: nil)!.path

    static let files: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? [])
        .filter { $0.hasPrefix("Fuzz") }.sorted()

    @Test func corpusCoversEveryTarget() {
        for target in ["FuzzVCFHeader-", "FuzzVCFRecord-", "FuzzBGZFBlock-"] {
            #expect(Self.files.contains { $0.hasPrefix(target) }, "no \(target) inputs in \(Self.corpus)")
        }
    }

    @Test(arguments: files)
    func replayDoesNotCrash(_ name: String) async {
        let passed = await #expect(processExitsWith: .success, "replaying \(name)") { [name] in replay(name) }
        guard passed == nil else { return }
        // An exit test returns the child's output only when it ends as expected: run it again to show why.
        if let crash = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent], performing: { [name] in replay(name) }) {
            Issue.record("\(name) crashed: \(String(decoding: crash.standardErrorContent, as: UTF8.self).suffix(600))")
        }
    }
}

/// Runs one corpus file through the target its name says.
private func replay(_ name: String) {
    guard let data = FileManager.default.contents(atPath: FuzzReplayTests.corpus + "/" + name) else { fatalError("cannot read \(name)") }
    [UInt8](data).withUnsafeBytes { raw in
        if name.hasPrefix("FuzzVCFHeader-") {
            fuzzVCFHeaderInput(raw)
        } else if name.hasPrefix("FuzzVCFRecord-") {
            fuzzVCFRecordInput(raw)
        } else {
            fuzzBGZFBlockInput(raw)
        }
    }
}
