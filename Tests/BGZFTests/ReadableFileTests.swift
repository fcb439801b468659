import BGZF
import Foundation
import Testing

@Suite struct ReadableFileTests {
    @Test func missingPathIsAnIOErrorNamingThePath() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("BGZFTests-no-such-\(UUID().uuidString).vcf.gz").path
        let error = try #require(bgzfError { _ = try ReadableFile(path: path) })
        #expect(KindTag(error.kind) == .io)
        #expect(error.path == path)
        #expect(error.offset == 0)
        #expect(error.description.contains(path))
        #expect(error.description.contains("No such file"), "\(error.description)")
    }

    @Test func directoryIsRejected() throws {
        let error = try #require(bgzfError { _ = try ReadableFile(path: Fixture.directory.path) })
        #expect(KindTag(error.kind) == .io)
        #expect(error.path == Fixture.directory.path)
        #expect(error.description.contains("directory"))
    }

    @Test func sizeAndSequentialReads() throws {
        let file = try ReadableFile(path: Fixture.path("text.bgz"))
        #expect(file.path == Fixture.path("text.bgz"))
        #expect(file.size == Fixture.textSize)
        #expect(file.position == 0)
        var buffer: [UInt8] = [9, 9]
        #expect(try file.read(upTo: 18, appendingTo: &buffer) == 18)
        #expect(buffer.count == 20)
        #expect(buffer.prefix(2) == [9, 9])
        #expect(Array(buffer[2...]) == Array(try Fixture.bytes("text.bgz").prefix(18)))
        #expect(file.position == 18)
        // Asking for more than remains returns what remains, then 0.
        #expect(try file.read(upTo: 10_000, appendingTo: &buffer) == Int(Fixture.textSize) - 18)
        #expect(buffer.count == Int(Fixture.textSize) + 2)
        #expect(file.position == Fixture.textSize)
        #expect(try file.read(upTo: 100, appendingTo: &buffer) == 0)
        #expect(buffer.count == Int(Fixture.textSize) + 2)
        #expect(Array(buffer.suffix(28)) == BGZFBlock.eofMarker)
    }

    @Test func seekMovesTheSequentialPosition() throws {
        let file = try ReadableFile(path: Fixture.path("text.bgz"))
        try file.seek(to: 2_762)
        #expect(file.position == 2_762)
        var buffer: [UInt8] = []
        #expect(try file.read(upTo: 1_000, appendingTo: &buffer) == 28)
        #expect(buffer == BGZFBlock.eofMarker)
    }

    struct PositionedRead: Sendable, CustomTestStringConvertible {
        let offset: Int64
        let count: Int
        let expected: Int
        var testDescription: String { "read(at: \(offset), count: \(count)) → \(expected) bytes" }
    }

    @Test(arguments: [
        PositionedRead(offset: 0, count: 18, expected: 18),
        PositionedRead(offset: 2_780, count: 100, expected: 10),  // runs past the end: fewer bytes
        PositionedRead(offset: 2_790, count: 5, expected: 0),  // exactly at the end
        PositionedRead(offset: 1_000_000, count: 5, expected: 0),  // far past the end
        PositionedRead(offset: 100, count: 0, expected: 0),
    ])
    func positionedReads(_ read: PositionedRead) throws {
        let file = try ReadableFile(path: Fixture.path("text.bgz"))
        let whole = try Fixture.bytes("text.bgz")
        let bytes = try file.read(at: read.offset, count: read.count)
        #expect(bytes.count == read.expected)
        if read.expected > 0 {
            #expect(bytes == Array(whole[Int(read.offset)..<(Int(read.offset) + read.expected)]))
        }
        #expect(file.position == 0, "pread must not move the sequential position")
    }
}
