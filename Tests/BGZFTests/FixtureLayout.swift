import BGZF
import Foundation
import Testing

/// Where the fixtures from `scripts/make_bgzf_fixtures.py` live, and the block layout that script printed into
/// `Fixtures/README.md`. Tests assert these exact offsets, so regenerating the fixtures with a zlib that compresses
/// differently means updating the numbers here from the README.
enum Fixture {
    static let directory: URL = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("BGZFTests resource directory Fixtures is missing from the test bundle")
        }
        return url
    }()

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// The uncompressed reference every valid fixture decodes to.
    static let text: [UInt8] = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("text.txt")) else {
            fatalError("cannot read Fixtures/text.txt")
        }
        return [UInt8](data)
    }()

    static let textCount = 136_406
    /// Payload sizes of the blocks of `text.bgz` (htslib's 0xff00 fill).
    static let textBlockPayloads = [65_280, 65_280, 5_846]

    /// `text.bgz`: offsets of blocks 1, 2, 3 and of the EOF marker; total file size.
    static let textBlockOffsets: [Int64] = [0, 1_267, 2_519, 2_762]
    static let textBlockSizes = [1_267, 1_252, 243, 28]
    static let textSize: Int64 = 2_790
    /// Offset of block 2, the one damaged in most corrupt fixtures.
    static let block2: Int64 = 1_267

    /// `extra-subfield-first.bgz`: XLEN 14 (`XY` subfield of 4 bytes before `BC`).
    static let extraBlockOffsets: [Int64] = [0, 1_275, 2_535, 2_786]
    static let extraSize: Int64 = 2_814

    /// `empty-blocks.bgz`: payloads 1000, 0, 65280, 0, 0, 30000, 0, 40126, then the EOF marker.
    static let emptyBlocksOffsets: [Int64] = [0, 71, 99, 1_366, 1_394, 1_422, 2_150, 2_178, 3_062]
    static let emptyBlocksSize: Int64 = 3_090

    /// `truncated.bgz` ends at this byte, inside block 2.
    static let truncatedAt: Int64 = 1_893
    /// `bad-crc.bgz`: CRC32 stored in block 2 after the flip, and the true CRC32 of block 2's payload.
    static let badCRCStored: UInt32 = 0x1f32_0b1b
    static let badCRCTrue: UInt32 = 0x1f32_0be4
    /// `wrong-isize.bgz`: ISIZE written into block 1 (true size 65280).
    static let wrongISIZE = 64_280
    /// `isize-too-large.bgz`: ISIZE written into block 1 (true size 65280).
    static let tooLargeISIZE = 65_480

    static let plainGzSize: Int64 = 2_277
    static let multiMemberSecondMemberAt = 1_299
    static let truncatedGzSize: Int64 = 1_138
}

/// Runs `body` and returns the ``BGZFError`` it throws, or `nil` (after recording an issue) when it throws nothing
/// or something else.
func bgzfError(
    _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation
) -> BGZFError? {
    do {
        try body()
        Issue.record("expected a BGZFError, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as BGZFError {
        return error
    } catch {
        Issue.record("expected a BGZFError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// `BGZFBlock.blockSize` over an array.
func blockSize(_ bytes: [UInt8], at offset: Int = 0, fileOffset: Int64 = 0) throws -> Int? {
    try bytes.withUnsafeBytes { raw in
        try Result { () throws(BGZFError) in try BGZFBlock.blockSize(in: raw, at: offset, fileOffset: fileOffset) }.get()
    }
}

/// The result of reading a BGZF file block batch by batch, as the streaming code does.
struct BGZFDecode {
    var output: [UInt8] = []
    var batches: [BGZFBatch] = []
    /// `nextBlockOffset` after each batch.
    var offsetsAfterBatch: [Int64] = []
    var error: BGZFError?
    var lastBlockWasEmpty = false
    var sawAnyBlock = false
}

extension BGZFDecode: CustomStringConvertible {
    /// Short, so that failed expectations do not print 136 KB of bytes.
    var description: String {
        "BGZFDecode(\(output.count) bytes out, \(batches.count) batches, error: \(error.map(String.init(describing:)) ?? "none"))"
    }
}

/// Reads `path` (from `start`) with ``BGZFBlockReader`` and ``BGZFInflater`` until the end or the first error.
/// The default `readSize` is smaller than the reader's own 4 MiB because `ReadableFile` zero-fills every read
/// buffer, which takes ~0.7 s per 4 MiB read in debug builds.
func decodeBGZF(_ path: String, maxBlocks: Int, readSize: Int = 70_000, from start: Int64 = 0) -> BGZFDecode {
    var result = BGZFDecode()
    do throws(BGZFError) {
        let file = try ReadableFile(path: path)
        if start != 0 { try file.seek(to: start) }
        let reader = BGZFBlockReader(file: file, readSize: readSize)
        let inflater = BGZFInflater(path: path)
        defer {
            result.lastBlockWasEmpty = reader.lastBlockWasEmpty
            result.sawAnyBlock = reader.sawAnyBlock
        }
        while let batch = try reader.nextBatch(maxBlocks: maxBlocks) {
            result.batches.append(batch)
            result.offsetsAfterBatch.append(reader.nextBlockOffset)
            result.output += try inflater.inflate(batch)
        }
    } catch {
        result.error = error
    }
    return result
}

/// Reads a whole gzip file with ``GzipStreamReader``; returns the chunks and the error that stopped it, if any.
func decodeGzip(_ path: String, chunkSize: Int) -> (chunks: [[UInt8]], error: BGZFError?) {
    var chunks: [[UInt8]] = []
    do throws(BGZFError) {
        let reader = try GzipStreamReader(file: try ReadableFile(path: path), chunkSize: chunkSize)
        while let chunk = try reader.nextChunk() { chunks.append(chunk) }
        // Once finished it must stay finished.
        if try reader.nextChunk() != nil { Issue.record("nextChunk returned data after returning nil") }
        return (chunks, nil)
    } catch {
        return (chunks, error)
    }
}

/// A temporary file holding `bytes`, removed by the caller via `remove`.
struct TemporaryFile {
    let path: String

    init(_ bytes: [UInt8], name: String = "fixture") throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("BGZFTests-\(UUID().uuidString)-\(name)")
        try Data(bytes).write(to: url)
        path = url.path
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The kind of a ``BGZFError/Kind`` without its payload, for parameterised expectations.
enum KindTag: String, Sendable, Equatable, CustomStringConvertible {
    case io, badHeader, truncated, corruptData, crcMismatch, sizeMismatch, missingEOFMarker

    init(_ kind: BGZFError.Kind) {
        switch kind {
        case .io: self = .io
        case .badHeader: self = .badHeader
        case .truncated: self = .truncated
        case .corruptData: self = .corruptData
        case .crcMismatch: self = .crcMismatch
        case .sizeMismatch: self = .sizeMismatch
        case .missingEOFMarker: self = .missingEOFMarker
        }
    }

    var description: String { rawValue }
}

/// Expects `actual` to equal `expected` byte for byte, reporting sizes and the first difference instead of
/// dumping 136 KB arrays.
func expectBytes(
    _ actual: [UInt8], _ expected: some Collection<UInt8>, _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let expected = Array(expected)
    if actual == expected { return }
    let firstDifference =
        zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        ?? min(actual.count, expected.count)
    let context = { (bytes: [UInt8]) in
        String(decoding: bytes[min(firstDifference, bytes.count)..<min(firstDifference + 24, bytes.count)], as: UTF8.self)
            .debugDescription
    }
    Issue.record(
        """
        bytes differ\(comment.map { " (\($0))" } ?? ""): got \(actual.count) bytes, expected \(expected.count); \
        first difference at index \(firstDifference): got \(context(actual)), expected \(context(expected))
        """, sourceLocation: sourceLocation)
}

/// Expects `actual` to be the first `actual.count` bytes of the reference text (what a reader may deliver
/// before an error), reporting concisely.
func expectTextPrefix(_ actual: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count <= Fixture.textCount else {
        Issue.record("got \(actual.count) bytes, more than the whole text (\(Fixture.textCount))", sourceLocation: sourceLocation)
        return
    }
    expectBytes(actual, Fixture.text.prefix(actual.count), "prefix of text.txt", sourceLocation: sourceLocation)
}
