public import Foundation

/// OncoKB through the user's own API token: off by default, never shipped, never cached to disk.
///
/// OncoKB's terms allow use under a licence the user holds (free for non-commercial research; clinical or commercial use
/// needs a licence from MSK), and forbid redistribution, so Tailor ships none of its data. With a token, the alterations of
/// one report are sent to OncoKB's annotation API in batches, and what comes back becomes evidence for that report only:
/// therapeutic levels become evidence items (OncoKB 1/2/3A/3B strong, 4 weak, as PCGR counts them), and OncoKB's
/// oncogenicity and mutation effect feed the ONCG_OS2, ONCG_SBS2 and ONCG_OVS1_A/B criteria.
///
/// What leaves the machine: gene symbols, protein changes, copy-number and fusion calls and the OncoTree code. No
/// patient identifier, sample name or genomic coordinate is sent. The report names the OncoKB data version it used.
public struct OncoKBClient: Sendable {
    /// One HTTP exchange, done by the caller's HTTP stack (the CLI's AsyncHTTPClient; tests' fakes), so this core stays free
    /// of networking. Returns the status and body.
    public typealias Transport = @Sendable (_ request: HTTPRequest) async throws -> (status: Int, body: Data)

    public struct HTTPRequest: Sendable, Hashable {
        public var url: String
        public var headers: [String: String]
        public var body: Data
        public init(url: String, headers: [String: String], body: Data) {
            self.url = url
            self.headers = headers
            self.body = body
        }
    }

    /// `https://www.oncokb.org/api/v1` unless the user points elsewhere (a licensed on-premises instance).
    public var baseURL: String
    public var token: String
    public var transport: Transport
    /// Queries per request; OncoKB's batch endpoints take lists.
    public var batchSize = 100

    public static let defaultBaseURL = "https://www.oncokb.org/api/v1"
    public static let terms =
        "OncoKB data were retrieved with the user's own API token under OncoKB's terms of use (https://www.oncokb.org/terms); "
        + "Tailor ships none of it. Cite Chakravarty D et al., JCO Precision Oncology 2017."

    public init(baseURL: String = OncoKBClient.defaultBaseURL, token: String, transport: @escaping Transport) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.token = token
        self.transport = transport
    }

    /// Annotates the alterations OncoKB can answer for (protein changes, amplifications, deletions, fusions) in the tumour
    /// type, and returns its answers keyed by ``OncoKBAnnotations/key(for:)``.
    public func annotate(_ alterations: [Alteration], tumourType: String) async throws(OncologyError) -> OncoKBAnnotations {
        let tumour = tumourType.uppercased() == "ANY" ? nil : tumourType
        var mutations: [(String, [String: Any])] = []
        var copyNumbers: [(String, [String: Any])] = []
        var fusions: [(String, [String: Any])] = []
        var seen = Set<String>()
        for a in alterations {
            guard let key = OncoKBAnnotations.key(for: a), seen.insert(key).inserted else { continue }
            var query: [String: Any] = ["id": key, "referenceGenome": "GRCh38"]
            if let tumour { query["tumorType"] = tumour }
            switch a.kind {
            case .variant:
                guard let protein = a.protein else { continue }
                query["gene"] = ["hugoSymbol": a.gene]
                query["alteration"] = "\(protein.reference)\(protein.position)\(protein.rest)"
                mutations.append((key, query))
            case .amplification, .deletion:
                query["gene"] = ["hugoSymbol": a.gene]
                query["copyNameAlterationType"] = a.kind == .amplification ? "AMPLIFICATION" : "DELETION"
                copyNumbers.append((key, query))
            case .fusion:
                query["geneA"] = ["hugoSymbol": a.gene]
                query["geneB"] = ["hugoSymbol": a.partner ?? a.gene]
                query["structuralVariantType"] = "FUSION"
                query["functionalFusion"] = true
                fusions.append((key, query))
            case .tmbHigh, .msiHigh: continue
            }
        }
        var result = OncoKBAnnotations()
        for (path, queries) in [
            ("annotate/mutations/byProteinChange", mutations), ("annotate/copyNumberAlterations", copyNumbers),
            ("annotate/structuralVariants", fusions),
        ] where !queries.isEmpty {
            var start = 0
            while start < queries.count {
                let batch = Array(queries[start..<min(start + batchSize, queries.count)])
                start += batchSize
                try await send(path: path, batch: batch, into: &result)
            }
        }
        return result
    }

    private func send(path: String, batch: [(String, [String: Any])], into result: inout OncoKBAnnotations) async throws(OncologyError) {
        let url = "\(baseURL)/\(path)"
        let body: Data
        do { body = try JSONSerialization.data(withJSONObject: batch.map(\.1), options: [.sortedKeys]) } catch {
            throw OncologyError.knowledge("OncoKB: could not encode the query: \(error)")
        }
        let request = HTTPRequest(
            url: url, headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json", "Accept": "application/json"], body: body)
        let status: Int
        let data: Data
        do { (status, data) = try await transport(request) } catch {
            throw OncologyError.knowledge("OncoKB: \(url) could not be reached (\(error)); run without --oncokb-token to use the shipped packs only")
        }
        switch status {
        case 200: break
        case 401, 403: throw OncologyError.knowledge("OncoKB refused the token (HTTP \(status)); check it at https://www.oncokb.org/account/settings")
        default:
            let text = String(decoding: data.prefix(300), as: UTF8.self)
            throw OncologyError.knowledge("OncoKB: HTTP \(status) from \(url): \(text)")
        }
        let answers: [OncoKBAnswer]
        do { answers = try JSONDecoder().decode([OncoKBAnswer].self, from: data) } catch {
            throw OncologyError.knowledge("OncoKB: the answer from \(url) is not the documented IndicatorQueryResp list: \(error)")
        }
        guard answers.count == batch.count else {
            throw OncologyError.knowledge("OncoKB: \(batch.count) queries sent to \(url), \(answers.count) answers received")
        }
        // Answers come back in query order; the echoed `query.id` is checked when present.
        for (i, answer) in answers.enumerated() {
            let key = batch[i].0
            if let id = answer.query?.id, id != key {
                throw OncologyError.knowledge("OncoKB: answer \(i + 1) from \(url) is for '\(id)', expected '\(key)'")
            }
            result.byKey[key] = answer
            if let version = answer.dataVersion { result.dataVersion = version }
        }
    }
}

/// OncoKB's answer for one query: the part of its `IndicatorQueryResp` Tailor uses.
public struct OncoKBAnswer: Codable, Sendable, Hashable {
    public struct Query: Codable, Sendable, Hashable {
        public var id: String?
        public var hugoSymbol: String?
        public var alteration: String?
        public var tumorType: String?
    }
    public struct MutationEffect: Codable, Sendable, Hashable {
        public var knownEffect: String?
    }
    public struct Drug: Codable, Sendable, Hashable {
        public var drugName: String
    }
    public struct MainType: Codable, Sendable, Hashable {
        public var name: String?
    }
    public struct CancerType: Codable, Sendable, Hashable {
        public var code: String?
        public var name: String?
        public var subtype: String?
        public var mainType: MainType?
    }
    public struct Treatment: Codable, Sendable, Hashable {
        public var drugs: [Drug]
        /// `LEVEL_1` … `LEVEL_4`, `LEVEL_R1`, `LEVEL_R2`.
        public var level: String
        public var fdaLevel: String?
        public var levelAssociatedCancerType: CancerType?
        public var pmids: [String]?
        public var description: String?
    }
    public var query: Query?
    public var geneExist: Bool?
    public var variantExist: Bool?
    /// `Oncogenic`, `Likely Oncogenic`, `Likely Neutral`, `Inconclusive`, `Resistance`, `Unknown`.
    public var oncogenic: String?
    public var mutationEffect: MutationEffect?
    public var treatments: [Treatment]?
    public var dataVersion: String?
    public var lastUpdate: String?
}

/// OncoKB's answers for one report, keyed by alteration.
public struct OncoKBAnnotations: Sendable, Hashable {
    public var byKey: [String: OncoKBAnswer] = [:]
    public var dataVersion: String?

    public init(byKey: [String: OncoKBAnswer] = [:], dataVersion: String? = nil) {
        self.byKey = byKey
        self.dataVersion = dataVersion
    }

    /// The key an alteration is queried and looked up by (`BRAF p.V600E`, `ERBB2 amplification`, `EML4::ALK fusion`).
    public static func key(for a: Alteration) -> String? {
        switch a.kind {
        case .variant: return a.protein.map { "\(a.gene) \($0)" }
        case .amplification, .deletion, .fusion: return a.label
        case .tmbHigh, .msiHigh: return nil
        }
    }

    /// Whether an alteration is worth a query: OncoKB curates protein-changing variants, not silent or non-coding ones.
    @Sendable public static func worthAsking(_ a: Alteration) -> Bool {
        a.kind != .variant || (a.effect?.isNonSilentCoding ?? false)
    }

    public func answer(for a: Alteration) -> OncoKBAnswer? { Self.key(for: a).flatMap { byKey[$0] } }

    /// The therapeutic levels as evidence items, placed on OncoTree as the packs' items are. A level's cancer type is
    /// matched by its OncoTree code; OncoKB's "All Solid Tumors" is pan-solid and "All Tumors" pan-cancer.
    public func evidence(alterations: [Alteration], oncotree: OncoTree) -> [EvidenceItem] {
        var items: [EvidenceItem] = []
        var seen = Set<String>()
        for a in alterations {
            guard let key = Self.key(for: a), seen.insert(key).inserted, let answer = byKey[key] else { continue }
            let biomarker: Biomarker
            switch a.kind {
            case .variant:
                guard let protein = a.protein else { continue }
                biomarker = .proteinChange(gene: a.gene, change: protein)
            case .amplification: biomarker = .amplification(gene: a.gene)
            case .deletion: biomarker = .deletion(gene: a.gene)
            case .fusion: biomarker = .fusion(gene: a.gene, partner: a.partner)
            case .tmbHigh, .msiHigh: continue
            }
            for (n, t) in (answer.treatments ?? []).enumerated() {
                guard let placed = Self.level(t.level) else { continue }
                let cancer = t.levelAssociatedCancerType
                let name = cancer?.subtype ?? cancer?.name ?? cancer?.mainType?.name ?? ""
                let mainType = (cancer?.mainType?.name ?? name).lowercased()
                var scope = DiseaseScope.unmapped
                var codes: [String] = []
                if mainType == "all solid tumors" {
                    scope = .panSolid
                } else if mainType == "all tumors" {
                    scope = .panCancer
                } else if let code = cancer?.code, !code.isEmpty, (try? oncotree.node(for: code)) != nil {
                    scope = .specific
                    codes = [code.uppercased()]
                }
                let resistance = t.level.hasPrefix("LEVEL_R")
                let pmids = t.pmids ?? []
                items.append(
                    EvidenceItem(
                        source: "OncoKB", id: "OncoKB \(key) \(t.level) #\(n + 1)", biomarker: biomarker, disease: name,
                        oncotreeCodes: codes, scope: scope, type: .predictive,
                        significance: resistance ? "Resistance" : "Sensitivity/Response", supports: true, level: placed.level,
                        sourceLevel: t.level, therapies: [t.drugs.map(\.drugName).joined(separator: " + ")].filter { !$0.isEmpty },
                        approval: placed.approval, context: t.fdaLevel.map { "OncoKB FDA level \($0)" }, description: t.description ?? "",
                        citation: Citation(
                            text: "OncoKB \(dataVersion ?? "") \(t.level)" + (pmids.isEmpty ? "" : "; PMID " + pmids.joined(separator: ", ")),
                            pmid: pmids.first, doi: nil, url: "https://www.oncokb.org/gene/\(a.gene)", nct: nil)))
            }
        }
        return items
    }

    /// OncoKB's therapeutic level on the CIViC-letter scale the tiers read (PCGR: OncoKB 1/2/3A/3B strong, 4 weak), and
    /// what it says about approval. R1 (standard-care resistance) is strong, R2 (investigational resistance) weak.
    static func level(_ level: String) -> (level: String, approval: String?)? {
        switch level {
        case "LEVEL_1": return ("A", "FDA-approved")
        case "LEVEL_2": return ("A", "Guideline")
        case "LEVEL_3A": return ("B", nil)
        case "LEVEL_3B": return ("B", nil)
        case "LEVEL_4": return ("D", nil)
        case "LEVEL_R1": return ("A", nil)
        case "LEVEL_R2": return ("C", nil)
        default: return nil
        }
    }
}
