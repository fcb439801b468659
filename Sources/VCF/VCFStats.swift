/// Summary counts of a VCF, defined exactly as `bcftools stats` defines them (SN, TSTV and PSC
/// sections), so that the two can be compared number for number.
public struct VCFStats: Sendable, Hashable, Codable {
    public var records = 0
    /// Records whose ALT alleles are all non-variant (`.`, `<*>`, `<NON_REF>`).
    public var noAlts = 0
    /// Records with at least one SNV allele (and likewise for the other classes: a record can count in several).
    public var snvs = 0
    public var mnvs = 0
    public var indels = 0
    public var others = 0
    /// Records with more than one ALT allele.
    public var multiallelicSites = 0
    /// Multi-allelic records whose every ALT allele is an SNV.
    public var multiallelicSNVSites = 0
    /// Transitions and transversions over all SNV ALT alleles, and over the first ALT allele only.
    public var transitions = 0
    public var transversions = 0
    public var transitionsFirstAlt = 0
    public var transversionsFirstAlt = 0
    /// Genotypes decoded (samples × records with GT).
    public var genotypes = 0
    public var samples: [SampleStats] = []

    public init(sampleNames: [String] = []) {
        samples = sampleNames.map { SampleStats(name: $0) }
    }

    /// Transitions / transversions, or `nil` when there are no transversions.
    public var tsTvRatio: Double? { transversions == 0 ? nil : Double(transitions) / Double(transversions) }
}

/// Per-sample genotype counts (`bcftools stats -s -` PSC section).
///
/// As in bcftools 1.16: hom-ref is counted at every site; a non-reference call counts as hom-alt or het
/// when one of its own ALT alleles is an SNV (or non-variant), and in `indels` when one is an indel; so
/// a `0/1` call of a `<DEL>` counts only as a singleton. A call with any missing allele (`./1`) is missing.
public struct SampleStats: Sendable, Hashable, Codable {
    public var name: String
    public var homRef = 0
    public var homAlt = 0
    public var het = 0
    public var transitions = 0
    public var transversions = 0
    public var indels = 0
    /// Sum and count of FORMAT/DP values, for the mean depth.
    public var depthSum = 0
    public var depthCount = 0
    /// Sites where this sample is the only one with a non-reference diploid genotype.
    public var singletons = 0
    public var haploidRef = 0
    public var haploidAlt = 0
    public var missing = 0

    public init(name: String) { self.name = name }

    public var meanDepth: Double { depthCount == 0 ? 0 : Double(depthSum) / Double(depthCount) }

    static func += (a: inout SampleStats, b: SampleStats) {
        a.homRef += b.homRef
        a.homAlt += b.homAlt
        a.het += b.het
        a.transitions += b.transitions
        a.transversions += b.transversions
        a.indels += b.indels
        a.depthSum += b.depthSum
        a.depthCount += b.depthCount
        a.singletons += b.singletons
        a.haploidRef += b.haploidRef
        a.haploidAlt += b.haploidAlt
        a.missing += b.missing
    }
}

/// Accumulates ``VCFStats`` record by record. Partial accumulators from parallel batches merge exactly.
public struct VCFStatsAccumulator: Sendable {
    public private(set) var stats: VCFStats
    private let sampleNames: [String]
    private let countDepth: Bool
    // Flat per-sample counters, indexed sample * stride + field: far cheaper than updating structs in an array.
    private var counters: [Int]
    private static let stride = 12
    // Scratch, reused across records.
    private var alleleStart: [Int] = []
    private var alleleClass: [VariantClass] = []
    private var sampleGT: [GenotypeSummary] = []
    private var sampleDepth: [Int] = []
    private var hasGT = false
    private var cachedFormat: [UInt8] = []
    private var cachedGT: Int? = nil
    private var cachedDP: Int? = nil

    public init(header: VCFHeader) {
        sampleNames = header.samples
        stats = VCFStats(sampleNames: [])
        countDepth = header.formats["DP"]?.type == .integer
        counters = [Int](repeating: 0, count: header.samples.count * Self.stride)
    }

    /// The statistics so far.
    public var result: VCFStats {
        var s = stats
        s.samples = sampleNames.enumerated().map { index, name in
            let c = Array(counters[index * Self.stride..<(index + 1) * Self.stride])
            var sample = SampleStats(name: name)
            sample.homRef = c[0]
            sample.homAlt = c[1]
            sample.het = c[2]
            sample.transitions = c[3]
            sample.transversions = c[4]
            sample.indels = c[5]
            sample.depthSum = c[6]
            sample.depthCount = c[7]
            sample.singletons = c[8]
            sample.haploidRef = c[9]
            sample.haploidAlt = c[10]
            sample.missing = c[11]
            return sample
        }
        return s
    }

    /// Adds the counts of another accumulator over the same header (e.g. a parallel batch).
    public mutating func merge(_ other: VCFStatsAccumulator) {
        stats.records += other.stats.records
        stats.noAlts += other.stats.noAlts
        stats.snvs += other.stats.snvs
        stats.mnvs += other.stats.mnvs
        stats.indels += other.stats.indels
        stats.others += other.stats.others
        stats.multiallelicSites += other.stats.multiallelicSites
        stats.multiallelicSNVSites += other.stats.multiallelicSNVSites
        stats.transitions += other.stats.transitions
        stats.transversions += other.stats.transversions
        stats.transitionsFirstAlt += other.stats.transitionsFirstAlt
        stats.transversionsFirstAlt += other.stats.transversionsFirstAlt
        stats.genotypes += other.stats.genotypes
        for i in counters.indices { counters[i] += other.counters[i] }
    }

    /// Counts one record, decoding every sample's GT (and DP).
    ///
    /// - Throws: ``VCFError`` for a malformed GT or DP, or a wrong number of sample columns.
    public mutating func add(_ v: VCFRecordView) throws(VCFError) {
        let b = v.bytes
        // Split ALT and classify each allele against REF.
        let refRange = v.refRange
        let altRange = v.altRange
        alleleStart.removeAll(keepingCapacity: true)
        alleleClass.removeAll(keepingCapacity: true)
        alleleStart.append(refRange.lowerBound)
        alleleClass.append(.reference)
        var lineType: VariantClass = []
        if v.alleleCount > 1 {
            var s = altRange.lowerBound
            while s < altRange.upperBound {
                var e = s
                while e < altRange.upperBound, b[e] != ASCII.comma { e += 1 }
                let c = VariantClass.classify(b, refRange, b, s..<e)
                alleleStart.append(s)
                alleleClass.append(c)
                lineType.formUnion(c)
                s = e + 1
            }
        }
        let refBase = ASCII.acgt(b[refRange.lowerBound])
        // Decode and check every sample before counting anything, so that a line rejected for a bad
        // genotype (and skipped in lenient mode) leaves no partial counts behind.
        let samplesDecoded = sampleNames.isEmpty ? false : try decodeSamples(v)
        countSite(b, lineType: lineType, refBase: refBase, alleleCount: v.alleleCount)
        if samplesDecoded { countSamples(b, refBase: refBase) }
    }

    private mutating func countSite(_ b: UnsafeRawBufferPointer, lineType: VariantClass, refBase: Int, alleleCount: Int) {
        stats.records += 1
        if lineType == .reference { stats.noAlts += 1 }
        if lineType.contains(.snv) {
            stats.snvs += 1
            if refBase >= 0 {
                for i in 1..<alleleClass.count where alleleClass[i].contains(.snv) {
                    let alt = ASCII.acgt(b[alleleStart[i]])
                    if alt < 0 || alt == refBase { continue }
                    if abs(refBase - alt) == 2 {
                        stats.transitions += 1
                        if i == 1 { stats.transitionsFirstAlt += 1 }
                    } else {
                        stats.transversions += 1
                        if i == 1 { stats.transversionsFirstAlt += 1 }
                    }
                }
            }
        }
        if lineType.contains(.indel) { stats.indels += 1 }
        if lineType.contains(.mnv) { stats.mnvs += 1 }
        if lineType.contains(.other) { stats.others += 1 }
        if alleleCount > 2 {
            stats.multiallelicSites += 1
            if lineType == .snv { stats.multiallelicSNVSites += 1 }
        }
    }

    private mutating func lookUpFormat(_ v: VCFRecordView) {
        let range = v.formatRange
        if !v.bytes.equals(range, cachedFormat) {
            cachedFormat = Array(v.bytes[range])
            cachedGT = v.formatIndex(of: "GT")
            cachedDP = countDepth ? v.formatIndex(of: "DP") : nil
        }
    }

    /// Phase 1: decodes every sample's GT and DP into scratch, throwing on the first bad one.
    /// Returns whether the record has GT or DP to count.
    private mutating func decodeSamples(_ v: VCFRecordView) throws(VCFError) -> Bool {
        guard v.columns.hasFormat else {
            throw VCFError(.record, "the header declares \(sampleNames.count) sample(s) but this line has no FORMAT column", field: "FORMAT")
        }
        lookUpFormat(v)
        let n = sampleNames.count
        if sampleGT.count != n {
            sampleGT = [GenotypeSummary](repeating: GenotypeSummary(kind: .missing, firstAlt: 0), count: n)
            sampleDepth = [Int](repeating: -1, count: n)
        }
        let gtIndex = cachedGT
        let dpIndex = cachedDP
        hasGT = gtIndex != nil
        if gtIndex == nil && dpIndex == nil {
            // Nothing to count, but the columns must still be there.
            try v.forEachSampleColumn(sampleCount: n) { _, _ in }
            return false
        }
        let b = v.bytes
        let alleleCount = v.alleleCount
        let names = sampleNames
        try sampleGT.withUnsafeMutableBufferPointer { (gts) throws(VCFError) in
            try sampleDepth.withUnsafeMutableBufferPointer { (depths) throws(VCFError) in
                try v.forEachSample(sampleCount: n, first: gtIndex, second: dpIndex) { (sample, gtRange, dpRange) throws(VCFError) in
                    depths[sample] = -1
                    if let r = dpRange, !r.isEmpty, !(r.count == 1 && b[r.lowerBound] == ASCII.dot) {
                        // htslib stores FORMAT integers as int32; bounding DP also keeps the sums from overflowing.
                        guard let depth = Numbers.integer(b, r), depth >= 0, depth <= Int(Int32.max) else {
                            throw VCFError(
                                .record, "\(quoted(b.string(r), limit: 20)) is not a depth (a whole number up to 2147483647)",
                                field: "sample \(names[sample]) DP")
                        }
                        depths[sample] = depth
                    }
                    guard gtIndex != nil else { return }
                    guard let r = gtRange else {
                        gts[sample] = GenotypeSummary(kind: .missing, firstAlt: 0)
                        return
                    }
                    guard let gt = GenotypeSummary.classify(b, r, alleleCount: alleleCount) else {
                        throw Self.badGenotype(b, r, sample: names[sample], alleleCount: alleleCount)
                    }
                    gts[sample] = gt
                }
            }
        }
        return true
    }

    /// Phase 2: counts the decoded samples with bcftools 1.16's rules.
    private mutating func countSamples(_ b: UnsafeRawBufferPointer, refBase: Int) {
        let n = sampleNames.count
        let stride = Self.stride
        let classes = alleleClass
        let starts = alleleStart
        let gts = sampleGT
        let depths = sampleDepth
        let countGT = hasGT
        if countGT { stats.genotypes += n }
        var nonRef = 0
        var lastNonRef = 0
        counters.withUnsafeMutableBufferPointer { c in
            for sample in 0..<n {
                let o = sample * stride
                if depths[sample] >= 0 {
                    c[o + 6] += depths[sample]
                    c[o + 7] += 1
                }
                guard countGT else { continue }
                let gt = gts[sample]
                switch gt.kind {
                case .missing:
                    c[o + 11] += 1
                    continue
                case .haploidRef:
                    c[o + 9] += 1
                    continue
                case .haploidAlt:
                    c[o + 10] += 1
                    continue
                case .homRef:
                    c[o + 0] += 1
                    continue
                default:
                    break
                }
                nonRef += 1
                lastNonRef = sample
                // bcftools 1.16 classifies the call by the types of its own ALT alleles, not the whole line.
                var callType = classes[gt.firstAlt]
                if gt.secondAlt > 0 { callType.formUnion(classes[gt.secondAlt]) }
                if callType.contains(.snv) || callType == .reference {
                    if gt.kind == .homAlt { c[o + 1] += 1 } else { c[o + 2] += 1 }
                    if classes[gt.firstAlt].contains(.snv) {
                        let alt = ASCII.acgt(b[starts[gt.firstAlt]])
                        // bcftools skips the rest of this sample (indel count included) for a non-ACGT allele.
                        if alt < 0 { continue }
                        if abs(refBase - alt) == 2 { c[o + 3] += 1 } else { c[o + 4] += 1 }
                    }
                }
                if callType.contains(.indel) { c[o + 5] += 1 }
            }
        }
        if nonRef == 1 { counters[lastNonRef * stride + 8] += 1 }
    }

    private static func badGenotype(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, sample: String, alleleCount: Int) -> VCFError {
        let text = b.string(r)
        let detail =
            Genotype(text, alleleCount: Int.max) != nil
            ? "names an allele the record does not have (alleles are 0...\(alleleCount - 1))"
            : "is not a genotype (expected e.g. 0/1, 1|0, 1, ./.)"
        return VCFError(.record, "\(quoted(text, limit: 20)) \(detail)", field: "sample \(sample) GT")
    }
}
