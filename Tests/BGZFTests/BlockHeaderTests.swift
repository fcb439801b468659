import BGZF
import Foundation
import Testing

@Suite struct ContainerDetectionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let bytes: @Sendable () throws -> [UInt8]
        let expected: BGZFBlock.Container
        var testDescription: String { "\(label) → \(expected)" }
    }

    static let cases: [Case] = [
        Case(label: "text.bgz", bytes: { try Fixture.bytes("text.bgz") }, expected: .bgzf),
        Case(label: "first 1 KiB of text.bgz", bytes: { Array(try Fixture.bytes("text.bgz").prefix(1024)) }, expected: .bgzf),
        Case(label: "extra-subfield-first.bgz", bytes: { try Fixture.bytes("extra-subfield-first.bgz") }, expected: .bgzf),
        Case(label: "empty-blocks.bgz", bytes: { try Fixture.bytes("empty-blocks.bgz") }, expected: .bgzf),
        Case(label: "no-eof.bgz", bytes: { try Fixture.bytes("no-eof.bgz") }, expected: .bgzf),
        Case(label: "EOF marker alone", bytes: { BGZFBlock.eofMarker }, expected: .bgzf),
        Case(label: "exactly the 18-byte header of text.bgz", bytes: { Array(try Fixture.bytes("text.bgz").prefix(18)) }, expected: .bgzf),
        Case(label: "plain.gz", bytes: { try Fixture.bytes("plain.gz") }, expected: .gzip),
        Case(label: "multi-member.gz", bytes: { try Fixture.bytes("multi-member.gz") }, expected: .gzip),
        Case(label: "truncated.gz", bytes: { try Fixture.bytes("truncated.gz") }, expected: .gzip),
        // Too short to prove BGZF: a gzip magic is called gzip.
        Case(label: "gzip magic only", bytes: { [0x1f, 0x8b] }, expected: .gzip),
        Case(label: "17 bytes of a BGZF header", bytes: { Array(try Fixture.bytes("text.bgz").prefix(17)) }, expected: .gzip),
        Case(label: "11 bytes of a BGZF header", bytes: { Array(try Fixture.bytes("text.bgz").prefix(11)) }, expected: .gzip),
        // FEXTRA present, but the only subfield is not BC.
        Case(
            label: "gzip with FEXTRA but no BC",
            bytes: { [0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0x00, 0x58, 0x59, 0x02, 0x00, 0x01, 0x02] },
            expected: .gzip),
        Case(label: "text.txt", bytes: { try Fixture.bytes("text.txt") }, expected: .plain),
        Case(label: "VCF text", bytes: { Array("##fileformat=VCFv4.2\n".utf8) }, expected: .plain),
        Case(label: "empty", bytes: { [] }, expected: .plain),
        Case(label: "one byte 1f", bytes: { [0x1f] }, expected: .plain),
        Case(label: "1f 8c (not the gzip magic)", bytes: { [0x1f, 0x8c, 0x08, 0x04] }, expected: .plain),
    ]

    @Test(arguments: cases)
    func detectsContainer(_ c: Case) throws {
        #expect(BGZFBlock.container(of: try c.bytes()) == c.expected)
    }

    @Test func acceptsAnyCollectionOfBytes() throws {
        let bytes = try Fixture.bytes("text.bgz")
        #expect(BGZFBlock.container(of: bytes[0..<64]) == .bgzf)
        #expect(BGZFBlock.container(of: Data(bytes.prefix(64))) == .bgzf)
        #expect(BGZFBlock.container(of: bytes.prefix(64).reversed()) == .plain)
    }
}

@Suite struct BlockSizeTests {
    @Test func eofMarkerIs28Bytes() throws {
        #expect(BGZFBlock.eofMarker.count == 28)
        #expect(try blockSize(BGZFBlock.eofMarker) == 28)
        let trailer = BGZFBlock.eofMarker.withUnsafeBytes { BGZFBlock.trailer(of: $0) }
        #expect(trailer.crc == 0)
        #expect(trailer.isize == 0)
    }

    @Test func eachBlockOfTextBGZ() throws {
        let file = try Fixture.bytes("text.bgz")
        #expect(Int64(file.count) == Fixture.textSize)
        var sizes: [Int] = []
        for offset in Fixture.textBlockOffsets {
            let size = try #require(try blockSize(file, at: Int(offset), fileOffset: offset))
            sizes.append(size)
            let trailer = file[Int(offset)..<Int(offset) + size].withUnsafeBytes { BGZFBlock.trailer(of: $0) }
            #expect(trailer.isize == (sizes.count <= 3 ? Fixture.textBlockPayloads[sizes.count - 1] : 0))
        }
        #expect(sizes == Fixture.textBlockSizes)
        #expect(Int64(sizes.reduce(0, +)) == Fixture.textSize)
    }

    /// The header of block 2 cut at every length short of 18 bytes: more bytes are needed, not an error.
    @Test(arguments: 0..<18)
    func splitHeaderNeedsMoreBytes(_ length: Int) throws {
        let file = try Fixture.bytes("text.bgz")
        let start = Int(Fixture.block2)
        // The buffer holds some earlier bytes, then the first `length` bytes of block 2.
        let buffer = Array(file[(start - 5)..<(start + length)])
        #expect(try blockSize(buffer, at: 5, fileOffset: Fixture.block2) == nil)
    }

    @Test func wholeHeaderIsEnoughEvenWithoutTheData() throws {
        let file = try Fixture.bytes("text.bgz")
        let start = Int(Fixture.block2)
        #expect(try blockSize(Array(file[start..<(start + 18)])) == 1_252)
    }

    @Test func extraSubfieldBeforeBC() throws {
        let file = try Fixture.bytes("extra-subfield-first.bgz")
        // XLEN is 14 and the first subfield is XY, so BSIZE is at bytes 22-23, not 16-17.
        #expect(Array(file[10..<16]) == [14, 0, 0x58, 0x59, 4, 0])
        #expect(try blockSize(file) == 1_275)
        #expect(try blockSize(file, at: 1_275, fileOffset: 1_275) == 1_260)
        // With only the first 18 bytes the BC subfield is not yet in the buffer.
        #expect(try blockSize(Array(file.prefix(25))) == nil)
        #expect(try blockSize(Array(file.prefix(26))) == 1_275)
    }

    @Test func nonGzipBytesAreABadHeaderNamingTheBytes() throws {
        let bytes = Array("ABCDEFGHIJKLMNOP".utf8)
        let error = try #require(bgzfError { _ = try blockSize(bytes, fileOffset: 4_242) })
        #expect(error.offset == 4_242)
        guard case .badHeader(let message) = error.kind else {
            Issue.record("expected badHeader, got \(error.kind)")
            return
        }
        #expect(message.contains("41 42"), "message should show the bytes found: \(message)")
        #expect(message.contains("1f 8b"))
        #expect(error.description.contains("byte 4242:"))
    }

    @Test func gzipWithoutFEXTRAIsABadHeader() throws {
        let plain = try Fixture.bytes("plain.gz")
        #expect(plain[3] & 0x04 == 0)
        let error = try #require(bgzfError { _ = try blockSize(plain) })
        guard case .badHeader(let message) = error.kind else {
            Issue.record("expected badHeader, got \(error.kind)")
            return
        }
        #expect(message.contains("FEXTRA"))
        #expect(error.offset == 0)
    }

    @Test func gzipWithExtraFieldButNoBCSubfield() throws {
        let header: [UInt8] = [0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 0x06, 0x00, 0x58, 0x59, 0x02, 0x00, 0x01, 0x02]
        let error = try #require(bgzfError { _ = try blockSize(header, fileOffset: 7) })
        #expect(KindTag(error.kind) == .badHeader)
        #expect(error.offset == 7)
        #expect(error.description.contains("BC"))
    }

    @Test func compressionMethodOtherThanDeflate() throws {
        var header = Array(BGZFBlock.eofMarker)
        header[2] = 7
        let error = try #require(bgzfError { _ = try blockSize(header) })
        #expect(KindTag(error.kind) == .badHeader)
    }

    @Test func blockSizeSmallerThanItsOwnHeader() throws {
        var header = Array(BGZFBlock.eofMarker)
        header[16] = 10  // BSIZE 10 → 11 bytes, less than 18 + 8
        header[17] = 0
        let error = try #require(bgzfError { _ = try blockSize(header, fileOffset: 99) })
        #expect(KindTag(error.kind) == .badHeader)
        #expect(error.offset == 99)
    }

    @Test func largestPossibleBlockSize() throws {
        var header = Array(BGZFBlock.eofMarker)
        header[16] = 0xff
        header[17] = 0xff
        #expect(try blockSize(header) == BGZFBlock.maxBlockSize)
    }
}
