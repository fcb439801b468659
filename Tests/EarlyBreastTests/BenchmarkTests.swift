import Foundation
import Testing

@testable import EarlyBreast

/// The target: PREDICT for one patient, all regimens and horizons, in < 1 ms. Printed, never asserted (machines
/// differ); run in release: `swift test -c release --filter BenchmarkTests`.
@Suite struct BenchmarkTests {
    @Test func predictOnePatientAllRegimens() throws {
        let v21 = PredictInput(
            age: 55, tumourSizeMM: 25, grade: 2, positiveNodes: 2, er: .positive, her2: .positive, ki67: .positive, pr: .positive,
            detection: .symptomatic, menopause: .postmenopausal, endocrine: true, chemotherapy: .third, trastuzumab: true, bisphosphonates: true)
        var v32 = v21
        v32.version = .v32
        v32.radiotherapy = true
        v32.heartDoseGy = 2
        v32.extendedEndocrine = true
        var sink = 0.0
        let rounds = 2000
        func perPatient(_ input: PredictInput) -> Duration {
            let clock = ContinuousClock()
            let best = (0..<5).map { _ in
                clock.measure {
                    for _ in 0..<rounds { sink += (try? EarlyBreast.predict(input))?.result.total.last?.overallSurvival ?? 0 }
                }
            }.min()!
            return best / rounds
        }
        let a = perPatient(v21), b = perPatient(v32)
        func micro(_ d: Duration) -> String {
            let (s, atto) = d.components
            return BreastFormat.number((Double(s) + Double(atto) * 1e-18) * 1e6, digits: 2)
        }
        print("benchmark PREDICT one patient, surgery + every selected step + both chemotherapy generations, 5/10/15 y, with summary: "
            + "v2.1 \(micro(a)) µs, v3.2 \(micro(b)) µs (target < 1000 µs) [sink \(sink > 0)]")
        #expect(sink > 0)
    }
}
