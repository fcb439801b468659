import Foundation
import Records
@testable import Server
@testable import Store
import Testing

/// The summary's hand-written JSON must be byte for byte what the shared encoder writes through `Codable`.
@Suite struct SummaryJSONTests {
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let characters: [Character] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{8}", "\u{C}", "\u{1F}", "\u{7F}", "é", "中", "😀",
        "\u{2028}", "\u{FEFF}",
    ]

    static func text(_ g: inout Seeded, max: Int = 12) -> String {
        String((0..<Int.random(in: 0...max, using: &g)).map { _ in characters.randomElement(using: &g)! })
    }

    static func maybeText(_ g: inout Seeded, max: Int = 12) -> String? { Bool.random(using: &g) ? text(&g, max: max) : nil }
    static func maybeInstant(_ g: inout Seeded) -> Int64? { Bool.random(using: &g) ? Int64.random(in: 0...Int64.max, using: &g) : nil }

    static func summary(_ g: inout Seeded) -> RecordStore.Summary {
        let patient = Patient(
            id: PatientID(rawValue: "pat_" + text(&g)), mrn: maybeText(&g), givenName: text(&g), familyName: text(&g),
            birthDate: Bool.random(using: &g) ? "19\(Int.random(in: 10...99, using: &g))-01-02" : nil, sex: ["female", "male", "other", "unknown"].randomElement(using: &g)!,
            createdAt: Int64.random(in: 0...4_102_444_800_000, using: &g))
        let uses: [ResearchUse] = (0..<Int.random(in: 0...3, using: &g)).map { _ in
            [.general, .healthMedical, .diseaseSpecific("MONDO:" + text(&g))].randomElement(using: &g)!
        }
        let consent = ConsentDirective(
            treatment: Set(DataCategory.allCases.filter { _ in Bool.random(using: &g) }), researchUses: uses,
            researchCategories: Set(DataCategory.allCases.filter { _ in Bool.random(using: &g) }), secondaryFindings: Bool.random(using: &g))
        let progressValues: [Double] = [0, 1, 0.5, 0.25, 1.0 / 3.0, 0.1 + 0.2, 1e-7, Double.random(in: 0...1, using: &g)]
        let runs = (0..<Int.random(in: 0...5, using: &g)).map { _ in
            AnalysisRun(
                id: RunID(rawValue: "run_" + text(&g)), patientID: patient.id, datasetID: DatasetID(rawValue: "ds_" + text(&g)), analyser: text(&g),
                status: RunStatus.allCases.randomElement(using: &g)!, progress: progressValues.randomElement(using: &g)!,
                attempts: Int.random(in: 0...9, using: &g), error: maybeText(&g, max: 40), createdAt: Int64.random(in: 0...Int64.max, using: &g),
                startedAt: maybeInstant(&g), finishedAt: maybeInstant(&g),
                requestedBy: UserID(rawValue: "usr_" + text(&g)))
        }
        let findings = (0..<Int.random(in: 0...8, using: &g)).map { _ in
            RecordStore.FindingSummary(
                id: FindingID(rawValue: "fnd_" + text(&g)), kind: text(&g), subject: text(&g), summary: text(&g, max: 60),
                createdAt: Int64.random(in: Int64.min...Int64.max, using: &g))
        }
        var counts: [String: Int] = [:]
        for key in ["observation", "condition", "monitoring", "datasets", "report", "Zeta", "a10", "a2", "é"] where Bool.random(using: &g) {
            counts[key] = Int.random(in: 0...1_000_000, using: &g)
        }
        return RecordStore.Summary(
            patient: patient, consent: consent, consentVersion: Int.random(in: 0...50, using: &g), counts: counts, runs: runs, findings: findings)
    }

    @Test func sameBytesAsTheEncoder() throws {
        var g = Seeded(state: 20_261_207)
        for _ in 0..<2000 {
            let value = Self.summary(&g)
            let fast = try #require(SummaryJSON.encode(value))
            let reference = try JSON.encoder.encode(value)
            let expected = Array(reference)
            guard fast != expected else { continue }
            let at = zip(fast, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(fast.count, expected.count)
            Issue.record(
                """
                bytes differ from \(at): written …\(String(decoding: fast[max(0, at - 40)..<min(fast.count, at + 40)], as: UTF8.self))…, \
                encoder …\(String(decoding: expected[max(0, at - 40)..<min(expected.count, at + 40)], as: UTF8.self))…
                """)
            return
        }
    }

    @Test func aProgressThatIsNotANumberFallsBackToTheEncoder() {
        var g = Seeded(state: 1)
        var value = Self.summary(&g)
        value.runs = [
            AnalysisRun(
                id: RunID(rawValue: "run_x"), patientID: value.patient.id, datasetID: DatasetID(rawValue: "ds_x"), analyser: "pgx", status: .running,
                progress: .nan, attempts: 1, error: nil, createdAt: 1, startedAt: nil, finishedAt: nil, requestedBy: UserID(rawValue: "usr_x"))
        ]
        #expect(SummaryJSON.encode(value) == nil)
    }
}
