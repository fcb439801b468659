#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file opened for reading with POSIX calls: sequential reads and positioned reads (`pread`).
///
/// Not `Sendable`: one reader per task. Closing happens when the value is released.
public final class ReadableFile {
    public let path: String
    private let fd: Int32
    /// Size in bytes at the time of opening.
    public let size: Int64
    /// Position of the next sequential read.
    public private(set) var position: Int64 = 0

    public init(path: String) throws(BGZFError) {
        self.path = path
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

    deinit { close(fd) }

    /// Appends up to `count` bytes from the current position to `buffer`; returns how many were read (0 at end of file).
    @discardableResult
    public func read(upTo count: Int, appendingTo buffer: inout [UInt8]) throws(BGZFError) -> Int {
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
        guard lseek(fd, off_t(offset), SEEK_SET) >= 0 else {
            throw BGZFError(.io("seek failed: \(Self.errnoText())"), offset: offset, path: path)
        }
        position = offset
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// `read(2)`, named apart from ``ReadableFile/read(upTo:appendingTo:)``.
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buffer, count)
}
