import Foundation
import Testing
@testable import Germline
import Phenotype

@Suite struct InheritanceTests {
    func evaluate(_ vs: [GermlineVariant], _ mode: InheritanceMode, _ family: FamilyContext) -> ModeEvaluation {
        InheritanceCheck.evaluate(vs, scores: vs.map { _ in 0.6 }, whitelisted: vs.map { _ in false }, mode: mode, family: family)
    }

    @Test(arguments: [
        // (proband genotype, mode, compatible)
        (Zygosity.heterozygous, InheritanceMode.autosomalDominant, true),
        (.homozygousAlternate, .autosomalRecessive, true),
        (.heterozygous, .autosomalRecessive, false),  // a single het is only a carrier
        (.homozygousReference, .autosomalDominant, false),
        (.homozygousAlternate, .autosomalDominant, false),  // left to the recessive modes
    ])
    func singletonAutosomal(z: Zygosity, mode: InheritanceMode, compatible: Bool) {
        let e = evaluate([variant(1, gene: "G", [z])], mode, singleton())
        #expect(e.compatible == compatible)
    }

    @Test func dominantSegregationInTrio() {
        // Inherited from an unaffected father: does not segregate with a fully penetrant dominant disease.
        let inherited = evaluate([variant(1, gene: "G", [.heterozygous, .heterozygous, .homozygousReference])], .autosomalDominant, trio())
        #expect(!inherited.compatible)
        #expect(inherited.reasons[0]?.contains("unaffected relative dad") == true)
        // De novo: both parents called homozygous reference.
        let v = variant(1, gene: "G", [.heterozygous, .homozygousReference, .homozygousReference])
        let deNovo = evaluate([v], .autosomalDominant, trio())
        #expect(deNovo.compatible)
        #expect(deNovo.pattern == "heterozygous, de novo")
        #expect(trio().isDeNovo(v))
        // A missing parent genotype is not evidence either way.
        #expect(!trio().isDeNovo(variant(1, gene: "G", [.heterozygous, .missing, .homozygousReference])))
    }

    @Test func recessiveHomozygousNeedsCarrierParents() {
        #expect(evaluate([variant(1, gene: "G", [.homozygousAlternate, .heterozygous, .heterozygous])], .autosomalRecessive, trio()).compatible)
        let e = evaluate([variant(1, gene: "G", [.homozygousAlternate, .homozygousReference, .heterozygous])], .autosomalRecessive, trio())
        #expect(!e.compatible)
        #expect(e.reasons[0]?.contains("homozygous reference") == true)
    }

    /// Two hets in one gene: one from each parent → compatible; both from one parent (in cis) → not.
    @Test(arguments: [
        ([Zygosity.heterozygous, .heterozygous, .homozygousReference], [Zygosity.heterozygous, .homozygousReference, .heterozygous], true),
        ([.heterozygous, .homozygousReference, .heterozygous], [.heterozygous, .heterozygous, .homozygousReference], true),
        ([.heterozygous, .heterozygous, .homozygousReference], [.heterozygous, .heterozygous, .homozygousReference], false),
        ([.heterozygous, .homozygousReference, .heterozygous], [.heterozygous, .homozygousReference, .heterozygous], false),
        ([.heterozygous, .missing, .missing], [.heterozygous, .missing, .missing], true),  // parents not called: presumed
    ])
    func compoundHeterozygousInTrio(a: [Zygosity], b: [Zygosity], compatible: Bool) {
        let e = evaluate([variant(1, gene: "G", a), variant(2, gene: "G", b, alt: "T")], .autosomalRecessive, trio())
        #expect(e.compatible == compatible)
        if compatible {
            #expect(e.contributing == [0, 1] && e.pattern == "compound heterozygous")
        } else {
            #expect(e.reasons[0]?.contains("in cis") == true && e.reasons[1]?.contains("in cis") == true)
        }
    }

    @Test func phasedInCisIsNotCompoundHeterozygous() {
        let a = variant(1, gene: "G", [.heterozygous], haplotype: [0])
        let b = variant(2, gene: "G", [.heterozygous], haplotype: [0])
        #expect(!evaluate([a, b], .autosomalRecessive, singleton()).compatible)
        let c = variant(2, gene: "G", [.heterozygous], haplotype: [1])
        #expect(evaluate([a, c], .autosomalRecessive, singleton()).compatible)
    }

    /// X-linked recessive: a hemizygous male is compatible; the same in a female heterozygote is not; autosomal modes reject chrX.
    @Test(arguments: [
        (Sex.male, Zygosity.hemizygous, InheritanceMode.xLinkedRecessive, true),
        (.unknown, .hemizygous, .xLinkedRecessive, true),  // a haploid X call implies a male
        (.male, .homozygousAlternate, .xLinkedRecessive, true),
        (.female, .heterozygous, .xLinkedRecessive, false),
        (.female, .heterozygous, .xLinkedDominant, true),
        (.male, .hemizygous, .autosomalDominant, false),
    ])
    func xLinked(sex: Sex, z: Zygosity, mode: InheritanceMode, compatible: Bool) {
        let e = evaluate([variant("chrX", 100, gene: "G", [z])], mode, singleton(sex: sex))
        #expect(e.compatible == compatible)
    }

    @Test func xLinkedMaleWithCarrierFatherIsNotCompatible() {
        let e = evaluate([variant("chrX", 100, gene: "G", [.hemizygous, .hemizygous, .heterozygous])], .xLinkedRecessive, trio(probandSex: .male))
        #expect(!e.compatible)
        #expect(e.reasons[0]?.contains("father") == true)
        #expect(evaluate([variant("chrX", 100, gene: "G", [.hemizygous, .hemizygousReference, .heterozygous])], .xLinkedRecessive, trio(probandSex: .male)).compatible)
    }

    @Test func mitochondrial() {
        #expect(evaluate([variant("chrM", 100, gene: "MT-G", [.heterozygous])], .mitochondrial, singleton()).compatible)
        #expect(!evaluate([variant("chr1", 100, gene: "G", [.heterozygous])], .mitochondrial, singleton()).compatible)
    }

    @Test(arguments: [(0.05, InheritanceMode.autosomalDominant, true), (0.5, .autosomalDominant, false), (0.5, .autosomalRecessive, true)])
    func frequencyLimitPerMode(percent: Double, mode: InheritanceMode, compatible: Bool) {
        // AR: two hets at 0.5% each are within the 2% compound-heterozygous limit; AD allows 0.1%.
        let vs = [variant(1, gene: "G", [.heterozygous], frequency: percent / 100), variant(2, gene: "G", [.heterozygous], frequency: percent / 100, alt: "T")]
        let e = evaluate(vs, mode, singleton())
        #expect(e.compatible == compatible)
        if !compatible { #expect(e.reasons[0]?.contains("above") == true) }
    }

    @Test func hpoInheritanceTerms() {
        #expect(ToyHPO.knowledge.inheritanceModes(ofGene: "GENEA") == [.autosomalRecessive])
        #expect(ToyHPO.knowledge.inheritanceModes(ofGene: "GENEB") == [.autosomalDominant])
        #expect(ToyHPO.knowledge.inheritanceModes(ofGene: "GENEX") == [.xLinkedRecessive])
        #expect(ToyHPO.knowledge.inheritanceModes(ofGene: "NOPE").isEmpty)
        #expect(Set(InheritanceMode.modes(hpoTerm: .init(1417))) == [.xLinkedDominant, .xLinkedRecessive])
        #expect(InheritanceMode.modes(hpoTerm: .init(1427)) == [.mitochondrial])
    }
}
