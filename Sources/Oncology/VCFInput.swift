import Foundation
import GenomicFiles
public import VCF

/// How a VCF's functional annotation is laid out: which INFO key and where each needed field sits.
public struct AnnotationLayout: Sendable, Hashable {
    public enum Tool: String, Sendable { case vep, snpeff }
    public var tool: Tool
    public var key: String
    var allele: Int
    var consequence: Int
    var symbol: Int
    var feature: Int?
    var exon: Int?
    var hgvsc: Int?
    var hgvsp: Int?
    var pick: Int?
    var mane: Int?
    var canonical: Int?
    /// gnomAD population → field index (exome fields preferred).
    var populations: [String: Int] = [:]
    var fieldCount: Int

    /// The layout from the header: VEP's `CSQ` Description (`… Format: Allele|Consequence|…`, order varies with VEP's
    /// options, so it is always read from the header) or SnpEff's fixed 16-field `ANN`.
    public static func from(header: VCFHeader) -> AnnotationLayout? {
        if let csq = header.infos["CSQ"], let range = csq.description.range(of: "Format: ") {
            let format: Substring = csq.description[range.upperBound...]
            let fields = format.split(separator: "|", omittingEmptySubsequences: false).map { String($0).stripping(" \"") }
            func at(_ names: String...) -> Int? { names.lazy.compactMap { fields.firstIndex(of: $0) }.first }
            guard let allele = at("Allele"), let consequence = at("Consequence"), let symbol = at("SYMBOL") else { return nil }
            var layout = AnnotationLayout(
                tool: .vep, key: "CSQ", allele: allele, consequence: consequence, symbol: symbol, feature: at("Feature"), exon: at("EXON"),
                hgvsc: at("HGVSc"), hgvsp: at("HGVSp"), pick: at("PICK"), mane: at("MANE_SELECT", "MANE"), canonical: at("CANONICAL"),
                fieldCount: fields.count)
            for pop in ["AFR", "AMR", "EAS", "NFE", "SAS"] {
                if let i = at("gnomADe_\(pop)_AF", "gnomAD_\(pop)_AF", "gnomADg_\(pop)_AF") { layout.populations[pop] = i }
            }
            return layout
        }
        if header.infos["ANN"] != nil {
            return AnnotationLayout(
                tool: .snpeff, key: "ANN", allele: 0, consequence: 1, symbol: 3, feature: 6, exon: 8, hgvsc: 9, hgvsp: 10, fieldCount: 16)
        }
        return nil
    }
}

extension String {
    func stripping(_ set: String) -> String {
        let chars = Set(set)
        return String(drop { chars.contains($0) }.reversed().drop { chars.contains($0) }.reversed())
    }
}

extension InputReader {
    /// Streams an annotated VCF and returns one alteration per ALT allele that has a gene, with its chosen transcript's
    /// annotation: VEP's PICK flag, else MANE Select, else the canonical transcript, else the most damaging consequence
    /// (SnpEff lists its most damaging first).
    public static func readVCF(_ path: String, threads: Int = 1) async throws -> ([Alteration], Int) {
        let vcf = try VCFFile(path: path, options: VCFReadOptions(threads: threads))
        guard let layout = AnnotationLayout.from(header: vcf.header) else { throw OncologyError.unannotatedVCF(path: path) }
        let header = vcf.header
        let annotationKey = Array(layout.key.utf8)
        let vafKey = Array("TVAF".utf8)
        let depthKey = Array("TDP".utf8)
        let (found, summary) = try await vcf.scan(
            initial: [Alteration](),
            record: { (out: inout [Alteration], record: VCFRecordView) throws(VCFError) in
                // One pass over INFO, and the annotation parsed where it lies in the line: on a 50,000-record exome the
                // copies into Strings used to cost more than the parsing.
                let bytes = record.bytes
                var annotationRange: Range<Int>?
                var vafRange: Range<Int>?
                var depthRange: Range<Int>?
                record.forEachInfoEntry { key, value in
                    if annotationRange == nil, bytes[key].elementsEqual(annotationKey) {
                        annotationRange = value ?? key.upperBound..<key.upperBound
                    } else if vafRange == nil, bytes[key].elementsEqual(vafKey) {
                        vafRange = value ?? key.upperBound..<key.upperBound
                    } else if depthRange == nil, bytes[key].elementsEqual(depthKey) {
                        depthRange = value ?? key.upperBound..<key.upperBound
                    }
                    return true
                }
                guard let annotationRange else { return }
                func text(_ r: Range<Int>) -> String { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[r]), as: UTF8.self) }
                func firstNumber(_ r: Range<Int>) -> Substring {
                    let t = UnsafeRawBufferPointer(rebasing: bytes[r])
                    return Substring(String(decoding: t.prefix { $0 != UInt8(ascii: ",") }, as: UTF8.self))
                }
                let alts = record.alts
                let ref = record.ref
                let passed = record.filters.map { $0 == ["PASS"] } ?? true
                var vaf: Double? = vafRange.flatMap { Double(firstNumber($0)) }
                var depth: Int? = depthRange.flatMap { Int(firstNumber($0)) }
                if vaf == nil, let first = try record.formatValues("AF", header: header).first, let text = first {
                    vaf = Double(text.split(separator: ",").first ?? "")
                }
                if depth == nil, let first = try record.formatValues("DP", header: header).first, let text = first { depth = Int(text) }
                let entries = fieldRanges(bytes, annotationRange, fieldCount: layout.fieldCount)
                var chromosome: String?
                let hasSymbol = entries.filter { $0.count > layout.symbol && !$0[layout.symbol].isEmpty }
                let sharedFirstBase = sharesFirstBase(ref: ref, alts: alts)
                for alt in alts where alt != "*" && alt != "." {
                    let full = Array(alt.utf8)
                    // VEP names an allele without the base all alleles share (`-` when nothing is left).
                    let trimmed: [UInt8]? = sharedFirstBase ? (full.count > 1 ? Array(full.dropFirst()) : [UInt8(ascii: "-")]) : nil
                    let matching = hasSymbol.filter { e in
                        let field = bytes[e[layout.allele]]
                        return field.elementsEqual(full) || (trimmed.map { field.elementsEqual($0) } ?? false)
                    }
                    let usable = matching.isEmpty && alts.count == 1 ? hasSymbol : matching
                    guard let chosen = choose(usable, bytes: bytes, layout: layout) else { continue }
                    func range(_ i: Int?) -> Range<Int>? {
                        guard let i, i < chosen.count, !chosen[i].isEmpty else { return nil }
                        return chosen[i]
                    }
                    func field(_ i: Int?) -> String? { range(i).map(text) }
                    var a = Alteration(
                        kind: .variant, gene: text(chosen[layout.symbol]),
                        effect: CodingEffect(annotation: UnsafeRawBufferPointer(rebasing: bytes[chosen[layout.consequence]])))
                    if let p = range(layout.hgvsp) {
                        a.proteinText = text(p)
                        a.protein = ProteinChange(hgvsUTF8: UnsafeRawBufferPointer(rebasing: bytes[p]))
                    }
                    a.hgvsc = field(layout.hgvsc)
                    a.transcript = field(layout.feature)
                    a.exon = range(layout.exon).flatMap { Int(firstNumber($0).split(separator: "/").first ?? "") }
                    if chromosome == nil { chromosome = record.chrom }
                    a.chromosome = chromosome
                    a.position = record.position
                    a.ref = ref
                    a.alt = alt
                    a.vaf = vaf
                    a.depth = depth
                    a.passed = passed
                    if !layout.populations.isEmpty {
                        var freqs: [String: Double] = [:]
                        for (pop, i) in layout.populations {
                            if let v = field(i).flatMap({ Double($0.split(separator: "&").first ?? "") }) { freqs[pop] = v }
                        }
                        a.populationFrequencies = freqs
                    }
                    a.source = path
                    out.append(a)
                }
            },
            merge: { $0 += $1 })
        return (found, summary.records)
    }

    /// Whether REF and every ALT start with the same base, in which case VEP names each ALT without it.
    static func sharesFirstBase(ref: String, alts: [String]) -> Bool {
        guard let first = ref.utf8.first else { return false }
        return alts.allSatisfy { $0.utf8.first == first }
    }

    /// Each comma-separated entry's `|`-separated field ranges within `range` of `bytes`.
    static func fieldRanges(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, fieldCount: Int = 0) -> [[Range<Int>]] {
        var entries: [[Range<Int>]] = []
        var fields: [Range<Int>] = []
        fields.reserveCapacity(fieldCount)
        var start = range.lowerBound
        for i in range.lowerBound...range.upperBound {
            let c = i < range.upperBound ? bytes[i] : UInt8(ascii: ",")
            if c == UInt8(ascii: "|") {
                fields.append(start..<i)
                start = i + 1
            } else if c == UInt8(ascii: ",") {
                fields.append(start..<i)
                entries.append(fields)
                fields = []
                fields.reserveCapacity(fieldCount)
                start = i + 1
            }
        }
        return entries
    }

    static func choose(_ entries: [[Range<Int>]], bytes: UnsafeRawBufferPointer, layout: AnnotationLayout) -> [Range<Int>]? {
        func flagged(_ i: Int?, _ ok: (Slice<UnsafeRawBufferPointer>) -> Bool) -> [Range<Int>]? {
            guard let i else { return nil }
            return entries.first { $0.count > i && ok(bytes[$0[i]]) }
        }
        if let e = flagged(layout.pick, { $0.elementsEqual([UInt8(ascii: "1")]) }) { return e }
        if let e = flagged(layout.mane, { !$0.isEmpty }) { return e }
        if let e = flagged(layout.canonical, { $0.elementsEqual(Array("YES".utf8)) }) { return e }
        func effect(_ e: [Range<Int>]) -> CodingEffect { CodingEffect(annotation: UnsafeRawBufferPointer(rebasing: bytes[e[layout.consequence]])) }
        return entries.min { effect($0) < effect($1) }
    }
}
