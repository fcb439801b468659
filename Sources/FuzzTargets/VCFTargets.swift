// What the VCF fuzz targets do with one input. Thrown `VCFError`s are expected and ignored; a crash,
// a trap (overflow, index out of range, failed precondition) or a hang is a bug in the parser.
//
// The libFuzzer executables in Fuzz/ and the corpus replay in Tests/FuzzReplayTests both call these
// functions, so a crash the fuzzer finds is replayed by `swift test` exactly as it was found.

public import VCF

// MARK: Headers for the record target

/// The fixed header the record target parses lines against: `sampleCount` samples (0, 1 or 2), INFO
/// DP/AF/END, FORMAT GT/DP/AD, and VCFv4.3 (percent-decoding on) or VCFv4.2.
public func fuzzHeader(sampleCount: Int, v43: Bool) -> VCFHeader {
    var lines: [Substring] = [
        v43 ? "##fileformat=VCFv4.3" : "##fileformat=VCFv4.2",
        "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Total depth\">",
        "##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">",
        "##INFO=<ID=END,Number=1,Type=Integer,Description=\"End position\">",
        "##INFO=<ID=DB,Number=0,Type=Flag,Description=\"dbSNP\">",
        "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Annotation\">",
        "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">",
        "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">",
        "##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">",
        "##FILTER=<ID=PASS,Description=\"All filters passed\">",
        "##contig=<ID=chr1,length=248956422>",
    ]
    var columnLine = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
    if sampleCount > 0 { columnLine += "\tFORMAT" }
    for i in 0..<sampleCount { columnLine += "\tS\(i + 1)" }
    lines.append(Substring(columnLine))
    do {
        return try VCFHeader.parse(lines: lines)
    } catch {
        fatalError("the fixed fuzz header does not parse: \(error)")
    }
}

/// The six fixed headers, built once.
public let fuzzHeaders: [VCFHeader] = [false, true].flatMap { v43 in (0...2).map { fuzzHeader(sampleCount: $0, v43: v43) } }

/// The record target's configuration byte: bits 0–1 the sample count (3 means 2), bit 2 VCFv4.3.
/// ASCII '0' '1' '2' give 0, 1, 2 samples with VCFv4.2; '4' '5' '6' the same with VCFv4.3.
public func fuzzHeader(configByte: UInt8) -> VCFHeader {
    let samples = min(Int(configByte & 3), 2)
    let v43 = configByte & 4 != 0
    return fuzzHeaders[(v43 ? 3 : 0) + samples]
}

// MARK: Targets

/// FuzzVCFRecord: byte 0 chooses the header (``fuzzHeader(configByte:)``); the rest is one or more data
/// lines separated by `\n`, each parsed and fully decoded, all added to one statistics accumulator.
public func fuzzVCFRecordInput(_ data: UnsafeRawBufferPointer) {
    guard let config = data.first else { return }
    let header = fuzzHeader(configByte: config)
    exerciseBody(UnsafeRawBufferPointer(rebasing: data[1...]), header: header)
}

/// FuzzVCFHeader: the input is split into lines on byte `\n` (a trailing `\r` dropped, each line decoded as
/// UTF-8 with invalid bytes repaired), as `VCFFile` does, and handed to `VCFHeader.parse(lines:)`. When the
/// text also has data lines (lines not starting with `#`), the leading `#` lines are parsed as the header and
/// the data lines are decoded against it, so header definitions (types, numbers, samples, version) reach
/// the record decoders.
public func fuzzVCFHeaderInput(_ data: UnsafeRawBufferPointer) {
    // Split bytes, not Characters: Swift reads "\r\n" as one Character.
    var lines: [Substring] = []
    var lineStarts: [Int] = []
    var start = 0
    while start <= data.count {
        var end = start
        while end < data.count, data[end] != 10 { end += 1 }
        var stop = end
        if stop > start, data[stop - 1] == 13 { stop -= 1 }
        lines.append(Substring(String(decoding: UnsafeRawBufferPointer(rebasing: data[start..<stop]), as: UTF8.self)))
        lineStarts.append(start)
        start = end + 1
    }
    if lines.count > 1, lines.last == "" { lines.removeLast() }
    if let header = try? VCFHeader.parse(lines: lines) {
        exerciseHeader(header)
    }
    guard let firstData = lines.firstIndex(where: { !$0.hasPrefix("#") }), firstData > 0 else { return }
    guard let header = try? VCFHeader.parse(lines: Array(lines[..<firstData])) else { return }
    exerciseHeader(header)
    exerciseBody(UnsafeRawBufferPointer(rebasing: data[lineStarts[firstData]...]), header: header)
}

// MARK: Shared work

/// Looks at everything a parsed header offers.
public func exerciseHeader(_ header: VCFHeader) {
    check(header.lineCount >= 2, "a header has at least ##fileformat and #CHROM")
    _ = header.isSitesOnly
    _ = header.version.usesPercentEncoding
    _ = header.version.description
    _ = header.build
    for sample in header.samples.prefix(8) {
        check(header.sampleIndex(sample) != nil, "sample \(sample) not found by name")
    }
    for contig in header.contigs.prefix(8) {
        check(header.contigName(matching: contig.id) != nil, "contig \(contig.id) not found by name")
    }
    for name in ["chr1", "1", "MT", "chrM", "X"] { _ = header.contigName(matching: name) }
    for meta in header.metaLines.prefix(16) {
        _ = meta["ID"]
        _ = meta["Description"]
    }
    for definition in header.infos.values.prefix(16) { _ = definition.number.description }
    for definition in header.formats.values.prefix(16) { _ = definition.number.description }
}

/// Splits `body` on `\n` (at most 64 lines) and decodes each line against `header`, feeding one accumulator.
public func exerciseBody(_ body: UnsafeRawBufferPointer, header: VCFHeader) {
    var accumulator = VCFStatsAccumulator(header: header)
    var start = 0
    var lineCount = 0
    while start <= body.count, lineCount < 64 {
        var end = start
        while end < body.count, body[end] != 10 { end += 1 }
        // Each line gets its own allocation of exactly its size, so that AddressSanitizer reports a read
        // past the end of the line (in a release build the buffer subscripts are not bounds-checked).
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: end - start, alignment: 1)
        copy.copyMemory(from: UnsafeRawBufferPointer(rebasing: body[start..<end]))
        exerciseLine(UnsafeRawBufferPointer(copy), header: header, accumulator: &accumulator)
        copy.deallocate()
        lineCount += 1
        start = end + 1
    }
    // Parallel readers merge per-batch accumulators: merging the accumulator into itself four times
    // stands for 16 batches holding these lines.
    for _ in 0..<4 { accumulator.merge(accumulator) }
    let stats = accumulator.result
    _ = stats.tsTvRatio
    for sample in stats.samples { _ = sample.meanDepth }
}

/// Parses one data line and calls every accessor of the view, and of a `VCFRecord` copied from it.
public func exerciseLine(_ line: UnsafeRawBufferPointer, header: VCFHeader, accumulator: inout VCFStatsAccumulator) {
    let view: VCFRecordView
    do {
        view = try VCFRecordView(parsing: line, sampleCount: header.samples.count)
    } catch {
        return
    }
    exerciseView(view, header: header)
    _ = try? accumulator.add(view)

    let record = VCFRecord(view)
    check(record.ref == view.ref && record.alts == view.alts, "VCFRecord copy differs from its view")
    _ = record.chrom
    _ = record.referenceEnd
    _ = record.infoText("END")
    _ = try? record.info("AF", header: header)
    _ = try? record.genotypes(header: header)
    _ = record.text
}

/// Calls every lazy accessor of a view. Also checks a few properties that must hold for any line the
/// parser accepted.
public func exerciseView(_ view: VCFRecordView, header: VCFHeader) {
    _ = view.chrom
    _ = view.chromEquals(Array("chr1".utf8))
    _ = view.ids
    let ref = view.ref
    let alts = view.alts
    check(!ref.isEmpty, "accepted a line with an empty REF")
    check(alts.count + 1 == view.alleleCount, "alts.count + 1 != alleleCount")
    check(view.alleles.count == view.alleleCount, "alleles.count != alleleCount")
    // The String accessors must split columns where the byte-level parser does.
    let columns = view.columns
    let idRange = Int(columns.posEnd) + 1..<Int(columns.idEnd)
    let filterRange = Int(columns.qualEnd) + 1..<Int(columns.filterEnd)
    check(
        view.ids.count == view.bytes.fieldCount(idRange, separator: 59, omittingEmpty: true, dotIsNone: true),
        "ids \(view.ids) split differently from the bytes \(view.bytes.text(idRange))")
    check(
        (view.filters?.count ?? 0) == view.bytes.fieldCount(filterRange, separator: 59, omittingEmpty: true, dotIsNone: true),
        "filters \(view.filters ?? []) split differently from the bytes \(view.bytes.text(filterRange))")
    if columns.hasFormat {
        let formatRange = Int(columns.infoEnd) + 1..<Int(columns.formatEnd)
        check(
            view.formatKeys.count == view.bytes.fieldCount(formatRange, separator: 58, omittingEmpty: false, dotIsNone: false),
            "formatKeys \(view.formatKeys) split differently from the bytes \(view.bytes.text(formatRange))")
    }
    let qualRange = Int(view.columns.altEnd) + 1..<Int(view.columns.qualEnd)
    // QUAL `.` and (as htslib reads it) an empty QUAL are missing; anything else accepted must decode.
    let qualIsMissing = qualRange.isEmpty || (qualRange.count == 1 && view.bytes[qualRange.lowerBound] == 46)
    check(view.quality != nil || qualIsMissing, "accepted QUAL \(view.bytes.text(qualRange)), which does not decode")
    _ = view.filters
    _ = view.formatKeys
    _ = view.formatIndex(of: "GT")
    check(view.referenceEnd >= view.position, "referenceEnd before POS")
    for variant in alts.prefix(8) { _ = VariantClass.classify(ref: ref, alt: variant) }
    let split = view.splitAlleles()
    check(split.count == alts.count, "splitAlleles gave \(split.count) alleles for \(alts.count) ALTs")
    for allele in split {
        check(!allele.variant.ref.isEmpty && !allele.variant.alt.isEmpty, "splitAlleles trimmed an allele away: \(allele.variant)")
        check(allele.variant.position >= view.position, "splitAlleles moved POS left: \(allele.variant)")
    }

    let keys = view.infoKeys
    for key in keys.prefix(16) {
        _ = view.infoText(key)
        _ = try? view.info(key, header: header)
    }
    for key in ["DP", "AF", "END", "DB", "ANN", "missing"] {
        _ = view.infoText(key)
        _ = try? view.info(key, header: header)
    }
    _ = view.infoInteger("END")

    if let genotypes = try? view.genotypes(header: header) {
        for genotype in genotypes {
            _ = genotype.isMissing
            _ = genotype.isPartiallyMissing
            _ = genotype.isPhased
            _ = genotype.ploidy
            _ = genotype.dosage(of: 1)
            // What a genotype prints must parse back to the same genotype.
            let text = genotype.description
            check(Genotype(text, alleleCount: view.alleleCount) == genotype, "genotype \(text) does not round-trip")
            for altIndex in 1..<min(view.alleleCount, 4) {
                let projected = genotype.projected(onto: altIndex, others: altIndex == 2 ? .missing : .reference)
                check(projected.ploidy == genotype.ploidy, "projected genotype changed ploidy")
            }
            if genotype.ploidy == 2, let a = genotype.alleles[0], let b = genotype.alleles[1] {
                _ = Genotype.genotypeListIndex(a, b)
            }
        }
    }
    _ = try? view.formatValues("DP", header: header)
    _ = try? view.formatValues("AD", header: header)
    _ = try? view.formatValues("GT", header: header)
}

extension UnsafeRawBufferPointer {
    /// How many fields `range` holds when split on the byte `separator` (as the byte-level parser splits).
    func fieldCount(_ range: Range<Int>, separator: UInt8, omittingEmpty: Bool, dotIsNone: Bool) -> Int {
        if dotIsNone && range.count == 1 && self[range.lowerBound] == 46 { return 0 }
        var count = 0
        var start = range.lowerBound
        while start <= range.upperBound {
            var end = start
            while end < range.upperBound, self[end] != separator { end += 1 }
            if end > start || !omittingEmpty { count += 1 }
            start = end + 1
        }
        return count
    }

    /// The bytes in `range`, with control characters escaped, for check messages.
    func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: self[range]), as: UTF8.self).debugDescription
    }
}
