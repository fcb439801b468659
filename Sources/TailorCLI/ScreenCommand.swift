// All logic (reading, screening, rendering) lives in the Germline module and is covered by GermlineTests.
import ArgumentParser
import Foundation
import Germline

/// `tailor screen --vcf F --clinvar F`: ACMG secondary findings (P/LP variants in the ACMG SF genes, with each gene's rule).
struct ScreenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screen",
        abstract: "Screen a germline VCF for ACMG secondary findings (ClinVar pathogenic/likely pathogenic variants in the ACMG SF genes).",
        discussion: """
            Variants are matched to a ClinVar VCF you supply (NCBI's clinvar.vcf.gz of the VCF's assembly) on chromosome, position, \
            REF and ALT. Only Pathogenic, Likely_pathogenic and Pathogenic/Likely_pathogenic are reported; conflicting classifications \
            are listed as not reported, with the reason. Gene-specific rules of the ACMG SF table apply (biallelic for AR genes, TTN \
            truncating only, HFE p.Cys282Tyr homozygotes only). The ClinVar release and SF version are shown on every report. \
            With --no-consent nothing is screened: the report says the findings are withheld. Decision support for qualified clinicians.
            """
    )

    @Option(help: "The patient's VCF (plain, gzip or BGZF), ideally annotated with VEP (CSQ) or SnpEff (ANN).")
    var vcf: String

    @Option(help: "A ClinVar VCF (clinvar.vcf.gz from NCBI, same assembly as --vcf).")
    var clinvar: String

    @Option(name: .customLong("sf-version"), help: "ACMG SF list version: 3.2 (81 genes) or 3.3 (84 genes). Default 3.2.")
    var sfVersion: String = "3.2"

    @Option(help: "The VCF sample to screen (default: the first sample).")
    var proband: String?

    @Flag(name: .customLong("no-consent"), help: "The patient has not consented to receive secondary findings: report them as withheld.")
    var noConsent = false

    @Flag(help: "Print one JSON document.")
    var json = false

    func validate() throws {
        guard SFVersion(rawValue: sfVersion) != nil else { throw ValidationError("--sf-version must be 3.2 or 3.3") }
    }

    func run() async throws {
        do throws(any Error) {
            let list = try ACMGSecondaryFindingsList.bundled()
            let report: SecondaryFindingsReport
            if noConsent {
                // Nothing is read: no screening without consent.
                let empty = GermlineCallSet(path: vcf, samples: ["-"], variants: [], annotationTool: nil, frequencyFields: [], recordsRead: 0)
                report = SecondaryFindingsScreen.screen(
                    callSet: empty, proband: 0, clinVar: ClinVarDatabase(records: [], source: clinvar), list: list,
                    version: SFVersion(rawValue: sfVersion)!, receivesSecondaryFindings: false)
            } else {
                let clinVar = try ClinVarDatabase.load(path: clinvar)
                let callSet = try await GermlineCallSet.read(vcf, threads: ProcessInfo.processInfo.activeProcessorCount)
                try clinVar.checkSameBuild(as: callSet)
                for w in callSet.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
                let family = try FamilyContext(samples: callSet.samples, pedigree: nil, probandID: proband)
                report = SecondaryFindingsScreen.screen(
                    callSet: callSet, proband: family.proband.sample!, clinVar: clinVar, list: list, version: SFVersion(rawValue: sfVersion)!,
                    receivesSecondaryFindings: true)
            }
            if json {
                print(String(decoding: try GermlineJSON.encode(report), as: UTF8.self))
            } else {
                print(GermlineText.render(report))
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
