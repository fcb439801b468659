public import Foundation
import Phenotype

/// Readable text of germline reports.
public enum GermlineText {
    static func percent(_ p: Double?) -> String { p.map { String(format: "%.3g%%", $0) } ?? "unknown" }

    static func variantLine(_ v: VariantEvidence) -> String {
        var parts = ["\(v.label)"]
        if let g = v.gene { parts.append(g) }
        if let c = v.consequence { parts.append(c.term) }
        if let p = v.hgvsp ?? v.hgvsc { parts.append(p) }
        parts.append(v.genotype.rawValue + (v.deNovo ? " (de novo)" : ""))
        if let fam = v.familyGenotypes, !fam.isEmpty {
            parts.append(fam.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.rawValue)" }.joined(separator: ", "))
        }
        parts.append("freq \(percent(v.frequencyPercent))\(v.frequencySource.map { " (\($0))" } ?? "")")
        if let cv = v.clinVar { parts.append(cv.summary) }
        parts.append(String(format: "score %.2f (pathogenicity %.2f × frequency %.2f)", v.variantScore, v.pathogenicityScore, v.frequencyScore))
        return parts.joined(separator: " | ")
    }

    /// The diagnostic report as text: inputs, each candidate with its phenotype and variant evidence, filter counts,
    /// secondary findings (separately), versions and attributions.
    public static func render(_ r: DiagnosticReport, candidates limit: Int = 10) -> String {
        var out: [String] = []
        out.append("Phenotype + genotype ranking (HPO \(r.hpo.version)\(r.input.clinVar.map { ", \($0)" } ?? ""))")
        out.append(r.disclaimer)
        out.append("")
        out.append("Proband \(r.input.proband) (sex \(r.input.probandSex.rawValue)); VCF \(r.input.vcf): \(r.input.recordsRead) records, \(r.input.allelesRead) ALT alleles")
        if !r.input.relatives.isEmpty { out.append("Relatives sequenced: \(r.input.relatives.joined(separator: ", "))") }
        out.append("Annotation: \(r.input.annotation ?? "none"); frequency fields: \(r.input.frequencyFields.isEmpty ? "none (all unknown)" : r.input.frequencyFields.joined(separator: ", "))")
        for n in r.input.notes { out.append("note: \(n)") }
        for w in r.input.warnings + r.phenotypeWarnings { out.append("warning: \(w)") }
        out.append("Observed: " + r.observed.compactMap { t in t.used.map { "\($0) \(t.name ?? "")" } }.joined(separator: "; "))
        if !r.excluded.isEmpty { out.append("Excluded: " + r.excluded.compactMap { t in t.used.map { "\($0) \(t.name ?? "")" } }.joined(separator: "; ")) }
        out.append("")
        out.append("Candidate genes (\(r.candidateGenes) with a genotype compatible with a mode of inheritance):")
        if r.candidates.isEmpty { out.append("  none") }
        for c in r.candidates.prefix(limit) {
            let disease = c.diseaseID.map { " — \($0) \(c.diseaseName ?? "")" } ?? " — not in the HPO annotations (no phenotype evidence)"
            out.append(
                String(format: "%d. %@ combined %.3f (phenotype %.2f%@, variants %.2f) %@ %@%@", c.rank, c.gene, c.combinedScore, c.phenotypeScore,
                       c.phenotypeRank.map { ", phenotype rank \($0)" } ?? "", c.variantScore, c.mode.rawValue, c.genotypePattern, disease))
            if !c.annotatedModes.isEmpty { out.append("   HPO inheritance: " + c.annotatedModes.map(\.name).joined(separator: ", ")) }
            for v in c.variants { out.append("   variant: " + variantLine(v)) }
            for m in c.phenotypeMatches.prefix(8) { out.append("   phenotype: " + m) }
        }
        out.append("")
        out.append("Filtered variants: \(r.filteredVariants.count) (every one keeps its reasons in the JSON output)")
        for (code, n) in r.filterSummary.sorted(by: { $0.key < $1.key }) { out.append("  \(code): \(n)") }
        let shown = Set(r.candidates.prefix(limit).map(\.gene))
        let inCandidates = r.filteredVariants.filter { $0.gene.map(shown.contains) ?? false }
        if !inCandidates.isEmpty {
            out.append("  in the candidate genes above:")
            for v in inCandidates.prefix(20) { out.append("   \(v.label) \(v.gene ?? ""): " + v.filterReasons.map(\.message).joined(separator: "; ")) }
        }
        if let sf = r.secondaryFindings {
            out.append("")
            out += renderSecondary(sf)
        }
        out.append("")
        out.append("Method: \(r.method)")
        out.append(r.hpo.attribution)
        return out.joined(separator: "\n")
    }

    /// Secondary findings, always a section of their own (never mixed with diagnostic candidates).
    public static func renderSecondary(_ sf: SecondaryFindingsReport) -> [String] {
        var out = ["Secondary findings (ACMG SF v\(sf.sfVersion), \(sf.clinVar)) — reported separately from the diagnostic findings"]
        if sf.status == .withheld {
            out.append("  " + (sf.message ?? SecondaryFindingsReport.withheldMessage))
            return out
        }
        out.append("  \(sf.genesScreened) genes screened")
        if sf.findings.isEmpty { out.append("  No reportable secondary findings.") }
        for f in sf.findings {
            out.append("  \(f.gene) (\(f.category); \(f.condition); \(f.inheritance)): \(f.basis)")
            for v in f.variants {
                out.append("    \(v.chrom):\(v.position) \(v.ref)>\(v.alt) \(v.genotype.rawValue) \(v.hgvsp ?? v.hgvsc ?? "") — \(v.clinVar.summary)")
            }
        }
        if !sf.notReported.isEmpty {
            out.append("  Not reported:")
            for n in sf.notReported { out.append("    \(n.variant.chrom):\(n.variant.position) \(n.variant.ref)>\(n.variant.alt) \(n.gene): \(n.reason)") }
        }
        out.append("  " + sf.policy)
        return out
    }

    /// Stand-alone screening report text.
    public static func render(_ sf: SecondaryFindingsReport) -> String {
        (renderSecondary(sf) + ["Decision support for qualified clinicians; confirm findings in a clinical laboratory before disclosure."])
            .joined(separator: "\n")
    }
}

/// GA4GH Phenopacket v2 output: the patient's features and one interpretation per candidate gene, each with its
/// variants as genomic interpretations (status CANDIDATE), so downstream tools can read Tailor's result.
public enum PhenopacketOutput {
    /// GENO allelic-state terms as phenopackets use them.
    static func allelicState(_ z: Zygosity) -> [String: String]? {
        switch z {
        case .heterozygous: return ["id": "GENO:0000135", "label": "heterozygous"]
        case .homozygousAlternate: return ["id": "GENO:0000136", "label": "homozygous"]
        case .hemizygous: return ["id": "GENO:0000134", "label": "hemizygous"]
        default: return nil
        }
    }

    /// The phenopacket as a JSON object.
    public static func object(_ r: DiagnosticReport, id: String, subjectID: String? = nil, assembly: String = "hg38", candidates limit: Int = 10,
                              created: Date = Date()) -> [String: Any] {
        var features: [[String: Any]] = []
        for t in r.observed { if let u = t.used { features.append(["type": ["id": u.description, "label": t.name ?? ""]]) } }
        for t in r.excluded { if let u = t.used { features.append(["type": ["id": u.description, "label": t.name ?? ""], "excluded": true]) } }
        let subject = subjectID ?? r.input.proband
        var interpretations: [[String: Any]] = []
        for c in r.candidates.prefix(limit) {
            var genomic: [[String: Any]] = []
            for v in c.variants {
                var descriptor: [String: Any] = [
                    "id": "\(v.chrom)-\(v.position)-\(v.ref)-\(v.alt)",
                    "geneContext": ["valueId": c.ncbiGeneID.map { "NCBIGene:\($0)" } ?? c.gene, "symbol": c.gene],
                    "vcfRecord": ["genomeAssembly": assembly, "chrom": v.chrom, "pos": v.position, "ref": v.ref, "alt": v.alt],
                    "moleculeContext": "genomic",
                ]
                var expressions: [[String: String]] = []
                if let c = v.hgvsc { expressions.append(["syntax": "hgvs.c", "value": c]) }
                if let p = v.hgvsp { expressions.append(["syntax": "hgvs.p", "value": p]) }
                if !expressions.isEmpty { descriptor["expressions"] = expressions }
                if let s = allelicState(v.genotype) { descriptor["allelicState"] = s }
                var classification = "NOT_PROVIDED"
                if let cv = v.clinVar {
                    switch cv.classification {
                    case .pathogenic, .pathogenicLikelyPathogenic: classification = "PATHOGENIC"
                    case .likelyPathogenic: classification = "LIKELY_PATHOGENIC"
                    case .uncertain, .conflicting: classification = "UNCERTAIN_SIGNIFICANCE"
                    case .likelyBenign: classification = "LIKELY_BENIGN"
                    case .benign, .benignLikelyBenign: classification = "BENIGN"
                    case .other: break
                    }
                }
                genomic.append([
                    "subjectOrBiosampleId": subject, "interpretationStatus": "CANDIDATE",
                    "variantInterpretation": ["acmgPathogenicityClassification": classification, "variationDescriptor": descriptor],
                ])
            }
            var diagnosis: [String: Any] = ["genomicInterpretations": genomic]
            if let d = c.diseaseID { diagnosis["disease"] = ["id": d, "label": c.diseaseName ?? ""] }
            interpretations.append([
                "id": "\(id)-candidate-\(c.rank)-\(c.gene)", "progressStatus": "IN_PROGRESS", "diagnosis": diagnosis,
                "summary": String(format: "Tailor rank %d, combined score %.3f (phenotype %.2f, variants %.2f, %@ %@)", c.rank, c.combinedScore,
                                  c.phenotypeScore, c.variantScore, c.mode.rawValue, c.genotypePattern),
            ])
        }
        let formatter = ISO8601DateFormatter()
        var resources: [[String: Any]] = [[
            "id": "hp", "name": "human phenotype ontology", "url": "http://purl.obolibrary.org/obo/hp.owl", "version": r.hpo.version,
            "namespacePrefix": "HP", "iriPrefix": "http://purl.obolibrary.org/obo/HP_",
        ]]
        resources.append([
            "id": "geno", "name": "Genotype Ontology", "url": "http://purl.obolibrary.org/obo/geno.owl", "version": "unknown",
            "namespacePrefix": "GENO", "iriPrefix": "http://purl.obolibrary.org/obo/GENO_",
        ])
        return [
            "id": id,
            "subject": ["id": subject, "sex": r.input.probandSex == .male ? "MALE" : r.input.probandSex == .female ? "FEMALE" : "UNKNOWN_SEX"],
            "phenotypicFeatures": features,
            "interpretations": interpretations,
            "metaData": [
                "created": formatter.string(from: created), "createdBy": "Tailor", "phenopacketSchemaVersion": "2.0", "resources": resources,
            ],
        ]
    }

    /// The phenopacket as pretty-printed JSON bytes.
    public static func json(_ r: DiagnosticReport, id: String, subjectID: String? = nil, assembly: String = "hg38", candidates limit: Int = 10,
                            created: Date = Date()) throws -> Data {
        try JSONSerialization.data(
            withJSONObject: object(r, id: id, subjectID: subjectID, assembly: assembly, candidates: limit, created: created),
            options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}

/// JSON encoding used by the CLI and server for germline reports.
public enum GermlineJSON {
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(value)
    }
}
