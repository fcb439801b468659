import ArgumentParser
import Foundation
import Germline
import Phenotype

/// `tailor diagnose --hpo HP:… [--vcf F [--ped F] [--clinvar F]]`: rank rare diseases and genes from phenotype, and
/// with a VCF, from phenotype and germline variants together.
struct DiagnoseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose",
        abstract: "Rank rare diseases and genes that explain a patient's HPO phenotype, optionally with the patient's germline VCF.",
        discussion: """
            Observed features (--hpo) and features looked for and found absent (--exclude) are matched against the \
            HPO disease annotations bundled with Tailor (HPO release shown in every report). Obsolete and alternative \
            HPO IDs are mapped to the current term with a note; IDs this release does not know are skipped with a \
            warning naming them; text that is not an HPO ID is an error. Each candidate comes with the matched terms \
            that support it and the features that count against it.
            With --vcf (annotated by VEP or SnpEff), variants are filtered (FILTER, frequency, consequence, ClinVar, \
            inheritance) with the reason kept for every filtered variant, scored Exomiser-style, checked against the \
            modes of inheritance HPO gives the gene's diseases (with --ped: segregation, de novo, compound heterozygosity \
            in trios), and combined with the phenotype score. --clinvar adds ClinVar classifications (P/LP variants \
            bypass the frequency filter). --phenopacket-out writes a GA4GH Phenopacket v2 with one interpretation per \
            candidate gene. Decision support for qualified clinicians; not a diagnosis.
            """
    )

    @Option(
        name: .customLong("hpo"),
        help: "Observed HPO terms, comma-separated and/or repeated (e.g. --hpo HP:0001250,HP:0001263).")
    var observed: [String] = []

    @Option(
        name: .customLong("exclude"),
        help: "HPO terms looked for and found absent, comma-separated and/or repeated; they count against diseases that usually show them.")
    var excluded: [String] = []

    @Option(help: "A GA4GH Phenopacket (v2 JSON): its phenotypicFeatures are used (excluded: true → --exclude), with any --hpo/--exclude added.")
    var phenopacket: String?

    @Option(help: "The patient's germline VCF (plain, gzip or BGZF), annotated with VEP (CSQ) or SnpEff (ANN).")
    var vcf: String?

    @Option(help: "A PED file (family, individual, father, mother, sex, phenotype) naming the VCF's samples; enables trio checks.")
    var ped: String?

    @Option(help: "A ClinVar VCF (NCBI clinvar.vcf.gz of the same assembly) for variant classifications.")
    var clinvar: String?

    @Option(help: "The proband's sample ID in the VCF/PED (default: the first affected PED member in the VCF, else the first sample).")
    var proband: String?

    @Option(name: .customLong("phenopacket-out"), help: "Write a GA4GH Phenopacket v2 (JSON) with the candidate genes and variants to this file.")
    var phenopacketOut: String?

    @Option(help: "How many genes and diseases to show (default 10).")
    var top: Int = 10

    @Flag(help: "Print one JSON document (candidates with scores and evidence; with --vcf every filtered variant with its reasons).")
    var json = false

    func validate() throws {
        if observed.isEmpty, phenopacket == nil { throw ValidationError("give observed HPO terms with --hpo, or a --phenopacket file") }
        guard (1...1000).contains(top) else { throw ValidationError("--top must be between 1 and 1000") }
        if vcf == nil {
            if ped != nil || clinvar != nil || proband != nil { throw ValidationError("--ped, --clinvar and --proband need --vcf") }
        }
        do {
            _ = try PhenotypeQuery(parsing: observed, excluded: excluded)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        do throws(any Error) {
            var query = try PhenotypeQuery(parsing: observed, excluded: excluded)
            var packet: Phenopacket?
            if let phenopacket {
                let p = try Phenopacket(contentsOf: phenopacket)
                let fromFile = try p.phenotypeQuery()
                query = PhenotypeQuery(observed: fromFile.observed + query.observed, excluded: fromFile.excluded + query.excluded)
                packet = p
            }
            let knowledge = try PhenotypeKnowledge.bundled()
            guard let vcf else {
                // Phenotype only, as before.
                let ranking = try knowledge.rank(query, limit: top)
                for warning in ranking.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
                if json {
                    print(String(decoding: try GermlineJSON.encode(ranking), as: UTF8.self))
                } else {
                    print(PhenotypeText.render(ranking, genes: top, diseases: top))
                }
                if phenopacketOut != nil {
                    FileHandle.standardError.write(Data("warning: --phenopacket-out needs --vcf (candidate variants); nothing written\n".utf8))
                }
                return
            }
            let callSet = try await GermlineCallSet.read(vcf, threads: ProcessInfo.processInfo.activeProcessorCount)
            let pedigree = try ped.map { try Pedigree.load(path: $0) }
            let sex: Sex =
                switch packet?.subject?.sex {
                case "MALE": .male
                case "FEMALE": .female
                default: .unknown
                }
            let family = try FamilyContext(samples: callSet.samples, pedigree: pedigree, probandID: proband, sex: sex)
            let clinVar = try clinvar.map { try ClinVarDatabase.load(path: $0) }
            try clinVar?.checkSameBuild(as: callSet)
            var options = DiagnosisOptions()
            options.limit = top
            let report = try GermlineDiagnosis.diagnose(
                knowledge: knowledge, query: query, callSet: callSet, family: family, clinVar: clinVar, options: options)
            for warning in report.input.warnings + report.phenotypeWarnings {
                FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
            }
            if let phenopacketOut {
                let id = packet?.id.map { $0 + "-tailor" } ?? "tailor-\(family.proband.member.id)"
                try PhenopacketOutput.json(report, id: id, subjectID: packet?.subject?.id, candidates: top)
                    .write(to: URL(fileURLWithPath: phenopacketOut))
            }
            if json {
                print(String(decoding: try GermlineJSON.encode(report), as: UTF8.self))
            } else {
                print(GermlineText.render(report, candidates: top))
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
