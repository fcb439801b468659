/// How often a feature occurs in a disease, as `phenotype.hpoa` states it.
public struct AnnotationFrequency: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The text as written: an HPO frequency term (`HP:0040283`), `k/n`, `x%`, or empty when unknown.
    public var text: String
    /// The estimate used for weighting, 0…1, or nil when unknown.
    ///
    /// HPO frequency terms take the middle of the range their definitions give (Very frequent 80–99% → 0.895);
    /// `k/n` takes (k+1)/(n+2), because "1 of 1 reported patients" is weak evidence that a feature is universal.
    public var estimate: Double?

    public var description: String { text.isEmpty ? "unknown" : text }

    /// Reads a frequency column; nil for text that is none of the documented forms.
    static func parse(_ text: String) -> AnnotationFrequency? {
        if text.isEmpty { return AnnotationFrequency(text: "", estimate: nil) }
        if text.hasPrefix("HP:") {
            // Definitions in hp.obo: Obligate 100%, Very frequent 80–99%, Frequent 30–79%, Occasional 5–29%,
            // Very rare 1–4%, Excluded 0%.
            let table: [String: Double] = [
                "HP:0040280": 1.0, "HP:0040281": 0.895, "HP:0040282": 0.545, "HP:0040283": 0.17, "HP:0040284": 0.025, "HP:0040285": 0,
            ]
            return table[text].map { AnnotationFrequency(text: text, estimate: $0) }
        }
        if let slash = text.firstIndex(of: "/") {
            guard let k = Int(text[..<slash]), let n = Int(text[text.index(after: slash)...]), n > 0, k >= 0, k <= n else { return nil }
            return AnnotationFrequency(text: text, estimate: k == 0 ? 0 : (Double(k) + 1) / (Double(n) + 2))
        }
        if text.hasSuffix("%"), let percent = Double(text.dropLast()), (0...100).contains(percent) {
            return AnnotationFrequency(text: text, estimate: percent / 100)
        }
        return nil
    }
}

/// Disease → phenotype annotations (`phenotype.hpoa`) and gene → disease links (`genes_to_phenotype.txt`), as
/// integer indices into an ``HPOntology``.
///
/// Only the phenotypic-abnormality aspect (`P`) is used for matching; the inheritance aspect (`I`) is kept per
/// disease for the genotype side. A `NOT` row, or a frequency of zero (`0/n`, `0%`, `Excluded`), records that the
/// disease does *not* show the feature: it becomes an excluded annotation, never a positive one.
public struct DiseaseAnnotations: Sendable {
    /// `#version:` of `phenotype.hpoa`.
    public let version: String?
    /// Disease IDs as HPO writes them (`OMIM:…`, `ORPHA:…`, `DECIPHER:…`) and names, by disease index.
    public let diseaseIDs: [String]
    public let diseaseNames: [String]
    let diseaseIndex: [String: Int32]
    /// Present features (CSR by disease) with their frequency.
    let termStart: [Int32]
    let terms: [Int32]
    let frequencies: [AnnotationFrequency]
    /// Features the disease is annotated not to have (CSR by disease).
    let excludedStart: [Int32]
    let excludedTerms: [Int32]
    /// Inheritance terms (aspect I) per disease (CSR).
    let inheritanceStart: [Int32]
    let inheritanceTerms: [Int32]
    /// Genes: NCBI Gene ID and symbol, by gene index.
    public let geneIDs: [Int]
    public let geneSymbols: [String]
    let geneIndex: [String: Int32]
    /// Gene → disease and disease → gene links (CSR).
    let geneDiseaseStart: [Int32]
    let geneDiseases: [Int32]
    let diseaseGeneStart: [Int32]
    let diseaseGenes: [Int32]
    /// Annotation rows whose HPO ID this ontology does not know, or knows only as obsolete without a replacement
    /// (each ID once), and how many rows that skipped.
    public let unknownTermIDs: [HPOTermID]
    public let skippedRows: Int

    public var diseaseCount: Int { diseaseIDs.count }
    public var geneCount: Int { geneIDs.count }

    public func index(ofDisease id: String) -> Int? { diseaseIndex[id].map(Int.init) }
    public func index(ofGene symbol: String) -> Int? { geneIndex[symbol].map(Int.init) }

    /// The features annotated as present for a disease, with their frequencies.
    public func features(ofDisease d: Int) -> [(term: Int, frequency: AnnotationFrequency)] {
        (Int(termStart[d])..<Int(termStart[d + 1])).map { (Int(terms[$0]), frequencies[$0]) }
    }

    /// The features a disease is annotated not to have.
    public func excludedFeatures(ofDisease d: Int) -> [Int] { excludedTerms[Int(excludedStart[d])..<Int(excludedStart[d + 1])].map(Int.init) }

    /// The inheritance terms annotated for a disease (e.g. HP:0000007, autosomal recessive).
    public func inheritance(ofDisease d: Int) -> [Int] { inheritanceTerms[Int(inheritanceStart[d])..<Int(inheritanceStart[d + 1])].map(Int.init) }

    public func diseases(ofGene g: Int) -> [Int] { geneDiseases[Int(geneDiseaseStart[g])..<Int(geneDiseaseStart[g + 1])].map(Int.init) }
    public func genes(ofDisease d: Int) -> [Int] { diseaseGenes[Int(diseaseGeneStart[d])..<Int(diseaseGeneStart[d + 1])].map(Int.init) }

    /// Reads `phenotype.hpoa` and `genes_to_phenotype.txt` against `ontology`.
    ///
    /// Rows naming an alternative or replaced HPO ID are mapped to the current term; rows with an ID the ontology
    /// does not know are skipped and counted (``unknownTermIDs``). Gene links to diseases without annotations are
    /// ignored: a gene can only be ranked through a disease's phenotype.
    ///
    /// - Throws: ``PhenotypeError/malformedFile(file:line:message:)`` for a missing column, a malformed disease
    ///   or HPO ID, or an unreadable frequency.
    public init(
        hpoa: [UInt8], genesToPhenotype: [UInt8], ontology: HPOntology, hpoaFile: String = "phenotype.hpoa",
        genesFile: String = "genes_to_phenotype.txt"
    ) throws(PhenotypeError) {
        struct Merged {
            var present = false
            var frequency = AnnotationFrequency(text: "", estimate: nil)
        }
        var diseaseIDs: [String] = []
        var diseaseNames: [String] = []
        var diseaseIndex: [String: Int32] = [:]
        // Per disease: term → merged rows, kept in first-seen order for reproducible output.
        var phenotype: [[Int32: Merged]] = []
        var phenotypeOrder: [[Int32]] = []
        var inheritance: [[Int32]] = []
        var unknown = Set<Int>()
        var skipped = 0
        var version: String?

        try hpoa.withUnsafeBufferPointer { (b: TextScan.Bytes) throws(PhenotypeError) in
            var fields: [Range<Int>] = []
            var columns: (id: Int, name: Int, qualifier: Int, hpo: Int, frequency: Int, aspect: Int)?
            var lastDisease: (range: Range<Int>, index: Int)?
            try TextScan.forEachLine(b) { (line: Range<Int>, number: Int) throws(PhenotypeError) in
                guard !line.isEmpty else { return }
                if b[line.lowerBound] == UInt8(ascii: "#") {
                    if TextScan.hasPrefix(b, line, "#version: ") {
                        version = TextScan.string(b, (line.lowerBound + 10)..<line.upperBound)
                    }
                    return
                }
                TextScan.splitTabs(b, line, into: &fields)
                guard let c = columns else {
                    let names = fields.map { TextScan.string(b, $0) }
                    func column(_ name: String) throws(PhenotypeError) -> Int {
                        guard let i = names.firstIndex(of: name) else {
                            throw PhenotypeError.malformedFile(file: hpoaFile, line: number, message: "the header has no '\(name)' column")
                        }
                        return i
                    }
                    columns = (
                        try column("database_id"), try column("disease_name"), try column("qualifier"), try column("hpo_id"),
                        try column("frequency"), try column("aspect")
                    )
                    return
                }
                guard fields.count > max(c.id, c.name, c.qualifier, c.hpo, c.frequency, c.aspect) else {
                    throw PhenotypeError.malformedFile(file: hpoaFile, line: number, message: "\(fields.count) columns, expected at least 12")
                }
                let aspect = fields[c.aspect]
                let isPhenotype = TextScan.equals(b, aspect, "P")
                let isInheritance = TextScan.equals(b, aspect, "I")
                guard isPhenotype || isInheritance else { return }
                guard let termNumber = TextScan.termNumber(b, fields[c.hpo]), fields[c.hpo].count == 10 else {
                    throw PhenotypeError.malformedFile(
                        file: hpoaFile, line: number, message: "'\(TextScan.string(b, fields[c.hpo]))' is not an HPO term ID")
                }
                let term: Int
                switch ontology.status(of: HPOTermID(termNumber)) {
                case .current(let i), .alternative(of: let i), .replaced(by: let i, viaConsider: false): term = i
                case .replaced(by: _, viaConsider: true), .obsolete, .unknown:
                    unknown.insert(termNumber)
                    skipped += 1
                    return
                }
                // Rows of one disease are contiguous in practice; remember the last one to skip the dictionary.
                let idRange = fields[c.id]
                let d: Int
                if let last = lastDisease, last.range.count == idRange.count,
                    memcmpEqual(b, last.range.lowerBound, idRange.lowerBound, idRange.count)
                {
                    d = last.index
                } else {
                    let id = TextScan.string(b, idRange)
                    guard id.contains(":"), !id.hasPrefix(":"), !id.hasSuffix(":") else {
                        throw PhenotypeError.malformedFile(file: hpoaFile, line: number, message: "'\(id)' is not a disease ID")
                    }
                    if let i = diseaseIndex[id] {
                        d = Int(i)
                    } else {
                        d = diseaseIDs.count
                        diseaseIndex[id] = Int32(d)
                        diseaseIDs.append(id)
                        diseaseNames.append(TextScan.string(b, fields[c.name]))
                        phenotype.append([:])
                        phenotypeOrder.append([])
                        inheritance.append([])
                    }
                    lastDisease = (idRange, d)
                }
                if isInheritance {
                    if !TextScan.equals(b, fields[c.qualifier], "NOT"), !inheritance[d].contains(Int32(term)) { inheritance[d].append(Int32(term)) }
                    return
                }
                let text = TextScan.string(b, fields[c.frequency])
                guard let frequency = AnnotationFrequency.parse(text) else {
                    throw PhenotypeError.malformedFile(file: hpoaFile, line: number, message: "unreadable frequency '\(text)'")
                }
                let negated = TextScan.equals(b, fields[c.qualifier], "NOT") || frequency.estimate == 0
                let key = Int32(term)
                var merged = phenotype[d][key] ?? {
                    phenotypeOrder[d].append(key)
                    return Merged()
                }()
                if !negated {
                    // Several rows (papers) for one feature: the feature is present; keep the highest known frequency.
                    if !merged.present || (frequency.estimate ?? -1) > (merged.frequency.estimate ?? -1) { merged.frequency = frequency }
                    merged.present = true
                }
                phenotype[d][key] = merged
            }
        }

        var termStart: [Int32] = [0]
        var terms: [Int32] = []
        var frequencies: [AnnotationFrequency] = []
        var excludedStart: [Int32] = [0]
        var excludedTerms: [Int32] = []
        var inheritanceStart: [Int32] = [0]
        var inheritanceTerms: [Int32] = []
        for d in 0..<diseaseIDs.count {
            for key in phenotypeOrder[d] {
                let merged = phenotype[d][key]!
                if merged.present {
                    terms.append(key)
                    frequencies.append(merged.frequency)
                } else {
                    excludedTerms.append(key)
                }
            }
            termStart.append(Int32(terms.count))
            excludedStart.append(Int32(excludedTerms.count))
            inheritanceTerms += inheritance[d]
            inheritanceStart.append(Int32(inheritanceTerms.count))
        }

        // genes_to_phenotype.txt: only the gene and disease columns matter here.
        var geneIDs: [Int] = []
        var geneSymbols: [String] = []
        var geneByNCBI: [Int: Int32] = [:]
        var pairs = Set<Int64>()
        var links: [(gene: Int32, disease: Int32)] = []
        try genesToPhenotype.withUnsafeBufferPointer { (b: TextScan.Bytes) throws(PhenotypeError) in
            var fields: [Range<Int>] = []
            var columns: (gene: Int, symbol: Int, disease: Int)?
            var last: (gene: Int32, disease: Range<Int>, index: Int32?)?
            try TextScan.forEachLine(b) { (line: Range<Int>, number: Int) throws(PhenotypeError) in
                guard !line.isEmpty, b[line.lowerBound] != UInt8(ascii: "#") else { return }
                TextScan.splitTabs(b, line, into: &fields)
                guard let c = columns else {
                    let names = fields.map { TextScan.string(b, $0) }
                    guard let g = names.firstIndex(of: "ncbi_gene_id"), let s = names.firstIndex(of: "gene_symbol"),
                        let d = names.firstIndex(of: "disease_id")
                    else {
                        throw PhenotypeError.malformedFile(
                            file: genesFile, line: number, message: "the header needs ncbi_gene_id, gene_symbol and disease_id columns")
                    }
                    columns = (g, s, d)
                    return
                }
                guard fields.count > max(c.gene, c.symbol, c.disease) else {
                    throw PhenotypeError.malformedFile(file: genesFile, line: number, message: "\(fields.count) columns")
                }
                guard let ncbi = TextScan.integer(b, fields[c.gene]) else {
                    throw PhenotypeError.malformedFile(
                        file: genesFile, line: number, message: "'\(TextScan.string(b, fields[c.gene]))' is not an NCBI Gene ID")
                }
                let gene: Int32
                if let g = geneByNCBI[ncbi] {
                    gene = g
                } else {
                    gene = Int32(geneIDs.count)
                    geneByNCBI[ncbi] = gene
                    geneIDs.append(ncbi)
                    geneSymbols.append(TextScan.string(b, fields[c.symbol]))
                }
                let diseaseRange = fields[c.disease]
                let disease: Int32?
                if let last, last.gene == gene, last.disease.count == diseaseRange.count,
                    memcmpEqual(b, last.disease.lowerBound, diseaseRange.lowerBound, diseaseRange.count)
                {
                    return
                } else {
                    disease = diseaseIndex[TextScan.string(b, diseaseRange)]
                }
                last = (gene, diseaseRange, disease)
                guard let disease else { return }
                if pairs.insert(Int64(gene) << 32 | Int64(disease)).inserted { links.append((gene, disease)) }
            }
        }
        func csr(_ count: Int, _ pairs: [(Int32, Int32)]) -> ([Int32], [Int32]) {
            var start = [Int32](repeating: 0, count: count + 1)
            for (a, _) in pairs { start[Int(a) + 1] += 1 }
            for i in 0..<count { start[i + 1] += start[i] }
            var fill = Array(start.dropLast())
            var values = [Int32](repeating: 0, count: pairs.count)
            for (a, b) in pairs {
                values[Int(fill[Int(a)])] = b
                fill[Int(a)] += 1
            }
            return (start, values)
        }
        (geneDiseaseStart, geneDiseases) = csr(geneIDs.count, links.map { ($0.gene, $0.disease) })
        (diseaseGeneStart, diseaseGenes) = csr(diseaseIDs.count, links.map { ($0.disease, $0.gene) })

        var geneIndex: [String: Int32] = [:]
        for (i, symbol) in geneSymbols.enumerated() where geneIndex[symbol] == nil { geneIndex[symbol] = Int32(i) }
        self.version = version
        self.diseaseIDs = diseaseIDs
        self.diseaseNames = diseaseNames
        self.diseaseIndex = diseaseIndex
        self.termStart = termStart
        self.terms = terms
        self.frequencies = frequencies
        self.excludedStart = excludedStart
        self.excludedTerms = excludedTerms
        self.inheritanceStart = inheritanceStart
        self.inheritanceTerms = inheritanceTerms
        self.geneIDs = geneIDs
        self.geneSymbols = geneSymbols
        self.geneIndex = geneIndex
        self.unknownTermIDs = unknown.sorted().map(HPOTermID.init)
        self.skippedRows = skipped
    }
}

/// True when `count` bytes at `a` and `b` of the same buffer are equal.
@inline(__always)
func memcmpEqual(_ bytes: TextScan.Bytes, _ a: Int, _ b: Int, _ count: Int) -> Bool {
    for k in 0..<count where bytes[a + k] != bytes[b + k] { return false }
    return true
}
