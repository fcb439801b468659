#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes that can be read at any offset, standing in for a file on disk behind a ``ReadableFile``.
///
/// This is how a file that is not plain on disk (an encrypted blob, bytes in memory) is read by the
/// same BGZF, gzip and VCF code as an ordinary file, without a plaintext copy on disk. The one read
/// primitive is positional: ``ReadableFile`` keeps the sequential position itself, so a source needs
/// no cursor, and two handles over one source (see ``ReadableFile/reopened()``) cannot disturb each other.
///
/// The read fills a caller's buffer rather than returning an array so that ``ReadableFile`` reads
/// straight into the array it appends to, as the descriptor path does with `read(2)`: no copy, no
/// allocation per read beyond the caller's own.
///
/// A class rather than a value, and not `Sendable`: a source may keep mutable state (a descriptor, a
/// cache of decrypted data), and it is used by one ``ReadableFile`` on one task at a time.
public protocol RandomAccessSource: AnyObject {
    /// Size in bytes; fixed for the life of the source.
    var size: Int64 { get }

    /// Copies bytes starting at `offset` into `buffer` and returns how many were copied.
    ///
    /// Fills the whole buffer unless the source ends first: a short count means the end was reached, and
    /// an offset at or past the end returns 0. `offset` is never negative.
    ///
    /// - Throws: ``BGZFError`` (usually `.io`) when the bytes cannot be produced, for example when
    ///   encrypted data fails authentication. ``ReadableFile`` fills in its name when `path` is `nil`.
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(BGZFError) -> Int

    /// A source over the same bytes that shares no mutable state with this one (it has its own
    /// descriptor, its own cache), so that reading one never disturbs the other. Immutable state (keys,
    /// a byte array) may be shared.
    func reopened() throws(BGZFError) -> any RandomAccessSource
}

/// A file opened for reading: sequential reads and positioned reads, over a POSIX file descriptor
/// (`read`/`pread`) or over a ``RandomAccessSource``.
///
/// Not `Sendable`: one reader per task. Closing happens when the value is released.
public final class ReadableFile {
    /// The file's path, or for a source-backed file the name given at opening (used in error messages).
    public let path: String
    /// The descriptor; -1 when the file reads from `source`.
    private let fd: Int32
    /// Where the bytes come from when not from `fd`. Checked first in each read: one branch, so the
    /// descriptor path stays as it was.
    private let source: (any RandomAccessSource)?
    /// Size in bytes at the time of opening.
    public let size: Int64
    /// Position of the next sequential read.
    public private(set) var position: Int64 = 0

    /// Reads from `source` instead of a file on disk; `name` takes the place of the path in errors.
    public init(source: any RandomAccessSource, name: String) {
        self.path = name
        self.fd = -1
        self.source = source
        self.size = source.size
    }

    public init(path: String) throws(BGZFError) {
        self.path = path
        self.source = nil
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw BGZFError(.io("cannot open: \(Self.errnoText())"), offset: 0, path: path) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw BGZFError(.io("cannot stat: \(Self.errnoText())"), offset: 0, path: path)
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw BGZFError(.io("is a directory, not a file"), offset: 0, path: path)
        }
        self.fd = fd
        self.size = Int64(info.st_size)
    }

    deinit { if source == nil { close(fd) } }

    /// A second, independent handle on the same bytes, with its own sequential position: a source-backed
    /// file gets its source's ``RandomAccessSource/reopened()``, a file on disk is opened again by path.
    ///
    /// For reading one part of a file (index queries) while streaming another part through the first handle.
    public func reopened() throws(BGZFError) -> ReadableFile {
        guard let source else { return try ReadableFile(path: path) }
        let copy: any RandomAccessSource
        do { copy = try source.reopened() } catch { throw locate(error) }
        return ReadableFile(source: copy, name: path)
    }

    /// Appends up to `count` bytes from the current position to `buffer`; returns how many were read (0 at end of file).
    @discardableResult
    public func read(upTo count: Int, appendingTo buffer: inout [UInt8]) throws(BGZFError) -> Int {
        if let source { return try read(source, upTo: count, appendingTo: &buffer) }
        let start = buffer.count
        var got = 0
        var failure: Int32 = 0
        buffer.append(contentsOf: repeatElement(0, count: count))
        buffer.withUnsafeMutableBytes { raw in
            while got < count {
                let n = posixRead(fd, raw.baseAddress! + start + got, count - got)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { return }
                got += n
            }
        }
        buffer.removeLast(count - got)
        if failure != 0 {
            throw BGZFError(.io("read failed: \(String(cString: strerror(failure)))"), offset: position + Int64(got), path: path)
        }
        position += Int64(got)
        return got
    }

    /// Reads up to `count` bytes at `offset` without moving the sequential position.
    public func read(at offset: Int64, count: Int) throws(BGZFError) -> [UInt8] {
        if let source { return try read(source, at: offset, count: count) }
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        var failure: Int32 = 0
        buffer.withUnsafeMutableBytes { raw in
            while got < count {
                let n = pread(fd, raw.baseAddress! + got, count - got, off_t(offset) + off_t(got))
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                if n == 0 { return }
                got += n
            }
        }
        if failure != 0 {
            throw BGZFError(.io("read failed: \(String(cString: strerror(failure)))"), offset: offset + Int64(got), path: path)
        }
        buffer.removeLast(count - got)
        return buffer
    }

    /// Moves the sequential position.
    public func seek(to offset: Int64) throws(BGZFError) {
        if source != nil {
            // As lseek(2): any offset from 0 up, past the end included (reads there return nothing).
            guard offset >= 0 else { throw BGZFError(.io("seek failed: negative offset"), offset: offset, path: path) }
            position = offset
            return
        }
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
            throw BGZFError(.io("seek failed: \(Self.errnoText())"), offset: offset, path: path)
        }
        position = offset
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }

    // MARK: Source-backed reads

    /// ``read(upTo:appendingTo:)`` over a source. The count is first cut to what remains, so that a large
    /// read near the end does not zero-fill memory it will give back. On error `buffer` is left as it was.
    private func read(_ source: any RandomAccessSource, upTo count: Int, appendingTo buffer: inout [UInt8]) throws(BGZFError) -> Int {
        let wanted = max(0, min(count, Int(clamping: size - position)))
        if wanted == 0 { return 0 }
        let start = buffer.count
        let at = position
        buffer.append(contentsOf: repeatElement(0, count: wanted))
        let result = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(BGZFError) in
                try source.read(at: at, into: UnsafeMutableRawBufferPointer(rebasing: raw[start..<start + wanted]))
            }
        }
        switch result {
        case .success(let got):
            buffer.removeLast(wanted - got)
            position += Int64(got)
            return got
        case .failure(let error):
            buffer.removeLast(wanted)
            throw locate(error)
        }
    }

    /// ``read(at:count:)`` over a source, into an array that is not zero-filled first.
    private func read(_ source: any RandomAccessSource, at offset: Int64, count: Int) throws(BGZFError) -> [UInt8] {
        guard offset >= 0 else { throw BGZFError(.io("read failed: negative offset"), offset: offset, path: path) }
        let wanted = max(0, min(count, Int(clamping: size - offset)))
        if wanted == 0 { return [] }
        var failure: BGZFError?
        let bytes = [UInt8](unsafeUninitializedCapacity: wanted) { raw, initialized in
            do throws(BGZFError) {
                initialized = try source.read(at: offset, into: UnsafeMutableRawBufferPointer(raw))
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw locate(failure) }
        return bytes
    }

    /// A source's error, named after this file when the source did not name one.
    private func locate(_ error: BGZFError) -> BGZFError {
        var error = error
        if error.path == nil { error.path = path }
        return error
    }
}

/// `read(2)`, named apart from ``ReadableFile/read(upTo:appendingTo:)``.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
