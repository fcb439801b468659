import Knowledge
import Testing

@testable import Risk

@Suite struct RiskCoreTests {
    @Test func packLoadsWithEveryEquationTable() throws {
        let pack = try KnowledgePack.bundled("risk")
        #expect(try pack.verify() == pack.manifest.files.count)
        let pce = try RiskPack.csv(pack, "pce/pce_2013_coefficients.csv")
        #expect(pce.count == 5)
        #expect(pce[0].first == "sex")
        let prevent = try RiskPack.csv(pack, "prevent/prevent_base_10yr.csv")
        // Quoted labels with commas ("Age, per 10 years") stay one field.
        #expect(prevent.allSatisfy { $0.count == prevent[0].count })
    }

    @Test(arguments: [
        (30.0, false), (90.0, true), (250.0, true), (400.0, false), (Double.nan, false),
    ])
    func plausibilityNamesFieldRangeAndUnit(value: Double, accepted: Bool) {
        do {
            let checked = try RiskCheck.required(value, "systolicBP", plausible: 60...300, unit: "mmHg", equation: "PCE")
            #expect(accepted)
            #expect(checked == value)
        } catch {
            #expect(!accepted)
            #expect(error.field == "systolicBP")
            #expect(error.description.contains("60–300 mmHg"))
        }
    }

    @Test func missingInputIsNamed() {
        #expect(throws: RiskInputError(equation: "PCE", field: "hdl", problem: .missing)) {
            try RiskCheck.required(nil, "hdl", plausible: 10...200, unit: "mg/dL", equation: "PCE")
        }
    }

    @Test func derivationRangeGivesAReasonNotAnError() {
        #expect(RiskCheck.outside(55, "age", 40...79, unit: "years", equation: "PCE") == nil)
        #expect(RiskCheck.outside(35, "age", 40...79, unit: "years", equation: "PCE") == "age 35 years is outside 40–79 years, the range PCE was derived in")
    }

    @Test func unitConversions() {
        #expect(abs(CholesterolUnit.mmolPerL.toMgPerDL(5.172) - 200) < 1e-9)
        #expect(abs(CreatinineUnit.umolPerL.toMgPerDL(88.4) - 1) < 1e-12)
        #expect(CreatinineUnit(text: "umol/L") == .umolPerL)
    }
}
