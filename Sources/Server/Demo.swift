import Foundation
import Knowledge
import PGx
public import Records
import Store

/// `tailor serve --demo`: synthetic patients with genomes made from the PGx allele definitions, clinical entries,
/// consents of different kinds, and one account per role, loaded through the same access gate and audit log as
/// any request (the demo clinician registers the patients and uploads their genomes).
extension TailorServer {
    /// One demo account: username, password, role, and whose record (for patients).
    public struct DemoAccount: Sendable {
        public var username: String
        public var password: String
        public var role: Role
        public var patient: String?
        /// For patients: what their record shows.
        public var story: String?
    }

    struct DemoPatient {
        var id: String
        var given: String
        var family: String
        var birthDate: String
        var sex: String
        var diplotypes: [String: (String, String)]
        /// Genes a VCF cannot call (CYP2D6, HLA-B), as outside calls in the genome's header.
        var outsideCalls: [DemoGenome.OutsideCallLine] = []
        var consent: ConsentDirective
        var entries: [RecordStore.NewEntry]
        var story: String
    }

    static let loinc = "http://loinc.org"
    static let snomed = "http://snomed.info/sct"
    static let rxnorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
    static let hpo = "http://purl.obolibrary.org/obo/hp.owl"

    static var demoPatients: [DemoPatient] {
        let day: Int64 = 86_400_000
        let base: Int64 = 1_790_000_000_000
        func bp(_ systolic: Double, _ diastolic: Double, daysAgo: Int64, category: String = "monitoring") -> [RecordStore.NewEntry] {
            [
                .init(type: .observation, category: category, system: loinc, code: "8480-6", display: "Systolic blood pressure", valueNumber: systolic, unit: "mm[Hg]", status: "final", effectiveAt: base - daysAgo * day),
                .init(type: .observation, category: category, system: loinc, code: "8462-4", display: "Diastolic blood pressure", valueNumber: diastolic, unit: "mm[Hg]", status: "final", effectiveAt: base - daysAgo * day),
            ]
        }
        /// A measurement of the risk view's inputs (codes as RiskRecordCodes reads them; synthetic values).
        func lab(_ code: String, _ display: String, _ value: Double, _ unit: String, daysAgo: Int64, category: String = "laboratory") -> RecordStore.NewEntry {
            .init(type: .observation, category: category, system: loinc, code: code, display: display, valueNumber: value, unit: unit, status: "final", effectiveAt: base - daysAgo * day)
        }
        func smoking(_ answer: String, daysAgo: Int64) -> RecordStore.NewEntry {
            .init(type: .observation, category: "social-history", system: loinc, code: "72166-2", display: "Tobacco smoking status", valueText: answer, status: "final", effectiveAt: base - daysAgo * day)
        }
        func drug(_ code: String, _ name: String) -> RecordStore.NewEntry {
            .init(type: .medication, category: "outpatient", system: rxnorm, code: code, display: name, status: "active")
        }
        let office = "vital-signs"
        func synthetic(_ assay: String) -> String { "Tailor demo: synthetic \(assay), not a real test" }
        return [
            DemoPatient(
                id: "pat_demo-alex", given: "Alex", family: "Rivera", birthDate: "1961-04-12", sex: "male",
                diplotypes: ["CYP2C19": ("*2", "*2"), "SLCO1B1": ("*1", "*5")],
                consent: ConsentDirective(researchUses: [.general], researchCategories: [.genomic, .clinical]),
                entries: [
                    .init(type: .condition, category: "problem-list-item", system: snomed, code: "414545008", display: "Ischemic heart disease", status: "active"),
                    .init(type: .medication, category: "outpatient", system: rxnorm, code: "32968", display: "clopidogrel", status: "active"),
                    .init(type: .observation, category: "laboratory", system: loinc, code: "2093-3", display: "Cholesterol [Mass/volume] in Serum or Plasma", valueNumber: 212, unit: "mg/dL", status: "final", effectiveAt: base - 30 * day),
                    lab("2085-9", "HDL cholesterol", 41, "mg/dL", daysAgo: 30),
                    lab("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", 1.02, "mg/dL", daysAgo: 30),
                    lab("39156-5", "Body mass index", 29.1, "kg/m2", daysAgo: 2, category: office),
                    smoking("Former smoker", daysAgo: 2),
                    drug("83367", "atorvastatin"),
                    drug("6918", "metoprolol"),
                ] + bp(138, 84, daysAgo: 2, category: office) + bp(148, 92, daysAgo: 3) + bp(142, 88, daysAgo: 2) + bp(139, 87, daysAgo: 1),
                story: "after a coronary stent, on clopidogrel: a CYP2C19 poor metabolizer (risk view: PREVENT and PCE do not apply, known heart disease)"),
            DemoPatient(
                id: "pat_demo-sam", given: "Sam", family: "Okafor", birthDate: "1958-09-30", sex: "female",
                diplotypes: ["DPYD": ("Reference", "c.1905+1G>A (*2A)"), "TPMT": ("*1", "*3A")],
                outsideCalls: [.init(gene: "CYP2D6", diplotype: "*4/*4", source: synthetic("CYP2D6 genotyping"))],
                consent: .default,
                entries: [
                    .init(type: .condition, category: "problem-list-item", system: snomed, code: "363406005", display: "Malignant neoplasm of colon", status: "active"),
                    .init(type: .factor, category: "preference", system: "urn:tailor:factor", code: "willing-to-change", valueText: "diet, sleep"),
                    .init(type: .condition, category: "problem-list-item", system: snomed, code: "44054006", display: "Diabetes", status: "active"),
                    drug("5487", "hydrochlorothiazide"),
                    lab("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", 228, "mg/dL", daysAgo: 420),
                    lab("2085-9", "HDL cholesterol", 52, "mg/dL", daysAgo: 420),
                    lab("98979-8", "eGFR (CKD-EPI 2021)", 71, "mL/min/{1.73_m2}", daysAgo: 10),
                    lab("4548-4", "Hemoglobin A1c", 7.4, "%", daysAgo: 10),
                    lab("9318-7", "Albumin/Creatinine [Mass Ratio] in Urine", 42, "mg/g", daysAgo: 10),
                    lab("39156-5", "Body mass index", 31.4, "kg/m2", daysAgo: 10, category: office),
                    smoking("Current every day smoker", daysAgo: 10),
                ] + bp(146, 88, daysAgo: 10, category: office),
                story: "colon cancer, due to start a fluoropyrimidine: a DPYD *2A carrier; a CYP2D6 poor metabolizer (outside call), so codeine for pain will not work (risk view: full PREVENT model; lipids over a year old)"),
            DemoPatient(
                id: "pat_demo-mei", given: "Mei", family: "Chen", birthDate: "1970-01-22", sex: "female",
                diplotypes: ["CYP2C9": ("*1", "*3"), "VKORC1": ("rs9923231 reference (C)", "rs9923231 variant (T)"), "CYP3A5": ("*3", "*3")],
                outsideCalls: [.init(gene: "HLA-B", diplotype: "*58:01/*40:01", source: synthetic("HLA-B typing"))],
                consent: ConsentDirective(researchUses: [.healthMedical], researchCategories: [.genomic]),
                entries: [
                    .init(type: .condition, category: "problem-list-item", system: snomed, code: "49436004", display: "Atrial fibrillation", status: "active"),
                    .init(type: .factor, category: "lifestyle", system: "urn:tailor:factor", code: "activity-minutes-per-week", valueNumber: 60, unit: "min/wk"),
                    .init(type: .factor, category: "psychosocial", system: "urn:tailor:factor", code: "pss-10", display: "Perceived Stress Scale", valueNumber: 24),
                    lab("2093-3", "Cholesterol [Moles/volume] in Serum or Plasma", 5.4, "mmol/L", daysAgo: 20),
                    lab("2085-9", "HDL cholesterol", 1.5, "mmol/L", daysAgo: 20),
                    lab("2160-0", "Creatinine [Moles/volume] in Serum or Plasma", 68, "umol/L", daysAgo: 20),
                    lab("4548-4", "Hemoglobin A1c", 5.6, "%", daysAgo: 20),
                    lab("29463-7", "Body weight", 64, "kg", daysAgo: 5, category: office),
                    lab("8302-2", "Body height", 162, "cm", daysAgo: 5, category: office),
                    smoking("Never smoker", daysAgo: 5),
                ] + bp(132, 80, daysAgo: 5, category: office),
                story: "atrial fibrillation, a warfarin candidate: CYP2C9 *1/*3 with a VKORC1 variant; an HLA-B*58:01 carrier (outside call), so no allopurinol (risk view: lipids in mmol/L, BMI from weight and height)"),
            DemoPatient(
                id: "pat_demo-jordan", given: "Jordan", family: "Smith", birthDate: "1985-06-02", sex: "male",
                diplotypes: [:],
                consent: ConsentDirective(treatment: [.clinical, .monitoring]),
                entries: [
                    .init(type: .phenotype, category: "phenotype", system: hpo, code: "HP:0001250", display: "Seizure", status: "present"),
                    lab("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", 190, "mg/dL", daysAgo: 40),
                    lab("2085-9", "HDL cholesterol", 48, "mg/dL", daysAgo: 40),
                    lab("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", 0.95, "mg/dL", daysAgo: 40),
                    lab("39156-5", "Body mass index", 24.2, "kg/m2", daysAgo: 40, category: office),
                    smoking("Current every day smoker", daysAgo: 40),
                ] + bp(124, 78, daysAgo: 40, category: office),
                story: "has withheld their genomic data from treatment use: clinicians see the record but not the genome (nor the risk view's genomic part)"),
            DemoPatient(
                id: "pat_demo-priya", given: "Priya", family: "Patel", birthDate: "1992-11-15", sex: "female",
                diplotypes: ["CYP2C19": ("*17", "*17"), "SLCO1B1": ("*5", "*5")],
                outsideCalls: [
                    .init(gene: "CYP2D6", diplotype: "*1/*2", source: synthetic("CYP2D6 genotyping")),
                    .init(gene: "HLA-B", diplotype: "*07:02/*08:01", source: synthetic("HLA-B typing")),
                ],
                consent: ConsentDirective(researchUses: [.general], researchCategories: [.genomic, .clinical, .monitoring], secondaryFindings: true),
                entries: [
                    .init(type: .condition, category: "problem-list-item", system: snomed, code: "55822004", display: "Hyperlipidemia", status: "active"),
                    lab("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", 262, "mg/dL", daysAgo: 15),
                    lab("2085-9", "HDL cholesterol", 58, "mg/dL", daysAgo: 15),
                    lab("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", 0.7, "mg/dL", daysAgo: 15),
                    lab("39156-5", "Body mass index", 23.5, "kg/m2", daysAgo: 15, category: office),
                    smoking("Never smoker", daysAgo: 15),
                ] + bp(126, 80, daysAgo: 15, category: office) + bp(128, 82, daysAgo: 1),
                story: "hyperlipidemia, a statin candidate: SLCO1B1 poor function; CYP2C19 ultrarapid; CYP2D6 normal and HLA-B*58:01 negative (outside calls) (risk view: PREVENT only, the PCE start at 40)"),
        ]
    }

    /// Loads the demo once (a second start finds the demo clinician and leaves everything as it is).
    public func loadDemo() async throws -> [DemoAccount] {
        var accounts: [DemoAccount] = [
            DemoAccount(username: "clinician", password: "demo-clinician", role: .clinician),
            DemoAccount(username: "counsellor", password: "demo-counsellor", role: .geneticCounsellor),
            DemoAccount(username: "researcher", password: "demo-researcher", role: .researcher),
        ]
        let patients = Self.demoPatients
        for patient in patients {
            accounts.append(
                DemoAccount(
                    username: patient.given.lowercased(), password: "demo-\(patient.given.lowercased())", role: .patient, patient: patient.id,
                    story: patient.story))
        }
        if try await store.credentials(username: "clinician") != nil { return accounts }

        let admin = try await systemAdministrator()
        let requestID = "demo"
        let adminGrant = { try await gate.authorize(admin, .write, .accounts, requestID: requestID) }
        var users: [String: UserAccount] = [:]
        for account in accounts where account.role != .patient {
            users[account.username] = try await store.createUser(
                try await adminGrant(), .init(username: account.username, displayName: "Demo \(account.role.rawValue)", role: account.role),
                passwordHash: try await authenticator.hashPassword(account.password))
        }
        guard let clinician = users["clinician"]?.principal, let counsellor = users["counsellor"] else { return accounts }
        let definitions = try PGxDefinitions(pack: .bundled("pgx"))
        for patient in patients {
            let id = PatientID(rawValue: patient.id)
            _ = try await store.createPatient(
                try await gate.authorize(clinician, .write, .patientRegistration, requestID: requestID),
                .init(mrn: "DEMO-\(patient.given.uppercased())", givenName: patient.given, familyName: patient.family, birthDate: patient.birthDate, sex: patient.sex),
                id: id)
            try await store.addToCareTeam(try await gate.authorize(admin, .write, .careTeam, patient: id, requestID: requestID), patient: id, user: counsellor.id)
            _ = try await store.createUser(
                try await adminGrant(), .init(username: patient.given.lowercased(), displayName: "\(patient.given) \(patient.family)", role: .patient, patientID: id),
                passwordHash: try await authenticator.hashPassword("demo-\(patient.given.lowercased())"))
            let clinical = patient.entries.filter { $0.category != "monitoring" }
            let monitoring = patient.entries.filter { $0.category == "monitoring" }
            if !clinical.isEmpty {
                _ = try await store.addEntries(try await gate.authorize(clinician, .write, .clinicalRecord, patient: id, requestID: requestID), patient: id, clinical)
            }
            if !monitoring.isEmpty {
                _ = try await store.addEntries(try await gate.authorize(clinician, .write, .monitoring, patient: id, requestID: requestID), patient: id, monitoring)
            }
            // The genome is stored like an upload: encrypted, checked, then queued for analysis. Consent is recorded
            // last, as at a first visit, so a patient who withholds genomic data from treatment still has it on file;
            // their clinician just cannot see it.
            let text = try DemoGenome.vcf(
                sample: patient.given.uppercased(), diplotypes: patient.diplotypes, outsideCalls: patient.outsideCalls, definitions: definitions,
                male: patient.sex == "male")
            let writer = try blobs.makeWriter()
            try writer.write(Array(text.utf8))
            let staged = try writer.finish()
            try staged.commit(to: blobs)
            let dataset = Dataset(
                id: .random(), patientID: id, kind: .germlineVCF, filename: "\(patient.given.lowercased())-demo.vcf", sizeBytes: staged.size,
                sha256: staged.sha256, genomeBuild: "GRCh38", createdAt: WallClock.millis(), createdBy: clinician.userID)
            _ = try await store.createDataset(
                try await gate.authorize(clinician, .write, .genomicData, patient: id, requestID: requestID), dataset,
                blob: .init(name: staged.name, wrappedKey: staged.wrappedKey), sampleNames: [patient.given.uppercased()], analysers: analysers.map(\.name))
            _ = try await store.recordConsent(
                try await gate.authorize(clinician, .write, .consent, patient: id, requestID: requestID), patient: id, patient.consent)
        }
        return accounts
    }

    /// The bootstrap administrator as a principal (the demo's account manager).
    func systemAdministrator() async throws -> Principal {
        guard let (account, _) = try await store.credentials(username: "admin") else {
            throw StoreError.notFound("the administrator account is missing")
        }
        return account.principal
    }
}
