public import BGZF
import Crypto
import Foundation
public import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - File format

/// Constants of the "TLRB" version 1 file format, described on ``BlobStore``.
enum TLRB {
    static let magic: [UInt8] = Array("TLRB".utf8)
    static let version: UInt8 = 1
    static let headerSize = 20
    static let tagSize = 16
    static let noncePrefixSize = 7
    /// What writers use: large enough that the per-segment cost (a tag, a system call, a seal) vanishes
    /// next to the bytes, small enough that a random read decrypts little it does not need.
    static let segmentSize = 1 << 20
    /// The largest segment a reader accepts from a header, bounding the memory one read may need.
    static let maxSegmentSize = 16 << 20
    static let wrapVersion: UInt8 = 1
    /// version + nonce + key + tag.
    static let wrappedKeySize = 1 + 12 + 32 + 16
    static let wrapContext = Array("TLRB data key v1 ".utf8)
}

/// The fixed header: what each segment's nonce and additional data are made from.
struct BlobHeader: Sendable {
    let segmentSize: Int
    let noncePrefix: [UInt8]
    /// The 20 header bytes as stored; every segment authenticates them.
    let bytes: [UInt8]

    init(segmentSize: Int, noncePrefix: [UInt8]) {
        self.segmentSize = segmentSize
        self.noncePrefix = noncePrefix
        bytes = TLRB.magic + [TLRB.version, 0, 0, 0] + bigEndian(UInt32(segmentSize)) + noncePrefix + [0]
    }

    init(parsing bytes: [UInt8], path: String) throws(BlobError) {
        guard bytes.count == TLRB.headerSize else {
            throw .badHeader(path: path, reason: "the file has \(bytes.count) bytes, fewer than the \(TLRB.headerSize)-byte header")
        }
        guard Array(bytes[0..<4]) == TLRB.magic else {
            throw .badHeader(path: path, reason: "the file does not start with TLRB: it is not an encrypted blob")
        }
        guard bytes[4] == TLRB.version else {
            throw .badHeader(path: path, reason: "format version \(bytes[4]) is not supported (this build reads version \(TLRB.version))")
        }
        guard bytes[5] == 0, bytes[6] == 0, bytes[7] == 0, bytes[19] == 0 else {
            throw .badHeader(path: path, reason: "reserved header bytes are not zero")
        }
        let s = Int(bytes[8]) << 24 | Int(bytes[9]) << 16 | Int(bytes[10]) << 8 | Int(bytes[11])
        guard (1...TLRB.maxSegmentSize).contains(s) else {
            throw .badHeader(path: path, reason: "segment size \(s) is outside 1 ... \(TLRB.maxSegmentSize)")
        }
        self.init(segmentSize: s, noncePrefix: Array(bytes[12..<19]))
    }

    /// prefix ‖ big-endian segment number ‖ last flag.
    func nonce(segment: UInt32, last: Bool) -> AES.GCM.Nonce {
        let bytes = noncePrefix + bigEndian(segment) + [last ? 1 : 0]
        // 12 bytes is always a valid GCM nonce.
        return try! AES.GCM.Nonce(data: bytes)
    }

    /// Segment count and plaintext size implied by a file size (see the layout in ``TLRB``).
    func geometry(fileSize: Int64, path: String) throws(BlobError) -> (segments: Int64, plaintextSize: Int64) {
        let stride = Int64(segmentSize + TLRB.tagSize)
        let body = fileSize - Int64(TLRB.headerSize)
        let full = body / stride
        let rest = body % stride
        guard rest >= Int64(TLRB.tagSize) else {
            throw .truncated(
                path: path,
                reason: rest == 0
                    ? "the file ends after segment \(full - 1) without a final segment: its end was cut off"
                    : "the file ends \(rest) bytes into segment \(full), inside its authentication tag")
        }
        guard full < Int64(UInt32.max) else {
            throw .badHeader(path: path, reason: "\(full + 1) segments is more than the format counts")
        }
        return (full + 1, full * Int64(segmentSize) + rest - Int64(TLRB.tagSize))
    }
}

// MARK: - Errors

/// What can go wrong storing or reading an encrypted blob. Messages name the file and, for damage,
/// the segment (segment `i` holds plaintext bytes `i × 1 MiB ..< (i+1) × 1 MiB`); none contains key material.
public enum BlobError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configured master key is not base64 of 32 bytes.
    case badMasterKey(String)
    /// A blob name that the store did not make (names are 32 lower-case hex digits; anything else could
    /// be a path trick, so it is refused before touching the disk).
    case badName(String)
    /// No committed blob has this name.
    case notFound(name: String)
    /// The file is not a TLRB version 1 blob.
    case badHeader(path: String, reason: String)
    /// The file's size shows that its end is missing.
    case truncated(path: String, reason: String)
    /// Segment `segment` failed authentication: a byte was changed, segments were moved or swapped in
    /// from another blob, or (for the last segment) the file was cut inside it.
    case tampered(path: String, segment: Int64)
    /// The wrapped data key does not open: another master key, or another blob's key.
    case keyUnwrap(name: String, reason: String)
    /// A system call failed.
    case io(path: String, operation: String, errno: Int32)
    /// The writer was used after `finish()`, `discard()` or an earlier error.
    case writerClosed(name: String)

    /// The message without the path, for wrapping in a ``BGZFError`` that carries the path itself.
    var detail: String {
        switch self {
        case .badMasterKey(let reason): return reason
        case .badName(let name): return "'\(name.prefix(80))' is not a blob name (32 lower-case hex digits)"
        case .notFound(let name): return "no stored blob is named \(name)"
        case .badHeader(_, let reason): return "not a readable encrypted blob: \(reason)"
        case .truncated(_, let reason): return "the encrypted blob is truncated: \(reason)"
        case .tampered(_, let segment):
            return "segment \(segment) of the encrypted blob failed authentication: the file was altered "
                + "(changed bytes, segments reordered or taken from another blob, or its end cut off); do not use it"
        case .keyUnwrap(let name, let reason): return "cannot unwrap the data key of blob \(name): \(reason)"
        case .io(_, let operation, let code): return "\(operation) failed: \(String(cString: strerror(code)))"
        case .writerClosed(let name): return "the writer for blob \(name) was already finished, discarded or failed"
        }
    }

    public var description: String {
        switch self {
        case .badHeader(let path, _), .truncated(let path, _), .tampered(let path, _), .io(let path, _, _):
            return "\(path): \(detail)"
        default:
            return detail
        }
    }
}

// MARK: - Keys

/// The 256-bit key from configuration that wraps every blob's data key. Never printed: its
/// descriptions are redacted so that logging a configuration cannot leak it.
public struct MasterKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    let key: SymmetricKey

    init(key: SymmetricKey) { self.key = key }

    /// Reads a key from configuration: base64 of exactly 32 bytes (44 characters, e.g. from
    /// `openssl rand -base64 32`); surrounding whitespace, such as a file's final newline, is ignored.
    public init(base64: String) throws(BlobError) {
        let text = base64.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = Data(base64Encoded: text) else {
            throw .badMasterKey(
                "the master key is not valid base64; it must be 32 random bytes in base64 (44 characters, e.g. from 'openssl rand -base64 32')")
        }
        guard data.count == 32 else {
            throw .badMasterKey("the master key decodes to \(data.count) bytes; it must be 32 bytes (256 bits), 44 base64 characters")
        }
        key = SymmetricKey(data: data)
    }

    /// A new random key, from the system's secure generator.
    public static func generate() -> MasterKey { MasterKey(key: SymmetricKey(size: .bits256)) }

    /// The key as configuration text (the inverse of ``init(base64:)``).
    public var base64: String { key.withUnsafeBytes { Data($0).base64EncodedString() } }

    public var description: String { "MasterKey(redacted)" }
    public var debugDescription: String { description }

    /// Seals `dataKey` for the blob `name` (see the wrapped-key layout in the file format notes).
    func wrap(_ dataKey: SymmetricKey, name: String) -> String {
        let aad = TLRB.wrapContext + Array(name.utf8)
        // Sealing 32 bytes under a 256-bit key with a fresh random nonce cannot fail.
        let box = dataKey.withUnsafeBytes { raw in try! AES.GCM.seal(raw, using: key, authenticating: aad) }
        var out = Data([TLRB.wrapVersion])
        out.append(box.combined!)
        return out.base64EncodedString()
    }

    func unwrap(_ text: String, name: String) throws(BlobError) -> SymmetricKey {
        guard let data = Data(base64Encoded: text) else { throw .keyUnwrap(name: name, reason: "the wrapped key is not base64") }
        guard data.count == TLRB.wrappedKeySize, data.first == TLRB.wrapVersion else {
            throw .keyUnwrap(name: name, reason: "the wrapped key is not a version-1 wrapped key (\(data.count) bytes)")
        }
        do {
            let box = try AES.GCM.SealedBox(combined: data.dropFirst())
            let plain = try AES.GCM.open(box, using: key, authenticating: TLRB.wrapContext + Array(name.utf8))
            return SymmetricKey(data: plain)
        } catch {
            throw .keyUnwrap(
                name: name,
                reason: "it does not open with this master key: the master key differs from the one the blob was stored with, "
                    + "or the wrapped key belongs to another blob")
        }
    }
}

// MARK: - Store

/// Encrypted-at-rest storage for uploaded genome files, in one directory:
///
/// - `blobs/<name>.tlrb`: committed blobs (format below);
/// - `staging/<name>.part`: uploads being written, or finished but not yet committed.
///
/// The life of an upload: ``makeWriter()``, ``BlobWriter/write(_:)`` chunk by chunk
/// as they arrive, ``BlobWriter/finish()`` (digest, size, wrapped key), ``StagedBlob/commit(to:)`` (an
/// atomic rename), and only then the database row holding the name and wrapped key. A crash at any
/// point leaves a staged file or a blob without a row, and ``sweep(keeping:)`` at the next start
/// removes both; a row never points at a missing blob.
///
/// A value holding only paths and the master key: `Sendable`, cheap to copy into request handlers.
///
/// ## File format: "TLRB" version 1
///
/// Every blob has its own random 256-bit data key; the file holds only ciphertext. The data key is
/// kept beside the blob's name (a database row), wrapped by the master key from configuration, so
/// that neither the disk alone nor the database alone reveals a genome, and a master key can be
/// rotated by re-wrapping data keys without rewriting blobs (``rewrapKey(_:name:to:)``).
///
/// The plaintext is cut into segments that are sealed one by one with AES-256-GCM, so that a file of
/// tens of gigabytes is written as a stream and read back at any offset by decrypting only the
/// segments that hold the requested bytes. Nonces follow the STREAM construction (Hoang, Reyhanitabar,
/// Rogaway and Vizár 2015, as in Tink's streaming AEAD and age): a counter in the nonce fixes each
/// segment's place, and a flag marks the last one, so a reader detects changed bytes, reordered or
/// duplicated segments, segments moved in from another blob, and a file cut short, and it names the
/// segment that fails.
///
/// Layout, a compatibility promise (all integers big-endian):
///
/// ```
/// offset  size  field
///      0     4  magic "TLRB"
///      4     1  version, 1
///      5     3  reserved, zero
///      8     4  S: plaintext bytes per segment (writers use 1 MiB = 1_048_576; readers accept 1 B ... 16 MiB)
///     12     7  nonce prefix, random per blob
///     19     1  reserved, zero
///     20        segments 0 ..< n, back to back, each ciphertext ‖ 16-byte GCM tag:
///               segments 0 ..< n-1 hold exactly S plaintext bytes (S + 16 bytes on disk),
///               segment n-1, the last, holds 0 ... S-1 bytes (16 ... S+15 on disk; empty when the
///               plaintext size is a multiple of S, including an empty plaintext)
/// ```
///
/// Segment `i` is sealed with the data key, nonce = nonce prefix (7) ‖ UInt32(i) (4) ‖ last flag (1:
/// 0x01 for segment n-1, else 0x00), and the 20 header bytes as additional authenticated data (so the
/// header cannot be edited either). Because only the last segment is short, the file size alone gives
/// n and the plaintext size; a file whose size leaves no room for a final tag has lost its end.
///
/// The wrapped data key (base64 text) is 0x01 ‖ 12-byte random nonce ‖ AES-256-GCM ciphertext of the
/// 32-byte data key under the master key ‖ 16-byte tag, with the additional data "TLRB data key v1 "
/// followed by the blob's name: a key opens only the blob it was made for, so two database rows with
/// swapped keys are caught as a key error rather than decrypting nonsense.
public struct BlobStore: Sendable {
    public let directory: String
    let blobsDirectory: String
    let stagingDirectory: String
    let masterKey: MasterKey

    /// Opens (creating where needed, owner-only) `directory`, `directory/blobs` and `directory/staging`.
    public init(directory: String, masterKey: MasterKey) throws(BlobError) {
        self.directory = directory
        self.blobsDirectory = directory + "/blobs"
        self.stagingDirectory = directory + "/staging"
        self.masterKey = masterKey
        for path in [directory, blobsDirectory, stagingDirectory] { try makeDirectories(path) }
    }

    /// Starts a new blob with a fresh name and data key, in `staging/<name>.part`.
    public func makeWriter() throws(BlobError) -> BlobWriter { try BlobWriter(store: self) }

    /// The committed blob `name` as a ``ReadableFile`` that decrypts on read, for `VCFFile` and the
    /// BGZF readers; its `path` is `displayName` (the user's file name, so messages point at their file and line,
    /// never at our storage) or else the blob's path. Damage found later, during a read, surfaces as a
    /// ``BGZFError`` of kind `.io` whose message is the ``BlobError``'s.
    ///
    /// - Throws: ``BlobError``: `.notFound`, `.badHeader`, `.keyUnwrap`, `.truncated`, or `.tampered`
    ///   for the last segment, which is authenticated here so that the size is known to be right.
    public func open(name: String, wrappedKey: String, displayName: String? = nil) throws(BlobError) -> ReadableFile {
        let reader = try openReader(name: name, wrappedKey: wrappedKey)
        return ReadableFile(source: reader, name: displayName ?? reader.path)
    }

    /// The committed blob `name` as a ``BlobReader``, whose own reads throw ``BlobError``.
    public func openReader(name: String, wrappedKey: String) throws(BlobError) -> BlobReader {
        try Self.validate(name)
        return try BlobReader(name: name, path: blobPath(name), wrappedKey: wrappedKey, masterKey: masterKey)
    }

    /// Deletes the committed blob `name`. Returns `false` when there was none, so that a retried
    /// deletion is not an error.
    @discardableResult
    public func remove(name: String) throws(BlobError) -> Bool {
        try Self.validate(name)
        let path = blobPath(name)
        guard unlink(path) == 0 else {
            if errno == ENOENT { return false }
            throw .io(path: path, operation: "delete", errno: errno)
        }
        return true
    }

    /// Crash recovery, for server start before uploads are accepted: deletes every staged file (uploads
    /// that never finished, or finished but were never committed) and every blob whose name is not in
    /// `names` (committed, but its database row was never written). Files that are not ours by name are
    /// left alone. Returns how many files were deleted.
    ///
    /// Not for a running server: it would delete the staged file of an upload in progress.
    public func sweep(keeping names: Set<String>) throws(BlobError) -> Int {
        var removed = 0
        for entry in try listDirectory(stagingDirectory) where entry.hasSuffix(".part") {
            removed += try deleteIfPresent(stagingDirectory + "/" + entry)
        }
        for entry in try listDirectory(blobsDirectory) where entry.hasSuffix(".tlrb") {
            let name = String(entry.dropLast(5))
            guard Self.isValid(name), !names.contains(name) else { continue }
            removed += try deleteIfPresent(blobsDirectory + "/" + entry)
        }
        if removed > 0 {
            try syncDirectory(stagingDirectory)
            try syncDirectory(blobsDirectory)
        }
        return removed
    }

    /// The wrapped key of blob `name` re-wrapped under `newMaster`, for rotating the master key: the
    /// blob itself is not touched. Store the result in place of the old wrapped key.
    public func rewrapKey(_ wrappedKey: String, name: String, to newMaster: MasterKey) throws(BlobError) -> String {
        try Self.validate(name)
        return newMaster.wrap(try masterKey.unwrap(wrappedKey, name: name), name: name)
    }

    func blobPath(_ name: String) -> String { blobsDirectory + "/" + name + ".tlrb" }
    func stagingPath(_ name: String) -> String { stagingDirectory + "/" + name + ".part" }

    /// 32 lower-case hex digits, as ``newName()`` makes.
    static func isValid(_ name: String) -> Bool {
        name.utf8.count == 32 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func validate(_ name: String) throws(BlobError) {
        guard isValid(name) else { throw .badName(name) }
    }

    /// 128 random bits in hex: unguessable, and never equal to another blob's.
    static func newName() -> String { hex(randomBytes(16)) }
}

// MARK: - Writing

/// An upload being encrypted into `staging/<name>.part`, one chunk at a time as it arrives.
///
/// Plaintext is gathered into one 1 MiB segment buffer, allocated once; chunks that cover whole
/// segments are sealed straight from the caller's memory. Each full segment is sealed and written as
/// soon as it is complete, so memory stays at about two segments whatever the file's size, and the
/// SHA-256 digest is updated from the same chunks.
///
/// Not `Sendable`: one upload, one task. If the writer is released without ``finish()`` (an upload
/// that failed half-way), its staged file is removed, as ``discard()`` does.
public final class BlobWriter {
    /// The blob's name, from the start.
    public let name: String
    private let path: String
    private let key: SymmetricKey
    private let wrappedKey: String
    private let header: BlobHeader
    private var fd: Int32
    private let segment: UnsafeMutableRawBufferPointer
    /// Plaintext bytes waiting in `segment`.
    private var buffered = 0
    private var nextSegment: Int64 = 0
    private var size: Int64 = 0
    private let digest = Digest()

    /// The running SHA-256, in a box a child task can update while the writer seals (see ``write(_:)-async``).
    /// Only one task touches it at a time: every update is awaited before the next starts.
    private final class Digest: @unchecked Sendable {
        var hasher = SHA256()
    }

    /// Chunks at least this big are hashed on another thread while they are sealed; smaller ones are not worth
    /// the hand-off.
    static let parallelHashing = 64 * 1024

    private enum State { case open, finished, failed, discarded }
    private var state = State.open

    init(store: BlobStore) throws(BlobError) {
        name = BlobStore.newName()
        path = store.stagingPath(name)
        key = SymmetricKey(size: .bits256)
        wrappedKey = store.masterKey.wrap(key, name: name)
        header = BlobHeader(segmentSize: TLRB.segmentSize, noncePrefix: randomBytes(TLRB.noncePrefixSize))
        let fd = posixOpen(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(path: path, operation: "create", errno: errno) }
        self.fd = fd
        segment = .allocate(byteCount: TLRB.segmentSize, alignment: 16)
        let code = header.bytes.withUnsafeBytes { writeAll(fd, $0) }
        if code != 0 {
            state = .failed  // deinit deletes the file
            throw .io(path: path, operation: "write", errno: code)
        }
    }

    deinit {
        if state != .finished && state != .discarded { discard() }
        // Plaintext genome data should not linger in freed memory.
        segment.initializeMemory(as: UInt8.self, repeating: 0)
        segment.deallocate()
    }

    /// Adds the next bytes of the plaintext.
    ///
    /// - Throws: ``BlobError`` `.io` when the disk write fails (the writer is then unusable: call
    ///   ``discard()``), `.writerClosed` after ``finish()`` or ``discard()``.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(BlobError) {
        guard state == .open else { throw .writerClosed(name: name) }
        guard !bytes.isEmpty else { return }
        digest.hasher.update(bufferPointer: bytes)
        try seal(appending: bytes)
    }

    /// Adds the next bytes of the plaintext, hashing them on another thread while this one encrypts and writes
    /// them.
    ///
    /// SHA-256 is the slowest step of an upload (about half the server's time while a genome arrives) and cannot
    /// be split, but it need not wait for the encryption: the two run side by side, and the call returns when
    /// both are done, so the digest always covers exactly the bytes written.
    public func write(_ chunk: ByteBuffer) async throws(BlobError) {
        guard chunk.readableBytes >= Self.parallelHashing else {
            return try chunk.withUnsafeReadableBytes { raw in Result { () throws(BlobError) in try write(raw) } }.get()
        }
        guard state == .open else { throw .writerClosed(name: name) }
        let digest = self.digest
        async let hashed: Void = chunk.withUnsafeReadableBytes { digest.hasher.update(bufferPointer: $0) }
        let sealed = chunk.withUnsafeReadableBytes { raw in Result { () throws(BlobError) in try seal(appending: raw) } }
        await hashed
        try sealed.get()
    }

    /// Encrypts and writes `bytes` (already hashed), a segment at a time.
    private func seal(appending bytes: UnsafeRawBufferPointer) throws(BlobError) {
        size += Int64(bytes.count)
        let segmentSize = TLRB.segmentSize
        let base = bytes.baseAddress!
        var start = 0
        do throws(BlobError) {
            if buffered > 0 {
                let n = min(segmentSize - buffered, bytes.count)
                (segment.baseAddress! + buffered).copyMemory(from: base, byteCount: n)
                buffered += n
                start = n
                if buffered == segmentSize {
                    try seal(UnsafeRawBufferPointer(segment), last: false)
                    buffered = 0
                }
            }
            while bytes.count - start >= segmentSize {
                try seal(UnsafeRawBufferPointer(start: base + start, count: segmentSize), last: false)
                start += segmentSize
            }
            if start < bytes.count {
                segment.baseAddress!.copyMemory(from: base + start, byteCount: bytes.count - start)
                buffered = bytes.count - start
            }
        } catch {
            state = .failed
            throw error
        }
    }

    /// Adds the next bytes of the plaintext.
    public func write(_ bytes: [UInt8]) throws(BlobError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(BlobError) in try write(raw) } }.get()
    }

    /// Seals the last segment, flushes the file to disk and returns what the database row needs.
    /// The blob is still staged: ``StagedBlob/commit(to:)`` makes it a stored blob.
    ///
    /// With `syncing: false` the flush is left to the caller, who must call ``BlobStore/sync(name:)`` before
    /// anything durable refers to the blob (an upload flushes while it checks the file, rather than before).
    public func finish(syncing: Bool = true) throws(BlobError) -> StagedBlob {
        guard state == .open else { throw .writerClosed(name: name) }
        do throws(BlobError) {
            try seal(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(segment)[0..<buffered]), last: true)
            buffered = 0
            if syncing {
                guard fsync(fd) == 0 else { throw .io(path: path, operation: "fsync", errno: errno) }
            }
            let closed = close(fd)
            fd = -1
            guard closed == 0 else { throw .io(path: path, operation: "close", errno: errno) }
        } catch {
            state = .failed
            throw error
        }
        state = .finished
        return StagedBlob(name: name, wrappedKey: wrappedKey, size: size, sha256: hex(Array(digest.hasher.finalize())))
    }

    /// Abandons the upload and deletes its staged file. Safe at any time, also after an error or a
    /// second time; after ``finish()`` it deletes the finished but uncommitted file.
    public func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(path)
        state = .discarded
    }

    /// Seals `plaintext` as the next segment and appends ciphertext ‖ tag to the file.
    private func seal(_ plaintext: UnsafeRawBufferPointer, last: Bool) throws(BlobError) {
        guard nextSegment < Int64(UInt32.max) else {
            throw .io(path: path, operation: "write (more segments than the format counts)", errno: EFBIG)
        }
        let nonce = header.nonce(segment: UInt32(nextSegment), last: last)
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.seal(plaintext, using: key, nonce: nonce, authenticating: header.bytes)
        } catch {
            // Only a wrong key size or nonce could make sealing fail, and both are fixed here.
            preconditionFailure("AES-GCM seal failed: \(error)")
        }
        // nonce ‖ ciphertext ‖ tag; the nonce is implied by the segment's place and not stored.
        let code = box.combined!.withUnsafeBytes { raw in writeAll(fd, UnsafeRawBufferPointer(rebasing: raw[12...])) }
        guard code == 0 else { throw .io(path: path, operation: "write", errno: code) }
        nextSegment += 1
    }
}

/// A finished upload, still in `staging/`: what to store in the database row, and the step that
/// makes it a blob.
public struct StagedBlob: Sendable, Equatable {
    /// 32 lower-case hex digits; the file becomes `blobs/<name>.tlrb`.
    public let name: String
    /// The data key wrapped by the master key, base64; needed to read the blob.
    public let wrappedKey: String
    /// Plaintext bytes.
    public let size: Int64
    /// SHA-256 of the plaintext, lower-case hex.
    public let sha256: String

    /// Moves the staged file to `blobs/<name>.tlrb` with one atomic rename and flushes both
    /// directories, so that after a crash the blob is either wholly there or still staged.
    public func commit(to store: BlobStore) throws(BlobError) {
        let from = store.stagingPath(name)
        let to = store.blobPath(name)
        guard rename(from, to) == 0 else {
            if errno == ENOENT { throw .notFound(name: name) }
            throw .io(path: from, operation: "rename to \(to)", errno: errno)
        }
        try syncDirectory(store.blobsDirectory)
        try syncDirectory(store.stagingDirectory)
    }

    /// Deletes the staged file (an upload refused after it was written, for instance for its digest).
    public func discard(from store: BlobStore) {
        unlink(store.stagingPath(name))
    }
}

// MARK: - Reading

/// A committed blob opened for random access: a ``RandomAccessSource`` that reads and authenticates
/// only the segments holding the requested bytes.
///
/// The last two decrypted segments are kept, so sequential reads decrypt each segment once, and so do
/// reads that go back and forth across one segment boundary (a BGZF block straddling two segments).
///
/// Not `Sendable` (a descriptor and a cache); ``reopened()`` gives an independent reader.
public final class BlobReader: RandomAccessSource {
    public let name: String
    /// The blob's file.
    public let path: String
    /// Plaintext bytes.
    public let size: Int64
    /// Segments in the file; the last is `segmentCount - 1`.
    public let segmentCount: Int64
    private let fd: Int32
    private let key: SymmetricKey
    private let header: BlobHeader
    /// Up to two decrypted segments, most recently used last.
    private var cache: [(segment: Int64, plaintext: Data)] = []
    /// Ciphertext ‖ tag of the segment being opened, allocated once.
    private var sealed: [UInt8]

    convenience init(name: String, path: String, wrappedKey: String, masterKey: MasterKey) throws(BlobError) {
        let fd = posixOpen(path, O_RDONLY | O_CLOEXEC, 0)
        guard fd >= 0 else {
            if errno == ENOENT { throw .notFound(name: name) }
            throw .io(path: path, operation: "open", errno: errno)
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw .io(path: path, operation: "stat", errno: code)
        }
        let header: BlobHeader
        let key: SymmetricKey
        let geometry: (segments: Int64, plaintextSize: Int64)
        do throws(BlobError) {
            var headerBytes = [UInt8](repeating: 0, count: TLRB.headerSize)
            let got = headerBytes.withUnsafeMutableBytes { preadAll(fd, $0, at: 0) }
            if got < 0 { throw .io(path: path, operation: "read", errno: errno) }
            header = try BlobHeader(parsing: Array(headerBytes.prefix(got)), path: path)
            key = try masterKey.unwrap(wrappedKey, name: name)
            geometry = try header.geometry(fileSize: Int64(info.st_size), path: path)
        } catch {
            close(fd)
            throw error
        }
        self.init(name: name, path: path, fd: fd, key: key, header: header, segments: geometry.segments, size: geometry.plaintextSize)
        // Authenticate the last segment now: it proves the size, and a cut-off end shows up at once.
        _ = try plaintext(ofSegment: segmentCount - 1)
    }

    private init(name: String, path: String, fd: Int32, key: SymmetricKey, header: BlobHeader, segments: Int64, size: Int64) {
        self.name = name
        self.path = path
        self.fd = fd
        self.key = key
        self.header = header
        self.segmentCount = segments
        self.size = size
        self.sealed = [UInt8](repeating: 0, count: header.segmentSize + TLRB.tagSize)
    }

    deinit { close(fd) }

    /// The ``RandomAccessSource`` read: a ``BlobError`` becomes a ``BGZFError`` of kind `.io` with the
    /// same message, at the plaintext offset asked for.
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(BGZFError) -> Int {
        do {
            return try copy(at: offset, into: buffer)
        } catch {
            throw BGZFError(.io(error.detail), offset: offset, path: path)
        }
    }

    /// Up to `count` plaintext bytes at `offset` (fewer at the end), with errors as ``BlobError``.
    public func bytes(at offset: Int64, count: Int) throws(BlobError) -> [UInt8] {
        let wanted = max(0, min(count, Int(clamping: size - max(0, offset))))
        var failure: BlobError?
        let bytes = [UInt8](unsafeUninitializedCapacity: wanted) { raw, initialized in
            do throws(BlobError) {
                initialized = try copy(at: offset, into: UnsafeMutableRawBufferPointer(raw))
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Decrypts and authenticates every segment and returns the plaintext's SHA-256 (lower-case hex),
    /// to check a stored blob against the digest recorded at upload.
    public func sha256() throws(BlobError) -> String {
        var hasher = SHA256()
        for segment in 0..<segmentCount {
            try plaintext(ofSegment: segment).withUnsafeBytes { hasher.update(bufferPointer: $0) }
        }
        return hex(Array(hasher.finalize()))
    }

    /// A reader of the same blob with its own descriptor (a `dup`, so a blob deleted meanwhile stays
    /// readable) and its own cache.
    public func reopened() throws(BGZFError) -> any RandomAccessSource {
        let copy = dup(fd)
        guard copy >= 0 else { throw BGZFError(.io("dup failed: \(String(cString: strerror(errno)))"), offset: 0, path: path) }
        return BlobReader(name: name, path: path, fd: copy, key: key, header: header, segments: segmentCount, size: size)
    }

    private func copy(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(BlobError) -> Int {
        guard offset >= 0 else { throw .io(path: path, operation: "read at a negative offset", errno: EINVAL) }
        let segmentSize = Int64(header.segmentSize)
        var done = 0
        var at = offset
        while done < buffer.count && at < size {
            let segment = at / segmentSize
            let plain = try plaintext(ofSegment: segment)
            let within = Int(at - segment * segmentSize)
            let n = min(plain.count - within, buffer.count - done)
            plain.withUnsafeBytes { source in
                (buffer.baseAddress! + done).copyMemory(from: source.baseAddress! + within, byteCount: n)
            }
            done += n
            at += Int64(n)
        }
        return done
    }

    /// The plaintext of segment `index`, from the cache or read, authenticated and decrypted.
    private func plaintext(ofSegment index: Int64) throws(BlobError) -> Data {
        if let hit = cache.firstIndex(where: { $0.segment == index }) {
            if hit != cache.count - 1 { cache.append(cache.remove(at: hit)) }
            return cache[cache.count - 1].plaintext
        }
        let last = index == segmentCount - 1
        let stride = Int64(header.segmentSize + TLRB.tagSize)
        let length = last ? Int(size - index * Int64(header.segmentSize)) + TLRB.tagSize : Int(stride)
        let offset = Int64(TLRB.headerSize) + index * stride
        let got = sealed.withUnsafeMutableBytes { preadAll(fd, UnsafeMutableRawBufferPointer(rebasing: $0[0..<length]), at: offset) }
        if got < 0 { throw .io(path: path, operation: "read", errno: errno) }
        // The size was checked at opening; a shorter read means the file shrank since.
        guard got == length else { throw .truncated(path: path, reason: "segment \(index) ends early: the file shrank while open") }
        let nonce = header.nonce(segment: UInt32(index), last: last)
        let plain: Data? = sealed.withUnsafeBytes { raw in
            let ciphertext = UnsafeRawBufferPointer(rebasing: raw[0..<length - TLRB.tagSize])
            let tag = UnsafeRawBufferPointer(rebasing: raw[length - TLRB.tagSize..<length])
            guard let box = try? AES.GCM.SealedBox(nonce: nonce, ciphertext: ciphertext, tag: tag) else { return nil }
            return try? AES.GCM.open(box, using: key, authenticating: header.bytes)
        }
        guard let plain else { throw .tampered(path: path, segment: index) }
        if cache.count == 2 { cache.removeFirst() }
        cache.append((index, plain))
        return plain
    }
}

// MARK: - System calls

/// `open(2)`, named apart from ``BlobStore/open(name:wrappedKey:)``.
private func posixOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }

/// Writes all of `bytes`; returns 0 or the errno that stopped it.
private func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    var done = 0
    while done < bytes.count {
        let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        done += n
    }
    return 0
}

/// Reads into all of `buffer` from `offset` unless the file ends first; returns the count, or -1 with `errno` set.
private func preadAll(_ fd: Int32, _ buffer: UnsafeMutableRawBufferPointer, at offset: Int64) -> Int {
    var got = 0
    while got < buffer.count {
        let n = pread(fd, buffer.baseAddress! + got, buffer.count - got, off_t(offset) + off_t(got))
        if n < 0 {
            if errno == EINTR { continue }
            return -1
        }
        if n == 0 { break }
        got += n
    }
    return got
}

/// `mkdir -p` with owner-only permissions for what it creates.
private func makeDirectories(_ path: String) throws(BlobError) {
    var prefix = path.hasPrefix("/") ? "" : "."
    for component in path.split(separator: "/") {
        prefix += "/" + component
        if mkdir(prefix, 0o700) != 0 && errno != EEXIST {
            throw .io(path: prefix, operation: "create directory", errno: errno)
        }
    }
    var info = stat()
    guard stat(path, &info) == 0 else { throw .io(path: path, operation: "stat", errno: errno) }
    guard (info.st_mode & S_IFMT) == S_IFDIR else { throw .io(path: path, operation: "use as a directory", errno: ENOTDIR) }
}

/// Flushes a directory's entries (a rename or deletion in it) to disk.
extension BlobStore {
    /// Flushes a stored blob's bytes to disk (for a blob finished with `syncing: false`). A blocking call: run it
    /// off the tasks that serve requests.
    public func sync(name: String) throws(BlobError) {
        let path = blobPath(name)
        let fd = posixOpen(path, O_RDONLY | O_CLOEXEC, 0)
        guard fd >= 0 else { throw errno == ENOENT ? .notFound(name: name) : .io(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io(path: path, operation: "fsync", errno: errno) }
    }
}

private func syncDirectory(_ path: String) throws(BlobError) {
    let fd = posixOpen(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
    guard fd >= 0 else { throw .io(path: path, operation: "open directory", errno: errno) }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw .io(path: path, operation: "fsync directory", errno: errno) }
}

/// The names in a directory, without `.` and `..`.
private func listDirectory(_ path: String) throws(BlobError) -> [String] {
    guard let dir = opendir(path) else { throw .io(path: path, operation: "list directory", errno: errno) }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
            pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { String(cString: $0) }
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// Deletes a file; 1 if it was deleted, 0 if it was already gone.
private func deleteIfPresent(_ path: String) throws(BlobError) -> Int {
    if unlink(path) == 0 { return 1 }
    if errno == ENOENT { return 0 }
    throw .io(path: path, operation: "delete", errno: errno)
}

private func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
}

private func randomBytes(_ count: Int) -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
}

private func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}
