import BGZF
import Foundation
import GenomicFiles
import Germline
import Knowledge
import Records
import VCF

/// ACMG secondary findings over an uploaded germline VCF, against the ClinVar release the installation supplies
/// (`clinvar` setting): one `germline.secondary` finding per reported gene, with the variants, the gene's rule and the
/// ClinVar records as evidence.
///
/// Screening runs whatever the consent, and the findings are kept, because consent can change after the analysis and
/// re-sequencing to answer a later "yes" would be absurd; whether they are *shown* is decided on every read by
/// ``Finding/visible(under:)`` (the store's findings reads apply it), so a patient who has not opted in never sees them,
/// nor does their clinician. Without a configured ClinVar file the analyser is not installed at all.
struct GermlineGenomeAnalyser: GenomeAnalyser {
    let name = "germline"
    let version = "1"
    let datasetKinds: Set<DatasetKind> = [.germlineVCF]
    let knowledge: [String: String]
    let list: ACMGSecondaryFindingsList
    let clinVar: ClinVarDatabase
    let sfVersion: SFVersion

    /// Loads the bundled ACMG SF list and the ClinVar VCF (which names its release in `##fileDate`).
    static func load(clinvar path: String, version: SFVersion = .v3_2) throws -> GermlineGenomeAnalyser {
        let pack = try KnowledgePack.bundled("acmg-sf")
        let list = try ACMGSecondaryFindingsList.load(from: pack)
        let clinVar = try ClinVarDatabase.load(path: path)
        return GermlineGenomeAnalyser(
            knowledge: [pack.manifest.name: pack.manifest.version, "clinvar": clinVar.label], list: list, clinVar: clinVar, sfVersion: version)
    }

    func analyse(_ file: ReadableFile, sample: String, progress: @escaping @Sendable (Double) async -> Void) async throws -> [FindingDraft] {
        let vcf = try VCFFile(file: file)
        guard let proband = vcf.header.sampleIndex(sample) else { throw AnalysisError("sample '\(sample)' is not in the file") }
        let callSet = try await GermlineCallSet.read(vcf, name: "the stored genome")
        try clinVar.checkSameBuild(as: callSet)
        await progress(0.7)
        let report = SecondaryFindingsScreen.screen(
            callSet: callSet, proband: proband, clinVar: clinVar, list: list, version: sfVersion, receivesSecondaryFindings: true)
        await progress(0.9)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        struct Evidence: Encodable {
            var finding: SecondaryFinding
            var sfVersion: String
            var clinVar: String
            var policy: String
        }
        return try report.findings.map { finding in
            let variants = finding.variants.map { v in v.hgvsp ?? v.hgvsc ?? "\(v.chrom):\(v.position) \(v.ref)>\(v.alt)" }
            let classification = Set(finding.variants.map(\.clinVar.classification.rawValue)).sorted().joined(separator: ", ")
            return FindingDraft(
                kind: Finding.secondaryFindingKind, subject: finding.gene,
                summary: "\(finding.gene) \(variants.joined(separator: " + ")): \(classification) (\(finding.basis)); \(finding.condition), "
                    + "ACMG SF v\(report.sfVersion)",
                label: variants.joined(separator: " + "), interpretation: classification,
                evidence: String(
                    decoding: try encoder.encode(Evidence(finding: finding, sfVersion: report.sfVersion, clinVar: report.clinVar, policy: report.policy)),
                    as: UTF8.self))
        }
    }
}
