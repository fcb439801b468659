/// One OncoTree node.
public struct OncoTreeNode: Codable, Sendable, Hashable {
    public var code: String
    public var name: String
    public var mainType: String
    /// The level-1 tissue, e.g. `Breast`.
    public var tissue: String
    public var parent: String?
    public var level: Int
}

/// How evidence curated for one tumour type relates to the patient's.
///
/// AMP/ASCO/CAP tiers turn on whether evidence is for "this tumour type"; Tailor decides that through the OncoTree
/// hierarchy: the patient's own node, a broader node it descends from (evidence for BRCA applies to IDC), or a
/// narrower node below it (evidence for IDC when the diagnosis is recorded as BRCA) is on-label. A different branch
/// of the same tissue is PCGR's "matching primary site", on-label only under ``SiteMatching/primarySite``.
public enum TumourTypeMatch: String, Codable, Sendable, Hashable {
    case exact
    /// The evidence names an ancestor of the patient's tumour type.
    case broader
    /// The evidence names a descendant of the patient's tumour type.
    case narrower
    /// Same OncoTree tissue (PCGR primary site), another branch.
    case samePrimarySite
    /// Evidence curated for any cancer type (pan-cancer, tumour-agnostic).
    case panCancer
    case otherTumourType
}

/// Which evidence counts as "this tumour type".
public enum SiteMatching: String, Codable, Sendable {
    /// The tumour type's own lineage in OncoTree (the node, its ancestors below the tissue root, its descendants).
    case lineage
    /// PCGR's rule: any evidence for the same primary site (OncoTree tissue).
    case primarySite

    public func isOnLabel(_ match: TumourTypeMatch) -> Bool {
        switch match {
        case .exact, .broader, .narrower: return true
        case .samePrimarySite: return self == .primarySite
        case .panCancer, .otherTumourType: return false
        }
    }
}

/// The OncoTree cancer-type ontology (CC BY 4.0, MSK), read from the oncology pack's flat table.
public struct OncoTree: Sendable {
    public private(set) var nodes: [String: OncoTreeNode] = [:]
    /// Retired codes (history, precursors, revocations) → the current codes that took them over.
    public private(set) var retired: [String: [String]] = [:]
    /// OncoTree tissue → PCGR primary site name.
    public var primarySites: [String: String] = [:]
    public let release: String

    /// Reads `oncotree_<date>.tsv` (columns code, name, main_type, tissue, parent, level, umls, nci, history,
    /// precursors, revocations).
    public init(tsv: String, release: String) throws(OncologyError) {
        self.release = release
        let lines = tsv.split(whereSeparator: \.isNewline)
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init),
            let code = header.firstIndex(of: "code"), let name = header.firstIndex(of: "name"),
            let main = header.firstIndex(of: "main_type"), let tissue = header.firstIndex(of: "tissue"),
            let parent = header.firstIndex(of: "parent"), let level = header.firstIndex(of: "level")
        else { throw OncologyError.knowledge("the OncoTree table lacks its header (code, name, main_type, tissue, parent, level)") }
        let others = ["history", "precursors", "revocations"].compactMap { header.firstIndex(of: $0) }
        for line in lines.dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == header.count else { continue }
            nodes[f[code]] = OncoTreeNode(
                code: f[code], name: f[name], mainType: f[main], tissue: f[tissue], parent: f[parent].isEmpty ? nil : f[parent],
                level: Int(f[level]) ?? 0)
            for column in others {
                for old in f[column].split(separator: "|") where !old.isEmpty { retired[String(old), default: []].append(f[code]) }
            }
        }
    }

    /// The current node(s) for a code: itself, or the nodes that replaced a retired code (ALL → BLL, TLL).
    public func resolve(_ code: String) -> [OncoTreeNode] {
        let upper = code.uppercased()
        if let node = nodes[upper] { return [node] }
        return (retired[upper] ?? []).compactMap { nodes[$0] }
    }

    /// The node for the patient's tumour type, or an error naming the closest codes.
    public func node(for code: String) throws(OncologyError) -> OncoTreeNode {
        let found = resolve(code.trimmingWhitespace)
        if found.count == 1 { return found[0] }
        throw OncologyError.unknownTumourType(code: code, suggestions: found.isEmpty ? suggestions(for: code) : found.map(\.code))
    }

    /// Codes ranked by closeness: edit distance on the code, then names containing the text.
    public func suggestions(for text: String, limit: Int = 5) -> [String] {
        let query = text.trimmingWhitespace.uppercased()
        let lower = query.lowercased()
        let scored: [(Int, String)] = nodes.values.compactMap { node in
            guard node.level > 0 else { return nil }
            var score = editDistance(query, node.code) * 10
            if node.code.hasPrefix(query) || query.hasPrefix(node.code) { score -= 5 }
            let name = node.name.lowercased()
            if name == lower { score = -20 } else if lower.count >= 3, name.contains(lower) { score = min(score, 5) }
            return score <= 30 ? (score, node.code) : nil
        }
        return scored.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(limit).map(\.1)
    }

    /// Codes from the node up to (not including) the tissue root, nearest first.
    public func lineage(of code: String) -> [String] {
        var out: [String] = []
        var current: String? = code
        while let c = current, let node = nodes[c], node.level > 0 {
            out.append(c)
            current = node.parent
        }
        return out
    }

    /// How evidence for `evidenceCode` relates to a patient with `patientCode` (both current codes).
    public func relation(patient: String, evidence: String) -> TumourTypeMatch {
        if patient == evidence { return .exact }
        let up = lineage(of: patient)
        if up.contains(evidence) { return .broader }
        if lineage(of: evidence).contains(patient) { return .narrower }
        if let a = nodes[patient], let b = nodes[evidence], a.tissue == b.tissue, !a.tissue.isEmpty { return .samePrimarySite }
        return .otherTumourType
    }

    /// Whether the tumour type is haematological (OncoTree tissue Lymphoid or Myeloid): evidence for
    /// "any solid tumour" does not apply to it.
    public func isHaematological(_ code: String) -> Bool { ["Lymphoid", "Myeloid"].contains(nodes[code]?.tissue ?? "") }
}

func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.utf8)
    let y = Array(b.utf8)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var current = previous
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}

extension StringProtocol {
    var trimmingWhitespace: String {
        String(drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
