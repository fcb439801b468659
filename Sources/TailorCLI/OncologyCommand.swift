import ArgumentParser
import Foundation
import Oncology

/// `tailor oncology --tumor-type CODE [--assay-mb N] [--tumor-only] FILE…`: actionable tumour alterations, tiered.
struct OncologyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oncology",
        abstract: "Actionable tumour alterations with AMP/ASCO/CAP tiers, matched therapies, TMB and MSI hints.",
        discussion: """
            FILE… are any mix of: a tumour VCF annotated by Ensembl VEP (--hgvs; CSQ) or SnpEff (ANN); a MAF (Hugo_Symbol, \
            Variant_Classification, HGVSp_Short); a gene-level copy-number table (gene + call or copy_number); a fusion table \
            (PCGR FusionGene, STAR-Fusion, or gene5 + gene3). Each file's kind is recognised from its content. \
            Tiers follow PCGR's implementation of AMP/ASCO/CAP 2017; evidence comes from the knowledge packs (MOAlmanac, research \
            use only, shown with its disclaimer) and an optional CIViC export. Decision support for a molecular tumour board; not \
            a diagnosis.
            """
    )

    @Option(name: .customLong("tumor-type"), help: "OncoTree code of the tumour (e.g. LUAD, IDC, SKCM), or ANY for a tumour-agnostic run.")
    var tumorType: String

    @Option(name: .customLong("assay-mb"), help: "Callable size of the assay in megabases (needed for TMB; e.g. 34 for a typical exome).")
    var assayMb: Double?

    @Flag(name: .customLong("tumor-only"), help: "Tumour sequenced without a matched normal (TMB and MSI hints carry caveats).")
    var tumorOnly = false

    @Option(help: "MSI status measured by the lab: high or stable.")
    var msi: String?

    @Option(help: "A CIViC nightly ClinicalEvidenceSummaries.tsv to add as evidence (CC0; not shipped).")
    var civic: String?

    @Flag(name: .customLong("no-moalmanac"), help: "Do not use the MOAlmanac pack (GPL-2.0, research use only).")
    var noMOAlmanac = false

    @Flag(name: .customLong("primary-site-matching"), help: "Count evidence for any tumour of the same primary site as on-label (PCGR's rule); default: the OncoTree lineage.")
    var primarySiteMatching = false

    @Flag(help: "Print one JSON document.")
    var json = false

    @Option(help: "Worker threads for reading VCFs (default: all cores).")
    var threads: Int?

    @Argument(help: "Input files (annotated VCF, MAF, copy-number table, fusion table).")
    var files: [String]

    func validate() throws {
        if let assayMb, assayMb <= 0 { throw ValidationError("--assay-mb must be positive") }
        if let msi, !["high", "stable", "msi-h", "mss"].contains(msi.lowercased()) { throw ValidationError("--msi takes high or stable") }
        if files.isEmpty { throw ValidationError("give at least one input file") }
    }

    func run() async throws {
        do throws(any Error) {
            let request = OncologyRequest(
                tumourType: tumorType, files: files, assayMb: assayMb, tumourOnly: tumorOnly,
                msiHigh: msi.map { ["high", "msi-h"].contains($0.lowercased()) }, useMOAlmanac: !noMOAlmanac, civicFile: civic,
                siteMatching: primarySiteMatching ? .primarySite : .lineage,
                threads: max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount))
            let report = try await OncologyAnalysis.run(request)
            if json {
                print(String(decoding: try report.json(), as: UTF8.self))
            } else {
                print(OncologyText.render(report), terminator: "")
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
