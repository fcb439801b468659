public import Knowledge

/// A single-residue hotspot: how many tumours had a change at the residue and which changes.
public struct Hotspot: Sendable, Hashable {
    public var reference: String
    public var samplesAtPosition: Int
    /// Alternate residue (one letter, `*` for stop) → tumours with that change.
    public var variants: [String: Int]
}

/// One oncogenicity criterion (PCGR `oncogenicity.tsv`): code, points, and meaning.
public struct OncogenicityCriterion: Codable, Sendable, Hashable {
    public var code: String
    public var points: Int
    public var description: String
    public var resource: String
}

/// Everything the analysis reads from the packs (and an optional user-supplied CIViC export), loaded once.
public struct OncologyKnowledge: Sendable {
    public var oncotree: OncoTree
    /// `GENE:position` → hotspot.
    public var hotspots: [String: Hotspot]
    public var criteria: [String: OncogenicityCriterion]
    /// PCGR's numeric settings by name (`gnomad_common_af` …).
    public var parameters: [String: Double]
    public var evidence: [EvidenceItem] {
        didSet { index() }
    }
    /// Evidence by gene, and TMB/MSI evidence under `""`.
    public private(set) var byGene: [String: [Int]] = [:]
    public var versions: [KnowledgeVersion]
    /// Disclaimers that must accompany any report using this knowledge (MOAlmanac's research-use-only text).
    public var disclaimers: [String: String]
    /// Evidence items the sources hold but Tailor does not match (germline, signatures, knockdowns, compound profiles), by reason.
    public var skipped: [String: Int]
    /// OncoKB's answers for this report's alterations, when the user supplied a token (never shipped, never stored).
    public var oncokb: OncoKBAnnotations?

    public init(
        oncotree: OncoTree, hotspots: [String: Hotspot], criteria: [String: OncogenicityCriterion], parameters: [String: Double],
        evidence: [EvidenceItem], versions: [KnowledgeVersion], disclaimers: [String: String] = [:], skipped: [String: Int] = [:]
    ) {
        self.oncotree = oncotree
        self.hotspots = hotspots
        self.criteria = criteria
        self.parameters = parameters
        self.evidence = evidence
        self.versions = versions
        self.disclaimers = disclaimers
        self.skipped = skipped
        index()
    }

    mutating func index() {
        byGene = [:]
        for (i, item) in evidence.enumerated() {
            byGene[item.biomarker.gene ?? "", default: []].append(i)
            if case .fusion(_, let partner?) = item.biomarker { byGene[partner, default: []].append(i) }
        }
    }

    /// Loads the bundled `oncology` pack and, when `moalmanac` is true, the optional MOAlmanac pack.
    public static func bundled(moalmanac: Bool = true) throws(OncologyError) -> OncologyKnowledge {
        do {
            let pack = try KnowledgePack.bundled("oncology")
            var knowledge = try load(oncology: pack)
            if moalmanac { try knowledge.add(moalmanac: try KnowledgePack.bundled("moalmanac")) }
            return knowledge
        } catch let error as KnowledgeError {
            throw OncologyError.knowledge(error.description)
        } catch let error as OncologyError {
            throw error
        } catch {
            throw OncologyError.knowledge("\(error)")
        }
    }

    /// Reads OncoTree, hotspots, criteria and parameters from an `oncology` pack.
    public static func load(oncology pack: KnowledgePack) throws -> OncologyKnowledge {
        func text(_ path: String) throws -> String { String(decoding: try pack.data(path), as: UTF8.self) }
        guard let treePath = pack.paths(under: "oncotree/").first(where: { $0.hasSuffix(".tsv") }) else {
            throw OncologyError.knowledge("the oncology pack has no OncoTree table")
        }
        let release = String(treePath.dropFirst("oncotree/".count).dropLast(".tsv".count))
        var tree = try OncoTree(tsv: try text(treePath), release: release)
        for row in tsvRows(try text("derived/tissue_sites.tsv")) where row.count >= 3 { tree.primarySites[row[0]] = row[2] }
        var hotspots: [String: Hotspot] = [:]
        for row in tsvRows(try text("derived/hotspots.tsv")) where row.count == 5 {
            var variants: [String: Int] = [:]
            for pair in row[4].split(separator: ",") {
                let parts = pair.split(separator: ":")
                if parts.count == 2, let n = Int(parts[1]) { variants[String(parts[0])] = n }
            }
            hotspots[row[0] + ":" + row[1]] = Hotspot(reference: row[2], samplesAtPosition: Int(row[3]) ?? 0, variants: variants)
        }
        var criteria: [String: OncogenicityCriterion] = [:]
        for row in tsvRows(try text("pcgr/oncogenicity_criteria.tsv")).dropFirst() where row.count >= 6 {
            criteria[row[0]] = OncogenicityCriterion(code: row[0], points: Int(row[1]) ?? 0, description: row[4], resource: row[5])
        }
        var parameters: [String: Double] = [:]
        for row in tsvRows(try text("derived/oncogenicity_parameters.tsv")) where row.count >= 2 { parameters[row[0]] = Double(row[1]) }
        return OncologyKnowledge(
            oncotree: tree, hotspots: hotspots, criteria: criteria, parameters: parameters, evidence: [],
            versions: [version(of: pack)])
    }

    static func version(of pack: KnowledgePack) -> KnowledgeVersion {
        KnowledgeVersion(
            pack: pack.manifest.name, version: pack.manifest.version,
            sources: pack.manifest.sources.map { "\($0.name) (\($0.revision); \($0.licence)). \($0.attribution)" })
    }

    /// Adds the MOAlmanac assertions and their disclaimer.
    public mutating func add(moalmanac pack: KnowledgePack) throws {
        let levels = Dictionary(
            tsvRows(String(decoding: try pack.data("derived/evidence_levels.tsv"), as: UTF8.self)).dropFirst().filter { $0.count >= 4 }
                .map { ($0[0], $0[3]) }, uniquingKeysWith: { a, _ in a })
        let (items, skipped) = MOAlmanac.evidence(
            tsv: String(decoding: try pack.data("derived/assertions.tsv"), as: UTF8.self), levels: levels, oncotree: oncotree)
        evidence += items
        for (k, v) in skipped { self.skipped["MOAlmanac: " + k, default: 0] += v }
        versions.append(Self.version(of: pack))
        disclaimers["moalmanac"] = String(decoding: try pack.data("derived/DISCLAIMER.txt"), as: UTF8.self)
    }

    /// Adds CIViC evidence imported from a user-supplied nightly `ClinicalEvidenceSummaries.tsv`.
    public mutating func add(civic import: CIViCImport) {
        evidence += `import`.items
        for (k, v) in `import`.skipped { skipped["CIViC: " + k, default: 0] += v }
        versions.append(KnowledgeVersion(pack: "civic (user-supplied)", version: `import`.version, sources: [CIViCImport.attribution]))
    }
}

extension OncologyKnowledge {
    /// Adds OncoKB's answers for one report: its therapeutic levels as evidence, its oncogenicity for the criteria, its
    /// data version to the report's knowledge versions, and its terms to the report's disclaimers.
    public mutating func add(oncokb: OncoKBAnnotations, alterations: [Alteration]) {
        self.oncokb = oncokb
        evidence += oncokb.evidence(alterations: alterations, oncotree: oncotree)
        versions.append(KnowledgeVersion(pack: "oncokb (user token)", version: oncokb.dataVersion ?? "unstated", sources: [OncoKBClient.terms]))
        disclaimers["oncokb"] = OncoKBClient.terms
    }
}

/// Splits tab-separated text into rows, skipping `#` comment lines and blank lines.
func tsvRows(_ text: String) -> [[String]] {
    text.split(whereSeparator: \.isNewline).compactMap { line in
        line.hasPrefix("#") ? nil : line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
}
