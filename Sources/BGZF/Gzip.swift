import CLibDeflate

/// Whole-buffer gzip (one member), for small files such as compressed knowledge-pack entries.
/// Streams and BGZF files use ``GzipStreamReader`` and ``BGZFInflater`` instead.
public enum Gzip {
    /// The largest buffer ``decompress(_:limit:)`` produces unless told otherwise.
    public static let defaultLimit = 256 << 20

    /// Compresses `bytes` into one gzip member with no file name or time stamp, so the output is
    /// reproducible byte for byte.
    public static func compress(_ bytes: [UInt8], level: Int32 = 9) -> [UInt8] {
        guard let compressor = libdeflate_alloc_compressor(level) else { fatalError("libdeflate_alloc_compressor: out of memory") }
        defer { libdeflate_free_compressor(compressor) }
        let bound = libdeflate_gzip_compress_bound(compressor, bytes.count)
        return [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            count = bytes.withUnsafeBytes { input in
                libdeflate_gzip_compress(compressor, input.baseAddress, input.count, out.baseAddress, bound)
            }
        }
    }

    /// Decompresses one gzip member whose trailer gives its size, checking its CRC32.
    ///
    /// - Throws: ``BGZFError`` when the data are not gzip, are corrupt, or would exceed `limit` bytes.
    public static func decompress(_ bytes: [UInt8], limit: Int = defaultLimit) throws(BGZFError) -> [UInt8] {
        guard bytes.count >= 18, bytes[0] == 0x1f, bytes[1] == 0x8b else {
            throw BGZFError(.badHeader("not gzip data"), offset: 0)
        }
        let n = bytes.count
        let size = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
        guard size <= limit else {
            throw BGZFError(.badHeader("gzip member claims \(size) bytes, more than the \(limit)-byte limit"), offset: Int64(n - 4))
        }
        guard let decompressor = libdeflate_alloc_decompressor() else { fatalError("libdeflate_alloc_decompressor: out of memory") }
        defer { libdeflate_free_decompressor(decompressor) }
        var result = LIBDEFLATE_SUCCESS
        var actual = 0
        let out = [UInt8](unsafeUninitializedCapacity: max(size, 1)) { buffer, count in
            result = bytes.withUnsafeBytes { input in
                libdeflate_gzip_decompress(decompressor, input.baseAddress, input.count, buffer.baseAddress, size, &actual)
            }
            count = result == LIBDEFLATE_SUCCESS ? actual : 0
        }
        // libdeflate checks the CRC32 and ISIZE of the member; a short output is reported through `actual`.
        guard result == LIBDEFLATE_SUCCESS, actual == size else { throw BGZFError(.corruptData, offset: 0) }
        return out
    }
}
