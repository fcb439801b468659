import BGZF
import Foundation
import Testing

@Suite struct GzipStreamReaderTests {
    struct Reading: Sendable, CustomTestStringConvertible {
        let file: String
        let chunkSize: Int
        var testDescription: String { "\(file), chunkSize \(chunkSize)" }
    }

    /// Valid (concatenated) gzip: plain gzip, two members, and BGZF (every block is a gzip member, some empty).
    /// Chunks of 1 byte, 100 bytes, 64 KiB and the default 4 MiB (larger than the whole text). Kept to a dozen
    /// cases because every reader zero-fills a 1 MiB input buffer per read, which is slow in debug builds.
    static let readings: [Reading] =
        ["plain.gz", "multi-member.gz"].flatMap { f in [1, 100, 65_536, 4 << 20].map { Reading(file: f, chunkSize: $0) } }
        + [
            Reading(file: "text.bgz", chunkSize: 100),
            Reading(file: "extra-subfield-first.bgz", chunkSize: 65_536),
            Reading(file: "empty-blocks.bgz", chunkSize: 1),
            Reading(file: "no-eof.bgz", chunkSize: 4_096),
        ]

    @Test(arguments: readings)
    func readsTheExactText(_ reading: Reading) throws {
        let chunkSize = reading.chunkSize
        let (chunks, error) = decodeGzip(Fixture.path(reading.file), chunkSize: chunkSize)
        #expect(error == nil)
        let text = chunks.flatMap { $0 }
        #expect(text.count == Fixture.textCount)
        expectBytes(text, Fixture.text)
        // Chunks are full except the last, and never empty.
        #expect(chunks.dropLast().allSatisfy { $0.count == chunkSize })
        #expect(chunks.allSatisfy { !$0.isEmpty && $0.count <= chunkSize })
        #expect(chunks.count == (Fixture.textCount + chunkSize - 1) / chunkSize)
    }

    @Test func secondMemberAloneIsTheSecondHalf() throws {
        let bytes = try Fixture.bytes("multi-member.gz")
        let second = Array(bytes[Fixture.multiMemberSecondMemberAt...])
        #expect(second.prefix(3) == [0x1f, 0x8b, 0x08])
        let temp = try TemporaryFile(second, name: "second.gz")
        defer { temp.remove() }
        let (chunks, error) = decodeGzip(temp.path, chunkSize: 4_096)
        #expect(error == nil)
        expectBytes(chunks.flatMap { $0 }, Fixture.text[(Fixture.textCount / 2)...])
    }

    @Test(arguments: [1, 100, 65_536])
    func truncatedGzipThrowsTruncated(chunkSize: Int) throws {
        let path = Fixture.path("truncated.gz")
        let (chunks, error) = decodeGzip(path, chunkSize: chunkSize)
        let thrown = try #require(error, "truncated.gz must not read as complete")
        guard case .truncated = thrown.kind else {
            Issue.record("expected truncated, got \(thrown)")
            return
        }
        // The stream ends at the end of the file.
        #expect(thrown.offset == Fixture.truncatedGzSize)
        #expect(thrown.path == path)
        #expect(thrown.description.contains("byte \(Fixture.truncatedGzSize): "))
        // What came out before the error is a correct prefix.
        let text = chunks.flatMap { $0 }
        #expect(text.count < Fixture.textCount)
        expectTextPrefix(text)
    }

    /// A BGZF file cut inside a block is also a truncated gzip stream.
    @Test func truncatedBGZFReadAsGzip() throws {
        let (_, error) = decodeGzip(Fixture.path("truncated.bgz"), chunkSize: 1_000)
        let thrown = try #require(error)
        #expect(KindTag(thrown.kind) == .truncated)
        #expect(thrown.offset == Fixture.truncatedAt)
    }

    @Test(arguments: ["corrupt-deflate.bgz", "text.txt"])
    func undecodableDataIsCorrupt(_ file: String) throws {
        let (_, error) = decodeGzip(Fixture.path(file), chunkSize: 1_000)
        let thrown = try #require(error)
        #expect(thrown.kind == .corruptData, "\(thrown)")
    }

    @Test func emptyFileHasNoChunks() throws {
        let temp = try TemporaryFile([], name: "empty.gz")
        defer { temp.remove() }
        let (chunks, error) = decodeGzip(temp.path, chunkSize: 100)
        #expect(error == nil)
        #expect(chunks.isEmpty)
    }
}
