import Foundation
public import GenomicFiles
public import VCF

/// A sample's genotype at one ALT allele.
public enum Zygosity: String, Sendable, Hashable, Codable {
    case homozygousReference = "hom_ref"
    case heterozygous = "het"
    case homozygousAlternate = "hom_alt"
    /// One called allele, the ALT (haploid call: chrX/Y in a male, chrM).
    case hemizygous = "hemi"
    /// A haploid reference call.
    case hemizygousReference = "hemi_ref"
    case missing = "missing"

    /// The number of copies of the ALT allele (hemizygous counts once).
    public var altCopies: Int {
        switch self {
        case .heterozygous, .hemizygous: return 1
        case .homozygousAlternate: return 2
        default: return 0
        }
    }

    public var carriesAlt: Bool { altCopies > 0 }
    public var isCalled: Bool { self != .missing }

    /// The zygosity of ALT allele `allele` in `genotype`; a partially missing call with the ALT counts as carrying it.
    public init(_ genotype: Genotype, allele: Int) {
        let called = genotype.alleles.compactMap { $0 }
        if called.isEmpty {
            self = .missing
            return
        }
        let copies = called.filter { $0 == allele }.count
        if genotype.alleles.count == 1 {
            self = copies == 1 ? .hemizygous : .hemizygousReference
        } else if copies == 0 {
            self = called.count < genotype.alleles.count ? .missing : .homozygousReference
        } else if copies == genotype.alleles.count {
            self = .homozygousAlternate
        } else {
            self = .heterozygous
        }
    }
}

/// The functional annotation of one ALT allele in one gene: the most severe consequence over that gene's
/// transcripts, with the HGVS of the transcript that has it.
public struct GeneAnnotation: Sendable, Hashable, Codable {
    public var gene: String
    public var consequence: Consequence
    public var transcript: String?
    public var hgvsc: String?
    public var hgvsp: String?
    /// Every protein change written for this gene (all transcripts), for rules that name a protein change.
    public var proteinChanges: [String]

    public init(gene: String, consequence: Consequence, transcript: String? = nil, hgvsc: String? = nil, hgvsp: String? = nil,
                proteinChanges: [String] = []) {
        self.gene = gene
        self.consequence = consequence
        self.transcript = transcript
        self.hgvsc = hgvsc
        self.hgvsp = hgvsp
        self.proteinChanges = proteinChanges.isEmpty ? (hgvsp.map { [$0] } ?? []) : proteinChanges
    }
}

/// Population allele frequency of an ALT allele: a value (fraction 0–1) and the field it came from, or unknown.
/// Unknown is a normal state (no frequency annotation, or a variant absent from the resource), never an error.
public struct PopulationFrequency: Sendable, Hashable, Codable {
    public var value: Double?
    public var source: String?

    public init(value: Double? = nil, source: String? = nil) {
        self.value = value
        self.source = source
    }

    public static let unknown = PopulationFrequency()
    public var percent: Double? { value.map { $0 * 100 } }
}

/// One ALT allele of a VCF record with what germline analysis needs.
public struct GermlineVariant: Sendable, Hashable, Codable {
    /// The chromosome as the VCF writes it, and its canonical form (no `chr`, `MT`).
    public var chrom: String
    public var contig: String
    public var position: Int
    public var ref: String
    public var alt: String
    public var id: String?
    public var quality: Double?
    /// FILTER column (`nil` = `.`, not filtered).
    public var filters: [String]?
    /// Per gene, most severe first; empty when the record has no annotation for this allele.
    public var annotations: [GeneAnnotation]
    public var frequency: PopulationFrequency
    /// Zygosity per VCF sample (header order).
    public var genotypes: [Zygosity]
    /// Per sample: for a phased call, the haplotype (0 or 1) that carries the ALT; −1 when unphased or not carried.
    public var haplotype: [Int8]
    public init(
        chrom: String, position: Int, ref: String, alt: String, id: String? = nil, quality: Double? = nil, filters: [String]? = nil,
        annotations: [GeneAnnotation] = [], frequency: PopulationFrequency = .unknown, genotypes: [Zygosity], haplotype: [Int8]? = nil
    ) {
        self.chrom = chrom
        self.contig = Chromosome.canonical(chrom)
        self.position = position
        self.ref = ref
        self.alt = alt
        self.id = id
        self.quality = quality
        self.filters = filters
        self.annotations = annotations
        self.frequency = frequency
        self.genotypes = genotypes
        self.haplotype = haplotype ?? Array(repeating: -1, count: genotypes.count)
    }

    /// The gene the variant is assigned to: the one with the most severe consequence.
    public var gene: String? { annotations.first?.gene }
    public var consequence: Consequence? { annotations.first?.consequence }
    /// `CHROM-POS-REF-ALT` with the canonical chromosome: the key ClinVar records are matched on.
    public var key: String { "\(contig)-\(position)-\(ref)-\(alt)" }
    /// FILTER is PASS or `.`.
    public var passed: Bool { filters == nil || filters == ["PASS"] || filters == [] }
    /// Readable `chr1:12345 A>G`.
    public var label: String { "\(chrom):\(position) \(ref)>\(alt)" }
}

/// The annotation tool a VCF was annotated with.
public enum AnnotationTool: String, Sendable, Codable { case vep = "VEP CSQ", snpeff = "SnpEff ANN" }

/// Where the fields germline analysis reads sit in a VEP `CSQ` or SnpEff `ANN` entry.
public struct AnnotationLayout: Sendable, Hashable {
    public var tool: AnnotationTool
    public var key: String
    var allele: Int
    var consequence: Int
    var symbol: Int
    var feature: Int?
    var hgvsc: Int?
    var hgvsp: Int?
    /// Frequency fields inside the entry, (name, index); MAX_AF alone when present.
    var frequencies: [(name: String, index: Int)]

    public static func == (a: AnnotationLayout, b: AnnotationLayout) -> Bool { a.key == b.key && a.allele == b.allele && a.symbol == b.symbol }
    public func hash(into h: inout Hasher) { h.combine(key) }

    /// Founder or catch-all gnomAD groups left out of the maximum population frequency, as Exomiser does for ACMG.
    static let excludedPopulations: Set<String> = ["ASJ", "FIN", "OTH", "AMI", "MID", "REMAINING"]

    /// Whether an annotation field is a population allele frequency we use.
    static func isFrequencyField(_ name: String) -> Bool {
        if ["MAX_AF", "AF", "gnomAD_AF", "gnomADe_AF", "gnomADg_AF", "gnomAD_exomes_AF", "gnomAD_genomes_AF"].contains(name) { return true }
        // gnomADe_NFE_AF, gnomADg_AFR_AF, gnomAD_SAS_AF, …
        let parts = name.split(separator: "_")
        guard parts.count == 3, parts[0].hasPrefix("gnomAD"), parts[2] == "AF" else { return false }
        return !excludedPopulations.contains(parts[1].uppercased())
    }

    /// The layout from the header: VEP's `CSQ` description (`… Format: Allele|Consequence|…`; field order depends on
    /// VEP's options, so it is always read from the header) or SnpEff's fixed `ANN` layout. Nil when neither is declared.
    public static func from(header: VCFHeader) -> AnnotationLayout? {
        if let csq = header.infos["CSQ"], let range = csq.description.range(of: "Format: ") {
            let fields = csq.description[range.upperBound...].split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"'"))
            }
            func at(_ name: String) -> Int? { fields.firstIndex(of: name) }
            guard let allele = at("Allele"), let consequence = at("Consequence"), let symbol = at("SYMBOL") else { return nil }
            var frequencies: [(String, Int)] = []
            if let max = at("MAX_AF") {
                frequencies = [("MAX_AF", max)]
            } else {
                for (i, name) in fields.enumerated() where isFrequencyField(name) { frequencies.append((name, i)) }
            }
            return AnnotationLayout(
                tool: .vep, key: "CSQ", allele: allele, consequence: consequence, symbol: symbol, feature: at("Feature"), hgvsc: at("HGVSc"),
                hgvsp: at("HGVSp"), frequencies: frequencies)
        }
        if header.infos["ANN"] != nil {
            // SnpEff: Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID |
            // Transcript_BioType | Rank | HGVS.c | HGVS.p | …
            return AnnotationLayout(tool: .snpeff, key: "ANN", allele: 0, consequence: 1, symbol: 3, feature: 6, hgvsc: 9, hgvsp: 10, frequencies: [])
        }
        return nil
    }

    /// The names a tool may give an ALT allele in the `Allele` field: itself, and VEP's trimmed form (shared first base
    /// removed, `-` when nothing is left).
    static func alleleNames(ref: String, alt: String, alts: [String]) -> [String] {
        var names = [alt]
        let all = [ref] + alts
        if let first = ref.first, all.allSatisfy({ $0.first == first }) {
            let trimmed = String(alt.dropFirst())
            names.append(trimmed.isEmpty ? "-" : trimmed)
        }
        return names
    }

    /// Per-gene annotations (most severe first) and the entry-level frequency for `alt`, from the INFO value `text`.
    /// A record with a single ALT accepts entries whatever their `Allele` says (tools differ in how they write it).
    /// Works on bytes: splitting 50,000 long CSQ values with String's Character-based split is several times slower.
    func annotate(_ text: String, ref: String, alt: String, alts: [String]) -> (annotations: [GeneAnnotation], frequency: PopulationFrequency) {
        var bytes = Array(text.utf8)
        bytes.append(UInt8(ascii: ","))
        let names = alts.count > 1 ? Self.alleleNames(ref: ref, alt: alt, alts: alts).map { Array($0.utf8) } : []
        var byGene: [GeneAnnotation] = []
        var frequency = PopulationFrequency.unknown
        var fields: [Range<Int>] = []
        fields.reserveCapacity(64)
        var start = 0
        func string(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
        for i in 0..<bytes.count {
            let c = bytes[i]
            guard c == UInt8(ascii: "|") || c == UInt8(ascii: ",") else { continue }
            fields.append(start..<i)
            start = i + 1
            guard c == UInt8(ascii: ",") else { continue }
            defer { fields.removeAll(keepingCapacity: true) }
            let f = fields
            guard f.count > max(allele, consequence, symbol) else { continue }
            if !names.isEmpty, !names.contains(where: { bytes[f[allele]].elementsEqual($0) }) { continue }
            for (name, k) in frequencies where k < f.count && !f[k].isEmpty {
                var r = f[k]
                if let amp = bytes[r].firstIndex(of: UInt8(ascii: "&")) { r = r.lowerBound..<amp }
                if let v = Double(string(r)), v > (frequency.value ?? -1) {
                    frequency = PopulationFrequency(value: v, source: "\(key)/\(name)")
                }
            }
            guard !f[symbol].isEmpty, let cons = Consequence.mostSevere(of: string(f[consequence])) else { continue }
            let gene = string(f[symbol])
            func field(_ k: Int?) -> String? {
                guard let k, k < f.count, !f[k].isEmpty else { return nil }
                return string(f[k])
            }
            let protein = field(hgvsp)
            if let g = byGene.firstIndex(where: { $0.gene == gene }) {
                if let protein, !byGene[g].proteinChanges.contains(protein) { byGene[g].proteinChanges.append(protein) }
                if cons.severityRank < byGene[g].consequence.severityRank {
                    byGene[g].consequence = cons
                    byGene[g].transcript = field(feature)
                    byGene[g].hgvsc = field(hgvsc)
                    byGene[g].hgvsp = protein
                }
            } else {
                byGene.append(
                    GeneAnnotation(
                        gene: gene, consequence: cons, transcript: field(feature), hgvsc: field(hgvsc), hgvsp: protein,
                        proteinChanges: protein.map { [$0] } ?? []))
            }
        }
        if byGene.count > 1 {
            byGene = byGene.enumerated().sorted {
                ($0.element.consequence.severityRank, $0.offset) < ($1.element.consequence.severityRank, $1.offset)
            }.map(\.element)
        }
        return (byGene, frequency)
    }
}

/// The variants of a germline VCF, one per ALT allele, with annotation, frequency and genotypes.
public struct GermlineCallSet: Sendable {
    public var path: String
    public var samples: [String]
    public var variants: [GermlineVariant]
    public var annotationTool: AnnotationTool?
    /// The frequency fields found (e.g. `CSQ/gnomADe_AF`, `INFO/gnomAD_AF`); empty: every frequency is unknown.
    public var frequencyFields: [String]
    public var recordsRead: Int
    public var notes: [String]
    public var warnings: [String]
    /// The genome build recognised from the header's contig lengths (or `##reference`); `unknown` when it says neither.
    public var build: GenomeBuild = .unknown

    public init(path: String, samples: [String], variants: [GermlineVariant], annotationTool: AnnotationTool?, frequencyFields: [String],
                recordsRead: Int, notes: [String] = [], warnings: [String] = []) {
        self.path = path
        self.samples = samples
        self.variants = variants
        self.annotationTool = annotationTool
        self.frequencyFields = frequencyFields
        self.recordsRead = recordsRead
        self.notes = notes
        self.warnings = warnings
    }

    /// The message for a VCF without VEP or SnpEff annotation.
    public static func unannotatedMessage(_ path: String) -> String {
        "\(path) has no VEP (INFO/CSQ) or SnpEff (INFO/ANN) annotation: variants cannot be assigned to genes or consequences, so "
            + "they cannot be ranked (ranking by position alone is not possible without a gene). Annotate the VCF with Ensembl VEP "
            + "(--vcf --symbol --hgvs, optionally --af_gnomade / --max_af) or SnpEff and run again."
    }

    /// INFO keys read as population frequencies (Number=A: the ALT's own value).
    static let infoFrequencyKeys = ["MAX_AF", "gnomAD_AF", "gnomADe_AF", "gnomADg_AF", "gnomad_AF", "gnomAD_exomes_AF", "gnomAD_genomes_AF", "AF_popmax"]

    /// Reads a VCF (plain, gzip or BGZF).
    ///
    /// Frequencies come from the annotation entry (VEP `MAX_AF` when present, else the largest of the gnomAD/1000 Genomes
    /// fields) or from INFO fields named in ``infoFrequencyKeys``. INFO `AF` is used only when its header description
    /// says it is a population frequency (gnomAD, 1000 Genomes, ExAC, "population"): a caller's `AF` describes the call set
    /// itself, and reading it as a population frequency would filter every variant.
    public static func read(_ path: String, threads: Int = 1) async throws -> GermlineCallSet {
        let vcf: VCFFile
        do {
            vcf = try VCFFile(path: path, options: VCFReadOptions(threads: threads))
        } catch {
            throw GermlineError.unreadable(file: path, message: "\(error)")
        }
        return try await read(vcf, name: path)
    }

    /// Reads an already opened VCF (for example a stored genome through its decrypting reader); `name` is what errors
    /// and the call set call the file.
    public static func read(_ vcf: VCFFile, name path: String) async throws -> GermlineCallSet {
        let header = vcf.header
        let layout = AnnotationLayout.from(header: header)
        var notes: [String] = []
        var warnings: [String] = []
        if layout == nil { warnings.append(unannotatedMessage(path)) }
        var infoKeys = infoFrequencyKeys.filter { header.infos[$0] != nil }
        if let af = header.infos["AF"] {
            let d = af.description.lowercased()
            if ["gnomad", "1000 genomes", "1000genomes", "exac", "population"].contains(where: { d.contains($0) }) {
                infoKeys.append("AF")
            } else {
                notes.append("INFO/AF (\"\(af.description)\") describes this call set, not a population: not used as population frequency.")
            }
        }
        let frequencyFields = (layout?.frequencies.map { "\(layout!.key)/\($0.name)" } ?? []) + infoKeys.map { "INFO/\($0)" }
        if frequencyFields.isEmpty {
            notes.append("No population-frequency field found: every variant's frequency is unknown (frequency filters cannot remove common variants).")
        }
        let sampleCount = header.samples.count
        let keys = infoKeys
        let scan: ([GermlineVariant], ScanSummary)
        do {
            scan = try await vcf.scan(
                initial: [GermlineVariant](),
                record: { (out: inout [GermlineVariant], record: VCFRecordView) throws(VCFError) in
                    let alts = record.alts
                    let ref = record.ref
                    let chrom = record.chrom
                    let genotypes = try record.genotypes(header: header)
                    let annotation = layout.flatMap { record.infoText($0.key) }
                    let infoValues = keys.map { record.infoText($0) }
                    let id = record.ids.first
                    for (k, alt) in alts.enumerated() where alt != "*" && alt != "." && !alt.hasPrefix("<") {
                        var annotations: [GeneAnnotation] = []
                        var frequency = PopulationFrequency.unknown
                        if let layout, let annotation {
                            (annotations, frequency) = layout.annotate(annotation, ref: ref, alt: alt, alts: alts)
                        }
                        for (key, text) in zip(keys, infoValues) {
                            guard let text else { continue }
                            let values = text.split(separator: ",", omittingEmptySubsequences: false)
                            let v = values.count == alts.count ? values[k] : values.first
                            if let v, let value = Double(v), value > (frequency.value ?? -1) {
                                frequency = PopulationFrequency(value: value, source: "INFO/\(key)")
                            }
                        }
                        var zygosity: [Zygosity] = []
                        var haplotype: [Int8] = []
                        zygosity.reserveCapacity(sampleCount)
                        for g in genotypes {
                            let z = Zygosity(g, allele: k + 1)
                            zygosity.append(z)
                            if g.isPhased, g.alleles.count == 2, z == .heterozygous {
                                haplotype.append(g.alleles[0] == k + 1 ? 0 : 1)
                            } else {
                                haplotype.append(-1)
                            }
                        }
                        if genotypes.isEmpty {
                            zygosity = Array(repeating: .missing, count: sampleCount)
                            haplotype = Array(repeating: -1, count: sampleCount)
                        }
                        out.append(
                            GermlineVariant(
                                chrom: chrom, position: record.position, ref: ref, alt: alt, id: id, quality: record.quality,
                                filters: record.filters, annotations: annotations, frequency: frequency, genotypes: zygosity,
                                haplotype: haplotype))
                    }
                },
                merge: { $0 += $1 })
        } catch let e as GermlineError {
            throw e
        } catch {
            throw GermlineError.unreadable(file: path, message: "\(error)")
        }
        var callSet = GermlineCallSet(
            path: path, samples: header.samples, variants: scan.0, annotationTool: layout?.tool, frequencyFields: frequencyFields,
            recordsRead: scan.1.records, notes: notes, warnings: warnings + header.warnings)
        callSet.build = header.build.build
        return callSet
    }
}
