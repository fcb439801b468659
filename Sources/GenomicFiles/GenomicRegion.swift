public import VCF

/// A stretch of one contig, 1-based and inclusive at both ends, as `bcftools -r` and `tabix` take them.
public struct GenomicRegion: Sendable, Hashable, CustomStringConvertible {
    public var contig: String
    public var start: Int
    /// Last position, inclusive; `Int.max` for "to the end of the contig".
    public var end: Int

    public init(contig: String, start: Int = 1, end: Int = .max) {
        self.contig = contig
        self.start = start
        self.end = end
    }

    /// Parses `chr7`, `chr7:1000` (one position), `chr7:1000-2000`, `chr7:1000-` (to the end); commas in numbers are allowed.
    ///
    /// - Throws: ``VCFError`` of kind `.request` describing the accepted forms.
    public init(parsing text: String) throws(VCFError) {
        let forms = "expected CHROM, CHROM:POS, CHROM:START-END or CHROM:START-"
        guard let colon = text.lastIndex(of: ":") else {
            guard !text.isEmpty else { throw VCFError(.request, "empty region; \(forms)", field: "region") }
            self.init(contig: text)
            return
        }
        let contig = String(text[..<colon])
        let range = text[text.index(after: colon)...].filter { $0 != "," }
        guard !contig.isEmpty else { throw VCFError(.request, "'\(text)' has no contig; \(forms)", field: "region") }
        let parts = range.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let start = Int(parts[0]), start >= 1 else {
            throw VCFError(.request, "'\(text)': start '\(parts[0])' is not a position ≥ 1; \(forms)", field: "region")
        }
        var end = start
        if parts.count == 2 {
            if parts[1].isEmpty {
                end = .max
            } else {
                guard let value = Int(parts[1]) else {
                    throw VCFError(.request, "'\(text)': end '\(parts[1])' is not a position; \(forms)", field: "region")
                }
                end = value
            }
        }
        guard end >= start else { throw VCFError(.request, "'\(text)': end is before start", field: "region") }
        self.init(contig: contig, start: start, end: end)
    }

    /// Whether a record at `position` covering through `referenceEnd` overlaps the region (REF span, or INFO/END).
    @inline(__always)
    public func overlaps(position: Int, referenceEnd: Int) -> Bool {
        position <= end && max(referenceEnd, position) >= start
    }

    public var description: String { end == .max ? "\(contig):\(start)-" : "\(contig):\(start)-\(end)" }
}
