import BGZF
import Foundation
import Testing

@Suite struct BlockReaderTests {
    struct ValidFile: Sendable, CustomTestStringConvertible {
        let name: String
        let blockOffsets: [Int64]
        let size: Int64
        let hasEOFMarker: Bool
        var testDescription: String { name }
    }

    static let validFiles: [ValidFile] = [
        ValidFile(name: "text.bgz", blockOffsets: Fixture.textBlockOffsets, size: Fixture.textSize, hasEOFMarker: true),
        ValidFile(
            name: "extra-subfield-first.bgz", blockOffsets: Fixture.extraBlockOffsets, size: Fixture.extraSize,
            hasEOFMarker: true),
        ValidFile(
            name: "empty-blocks.bgz", blockOffsets: Fixture.emptyBlocksOffsets, size: Fixture.emptyBlocksSize,
            hasEOFMarker: true),
        ValidFile(
            name: "no-eof.bgz", blockOffsets: Array(Fixture.textBlockOffsets.dropLast()), size: Fixture.textSize - 28,
            hasEOFMarker: false),
    ]

    struct Reading: Sendable, CustomTestStringConvertible {
        let maxBlocks: Int
        let readSize: Int
        var testDescription: String { "maxBlocks \(maxBlocks), readSize \(readSize)" }
    }

    /// Batch sizes 1, 2, 64 crossed with reads of 1 byte, 100 bytes (many refills inside a block and across block
    /// boundaries) and 70000 bytes (the whole file at once), plus the reader's default read size (4 MiB) once.
    static let readings: [Reading] =
        [1, 2, 64].flatMap { m in [1, 100, 70_000].map { Reading(maxBlocks: m, readSize: $0) } }
        + [Reading(maxBlocks: 64, readSize: 4 << 20)]

    @Test(arguments: validFiles, readings)
    func reproducesTextExactly(_ file: ValidFile, _ reading: Reading) throws {
        let result = decodeBGZF(Fixture.path(file.name), maxBlocks: reading.maxBlocks, readSize: reading.readSize)
        #expect(result.error == nil)
        #expect(result.output.count == Fixture.textCount)
        expectBytes(result.output, Fixture.text)
        #expect(result.lastBlockWasEmpty == file.hasEOFMarker)
        #expect(result.sawAnyBlock)

        // Every block is handed out exactly once, at its own offset, in batches of at most maxBlocks.
        var starts: [Int64] = []
        for batch in result.batches {
            #expect(batch.blockCount >= 1 && batch.blockCount <= reading.maxBlocks)
            #expect(batch.blockStarts.first == 0)
            #expect(batch.blockStarts.last == batch.bytes.count)
            starts += batch.blockStarts.dropLast().map { batch.fileOffset + Int64($0) }
        }
        #expect(starts == file.blockOffsets)
        let expectedBatches = (file.blockOffsets.count + reading.maxBlocks - 1) / reading.maxBlocks
        #expect(result.batches.count == expectedBatches)
        #expect(result.offsetsAfterBatch.last == file.size)
    }

    @Test func batchesOfTwoBlocksHaveExactLayout() throws {
        let file = try ReadableFile(path: Fixture.path("text.bgz"))
        let reader = BGZFBlockReader(file: file, readSize: 100)
        #expect(reader.nextBlockOffset == 0)
        #expect(!reader.sawAnyBlock)

        let first = try #require(try reader.nextBatch(maxBlocks: 2))
        #expect(first.fileOffset == 0)
        #expect(first.blockStarts == [0, 1_267, 2_519])
        #expect(first.bytes.count == 2_519)
        #expect(first.bytes.prefix(4) == [0x1f, 0x8b, 0x08, 0x04])
        #expect(Array(first.bytes) == Array(try Fixture.bytes("text.bgz")[0..<2_519]))
        #expect(reader.nextBlockOffset == 2_519)
        #expect(!reader.lastBlockWasEmpty)

        let second = try #require(try reader.nextBatch(maxBlocks: 2))
        #expect(second.fileOffset == 2_519)
        #expect(second.blockStarts == [0, 243, 271])
        #expect(Array(second.bytes.suffix(28)) == BGZFBlock.eofMarker)
        #expect(reader.nextBlockOffset == Fixture.textSize)
        #expect(reader.lastBlockWasEmpty)

        #expect(try reader.nextBatch(maxBlocks: 2) == nil)
        #expect(try reader.nextBatch(maxBlocks: 2) == nil)
        #expect(reader.nextBlockOffset == Fixture.textSize)

        let inflater = BGZFInflater()
        expectBytes(try inflater.inflate(first) + inflater.inflate(second), Fixture.text)
    }

    @Test func emptyBlocksInTheMiddleAreCountedAsEmpty() throws {
        let file = try ReadableFile(path: Fixture.path("empty-blocks.bgz"))
        let reader = BGZFBlockReader(file: file, readSize: 64)
        let inflater = BGZFInflater()
        var emptyAfterEach: [Bool] = []
        var payloads: [Int] = []
        while let batch = try reader.nextBatch(maxBlocks: 1) {
            emptyAfterEach.append(reader.lastBlockWasEmpty)
            payloads.append(try inflater.inflate(batch).count)
        }
        #expect(payloads == [1_000, 0, 65_280, 0, 0, 30_000, 0, 40_126, 0])
        #expect(emptyAfterEach == [false, true, false, true, true, false, true, false, true])
    }

    /// Random access: position the file at block 2 (as a tabix query would) and read from there.
    @Test(arguments: [Int64(1_267), 2_519, 2_762])
    func startsAtABlockOffset(_ start: Int64) throws {
        let result = decodeBGZF(Fixture.path("text.bgz"), maxBlocks: 64, readSize: 100, from: start)
        #expect(result.error == nil)
        let skipped = zip(Fixture.textBlockOffsets, [0, 65_280, 130_560, 136_406]).first { $0.0 == start }!.1
        expectBytes(result.output, Fixture.text[skipped...])
        #expect(result.batches.first?.fileOffset == start)
        #expect(result.lastBlockWasEmpty)
    }

    @Test func virtualOffsetLocatesAByteOfTheText() throws {
        let target = VirtualOffset(blockOffset: 2_519, withinBlock: 100)
        let file = try ReadableFile(path: Fixture.path("text.bgz"))
        try file.seek(to: target.blockOffset)
        let reader = BGZFBlockReader(file: file, readSize: 65_536)
        let batch = try #require(try reader.nextBatch(maxBlocks: 1))
        let block = try BGZFInflater().inflate(batch)
        #expect(block.count == 5_846)
        expectBytes(Array(block[target.withinBlock...]), Fixture.text[(130_560 + 100)...])
    }

    @Test func emptyFileHasNoBatches() throws {
        let temp = try TemporaryFile([], name: "empty.bgz")
        defer { temp.remove() }
        let reader = BGZFBlockReader(file: try ReadableFile(path: temp.path), readSize: 1_024)
        #expect(try reader.nextBatch(maxBlocks: 4) == nil)
        #expect(!reader.sawAnyBlock)
        #expect(!reader.lastBlockWasEmpty)
    }

    @Test func eofMarkerAloneIsAnEmptyFile() throws {
        let temp = try TemporaryFile(BGZFBlock.eofMarker, name: "eof.bgz")
        defer { temp.remove() }
        let result = decodeBGZF(temp.path, maxBlocks: 4, readSize: 3)
        #expect(result.error == nil)
        #expect(result.output.isEmpty)
        #expect(result.batches.map(\.blockStarts) == [[0, 28]])
        #expect(result.sawAnyBlock)
        #expect(result.lastBlockWasEmpty)
    }

    /// Batches are independent: inflating them on several tasks in any order and reassembling gives the text.
    @Test func batchesInflateIndependentlyInParallel() async throws {
        let batches = decodeBGZF(Fixture.path("empty-blocks.bgz"), maxBlocks: 2).batches
        #expect(batches.count == 5)
        let pieces = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for (index, batch) in batches.enumerated().reversed() {
                group.addTask { (index, try BGZFInflater().inflate(batch)) }
            }
            var pieces: [Int: [UInt8]] = [:]
            for try await (index, bytes) in group { pieces[index] = bytes }
            return pieces
        }
        expectBytes(pieces.keys.sorted().flatMap { pieces[$0]! }, Fixture.text)
    }

    @Test func inflateBlockWritesIntoACallerBuffer() throws {
        let file = try Fixture.bytes("text.bgz")
        let block = Array(file[2_519..<2_762])
        var out = [UInt8](repeating: 0, count: 65_536)
        let inflater = BGZFInflater()
        let written = try block.withUnsafeBytes { raw in
            try out.withUnsafeMutableBytes { dst in
                try Result { () throws(BGZFError) in try inflater.inflateBlock(raw, into: dst, fileOffset: 2_519) }.get()
            }
        }
        #expect(written == 5_846)
        expectBytes(Array(out[0..<written]), Fixture.text[130_560...])
        let empty = try BGZFBlock.eofMarker.withUnsafeBytes { raw in
            try out.withUnsafeMutableBytes { dst in
                try Result { () throws(BGZFError) in try inflater.inflateBlock(raw, into: dst, fileOffset: 0) }.get()
            }
        }
        #expect(empty == 0)
    }
}
