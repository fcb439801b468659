public import BGZF
public import VCF

/// A problem reading a tabix (`.tbi`) or CSI (`.csi`) index.
public struct IndexError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// A chunk of a BGZF file holding records of one bin: from `begin` up to (not including) `end`.
public struct IndexChunk: Sendable, Hashable {
    public var begin: VirtualOffset
    public var end: VirtualOffset
}

/// A tabix or CSI index held in memory, so that a region query costs a few block reads rather than
/// re-reading the index (which is what makes a fresh `tabix` call take tens of milliseconds).
///
/// Both formats use the UCSC binning scheme: tabix with 14-bit minimum bins and 5 levels (coordinates
/// up to 2^29), CSI with its own `min_shift` and `depth` for longer chromosomes.
public struct GenomicIndex: Sendable {
    public enum Format: String, Sendable { case tabix, csi }

    public struct Reference: Sendable {
        /// Chunks per bin.
        var bins: [UInt32: [IndexChunk]] = [:]
        /// Tabix linear index: smallest offset of a record starting in each 16 kb window.
        var linear: [VirtualOffset] = []
        /// CSI: smallest offset per bin.
        var binMinOffset: [UInt32: VirtualOffset] = [:]
    }

    public let format: Format
    public let minShift: Int
    public let depth: Int
    /// Sequence names in index order.
    public let names: [String]
    let references: [Reference]
    /// When the index was loaded for one contig only (a one-shot query), that contig's position.
    public let onlyReference: Int?

    /// Finds and loads the index of `vcfPath`: `<path>.tbi`, then `<path>.csi`. Returns `nil` when there is none.
    ///
    /// - Parameter contig: load only this contig's bins (either naming), skipping the rest without
    ///   building them: a one-shot query then costs a fraction of a full load. A server keeps a full index.
    public static func load(forVCF vcfPath: String, header: VCFHeader, onlyContig contig: String? = nil) throws -> GenomicIndex? {
        for (suffix, format) in [(".tbi", Format.tabix), (".csi", Format.csi)] {
            let path = vcfPath + suffix
            guard let file = try? ReadableFile(path: path) else { continue }
            let bytes = try inflateAll(file)
            return try GenomicIndex(bytes: bytes, format: format, path: path, header: header, onlyContig: contig)
        }
        return nil
    }

    private static func inflateAll(_ file: ReadableFile) throws -> [UInt8] {
        let reader = BGZFBlockReader(file: file, readSize: 1 << 20)
        let inflater = BGZFInflater(path: file.path)
        var out: [UInt8] = []
        while let batch = try reader.nextBatch(maxBlocks: 256) { out.append(contentsOf: try inflater.inflate(batch)) }
        return out
    }

    /// Parses the decompressed bytes of an index.
    public init(bytes: [UInt8], format: Format, path: String, header: VCFHeader, onlyContig: String? = nil) throws(IndexError) {
        var r = ByteReader(bytes: bytes, path: path)
        let magic = try r.bytes(4)
        self.format = format
        switch format {
        case .tabix:
            guard magic == Array("TBI".utf8) + [1] else { throw IndexError(path: path, message: "not a tabix index (bad magic)") }
            let nRef = try r.int32(nonNegative: "n_ref")
            _ = try r.bytes(24)  // format, col_seq, col_beg, col_end, meta, skip
            let nameBytes = try r.int32(nonNegative: "l_nm")
            names = Self.splitNames(try r.bytes(nameBytes))
            minShift = 14
            depth = 5
            let wanted = onlyContig.map { [names] contig in Self.position(of: contig, in: names) } ?? nil
            var refs: [Reference] = []
            for i in 0..<nRef {
                var ref = Reference()
                let nBin = try r.int32(nonNegative: "n_bin")
                let keep = onlyContig == nil || i == wanted
                for _ in 0..<nBin {
                    let bin = try r.uint32()
                    if keep { ref.bins[bin] = try Self.readChunks(&r) } else { try Self.skipChunks(&r) }
                }
                let nIntv = try r.int32(nonNegative: "n_intv")
                if keep {
                    ref.linear.reserveCapacity(nIntv)
                    for _ in 0..<nIntv { ref.linear.append(VirtualOffset(rawValue: try r.uint64())) }
                } else {
                    try r.skip(nIntv * 8)
                }
                refs.append(ref)
            }
            references = refs
            onlyReference = onlyContig == nil ? nil : (wanted ?? -1)
        case .csi:
            guard magic == Array("CSI".utf8) + [1] else { throw IndexError(path: path, message: "not a CSI index (bad magic)") }
            minShift = try r.int32(nonNegative: "min_shift")
            depth = try r.int32(nonNegative: "depth")
            guard minShift < 40, depth < 16 else { throw IndexError(path: path, message: "implausible min_shift/depth") }
            let auxLength = try r.int32(nonNegative: "l_aux")
            let aux = try r.bytes(auxLength)
            if auxLength >= 28 {
                var a = ByteReader(bytes: aux, path: path)
                _ = try a.bytes(24)
                let nameBytes = try a.int32(nonNegative: "l_nm")
                names = Self.splitNames(try a.bytes(nameBytes))
            } else {
                names = header.contigs.map(\.id)
            }
            let nRef = try r.int32(nonNegative: "n_ref")
            let wanted = onlyContig.map { [names] contig in Self.position(of: contig, in: names) } ?? nil
            var refs: [Reference] = []
            for i in 0..<nRef {
                var ref = Reference()
                let nBin = try r.int32(nonNegative: "n_bin")
                let keep = onlyContig == nil || i == wanted
                for _ in 0..<nBin {
                    let bin = try r.uint32()
                    let minOffset = VirtualOffset(rawValue: try r.uint64())
                    if keep {
                        ref.binMinOffset[bin] = minOffset
                        ref.bins[bin] = try Self.readChunks(&r)
                    } else {
                        try Self.skipChunks(&r)
                    }
                }
                refs.append(ref)
            }
            references = refs
            onlyReference = onlyContig == nil ? nil : (wanted ?? -1)
        }
        guard names.count >= references.count else {
            throw IndexError(path: path, message: "index names \(names.count) sequences but has \(references.count)")
        }
    }

    private static func readChunks(_ r: inout ByteReader) throws(IndexError) -> [IndexChunk] {
        let n = try r.int32(nonNegative: "n_chunk")
        var chunks: [IndexChunk] = []
        chunks.reserveCapacity(n)
        for _ in 0..<n {
            chunks.append(IndexChunk(begin: VirtualOffset(rawValue: try r.uint64()), end: VirtualOffset(rawValue: try r.uint64())))
        }
        return chunks
    }

    private static func skipChunks(_ r: inout ByteReader) throws(IndexError) {
        try r.skip(try r.int32(nonNegative: "n_chunk") * 16)
    }

    private static func position(of contig: String, in names: [String]) -> Int? {
        if let i = names.firstIndex(of: contig) { return i }
        let wanted = ContigName.canonical(contig)
        return names.firstIndex { ContigName.canonical($0) == wanted }
    }

    private static func splitNames(_ bytes: [UInt8]) -> [String] {
        bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The index's position of a contig given in either naming (`chr7` or `7`).
    public func referenceIndex(for contig: String) -> Int? { Self.position(of: contig, in: names) }

    /// Whether this index can answer queries on `contig` (false when it was loaded for another contig only).
    public func covers(_ contig: String) -> Bool {
        guard let only = onlyReference, let position = referenceIndex(for: contig) else { return true }  // unknown: no records
        return position == only
    }

    /// The merged, ordered chunks that may hold records overlapping `region`.
    public func chunks(for region: GenomicRegion) -> [IndexChunk] {
        guard let refIndex = referenceIndex(for: region.contig), refIndex < references.count else { return [] }
        let ref = references[refIndex]
        let maxCoordinate = 1 << (minShift + depth * 3)
        let begin = max(0, region.start - 1)
        let end = min(region.end, maxCoordinate)
        guard begin < end else { return [] }
        // Records before this offset end before the region: tabix keeps a linear index of 16 kb windows,
        // CSI keeps the smallest offset per bin (use the deepest bin holding `begin`, or its nearest parent).
        var minOffset = VirtualOffset(rawValue: 0)
        switch format {
        case .tabix:
            if !ref.linear.isEmpty { minOffset = ref.linear[min(begin >> minShift, ref.linear.count - 1)] }
        case .csi:
            var bin = ((1 << (depth * 3)) - 1) / 7 + (begin >> minShift)
            while bin > 0 && ref.binMinOffset[UInt32(bin)] == nil { bin = (bin - 1) >> 3 }
            minOffset = ref.binMinOffset[UInt32(bin)] ?? VirtualOffset(rawValue: 0)
        }
        var chunks: [IndexChunk] = []
        for bin in Self.bins(begin: begin, end: end, minShift: minShift, depth: depth) {
            guard let binChunks = ref.bins[bin] else { continue }
            for chunk in binChunks where chunk.end > minOffset { chunks.append(chunk) }
        }
        chunks.sort { $0.begin < $1.begin }
        var merged: [IndexChunk] = []
        for chunk in chunks {
            if let last = merged.last, chunk.begin <= last.end {
                merged[merged.count - 1].end = max(last.end, chunk.end)
            } else {
                merged.append(chunk)
            }
        }
        return merged
    }

    /// Bins overlapping the 0-based half-open interval [begin, end) (hts `reg2bins`).
    static func bins(begin: Int, end: Int, minShift: Int, depth: Int) -> [UInt32] {
        var result: [UInt32] = []
        let last = end - 1
        var shift = minShift + depth * 3
        var offset = 0
        for level in 0...depth {
            let b = offset + (begin >> shift)
            let e = offset + (last >> shift)
            if b <= e { for bin in b...e { result.append(UInt32(bin)) } }
            offset += 1 << (level * 3)
            shift -= 3
        }
        return result
    }
}

/// Bounds-checked little-endian reads, so that a truncated or corrupt index is an error, not a crash.
struct ByteReader {
    let bytes: [UInt8]
    let path: String
    var offset = 0

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    mutating func bytes(_ n: Int) throws(IndexError) -> [UInt8] {
        guard n >= 0, offset + n <= bytes.count else {
            throw IndexError(path: path, message: "index is truncated at byte \(offset) (needed \(n) more bytes)")
        }
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    mutating func skip(_ n: Int) throws(IndexError) {
        guard n >= 0, offset + n <= bytes.count else {
            throw IndexError(path: path, message: "index is truncated at byte \(offset) (needed \(n) more bytes)")
        }
        offset += n
    }

    mutating func uint32() throws(IndexError) -> UInt32 {
        guard offset + 4 <= bytes.count else {
            throw IndexError(path: path, message: "index is truncated at byte \(offset) (needed 4 more bytes)")
        }
        defer { offset += 4 }
        return UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }

    mutating func uint64() throws(IndexError) -> UInt64 {
        let lo = UInt64(try uint32())
        let hi = UInt64(try uint32())
        return lo | hi << 32
    }

    mutating func int32(nonNegative name: String) throws(IndexError) -> Int {
        let value = Int(Int32(bitPattern: try uint32()))
        guard value >= 0, value <= bytes.count else {
            throw IndexError(path: path, message: "implausible \(name) = \(value) at byte \(offset - 4)")
        }
        return value
    }
}
