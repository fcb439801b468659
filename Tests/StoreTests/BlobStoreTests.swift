import BGZF
import Crypto
import Foundation
import NIOCore
import Testing

@testable import Store

/// A blob store in a fresh temporary directory, removed by `remove()`.
struct TemporaryStore {
    let directory: String
    let store: BlobStore
    let masterKey: MasterKey

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-blobs-\(UUID().uuidString)").path
        masterKey = MasterKey.generate()
        store = try BlobStore(directory: directory, masterKey: masterKey)
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }

    var staged: [String] { (try? FileManager.default.contentsOfDirectory(atPath: directory + "/staging")) ?? [] }
    var blobs: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/blobs")) ?? []).sorted() }

    /// Stores `plaintext` written in chunks of `chunk` bytes and commits it.
    func put(_ plaintext: [UInt8], chunk: Int = 65_536) throws -> StagedBlob {
        let writer = try store.makeWriter()
        try plaintext.withUnsafeBytes { raw in
            var start = 0
            while start < raw.count {
                let end = min(raw.count, start + chunk)
                try writer.write(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                start = end
            }
        }
        let staged = try writer.finish()
        try staged.commit(to: store)
        return staged
    }

    /// Rewrites bytes of a committed blob's file.
    func edit(_ name: String, _ change: (inout [UInt8]) -> Void) throws {
        let path = store.blobPath(name)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        change(&bytes)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}

/// Plaintext bytes per segment, and a full segment's bytes on disk.
let segment = TLRB.segmentSize
let sealedSegment = segment + TLRB.tagSize
/// Sizes around segment boundaries.
let roundTripSizes = [0, 1, segment - 1, segment, segment + 1, segment * 7 / 2]

/// Deterministic bytes that do not repeat with any period a segment could line up with.
func pseudoRandomBytes(_ count: Int, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> [UInt8] {
    var state = seed
    return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        let raw = UnsafeMutableRawBufferPointer(buffer)
        var i = 0
        while i < count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let n = min(8, count - i)
            withUnsafeBytes(of: state) { raw.baseAddress!.advanced(by: i).copyMemory(from: $0.baseAddress!, byteCount: n) }
            i += n
        }
        initialized = count
    }
}

func sha256Hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

/// Reads a whole ReadableFile sequentially.
func readAll(_ file: ReadableFile, chunk: Int = 65_536) throws -> [UInt8] {
    var out: [UInt8] = []
    while try file.read(upTo: chunk, appendingTo: &out) > 0 {}
    return out
}

/// The error `body` throws, as a BlobError, or `nil` after recording an issue.
func blobError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> BlobError? {
    do {
        try body()
        Issue.record("expected a BlobError, but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as BlobError {
        return error
    } catch {
        Issue.record("expected a BlobError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite struct BlobStoreTests {
    @Test(arguments: roundTripSizes, [7, 4_096, 1_000_003])
    func roundTrip(_ size: Int, _ chunk: Int) throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let plaintext = pseudoRandomBytes(size)
        let staged = try t.put(plaintext, chunk: chunk)
        #expect(staged.size == Int64(size))
        #expect(staged.sha256 == sha256Hex(plaintext))
        #expect(BlobStore.isValid(staged.name))
        #expect(t.staged.isEmpty, "commit moves the staged file")
        #expect(t.blobs == [staged.name + ".tlrb"])
        // Full segments, then a final segment of size % S bytes (empty when size is a multiple of S).
        let onDisk = try FileManager.default.attributesOfItem(atPath: t.store.blobPath(staged.name))[.size] as? Int
        #expect(onDisk == TLRB.headerSize + (size / segment) * sealedSegment + size % segment + TLRB.tagSize)

        let file = try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey)
        #expect(file.size == Int64(size))
        #expect(file.path == t.store.blobPath(staged.name))
        let back = try readAll(file, chunk: 300_001)
        #expect(back.count == size)
        #expect(back == plaintext)
        let reader = try t.store.openReader(name: staged.name, wrappedKey: staged.wrappedKey)
        #expect(try reader.sha256() == staged.sha256)
        #expect(reader.segmentCount == Int64(size / segment + 1))
    }

    /// Chunks as the network delivers them (big ones hashed on another thread while they are sealed, small ones
    /// inline), mixed with the synchronous path: same digest, same plaintext back.
    @Test(arguments: [[1_048_576, 65_536, 7, 65_535, 300_001], [65_536], [5, 5, 2_000_000], [1_048_576 * 3 + 1]])
    func roundTripOfNetworkChunks(_ pattern: [Int]) async throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let plaintext = pseudoRandomBytes(5_000_017)
        let writer = try t.store.makeWriter()
        var start = 0
        var turn = 0
        while start < plaintext.count {
            let end = min(plaintext.count, start + pattern[turn % pattern.count])
            if turn % 5 == 4 {
                try plaintext[start..<end].withUnsafeBytes { try writer.write($0) }
            } else {
                try await writer.write(ByteBuffer(bytes: plaintext[start..<end]))
            }
            start = end
            turn += 1
        }
        let staged = try writer.finish()
        try staged.commit(to: t.store)
        #expect(staged.size == Int64(plaintext.count))
        #expect(staged.sha256 == sha256Hex(plaintext))
        let back = try readAll(try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey), chunk: 1_000_000)
        #expect(back == plaintext)
    }

    /// The file holds no run of the plaintext: it really is encrypted.
    @Test func fileHoldsNoPlaintext() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let plaintext = Array(String(repeating: "##fileformat=VCFv4.2\nchr1\t12345\trs1\tA\tG\n", count: 2_000).utf8)
        let staged = try t.put(plaintext)
        let stored = try Data(contentsOf: URL(fileURLWithPath: t.store.blobPath(staged.name)))
        #expect(stored.prefix(4) == Data("TLRB".utf8))
        #expect(stored.range(of: Data("fileformat".utf8)) == nil)
        #expect(stored.range(of: Data("chr1\t12345".utf8)) == nil)
    }

    struct Slice: Sendable, CustomTestStringConvertible {
        let offset: Int
        let count: Int
        var testDescription: String { "bytes \(offset) ..< \(offset + count)" }
    }

    @Test(arguments: [
        Slice(offset: 0, count: 10), Slice(offset: segment - 10, count: 20), Slice(offset: segment - 1, count: 1),
        Slice(offset: segment, count: 1), Slice(offset: segment - 1, count: 2 * segment + 2),  // three segments
        Slice(offset: 3 * segment - 5, count: 10), Slice(offset: segment * 7 / 2 - 3, count: 100),  // past the end
        Slice(offset: segment * 7 / 2, count: 5), Slice(offset: 10 * segment, count: 5), Slice(offset: 0, count: segment * 4),
    ])
    func randomAccessReadsEqualPlaintextSlices(_ slice: Slice) throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let plaintext = pseudoRandomBytes(segment * 7 / 2)
        let staged = try t.put(plaintext)
        let file = try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey)
        let expected = Array(plaintext[min(slice.offset, plaintext.count)..<min(slice.offset + slice.count, plaintext.count)])
        #expect(try file.read(at: Int64(slice.offset), count: slice.count) == expected)
        try file.seek(to: Int64(slice.offset))
        var sequential: [UInt8] = []
        #expect(try file.read(upTo: slice.count, appendingTo: &sequential) == expected.count)
        #expect(sequential == expected)
        #expect(file.position == Int64(slice.offset + expected.count))
        let reader = try t.store.openReader(name: staged.name, wrappedKey: staged.wrappedKey)
        #expect(try reader.bytes(at: Int64(slice.offset), count: slice.count) == expected)
    }

    @Test func manyRandomReadsAndAReopenedHandle() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let plaintext = pseudoRandomBytes(segment * 3 + 12_345, seed: 7)
        let staged = try t.put(plaintext, chunk: 99_999)
        let file = try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey)
        let other = try file.reopened()
        var rng = SplitMix(seed: 42)
        for _ in 0..<200 {
            let offset = Int(rng.next() % UInt64(plaintext.count))
            let count = Int(rng.next() % 200_000)
            let expected = Array(plaintext[offset..<min(plaintext.count, offset + count)])
            let handle = rng.next() % 2 == 0 ? file : other
            #expect(try handle.read(at: Int64(offset), count: count) == expected)
        }
        try other.seek(to: 5)
        #expect(file.position == 0)
    }

    // MARK: Damage

    /// A changed byte in segment n (ciphertext or tag) is reported as that segment, when it is read.
    @Test(arguments: [(0, 100), (1, 0), (1, sealedSegment - 1), (2, 77_777)])
    func flippedByteIsTamperedSegment(_ n: Int, _ within: Int) throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let plaintext = pseudoRandomBytes(segment * 7 / 2)
        let staged = try t.put(plaintext)
        try t.edit(staged.name) { $0[TLRB.headerSize + n * sealedSegment + within] ^= 0x01 }
        let path = t.store.blobPath(staged.name)

        let reader = try t.store.openReader(name: staged.name, wrappedKey: staged.wrappedKey)
        // Other segments still read.
        let other = n == 0 ? 1 : 0
        #expect(try reader.bytes(at: Int64(other * segment), count: 10) == Array(plaintext[other * segment..<other * segment + 10]))
        #expect(blobError { _ = try reader.bytes(at: Int64(n * segment + 5), count: 10) } == .tampered(path: path, segment: Int64(n)))
        #expect(blobError { _ = try reader.sha256() } == .tampered(path: path, segment: Int64(n)))

        // Through ReadableFile: a BGZFError with the blob's message, so a VCF read stops with it.
        let file = try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey)
        do {
            _ = try readAll(file)
            Issue.record("reading a tampered blob succeeded")
        } catch let error as BGZFError {
            #expect(error.path == path)
            #expect(error.description.contains("segment \(n) of the encrypted blob failed authentication"), "\(error)")
        } catch {
            Issue.record("expected a BGZFError, got \(error)")
        }
    }

    /// The last segment is authenticated when the blob is opened.
    @Test func flippedByteInLastSegmentFailsAtOpen() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let staged = try t.put(pseudoRandomBytes(segment * 7 / 2))
        try t.edit(staged.name) { $0[$0.count - 20] ^= 0x80 }
        let error = blobError { _ = try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey) }
        #expect(error == .tampered(path: t.store.blobPath(staged.name), segment: 3))
        #expect(error?.description.contains("segment 3") == true)
    }

    /// The header is authenticated with every segment, and checked for what it must say.
    @Test(arguments: [(0, "does not start with TLRB"), (4, "version 0 is not supported"), (6, "reserved"), (8, "segment size")])
    func damagedHeaderIsBadHeader(_ offset: Int, _ message: String) throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let staged = try t.put(pseudoRandomBytes(1_000))
        try t.edit(staged.name) { $0[offset] = offset == 4 ? 0 : ($0[offset] ^ 0xff) }
        let error = try #require(blobError { _ = try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey) })
        guard case .badHeader = error else {
            Issue.record("expected badHeader, got \(error)")
            return
        }
        #expect(error.description.contains(message), "\(error)")
    }

    @Test func changedNoncePrefixFailsAuthentication() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let staged = try t.put(pseudoRandomBytes(segment + 10))
        try t.edit(staged.name) { $0[14] ^= 0x01 }
        #expect(
            blobError { _ = try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey) }
                == .tampered(path: t.store.blobPath(staged.name), segment: 1))
    }

    /// Removing the last segment (whole or empty) leaves a size no valid blob has.
    @Test(arguments: [segment * 7 / 2, segment * 2, 0])
    func lastSegmentRemovedIsTruncated(_ size: Int) throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let staged = try t.put(pseudoRandomBytes(size))
        try t.edit(staged.name) { $0.removeLast(size % segment + TLRB.tagSize) }
        let error = try #require(blobError { _ = try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey) })
        guard case .truncated(let path, _) = error else {
            Issue.record("expected truncated, got \(error)")
            return
        }
        #expect(path == t.store.blobPath(staged.name))
        #expect(error.description.contains("cut off") || error.description.contains("fewer than"), "\(error)")
    }

    @Test func cutInsideTheFinalTagIsTruncated() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let staged = try t.put(pseudoRandomBytes(segment * 2))
        try t.edit(staged.name) { $0.removeLast(5) }
        let error = try #require(blobError { _ = try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey) })
        guard case .truncated = error else {
            Issue.record("expected truncated, got \(error)")
            return
        }
        #expect(error.description.contains("inside its authentication tag"), "\(error)")
    }

    /// A cut inside the last segment leaves a plausible size, but the (new) last segment fails.
    @Test func cutInsideTheLastSegmentFailsAtOpen() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let staged = try t.put(pseudoRandomBytes(segment * 7 / 2))
        try t.edit(staged.name) { $0.removeLast(1_000) }
        #expect(
            blobError { _ = try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey) }
                == .tampered(path: t.store.blobPath(staged.name), segment: 3))
    }

    @Test func swappedSegmentsAreDetected() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let staged = try t.put(pseudoRandomBytes(segment * 7 / 2))
        try t.edit(staged.name) { bytes in
            let first = TLRB.headerSize
            let segment0 = Array(bytes[first..<first + sealedSegment])
            bytes[first..<first + sealedSegment] = bytes[first + sealedSegment..<first + 2 * sealedSegment]
            bytes[first + sealedSegment..<first + 2 * sealedSegment] = segment0[...]
        }
        let path = t.store.blobPath(staged.name)
        let reader = try t.store.openReader(name: staged.name, wrappedKey: staged.wrappedKey)
        #expect(blobError { _ = try reader.bytes(at: 0, count: 1) } == .tampered(path: path, segment: 0))
        #expect(blobError { _ = try reader.bytes(at: Int64(segment), count: 1) } == .tampered(path: path, segment: 1))
        #expect(try reader.bytes(at: Int64(2 * segment), count: 1).count == 1)
    }

    @Test func segmentFromAnotherBlobIsDetected() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let plaintext = pseudoRandomBytes(segment * 2 + 5)
        let a = try t.put(plaintext)
        let b = try t.put(plaintext)  // same plaintext, other key and nonce prefix
        let fromB = [UInt8](try Data(contentsOf: URL(fileURLWithPath: t.store.blobPath(b.name))))
        try t.edit(a.name) {
            $0[TLRB.headerSize + sealedSegment..<TLRB.headerSize + 2 * sealedSegment] =
                fromB[TLRB.headerSize + sealedSegment..<TLRB.headerSize + 2 * sealedSegment]
        }
        let reader = try t.store.openReader(name: a.name, wrappedKey: a.wrappedKey)
        #expect(blobError { _ = try reader.bytes(at: Int64(segment), count: 1) } == .tampered(path: t.store.blobPath(a.name), segment: 1))
    }

    // MARK: Keys

    @Test func wrongMasterKeyIsAKeyError() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let staged = try t.put(pseudoRandomBytes(5_000))
        let other = try BlobStore(directory: t.directory, masterKey: .generate())
        let error = try #require(blobError { _ = try other.open(name: staged.name, wrappedKey: staged.wrappedKey) })
        guard case .keyUnwrap(let name, _) = error else {
            Issue.record("expected keyUnwrap, got \(error)")
            return
        }
        #expect(name == staged.name)
        #expect(error.description.contains("master key"), "\(error)")
    }

    /// A wrapped key opens only the blob it was made for, so swapped database rows are caught.
    @Test func anotherBlobsKeyIsAKeyError() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let a = try t.put(pseudoRandomBytes(100))
        let b = try t.put(pseudoRandomBytes(100))
        let error = try #require(blobError { _ = try t.store.open(name: a.name, wrappedKey: b.wrappedKey) })
        guard case .keyUnwrap = error else {
            Issue.record("expected keyUnwrap, got \(error)")
            return
        }
    }

    @Test(arguments: ["not base64!", "", Data([1, 2, 3]).base64EncodedString()])
    func malformedWrappedKeyIsAKeyError(_ wrappedKey: String) throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let staged = try t.put(pseudoRandomBytes(100))
        let error = try #require(blobError { _ = try t.store.open(name: staged.name, wrappedKey: wrappedKey) })
        guard case .keyUnwrap = error else {
            Issue.record("expected keyUnwrap, got \(error)")
            return
        }
    }

    @Test func rewrappedKeyOpensWithTheNewMasterKeyOnly() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let plaintext = pseudoRandomBytes(10_000)
        let staged = try t.put(plaintext)
        let newKey = MasterKey.generate()
        let rewrapped = try t.store.rewrapKey(staged.wrappedKey, name: staged.name, to: newKey)
        let rotated = try BlobStore(directory: t.directory, masterKey: newKey)
        #expect(try readAll(try rotated.open(name: staged.name, wrappedKey: rewrapped)) == plaintext)
        #expect(blobError { _ = try t.store.open(name: staged.name, wrappedKey: rewrapped) } != nil)
    }

    @Test func masterKeyText() throws {
        let key = MasterKey.generate()
        #expect(key.base64.count == 44)
        #expect(try MasterKey(base64: key.base64 + "\n").base64 == key.base64)
        #expect("\(key)" == "MasterKey(redacted)")
        #expect(!String(reflecting: key).contains(key.base64))
        #expect(MasterKey.generate().base64 != key.base64)
    }

    @Test(arguments: [
        ("c2hvcnQ=", "decodes to 5 bytes"), ("%%%", "not valid base64"), ("", "decodes to 0 bytes"),
        (Data(count: 48).base64EncodedString(), "must be 32 bytes"),
    ])
    func badMasterKeyText(_ text: String, _ message: String) {
        let error = blobError { _ = try MasterKey(base64: text) }
        guard case .badMasterKey(let reason) = error else {
            Issue.record("expected badMasterKey, got \(String(describing: error))")
            return
        }
        #expect(reason.contains(message), "\(reason)")
    }

    // MARK: Names, removal, staging and sweeping

    @Test(arguments: ["../../etc/passwd", "", "ABCDEF0123456789ABCDEF0123456789", "0123456789abcdef0123456789abcde/", "x"])
    func namesAreValidated(_ name: String) throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        #expect(blobError { _ = try t.store.open(name: name, wrappedKey: "") } == .badName(name))
        #expect(blobError { _ = try t.store.remove(name: name) } == .badName(name))
    }

    @Test func missingBlobAndRemoval() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let staged = try t.put(pseudoRandomBytes(10))
        #expect(try t.store.remove(name: staged.name))
        #expect(try t.store.remove(name: staged.name) == false, "removing again is not an error")
        #expect(blobError { _ = try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey) } == .notFound(name: staged.name))
    }

    @Test func writerLifecycle() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        // Discarded mid-way: nothing left, and discarding twice is fine.
        let writer = try t.store.makeWriter()
        try writer.write(pseudoRandomBytes(segment + 3))
        #expect(t.staged == [writer.name + ".part"])
        writer.discard()
        writer.discard()
        #expect(t.staged.isEmpty)
        #expect(blobError { try writer.write([1]) } == .writerClosed(name: writer.name))
        #expect(blobError { _ = try writer.finish() } == .writerClosed(name: writer.name))

        // Released without finishing (a failed upload): the staged file goes with it.
        do {
            let abandoned = try t.store.makeWriter()
            try abandoned.write([1, 2, 3])
            #expect(t.staged.count == 1)
        }
        #expect(t.staged.isEmpty)

        // Finished, then refused: the staged blob can be discarded instead of committed.
        let finished = try t.store.makeWriter()
        try finished.write([4, 5, 6])
        let staged = try finished.finish()
        #expect(blobError { try finished.write([7]) } == .writerClosed(name: finished.name))
        #expect(t.staged == [staged.name + ".part"])
        staged.discard(from: t.store)
        #expect(t.staged.isEmpty)
        #expect(blobError { try staged.commit(to: t.store) } == .notFound(name: staged.name))
        #expect(t.blobs.isEmpty)
    }

    @Test func staysPutWhenTheWriterIsReleasedAfterFinish() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        func finishAndRelease() throws -> StagedBlob {
            let writer = try t.store.makeWriter()
            try writer.write([1])
            return try writer.finish()
        }
        let staged = try finishAndRelease()
        #expect(t.staged == [staged.name + ".part"])
        try staged.commit(to: t.store)
        #expect(try readAll(try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey)) == [1])
    }

    /// What server start does after a crash: staged files and blobs without a row go; rows' blobs stay.
    @Test func sweepRemovesStagedAndUnreferencedBlobs() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let kept = try t.put(pseudoRandomBytes(segment + 1))
        let orphan = try t.put(pseudoRandomBytes(10))  // committed, row never written
        let unfinished = try t.store.makeWriter()  // the upload a crash interrupted
        try unfinished.write(pseudoRandomBytes(segment * 2))
        let uncommittedWriter = try t.store.makeWriter()
        try uncommittedWriter.write([1, 2, 3])
        let uncommitted = try uncommittedWriter.finish()
        // A staged file left by a killed process, and a file that is not ours.
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: t.directory + "/staging/0123456789abcdef0123456789abcdef.part"))
        try Data([1]).write(to: URL(fileURLWithPath: t.directory + "/blobs/README"))
        #expect(t.staged.count == 3)

        #expect(try t.store.sweep(keeping: [kept.name]) == 4)
        #expect(t.staged.isEmpty)
        #expect(t.blobs == ["README", kept.name + ".tlrb"].sorted())
        #expect(blobError { _ = try t.store.open(name: orphan.name, wrappedKey: orphan.wrappedKey) } == .notFound(name: orphan.name))
        #expect(blobError { try uncommitted.commit(to: t.store) } == .notFound(name: uncommitted.name))
        let file = try t.store.open(name: kept.name, wrappedKey: kept.wrappedKey)
        #expect(file.size == Int64(segment + 1))
        #expect(try t.store.sweep(keeping: [kept.name]) == 0)
        withExtendedLifetime(unfinished) {}
    }

    @Test func storeCreatesItsDirectories() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: t.directory + "/blobs", isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(FileManager.default.fileExists(atPath: t.directory + "/staging", isDirectory: &isDirectory) && isDirectory.boolValue)
        // Opening an existing store again is fine.
        _ = try BlobStore(directory: t.directory, masterKey: t.masterKey)
        let permissions = try FileManager.default.attributesOfItem(atPath: t.directory + "/blobs")[.posixPermissions] as? Int
        #expect(permissions == 0o700)
    }

    // MARK: A VCF through the store

    /// A BGZF VCF stored encrypted reads back through the BGZF stack exactly as the plain file does:
    /// streaming, and from block offsets as index queries read.
    @Test func bgzfVCFReadsLikeThePlainFile() throws {
        let t = try TemporaryStore()
        defer { t.remove() }
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GenomicFilesTests/Fixtures/sample.vcf.gz").path
        let plainPath = t.directory + "/sample.vcf.gz"
        try FileManager.default.copyItem(atPath: fixture, toPath: plainPath)

        // Upload it as a stream of 64 KiB chunks read from disk.
        let upload = try ReadableFile(path: plainPath)
        let writer = try t.store.makeWriter()
        var chunk: [UInt8] = []
        while try upload.read(upTo: 65_536, appendingTo: &chunk) > 0 {
            try writer.write(chunk)
            chunk.removeAll(keepingCapacity: true)
        }
        let staged = try writer.finish()
        try staged.commit(to: t.store)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: plainPath)))
        #expect(staged.sha256 == sha256Hex(original))
        #expect(staged.size == Int64(original.count))

        let plain = try decode(try ReadableFile(path: plainPath))
        let blob = try t.store.open(name: staged.name, wrappedKey: staged.wrappedKey)
        let stored = try decode(blob)
        #expect(stored.blockOffsets == plain.blockOffsets)
        #expect(stored.text == plain.text)
        let lines = stored.text.split(separator: 10)
        #expect(lines.filter { $0.first != 35 }.count == 3_000, "records")
        #expect(lines.first.map { Array($0) } == Array("##fileformat=VCFv4.2".utf8))

        // Index-query style reads: a second handle, seek to a block, read one block.
        let query = try blob.reopened()
        for (i, offset) in plain.blockOffsets.enumerated().reversed() where i % 3 == 0 {
            try query.seek(to: offset)
            let reader = BGZFBlockReader(file: query, readSize: 65_536 + 28)
            let batch = try #require(try reader.nextBatch(maxBlocks: 1))
            #expect(batch.fileOffset == offset)
            let text = try BGZFInflater(path: query.path).inflate(batch)
            #expect(Array(stored.text[plain.textOffsets[i]..<plain.textOffsets[i] + text.count]) == text)
        }
        #expect(blob.position == blob.size, "the query handle did not move the first")
    }

    /// Inflated text, and each block's file offset and text offset.
    func decode(_ file: ReadableFile) throws -> (text: [UInt8], blockOffsets: [Int64], textOffsets: [Int]) {
        let reader = BGZFBlockReader(file: file, readSize: 200_000)
        let inflater = BGZFInflater(path: file.path)
        var text: [UInt8] = []
        var blockOffsets: [Int64] = []
        var textOffsets: [Int] = []
        while let batch = try reader.nextBatch(maxBlocks: 1) {
            blockOffsets.append(batch.fileOffset)
            textOffsets.append(text.count)
            text += try inflater.inflate(batch)
        }
        #expect(reader.lastBlockWasEmpty, "EOF marker")
        return (text, blockOffsets, textOffsets)
    }
}

/// A small seeded generator, so that failures reproduce.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
