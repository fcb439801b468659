/// One VCF data line that owns its bytes: keep it, send it across tasks, store it.
///
/// Decoding is lazy, as in ``VCFRecordView``: the line is validated once, and INFO and sample columns
/// are read when asked for.
public struct VCFRecord: Sendable, Hashable {
    /// The line's bytes (without newline).
    public let line: [UInt8]
    public let columns: VCFColumns
    /// 1-based POS.
    public let position: Int
    /// REF plus ALT alleles.
    public let alleleCount: Int

    /// Copies a view into an owned record.
    public init(_ view: VCFRecordView) {
        line = Array(view.bytes)
        columns = view.columns
        position = view.position
        alleleCount = view.alleleCount
    }

    /// Parses one line of text.
    public init(parsing text: String, sampleCount: Int) throws(VCFError) {
        self = try withUTF8Bytes(text) { (buffer) throws(VCFError) -> VCFRecord in
            VCFRecord(try VCFRecordView(parsing: buffer, sampleCount: sampleCount))
        }
    }

    /// Runs `body` with a view of this record.
    public func withView<R, E: Error>(_ body: (VCFRecordView) throws(E) -> R) throws(E) -> R {
        try withBytes(line) { (raw) throws(E) -> R in
            let view = VCFRecordView(trusted: raw, columns: columns, position: position, alleleCount: alleleCount)
            return try body(view)
        }
    }

    public var chrom: String { withView { $0.chrom } }
    public var ids: [String] { withView { $0.ids } }
    public var ref: String { withView { $0.ref } }
    public var alts: [String] { withView { $0.alts } }
    public var quality: Double? { withView { $0.quality } }
    public var filters: [String]? { withView { $0.filters } }
    public var formatKeys: [String] { withView { $0.formatKeys } }
    public var referenceEnd: Int { withView { $0.referenceEnd } }
    public func infoText(_ key: String) -> String? { withView { $0.infoText(key) } }
    public func info(_ key: String, header: VCFHeader) throws(VCFError) -> VCFValue? {
        try withView { (view) throws(VCFError) in try view.info(key, header: header) }
    }
    public func genotypes(header: VCFHeader) throws(VCFError) -> [Genotype] {
        try withView { (view) throws(VCFError) in try view.genotypes(header: header) }
    }
    public var text: String { String(decoding: line, as: UTF8.self) }
}

extension VCFRecordView {
    /// A view over bytes already validated (by ``VCFRecord``).
    init(trusted bytes: UnsafeRawBufferPointer, columns: VCFColumns, position: Int, alleleCount: Int) {
        self.bytes = bytes
        self.columns = columns
        self.position = position
        self.alleleCount = alleleCount
    }
}
