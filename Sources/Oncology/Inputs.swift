import BGZF
import Foundation
import GenomicFiles
import VCF

/// The alterations read from a set of input files, with what each file contributed.
public struct TumourInputs: Sendable {
    public var alterations: [Alteration] = []
    /// One line per file: what it was read as and how many alterations it gave.
    public var files: [String] = []
    /// Records read from variant files (annotated or not), for the report's counts.
    public var variantRecords = 0
    public var warnings: [String] = []
}

/// What kind of input a file is, recognised from its content rather than its name.
public enum InputKind: String, Sendable {
    case vcf, maf, copyNumber, fusions
}

/// Reads the input formats: annotated VCF (VEP `CSQ` or SnpEff `ANN`), MAF, gene-level copy-number table and fusion table.
///
/// Gene-level copy-number table (tab-separated, header required): a gene column (`gene`, `Hugo_Symbol` or `symbol`) and
/// either `call` (`Amplification`/`AMP`, `Deletion`/`DEL`/`HOMDEL`; anything else, e.g. `Gain`, `Loss`, `Wild type`, is not an
/// alteration) or `copy_number` (absolute copies: at or above `amplificationCopies` is an amplification, 0 a deep deletion).
/// This is MOAlmanac's called-CNA format with an optional numeric column.
///
/// Fusion table (tab-separated): PCGR's (`FusionGene` as `5′GENE--3′GENE`), STAR-Fusion's (`LeftGene`/`RightGene` as
/// `SYMBOL^ENSG…`), or a plain `gene5`/`gene3` pair.
public enum InputReader {
    /// PCGR's default amplification cut-off (total copy number) for an amplified oncogene.
    public static let amplificationCopies = 6.0

    /// Reads every file, recognising each one's kind.
    public static func read(_ paths: [String], threads: Int = 1) async throws -> TumourInputs {
        var inputs = TumourInputs()
        for path in paths {
            let kind = try kind(of: path)
            switch kind {
            case .vcf:
                let (found, records) = try await readVCF(path, threads: threads)
                inputs.alterations += found
                inputs.variantRecords += records
                inputs.files.append("\(path): annotated VCF, \(records) records, \(found.count) gene-level variants")
            case .maf:
                let found = try readMAF(text(path), path: path)
                inputs.alterations += found
                inputs.variantRecords += found.count
                inputs.files.append("\(path): MAF, \(found.count) variants")
            case .copyNumber:
                let found = try readCopyNumber(text(path), path: path)
                inputs.alterations += found
                inputs.files.append("\(path): gene-level copy number, \(found.count) amplifications/deletions")
            case .fusions:
                let found = try readFusions(text(path), path: path)
                inputs.alterations += found
                inputs.files.append("\(path): fusions, \(found.count) distinct")
            }
        }
        return inputs
    }

    static func text(_ path: String) throws(OncologyError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { throw OncologyError.badInput(path: path, line: nil, message: "cannot be read") }
        var bytes = [UInt8](data)
        if bytes.starts(with: [0x1f, 0x8b]) {
            do { bytes = try Gzip.decompress(bytes) } catch { throw OncologyError.badInput(path: path, line: nil, message: "unreadable gzip: \(error)") }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Recognises a file's kind from its first lines.
    public static func kind(of path: String) throws(OncologyError) -> InputKind {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw OncologyError.badInput(path: path, line: nil, message: "cannot be read") }
        let head = [UInt8](handle.readData(ofLength: 1 << 16))
        try? handle.close()
        // Compressed tables are rare; compressed VCFs are the norm.
        if head.starts(with: [0x1f, 0x8b]) { return .vcf }
        let text = String(decoding: head, as: UTF8.self)
        if text.hasPrefix("##fileformat=VCF") { return .vcf }
        guard let header = headerColumns(text) else { throw OncologyError.badInput(path: path, line: 1, message: "empty file") }
        let set = Set(header.map { $0.lowercased() })
        if set.contains("hugo_symbol") && set.contains("variant_classification") { return .maf }
        if set.contains("fusiongene") || set.contains("fusionname") || set.contains("leftgene") || set.contains("gene5") { return .fusions }
        if set.contains("nmajor") || (set.contains("chromosome") && set.contains("start") && set.contains("end")) {
            throw OncologyError.badInput(
                path: path, line: 1,
                message: "this is a segment-level copy-number file (Chromosome, Start, End…); Tailor needs gene-level calls: a 'gene' column and a 'call' (Amplification/Deletion) or 'copy_number' column. Map segments to genes first (e.g. bedtools intersect with a gene BED).")
        }
        if !set.isDisjoint(with: ["gene", "hugo_symbol", "symbol"]) && !set.isDisjoint(with: ["call", "copy_number"]) { return .copyNumber }
        if set.contains("hugo_symbol") {
            // A MAF without its classification column: let the MAF reader name what is missing.
            return .maf
        }
        throw OncologyError.badInput(
            path: path, line: 1,
            message: "not recognised as a VCF, MAF, gene-level copy-number table (gene + call/copy_number) or fusion table (FusionGene, STAR-Fusion, or gene5 + gene3); header: \(header.prefix(8).joined(separator: ", "))")
    }

    /// The header of a tab-separated file: the first line that is not a `##`/`#version` comment (`#FusionName…` counts).
    static func headerColumns(_ text: String) -> [String]? {
        for line in text.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("#") && !line.contains("\t") { continue }
            let cleaned = line.hasPrefix("#") ? line.dropFirst() : line[...]
            return cleaned.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
        }
        return nil
    }

    // MARK: MAF

    /// Reads a MAF (GDC / vcf2maf / MOAlmanac). Required: `Hugo_Symbol`, `Variant_Classification`, and a protein change
    /// (`HGVSp_Short`, else `HGVSp`, else `Protein_Change`).
    public static func readMAF(_ text: String, path: String) throws(OncologyError) -> [Alteration] {
        var lines = text.split(whereSeparator: \.isNewline)[...]
        while let first = lines.first, first.hasPrefix("#") { lines = lines.dropFirst() }
        guard let headerLine = lines.first else { throw OncologyError.mafMissingColumns(path: path, missing: ["Hugo_Symbol", "Variant_Classification", "HGVSp_Short"]) }
        let header = headerLine.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
        var column: [String: Int] = [:]
        for (i, name) in header.enumerated() { column[name.lowercased()] = i }
        let proteinColumn = ["hgvsp_short", "hgvsp", "protein_change"].first { column[$0] != nil }
        var missing = ["Hugo_Symbol", "Variant_Classification"].filter { column[$0.lowercased()] == nil }
        if proteinColumn == nil { missing.append("HGVSp_Short (or HGVSp / Protein_Change)") }
        guard missing.isEmpty else { throw OncologyError.mafMissingColumns(path: path, missing: missing) }
        var out: [Alteration] = []
        for (n, line) in lines.dropFirst().enumerated() {
            let row = line.split(separator: "\t", omittingEmptySubsequences: false)
            func f(_ key: String) -> String? {
                guard let i = column[key], i < row.count else { return nil }
                let v = row[i].trimmingWhitespace
                return v.isEmpty || v == "." || v == "NA" ? nil : v
            }
            guard let gene = f("hugo_symbol"), gene != "Unknown" else { continue }
            guard let classification = f("variant_classification") else {
                throw OncologyError.badInput(path: path, line: n + 2, message: "empty Variant_Classification")
            }
            var a = Alteration(kind: .variant, gene: gene, effect: CodingEffect(annotation: classification))
            a.proteinText = proteinColumn.flatMap { f($0) }
            a.protein = a.proteinText.flatMap { ProteinChange(hgvs: $0) }
            a.hgvsc = f("hgvsc")
            a.transcript = f("transcript_id") ?? f("annotation_transcript")
            a.exon = f("exon_number").flatMap { Int($0.split(separator: "/").first ?? "") }
            a.chromosome = f("chromosome")
            a.position = (f("start_position")).flatMap { Int($0) }
            a.ref = f("reference_allele")
            a.alt = f("tumor_seq_allele2")
            if let alt = f("t_alt_count").flatMap({ Int($0) }) {
                let depth = f("t_depth").flatMap { Int($0) } ?? f("t_ref_count").flatMap { Int($0) }.map { $0 + alt }
                a.depth = depth
                if let depth, depth > 0 { a.vaf = Double(alt) / Double(depth) }
            }
            var freqs: [String: Double] = [:]
            for pop in ["AFR", "AMR", "EAS", "NFE", "SAS"] {
                if let v = (f("gnomad_\(pop.lowercased())_af") ?? f("gnomade_\(pop.lowercased())_af")).flatMap(Double.init) { freqs[pop] = v }
            }
            if !freqs.isEmpty { a.populationFrequencies = freqs }
            if let filter = f("filter") { a.passed = filter == "PASS" }
            a.source = path
            out.append(a)
        }
        return out
    }

    // MARK: Copy number and fusions

    public static func readCopyNumber(_ text: String, path: String) throws(OncologyError) -> [Alteration] {
        let rows = tsvRows(text)
        guard let header = rows.first?.map({ $0.lowercased().trimmingWhitespace }) else { return [] }
        guard let gene = ["gene", "hugo_symbol", "symbol"].lazy.compactMap({ header.firstIndex(of: $0) }).first else {
            throw OncologyError.badInput(path: path, line: 1, message: "no gene column (gene, Hugo_Symbol or symbol)")
        }
        let call = header.firstIndex(of: "call")
        let copies = header.firstIndex(of: "copy_number")
        guard call != nil || copies != nil else { throw OncologyError.badInput(path: path, line: 1, message: "no 'call' or 'copy_number' column") }
        var seen = Set<String>()
        var out: [Alteration] = []
        for (n, row) in rows.dropFirst().enumerated() where row.count == header.count {
            let symbol = row[gene].trimmingWhitespace
            guard !symbol.isEmpty else { continue }
            var kind: AlterationKind?
            var number: Double?
            if let call {
                switch row[call].trimmingWhitespace.lowercased() {
                case "amplification", "amp", "amplified", "2": kind = .amplification
                case "deletion", "del", "homdel", "deep deletion", "-2": kind = .deletion
                default: kind = nil
                }
            }
            if kind == nil, let copies, !row[copies].isEmpty {
                guard let value = Double(row[copies].trimmingWhitespace) else {
                    throw OncologyError.badInput(path: path, line: n + 2, message: "copy_number '\(row[copies])' is not a number")
                }
                number = value
                kind = value >= amplificationCopies ? .amplification : value == 0 ? .deletion : nil
            }
            guard let kind, seen.insert("\(symbol)\t\(kind)").inserted else { continue }
            var a = Alteration(kind: kind, gene: symbol)
            a.copyNumber = number
            a.source = path
            out.append(a)
        }
        return out
    }

    public static func readFusions(_ text: String, path: String) throws(OncologyError) -> [Alteration] {
        var lines = text.split(whereSeparator: \.isNewline)[...]
        while let first = lines.first, first.hasPrefix("#"), !first.contains("\t") { lines = lines.dropFirst() }
        guard let headerLine = lines.first else { return [] }
        let header = (headerLine.hasPrefix("#") ? headerLine.dropFirst() : headerLine[...]).split(separator: "\t", omittingEmptySubsequences: false)
            .map { $0.trimmingWhitespace.lowercased() }
        func index(_ name: String) -> Int? { header.firstIndex(of: name) }
        var seen = Set<String>()
        var out: [Alteration] = []
        for line in lines.dropFirst() {
            let row = line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
            var pair: (String, String)?
            // STAR-Fusion's gene columns name the genes actually joined; its FusionName can be an alias.
            if let l = index("leftgene"), let r = index("rightgene"), max(l, r) < row.count {
                pair = (symbol(row[l]), symbol(row[r]))
            } else if let g = index("fusiongene") ?? index("fusionname"), g < row.count {
                let parts = row[g].components(separatedBy: "--")
                if parts.count == 2 { pair = (parts[0], parts[1]) }
            } else if let a = index("gene5"), let b = index("gene3"), max(a, b) < row.count {
                pair = (row[a], row[b])
            }
            guard let (five, three) = pair, !five.isEmpty, !three.isEmpty else { continue }
            guard seen.insert(five + "--" + three).inserted else { continue }
            var a = Alteration(kind: .fusion, gene: five, partner: three)
            a.source = path
            out.append(a)
        }
        if out.isEmpty && !lines.dropFirst().isEmpty {
            throw OncologyError.badInput(path: path, line: 1, message: "no fusion could be read (expected FusionGene 'A--B', STAR-Fusion LeftGene/RightGene, or gene5 + gene3)")
        }
        return out
    }

    static func symbol(_ text: String) -> String { String(text.split(separator: "^").first ?? "") }
}
