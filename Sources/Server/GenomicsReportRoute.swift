import Foundation
import GenomicsReporting
import Hummingbird
import Records
import Store

/// `GET /api/v1/patients/{id}/genomics-report`: the patient's current PGx findings as an HL7 FHIR Genomics Reporting
/// (STU3) collection Bundle: one genomic report per analysis run, a genotype Observation per called gene, and a
/// therapeutic-implication Observation per guideline recommendation with the guideline's text, citations and the
/// medication (RxNorm where known). Read under the findings grant, so consent and care teams apply, and audited.
enum GenomicsReportRoute {
    static func add(to router: Router<TailorContext>, environment env: APIEnvironment) {
        router.get("api/v1/patients/:patientID/genomics-report") { _, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let grant = try await env.grant(context, .read, .findings, patient: id)
            let findings = try await env.store.findings(grant, patient: id, limit: 5000)
            let issued = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(env.store.now()) / 1000))
            let bundle: JSONValue
            do {
                bundle = try GenomicsReportingExport.bundle(findings: findings, patientReference: "Patient/\(id.fhirID)", issued: issued)
            } catch {
                // Stored evidence that cannot be read is our fault, not the caller's: say which finding, as a 500.
                throw APIError(.internalServerError, "unreadable_finding", "\(error)")
            }
            return Response(
                status: .ok, headers: [.contentType: "application/fhir+json; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: bundle.serialized())))
        }
    }
}
