import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Monitoring
import Records
import Risk
import Store
import Testing

@testable import Server

/// Monitoring readings, patient factors, care plans and goals through the API (issue #9), on both engines: the
/// two-patient example of risk-and-care.md §2.6 built from records and factors alone, the goal partnership (propose,
/// accept, stale version, history, FHIR), readings with bad values and duplicates, and consent withholding genomics.
@Suite struct CarePlanRouteTests {
    /// 2026-12-06 10:00 UTC: the plan date of the example.
    static let asOf: Int64 = Int64(RiskDate(iso: "2026-12-06")!.daysSinceEpoch) * 86_400_000 + 36_000_000
    static let day: Int64 = 86_400_000

    struct Cast {
        var harness: ServerHarness
        var a: PatientID
        var b: PatientID
        var clinician: String
        var offTeam: String
        var patientA: String
        var patientB: String
    }

    static func entry(_ code: String, _ value: Double?, _ unit: String?, daysAgo: Int64, category: String = "vital-signs", text: String? = nil)
        -> RecordStore.NewEntry
    {
        RecordStore.NewEntry(
            type: .observation, category: category, system: RiskRecordCodes.loinc, code: code, valueNumber: value, valueText: text, unit: unit,
            status: "final", effectiveAt: asOf - daysAgo * day)
    }

    /// Clinic readings on two days and the labs PREVENT needs.
    static func record(sbp: Double, dbp: Double, tc: Double, hdl: Double, egfr: Double, bmi: Double) -> [RecordStore.NewEntry] {
        [
            entry("8480-6", sbp - 2, "mm[Hg]", daysAgo: 40), entry("8462-4", dbp - 1, "mm[Hg]", daysAgo: 40),
            entry("8480-6", sbp + 2, "mm[Hg]", daysAgo: 10), entry("8462-4", dbp + 1, "mm[Hg]", daysAgo: 10),
            entry("2093-3", tc, "mg/dL", daysAgo: 30, category: "laboratory"), entry("2085-9", hdl, "mg/dL", daysAgo: 30, category: "laboratory"),
            entry("98979-8", egfr, "mL/min/{1.73_m2}", daysAgo: 30, category: "laboratory"), entry("39156-5", bmi, "kg/m2", daysAgo: 10),
            entry("72166-2", nil, nil, daysAgo: 10, category: "social-history", text: "Never smoker"),
        ]
    }

    static func cast(_ engine: ServerHarness.Engine) async throws -> Cast {
        let harness = try await ServerHarness.open(engine)
        let store = harness.server.store
        let gate = harness.server.gate
        let clinician = try await harness.account("doc", .clinician)
        let offTeam = try await harness.account("other-doc", .clinician)
        let registration = try await gate.authorize(clinician.principal, .write, .patientRegistration, requestID: "setup")
        let a = try await store.createPatient(registration, .init(givenName: "A", familyName: "Example", birthDate: "1974-06-01", sex: "female"))
        let b = try await store.createPatient(
            try await gate.authorize(clinician.principal, .write, .patientRegistration, requestID: "setup"),
            .init(givenName: "B", familyName: "Example", birthDate: "1977-06-01", sex: "male"))
        _ = try await store.addEntries(
            try await gate.authorize(clinician.principal, .write, .clinicalRecord, patient: a.id, requestID: "setup"), patient: a.id,
            record(sbp: 136, dbp: 84, tc: 210, hdl: 50, egfr: 90, bmi: 33))
        _ = try await store.addEntries(
            try await gate.authorize(clinician.principal, .write, .clinicalRecord, patient: b.id, requestID: "setup"), patient: b.id,
            record(sbp: 134, dbp: 86, tc: 190, hdl: 45, egfr: 95, bmi: 24))
        let ownA = try await harness.account("pat-a", .patient, patient: a.id)
        let ownB = try await harness.account("pat-b", .patient, patient: b.id)
        return Cast(
            harness: harness, a: a.id, b: b.id, clinician: try await harness.token(clinician), offTeam: try await harness.token(offTeam),
            patientA: try await harness.token(ownA), patientB: try await harness.token(ownB))
    }

    // The factors of §2.6 (with the fixture assumptions of CarePlanTests), as each patient enters them.
    static let factorsA = #"""
        {"diet":{"pattern":"typical-western","sodiumMgPerDay":4000},"activity":{"minutesPerWeek":40,"stepsPerDay":3000},
         "alcohol":{"drinksPerDay":0},"smoking":"never","sleep":{"hoursPerNight":7},"psychosocial":{"pss10":12},
         "preferences":{"importance":{"sodium":9,"weight":8,"aerobic":7,"dash":5},"confidence":{"sodium":8,"weight":8,"aerobic":7,"dash":5}}}
        """#
    static let factorsB = #"""
        {"diet":{"pattern":"dash-like","sodiumMgPerDay":1400},"activity":{"minutesPerWeek":200,"stepsPerDay":10000},
         "alcohol":{"drinksPerDay":3},"smoking":"never","sleep":{"hoursPerNight":5.5},"psychosocial":{"pss10":29},
         "preferences":{"importance":{"alcohol":8,"stress":7},"confidence":{"alcohol":7,"stress":7}}}
        """#

    @Test("two patients, same blood pressure and risk, different plans (SQLite)") func twoPatientsSQLite() async throws { try await Self.twoPatients(.sqlite) }

    @Test(
        "two patients, same blood pressure and risk, different plans (PostgreSQL)",
        .enabled(if: ServerHarness.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set: PostgreSQL runs skipped"))
    func twoPatientsPostgres() async throws { try await Self.twoPatients(.postgres) }

    static func twoPatients(_ engine: ServerHarness.Engine) async throws {
        let cast = try await Self.cast(engine)
        try await cast.harness.test { client in
            // Each patient records their own factors; an unknown field or an impossible value is named and nothing is kept.
            let typo = try await client.call(.put, "/api/v1/patients/\(cast.a.rawValue)/factors", token: cast.patientA, json: #"{"diet":{"sodium":4000}}"#)
            #expect(typo.status == .unprocessableContent)
            #expect(typo.text.contains("diet.sodium: not a factor"), "\(typo.text)")
            let impossible = try await client.call(
                .put, "/api/v1/patients/\(cast.a.rawValue)/factors", token: cast.patientA, json: #"{"sleep":{"hoursPerNight":30},"smoking":"never"}"#)
            #expect(impossible.status == .unprocessableContent)
            #expect(impossible.text.contains("sleep.hoursPerNight"), "\(impossible.text)")
            let none = try await client.call(.get, "/api/v1/patients/\(cast.a.rawValue)/factors", token: cast.patientA)
            #expect((try none.json()["factors"] as? [Any])?.isEmpty == true)

            for (patient, token, body) in [(cast.a, cast.patientA, factorsA), (cast.b, cast.patientB, factorsB)] {
                let put = try await client.call(.put, "/api/v1/patients/\(patient.rawValue)/factors", token: token, json: body)
                #expect(put.status == .created, "\(put.text)")
            }
            // Another patient cannot write them.
            let other = try await client.call(.put, "/api/v1/patients/\(cast.a.rawValue)/factors", token: cast.patientB, json: #"{"smoking":"never"}"#)
            #expect(other.status == .forbidden)
            let factors = try await client.call(.get, "/api/v1/patients/\(cast.b.rawValue)/factors", token: cast.clinician)
            let items = try #require(try factors.json()["factors"] as? [[String: Any]])
            #expect(items.contains { $0["path"] as? String == "psychosocial.pss10" && $0["value"] as? String == "29" })

            // The plans: same stage-1 clinic BP and low PREVENT risk, different first-line items, each with its reason.
            func plan(_ patient: PatientID) async throws -> [String: Any] {
                let response = try await client.call(.get, "/api/v1/patients/\(patient.rawValue)/care-plan?asOf=\(asOf)", token: cast.clinician)
                #expect(response.status == .ok, "\(response.text.prefix(400))")
                return try #require(try response.json()["plan"] as? [String: Any])
            }
            let planA = try await plan(cast.a)
            let planB = try await plan(cast.b)
            for plan in [planA, planB] {
                let htn = try #require(plan["hypertension"] as? [String: Any])
                #expect(htn["category"] as? String == "stage1", "\(htn)")
                #expect(htn["drugIndicated"] as? Bool == false)
                #expect((htn["reason"] as? String)?.contains("7.5") == true, "\(htn["reason"] ?? "")")
            }
            #expect(planA["lifestyleRanking"] as? [String] == ["lifestyle.sodium", "lifestyle.weight", "lifestyle.aerobic", "lifestyle.dash"])
            #expect(planB["lifestyleRanking"] as? [String] == ["lifestyle.alcohol", "stress.pathway", "lifestyle.sleep"])
            let itemsB = try #require(planB["items"] as? [[String: Any]])
            let alcohol = try #require(itemsB.first { $0["id"] as? String == "lifestyle.alcohol" })
            #expect((alcohol["why"] as? String)?.contains("3") == true)
            #expect(((alcohol["source"] as? [String: Any])?["citation"] as? String)?.isEmpty == false)
            #expect(planA["packName"] as? String == "careplan")

            // The readable text and the FHIR export.
            let text = try await client.call(.get, "/api/v1/patients/\(cast.a.rawValue)/care-plan?asOf=\(asOf)&format=text", token: cast.patientA)
            #expect(text.status == .ok && text.text.contains("Decision support"))
            let fhir = try await client.call(.get, "/api/v1/patients/\(cast.a.rawValue)/care-plan?asOf=\(asOf)&format=fhir", token: cast.clinician)
            let bundle = try fhir.json()
            #expect(bundle["resourceType"] as? String == "Bundle")
            let resources = (bundle["entry"] as? [[String: Any]] ?? []).compactMap { $0["resource"] as? [String: Any] }
            #expect(resources.first?["resourceType"] as? String == "CarePlan")
            #expect(resources.dropFirst().allSatisfy { $0["resourceType"] as? String == "Goal" && $0["lifecycleStatus"] as? String == "proposed" })
            let bad = try await client.call(.get, "/api/v1/patients/\(cast.a.rawValue)/care-plan?guideline=jnc7", token: cast.clinician)
            #expect(bad.status == .badRequest)
        }
        await cast.harness.close()
    }

    @Test("goals as a partnership (SQLite)") func goalsSQLite() async throws { try await Self.goals(.sqlite) }

    @Test(
        "goals as a partnership (PostgreSQL)", .enabled(if: ServerHarness.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set: PostgreSQL runs skipped"))
    func goalsPostgres() async throws { try await Self.goals(.postgres) }

    static func goals(_ engine: ServerHarness.Engine) async throws {
        let cast = try await Self.cast(engine)
        try await cast.harness.test { client in
            let base = "/api/v1/patients/\(cast.a.rawValue)"
            _ = try await client.call(.put, base + "/factors", token: cast.patientA, json: factorsA)
            // The patient does not propose their own plan; an off-team clinician cannot either. Both are on record.
            let before = try await cast.harness.lastAudit()?.sequence ?? 0
            #expect(try await client.call(.post, base + "/care-plan?asOf=\(asOf)", token: cast.patientA).status == .forbidden)
            #expect(try await client.call(.post, base + "/care-plan?asOf=\(asOf)", token: cast.offTeam).status == .forbidden)
            #expect(try await cast.harness.auditEntries(after: before).map(\.record.outcome) == [.deny, .deny])

            let saved = try await client.call(.post, base + "/care-plan?asOf=\(asOf)", token: cast.clinician)
            #expect(saved.status == .created, "\(saved.text.prefix(300))")
            let goals = try #require(try saved.json()["goals"] as? [[String: Any]])
            #expect(goals.count >= 2)
            let first = try #require(goals.first)
            let goalID = try #require(first["goalID"] as? String)
            #expect(first["version"] as? Int == 1)
            #expect((first["goal"] as? [String: Any])?["lifecycleStatus"] as? String == "proposed")

            // A clinician may not decide for the patient unless recording the patient's own decision.
            let forThem = try await client.call(.post, base + "/goals/\(goalID)/decision", token: cast.clinician, json: #"{"decision":"accept","version":1}"#)
            #expect(forThem.status == .unprocessableContent)
            // The patient accepts; deciding again on the old version is a conflict, not an overwrite.
            let accept = try await client.call(.post, base + "/goals/\(goalID)/decision", token: cast.patientA, json: #"{"decision":"accept","version":1}"#)
            #expect(accept.status == .ok, "\(accept.text)")
            #expect(try accept.json()["version"] as? Int == 2)
            let stale = try await client.call(
                .post, base + "/goals/\(goalID)/decision", token: cast.patientA, json: #"{"decision":"decline","version":1,"reason":"changed my mind"}"#)
            #expect(stale.status == .conflict)
            // Declining needs a reason; the second goal is declined with one.
            let second = try #require(goals.dropFirst().first?["goalID"] as? String)
            let noReason = try await client.call(.post, base + "/goals/\(second)/decision", token: cast.patientA, json: #"{"decision":"decline","version":1}"#)
            #expect(noReason.status == .unprocessableContent)
            let declined = try await client.call(
                .post, base + "/goals/\(second)/decision", token: cast.patientA, json: #"{"decision":"decline","version":1,"reason":"not this month"}"#)
            #expect((try declined.json()["goal"] as? [String: Any])?["lifecycleStatus"] as? String == "rejected")
            // Declined is final.
            let reopen = try await client.call(.post, base + "/goals/\(second)/decision", token: cast.patientA, json: #"{"decision":"accept","version":2}"#)
            #expect(reopen.status == .conflict)

            let history = try await client.call(.get, base + "/goals/\(goalID)/history", token: cast.clinician)
            let versions = try #require(try history.json()["versions"] as? [[String: Any]])
            #expect(versions.map { $0["action"] as? String } == ["proposed", "accepted"])
            #expect(versions.map { $0["recordedRole"] as? String } == ["clinician", "patient"])
            let current = try await client.call(.get, base + "/goals", token: cast.patientA)
            let listed = try #require(try current.json()["goals"] as? [[String: Any]])
            #expect(listed.count == goals.count)
            #expect(listed.contains { $0["goalID"] as? String == goalID && ($0["goal"] as? [String: Any])?["lifecycleStatus"] as? String == "accepted" })
            let fhir = try await client.call(.get, base + "/goals?format=fhir", token: cast.patientA)
            let resources = ((try fhir.json()["entry"] as? [[String: Any]]) ?? []).compactMap { $0["resource"] as? [String: Any] }
            let accepted = try #require(resources.first { $0["id"] as? String == goalID.replacingOccurrences(of: "_", with: "-") })
            #expect(accepted["lifecycleStatus"] as? String == "accepted")
            #expect((accepted["expressedBy"] as? [String: Any])?["reference"] as? String == "Patient/\(cast.a.fhirID)")
            #expect(try await client.call(.get, "/api/v1/patients/\(cast.b.rawValue)/goals/\(goalID)/history", token: cast.clinician).status == .notFound)
        }
        await cast.harness.close()
    }

    @Test("readings: batches, NDJSON, FHIR, bad values and duplicates (SQLite)") func readingsSQLite() async throws { try await Self.readings(.sqlite) }

    @Test(
        "readings: batches, NDJSON, FHIR, bad values and duplicates (PostgreSQL)",
        .enabled(if: ServerHarness.postgresURL != nil, "TAILOR_TEST_POSTGRES_URL is not set: PostgreSQL runs skipped"))
    func readingsPostgres() async throws { try await Self.readings(.postgres) }

    static func readings(_ engine: ServerHarness.Engine) async throws {
        let cast = try await Self.cast(engine)
        try await cast.harness.test { client in
            let path = "/api/v1/patients/\(cast.a.rawValue)/readings"
            let now = cast.harness.server.store.now()
            // 8 days of home BP, 2 mornings and 2 evenings a day, ending now.
            var lines: [String] = []
            for d in 0..<8 {
                for (hour, sbp) in [(7, 138), (7, 136), (19, 142), (19, 140)] {
                    let at = now - Int64(7 - d) * day - Int64(20 - hour) * 3_600_000 - Int64(lines.count % 2) * 60_000
                    lines.append(#"{"kind":"blood-pressure","at":\#(at),"systolic":\#(sbp),"diastolic":88,"unit":"mmHg","source":"home","utcOffsetMinutes":0}"#)
                }
            }
            let bad = [
                #"{"kind":"blood-pressure","at":\#(now - 3_600_000),"systolic":400,"diastolic":88,"unit":"mmHg"}"#,
                #"{"kind":"glucose","at":\#(now - 3_600_000),"value":6.1,"unit":"furlongs"}"#,
                #"{"kind":"weight","at":\#(now + 86_400_000),"value":80,"unit":"kg"}"#,
            ]
            let body = #"{"readings":[\#((lines + bad).joined(separator: ","))]}"#
            let first = try await client.call(.post, path, token: cast.patientA, json: body)
            #expect(first.status == .ok, "\(first.text.prefix(300))")
            let answer = try first.json()
            #expect(answer["received"] as? Int == 35)
            #expect(answer["inserted"] as? Int == 32)
            #expect(answer["rejected"] as? Int == 3)
            let reasons = (answer["rejections"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(reasons.contains("readings[32].systolic") && reasons.contains("readings[33].unit") && reasons.contains("readings[34].at"), "\(reasons)")
            // Re-sent (a retry): nothing new.
            let again = try await client.call(.post, path, token: cast.patientA, json: body)
            #expect(try again.json()["inserted"] as? Int == 0 && (try again.json()["duplicates"] as? Int) == 32)

            // NDJSON, with a broken line named by its number.
            var headers: HTTPFields = [.authorization: "Bearer \(cast.patientA)", .contentType: "application/x-ndjson"]
            let ndjson = #"{"kind":"steps","at":\#(now - 3_600_000),"value":6500,"unit":"/d"}"# + "\n{not json\n"
            let streamed = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: ndjson))
            #expect(streamed.status == .ok)
            let streamedAnswer = try streamed.json()
            #expect(streamedAnswer["inserted"] as? Int == 1 && streamedAnswer["rejected"] as? Int == 1)
            #expect(((streamedAnswer["rejections"] as? [[String: Any]])?.first?["index"] as? Int) == 2)

            // A FHIR Observation (BP as components of the panel).
            headers[.contentType] = "application/fhir+json"
            let effective = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(now - 7_200_000) / 1000))
            let observation = #"""
                {"resourceType":"Observation","id":"bp-1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},
                 "effectiveDateTime":"\#(effective)","component":[
                  {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":131,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
                  {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":83,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}
                """#
            let fhir = try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: observation))
            #expect(fhir.status == .ok, "\(fhir.text)")
            #expect(try fhir.json()["inserted"] as? Int == 1)

            // Wrong media type; nothing usable at all; a body that is not the format.
            headers[.contentType] = "text/plain"
            #expect(try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: "x")).status == .unsupportedMediaType)
            let allBad = try await client.call(.post, path, token: cast.patientA, json: #"{"readings":[\#(bad[0])]}"#)
            #expect(allBad.status == .unprocessableContent)
            let notBatch = try await client.call(.post, path, token: cast.patientA, json: #"[1,2]"#)
            #expect(notBatch.status == .unprocessableContent)
            // Another patient's series is not theirs to write; an off-team clinician cannot read it.
            #expect(try await client.call(.post, path, token: cast.patientB, json: body).status == .forbidden)
            #expect(try await client.call(.get, path, token: cast.offTeam).status == .forbidden)

            // The series and the summary: 8 days, day 1 excluded, so 28 home readings averaged.
            let series = try await client.call(.get, path + "?kind=blood-pressure", token: cast.clinician)
            #expect((try series.json()["readings"] as? [Any])?.count == 33)
            let summary = try await client.call(.get, "/api/v1/patients/\(cast.a.rawValue)/monitoring/summary", token: cast.clinician)
            #expect(summary.status == .ok)
            let home = try #require(try summary.json()["homeBP"] as? [String: Any])
            #expect(home["sufficient"] as? Bool == true, "\(home)")
            #expect((home["count"] as? Int).map { $0 >= 24 } == true, "\(home)")
            // With sufficient home readings the plan uses them (home thresholds) and says so.
            let plan = try await client.call(.get, "/api/v1/patients/\(cast.a.rawValue)/care-plan", token: cast.clinician)
            let notes = try #require(try plan.json()["notes"] as? [String])
            #expect(notes.contains { $0.hasPrefix("blood pressure: home average") }, "\(notes)")
        }
        await cast.harness.close()
    }

    @Test func factorsAsAQuestionnaireResponseOrObservations() async throws {
        let cast = try await Self.cast(.sqlite)
        try await cast.harness.test { client in
            // The published Questionnaire: one item per factor, linkId = the intake path.
            let questionnaire = try await client.call(.get, "/api/v1/factors/questionnaire", token: cast.patientA)
            #expect(questionnaire.status == .ok)
            let items = try #require(try questionnaire.json()["item"] as? [[String: Any]])
            #expect(items.contains { $0["linkId"] as? String == "diet.sodiumMgPerDay" && $0["type"] as? String == "decimal" })
            #expect(items.contains { $0["linkId"] as? String == "smoking" && $0["type"] as? String == "choice" })
            #expect(try await client.call(.get, "/api/v1/factors/questionnaire", token: nil).status == .unauthorized)

            var headers: HTTPFields = [.authorization: "Bearer \(cast.patientA)", .contentType: "application/fhir+json"]
            let path = "/api/v1/patients/\(cast.a.rawValue)/factors"
            let response = #"""
                {"resourceType":"QuestionnaireResponse","status":"completed","authored":"2026-12-01T09:00:00+01:00",
                 "item":[{"linkId":"diet","item":[{"linkId":"diet.sodiumMgPerDay","answer":[{"valueDecimal":3800}]}]},
                         {"linkId":"smoking","answer":[{"valueCoding":{"code":"never"}}]},
                         {"linkId":"preferences.unwilling","answer":[{"valueCoding":{"code":"alcohol"}},{"valueCoding":{"code":"stress"}}]},
                         {"linkId":"environment.safePlaceToExercise","answer":[{"valueBoolean":true}]}]}
                """#
            let stored = try await client.execute(uri: path, method: .put, headers: headers, body: ByteBuffer(string: response))
            #expect(stored.status == .created, "\(stored.text)")
            #expect(try stored.json()["recorded"] as? Int == 4)
            let bundle = #"""
                {"resourceType":"Bundle","type":"collection","entry":[
                  {"resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"93832-4"}]},
                   "effectiveDateTime":"2026-12-02T07:00:00Z","valueQuantity":{"value":6.5,"unit":"h"}}},
                  {"resource":{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"44261-6"}]},
                   "valueQuantity":{"value":31}}}]}
                """#
            // PHQ-9 runs 0–27: the second Observation is refused, naming where, and nothing of the bundle is kept.
            let refused = try await client.execute(uri: path, method: .put, headers: headers, body: ByteBuffer(string: bundle))
            #expect(refused.status == .unprocessableContent)
            #expect(refused.text.contains("Bundle.entry[1]") && refused.text.contains("psychosocial.phq9"), "\(refused.text)")
            let fixed = try await client.execute(
                uri: path, method: .put, headers: headers, body: ByteBuffer(string: bundle.replacingOccurrences(of: #""value":31"#, with: #""value":11"#)))
            #expect(fixed.status == .created, "\(fixed.text)")
            let unknown = try await client.execute(
                uri: path, method: .put, headers: headers,
                body: ByteBuffer(string: #"{"resourceType":"QuestionnaireResponse","item":[{"linkId":"diet.sugar","answer":[{"valueDecimal":1}]}]}"#))
            #expect(unknown.status == .unprocessableContent && unknown.text.contains("diet.sugar"))
            headers[.authorization] = "Bearer \(cast.clinician)"
            let factors = try await client.call(.get, path, token: cast.clinician)
            let list = try #require(try factors.json()["factors"] as? [[String: Any]])
            let values = Dictionary(uniqueKeysWithValues: list.compactMap { item in (item["path"] as? String).map { ($0, item["value"] as? String ?? "") } })
            #expect(values["diet.sodiumMgPerDay"] == "3800" && values["sleep.hoursPerNight"] == "6.5" && values["psychosocial.phq9"] == "11")
            #expect(values["preferences.unwilling"] == "alcohol,stress" && values["environment.safePlaceToExercise"] == "yes")
        }
        await cast.harness.close()
    }

    /// An agreed goal of home SBP < 130, accepted 13 weeks ago, with weekly means that stay near 145: the plan reports
    /// the goal as `no-progress` and proposes a review (risk-and-care.md §3.2.5).
    @Test func aGoalNotReachedAfter12WeeksProposesAReview() async throws {
        let cast = try await Self.cast(.sqlite)
        let harness = cast.harness
        let store = harness.server.store
        let clinician = try #require(try await store.credentials(username: "doc")).0
        let now = store.now()
        let accepted = RiskDate(epochMillis: now - 13 * 7 * Self.day).description
        let goal = #"""
            {"id":"goal-bp","description":"Home systolic BP below 130 within 12 weeks","category":"physiologic",
             "target":{"measureLOINC":"8480-6","high":130,"unit":"mm[Hg]","due":"\#(accepted)"},"tracking":["8480-6"],"planItem":"htn.target",
             "lifecycleStatus":"accepted","achievementStatus":"in-progress","expressedByPatient":true,"shrunk":false,"why":"test",
             "history":[{"date":"\#(accepted)","change":"accepted by the patient","status":"accepted"}]}
            """#
        _ = try await store.saveCarePlan(
            try await harness.server.gate.authorize(clinician.principal, .write, .clinicalRecord, patient: cast.a, requestID: "setup"), patient: cast.a,
            guideline: "aha-acc-2025", knowledge: "careplan test", document: "{}", goals: [.init(lifecycleStatus: "accepted", document: goal)])
        var readings: [Reading] = []
        for d in 0..<(13 * 7) {
            for (hour, sbp) in [(7, 146.0), (7, 144.0), (19, 147.0), (19, 145.0)] {
                let at = now - Int64(13 * 7 - d) * Self.day + Int64(hour) * 3_600_000 + Int64(readings.count % 2) * 60_000
                readings.append(Reading(kind: .bloodPressure, at: at, value: sbp - Double(d % 3), value2: 90, source: .home, utcOffsetMinutes: 0))
            }
        }
        _ = try await store.addReadings(
            try await harness.server.gate.authorize(clinician.principal, .write, .monitoring, patient: cast.a, requestID: "setup"), patient: cast.a, readings)
        try await harness.test { client in
            let response = try await client.call(.get, "/api/v1/patients/\(cast.a.rawValue)/care-plan", token: cast.clinician)
            #expect(response.status == .ok, "\(response.text.prefix(300))")
            let body = try response.json()
            let status = try #require(body["bloodPressureGoal"] as? [String: Any])
            #expect(status["status"] as? String == "no-progress", "\(status)")
            #expect(status["reviewProposed"] as? Bool == true)
            #expect((body["notes"] as? [String] ?? []).contains { $0.hasPrefix("review proposed for the blood-pressure goal") })
            let goals = try await client.call(.get, "/api/v1/patients/\(cast.a.rawValue)/goals", token: cast.patientA)
            let listed = try #require(try goals.json()["goals"] as? [[String: Any]])
            #expect((listed.first?["progress"] as? [String: Any])?["status"] as? String == "no-progress")
        }
        await harness.close()
    }

    @Test func consentWithholdingGenomicsWithholdsPGxFromThePlanNotThePlan() async throws {
        let cast = try await Self.cast(.sqlite)
        let harness = cast.harness
        let own = try #require(try await harness.server.store.credentials(username: "pat-a")).0
        _ = try await harness.server.store.recordConsent(
            try await harness.server.gate.authorize(own.principal, .write, .consent, patient: cast.a, requestID: "setup"), patient: cast.a,
            ConsentDirective(treatment: [.clinical, .monitoring]))
        try await harness.test { client in
            let response = try await client.call(.get, "/api/v1/patients/\(cast.a.rawValue)/care-plan?asOf=\(Self.asOf)", token: cast.clinician)
            #expect(response.status == .ok)
            let notes = try #require(try response.json()["notes"] as? [String])
            #expect(notes.contains { $0.hasPrefix("genomic findings (PGx, hereditary) not used") }, "\(notes)")
        }
        await harness.close()
    }
}
