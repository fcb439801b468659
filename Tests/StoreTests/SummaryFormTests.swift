import Foundation
import Monitoring
import Records
import SQLKit
@testable import Store
import Testing

/// The patient summary is one statement (runs and findings as JSON columns) on PostgreSQL and three queries on
/// SQLite. Both forms run here on both engines, on a record that exercises what could differ between them: the
/// five-run limit and its order, superseded and non-gene findings left out, text that needs JSON escaping, a real
/// progress of exactly 0 and a fractional one, nulls, and a patient with nothing at all.
enum SummaryFormCheck {
    static func run(_ engine: TestEngine) async throws {
        var clock = ManualClock()
        let t = try await TestDatabase.open(engine, now: clock.reader)
        do {
            try await check(t, &clock)
        } catch {
            await t.close()
            throw error
        }
        await t.close()
    }

    static func check(_ t: TestDatabase, _ clock: inout ManualClock) async throws {
        let (patient, clinician) = try await StoreScenario.patientWithClinician(t)
        let store = t.store
        let queue = JobQueue(store: store)
        let write = { try await t.gate.authorize(clinician, .write, .clinicalRecord, patient: patient, requestID: "w") }
        _ = try await store.addEntries(
            try await write(), patient: patient,
            [
                .init(type: .observation, category: "laboratory", system: "http://loinc.org", code: "2093-3", valueNumber: 5.2, effectiveAt: 1),
                .init(type: .observation, category: "vital-signs", system: "http://loinc.org", code: "8480-6", valueNumber: 120, effectiveAt: 2),
                .init(type: .condition, category: "problem-list-item", system: "http://snomed.info/sct", code: "38341003", effectiveAt: 4),
            ])
        _ = try await store.addEntries(
            try await t.gate.authorize(clinician, .write, .monitoring, patient: patient, requestID: "w"), patient: patient,
            [.init(type: .observation, category: "monitoring", system: "http://loinc.org", code: "8867-4", valueNumber: 61, effectiveAt: 3)])
        // Seven runs, one per dataset, a second apart: the summary keeps the five latest.
        var claims: [JobQueue.Claim] = []
        for _ in 0..<7 {
            _ = try await StoreScenario.dataset(t, patient, clinician)
            clock.advance(by: 1000)
            claims.append(try #require(try await queue.claimNext()))
        }
        // Gene findings in no particular order, a drug finding (not in the summary), and text that needs escaping.
        var findings: [Finding] = []
        for (subject, kind) in [("CYP2D6", "pgx.gene"), ("CYP2C19", "pgx.gene"), ("clopidogrel", "pgx.drug"), ("BRCA1", "germline.gene")] {
            var finding = StoreScenario.finding(claims[6], subject: subject)
            finding.kind = kind
            finding.summary = "\(subject) \"quoted\" — ünïcode\\ line\nbreak\ttab"
            findings.append(finding)
        }
        try await queue.complete(claims[6].run, findings: findings)
        try await queue.fail(claims[5].run, error: "bad \"file\" at line 3 — ü\\")
        try await queue.progress(claims[4].run.id, 0.25)
        // claims[3] stays running at progress exactly 0; the older ones finish without findings.
        for claim in claims[0..<3] { try await queue.complete(claim.run, findings: []) }

        let read = { try await t.gate.authorize(clinician, .read, .patientSummary, patient: patient, requestID: "r") }
        let one = try await store.summary(try await read(), patient, form: .oneStatement)
        let three = try await store.summary(try await read(), patient, form: .threeQueries)
        #expect(one == three)
        #expect(one.runs.map(\.id) == claims[2...6].reversed().map(\.run.id))
        #expect(one.runs.first?.status == .succeeded)
        #expect(one.runs[1].error == "bad \"file\" at line 3 — ü\\")
        #expect(one.runs[2].progress == 0.25)
        #expect(one.runs[3].progress == 0)
        #expect(one.runs[3].finishedAt == nil)
        #expect(one.findings.map(\.subject) == ["BRCA1", "CYP2C19", "CYP2D6"])
        #expect(one.findings.map(\.summary) == findings.filter { $0.kind.hasSuffix(".gene") }.sorted { ($0.kind, $0.subject) < ($1.kind, $1.subject) }.map(\.summary))
        #expect(one.counts == ["observation": 2, "condition": 1, "monitoring": 1, "datasets": 7])

        // A patient with nothing: no runs, no findings, no counts.
        let empty = try await store.createPatient(
            try await t.gate.authorize(clinician, .write, .patientRegistration, requestID: "r"), .init(givenName: "E", familyName: "M"))
        let readEmpty = { try await t.gate.authorize(clinician, .read, .patientSummary, patient: empty.id, requestID: "r") }
        let oneEmpty = try await store.summary(try await readEmpty(), empty.id, form: .oneStatement)
        #expect(oneEmpty == (try await store.summary(try await readEmpty(), empty.id, form: .threeQueries)))
        #expect(oneEmpty.runs.isEmpty && oneEmpty.findings.isEmpty)
        #expect(oneEmpty.counts == ["datasets": 0])
    }
}

@Suite("Summary forms on SQLite") struct SummaryFormSQLiteTests {
    @Test func bothFormsAgree() async throws { try await SummaryFormCheck.run(.sqlite) }
}

@Suite("Summary forms on PostgreSQL", .enabled(if: TestEngine.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set: PostgreSQL runs skipped"))
struct SummaryFormPostgresTests {
    @Test func bothFormsAgree() async throws { try await SummaryFormCheck.run(.postgres) }
}

@Suite struct JSONRowTests {
    @Test func readsNumbersAsAskedAndRefusesMismatches() throws {
        let rows = try JSONRow.rows(#"[{"i": 1733550000000, "r": 0.5, "z": 0, "s": "a\"b", "n": null, "b": true}]"#, column: "c")
        let row = try #require(rows.first)
        #expect(try row.decode(column: "i", as: Int64.self) == 1_733_550_000_000)
        #expect(try row.decode(column: "z", as: Double.self) == 0)
        #expect(try row.decode(column: "r", as: Double?.self) == 0.5)
        #expect(try row.decode(column: "s", as: String.self) == "a\"b")
        #expect(try row.decode(column: "n", as: String?.self) == nil)
        #expect(try row.decodeNil(column: "n"))
        #expect(try row.decode(column: "b", as: Bool.self))
        #expect(throws: StoreError.self) { try row.decode(column: "r", as: Int64.self) }
        #expect(try row.decode(column: "i", as: Double.self) == 1_733_550_000_000)
        #expect(throws: StoreError.self) { try row.decode(column: "s", as: Int64.self) }
        #expect(throws: StoreError.self) { try row.decode(column: "missing", as: String.self) }
        #expect(try JSONRow.rows(nil, column: "c").isEmpty)
        #expect(throws: StoreError.self) { try JSONRow.rows("{\"not\": \"an array\"}", column: "c") }
    }

    @Test(arguments: [
        (#"[]"#, [[String: JSONRow.Value]]()),
        (" [ {} ] ", [[:]]),
        (#"[{"a": 1, "a": 2}]"#, [["a": .number(1)]]),
        ("[\n  {\"a\" : \"x\", \"b\" : -12}, \n {\"a\": \"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"b\": 1.5e3}]",
         [["a": .string("x"), "b": .number(-12)], ["a": .string("\"\\/\u{8}\u{C}\n\r\t"), "b": .number(1500)]]),
        (#"[{"u": "\u00e9\ud83d\ude00", "v": "é😀", "w": false, "x": null, "y": 0.0, "z": 9007199254740992}]"#,
         [["u": .string("é😀"), "v": .string("é😀"), "w": .bool(false), "x": .null, "y": .number(0), "z": .number(9_007_199_254_740_992)]]),
    ])
    func parsesWhatTheEnginesWrite(_ text: String, _ expected: [[String: JSONRow.Value]]) throws {
        #expect(try JSONRow.rows(text, column: "c").map(\.values) == expected)
    }

    @Test(arguments: [
        "", "{}", "[", "[{]", #"[{"a": 1}"#, #"[{"a": 1}] x"#, #"[{"a": "unterminated}]"#, #"[{"a": {"nested": 1}}]"#, #"[{"a": [1]}]"#,
        #"[{"a": "\ud83d"}]"#, #"[{"a": "\udc00"}]"#, #"[{"a": "\q"}]"#, "[{\"a\": \"tab\there\"}]", #"[{"a": 1,}]"#, #"[{"a" 1}]"#,
        #"[{"a": tru}]"#, #"[{"a": --1}]"#, #"[{1: 2}]"#, #"[1, 2]"#, #"{"a": 1}"#,
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(throws: StoreError.self) { try JSONRow.rows(text, column: "c") }
    }

    /// Strings of every kind Foundation's encoder writes (escapes, controls, astral scalars) read back unchanged.
    @Test func readsBackWhatFoundationWrites() throws {
        var generator = SystemRandomNumberGenerator()
        let pool: [Character] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "ß", "中", "😀", "\u{10FFFF}", "\u{FEFF}"]
        for _ in 0..<200 {
            let text = String((0..<Int.random(in: 0...24, using: &generator)).map { _ in pool.randomElement(using: &generator)! })
            let number = Int64.random(in: -(1 << 53)...(1 << 53), using: &generator)
            let real = Double.random(in: -1e12...1e12, using: &generator)
            struct Object: Encodable { var s: String; var i: Int64; var r: Double }
            let json = String(decoding: try JSONEncoder().encode([Object(s: text, i: number, r: real)]), as: UTF8.self)
            let row = try #require(try JSONRow.rows(json, column: "c").first)
            #expect(try row.decode(column: "s", as: String.self) == text)
            #expect(try row.decode(column: "i", as: Int64.self) == number)
            #expect(try row.decode(column: "r", as: Double.self) == real)
        }
    }
}
