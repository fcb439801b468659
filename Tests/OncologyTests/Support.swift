import Foundation
@testable import Oncology

enum Fixture {
    static let root: String = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path
    static func path(_ name: String) -> String { root + "/" + name }
}

/// The bundled knowledge, loaded once for the whole test run.
enum Shared {
    static let knowledge: OncologyKnowledge = try! OncologyKnowledge.bundled()
    static let tree: OncoTree = knowledge.oncotree
}
