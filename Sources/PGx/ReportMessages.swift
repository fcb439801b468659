public import Knowledge
import Foundation

/// PharmCAT's report messages (`reporter/messages.json`): caveats attached to particular calls (e.g. "*1/*13;
/// however, *6/*8 cannot be ruled out without phased data") and notes attached to drugs. Authored by PharmCAT's
/// curators; shown as written, with their rule name.
public struct ReportMessages: Sendable {
    public struct Rule: Sendable, Hashable {
        public var name: String
        /// `ambiguity`, `note`, `footnote`, …
        public var kind: String
        public var text: String
        public var gene: String?
        public var dips: [String]
        public var hapsCalled: [String]
        public var hapsMissing: [String]
        public var variantsMissing: [String]
        public var variants: [String]
        public var drugs: [String]
    }

    public var rules: [Rule] {
        didSet { byGene = Dictionary(grouping: rules.filter { $0.gene != nil }, by: { $0.gene! }) }
    }
    /// The rules about each gene, so a call looks only at its own.
    public private(set) var byGene: [String: [Rule]] = [:]

    public init(rules: [Rule]) {
        self.rules = rules
        byGene = Dictionary(grouping: rules.filter { $0.gene != nil }, by: { $0.gene! })
    }

    /// Reads the rules from the pack.
    public init(pack: KnowledgePack) throws(KnowledgeError) {
        let path = "reporter/messages.json"
        let bytes = try pack.data(path)
        guard let list = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [[String: Any]] else {
            throw KnowledgeError(pack: pack.manifest.name, path: path, message: "not a list of message rules")
        }
        let rules = try list.map { (entry) throws(KnowledgeError) -> Rule in
            guard let name = entry["rule_name"] as? String, let text = entry["message"] as? String,
                let matches = entry["matches"] as? [String: Any]
            else { throw KnowledgeError(pack: pack.manifest.name, path: path, message: "a rule without name, message or matches") }
            func strings(_ key: String) -> [String] {
                if let list = matches[key] as? [String] { return list }
                if let one = matches[key] as? String { return [one] }
                return []
            }
            return Rule(
                name: name, kind: (entry["exception_type"] as? String) ?? "", text: text, gene: matches["gene"] as? String,
                dips: strings("dips"), hapsCalled: strings("hapsCalled"), hapsMissing: strings("hapsMissing"),
                variantsMissing: strings("variantsMissing"), variants: strings("variant"), drugs: strings("drugs"))
        }
        self.init(rules: rules)
    }

    /// The rules about a gene's call that apply: every condition a rule names must hold (PharmCAT's MessageHelper).
    /// Only calls made from the VCF get them; a rule about ambiguity in unphased data does not apply to phased data.
    ///
    /// - Parameters:
    ///   - labels: the gene's diplotype labels (`*1/*13`);
    ///   - alleles: the alleles of the diplotypes used for the recommendation;
    ///   - missing: rsIDs of the gene's missing positions;
    ///   - heterozygous: rsIDs at which the sample is heterozygous; `present`: rsIDs with a call.
    public func forGene(
        _ gene: String, labels: [String], alleles: Set<String>, phased: Bool, missing: Set<String>, heterozygous: Set<String>,
        present: Set<String>
    ) -> [Rule] {
        (byGene[gene] ?? []).filter { rule in
            guard rule.kind != "non-match", rule.kind != "report-as-genotype" else { return false }
            // "Uncalled haplotypes" are not tracked: such rules are left out rather than guessed.
            guard rule.hapsMissing.isEmpty else { return false }
            if !rule.dips.isEmpty {
                if rule.kind == "ambiguity" && phased { return false }
                guard rule.dips.allSatisfy(labels.contains) else { return false }
            }
            guard rule.hapsCalled.allSatisfy(alleles.contains) else { return false }
            guard rule.variantsMissing.allSatisfy(missing.contains) else { return false }
            for variant in rule.variants {
                guard present.contains(variant), !missing.contains(variant) else { return false }
                if rule.kind == "ambiguity" && !heterozygous.contains(variant) { return false }
            }
            return true
        }
    }

    /// Notes about a drug that hold whatever the genotype (rules with drugs and no gene): e.g. that the phenytoin
    /// recommendation assumes HLA-B*15:02 status is known. Rules named `…cpic-…` / `…dpwg-…` apply to that source only.
    public func forDrug(_ drug: String, source: String) -> [Rule] {
        rules.filter { rule in
            guard rule.gene == nil, rule.drugs.contains(drug) else { return false }
            let name = rule.name.lowercased()
            if name.contains("cpic-") { return source == "CPIC" }
            if name.contains("dpwg-") { return source == "DPWG" }
            return true
        }
    }
}
