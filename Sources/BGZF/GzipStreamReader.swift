import CZlib

/// Streams a plain (non-BGZF) gzip file through zlib, including files of several concatenated members.
///
/// Plain gzip has no block structure, so it cannot be inflated in parallel or indexed; it is read
/// sequentially in bounded chunks so that memory stays flat whatever the file size.
public final class GzipStreamReader {
    private let file: ReadableFile
    private let stream: UnsafeMutablePointer<z_stream>
    private var input: [UInt8] = []
    private var inputOffset = 0
    private var atEndOfFile = false
    private var finished = false
    private var memberOpen = false
    private let chunkSize: Int

    public init(file: ReadableFile, chunkSize: Int = 4 << 20) throws(BGZFError) {
        self.file = file
        self.chunkSize = chunkSize
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard czlib_inflate_init_gzip(stream) == Z_OK else {
            stream.deallocate()
            throw BGZFError(.io("zlib initialisation failed"), offset: 0, path: file.path)
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Returns the next chunk of decompressed bytes (at most `chunkSize`), or `nil` at the end.
    public func nextChunk() throws(BGZFError) -> [UInt8]? {
        if finished { return nil }
        var out = [UInt8](repeating: 0, count: chunkSize)
        var produced = 0
        while produced < chunkSize {
            if inputOffset == input.count {
                if atEndOfFile {
                    if memberOpen {
                        throw BGZFError(.truncated("the gzip stream ends before its end marker"), offset: file.position, path: file.path)
                    }
                    finished = true
                    break
                }
                input.removeAll(keepingCapacity: true)
                inputOffset = 0
                if try file.read(upTo: 1 << 20, appendingTo: &input) == 0 {
                    atEndOfFile = true
                    continue
                }
            }
            let inputCount = input.count
            let start = inputOffset
            var status: Int32 = 0
            var consumedNow = 0
            input.withUnsafeMutableBytes { inRaw in
                out.withUnsafeMutableBytes { outRaw in
                    stream.pointee.next_in = inRaw.baseAddress!.assumingMemoryBound(to: Bytef.self) + start
                    stream.pointee.avail_in = uInt(inputCount - start)
                    stream.pointee.next_out = outRaw.baseAddress!.assumingMemoryBound(to: Bytef.self) + produced
                    stream.pointee.avail_out = uInt(chunkSize - produced)
                    status = inflate(stream, Z_NO_FLUSH)
                    consumedNow = (inputCount - start) - Int(stream.pointee.avail_in)
                    produced = chunkSize - Int(stream.pointee.avail_out)
                }
            }
            inputOffset += consumedNow
            if consumedNow > 0 { memberOpen = true }
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                // Another member may follow (concatenated gzip); reset and keep going.
                memberOpen = false
                inflateReset(stream)
            default:
                let where_ = file.position - Int64(input.count - inputOffset)
                throw BGZFError(.corruptData, offset: where_, path: file.path)
            }
        }
        out.removeLast(chunkSize - produced)
        if produced == 0 && finished { return nil }
        return out
    }
}
