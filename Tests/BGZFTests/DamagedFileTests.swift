import BGZF
import Foundation
import Testing

/// Every damaged fixture must fail with the right kind of error, located at the byte offset of the damaged block,
/// whatever the batch size and read size.
@Suite struct DamagedFileTests {
    struct Damage: Sendable, CustomTestStringConvertible {
        let file: String
        let kind: KindTag
        let offset: Int64
        /// Text bytes that come out intact, in blocks before the damaged one, when reading one block per batch.
        let intactPrefix: Int
        var testDescription: String { "\(file) → \(kind) at byte \(offset)" }
    }

    static let damages: [Damage] = [
        Damage(file: "truncated.bgz", kind: .truncated, offset: Fixture.block2, intactPrefix: 65_280),
        Damage(file: "bad-crc.bgz", kind: .crcMismatch, offset: Fixture.block2, intactPrefix: 65_280),
        Damage(file: "corrupt-deflate.bgz", kind: .corruptData, offset: Fixture.block2, intactPrefix: 65_280),
        Damage(file: "wrong-isize.bgz", kind: .sizeMismatch, offset: 0, intactPrefix: 0),
    ]

    static let batchSizes = [1, 2, 64]

    @Test(arguments: damages, batchSizes)
    func failsAtTheDamagedBlock(_ damage: Damage, maxBlocks: Int) throws {
        let path = Fixture.path(damage.file)
        let result = decodeBGZF(path, maxBlocks: maxBlocks, readSize: 100)
        let error = try #require(result.error, "reading \(damage.file) must fail")
        #expect(KindTag(error.kind) == damage.kind, "got \(error)")
        #expect(error.offset == damage.offset)
        #expect(error.path == path)
        #expect(error.description.contains("byte \(damage.offset): "), "description: \(error.description)")
        #expect(error.description.hasPrefix(path + ": "))
        // Nothing past the damaged block, and nothing wrong before it.
        #expect(result.output.count <= damage.intactPrefix)
        expectTextPrefix(result.output)
        if maxBlocks == 1 { #expect(result.output.count == damage.intactPrefix) }
    }

    @Test func truncatedSaysHowManyBytesAreMissing() throws {
        let error = try #require(decodeBGZF(Fixture.path("truncated.bgz"), maxBlocks: 1).error)
        guard case .truncated(let message) = error.kind else {
            Issue.record("expected truncated, got \(error.kind)")
            return
        }
        // Block 2 declares 1252 bytes; the file ends 626 bytes into it.
        #expect(message.contains("1252"), "\(message)")
        #expect(message.contains("626"), "\(message)")
    }

    @Test func badCRCReportsStoredAndComputedChecksums() throws {
        let error = try #require(decodeBGZF(Fixture.path("bad-crc.bgz"), maxBlocks: 64).error)
        #expect(error.kind == .crcMismatch(expected: Fixture.badCRCStored, actual: Fixture.badCRCTrue))
        #expect(error.description.contains("0x1f320b1b"))
        #expect(error.description.contains("0x1f320be4"))
    }

    @Test func isizeSmallerThanTheDataIsASizeMismatch() throws {
        let error = try #require(decodeBGZF(Fixture.path("wrong-isize.bgz"), maxBlocks: 1).error)
        guard case .sizeMismatch(let expected, let actual) = error.kind else {
            Issue.record("expected sizeMismatch, got \(error.kind)")
            return
        }
        #expect(expected == Fixture.wrongISIZE)
        // The error reports the block's true size (its first block holds 65,280 bytes).
        #expect(actual == 65_280)
        #expect(error.description.contains("\(Fixture.wrongISIZE)"))
    }

    /// Block 1 claims 65480 bytes but inflates to 65280. The data is intact (the CRC matches), but ISIZE is wrong,
    /// which `BGZFError.Kind.sizeMismatch` is documented to report. (libdeflate reports a short output as success
    /// when given an output-size pointer, so the inflater must compare the sizes itself.)
    @Test(arguments: batchSizes)
    func isizeLargerThanTheDataIsASizeMismatch(maxBlocks: Int) throws {
        let result = decodeBGZF(Fixture.path("isize-too-large.bgz"), maxBlocks: maxBlocks)
        let error = try #require(result.error, "decoded \(result.output.count) bytes without an error")
        #expect(error.kind == .sizeMismatch(expected: Fixture.tooLargeISIZE, actual: 65_280))
        #expect(error.offset == 0)
        #expect(error.description.contains("byte 0: "))
        #expect(result.output.isEmpty)
    }

    /// Block 2 holds 65280 bytes but its ISIZE says 0. Reading must not silently drop the block.
    @Test(arguments: batchSizes)
    func nonEmptyBlockWithZeroISIZEIsAnError(maxBlocks: Int) throws {
        let result = decodeBGZF(Fixture.path("isize-zero.bgz"), maxBlocks: maxBlocks)
        let error = try #require(result.error, "decoded \(result.output.count) of \(Fixture.textCount) bytes without an error")
        #expect(KindTag(error.kind) == .sizeMismatch || KindTag(error.kind) == .crcMismatch, "\(error)")
        #expect(error.offset == Fixture.block2)
        #expect(error.description.contains("byte \(Fixture.block2): "))
        // The output must be a prefix of the text (block 1 at most), not the text with a 65280-byte hole.
        #expect(result.output.count <= 65_280)
        expectTextPrefix(result.output)
        if maxBlocks == 1 { #expect(result.output.count == 65_280) }
    }

    @Test func noEOFMarkerReadsFullyButIsDetectable() throws {
        let result = decodeBGZF(Fixture.path("no-eof.bgz"), maxBlocks: 2)
        #expect(result.error == nil)
        expectBytes(result.output, Fixture.text)
        #expect(result.sawAnyBlock)
        #expect(!result.lastBlockWasEmpty)
    }

    // MARK: - Variants built on the fly from text.bgz

    private static func textBGZ(_ edit: (inout [UInt8]) -> Void) throws -> TemporaryFile {
        var bytes = try Fixture.bytes("text.bgz")
        edit(&bytes)
        return try TemporaryFile(bytes)
    }

    /// The file ends inside the 18-byte header of block 2 (or right after its first byte).
    @Test(arguments: [1, 10, 17])
    func truncatedInsideABlockHeader(_ headerBytes: Int) throws {
        let temp = try Self.textBGZ { $0.removeSubrange((Int(Fixture.block2) + headerBytes)...) }
        defer { temp.remove() }
        let result = decodeBGZF(temp.path, maxBlocks: 1, readSize: 7)
        let error = try #require(result.error)
        #expect(KindTag(error.kind) == .truncated)
        #expect(error.offset == Fixture.block2)
        #expect(error.description.contains("\(headerBytes) bytes"), "\(error.description)")
        expectBytes(result.output, Fixture.text.prefix(65_280))
    }

    /// Bytes that are not a block after the EOF marker: a bad header at exactly that offset, naming the bytes.
    @Test func garbageAfterTheEOFMarker() throws {
        let temp = try Self.textBGZ { $0 += Array("hello, world".utf8) }
        defer { temp.remove() }
        let result = decodeBGZF(temp.path, maxBlocks: 1, readSize: 1_000)
        let error = try #require(result.error)
        #expect(error.offset == Fixture.textSize)
        guard case .badHeader(let message) = error.kind else {
            Issue.record("expected badHeader, got \(error.kind)")
            return
        }
        #expect(message.contains("68 65"), "\(message)")
        #expect(error.path == temp.path)
        expectBytes(result.output, Fixture.text)
    }

    /// Bad magic at block 3.
    @Test func badMagicInTheMiddle() throws {
        let temp = try Self.textBGZ { $0[2_519] = 0x00 }
        defer { temp.remove() }
        let error = try #require(decodeBGZF(temp.path, maxBlocks: 64, readSize: 100).error)
        #expect(KindTag(error.kind) == .badHeader)
        #expect(error.offset == 2_519)
        #expect(error.description.contains("byte 2519: "))
    }

    /// ISIZE above 64 KiB cannot be a BGZF block.
    @Test(arguments: [1, 64])
    func isizeAbove64KiB(maxBlocks: Int) throws {
        let temp = try Self.textBGZ { bytes in
            let at = 1_267 + 1_252 - 4  // ISIZE of block 2
            bytes.replaceSubrange(at..<(at + 4), with: [0x70, 0x11, 0x01, 0x00])  // 70000
        }
        defer { temp.remove() }
        let error = try #require(decodeBGZF(temp.path, maxBlocks: maxBlocks).error)
        #expect(KindTag(error.kind) == .badHeader)
        #expect(error.offset == Fixture.block2)
        #expect(error.description.contains("70000"))
    }
}

@Suite struct ErrorDescriptionTests {
    @Test(arguments: [
        (BGZFError.Kind.io("cannot open: No such file or directory"), "cannot open"),
        (.badHeader("x"), "invalid BGZF/gzip block header: x"),
        (.truncated("y"), "file is truncated: y"),
        (.corruptData, "corrupt compressed data"),
        (.crcMismatch(expected: 0xdead_beef, actual: 0x10), "stored 0xdeadbeef, computed 0x00000010"),
        (.sizeMismatch(expected: 5, actual: 7), "decompressed to 7 bytes but its trailer says 5"),
        (.missingEOFMarker, "no BGZF end-of-file marker"),
    ])
    func describesKindWithOffsetAndPath(_ kind: BGZFError.Kind, _ fragment: String) {
        let error = BGZFError(kind, offset: 1_234_567, path: "/data/x.vcf.gz")
        #expect(error.description.hasPrefix("/data/x.vcf.gz: byte 1234567: "))
        #expect(error.description.contains(fragment))
        let noPath = BGZFError(kind, offset: 0)
        #expect(noPath.description.hasPrefix("byte 0: "))
    }
}
