/// Where the tab-separated columns of one data line are: end offsets (exclusive) of columns 1–9.
public struct VCFColumns: Sendable, Hashable {
    public var chromEnd: Int32 = 0
    public var posEnd: Int32 = 0
    public var idEnd: Int32 = 0
    public var refEnd: Int32 = 0
    public var altEnd: Int32 = 0
    public var qualEnd: Int32 = 0
    public var filterEnd: Int32 = 0
    public var infoEnd: Int32 = 0
    /// End of FORMAT, or `infoEnd` when the line has no FORMAT column.
    public var formatEnd: Int32 = 0
    /// Length of the line (without newline or carriage return).
    public var length: Int32 = 0
    public var hasFormat = false
}

/// A validated, zero-copy view of one VCF data line.
///
/// The fixed columns are checked when the view is made (POS is a number, REF is nucleotides, ALT is
/// well formed, QUAL is a number or `.`); INFO and the sample columns are decoded only when asked for.
/// A view points into a buffer it does not own: use it only inside the call that handed it to you,
/// and make a ``VCFRecord`` to keep a record.
public struct VCFRecordView {
    public let bytes: UnsafeRawBufferPointer
    public let columns: VCFColumns
    /// 1-based POS.
    public let position: Int
    /// REF plus ALT alleles (1 when ALT is `.`).
    public let alleleCount: Int

    /// Tokenises and validates one line (no trailing newline; a trailing carriage return is ignored).
    ///
    /// - Parameter sampleCount: the number of samples the header declares.
    /// - Throws: ``VCFError`` naming the column that is wrong (the caller adds the line number).
    public init(parsing line: UnsafeRawBufferPointer, sampleCount: Int) throws(VCFError) {
        var length = line.count
        if length > 0, line[length - 1] == ASCII.carriageReturn { length -= 1 }
        guard length < Int(Int32.max) else { throw VCFError(.record, "line longer than 2 GiB") }
        var cols = VCFColumns()
        cols.length = Int32(length)
        // Find the ends of the first eight or nine columns.
        var found = 0
        var ends = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        let wanted = sampleCount > 0 ? 9 : 8
        var i = 0
        while i < length {
            if line[i] == ASCII.tab {
                switch found {
                case 0: ends.0 = i
                case 1: ends.1 = i
                case 2: ends.2 = i
                case 3: ends.3 = i
                case 4: ends.4 = i
                case 5: ends.5 = i
                case 6: ends.6 = i
                case 7: ends.7 = i
                default: ends.8 = i
                }
                found += 1
                if found == wanted { break }
            }
            i += 1
        }
        // The last column ends at the end of the line.
        if found < wanted {
            switch found {
            case 7: ends.7 = length
            case 8: ends.8 = length
            default: break
            }
            found += 1
        }
        if found < 8 {
            let hint =
                line.firstIndex(of: ASCII.space, in: 0..<length) != nil && found <= 1
                ? " (columns must be separated by tabs, not spaces)" : ""
            throw VCFError(.record, "expected at least 8 tab-separated columns (CHROM to INFO), found \(found)\(hint)")
        }
        if sampleCount > 0 && found < 9 {
            throw VCFError(.record, "the header declares \(sampleCount) sample(s) but this line has no FORMAT column", field: "FORMAT")
        }
        if sampleCount == 0 && found == 8 && ends.7 < length {
            throw VCFError(.record, "this line has more than 8 columns but the header declares no FORMAT or samples")
        }
        cols.chromEnd = Int32(ends.0)
        cols.posEnd = Int32(ends.1)
        cols.idEnd = Int32(ends.2)
        cols.refEnd = Int32(ends.3)
        cols.altEnd = Int32(ends.4)
        cols.qualEnd = Int32(ends.5)
        cols.filterEnd = Int32(ends.6)
        cols.infoEnd = Int32(ends.7)
        cols.hasFormat = sampleCount > 0
        cols.formatEnd = sampleCount > 0 ? Int32(ends.8) : Int32(ends.7)

        // CHROM
        guard ends.0 > 0 else { throw VCFError(.record, "empty", field: "CHROM") }
        // POS
        let posRange = ends.0 + 1..<ends.1
        guard let pos = Numbers.integer(line, posRange), pos >= 0, pos <= Int(Int32.max) else {
            throw VCFError(.record, "\(quoted(line.string(posRange), limit: 20)) is not a position (a whole number from 0)", field: "POS")
        }
        // ID: an empty column is read as missing ('.'), as htslib does.
        // REF
        let refRange = ends.2 + 1..<ends.3
        guard !refRange.isEmpty else { throw VCFError(.record, "empty", field: "REF") }
        for j in refRange where !ASCII.isBase[Int(line[j])] {
            throw VCFError(
                .record, "\(quoted(line.string(refRange), limit: 30)) contains '\(line.string(j..<j + 1))', which is not a nucleotide code",
                field: "REF")
        }
        // ALT
        let altRange = ends.3 + 1..<ends.4
        let alleles = try Self.validateAlt(line, altRange)
        // QUAL
        let qualRange = ends.4 + 1..<ends.5
        // An empty QUAL is read as missing, as htslib does.
        if !qualRange.isEmpty && !(qualRange.count == 1 && line[qualRange.lowerBound] == ASCII.dot) && !Numbers.isFloat(line, qualRange) {
            throw VCFError(.record, "\(quoted(line.string(qualRange), limit: 20)) is not a number or '.'", field: "QUAL")
        }
        guard ends.6 > ends.5 + 1 else { throw VCFError(.record, "empty (use '.' or PASS)", field: "FILTER") }
        guard ends.7 > ends.6 + 1 else { throw VCFError(.record, "empty (use '.' for none)", field: "INFO") }
        if sampleCount > 0 && ends.8 <= ends.7 + 1 {
            throw VCFError(.record, "empty", field: "FORMAT")
        }
        self.bytes = UnsafeRawBufferPointer(rebasing: line[0..<length])
        self.columns = cols
        self.position = pos
        self.alleleCount = alleles + 1
    }

    /// Checks ALT and returns the number of ALT alleles (0 for `.`).
    private static func validateAlt(_ line: UnsafeRawBufferPointer, _ range: Range<Int>) throws(VCFError) -> Int {
        guard !range.isEmpty else { throw VCFError(.record, "empty (use '.' for none)", field: "ALT") }
        if range.count == 1 && line[range.lowerBound] == ASCII.dot { return 0 }
        var count = 0
        var start = range.lowerBound
        while start <= range.upperBound {
            var end = start
            while end < range.upperBound, line[end] != ASCII.comma { end += 1 }
            guard end > start else {
                throw VCFError(.record, "\(quoted(line.string(range), limit: 40)) has an empty allele", field: "ALT")
            }
            let first = line[start]
            if first == ASCII.lessThan {
                guard line[end - 1] == ASCII.greaterThan, end - start > 2 else {
                    throw VCFError(.record, "symbolic allele \(quoted(line.string(start..<end), limit: 40)) is not closed with '>'", field: "ALT")
                }
            } else if end - start == 1 && first == ASCII.star {
                // spanning deletion
            } else {
                var isBreakend = false
                for j in start..<end {
                    let b = line[j]
                    if b == ASCII.openBracket || b == ASCII.closeBracket || b == ASCII.dot || b == ASCII.colon || ASCII.isDigit(b)
                        || b == ASCII.lessThan || b == ASCII.greaterThan
                    {
                        isBreakend = true
                        break
                    }
                }
                if isBreakend {
                    // Breakends: t[p[, t]p], ]p]t, [p[t, and single breakends .t / t.
                    let text = line.string(start..<end)
                    let ok =
                        text.contains("[") || text.contains("]")
                        ? text.filter({ $0 == "[" || $0 == "]" }).count == 2 && text.contains(":")
                        : (text.hasPrefix(".") || text.hasSuffix(".")) && text.count > 1
                    guard ok else {
                        throw VCFError(.record, "allele \(quoted(text, limit: 40)) is neither bases, '*', <ID> nor a breakend", field: "ALT")
                    }
                } else {
                    for j in start..<end where !ASCII.isBase[Int(line[j])] {
                        throw VCFError(
                            .record, "allele \(quoted(line.string(start..<end), limit: 40)) contains a character that is not a nucleotide code",
                            field: "ALT")
                    }
                }
            }
            count += 1
            start = end + 1
        }
        return count
    }

    // MARK: Columns

    @inline(__always) var chromRange: Range<Int> { 0..<Int(columns.chromEnd) }
    @inline(__always) var idRange: Range<Int> { Int(columns.posEnd) + 1..<Int(columns.idEnd) }
    @inline(__always) var refRange: Range<Int> { Int(columns.idEnd) + 1..<Int(columns.refEnd) }
    @inline(__always) var altRange: Range<Int> { Int(columns.refEnd) + 1..<Int(columns.altEnd) }
    @inline(__always) var qualRange: Range<Int> { Int(columns.altEnd) + 1..<Int(columns.qualEnd) }
    @inline(__always) var filterRange: Range<Int> { Int(columns.qualEnd) + 1..<Int(columns.filterEnd) }
    @inline(__always) var infoRange: Range<Int> { Int(columns.filterEnd) + 1..<Int(columns.infoEnd) }
    /// FORMAT, or an empty range at the end of INFO for a line without FORMAT.
    @inline(__always) var formatRange: Range<Int> {
        columns.hasFormat ? Int(columns.infoEnd) + 1..<Int(columns.formatEnd) : Int(columns.infoEnd)..<Int(columns.infoEnd)
    }
    /// Start of the first sample column (meaningful only when the line has FORMAT).
    @inline(__always) var samplesStart: Int { Int(columns.formatEnd) + 1 }

    public var chrom: String { bytes.string(chromRange) }

    /// Whether CHROM equals `name` byte for byte (no allocation).
    public func chromEquals(_ name: [UInt8]) -> Bool { bytes.equals(chromRange, name) }

    /// The IDs (empty for `.`).
    public var ids: [String] { split(idRange, on: ASCII.semicolon, omittingEmpty: true) }

    public var ref: String { bytes.string(refRange) }

    /// ALT alleles as written (empty for `.`).
    public var alts: [String] { split(altRange, on: ASCII.comma, omittingEmpty: false) }

    /// All alleles: REF then ALTs.
    public var alleles: [String] { [ref] + alts }

    /// QUAL, or `nil` when missing.
    public var quality: Double? {
        let r = qualRange
        if r.isEmpty || (r.count == 1 && bytes[r.lowerBound] == ASCII.dot) { return nil }
        return Numbers.double(bytes, r)
    }

    /// FILTER: `nil` when `.` (not filtered), `["PASS"]` when passed, otherwise the failed filters.
    public var filters: [String]? {
        let r = filterRange
        return r.count == 1 && bytes[r.lowerBound] == ASCII.dot ? nil : split(r, on: ASCII.semicolon, omittingEmpty: true)
    }

    /// FORMAT keys (empty for a sites-only line).
    public var formatKeys: [String] {
        guard columns.hasFormat else { return [] }
        return split(formatRange, on: ASCII.colon, omittingEmpty: false, dotIsNone: false)
    }

    /// Splits a column on a separator byte, exactly where the byte-level parser splits. (Splitting the
    /// decoded String on a Character would not: a separator followed by a combining mark is one Character.)
    /// A lone `.` is no values unless `dotIsNone` is false.
    func split(_ range: Range<Int>, on separator: UInt8, omittingEmpty: Bool, dotIsNone: Bool = true) -> [String] {
        if range.isEmpty || (dotIsNone && range.count == 1 && bytes[range.lowerBound] == ASCII.dot) { return [] }
        var parts: [String] = []
        var start = range.lowerBound
        while start <= range.upperBound {
            var end = start
            while end < range.upperBound, bytes[end] != separator { end += 1 }
            if end > start || !omittingEmpty { parts.append(bytes.string(start..<end)) }
            start = end + 1
        }
        return parts
    }

    /// Position of `key` in FORMAT, or `nil`.
    public func formatIndex(of key: StaticString) -> Int? {
        guard columns.hasFormat else { return nil }
        var index = 0
        var start = formatRange.lowerBound
        let end = formatRange.upperBound
        while start <= end {
            var stop = start
            while stop < end, bytes[stop] != ASCII.colon { stop += 1 }
            if bytes.equals(start..<stop, key) { return index }
            index += 1
            start = stop + 1
        }
        return nil
    }

    /// The last reference base the record covers: `INFO/END` when present (symbolic alleles, gVCF
    /// blocks), otherwise POS + len(REF) - 1. Overlap queries must use this, not POS alone.
    public var referenceEnd: Int {
        if let end = infoInteger("END"), end >= position { return end }
        return position + refRange.count - 1
    }
}

extension VCFRecordView {
    /// Calls `body` with each sample column's byte range, checking that the line has exactly `sampleCount` of them.
    @inline(__always)
    func forEachSampleColumn(sampleCount: Int, _ body: (Int, Range<Int>) throws(VCFError) -> Void) throws(VCFError) {
        guard sampleCount > 0 else { return }
        var start = samplesStart
        let end = Int(columns.length)
        var index = 0
        while index < sampleCount {
            guard start <= end else {
                throw VCFError(.record, "expected \(sampleCount) sample columns, found \(index)")
            }
            var stop = start
            while stop < end, bytes[stop] != ASCII.tab { stop += 1 }
            try body(index, start..<stop)
            index += 1
            start = stop + 1
        }
        if start <= end {
            var extra = 1
            for j in start..<end where bytes[j] == ASCII.tab { extra += 1 }
            throw VCFError(.record, "expected \(sampleCount) sample columns, found \(sampleCount + extra)")
        }
    }

    /// Walks the sample columns once, handing `body` the byte ranges of sub-fields `first` and `second`
    /// (e.g. GT and DP) of each sample, or `nil` where a column has fewer sub-fields (trailing fields may be
    /// dropped). Checks that the line has exactly `sampleCount` columns.
    @inline(__always)
    func forEachSample(
        sampleCount: Int, first: Int?, second: Int?, _ body: (Int, Range<Int>?, Range<Int>?) throws(VCFError) -> Void
    ) throws(VCFError) {
        guard sampleCount > 0 else { return }
        let i1 = first ?? -1
        let i2 = second ?? -1
        let last = max(i1, i2)
        let end = Int(columns.length)
        var p = samplesStart
        for index in 0..<sampleCount {
            guard p <= end else {
                throw VCFError(.record, "expected \(sampleCount) sample columns, found \(index)")
            }
            var r1: Range<Int>? = nil
            var r2: Range<Int>? = nil
            var field = 0
            var fieldStart = p
            while true {
                let c = p < end ? bytes[p] : ASCII.tab
                if c == ASCII.colon || c == ASCII.tab {
                    if field == i1 { r1 = fieldStart..<p } else if field == i2 { r2 = fieldStart..<p }
                    if c == ASCII.tab { break }
                    field += 1
                    fieldStart = p + 1
                    if field > last {
                        // Nothing more wanted from this column: skip to its end.
                        while p < end && bytes[p] != ASCII.tab { p += 1 }
                        break
                    }
                }
                p += 1
            }
            try body(index, r1, r2)
            p += 1
        }
        if p <= end {
            var extra = 1
            for j in p..<end where bytes[j] == ASCII.tab { extra += 1 }
            throw VCFError(.record, "expected \(sampleCount) sample columns, found \(sampleCount + extra)")
        }
    }

    /// The byte range of sub-field `k` (colon-separated) within a sample column, or `nil` when the column
    /// has fewer sub-fields (trailing fields may be dropped).
    @inline(__always)
    func subfield(_ k: Int, in column: Range<Int>) -> Range<Int>? {
        var start = column.lowerBound
        var remaining = k
        while remaining > 0 {
            while start < column.upperBound, bytes[start] != ASCII.colon { start += 1 }
            guard start < column.upperBound else { return nil }
            start += 1
            remaining -= 1
        }
        var stop = start
        while stop < column.upperBound, bytes[stop] != ASCII.colon { stop += 1 }
        return start..<stop
    }

    /// Decodes every sample's GT.
    ///
    /// - Returns: one genotype per sample; `nil` entries where the line has no GT in FORMAT.
    /// - Throws: ``VCFError`` naming the sample whose GT is malformed or names an allele the record does not have.
    public func genotypes(header: VCFHeader) throws(VCFError) -> [Genotype] {
        guard let gtIndex = formatIndex(of: "GT") else { return [] }
        var result: [Genotype] = []
        result.reserveCapacity(header.samples.count)
        try forEachSampleColumn(sampleCount: header.samples.count) { (sample, column) throws(VCFError) in
            guard let range = subfield(gtIndex, in: column) else {
                result.append(Genotype(alleles: [nil], phased: []))
                return
            }
            guard let genotype = Genotype(bytes: bytes, range: range, alleleCount: alleleCount) else {
                throw VCFError(
                    .record, "\(quoted(bytes.string(range), limit: 20)) is not a genotype with alleles 0...\(alleleCount - 1)",
                    field: "sample \(header.samples[sample]) GT")
            }
            result.append(genotype)
        }
        return result
    }

    /// Visits every sample's GT as a small code: the index of its genotype among the record's distinct genotypes,
    /// in order of first appearance, each decoded once and given to `distinct`. A cohort's thousand samples at a
    /// site share a handful of GT texts (`0/0`, `0/1`, …), so nothing is decoded or allocated per sample.
    ///
    /// - Throws: ``VCFError`` exactly as ``genotypes(header:)`` does, and what `body` throws.
    public func forEachGenotypeCode(
        header: VCFHeader, distinct: (Genotype) -> Void, _ body: (_ sample: Int, _ code: Int) throws(VCFError) -> Void
    ) throws(VCFError) {
        guard let gtIndex = formatIndex(of: "GT") else { return }
        // Short GT texts (up to 8 bytes, nearly all) are keyed by their bytes packed into an integer; longer ones and
        // an absent GT by the decoded genotype.
        var short: [UInt64: Int] = [:]
        var long: [Genotype: Int] = [:]
        var count = 0
        func code(for genotype: Genotype) -> Int {
            if let known = long[genotype] { return known }
            distinct(genotype)
            long[genotype] = count
            count += 1
            return count - 1
        }
        try forEachSampleColumn(sampleCount: header.samples.count) { (sample, column) throws(VCFError) in
            guard let range = subfield(gtIndex, in: column) else {
                try body(sample, code(for: Genotype(alleles: [nil], phased: [])))
                return
            }
            var key: UInt64 = 0
            if range.count <= 8 {
                for i in range { key = key << 8 | UInt64(bytes[i]) }
                if let known = short[key] {
                    try body(sample, known)
                    return
                }
            }
            guard let genotype = Genotype(bytes: bytes, range: range, alleleCount: alleleCount) else {
                throw VCFError(
                    .record, "\(quoted(bytes.string(range), limit: 20)) is not a genotype with alleles 0...\(alleleCount - 1)",
                    field: "sample \(header.samples[sample]) GT")
            }
            let value = code(for: genotype)
            if range.count <= 8 { short[key] = value }
            try body(sample, value)
        }
    }

    /// The raw text of FORMAT field `key` for every sample (`nil` where absent).
    public func formatValues(_ key: StaticString, header: VCFHeader) throws(VCFError) -> [String?] {
        guard let index = formatIndex(of: key) else { return [] }
        var result: [String?] = []
        try forEachSampleColumn(sampleCount: header.samples.count) { (_, column) throws(VCFError) in
            result.append(subfield(index, in: column).map { decodeText(bytes.string($0), header: header) })
        }
        return result
    }
}

/// VCF 4.3 percent-decoding of String values; 4.2 and earlier keep `%` literally.
func decodeText(_ text: String, header: VCFHeader) -> String {
    guard header.version.usesPercentEncoding, text.contains("%") else { return text }
    var out: [UInt8] = []
    let utf8 = Array(text.utf8)
    var i = 0
    while i < utf8.count {
        if utf8[i] == ASCII.percent, i + 2 < utf8.count, let hi = hexValue(utf8[i + 1]), let lo = hexValue(utf8[i + 2]) {
            out.append(hi << 4 | lo)
            i += 3
        } else {
            out.append(utf8[i])
            i += 1
        }
    }
    return String(decoding: out, as: UTF8.self)
}

private func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 48...57: return b - 48
    case 65...70: return b - 55
    case 97...102: return b - 87
    default: return nil
    }
}
