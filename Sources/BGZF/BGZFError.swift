/// A problem reading a BGZF, gzip or plain file, located by byte offset in the file.
///
/// Every error names where it happened so that a lab can find the damaged spot (for example a
/// transfer that stopped half-way) instead of getting a silent short read.
public struct BGZFError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The file could not be opened or read.
        case io(String)
        /// A block does not start with the gzip magic bytes or has an impossible header.
        case badHeader(String)
        /// The file ends inside a block or inside a gzip stream.
        case truncated(String)
        /// The DEFLATE data of a block does not decompress.
        case corruptData
        /// The decompressed bytes do not match the CRC32 stored in the block trailer.
        case crcMismatch(expected: UInt32, actual: UInt32)
        /// The decompressed size differs from ISIZE in the block trailer.
        case sizeMismatch(expected: Int, actual: Int)
        /// The file ends without the 28-byte BGZF end-of-file marker: it was probably cut short at a block boundary.
        case missingEOFMarker
    }

    public var kind: Kind
    /// Byte offset in the (compressed) file where the problem was found.
    public var offset: Int64
    /// The file, when known.
    public var path: String?

    public init(_ kind: Kind, offset: Int64, path: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.path = path
    }

    public var description: String {
        let place = (path.map { "\($0): " } ?? "") + "byte \(offset): "
        switch kind {
        case .io(let message): return place + message
        case .badHeader(let message): return place + "invalid BGZF/gzip block header: " + message
        case .truncated(let message): return place + "file is truncated: " + message
        case .corruptData: return place + "corrupt compressed data (DEFLATE stream does not decode)"
        case .crcMismatch(let expected, let actual):
            return place + "CRC32 mismatch (stored \(hex(expected)), computed \(hex(actual))): the block is corrupt"
        case .sizeMismatch(let expected, let actual):
            return place + "block decompressed to \(actual) bytes but its trailer says \(expected)"
        case .missingEOFMarker:
            return place + "no BGZF end-of-file marker: the file was probably cut short (re-copy it, or use --lenient to read what is there)"
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
