public import BGZF
public import VCF

/// How a VCF file is stored.
public enum VCFContainer: String, Sendable, Codable {
    /// Block gzip: parallel inflation and index queries.
    case bgzf
    /// Ordinary gzip: read as one stream.
    case gzip
    /// Uncompressed text.
    case plain
}

/// Options that apply to every read of a file.
public struct VCFReadOptions: Sendable {
    /// Worker tasks for inflating and parsing (1 = everything on the calling task).
    public var threads: Int
    /// Skip malformed data lines and count them instead of stopping at the first; also accept a
    /// BGZF file without its end-of-file marker (with a warning).
    public var lenient: Bool
    /// The longest data line accepted; a longer one is an error rather than unbounded memory.
    public var maxLineLength: Int
    /// The largest header accepted.
    public var maxHeaderBytes: Int
    /// BGZF blocks per batch handed to a worker (64 blocks ≈ 4 MiB of text).
    public var blocksPerBatch: Int

    public init(threads: Int = 1, lenient: Bool = false, maxLineLength: Int = 256 << 20, maxHeaderBytes: Int = 64 << 20, blocksPerBatch: Int = 64) {
        self.threads = max(1, threads)
        self.lenient = lenient
        self.maxLineLength = maxLineLength
        self.maxHeaderBytes = maxHeaderBytes
        self.blocksPerBatch = max(1, blocksPerBatch)
    }
}

/// A chunk of the file on its way to a worker: compressed BGZF blocks, or text already inflated.
enum RawBatch: Sendable {
    case compressed(BGZFBatch)
    case text([UInt8])
}

/// An open VCF file: its container, its parsed header, and a cursor at the first data line.
///
/// Not `Sendable`: it owns a file descriptor and decoder state. Open one per reading task; the
/// batches it produces are `Sendable` and are what travels to worker tasks.
public final class VCFFile {
    public let path: String
    public let container: VCFContainer
    public let header: VCFHeader
    public let options: VCFReadOptions
    /// Non-fatal observations (e.g. a BGZF file with no EOF marker read in lenient mode).
    public private(set) var warnings: [String] = []

    private let file: ReadableFile
    /// A second handle for index queries (``ReadableFile/reopened()``), so that they never move the streaming position.
    private var queryFile: ReadableFile?
    /// Whether the data lines have been streamed (a stream is read once; open the file again to re-read).
    var streamed = false
    private var blockReader: BGZFBlockReader?
    private var gzipReader: GzipStreamReader?
    /// Text after the header that was inflated while looking for the header's end.
    private var pendingText: [UInt8]?

    /// Opens `path`, recognises its container and reads the header.
    ///
    /// - Throws: ``BGZFError`` for unreadable or damaged compression, ``VCFError`` for a bad header or a non-VCF file.
    public convenience init(path: String, options: VCFReadOptions = VCFReadOptions()) throws {
        try self.init(file: try ReadableFile(path: path), options: options)
    }

    /// Reads a VCF from an already open file, which may be backed by a ``RandomAccessSource`` (an
    /// encrypted blob, say) rather than a file on disk; `file.path` names it in errors. Reading starts at
    /// the file's beginning whatever its position; the VCFFile takes the handle over.
    ///
    /// Index queries read through ``ReadableFile/reopened()``. Finding the index by path
    /// (``GenomicIndex/load(forVCF:header:onlyContig:)``) is for files on disk; for a source-backed file
    /// build the ``GenomicIndex`` from its bytes and pass it to ``query(_:index:_:)``.
    ///
    /// - Throws: ``BGZFError`` for unreadable or damaged compression, ``VCFError`` for a bad header or a non-VCF file.
    public init(file: ReadableFile, options: VCFReadOptions = VCFReadOptions()) throws {
        let path = file.path
        self.path = path
        self.options = options
        self.file = file
        if file.position != 0 { try file.seek(to: 0) }
        let prefix = try file.read(at: 0, count: 1024)
        switch BGZFBlock.container(of: prefix) {
        case .bgzf:
            container = .bgzf
            blockReader = BGZFBlockReader(file: file)
        case .gzip:
            container = .gzip
            gzipReader = try GzipStreamReader(file: file)
        case .plain:
            container = .plain
        }
        var headerText: [UInt8] = []
        var inflater: BGZFInflater?
        var headerEnd: Int?
        while headerEnd == nil {
            let chunk: [UInt8]?
            switch container {
            case .bgzf:
                if inflater == nil { inflater = BGZFInflater(path: path) }
                chunk = try blockReader!.nextBatch(maxBlocks: 1).map { try inflater!.inflate($0) }
            case .gzip:
                chunk = try gzipReader!.nextChunk()
            case .plain:
                var buffer: [UInt8] = []
                chunk = try file.read(upTo: 1 << 20, appendingTo: &buffer) == 0 ? nil : buffer
            }
            guard let chunk else { break }
            let searchFrom = max(0, headerText.count - 1)
            headerText.append(contentsOf: chunk)
            if headerText.count == chunk.count { try Self.rejectNonVCF(headerText, path: path) }
            headerEnd = Self.findHeaderEnd(headerText, from: searchFrom)
            if headerEnd == nil && headerText.count > options.maxHeaderBytes {
                throw VCFError(.header, "no #CHROM line within the first \(options.maxHeaderBytes >> 20) MiB; is this a VCF file?", path: path)
            }
        }
        if headerText.isEmpty { throw VCFError(.header, "the file is empty", line: 1, path: path) }
        let end = headerEnd ?? headerText.count
        if end == 0 {
            let firstLine = String(decoding: headerText.prefix(while: { $0 != 10 }).prefix(40), as: UTF8.self)
            throw VCFError(.header, "the first line must be ##fileformat=VCFv4.x, found '\(firstLine)'; is this a VCF file?", line: 1, path: path)
        }
        // Split bytes, not Characters: Swift treats "\r\n" as one Character, so a CRLF file would not split on "\n".
        var headerLines = headerText[0..<end].split(separator: 10, omittingEmptySubsequences: false).map { line in
            Substring(String(decoding: line.last == 13 ? line.dropLast() : line, as: UTF8.self))
        }
        if headerLines.last == "" { headerLines.removeLast() }
        do {
            header = try VCFHeader.parse(lines: headerLines)
        } catch {
            throw error.located(line: nil, path: path) as VCFError
        }
        pendingText = end < headerText.count ? Array(headerText[end...]) : nil
    }

    /// Rejects BCF and binary files with a message that says what to do.
    private static func rejectNonVCF(_ start: [UInt8], path: String) throws(VCFError) {
        if start.starts(with: Array("BCF".utf8)) {
            throw VCFError(
                .unsupported, "this is a BCF (binary VCF) file; Tailor reads VCF text: convert it with 'bcftools view -Oz -o out.vcf.gz \(path)'",
                path: path)
        }
        if start.prefix(4096).contains(0) {
            throw VCFError(.header, "the file contains binary data and is not a VCF text file", line: 1, path: path)
        }
    }

    /// The byte offset just after the `#CHROM` line, or before the first line that does not start with `#`.
    static func findHeaderEnd(_ text: [UInt8], from: Int) -> Int? {
        // Walk line starts from the beginning of the line containing `from`.
        var lineStart = from
        while lineStart > 0 && text[lineStart - 1] != 10 { lineStart -= 1 }
        while lineStart < text.count {
            guard let newline = text[lineStart...].firstIndex(of: 10) else { return nil }
            if text[lineStart] != 35 { return lineStart }  // not '#': header ended before this line
            if newline > lineStart + 1, text[lineStart + 1] != 35 { return newline + 1 }  // '#CHROM'
            lineStart = newline + 1
        }
        return nil
    }

    /// The next raw chunk of data lines, or `nil` at the end of the file.
    func nextBatch() throws -> RawBatch? {
        if let text = pendingText {
            pendingText = nil
            return .text(text)
        }
        switch container {
        case .bgzf:
            let reader = blockReader!
            if let batch = try reader.nextBatch(maxBlocks: options.blocksPerBatch) { return .compressed(batch) }
            if reader.sawAnyBlock && !reader.lastBlockWasEmpty {
                let error = BGZFError(.missingEOFMarker, offset: file.size, path: path)
                guard options.lenient else { throw error }
                warnings.append(error.description)
            }
            return nil
        case .gzip:
            return try gzipReader!.nextChunk().map { .text($0) }
        case .plain:
            var buffer: [UInt8] = []
            return try file.read(upTo: 4 << 20, appendingTo: &buffer) == 0 ? nil : .text(buffer)
        }
    }

    /// Reads the blocks from `begin` up to and including the block at `end`, inflated, for index
    /// queries; also returns where the last block's text starts.
    func inflateBlocks(from begin: Int64, through end: Int64, inflater: BGZFInflater) throws -> (text: [UInt8], lastBlockStart: Int) {
        if queryFile == nil { queryFile = try file.reopened() }
        let file = queryFile!
        try file.seek(to: begin)
        let reader = BGZFBlockReader(file: file, readSize: min(4 << 20, max(64 << 10, Int(end - begin) + 65_536)))
        var out: [UInt8] = []
        var lastStart = 0
        while reader.nextBlockOffset <= end, let batch = try reader.nextBatch(maxBlocks: 1) {
            lastStart = out.count
            out.append(contentsOf: try inflater.inflate(batch))
        }
        return (out, lastStart)
    }
}

extension Error {
    /// Attaches a file path to errors that carry one.
    func attaching(path: String) -> any Error {
        if let e = self as? VCFError { return e.located(line: nil, path: path) }
        if var e = self as? BGZFError {
            if e.path == nil { e.path = path }
            return e
        }
        return self
    }
}
