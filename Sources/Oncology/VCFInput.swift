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
        let (found, summary) = try await vcf.scan(
            initial: [Alteration](),
            record: { (out: inout [Alteration], record: VCFRecordView) throws(VCFError) in
                guard let annotation = record.infoText(layout.key) else { return }
                let alts = record.alts
                let ref = record.ref
                let passed = record.filters.map { $0 == ["PASS"] } ?? true
                var vaf: Double? = nil
                var depth: Int? = nil
                if let t = record.infoText("TVAF") { vaf = Double(t.split(separator: ",").first ?? "") }
                if let t = record.infoText("TDP") { depth = Int(t.split(separator: ",").first ?? "") }
                if vaf == nil, let first = try record.formatValues("AF", header: header).first, let text = first {
                    vaf = Double(text.split(separator: ",").first ?? "")
                }
                if depth == nil, let first = try record.formatValues("DP", header: header).first, let text = first { depth = Int(text) }
                // Byte-level splitting: String's Character-based split is an order of magnitude slower on 50,000 long CSQ values.
                let bytes = Array(annotation.utf8)
                let entries = fieldRanges(bytes)
                func text(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
                for alt in alts where alt != "*" && alt != "." {
                    let names = alleleNames(ref: ref, alt: alt, alts: alts).map { Array($0.utf8) }
                    let hasSymbol = entries.filter { $0.count > layout.symbol && !$0[layout.symbol].isEmpty }
                    let matching = hasSymbol.filter { e in names.contains { bytes[e[layout.allele]].elementsEqual($0) } }
                    let usable = matching.isEmpty && alts.count == 1 ? hasSymbol : matching
                    guard let chosen = choose(usable, bytes: bytes, layout: layout) else { continue }
                    func field(_ i: Int?) -> String? {
                        guard let i, i < chosen.count, !chosen[i].isEmpty else { return nil }
                        return text(chosen[i])
                    }
                    var a = Alteration(kind: .variant, gene: text(chosen[layout.symbol]), effect: CodingEffect(annotation: text(chosen[layout.consequence])))
                    a.proteinText = field(layout.hgvsp)
                    a.protein = a.proteinText.flatMap { ProteinChange(hgvs: $0) }
                    a.hgvsc = field(layout.hgvsc)
                    a.transcript = field(layout.feature)
                    a.exon = field(layout.exon).flatMap { Int($0.split(separator: "/").first ?? "") }
                    a.chromosome = record.chrom
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

    /// The names an annotation tool gives an ALT allele: itself, and VEP's form without the shared first base (`-` if nothing is left).
    static func alleleNames(ref: String, alt: String, alts: [String]) -> Set<String> {
        var names: Set<String> = [alt]
        let all = [ref] + alts
        if let first = ref.first, all.allSatisfy({ $0.first == first }) {
            let trimmed = String(alt.dropFirst())
            names.insert(trimmed.isEmpty ? "-" : trimmed)
        }
        return names
    }

    /// Each comma-separated entry's `|`-separated field ranges.
    static func fieldRanges(_ bytes: [UInt8]) -> [[Range<Int>]] {
        var entries: [[Range<Int>]] = []
        var fields: [Range<Int>] = []
        var start = 0
        for i in 0...bytes.count {
            let c = i < bytes.count ? bytes[i] : UInt8(ascii: ",")
            if c == UInt8(ascii: "|") {
                fields.append(start..<i)
                start = i + 1
            } else if c == UInt8(ascii: ",") {
                fields.append(start..<i)
                entries.append(fields)
                fields = []
                start = i + 1
            }
        }
        return entries
    }

    static func choose(_ entries: [[Range<Int>]], bytes: [UInt8], layout: AnnotationLayout) -> [Range<Int>]? {
        func flagged(_ i: Int?, _ ok: (ArraySlice<UInt8>) -> Bool) -> [Range<Int>]? {
            guard let i else { return nil }
            return entries.first { $0.count > i && ok(bytes[$0[i]]) }
        }
        if let e = flagged(layout.pick, { $0.elementsEqual([UInt8(ascii: "1")]) }) { return e }
        if let e = flagged(layout.mane, { !$0.isEmpty }) { return e }
        if let e = flagged(layout.canonical, { $0.elementsEqual(Array("YES".utf8)) }) { return e }
        func effect(_ e: [Range<Int>]) -> CodingEffect { CodingEffect(annotation: String(decoding: bytes[e[layout.consequence]], as: UTF8.self)) }
        return entries.min { effect($0) < effect($1) }
    }
}
