import Foundation
import Phenotype

/// Test fixtures (see Fixtures/SOURCE.md).
enum Fixture {
    static func path(_ name: String) -> String {
        guard let root = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else { fatalError("Fixtures are not bundled") }
        return root.path + "/" + name
    }

    static func bytes(_ name: String) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(name)) else { fatalError("missing fixture \(name)") }
        return [UInt8](data)
    }

    /// The hand-written toy ontology and annotations, loaded once.
    static let toy: PhenotypeKnowledge = {
        do {
            return try PhenotypeKnowledge(
                obo: bytes("toy/hp.obo"), hpoa: bytes("toy/phenotype.hpoa"), genesToPhenotype: bytes("toy/genes_to_phenotype.txt"))
        } catch {
            fatalError("toy knowledge: \(error)")
        }
    }()

    /// The real HPO pack compiled into this build, loaded once for all tests that need it.
    static let real: Result<PhenotypeKnowledge, PhenotypeError> = Result { () throws(PhenotypeError) in try PhenotypeKnowledge.bundled() }
}

/// The toy terms by name (see Fixtures/toy/hp.obo): All ← Phenotypic abnormality ← {A ← {A1 ← A1a, A2}, B ← {A1a, B1}}.
enum Toy {
    static let all = HPOTermID(1)
    static let phenotypicAbnormality = HPOTermID(118)
    static let modeOfInheritance = HPOTermID(5)
    static let autosomalRecessive = HPOTermID(7)
    static let a = HPOTermID(10)
    static let b = HPOTermID(20)
    static let a1 = HPOTermID(11)
    static let a2 = HPOTermID(12)
    static let a1a = HPOTermID(13)
    static let b1 = HPOTermID(21)
    static let obsoleteReplaced = HPOTermID(30)
    static let obsoleteOneSuggestion = HPOTermID(31)
    static let obsoleteTwoSuggestions = HPOTermID(32)
    static let alternativeOfA2 = HPOTermID(40)

    static func index(_ id: HPOTermID) -> Int { Fixture.toy.ontology.index(of: id)! }
    static func disease(_ id: String) -> Int { Fixture.toy.annotations.index(ofDisease: id)! }
}

/// Tolerance for comparing hand-computed values with computed ones.
func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance }
