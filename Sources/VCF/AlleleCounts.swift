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
                // Scoring tables cover up to six copies; no real ploidy is higher (and Int8 must not overflow).
                if a == allele { count = min(count + 1, 6) }
            }
            counts[sample] = genotype.alleles.isEmpty ? Self.missingCount : count
        }
    }

    /// The fixed-stride path: FORMAT is exactly `GT` and the sample columns are `sampleCount` three-byte calls
    /// separated by single tabs. Returns false (having possibly written some counts, which the caller overwrites)
    /// when the line has any other shape or a call it cannot read at a glance, so the general path decides.
    ///
    /// Each call and its tab are read as one little-endian 32-bit word; the two allele bytes are classed
    /// (digit 0–9, `.`, other) and a 12 × 12 table built for this allele gives the count, so a sample costs a load,
    /// a mask test and three table reads.
    @inline(__always)
    private func regularDiploidCounts(of allele: Int, sampleCount: Int, into counts: inout [Int8]) -> Bool {
        guard columns.hasFormat, formatRange.count == 2, bytes[formatRange.lowerBound] == UInt8(ascii: "G"),
            bytes[formatRange.lowerBound + 1] == UInt8(ascii: "T")
        else { return false }
        let start = samplesStart
        guard Int(columns.length) - start == sampleCount * 4 - 1 else { return false }
        // Result per (class of first allele, class of second): -2 = not readable here, -1 = missing, else the count.
        var table = [Int8](repeating: -2, count: 144)
        for a in 0..<11 {
            for b in 0..<11 {
                let aValid = a == 10 || a < alleleCount
                let bValid = b == 10 || b < alleleCount
                guard aValid && bValid else { continue }
                table[a * 12 + b] = (a == 10 || b == 10) ? Self.missingCount : Int8((a == allele ? 1 : 0) + (b == allele ? 1 : 0))
            }
        }
        let base = bytes.baseAddress!
        var ok = true
        AlleleClass.table.withUnsafeBufferPointer { classes in
            table.withUnsafeBufferPointer { table in
            counts.withUnsafeMutableBufferPointer { out in
                @inline(__always) func count(_ a: UInt8, _ b: UInt8) -> Int8 {
                    table[Int(classes[Int(a)]) * 12 + Int(classes[Int(b)])]
                }
                var p = start
                // Every call but the last is followed by a tab: one word each.
                for i in 0..<(sampleCount - 1) {
                    let word = UInt32(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt32.self))
                    let separators = word & 0xFF00_FF00
                    guard separators == 0x0900_2F00 || separators == 0x0900_7C00 else {
                        ok = false
                        return
                    }
                    let c = count(UInt8(truncatingIfNeeded: word), UInt8(truncatingIfNeeded: word >> 16))
                    guard c != -2 else {
                        ok = false
                        return
                    }
                    out[i] = c
                    p += 4
                }
                let s = bytes[p + 1]
                let c = count(bytes[p], bytes[p + 2])
                guard s == ASCII.slash || s == ASCII.pipe, c != -2 else {
                    ok = false
                    return
                }
                out[sampleCount - 1] = c
            }
            }
        }
        return ok
    }
}

/// Byte classes for reading allele indices at a glance: `0`–`9` → 0–9, `.` → 10, anything else → 11.
enum AlleleClass {
    static let table: [UInt8] = (0..<256).map { b in
        if b >= 48 && b <= 57 { return UInt8(b - 48) }
        return b == 46 ? 10 : 11
    }
}
