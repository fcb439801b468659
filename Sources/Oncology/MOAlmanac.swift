/// Turns MOAlmanac assertions (the pack's `derived/assertions.tsv`) into evidence items.
enum MOAlmanac {
    static func evidence(tsv: String, levels: [String: String], oncotree: OncoTree) -> ([EvidenceItem], [String: Int]) {
        let rows = tsvRows(tsv)
        guard let header = rows.first else { return ([], [:]) }
        var column: [String: Int] = [:]
        for (i, name) in header.enumerated() { column[name] = i }
        var items: [EvidenceItem] = []
        var skipped: [String: Int] = [:]
        for row in rows.dropFirst() where row.count == header.count {
            func f(_ key: String) -> String { column[key].map { row[$0] } ?? "" }
            let featureType = f("feature_type")
            guard let biomarker = biomarker(featureType: featureType, field: f) else {
                skipped[featureType.isEmpty ? "unknown feature" : featureType, default: 0] += 1
                continue
            }
            guard let level = levels[f("predictive_implication")] else {
                skipped["unknown predictive implication", default: 0] += 1
                continue
            }
            let (codes, scope) = resolveDisease(code: f("oncotree_code"), term: f("oncotree_term"), oncotree: oncotree)
            // One assertion can state sensitivity, resistance or prognosis.
            var statements: [(EvidenceType, String, Bool)] = []
            if f("therapy_sensitivity") == "1" { statements.append((.predictive, "Sensitivity/Response", true)) }
            if f("therapy_sensitivity") == "0" { statements.append((.predictive, "Sensitivity/Response", false)) }
            if f("therapy_resistance") == "1" { statements.append((.predictive, "Resistance", true)) }
            if f("favorable_prognosis") == "1" { statements.append((.prognostic, "Better Outcome", true)) }
            if f("favorable_prognosis") == "0" { statements.append((.prognostic, "Poor Outcome", true)) }
            if statements.isEmpty {
                skipped["no sensitivity, resistance or prognosis stated", default: 0] += 1
                continue
            }
            let implication = f("predictive_implication")
            for (type, significance, supports) in statements {
                items.append(
                    EvidenceItem(
                        source: "MOAlmanac", id: "MOA assertion \(f("assertion_id"))", biomarker: biomarker,
                        disease: f("disease").isEmpty ? f("oncotree_term") : f("disease"), oncotreeCodes: codes, scope: scope, type: type,
                        significance: significance, supports: supports, level: level, sourceLevel: implication,
                        therapies: f("therapy_name").isEmpty ? [] : [f("therapy_name")],
                        approval: implication == "FDA-Approved" ? "FDA-approved" : implication == "Guideline" ? "Guideline" : nil,
                        context: f("context").isEmpty ? nil : f("context"), description: f("description"),
                        citation: Citation(
                            text: f("citation"), pmid: f("pmid").isEmpty ? nil : f("pmid"), doi: f("doi").isEmpty ? nil : f("doi"),
                            url: f("url").isEmpty ? nil : f("url"), nct: f("nct").isEmpty ? nil : f("nct"))))
            }
        }
        return (items, skipped)
    }

    /// The biomarker of an assertion, or `nil` for features that a tumour profile does not carry here
    /// (germline variants, mutational signatures, knockdowns, aneuploidy, MSS).
    static func biomarker(featureType: String, field f: (String) -> String) -> Biomarker? {
        switch featureType {
        case "Somatic Variant":
            let gene = f("gene")
            guard !gene.isEmpty else { return nil }
            let effects = effectSet(f("variant_annotation"))
            if let change = ProteinChange(hgvs: f("protein_change")) {
                return change.rest.isEmpty ? .codon(gene: gene, reference: change.reference, position: change.position)
                    : .proteinChange(gene: gene, change: change)
            }
            if let exon = Int(f("exon")) { return .exon(gene: gene, exon: exon, effects: effects) }
            return .gene(gene: gene, effects: effects)
        case "Copy Number":
            switch f("direction") {
            case "Amplification": return .amplification(gene: f("gene"))
            case "Deletion": return .deletion(gene: f("gene"))
            default: return nil
            }
        case "Rearrangement":
            let gene = f("gene1")
            guard !gene.isEmpty, ["Fusion", "Translocation", ""].contains(f("rearrangement_type")) else { return nil }
            return .fusion(gene: gene, partner: f("gene2").isEmpty ? nil : f("gene2"))
        case "Microsatellite Stability":
            return f("status") == "MSI-High" ? .msiHigh : nil
        case "Mutational Burden":
            return f("classification") == "High" ? .tmbHigh : nil
        default:
            return nil
        }
    }

    /// MOAlmanac's `variant_annotation` as coding effects (empty = any mutation).
    static func effectSet(_ annotation: String) -> Set<CodingEffect> {
        switch annotation {
        case "", "Activating mutation": return []
        default:
            let effect = CodingEffect(annotation: annotation)
            return effect == .noncoding ? [] : [effect]
        }
    }
}

/// Places a source's disease in OncoTree: a current or retired code first, then the exact OncoTree name;
/// "any solid tumor" and pan-cancer terms get their own scope; anything else is unmapped (never on-label).
func resolveDisease(code: String, term: String, oncotree: OncoTree, extraMap: [String: String] = [:]) -> ([String], DiseaseScope) {
    if !code.isEmpty {
        let nodes = oncotree.resolve(code)
        if !nodes.isEmpty { return (nodes.map(\.code), .specific) }
    }
    let lower = term.lowercased()
    if let mapped = extraMap[lower] ?? extraMap[code.lowercased()] {
        if mapped.uppercased() == "ANY" { return ([], .panCancer) }
        let nodes = oncotree.resolve(mapped)
        if !nodes.isEmpty { return (nodes.map(\.code), .specific) }
    }
    switch lower {
    case "any solid tumor", "solid tumor", "solid tumour": return ([], .panSolid)
    case "cancer", "any cancer type", "pan-cancer": return ([], .panCancer)
    default: break
    }
    if let node = oncotree.nodes.values.first(where: { $0.name.lowercased() == lower && $0.level > 0 }) { return ([node.code], .specific) }
    return ([], .unmapped)
}
