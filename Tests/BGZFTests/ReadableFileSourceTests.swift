import BGZF
import Foundation
import Testing

/// Bytes in memory as a ``RandomAccessSource``, recording what it was asked for.
final class MemorySource: RandomAccessSource {
    let bytes: [UInt8]
    /// A read touching this offset fails, as a damaged encrypted segment would.
    let failAt: Int64?
    /// Name to put in errors; `nil` leaves naming to ``ReadableFile``.
    let errorPath: String?
    private(set) var requests: [(offset: Int64, count: Int)] = []
    private(set) var reopenCount = 0

    init(_ bytes: [UInt8], failAt: Int64? = nil, errorPath: String? = nil) {
        self.bytes = bytes
        self.failAt = failAt
        self.errorPath = errorPath
    }

    var size: Int64 { Int64(bytes.count) }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(BGZFError) -> Int {
        requests.append((offset, buffer.count))
        if let failAt, offset <= failAt, failAt < offset + Int64(buffer.count) {
            throw BGZFError(.io("segment failed authentication"), offset: failAt, path: errorPath)
        }
        guard offset < size else { return 0 }
        let n = min(buffer.count, bytes.count - Int(offset))
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + Int(offset), byteCount: n) }
        return n
    }

    func reopened() throws(BGZFError) -> any RandomAccessSource {
        reopenCount += 1
        return MemorySource(bytes, failAt: failAt, errorPath: errorPath)
    }
}

/// A ``ReadableFile`` over a source must behave exactly like one over a file with the same bytes.
@Suite struct ReadableFileSourceTests {
    static let name = "memory:text.bgz"

    static func pair() throws -> (disk: ReadableFile, memory: ReadableFile, source: MemorySource) {
        let source = MemorySource(try Fixture.bytes("text.bgz"))
        return (try ReadableFile(path: Fixture.path("text.bgz")), ReadableFile(source: source, name: name), source)
    }

    @Test func nameSizeAndPosition() throws {
        let (disk, memory, _) = try Self.pair()
        #expect(memory.path == Self.name)
        #expect(memory.size == disk.size)
        #expect(memory.size == Fixture.textSize)
        #expect(memory.position == 0)
    }

    /// The same sequence of sequential reads, including reads past the end, gives the same bytes,
    /// counts and positions from both.
    @Test(arguments: [[18, 1_000, 7, 10_000, 100], [1, 1, 2_787, 1, 5], [2_790, 1], [0, 4 << 20]])
    func sequentialReadsMatchTheFile(_ counts: [Int]) throws {
        let (disk, memory, _) = try Self.pair()
        var fromDisk: [UInt8] = [9, 9]
        var fromMemory: [UInt8] = [9, 9]
        for count in counts {
            let a = try disk.read(upTo: count, appendingTo: &fromDisk)
            let b = try memory.read(upTo: count, appendingTo: &fromMemory)
            #expect(a == b, "read(upTo: \(count))")
            #expect(disk.position == memory.position)
        }
        expectBytes(fromMemory, fromDisk)
    }

    @Test(arguments: [
        (Int64(0), 18), (2_780, 100), (2_790, 5), (1_000_000, 5), (100, 0), (1_267, 1_252),
    ])
    func positionedReadsMatchTheFile(_ offset: Int64, _ count: Int) throws {
        let (disk, memory, _) = try Self.pair()
        expectBytes(try memory.read(at: offset, count: count), try disk.read(at: offset, count: count))
        #expect(memory.position == 0, "a positioned read must not move the sequential position")
    }

    @Test func seekThenReadMatchesTheFile() throws {
        let (disk, memory, _) = try Self.pair()
        for target in [Int64(2_762), 0, 1_267, 5_000] {
            try disk.seek(to: target)
            try memory.seek(to: target)
            #expect(memory.position == target)
            var a: [UInt8] = []
            var b: [UInt8] = []
            #expect(try disk.read(upTo: 1_000, appendingTo: &a) == (try memory.read(upTo: 1_000, appendingTo: &b)))
            #expect(a == b)
        }
    }

    @Test func negativeSeekIsAnIOErrorNamingTheSource() throws {
        let (_, memory, _) = try Self.pair()
        let error = try #require(bgzfError { try memory.seek(to: -1) })
        #expect(KindTag(error.kind) == .io)
        #expect(error.path == Self.name)
        #expect(memory.position == 0)
    }

    /// A large read near the end asks the source only for what is left, rather than zero-filling and
    /// handing it megabytes.
    @Test func readsAreCutToWhatRemains() throws {
        let (_, memory, source) = try Self.pair()
        try memory.seek(to: 2_700)
        var buffer: [UInt8] = []
        #expect(try memory.read(upTo: 4 << 20, appendingTo: &buffer) == 90)
        #expect(buffer.count == 90)
        #expect(try memory.read(upTo: 4 << 20, appendingTo: &buffer) == 0)
        #expect(try memory.read(at: 2_789, count: 1 << 20).count == 1)
        #expect(source.requests.map(\.count) == [90, 1], "no request past the end: \(source.requests)")
    }

    /// The whole BGZF reading stack runs unchanged over a source.
    @Test(arguments: [1, 3], [1_024, 70_000])
    func bgzfDecodesOverASource(_ maxBlocks: Int, _ readSize: Int) throws {
        let (_, memory, _) = try Self.pair()
        let reader = BGZFBlockReader(file: memory, readSize: readSize)
        let inflater = BGZFInflater(path: memory.path)
        var text: [UInt8] = []
        var offsets: [Int64] = []
        while let batch = try reader.nextBatch(maxBlocks: maxBlocks) {
            text += try inflater.inflate(batch)
            offsets.append(reader.nextBlockOffset)
        }
        expectBytes(text, Fixture.text)
        #expect(reader.lastBlockWasEmpty)
        #expect(offsets == decodeBGZF(Fixture.path("text.bgz"), maxBlocks: maxBlocks, readSize: readSize).offsetsAfterBatch)
    }

    /// Reading from a block offset (what an index query does) works over a source.
    @Test func blockReaderFromAnOffset() throws {
        let (_, memory, _) = try Self.pair()
        try memory.seek(to: Fixture.block2)
        let reader = BGZFBlockReader(file: memory, readSize: 1_024)
        let batch = try #require(try reader.nextBatch(maxBlocks: 1))
        #expect(batch.fileOffset == Fixture.block2)
        let inflated = try BGZFInflater(path: memory.path).inflate(batch)
        expectBytes(inflated, Fixture.text[Fixture.textBlockPayloads[0]..<(Fixture.textBlockPayloads[0] + Fixture.textBlockPayloads[1])])
    }

    @Test func reopenedSourceIsIndependent() throws {
        let (_, memory, source) = try Self.pair()
        var first: [UInt8] = []
        try memory.read(upTo: 100, appendingTo: &first)
        let second = try memory.reopened()
        #expect(source.reopenCount == 1)
        #expect(second.path == memory.path)
        #expect(second.size == memory.size)
        #expect(second.position == 0)
        try second.seek(to: 2_762)
        var tail: [UInt8] = []
        try second.read(upTo: 100, appendingTo: &tail)
        #expect(tail == BGZFBlock.eofMarker)
        #expect(memory.position == 100, "reading the second handle must not move the first")
        var next: [UInt8] = []
        try memory.read(upTo: 10, appendingTo: &next)
        #expect(next == Array(try Fixture.bytes("text.bgz")[100..<110]))
    }

    @Test func reopenedFileIsIndependent() throws {
        let disk = try ReadableFile(path: Fixture.path("text.bgz"))
        try disk.seek(to: 500)
        let second = try disk.reopened()
        #expect(second.path == disk.path)
        #expect(second.position == 0)
        #expect(try second.read(at: 0, count: 18) == Array(try Fixture.bytes("text.bgz").prefix(18)))
        #expect(disk.position == 500)
    }

    /// A source's error surfaces unchanged, named after the file when the source gave no path; a
    /// failed sequential read leaves the buffer and the position as they were.
    @Test(arguments: [nil, "/blobs/x.tlrb"])
    func sourceErrorsAreNamedAndLeaveStateAlone(_ errorPath: String?) throws {
        let file = ReadableFile(source: MemorySource(try Fixture.bytes("text.bgz"), failAt: 1_500, errorPath: errorPath), name: Self.name)
        var buffer: [UInt8] = [1, 2, 3]
        try file.read(upTo: 1_000, appendingTo: &buffer)
        let error = try #require(bgzfError { try file.read(upTo: 1_000, appendingTo: &buffer) })
        #expect(KindTag(error.kind) == .io)
        #expect(error.offset == 1_500)
        #expect(error.path == (errorPath ?? Self.name))
        #expect(error.description.contains("segment failed authentication"))
        #expect(buffer.count == 1_003)
        #expect(file.position == 1_000)
        let positioned = try #require(bgzfError { _ = try file.read(at: 1_400, count: 200) })
        #expect(positioned.path == (errorPath ?? Self.name))
        let reopened = try #require(bgzfError { _ = try file.reopened().read(at: 1_499, count: 2) })
        #expect(reopened.offset == 1_500)
    }

    @Test func emptySource() throws {
        let file = ReadableFile(source: MemorySource([]), name: "empty")
        #expect(file.size == 0)
        var buffer: [UInt8] = []
        #expect(try file.read(upTo: 10, appendingTo: &buffer) == 0)
        #expect(try file.read(at: 0, count: 10) == [])
        let reader = BGZFBlockReader(file: file)
        #expect(try reader.nextBatch(maxBlocks: 1) == nil)
    }
}
