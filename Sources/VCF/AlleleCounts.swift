extension VCFRecordView {
    /// The value ``alleleCounts(of:sampleCount:into:)`` writes for a sample whose GT is missing or partly missing.
    public static let missingCount: Int8 = -1

    /// Writes, for every sample, how many copies of allele `allele` its GT carries (0, 1, 2 for a diploid call;
    /// 0 or 1 for a haploid one), or ``missingCount`` where the GT is absent, `.` or has a missing allele.
    /// This is what scoring a polygenic score needs, and nothing more.
    ///
    /// A cohort line written by a caller or an exporter is usually regular: FORMAT `GT` only and every call three
    /// bytes (`0/1`, `1|1`, `./.`). That shape is checked once per line and read at a fixed stride without looking
    /// for tabs, which is several times faster than tokenising each column; any other line takes the general path,
    /// with the same answers and the same errors as ``genotypes(header:)``.
    ///
    /// - Parameter counts: resized to `sampleCount`.
    /// - Throws: ``VCFError`` for a malformed GT or a wrong number of sample columns.
    public func alleleCounts(of allele: Int, sampleCount: Int, into counts: inout [Int8]) throws(VCFError) {
        if counts.count != sampleCount { counts = [Int8](repeating: 0, count: sampleCount) }
        guard sampleCount > 0 else { return }
        if allele < 10, alleleCount <= 10, regularDiploidCounts(of: allele, sampleCount: sampleCount, into: &counts) { return }
        guard let gtIndex = formatIndex(of: "GT") else {
            for i in 0..<sampleCount { counts[i] = Self.missingCount }
            return
        }
        try forEachSampleColumn(sampleCount: sampleCount) { (sample, column) throws(VCFError) in
            guard let range = subfield(gtIndex, in: column) else {
                counts[sample] = Self.missingCount
                return
            }
            guard let genotype = Genotype(bytes: bytes, range: range, alleleCount: alleleCount) else {
                throw VCFError(
                    .record, "\(quoted(bytes.string(range), limit: 20)) is not a genotype with alleles 0...\(alleleCount - 1)",
                    field: "sample \(sample + 1) GT")
            }
            var count: Int8 = 0
            for a in genotype.alleles {
                guard let a else {
                    count = Self.missingCount
                    break
                }
                if a == allele { count += 1 }
            }
            counts[sample] = genotype.alleles.isEmpty ? Self.missingCount : count
        }
    }

    /// The fixed-stride path: FORMAT is exactly `GT` and the sample columns are `sampleCount` three-byte calls
    /// separated by single tabs. Returns false (having possibly written some counts, which the caller overwrites)
    /// when the line has any other shape or a call it cannot read at a glance, so the general path decides.
    @inline(__always)
    private func regularDiploidCounts(of allele: Int, sampleCount: Int, into counts: inout [Int8]) -> Bool {
        guard columns.hasFormat, formatRange.count == 2, bytes[formatRange.lowerBound] == UInt8(ascii: "G"),
            bytes[formatRange.lowerBound + 1] == UInt8(ascii: "T")
        else { return false }
        let start = samplesStart
        guard Int(columns.length) - start == sampleCount * 4 - 1 else { return false }
        let target = UInt8(truncatingIfNeeded: Int(ASCII.zero) + allele)
        let highest = UInt8(truncatingIfNeeded: Int(ASCII.zero) + alleleCount - 1)
        var ok = true
        counts.withUnsafeMutableBufferPointer { out in
            var p = start
            for i in 0..<sampleCount {
                let a = bytes[p]
                let s = bytes[p + 1]
                let b = bytes[p + 2]
                // The separator after the call: a tab, except after the last sample (the line's end).
                let t = i + 1 < sampleCount ? bytes[p + 3] : ASCII.tab
                let aDigit = a >= ASCII.zero && a <= highest
                let bDigit = b >= ASCII.zero && b <= highest
                if _slowPath(t != ASCII.tab || (s != ASCII.slash && s != ASCII.pipe)) {
                    ok = false
                    return
                }
                if _fastPath(aDigit && bDigit) {
                    out[i] = Int8(truncatingIfNeeded: (a == target ? 1 : 0) + (b == target ? 1 : 0))
                } else if (a == ASCII.dot || aDigit) && (b == ASCII.dot || bDigit) {
                    out[i] = Self.missingCount
                } else {
                    ok = false
                    return
                }
                p += 4
            }
        }
        return ok
    }
}
