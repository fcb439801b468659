/// The BGZF block format (SAMv1 §4.1): independent gzip members of at most 64 KiB, each carrying its
/// own total size in a `BC` extra subfield so that a reader can find block boundaries without inflating.
public enum BGZFBlock {
    /// The largest total size of one block, header and trailer included.
    public static let maxBlockSize = 65_536
    /// The largest uncompressed payload of one block.
    public static let maxPayload = 65_536
    /// Bytes needed before the extra field (and so the block size) can be read.
    public static let fixedHeaderSize = 12

    /// The 28-byte empty block that ends every well-formed BGZF file.
    public static let eofMarker: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00,
        0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]

    /// What the first bytes of a file say it is.
    public enum Container: Sendable, Equatable {
        case bgzf
        case gzip
        case plain
    }

    /// Recognises BGZF (gzip with a `BC` subfield), other gzip, or uncompressed data from a file's first bytes.
    /// Needs up to the first 12 + XLEN bytes; with fewer, a gzip file that cannot be proven BGZF is called gzip.
    public static func container(of prefix: some Collection<UInt8>) -> Container {
        let bytes = Array(prefix.prefix(1024))
        guard bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b else { return .plain }
        let size = bytes.withUnsafeBytes { buffer in Result { () throws(BGZFError) in try blockSize(in: buffer, at: 0, fileOffset: 0) } }
        if case .success(.some) = size { return .bgzf }
        return .gzip
    }

    /// Reads the header of the block starting at `offset` and returns its total size in bytes.
    ///
    /// - Returns: `nil` when `buffer` does not yet hold the whole header (read more and call again).
    /// - Throws: ``BGZFError`` with `.badHeader` when the bytes are not a BGZF block header.
    public static func blockSize(in buffer: UnsafeRawBufferPointer, at offset: Int, fileOffset: Int64) throws(BGZFError) -> Int? {
        let available = buffer.count - offset
        if available < fixedHeaderSize { return nil }
        let b = { (i: Int) -> UInt8 in buffer[offset + i] }
        guard b(0) == 0x1f, b(1) == 0x8b else {
            throw BGZFError(.badHeader("expected gzip magic 1f 8b, found \(hexByte(b(0))) \(hexByte(b(1)))"), offset: fileOffset)
        }
        guard b(2) == 8 else { throw BGZFError(.badHeader("compression method \(b(2)) is not DEFLATE (8)"), offset: fileOffset) }
        guard b(3) & 0x04 != 0 else {
            throw BGZFError(.badHeader("no FEXTRA field, so this gzip member is not a BGZF block"), offset: fileOffset)
        }
        let xlen = Int(b(10)) | Int(b(11)) << 8
        if available < fixedHeaderSize + xlen { return nil }
        // Walk the subfields: BC is usually first, but the format does not promise it.
        var p = fixedHeaderSize
        while p + 4 <= fixedHeaderSize + xlen {
            let si1 = b(p), si2 = b(p + 1)
            let slen = Int(b(p + 2)) | Int(b(p + 3)) << 8
            if si1 == 66, si2 == 67, slen == 2, p + 6 <= fixedHeaderSize + xlen {
                let bsize = Int(b(p + 4)) | Int(b(p + 5)) << 8
                let total = bsize + 1
                guard total >= fixedHeaderSize + xlen + 8 else {
                    throw BGZFError(.badHeader("block size \(total) is smaller than its own header and trailer"), offset: fileOffset)
                }
                return total
            }
            p += 4 + slen
        }
        throw BGZFError(.badHeader("gzip member has no BC subfield, so it is not a BGZF block"), offset: fileOffset)
    }

    /// The CRC32 and uncompressed size stored in the last 8 bytes of a block.
    @inlinable
    public static func trailer(of block: UnsafeRawBufferPointer) -> (crc: UInt32, isize: Int) {
        let n = block.count
        let crc = UInt32(block[n - 8]) | UInt32(block[n - 7]) << 8 | UInt32(block[n - 6]) << 16 | UInt32(block[n - 5]) << 24
        let isize = Int(block[n - 4]) | Int(block[n - 3]) << 8 | Int(block[n - 2]) << 16 | Int(block[n - 1]) << 24
        return (crc, isize)
    }
}

func hexByte(_ byte: UInt8) -> String {
    let s = String(byte, radix: 16)
    return s.count == 1 ? "0" + s : s
}
