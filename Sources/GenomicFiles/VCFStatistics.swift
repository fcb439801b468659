public import VCF

/// `tailor vcf stats`: counts equal to `bcftools stats`, plus what the file is (container, version, build).
public struct VCFStatsReport: Sendable {
    public var path: String
    public var container: VCFContainer
    public var version: VCFVersion
    public var build: GenomeBuildEvidence
    public var region: GenomicRegion?
    /// Whether a region was answered through a tabix/CSI index rather than by streaming the whole file.
    public var usedIndex: Bool
    public var stats: VCFStats
    public var summary: ScanSummary
}

public enum VCFStatistics {
    /// Computes statistics for a file, or for the records overlapping `region`.
    ///
    /// With a region and an index (`.tbi` or `.csi` beside the file) only the indexed blocks are read;
    /// without an index the file is streamed and filtered.
    public static func compute(path: String, region: GenomicRegion? = nil, options: VCFReadOptions = VCFReadOptions()) async throws
        -> VCFStatsReport
    {
        let file = try VCFFile(path: path, options: options)
        let header = file.header
        var report = VCFStatsReport(
            path: path, container: file.container, version: header.version, build: header.build, region: region, usedIndex: false,
            stats: VCFStats(), summary: ScanSummary())
        let initial = VCFStatsAccumulator(header: header)
        var regionWarnings: [String] = []
        if let region, !header.contigs.isEmpty, header.contigName(matching: region.contig) == nil {
            // bcftools answers zero records here; a typo in a contig name deserves to be told.
            let known = header.contigs.prefix(5).map(\.id).joined(separator: ", ")
            regionWarnings.append(
                "contig '\(region.contig)' is not among the file's \(header.contigs.count) ##contig lines (\(known), …); no record can match")
        }
        if let region {
            if file.container == .bgzf, let index = try GenomicIndex.load(forVCF: path, header: header, onlyContig: region.contig) {
                var accumulator = initial
                let visited = try file.query(region, index: index) { (view) throws(VCFError) in try accumulator.add(view) }
                report.stats = accumulator.result
                report.summary.records = visited
                report.summary.warnings = header.warnings + regionWarnings
                report.usedIndex = true
                return report
            }
            let contig = Array((header.contigName(matching: region.contig) ?? region.contig).utf8)
            let (accumulator, summary) = try await file.scan(
                initial: initial,
                record: { (acc: inout VCFStatsAccumulator, view: VCFRecordView) throws(VCFError) in
                    guard view.chromEquals(contig), region.overlaps(position: view.position, referenceEnd: view.referenceEnd) else { return }
                    try acc.add(view)
                },
                merge: { $0.merge($1) })
            report.stats = accumulator.result
            report.summary = summary
            report.summary.warnings += regionWarnings
            return report
        }
        let (accumulator, summary) = try await file.scan(
            initial: initial,
            record: { (acc: inout VCFStatsAccumulator, view: VCFRecordView) throws(VCFError) in try acc.add(view) },
            merge: { $0.merge($1) })
        report.stats = accumulator.result
        report.summary = summary
        return report
    }
}
