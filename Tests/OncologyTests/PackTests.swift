import Foundation
import Knowledge
import Testing

/// The oncology and MOAlmanac packs carry their licences and disclaimer. (That they rebuild identically from
/// `../shared/data` is checked by `.ci/run`, since tests never read outside the repository; rebuild with
/// `tailor knowledge build oncology --source ../shared/data` and `… moalmanac --source ../shared/data/moalmanac`.)
@Suite struct PackTests {
    @Test func oncologyPackNamesEachLicence() throws {
        let pack = try KnowledgePack.bundled("oncology")
        #expect(pack.manifest.sources(for: "oncotree/oncotree_2025_10_03.tsv").map(\.licence) == ["CC-BY-4.0"])
        #expect(pack.manifest.sources(for: "derived/hotspots.tsv").first?.licence.hasPrefix("ODbL-1.0") == true)
        #expect(pack.manifest.sources(for: "pcgr/oncogenicity_criteria.tsv").first?.licence.hasPrefix("MIT") == true)
    }

    @Test func moalmanacPackCarriesItsDisclaimerAndLicence() throws {
        let pack = try KnowledgePack.bundled("moalmanac")
        #expect(pack.manifest.sources(for: "molecular-oncology-almanac.json").first?.licence.hasPrefix("GPL-2.0") == true)
        let disclaimer = String(decoding: try pack.data("derived/DISCLAIMER.txt"), as: UTF8.self)
        #expect(disclaimer.contains("DIAGNOSTIC AND CLINICAL USE PROHIBITED"))
        let rows = String(decoding: try pack.data("derived/assertions.tsv"), as: UTF8.self).split(separator: "\n")
        #expect(rows.count == 1 + 1015)  // header + the 1,015 non-deprecated of the 1,018 assertions of the 2025-12-26 release
    }
}
