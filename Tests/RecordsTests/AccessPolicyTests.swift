import Foundation
import Records
import Testing

@Suite struct AccessPolicyTests {
    static let patientID = PatientID(rawValue: "pat_a")
    static let other = PatientID(rawValue: "pat_b")

    static func principal(_ role: Role) -> Principal {
        Principal(userID: UserID(rawValue: "usr_\(role.rawValue.replacingOccurrences(of: "_", with: "-"))"), username: role.rawValue, role: role,
                  patientID: role == .patient ? patientID : nil)
    }

    static func decide(
        _ role: Role, _ action: Action, _ resource: Resource, patient: PatientID? = patientID, relationship: Relationship? = nil,
        consent: ConsentDirective = .default, exists: Bool = true
    ) -> AccessDecision {
        let principal = principal(role)
        let relation = relationship ?? Relationship(isSelf: role == .patient && patient == patientID)
        return AccessPolicy.decide(
            AccessRequest(principal: principal, action: action, resource: resource, patientID: patient, relationship: relation, consent: consent, patientExists: exists))
    }

    @Test("a patient reads every part of their own record, whatever their consent says", arguments: Resource.allCases.filter(\.isPatientScoped))
    func patientReadsOwnRecord(resource: Resource) {
        let withheld = ConsentDirective(treatment: [])
        let decision = Self.decide(.patient, .read, resource, consent: withheld)
        #expect(decision.isAllowed == (resource != .breakGlass), "\(resource)")
    }

    @Test("a patient never reads another patient's record", arguments: Resource.allCases.filter(\.isPatientScoped))
    func patientOtherRecord(resource: Resource) {
        #expect(!Self.decide(.patient, .read, resource, patient: Self.other).isAllowed)
        #expect(!Self.decide(.patient, .write, resource, patient: Self.other).isAllowed)
    }

    @Test("patients write only consent, reported factors and monitoring", arguments: Resource.allCases.filter(\.isPatientScoped))
    func patientWrites(resource: Resource) {
        let allowed: Set<Resource> = [.consent, .clinicalRecord, .monitoring]
        #expect(Self.decide(.patient, .write, resource).isAllowed == allowed.contains(resource))
    }

    @Test(
        "clinicians and counsellors: care team decides, consent per category narrows",
        arguments: [Role.clinician, .geneticCounsellor], DataCategory.allCases)
    func careTeamAndConsent(role: Role, withheld: DataCategory) {
        let onTeam = Relationship(onCareTeam: true)
        var consent = ConsentDirective.default
        consent.treatment.remove(withheld)
        for resource in Resource.allCases where resource.isPatientScoped && resource != .breakGlass && resource != .patientAudit && resource != .careTeam {
            let decision = Self.decide(role, .read, resource, relationship: onTeam, consent: consent)
            #expect(decision.isAllowed == (resource.dataCategory != withheld), "\(role) \(resource) with \(withheld) withheld")
            #expect(!Self.decide(role, .read, resource, relationship: .none).isAllowed, "\(role) off the team reads \(resource)")
        }
    }

    @Test func breakGlassIsReadOnlyAndConsentStillApplies() {
        let glass = Relationship(breakGlass: true)
        let read = Self.decide(.clinician, .read, .findings, relationship: glass)
        #expect(read.isAllowed)
        #expect(read.purpose == .emergency)
        #expect(!Self.decide(.clinician, .write, .clinicalRecord, relationship: glass).isAllowed)
        #expect(!Self.decide(.clinician, .read, .findings, relationship: glass, consent: ConsentDirective(treatment: [.clinical])).isAllowed)
        #expect(Self.decide(.administrator, .read, .clinicalRecord, relationship: glass).isAllowed)
        #expect(!Self.decide(.administrator, .read, .clinicalRecord).isAllowed)
    }

    @Test("researchers never see an individual record", arguments: Resource.allCases.filter(\.isPatientScoped), Action.allCases)
    func researcherIndividual(resource: Resource, action: Action) {
        #expect(!Self.decide(.researcher, action, resource, relationship: Relationship(onCareTeam: true, breakGlass: true)).isAllowed)
    }

    @Test func nonPatientResources() {
        #expect(Self.decide(.researcher, .read, .researchAggregate, patient: nil).isAllowed)
        #expect(!Self.decide(.clinician, .read, .researchAggregate, patient: nil).isAllowed)
        #expect(Self.decide(.administrator, .write, .accounts, patient: nil).isAllowed)
        #expect(!Self.decide(.clinician, .write, .accounts, patient: nil).isAllowed)
        #expect(Self.decide(.administrator, .read, .auditLog, patient: nil).isAllowed)
        #expect(!Self.decide(.clinician, .read, .auditLog, patient: nil).isAllowed)
        #expect(Self.decide(.clinician, .write, .patientRegistration, patient: nil).isAllowed)
        #expect(!Self.decide(.patient, .write, .patientRegistration, patient: nil).isAllowed)
        #expect(!Self.decide(.researcher, .read, .patientDirectory, patient: nil).isAllowed)
    }

    @Test func missingPatientIsNotFound() {
        let decision = Self.decide(.clinician, .read, .patientSummary, relationship: Relationship(onCareTeam: true), exists: false)
        #expect(!decision.isAllowed)
        #expect(decision.notFound)
    }

    @Test func administratorsManageCareTeamsAndReadAPatientsTrail() {
        #expect(Self.decide(.administrator, .write, .careTeam).isAllowed)
        #expect(Self.decide(.administrator, .read, .patientAudit).isAllowed)
        #expect(!Self.decide(.clinician, .write, .careTeam, relationship: Relationship(onCareTeam: true)).isAllowed)
    }
}

@Suite struct ConsentTests {
    @Test(
        "DUO uses nest: general covers health/medical covers disease-specific",
        arguments: [
            (ResearchUse.general, ResearchUse.general, true), (.general, .healthMedical, true), (.general, .diseaseSpecific("MONDO:0005148"), true),
            (.healthMedical, .general, false), (.healthMedical, .diseaseSpecific("MONDO:0005148"), true),
            (.diseaseSpecific("MONDO:0005148"), .diseaseSpecific("mondo:0005148"), true), (.diseaseSpecific("MONDO:0005148"), .diseaseSpecific("MONDO:0007254"), false),
            (.diseaseSpecific("MONDO:0005148"), .healthMedical, false),
        ])
    func nesting(granted: ResearchUse, asked: ResearchUse, covers: Bool) {
        #expect(granted.covers(asked) == covers)
    }

    @Test func researchNeedsUseAndCategory() {
        let consent = ConsentDirective(researchUses: [.healthMedical], researchCategories: [.genomic])
        #expect(consent.permitsResearch(.healthMedical, category: .genomic))
        #expect(!consent.permitsResearch(.healthMedical, category: .clinical))
        #expect(!consent.permitsResearch(.general, category: .genomic))
        #expect(!ConsentDirective.default.permitsResearch(.diseaseSpecific("x"), category: .genomic))
        #expect(ConsentDirective.default.permitsTreatment(.genomic))
    }

    @Test func researchUseJSON() throws {
        let uses: [ResearchUse] = [.general, .healthMedical, .diseaseSpecific("MONDO:0005148")]
        let data = try JSONEncoder().encode(uses)
        #expect(try JSONDecoder().decode([ResearchUse].self, from: data) == uses)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ResearchUse.self, from: Data(#"{"code":"DUO:9"}"#.utf8)) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ResearchUse.self, from: Data(#"{"code":"DUO:0000007"}"#.utf8)) }
    }
}

@Suite struct AuditChainTests {
    static func record(_ n: Int) -> AuditRecord {
        AuditRecord(
            time: Int64(n), actor: "usr_x", actorRole: "clinician", action: "read", resource: "findings", patientID: PatientID(rawValue: "pat_a"),
            purpose: "TREAT", outcome: .allow, reason: "care team", requestID: "r\(n)")
    }

    @Test func chainVerifies() throws {
        let entries = AuditChain.chain((1...50).map(Self.record), after: 0, hash: AuditChain.genesis)
        #expect(try AuditChain.verify(entries) == 50)
        #expect(entries[0].previousHash == AuditChain.genesis)
        #expect(entries[1].previousHash == entries[0].hash)
    }

    @Test("any change names the first broken entry", arguments: [0, 7, 49])
    func tamperDetected(index: Int) {
        var entries = AuditChain.chain((1...50).map(Self.record), after: 0, hash: AuditChain.genesis)
        entries[index].record.reason = "edited"
        #expect { try AuditChain.verify(entries) } throws: { ($0 as? AuditChain.Break)?.sequence == Int64(index + 1) }
    }

    @Test func removalAndReorderDetected() {
        var entries = AuditChain.chain((1...10).map(Self.record), after: 0, hash: AuditChain.genesis)
        var removed = entries
        removed.remove(at: 4)
        #expect { try AuditChain.verify(removed) } throws: { ($0 as? AuditChain.Break)?.sequence == 6 }
        entries.swapAt(2, 3)
        #expect { try AuditChain.verify(entries) } throws: { ($0 as? AuditChain.Break)?.sequence == 4 }
    }

    @Test func truncatedTailDetectedByHead() throws {
        let entries = AuditChain.chain((1...10).map(Self.record), after: 0, hash: AuditChain.genesis)
        var verifier = AuditChain.Verifier()
        for entry in entries.prefix(8) { try verifier.check(entry) }
        #expect(throws: AuditChain.Break.self) { try verifier.checkHead(sequence: 10, hash: entries[9].hash) }
    }

    @Test func fieldsAreLengthPrefixed() {
        var a = Self.record(1)
        var b = Self.record(1)
        a.actor = "ab"
        a.actorRole = "c"
        b.actor = "a"
        b.actorRole = "bc"
        #expect(AuditChain.hash(sequence: 1, record: a, previousHash: AuditChain.genesis) != AuditChain.hash(sequence: 1, record: b, previousHash: AuditChain.genesis))
    }
}

@Suite struct IdentifierTests {
    @Test(arguments: ["pat_abc", "pat_0123456789abcdef0123456789abcdef", "pat_demo-alex"])
    func valid(text: String) throws {
        #expect(try PatientID(parsing: text).rawValue == text)
    }

    @Test(arguments: ["", "pat_", "smp_abc", "pat_ABC", "pat_a/b", "pat_" + String(repeating: "a", count: 65), "../pat_a"])
    func invalid(text: String) {
        #expect(throws: IdentifierError.self) { try PatientID(parsing: text) }
    }

    @Test func randomIsWellFormedAndPrefixed() {
        let id = SampleID.random()
        #expect(id.rawValue.hasPrefix("smp_"))
        #expect(SampleID.isWellFormed(id.rawValue))
        #expect(!PatientID.isWellFormed(id.rawValue))
    }
}

/// FHIR ids allow only letters, digits, '-' and '.': Tailor's identifiers are written with '-' and read in both forms.
@Suite struct FHIRIdentifierTests {
    @Test(arguments: ["pat_demo-alex", "pat_3f1cabc", "ent_0a-b"])
    func roundTrip(_ raw: String) throws {
        let id = try PatientID(parsing: raw.replacingOccurrences(of: "ent_", with: "pat_"))
        #expect(id.fhirID.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." })
        #expect(try PatientID(parsingFHIR: id.fhirID) == id)
        #expect(try PatientID(parsingFHIR: id.rawValue) == id)
    }

    @Test func otherKindsAndGarbageAreRefused() {
        #expect(throws: IdentifierError.self) { try PatientID(parsingFHIR: "smp-abc") }
        #expect(throws: IdentifierError.self) { try PatientID(parsingFHIR: "pat-") }
        #expect(throws: IdentifierError.self) { try PatientID(parsingFHIR: "pat-ABC") }
    }
}
