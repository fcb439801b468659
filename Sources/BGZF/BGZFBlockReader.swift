/// Cuts a BGZF file into batches of whole blocks by reading only block headers, so that the
/// batches can be inflated in parallel. Also checks framing: truncation and the EOF marker.
public final class BGZFBlockReader {
    private let file: ReadableFile
    private var buffer: [UInt8] = []
    /// Index in `buffer` of the first byte not yet handed out.
    private var consumed = 0
    /// File offset of `buffer[0]`.
    private var bufferFileOffset: Int64
    private var atEndOfFile = false
    private let readSize: Int
    /// Whether the last block seen was an empty block (the EOF marker is one).
    public private(set) var lastBlockWasEmpty = false
    /// Whether any block at all has been read.
    public private(set) var sawAnyBlock = false

    /// - Parameters:
    ///   - file: the file, positioned where reading should start.
    ///   - readSize: bytes per `read(2)` call.
    public init(file: ReadableFile, readSize: Int = 4 << 20) {
        self.file = file
        self.bufferFileOffset = file.position
        self.readSize = readSize
    }

    /// File offset of the next block to be returned.
    public var nextBlockOffset: Int64 { bufferFileOffset + Int64(consumed) }

    /// Returns the next batch of up to `maxBlocks` whole blocks, or `nil` at the end of the file.
    ///
    /// - Throws: ``BGZFError`` `.truncated` when the file ends inside a block, `.badHeader` when a block is malformed.
    public func nextBatch(maxBlocks: Int) throws(BGZFError) -> BGZFBatch? {
        var starts: [Int] = []
        starts.reserveCapacity(maxBlocks + 1)
        var cursor = consumed
        while starts.count < maxBlocks {
            guard let size = try blockSize(at: &cursor) else { break }
            starts.append(cursor - consumed)
            let block = buffer.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[cursor..<cursor + size]) }
            let isize = BGZFBlock.trailer(of: block).isize
            lastBlockWasEmpty = isize == 0
            sawAnyBlock = true
            cursor += size
        }
        if starts.isEmpty { return nil }
        starts.append(cursor - consumed)
        let batch = BGZFBatch(
            bytes: Array(buffer[consumed..<cursor]), blockStarts: starts, fileOffset: bufferFileOffset + Int64(consumed))
        consumed = cursor
        return batch
    }

    /// Ensures the block at `cursor` is fully buffered and returns its size, or `nil` at a clean end of file.
    /// May compact the buffer, in which case `cursor` is moved to match.
    private func blockSize(at cursor: inout Int) throws(BGZFError) -> Int? {
        while true {
            let fileOffset = bufferFileOffset + Int64(cursor)
            let at = cursor
            let parsed = buffer.withUnsafeBytes { raw in
                Result { () throws(BGZFError) in try BGZFBlock.blockSize(in: raw, at: at, fileOffset: fileOffset) }
            }
            let size: Int?
            switch parsed {
            case .success(let value): size = value
            case .failure(var error):
                error.path = file.path
                throw error
            }
            if let size, cursor + size <= buffer.count { return size }
            if atEndOfFile {
                if cursor == buffer.count { return nil }
                let have = buffer.count - cursor
                let message =
                    size.map { "the block at this offset declares \($0) bytes but only \(have) remain" }
                    ?? "only \(have) bytes of a block header remain"
                throw BGZFError(.truncated(message), offset: fileOffset, path: file.path)
            }
            try refill(keepingFrom: &cursor)
        }
    }

    private func refill(keepingFrom cursor: inout Int) throws(BGZFError) {
        // Drop what has been handed out, then read more.
        if consumed > 0 {
            buffer.removeFirst(consumed)
            bufferFileOffset += Int64(consumed)
            cursor -= consumed
            consumed = 0
        }
        let got = try file.read(upTo: readSize, appendingTo: &buffer)
        if got == 0 { atEndOfFile = true }
    }
}
