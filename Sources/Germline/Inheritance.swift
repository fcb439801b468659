import Foundation
public import Phenotype

/// A mode of inheritance a gene's variants are tested against.
public enum InheritanceMode: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case autosomalDominant = "AD"
    case autosomalRecessive = "AR"
    case xLinkedDominant = "XD"
    case xLinkedRecessive = "XR"
    case mitochondrial = "MT"

    public var name: String {
        switch self {
        case .autosomalDominant: return "autosomal dominant"
        case .autosomalRecessive: return "autosomal recessive"
        case .xLinkedDominant: return "X-linked dominant"
        case .xLinkedRecessive: return "X-linked recessive"
        case .mitochondrial: return "mitochondrial"
        }
    }

    public static func < (a: InheritanceMode, b: InheritanceMode) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// Exomiser's default maximum population frequency (percent) for one variant (dominant, homozygous recessive,
    /// hemizygous) and for each variant of a compound heterozygote.
    public var maxFrequencyPercent: Double {
        switch self {
        case .autosomalDominant, .autosomalRecessive, .xLinkedDominant, .xLinkedRecessive: return 0.1
        case .mitochondrial: return 0.2
        }
    }
    public static let compoundHeterozygousMaxFrequencyPercent = 2.0

    /// The modes an HPO inheritance term stands for: HP:0000006 AD, HP:0000007 AR, HP:0001417 X-linked (both),
    /// HP:0001419 XR, HP:0001423 XD, HP:0001427 mitochondrial, HP:0032113 semidominant (AD and AR). Other terms
    /// (Y-linked, digenic, multifactorial, somatic mosaicism, …) add none.
    public static func modes(hpoTerm id: HPOTermID) -> [InheritanceMode] {
        switch id.number {
        case 6: return [.autosomalDominant]
        case 7: return [.autosomalRecessive]
        case 1417: return [.xLinkedDominant, .xLinkedRecessive]
        case 1419: return [.xLinkedRecessive]
        case 1423: return [.xLinkedDominant]
        case 1427: return [.mitochondrial]
        case 32113: return [.autosomalDominant, .autosomalRecessive]
        default: return []
        }
    }

    /// Whether a variant on this (canonical) chromosome can act through this mode.
    func fits(contig: String) -> Bool {
        switch self {
        case .autosomalDominant, .autosomalRecessive: return Chromosome.isAutosome(contig)
        case .xLinkedDominant, .xLinkedRecessive: return Chromosome.isX(contig)
        case .mitochondrial: return Chromosome.isMitochondrial(contig)
        }
    }
}

extension PhenotypeKnowledge {
    /// The inheritance modes HPO annotates for a gene's diseases (union over its diseases; read-only query over
    /// `phenotype.hpoa` aspect I). Empty when the gene is unknown or none of its diseases has an inheritance term.
    public func inheritanceModes(ofGene symbol: String) -> Set<InheritanceMode> {
        guard let g = annotations.index(ofGene: symbol) else { return [] }
        var modes = Set<InheritanceMode>()
        for d in annotations.diseases(ofGene: g) {
            for t in annotations.inheritance(ofDisease: d) { modes.formUnion(InheritanceMode.modes(hpoTerm: ontology.id(at: t))) }
        }
        return modes
    }

    /// The inheritance modes of one disease (e.g. `OMIM:620398`).
    public func inheritanceModes(ofDisease id: String) -> Set<InheritanceMode> {
        guard let d = annotations.index(ofDisease: id) else { return [] }
        return Set(annotations.inheritance(ofDisease: d).flatMap { InheritanceMode.modes(hpoTerm: ontology.id(at: $0)) })
    }
}

/// The family around the proband: which VCF sample each pedigree member is, and who is affected.
public struct FamilyContext: Sendable {
    public struct Member: Sendable {
        public var member: PedigreeMember
        /// Column of this individual in the VCF, when sequenced.
        public var sample: Int?
    }
    public var proband: Member
    public var others: [Member]
    public var father: Member? { proband.member.father.flatMap { id in others.first { $0.member.id == id } } }
    public var mother: Member? { proband.member.mother.flatMap { id in others.first { $0.member.id == id } } }

    /// Links a pedigree to the VCF's samples. Without a pedigree the proband is `probandID` (default: the first sample)
    /// alone, affected, of sex `sex`.
    ///
    /// - Throws: ``GermlineError/inconsistent(_:)`` when the proband is not a VCF sample or not in the pedigree.
    public init(samples: [String], pedigree: Pedigree?, probandID: String?, sex: Sex = .unknown) throws {
        let id = probandID ?? pedigree?.members.first(where: { $0.status == .affected && samples.contains($0.id) })?.id ?? samples.first
        guard let id else { throw GermlineError.inconsistent("the VCF has no samples: genotypes are needed for germline analysis") }
        guard let column = samples.firstIndex(of: id) else {
            throw GermlineError.inconsistent("proband '\(id)' is not a sample of the VCF (samples: \(samples.joined(separator: ", ")))")
        }
        if let pedigree {
            guard var p = pedigree.member(id) else { throw GermlineError.inconsistent("proband '\(id)' is not in the PED file") }
            if p.sex == .unknown { p.sex = sex }
            proband = Member(member: p, sample: column)
            others = pedigree.members.filter { $0.id != id }.map { Member(member: $0, sample: samples.firstIndex(of: $0.id)) }
        } else {
            proband = Member(member: PedigreeMember(id: id, sex: sex, status: .affected), sample: column)
            others = []
        }
    }

    public init(proband: Member, others: [Member]) {
        self.proband = proband
        self.others = others
    }

    /// Members with a VCF column, with their genotype at `v`, excluding the proband.
    func relatives(_ v: GermlineVariant) -> [(member: PedigreeMember, zygosity: Zygosity)] {
        others.compactMap { m in m.sample.map { (m.member, v.genotypes[$0]) } }
    }

    func proband(_ v: GermlineVariant) -> Zygosity { v.genotypes[proband.sample!] }

    /// The proband's sex, inferred as male from a haploid X call when the pedigree does not say.
    func probandSex(_ v: GermlineVariant) -> Sex {
        if proband.member.sex != .unknown { return proband.member.sex }
        let z = proband(v)
        return Chromosome.isX(v.contig) && (z == .hemizygous || z == .hemizygousReference) ? .male : .unknown
    }

    /// True when both parents are sequenced, called homozygous reference, and the proband carries the variant.
    public func isDeNovo(_ v: GermlineVariant) -> Bool {
        guard proband(v).carriesAlt, let f = father?.sample, let m = mother?.sample else { return false }
        let ref: Set<Zygosity> = [.homozygousReference, .hemizygousReference]
        return ref.contains(v.genotypes[f]) && ref.contains(v.genotypes[m])
    }
}

/// How one gene's qualifying variants fit one mode of inheritance.
public struct ModeEvaluation: Sendable, Hashable, Codable {
    public var mode: InheritanceMode
    public var compatible: Bool
    /// Indices (into the gene's variant list) of the variants that make the genotype: one, or two for a recessive
    /// compound heterozygote (the same index twice for a homozygote).
    public var contributing: [Int]
    public var score: Double
    /// `heterozygous`, `homozygous`, `compound heterozygous`, `hemizygous`, …
    public var pattern: String
    /// Why each variant does not fit this mode (index → reason); empty when compatible.
    public var reasons: [Int: String]
}

enum InheritanceCheck {
    /// Evaluates `variants` (one gene, already past the variant filters, with `scores`) under `mode`.
    static func evaluate(
        _ variants: [GermlineVariant], scores: [Double], whitelisted: [Bool], mode: InheritanceMode, family: FamilyContext
    ) -> ModeEvaluation {
        var reasons: [Int: String] = [:]
        func freqOK(_ i: Int, limit: Double) -> Bool {
            whitelisted[i] || (variants[i].frequency.percent.map { $0 <= limit } ?? true)
        }
        func freqReason(_ i: Int, limit: Double) -> String {
            String(format: "%@: population frequency %.3g%% (%@) above the %.3g%% allowed", mode.rawValue, variants[i].frequency.percent ?? 0,
                   variants[i].frequency.source ?? "?", limit)
        }
        var singles: [Int] = []  // variants that alone make a compatible genotype
        var hets: [Int] = []  // recessive: heterozygous variants that could pair
        for (i, v) in variants.enumerated() {
            guard mode.fits(contig: v.contig) else {
                reasons[i] = "\(mode.rawValue): variant on chromosome \(v.chrom) cannot act through \(mode.name) inheritance"
                continue
            }
            let z = family.proband(v)
            let sex = family.probandSex(v)
            let relatives = family.relatives(v)
            func segregation(affectedNeed: (Zygosity) -> Bool, unaffectedForbid: (PedigreeMember, Zygosity) -> Bool) -> String? {
                for (m, rz) in relatives where rz.isCalled {
                    if m.status == .affected && !affectedNeed(rz) { return "affected relative \(m.id) is \(rz.rawValue)" }
                    if m.status == .unaffected && unaffectedForbid(m, rz) { return "unaffected relative \(m.id) is \(rz.rawValue)" }
                }
                return nil
            }
            switch mode {
            case .autosomalDominant, .xLinkedDominant:
                // AD: a heterozygous proband (a homozygote is left to the recessive modes); XD: any carrier.
                guard mode == .autosomalDominant ? z == .heterozygous : z.carriesAlt else {
                    if z.carriesAlt { reasons[i] = "\(mode.rawValue): the proband is \(z.rawValue), not heterozygous" }
                    continue
                }
                if let r = segregation(affectedNeed: { $0.carriesAlt }, unaffectedForbid: { $1.carriesAlt }) {
                    reasons[i] = "\(mode.rawValue): does not segregate: \(r)"
                } else if !freqOK(i, limit: mode.maxFrequencyPercent) {
                    reasons[i] = freqReason(i, limit: mode.maxFrequencyPercent)
                } else {
                    singles.append(i)
                }
            case .mitochondrial:
                guard z.carriesAlt else { continue }
                if !freqOK(i, limit: mode.maxFrequencyPercent) { reasons[i] = freqReason(i, limit: mode.maxFrequencyPercent) } else { singles.append(i) }
            case .autosomalRecessive, .xLinkedRecessive:
                let xMale = mode == .xLinkedRecessive && sex == .male
                let biallelic = z == .homozygousAlternate || (xMale && z.carriesAlt) || z == .hemizygous
                if biallelic {
                    // A parent called homozygous reference cannot have passed the allele on (XR male: only the mother matters).
                    var r: String?
                    if xMale {
                        if let f = family.father?.sample, variants[i].genotypes[f].carriesAlt, family.father?.member.status == .unaffected {
                            r = "unaffected father carries an X-linked allele of a male proband (fathers pass on Y)"
                        }
                    } else {
                        for parent in [family.father, family.mother].compactMap({ $0 }) {
                            if let s = parent.sample, [.homozygousReference, .hemizygousReference].contains(variants[i].genotypes[s]) {
                                r = "\(parent.member.id) (parent) is homozygous reference, so the proband cannot be homozygous by inheritance"
                            }
                        }
                    }
                    if r == nil {
                        r = segregation(
                            affectedNeed: { $0 == .homozygousAlternate || $0 == .hemizygous },
                            unaffectedForbid: { m, rz in rz == .homozygousAlternate || (m.sex == .male && mode == .xLinkedRecessive && rz.carriesAlt) })
                    }
                    if let r {
                        reasons[i] = "\(mode.rawValue): does not segregate: \(r)"
                    } else if !freqOK(i, limit: mode.maxFrequencyPercent) {
                        reasons[i] = freqReason(i, limit: mode.maxFrequencyPercent)
                    } else {
                        singles.append(i)
                    }
                } else if z == .heterozygous {
                    if let r = segregation(affectedNeed: { $0.carriesAlt }, unaffectedForbid: { _, rz in rz == .homozygousAlternate }) {
                        reasons[i] = "\(mode.rawValue): does not segregate: \(r)"
                    } else if !freqOK(i, limit: InheritanceMode.compoundHeterozygousMaxFrequencyPercent) {
                        reasons[i] = freqReason(i, limit: InheritanceMode.compoundHeterozygousMaxFrequencyPercent)
                    } else {
                        hets.append(i)
                    }
                }
            }
        }
        var best: (score: Double, contributing: [Int], pattern: String)?
        for i in singles {
            let z = family.proband(variants[i])
            let pattern: String =
                switch z {
                case .homozygousAlternate: "homozygous"
                case .hemizygous: "hemizygous"
                case .heterozygous:
                    mode == .xLinkedRecessive ? "hemizygous (called heterozygous)" : family.isDeNovo(variants[i]) ? "heterozygous, de novo" : "heterozygous"
                default: z.rawValue
                }
            let recessive = mode == .autosomalRecessive || mode == .xLinkedRecessive
            if best == nil || scores[i] > best!.score {
                best = (scores[i], recessive && z == .homozygousAlternate ? [i, i] : [i], pattern)
            }
        }
        if mode == .autosomalRecessive || mode == .xLinkedRecessive {
            var pairReasons: [Int: String] = [:]
            for a in 0..<hets.count {
                for b in (a + 1)..<max(a + 1, hets.count) {
                    let (i, j) = (hets[a], hets[b])
                    if let r = cisReason(variants[i], variants[j], family: family) {
                        pairReasons[i] = pairReasons[i] ?? r
                        pairReasons[j] = pairReasons[j] ?? r
                        continue
                    }
                    let s = (scores[i] + scores[j]) / 2
                    if best == nil || s > best!.score { best = (s, [i, j], "compound heterozygous") }
                }
            }
            for i in hets where best?.contributing.contains(i) != true && reasons[i] == nil {
                reasons[i] =
                    pairReasons[i].map { "\(mode.rawValue): \($0)" }
                    ?? "\(mode.rawValue): heterozygous with no second qualifying variant in the gene"
            }
        }
        guard let best else {
            return ModeEvaluation(mode: mode, compatible: false, contributing: [], score: 0, pattern: "", reasons: reasons)
        }
        return ModeEvaluation(mode: mode, compatible: true, contributing: best.contributing, score: best.score, pattern: best.pattern, reasons: reasons)
    }

    /// Why two heterozygous variants cannot be a compound heterozygote (on the same parental allele), or nil.
    static func cisReason(_ a: GermlineVariant, _ b: GermlineVariant, family: FamilyContext) -> String? {
        if let s = family.proband.sample, a.haplotype[s] >= 0, b.haplotype[s] >= 0, a.haplotype[s] == b.haplotype[s] {
            return "\(a.label) and \(b.label) are phased on the same haplotype (in cis)"
        }
        if let f = family.father?.sample, let m = family.mother?.sample {
            let (fa, fb, ma, mb) = (a.genotypes[f], b.genotypes[f], a.genotypes[m], b.genotypes[m])
            if fa.isCalled && fb.isCalled && ma.isCalled && mb.isCalled {
                if fa.carriesAlt && fb.carriesAlt && !ma.carriesAlt && !mb.carriesAlt {
                    return "\(a.label) and \(b.label) were both inherited from the father (in cis)"
                }
                if ma.carriesAlt && mb.carriesAlt && !fa.carriesAlt && !fb.carriesAlt {
                    return "\(a.label) and \(b.label) were both inherited from the mother (in cis)"
                }
            }
        }
        for m in family.others where m.member.status == .unaffected {
            if let s = m.sample, a.genotypes[s].carriesAlt, b.genotypes[s].carriesAlt, m.member.id != family.proband.member.father,
                m.member.id != family.proband.member.mother
            {
                return "unaffected relative \(m.member.id) carries both \(a.label) and \(b.label)"
            }
        }
        return nil
    }
}
