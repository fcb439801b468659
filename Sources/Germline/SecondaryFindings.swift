import Foundation
public import Knowledge

/// A gene-specific ACMG SF reporting rule, read from the `variants_to_report` column.
public enum SFReportingRule: Sendable, Hashable, Codable {
    /// `All P/LP…`: any pathogenic or likely pathogenic variant (the column's parenthesised note is kept).
    case allPathogenic(note: String?)
    /// `Biallelic P/LP only…`: two P/LP alleles (homozygous, or two different variants: presumed compound heterozygous).
    case biallelic
    /// `P/LP truncating variants only`.
    case truncatingOnly
    /// `<GENE> p.Xxx000Yyy (…) homozygotes only`: that protein change, homozygous.
    case homozygousProteinChange(String)

    /// Reads the column text; nil for text this code does not know (the pack loader then refuses the table, so a new
    /// rule can never be silently misapplied).
    public init?(text: String) {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("All P/LP") {
            let rest = t.dropFirst("All P/LP".count).trimmingCharacters(in: .whitespaces)
            self = .allPathogenic(note: rest.isEmpty ? nil : rest.trimmingCharacters(in: CharacterSet(charactersIn: "()")))
        } else if t.hasPrefix("Biallelic P/LP only") {
            self = .biallelic
        } else if t == "P/LP truncating variants only" {
            self = .truncatingOnly
        } else if t.hasSuffix("homozygotes only"), let p = t.split(separator: " ").first(where: { $0.hasPrefix("p.") }) {
            self = .homozygousProteinChange(String(p))
        } else {
            return nil
        }
    }
}

/// One gene of the ACMG SF list.
public struct SFGene: Sendable, Hashable, Codable {
    public var gene: String
    public var ncbiGeneID: Int?
    public var category: String
    public var condition: String
    public var inheritance: String
    public var variantsToReport: String
    public var rule: SFReportingRule
    public var versionAdded: String
    public var inV3_2: Bool
    public var inV3_3: Bool
}

public enum SFVersion: String, Sendable, Hashable, Codable, CaseIterable {
    case v3_2 = "3.2"
    case v3_3 = "3.3"
}

/// The ACMG SF table (`acmg-sf` pack).
public struct ACMGSecondaryFindingsList: Sendable {
    public var genes: [SFGene]
    public var packVersion: String?

    public func genes(version: SFVersion) -> [SFGene] { genes.filter { version == .v3_2 ? $0.inV3_2 : $0.inV3_3 } }

    /// Parses `acmg_sf_genes.tsv`.
    ///
    /// - Throws: ``GermlineError/malformed(file:line:message:)`` for a missing column or an unknown reporting rule.
    public static func parse(_ text: String, file: String = "acmg_sf_genes.tsv") throws -> ACMGSecondaryFindingsList {
        var columns: [String: Int] = [:]
        var genes: [SFGene] = []
        try LineReader.forEachLine(text: text) { line, number in
            if line.isEmpty { return }
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if columns.isEmpty {
                for (i, name) in f.enumerated() { columns[name] = i }
                for needed in ["gene", "ncbi_gene_id", "category", "condition", "inheritance", "variants_to_report", "sf_version_added", "in_sf_v3_2", "in_sf_v3_3"]
                where columns[needed] == nil {
                    throw GermlineError.malformed(file: file, line: number, message: "no '\(needed)' column")
                }
                return
            }
            guard f.count == columns.count else {
                throw GermlineError.malformed(file: file, line: number, message: "expected \(columns.count) columns, found \(f.count)")
            }
            func c(_ name: String) -> String { f[columns[name]!] }
            guard let rule = SFReportingRule(text: c("variants_to_report")) else {
                throw GermlineError.malformed(file: file, line: number, message: "unknown reporting rule '\(c("variants_to_report"))' for \(c("gene"))")
            }
            genes.append(
                SFGene(
                    gene: c("gene"), ncbiGeneID: Int(c("ncbi_gene_id")), category: c("category"), condition: c("condition"),
                    inheritance: c("inheritance"), variantsToReport: c("variants_to_report"), rule: rule, versionAdded: c("sf_version_added"),
                    inV3_2: c("in_sf_v3_2") == "yes", inV3_3: c("in_sf_v3_3") == "yes"))
        }
        return ACMGSecondaryFindingsList(genes: genes, packVersion: nil)
    }

    /// Loads the table from an `acmg-sf` pack (digest-checked).
    public static func load(from pack: KnowledgePack) throws -> ACMGSecondaryFindingsList {
        let bytes: [UInt8]
        do { bytes = try pack.data("acmg_sf_genes.tsv") } catch { throw GermlineError.knowledge("\(error)") }
        var list = try parse(String(decoding: bytes, as: UTF8.self))
        list.packVersion = pack.manifest.version
        return list
    }

    /// The `acmg-sf` pack compiled into this build.
    public static func bundled() throws -> ACMGSecondaryFindingsList {
        do { return try load(from: try KnowledgePack.bundled("acmg-sf")) } catch let e as GermlineError { throw e } catch {
            throw GermlineError.knowledge("\(error)")
        }
    }
}

/// A reported secondary finding: a gene of the list with the P/LP variant(s) that meet its rule.
public struct SecondaryFinding: Sendable, Hashable, Codable {
    public var gene: String
    public var category: String
    public var condition: String
    public var inheritance: String
    public var rule: String
    /// Why the rule is met (e.g. `homozygous`, `two P/LP variants (presumed compound heterozygous, phase unknown)`).
    public var basis: String
    public var variants: [SFVariant]
}

/// A variant considered for secondary findings, with its ClinVar record.
public struct SFVariant: Sendable, Hashable, Codable {
    public var chrom: String
    public var position: Int
    public var ref: String
    public var alt: String
    public var genotype: Zygosity
    public var consequence: Consequence?
    public var hgvsc: String?
    public var hgvsp: String?
    public var clinVar: ClinVarRecord
}

/// A P/LP (or conflicting) variant in a listed gene that is not reported, and why.
public struct SFNotReported: Sendable, Hashable, Codable {
    public var gene: String
    public var variant: SFVariant
    public var reason: String
}

/// Result of screening: findings (only with consent), what was not reported and why, and the versions used.
public struct SecondaryFindingsReport: Sendable, Hashable, Codable {
    public enum Status: String, Sendable, Codable { case screened, withheld }
    public var status: Status
    /// For `withheld`: the reason.
    public var message: String?
    public var sfVersion: String
    public var genesScreened: Int
    public var clinVar: String
    public var findings: [SecondaryFinding]
    public var notReported: [SFNotReported]
    public var policy: String

    public static let withheldMessage = "withheld: the patient has not consented to receive secondary findings"
}

public enum SecondaryFindingsScreen {
    static let policy =
        "ACMG SF policy: only ClinVar Pathogenic, Likely pathogenic or Pathogenic/Likely pathogenic variants in listed genes, with each "
        + "gene's rule (variants_to_report); conflicting classifications and VUS are never reported; genes outside the list are never "
        + "reported as ACMG SF. The list is a minimum; secondary-findings analysis is opt-out for the patient."

    /// Screens the proband's variants against the ACMG SF list using ClinVar.
    ///
    /// - Parameters:
    ///   - receivesSecondaryFindings: the patient's consent. When false nothing is screened or returned beyond the
    ///     withheld message.
    ///   - proband: the VCF column of the patient.
    public static func screen(
        callSet: GermlineCallSet, proband: Int, clinVar: ClinVarDatabase, list: ACMGSecondaryFindingsList, version: SFVersion = .v3_2,
        receivesSecondaryFindings: Bool
    ) -> SecondaryFindingsReport {
        let genes = list.genes(version: version)
        guard receivesSecondaryFindings else {
            return SecondaryFindingsReport(
                status: .withheld, message: SecondaryFindingsReport.withheldMessage, sfVersion: version.rawValue, genesScreened: 0,
                clinVar: clinVar.label, findings: [], notReported: [], policy: policy)
        }
        let byGene = Dictionary(uniqueKeysWithValues: genes.map { ($0.gene, $0) })
        // Candidate P/LP or conflicting variants per listed gene.
        var perGene: [String: [SFVariant]] = [:]
        var notReported: [SFNotReported] = []
        for v in callSet.variants {
            let z = v.genotypes[proband]
            guard z.carriesAlt, let cv = clinVar.lookup(v) else { continue }
            let patientGenes = v.annotations.map(\.gene)
            guard let gene = (cv.genes + patientGenes).first(where: { byGene[$0] != nil }) else { continue }
            let annotation = v.annotations.first { $0.gene == gene }
            let consequence = annotation?.consequence ?? cv.molecularConsequences.min { $0.severityRank < $1.severityRank }
            var sf = SFVariant(
                chrom: v.chrom, position: v.position, ref: v.ref, alt: v.alt, genotype: z, consequence: consequence, hgvsc: annotation?.hgvsc,
                hgvsp: annotation?.hgvsp, clinVar: cv)
            if cv.classification == .conflicting {
                notReported.append(
                    SFNotReported(
                        gene: gene, variant: sf,
                        reason: "ClinVar has conflicting classifications of pathogenicity\(cv.conflicts.map { " (\($0))" } ?? ""): not reported"))
                continue
            }
            guard cv.classification.isPathogenicOrLikelyPathogenic else { continue }
            if let a = annotation, a.hgvsp == nil, let p = a.proteinChanges.first { sf.hgvsp = p }
            perGene[gene, default: []].append(sf)
        }
        var findings: [SecondaryFinding] = []
        for gene in perGene.keys.sorted() {
            let info = byGene[gene]!
            let variants = perGene[gene]!
            func report(_ basis: String, _ vs: [SFVariant]) {
                findings.append(
                    SecondaryFinding(
                        gene: gene, category: info.category, condition: info.condition, inheritance: info.inheritance, rule: info.variantsToReport,
                        basis: basis, variants: vs))
            }
            func skip(_ vs: [SFVariant], _ reason: String) {
                notReported += vs.map { SFNotReported(gene: gene, variant: $0, reason: reason) }
            }
            switch info.rule {
            case .allPathogenic(let note):
                report("P/LP variant present" + (note.map { " (rule note: \($0))" } ?? ""), variants)
            case .truncatingOnly:
                let truncating = variants.filter { $0.consequence?.isTruncating == true }
                let other = variants.filter { $0.consequence?.isTruncating != true }
                if !truncating.isEmpty { report("P/LP truncating variant", truncating) }
                for v in other {
                    skip([v], "\(gene): only truncating P/LP variants are reported; this one is \(v.consequence?.term ?? "of unknown consequence")")
                }
            case .biallelic:
                let homozygous = variants.filter { $0.genotype == .homozygousAlternate }
                if !homozygous.isEmpty {
                    report("homozygous P/LP variant", homozygous)
                } else if variants.count >= 2 {
                    report("two P/LP variants (presumed compound heterozygous; phase not established)", variants)
                } else {
                    skip(variants, "\(gene) is reported only with two P/LP alleles (biallelic); a single heterozygous P/LP variant is a carrier state")
                }
            case .homozygousProteinChange(let protein):
                let matching = variants.filter { v in matches(v, protein: protein, callSet: callSet) }
                let hom = matching.filter { $0.genotype == .homozygousAlternate }
                if !hom.isEmpty { report("\(protein) homozygous", hom) }
                for v in variants where !hom.contains(v) {
                    let reason: String
                    if matching.contains(v) {
                        reason = "\(gene): only \(protein) homozygotes are reported; this one is \(v.genotype.rawValue)"
                    } else if v.hgvsp == nil {
                        reason = "\(gene): only \(protein) homozygotes are reported; the VCF annotation gives no protein change to confirm it"
                    } else {
                        reason = "\(gene): only \(protein) homozygotes are reported; this variant is \(v.hgvsp!)"
                    }
                    skip([v], reason)
                }
            }
        }
        return SecondaryFindingsReport(
            status: .screened, message: nil, sfVersion: version.rawValue, genesScreened: genes.count, clinVar: clinVar.label, findings: findings,
            notReported: notReported, policy: policy)
    }

    /// Whether a variant's protein change is `protein` (three-letter HGVS, with or without a transcript prefix; the
    /// one-letter form too, e.g. p.Cys282Tyr = p.C282Y).
    static func matches(_ v: SFVariant, protein: String, callSet: GermlineCallSet) -> Bool {
        let short = oneLetter(protein)
        let names = callSet.variants.first { $0.key == "\(Chromosome.canonical(v.chrom))-\(v.position)-\(v.ref)-\(v.alt)" }?
            .annotations.flatMap(\.proteinChanges) ?? []
        return (names + [v.hgvsp].compactMap { $0 }).contains { name in
            let p = name.split(separator: ":").last.map(String.init) ?? name
            let bare = p.replacingOccurrences(of: "(", with: "").replacingOccurrences(of: ")", with: "")
            return bare == protein || (short != nil && bare == short)
        }
    }

    static func oneLetter(_ protein: String) -> String? {
        let codes = [
            "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E", "Gly": "G", "His": "H", "Ile": "I", "Leu": "L",
            "Lys": "K", "Met": "M", "Phe": "F", "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V",
        ]
        let body = protein.dropFirst(2)
        guard protein.hasPrefix("p."), body.count >= 7, let a = codes[String(body.prefix(3))], let b = codes[String(body.suffix(3))] else { return nil }
        return "p.\(a)\(body.dropFirst(3).dropLast(3))\(b)"
    }
}
