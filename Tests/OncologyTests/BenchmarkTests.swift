import Foundation
import Testing
@testable import Oncology

/// The target: a 50,000-variant annotated tumour exome VCF to a full report in under 1 s. Measured, printed, not asserted
/// (timings depend on the machine). Runs when `TAILOR_ONCO_BENCH` names the VCF written by `scripts/make_benchmark_vcf.py`;
/// build in release: `TAILOR_ONCO_BENCH=/tmp/onco_bench_50k.vcf swift test -c release --filter BenchmarkTests`.
@Suite struct BenchmarkTests {
    @Test func fiftyThousandVariantExomeToReport() async throws {
        guard let path = ProcessInfo.processInfo.environment["TAILOR_ONCO_BENCH"] else { return }
        let clock = ContinuousClock()
        var report: OncologyReport?
        var text = ""
        var json = 0
        let knowledgeTime = try clock.measure { _ = try OncologyKnowledge.bundled() }
        let total = try await clock.measure {
            let r = try await OncologyAnalysis.run(OncologyRequest(tumourType: "LUAD", files: [path], assayMb: 34, threads: 2))
            text = OncologyText.render(r)
            json = try r.json().count
            report = r
        }
        // Phases, for finding where the time goes.
        let knowledge = try OncologyKnowledge.bundled()
        var inputs = TumourInputs()
        let read = try await clock.measure { inputs = try await InputReader.read([path], threads: 2) }
        let request = OncologyRequest(tumourType: "LUAD", files: [path], assayMb: 34, threads: 2)
        var r2: OncologyReport?
        let analyse = try clock.measure { r2 = try OncologyAnalysis.analyse(inputs, request: request, knowledge: knowledge) }
        let render = clock.measure { _ = OncologyText.render(r2!) }
        let encode = try clock.measure { _ = try r2!.json() }
        print("oncology benchmark phases: read \(read), analyse \(analyse), text \(render), JSON \(encode)")
        print("oncology benchmark: \(report?.variantRecords ?? 0) records → report (\(report?.actionable.count ?? 0) findings, text \(text.utf8.count) B, JSON \(json) B) in \(total); knowledge load alone \(knowledgeTime)")
    }
}
