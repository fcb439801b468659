// Replays every input in FuzzCorpus/ through the calls that the fuzz targets in Fuzz/ make (see
// Fuzz/README.md), so that CI re-checks the fuzz corpus and every crash the fuzzers found, without libFuzzer.
//
// Each file runs in a child process (a Swift Testing exit test): a crash or trap fails that file's test case,
// with the crash message, instead of ending the whole test run. Errors thrown by the parser are expected.
//
// File names start with the fuzz target that reads them:
//   FuzzVCFHeader-…  VCF text: header lines, then optional data lines decoded against that header.
//   FuzzVCFRecord-…  byte 0 chooses a fixed header ('0' '1' '2' = 0, 1, 2 samples with VCFv4.2;
//                    '4' '5' '6' = the same with VCFv4.3); the rest is data lines separated by "\n".
// Keep the calls below in step with Fuzz/Sources/FuzzSupport/VCFTargets.swift.

import Foundation
import Testing
import VCF

@Suite("Fuzz corpus replay")
struct FuzzRegressionTests {
    static let corpusDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FuzzCorpus")

    static let corpusFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpusDirectory.path)) ?? []
        return names.filter { $0.hasPrefix("FuzzVCFHeader-") || $0.hasPrefix("FuzzVCFRecord-") }.sorted()
    }()

    @Test("the corpus is there")
    func corpusIsPresent() {
        #expect(Self.corpusFiles.count >= 20, "expected the fuzz corpus in \(Self.corpusDirectory.path)")
    }

    @Test("replaying a corpus file does not crash", arguments: corpusFiles)
    func replay(_ name: String) async {
        let passed = await #expect(processExitsWith: .success, "replaying \(name)") { [name] in
            FuzzReplay.replay(fileNamed: name)
        }
        guard passed == nil else { return }
        // It crashed: run it again to show why (an exit test returns its output only when it ends as expected).
        // fatalError and precondition print a message; a trap (arithmetic overflow, index out of range) does not,
        // so then replay the file with the fuzz target, which prints the stack (Fuzz/README.md).
        if let crash = await #expect(
            processExitsWith: .failure, observing: [\.standardErrorContent],
            performing: { [name] in
                FuzzReplay.replay(fileNamed: name)
            })
        {
            let text = String(decoding: crash.standardErrorContent, as: UTF8.self)
            let fatal = text.split(separator: "\n").filter { $0.localizedCaseInsensitiveContains("fatal error") }.prefix(3)
            let why = fatal.isEmpty ? "\(crash.exitStatus), with no message: a trap such as an arithmetic overflow" : fatal.joined(separator: "\n")
            Issue.record("\(name) crashed: \(why)")
        }
    }
}

/// The fuzz targets' work, without libFuzzer. A broken property stops the process with `fatalError`, as in
/// the fuzz targets, so that the exit test reports the message.
private enum FuzzReplay {
    static func replay(fileNamed name: String) {
        let path = FuzzRegressionTests.corpusDirectory.appendingPathComponent(name).path
        guard let data = FileManager.default.contents(atPath: path) else { fatalError("cannot read \(path)") }
        let bytes = [UInt8](data)
        bytes.withUnsafeBytes { raw in
            if name.hasPrefix("FuzzVCFHeader-") {
                headerInput(raw)
            } else {
                recordInput(raw)
            }
        }
    }

    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError(message()) }
    }

    /// How many fields `range` holds when split on the byte `separator` (as the byte-level parser splits).
    static func fieldCount(
        _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, separator: UInt8, omittingEmpty: Bool, dotIsNone: Bool = true
    ) -> Int {
        if dotIsNone && range.count == 1 && bytes[range.lowerBound] == 46 { return 0 }
        var count = 0
        var start = range.lowerBound
        while start <= range.upperBound {
            var end = start
            while end < range.upperBound, bytes[end] != separator { end += 1 }
            if end > start || !omittingEmpty { count += 1 }
            start = end + 1
        }
        return count
    }

    // MARK: Fixed headers (FuzzVCFRecord)

    static func header(sampleCount: Int, v43: Bool) -> VCFHeader {
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

    // MARK: Targets

    static func recordInput(_ data: UnsafeRawBufferPointer) {
        guard let config = data.first else { return }
        let header = header(sampleCount: min(Int(config & 3), 2), v43: config & 4 != 0)
        body(UnsafeRawBufferPointer(rebasing: data[1...]), header: header)
    }

    static func headerInput(_ data: UnsafeRawBufferPointer) {
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
        if let header = try? VCFHeader.parse(lines: lines) { exercise(header) }
        guard let firstData = lines.firstIndex(where: { !$0.hasPrefix("#") }), firstData > 0 else { return }
        guard let header = try? VCFHeader.parse(lines: Array(lines[..<firstData])) else { return }
        exercise(header)
        body(UnsafeRawBufferPointer(rebasing: data[lineStarts[firstData]...]), header: header)
    }

    // MARK: Shared work

    static func exercise(_ header: VCFHeader) {
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

    static func body(_ body: UnsafeRawBufferPointer, header: VCFHeader) {
        var accumulator = VCFStatsAccumulator(header: header)
        var start = 0
        var lineCount = 0
        while start <= body.count, lineCount < 64 {
            var end = start
            while end < body.count, body[end] != 10 { end += 1 }
            let line = Array(body[start..<end])
            line.withUnsafeBytes { decodeLine($0, header: header, accumulator: &accumulator) }
            lineCount += 1
            start = end + 1
        }
        for _ in 0..<4 { accumulator.merge(accumulator) }
        let stats = accumulator.result
        _ = stats.tsTvRatio
        for sample in stats.samples { _ = sample.meanDepth }
    }

    static func decodeLine(_ line: UnsafeRawBufferPointer, header: VCFHeader, accumulator: inout VCFStatsAccumulator) {
        let view: VCFRecordView
        do {
            view = try VCFRecordView(parsing: line, sampleCount: header.samples.count)
        } catch {
            return
        }
        exercise(view, header: header)
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

    static func exercise(_ view: VCFRecordView, header: VCFHeader) {
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
        check(view.ids.count == fieldCount(view.bytes, idRange, separator: 59, omittingEmpty: true), "ids split differently from the bytes")
        check(
            (view.filters?.count ?? 0) == fieldCount(view.bytes, filterRange, separator: 59, omittingEmpty: true),
            "filters split differently from the bytes")
        if columns.hasFormat {
            let formatRange = Int(columns.infoEnd) + 1..<Int(columns.formatEnd)
            check(
                view.formatKeys.count == fieldCount(view.bytes, formatRange, separator: 58, omittingEmpty: false, dotIsNone: false),
                "formatKeys split differently from the bytes")
        }
        let qualRange = Int(view.columns.altEnd) + 1..<Int(view.columns.qualEnd)
        let qualIsMissing = qualRange.isEmpty || (qualRange.count == 1 && view.bytes[qualRange.lowerBound] == 46)
        check(view.quality != nil || qualIsMissing, "accepted a QUAL that does not decode")
        _ = view.filters
        _ = view.formatKeys
        _ = view.formatIndex(of: "GT")
        check(view.referenceEnd >= view.position, "referenceEnd before POS")
        for alt in alts.prefix(8) { _ = VariantClass.classify(ref: ref, alt: alt) }
        let split = view.splitAlleles()
        check(split.count == alts.count, "splitAlleles gave \(split.count) alleles for \(alts.count) ALTs")
        for allele in split {
            check(!allele.variant.ref.isEmpty && !allele.variant.alt.isEmpty, "splitAlleles trimmed an allele away: \(allele.variant)")
            check(allele.variant.position >= view.position, "splitAlleles moved POS left: \(allele.variant)")
        }

        for key in view.infoKeys.prefix(16) {
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
}
