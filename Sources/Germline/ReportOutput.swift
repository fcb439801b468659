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
/// variants as genomic interpretations (status CANDIDATE), so downstream tools can read Tailor's result. Assembled
/// from ``PhenopacketWriter``, the writer the server's per-patient export uses too.
public enum PhenopacketOutput {
    /// GENO allelic-state terms as phenopackets use them.
    static func allelicState(_ z: Zygosity) -> PhenopacketWriter.AllelicState? {
        switch z {
        case .heterozygous: return .heterozygous
        case .homozygousAlternate: return .homozygous
        case .hemizygous: return .hemizygous
        default: return nil
        }
    }

    /// The phenopacket as a JSON object.
    public static func object(_ r: DiagnosticReport, id: String, subjectID: String? = nil, assembly: String = "hg38", candidates limit: Int = 10,
                              created: Date = Date()) -> [String: Any] {
        var features: [[String: Any]] = []
        for t in r.observed { if let u = t.used { features.append(PhenopacketWriter.feature(id: u.description, label: t.name ?? "")) } }
        for t in r.excluded { if let u = t.used { features.append(PhenopacketWriter.feature(id: u.description, label: t.name ?? "", excluded: true)) } }
        let subject = subjectID ?? r.input.proband
        var interpretations: [[String: Any]] = []
        for c in r.candidates.prefix(limit) {
            let genomic = c.variants.map { v in
                var expressions: [(syntax: String, value: String)] = []
                if let c = v.hgvsc { expressions.append(("hgvs.c", c)) }
                if let p = v.hgvsp { expressions.append(("hgvs.p", p)) }
                let descriptor = PhenopacketWriter.VariationDescriptor(
                    id: "\(v.chrom)-\(v.position)-\(v.ref)-\(v.alt)", geneID: c.ncbiGeneID.map { "NCBIGene:\($0)" } ?? c.gene, geneSymbol: c.gene,
                    expressions: expressions,
                    vcf: PhenopacketWriter.VCFRecord(assembly: assembly, chrom: v.chrom, position: v.position, ref: v.ref, alt: v.alt),
                    allelicState: allelicState(v.genotype))
                return PhenopacketWriter.genomicInterpretation(subject: subject, status: "CANDIDATE", descriptor: descriptor, acmg: PhenopacketWriter.acmgClassification(v.clinVar?.classification.rawValue))
            }
            interpretations.append(
                PhenopacketWriter.interpretation(
                    id: "\(id)-candidate-\(c.rank)-\(c.gene)", progressStatus: "IN_PROGRESS", disease: c.diseaseID.map { ($0, c.diseaseName ?? "") },
                    genomic: genomic,
                    summary: String(format: "Tailor rank %d, combined score %.3f (phenotype %.2f, variants %.2f, %@ %@)", c.rank, c.combinedScore,
                                    c.phenotypeScore, c.variantScore, c.mode.rawValue, c.genotypePattern)))
        }
        let sex = r.input.probandSex == .male ? "MALE" : r.input.probandSex == .female ? "FEMALE" : "UNKNOWN_SEX"
        return PhenopacketWriter.document(
            id: id, subject: PhenopacketWriter.subject(id: subject, sex: sex), features: features, interpretations: interpretations, created: created,
            resources: [.hpo(version: r.hpo.version), .geno])
    }

    /// The phenopacket as pretty-printed JSON bytes.
    public static func json(_ r: DiagnosticReport, id: String, subjectID: String? = nil, assembly: String = "hg38", candidates limit: Int = 10,
                            created: Date = Date()) throws -> Data {
        try PhenopacketWriter.json(object(r, id: id, subjectID: subjectID, assembly: assembly, candidates: limit, created: created))
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
