import Foundation
import GenomicsReporting
import Hummingbird
import Knowledge
import NIOCore
import Phenotype
import Records
import Store

/// `GET /api/v1/patients/{id}/phenopacket`: the patient's phenotype (the HPO entries of their record) and genomic
/// findings (one interpretation per called pharmacogene, its diplotype as the variation descriptor) as a GA4GH
/// Phenopacket v2, written with the same ``PhenopacketWriter`` as `tailor diagnose`.
///
/// Three decisions, each audited, in this order: the findings (so a patient's consent withholding genomic data from
/// treatment refuses the care team the export as a whole, at the first decision, rather than handing out a packet
/// that silently lacks its genomic part), the clinical record (the phenotypes), the patient summary (sex and date of
/// birth).
enum PhenopacketRoute {
    static func add(to router: Router<TailorContext>, environment env: APIEnvironment) {
        router.get("api/v1/patients/:patientID/phenopacket") { _, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let findingsGrant = try await env.grant(context, .read, .findings, patient: id)
            let findings = try await env.store.findings(findingsGrant, patient: id, limit: 5000)
            let recordGrant = try await env.grant(context, .read, .clinicalRecord, patient: id)
            var phenotypes: [ClinicalEntry] = []
            var search = RecordStore.EntrySearch(types: [.phenotype], limit: 1000)
            while true {
                let page = try await env.store.searchEntries(recordGrant, patient: id, search).entries
                phenotypes += page
                guard page.count == search.limit, let last = page.last else { break }
                search.after = last.id
            }
            let summaryGrant = try await env.grant(context, .read, .patientSummary, patient: id)
            let patient = try await env.store.patient(summaryGrant, id)
            let created = Date(timeIntervalSince1970: Double(env.store.now()) / 1000)
            let document = PatientPhenopacket.object(patient: patient, phenotypes: phenotypes, findings: findings, hpoVersion: hpoVersion, created: created)
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: try PhenopacketWriter.json(document))))
        }
    }

    /// The bundled HPO pack's release, named in `metaData.resources` (the manifest only; the ontology is not loaded).
    static let hpoVersion: String = (try? KnowledgePack.bundled("hpo").manifest.version) ?? "unknown"
}

/// A patient's record → the Phenopacket v2 document. Pure, so tests check it without a server.
enum PatientPhenopacket {
    /// - Parameters:
    ///   - phenotypes: the patient's phenotype entries; the newest entry per HPO term wins (status `excluded` marks a
    ///     feature looked for and absent; `entered-in-error` and non-HPO codes are left out).
    ///   - findings: the patient's current findings: each called `pgx.gene` finding becomes an interpretation (its
    ///     diplotype as the descriptor's label), each `germline.variant` and `germline.secondary` one with the variant's HGVS expression and ACMG
    ///     class; other kinds (polygenic scores, drug recommendations) are not variants and are left out.
    static func object(patient: Patient, phenotypes: [ClinicalEntry], findings: [Finding], hpoVersion: String, created: Date) -> [String: Any] {
        var newest: [String: ClinicalEntry] = [:]
        for entry in phenotypes where entry.type == .phenotype && entry.code.hasPrefix("HP:") && entry.status != "entered-in-error" {
            if let seen = newest[entry.code], (seen.recordedAt, seen.id) > (entry.recordedAt, entry.id) { continue }
            newest[entry.code] = entry
        }
        let features = newest.keys.sorted().map { code in
            let entry = newest[code]!
            return PhenopacketWriter.feature(id: code, label: entry.display ?? code, excluded: entry.status == "excluded")
        }
        let subject = patient.id.rawValue
        let genes = findings.filter { $0.kind == GenomicsReportingExport.geneKind && $0.label != nil }.sorted { ($0.subject, $0.id) < ($1.subject, $1.id) }
        let interpretations = genes.map { finding -> [String: Any] in
            let diplotype = finding.label ?? ""
            let descriptor = PhenopacketWriter.VariationDescriptor(
                id: finding.id.rawValue, label: "\(finding.subject) \(diplotype)", description: finding.interpretation,
                geneID: PharmacogeneTerms.hgncID(finding.subject) ?? finding.subject, geneSymbol: finding.subject,
                allelicState: allelicState(diplotype: diplotype))
            let genomic = PhenopacketWriter.genomicInterpretation(
                subject: subject, status: "CONTRIBUTORY", descriptor: descriptor, actionability: actionability(phenotype: finding.interpretation))
            return PhenopacketWriter.interpretation(
                id: "pgx-\(finding.id.rawValue)", progressStatus: "COMPLETED", disease: nil, genomic: [genomic], summary: finding.summary)
        }
        // Secondary findings are here only when the patient opted in: the store's findings read already applied consent.
        let variants = findings.filter { $0.kind == MonogenicRisk.kind || $0.kind == Finding.secondaryFindingKind }.sorted { ($0.subject, $0.id) < ($1.subject, $1.id) }
        let variantInterpretations = variants.map { finding -> [String: Any] in
            let expressions = finding.label.map { [(syntax: PhenopacketWriter.hgvsSyntax($0), value: $0)] } ?? []
            let descriptor = PhenopacketWriter.VariationDescriptor(
                id: finding.id.rawValue, label: finding.label.map { "\(finding.subject) \($0)" }, geneID: finding.subject, geneSymbol: finding.subject,
                expressions: expressions)
            // A screening finding is not tied to a diagnosis here, so its status is left unknown rather than called causative.
            let genomic = PhenopacketWriter.genomicInterpretation(
                subject: subject, status: "UNKNOWN_STATUS", descriptor: descriptor, acmg: PhenopacketWriter.acmgClassification(finding.interpretation))
            return PhenopacketWriter.interpretation(
                id: "germline-\(finding.id.rawValue)", progressStatus: "COMPLETED", disease: nil, genomic: [genomic], summary: finding.summary)
        }
        let birthDate = patient.birthDate.flatMap { $0.count == 10 ? $0 : nil }
        return PhenopacketWriter.document(
            id: "tailor-\(patient.id.rawValue)",
            subject: PhenopacketWriter.subject(id: subject, sex: PhenopacketWriter.sex(fhirGender: patient.sex), dateOfBirth: birthDate),
            features: features, interpretations: interpretations + variantInterpretations, created: created, resources: [.hpo(version: hpoVersion), .geno, .hgnc])
    }

    /// A star-allele diplotype's allelic state: the same allele twice is homozygous; the reference `*1` with another allele
    /// heterozygous; two different non-reference alleles compound heterozygous; anything else (HLA carrier calls,
    /// activity-score-only results) none.
    static func allelicState(diplotype: String) -> PhenopacketWriter.AllelicState? {
        let alleles = diplotype.split(separator: "/", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard alleles.count == 2, alleles.allSatisfy({ $0.hasPrefix("*") && $0.count > 1 }) else { return nil }
        if alleles[0] == alleles[1] { return .homozygous }
        return alleles.contains("*1") ? .heterozygous : .compoundHeterozygous
    }

    /// `TherapeuticActionability` from the gene's phenotype, for phenotypes in the Genomics Reporting IG's metabolizer/
    /// function answers: a normal phenotype is `NOT_ACTIONABLE`, any other `ACTIONABLE` (guidelines change prescribing
    /// for it); phenotypes outside that value set are `UNKNOWN_ACTIONABILITY`.
    static func actionability(phenotype: String?) -> String {
        switch phenotype.flatMap(PharmacogeneTerms.isNormal(phenotype:)) {
        case true?: "NOT_ACTIONABLE"
        case false?: "ACTIONABLE"
        case nil: "UNKNOWN_ACTIONABILITY"
        }
    }
}
