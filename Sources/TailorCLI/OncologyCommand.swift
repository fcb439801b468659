import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
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

    @Option(
        name: .customLong("gene-roles"),
        help: "Oncogene/tumour-suppressor roles (TSV: COSMIC Cancer Gene Census, CancerMine, or gene + role), for PCGR's Tier III rule and the OVS1/OM2 criteria. Not shipped.")
    var geneRoles: String?

    @Flag(
        help: """
            Also ask OncoKB, with your own API token (ONCOKB_API_TOKEN or --oncokb-token-file). Off by default; sends gene, \
            protein change, copy-number/fusion calls and the tumour type (no patient or sample identifier). OncoKB's terms apply.
            """)
    var oncokb = false

    @Option(name: .customLong("oncokb-token-file"), help: "File holding the OncoKB API token (instead of ONCOKB_API_TOKEN).")
    var oncokbTokenFile: String?

    @Option(name: .customLong("oncokb-url"), help: "OncoKB API base (default \(OncoKBClient.defaultBaseURL)).")
    var oncokbURL: String?

    @Option(
        name: .customLong("tmb-definition"),
        help: "Which count decides TMB-high (all three are reported): coding-and-silent (default; Chalmers 2017, FoundationOne CDx), non-silent, or missense.")
    var tmbDefinition: String = TMBDefinition.codingAndSilent.rawValue

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
        if TMBDefinition(rawValue: tmbDefinition) == nil {
            throw ValidationError("--tmb-definition takes \(TMBDefinition.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if !oncokb && (oncokbTokenFile != nil || oncokbURL != nil) { throw ValidationError("--oncokb-token-file and --oncokb-url need --oncokb") }
    }

    /// The OncoKB token: from the file, else the environment; never from a flag, where it would show in the process list.
    func oncokbToken() throws -> String {
        if let oncokbTokenFile {
            guard let data = FileManager.default.contents(atPath: oncokbTokenFile) else {
                throw ValidationError("--oncokb-token-file \(oncokbTokenFile) cannot be read")
            }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else { throw ValidationError("--oncokb-token-file \(oncokbTokenFile) is empty") }
            return token
        }
        guard let token = ProcessInfo.processInfo.environment["ONCOKB_API_TOKEN"], !token.isEmpty else {
            throw ValidationError("--oncokb needs your OncoKB API token in ONCOKB_API_TOKEN or --oncokb-token-file (https://www.oncokb.org/account/register)")
        }
        return token
    }

    func run() async throws {
        do throws(any Error) {
            var roles: [String: GeneRole] = [:]
            if let geneRoles {
                guard let data = FileManager.default.contents(atPath: geneRoles) else { throw ValidationError("--gene-roles \(geneRoles) cannot be read") }
                roles = try GeneRole.table(String(decoding: data, as: UTF8.self), path: geneRoles)
            }
            var request = OncologyRequest(
                tumourType: tumorType, files: files, assayMb: assayMb, tumourOnly: tumorOnly,
                msiHigh: msi.map { ["high", "msi-h"].contains($0.lowercased()) }, useMOAlmanac: !noMOAlmanac, civicFile: civic,
                siteMatching: primarySiteMatching ? .primarySite : .lineage, geneRoles: roles,
                threads: max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount))
            request.tmbDefinition = TMBDefinition(rawValue: tmbDefinition) ?? .codingAndSilent
            if oncokb {
                // The process-wide client needs no shutdown, so no exit path can leave one running.
                request.oncokb = OncoKBClient(baseURL: oncokbURL ?? OncoKBClient.defaultBaseURL, token: try oncokbToken(), transport: Self.transport(.shared))
            }
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

    /// OncoKB over AsyncHTTPClient: one POST per batch, 60 s timeout, at most 16 MB of answer.
    static func transport(_ client: HTTPClient) -> OncoKBClient.Transport {
        { request in
            var http = HTTPClientRequest(url: request.url)
            http.method = .POST
            for (name, value) in request.headers { http.headers.add(name: name, value: value) }
            http.body = .bytes(ByteBuffer(bytes: request.body))
            let response = try await client.execute(http, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 16 << 20)
            return (Int(response.status.code), Data(body.readableBytesView))
        }
    }
}
