import Foundation
import Hummingbird
import Monitoring
import Records
import Store

/// Monitoring readings (issue #9 item 4): batches in, time series and protocol metrics out.
///
/// - `POST /api/v1/patients/{id}/readings`: a JSON batch `{"readings":[…]}` (`application/json`), a newline-delimited
///   stream of reading objects (`application/x-ndjson`), or FHIR Observations, alone or in a Bundle
///   (`application/fhir+json`). Every reading is validated on its own: impossible values, unknown units and future
///   timestamps are refused with the reason and counted, the rest are stored; a reading already in the series is
///   ignored. Nothing is stored unless the whole accepted set commits.
/// - `GET /api/v1/patients/{id}/readings?kind=…&from=…&to=…&limit=…`: the series, oldest first.
/// - `GET /api/v1/patients/{id}/monitoring/summary?asOf=…`: home BP average, category, control, weekly means and
///   trend, CGM metrics, adherence, goal status and alerts.
enum MonitoringRoutes {
    /// A batch body's limit. Larger than the JSON API's 1 MiB: a week of CGM for a clinic's devices is megabytes.
    static let maxBodyBytes = 64 << 20
    /// Readings per request: a year of 5-minute CGM readings (105,120) fits.
    static let maxReadings = 200_000
    /// Rejections listed in the answer (all are counted).
    static let listedRejections = 1_000

    struct IngestAnswer: Encodable {
        var received: Int
        var accepted: Int
        var inserted: Int
        var duplicates: Int
        /// Readings refused (a reading with several problems is one refusal with several rejections listed).
        var rejected: Int
        var rejections: [ReadingRejection]
        var rejectionsListed: Int
    }

    enum Format { case batch, ndjson, fhir }

    /// Parses and validates a body; a body that is not the format at all is a 422 naming where it broke.
    static func parse(_ data: Data, format: Format, validator: ReadingValidator) throws(APIError) -> ValidationResult {
        do {
            switch format {
            case .batch: return try ReadingParser.parseBatch(data, validator: validator)
            case .ndjson: return ReadingParser.parseNDJSON(data, validator: validator)
            case .fhir: return try ReadingParser.parseFHIR(data, validator: validator)
            }
        } catch {
            throw APIError.unprocessable("invalid_body", error.description, field: error.location)
        }
    }

    static func add(to router: Router<TailorContext>, environment env: APIEnvironment) {
        let api = router.group("api/v1")

        api.post("patients/:patientID/readings") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let contentType = (request.headers[.contentType] ?? "application/json").lowercased()
            let format: Format
            if contentType.hasPrefix("application/json") {
                format = .batch
            } else if contentType.hasPrefix("application/x-ndjson") || contentType.hasPrefix("application/ndjson") {
                format = .ndjson
            } else if contentType.hasPrefix("application/fhir+json") {
                format = .fhir
            } else {
                throw APIError(
                    .unsupportedMediaType, "unsupported_media_type",
                    "send readings as application/json ({\"readings\":[…]}), application/x-ndjson (one reading per line) or application/fhir+json (Observations)")
            }
            let grant = try await env.grant(context, .write, .monitoring, patient: id)
            let buffer: ByteBuffer
            do {
                buffer = try await request.body.collect(upTo: maxBodyBytes)
            } catch {
                throw APIError(.contentTooLarge, "too_large", "the readings body is larger than \(maxBodyBytes) bytes: send it in several batches")
            }
            let data = Data(buffer.readableBytesView)
            let validator = ReadingValidator(now: env.store.now())
            let result = try parse(data, format: format, validator: validator)
            guard result.receivedCount <= maxReadings else {
                throw APIError(.contentTooLarge, "too_many_readings", "\(result.receivedCount) readings in one request; send at most \(maxReadings) per batch")
            }
            let written = result.accepted.isEmpty
                ? RecordStore.ReadingWrite(inserted: 0, duplicates: 0)
                : try await env.store.addReadings(grant, patient: id, result.accepted)
            let answer = IngestAnswer(
                received: result.receivedCount, accepted: result.accepted.count, inserted: written.inserted, duplicates: written.duplicates,
                rejected: result.rejectedCount, rejections: Array(result.rejections.prefix(listedRejections)),
                rejectionsListed: min(result.rejections.count, listedRejections))
            // Nothing usable at all is the client's error; a partly good batch is stored and says what it refused.
            let status: HTTPResponse.Status = result.accepted.isEmpty && !result.rejections.isEmpty ? .unprocessableContent : .ok
            return try JSON.response(answer, status: status)
        }

        api.get("patients/:patientID/readings") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let kinds = try request.string("kind", maxLength: 200).map { text in
                try text.split(separator: ",").map { name in
                    guard let kind = ReadingKind(rawValue: String(name)) else {
                        throw APIError.badRequest("kind must be one of \(ReadingKind.allCases.map(\.rawValue).joined(separator: ", "))", field: "kind")
                    }
                    return kind
                }
            }
            let from = try request.instant("from")
            let to = try request.instant("to")
            let limit = try request.integer("limit", default: 10_000, range: 1...200_000)
            let grant = try await env.grant(context, .read, .monitoring, patient: id)
            struct Answer: Encodable { var readings: [Reading] }
            return try JSON.response(Answer(readings: try await env.store.readings(grant, patient: id, kinds: kinds, from: from, to: to, limit: limit)))
        }

        api.get("patients/:patientID/monitoring/summary") { request, context -> Response in
            let id = try context.parameters.id("patientID", as: PatientID.self)
            let asOf = try request.instant("asOf") ?? env.store.now()
            let grant = try await env.grant(context, .read, .monitoring, patient: id)
            // The summary looks back at most a year (12 weekly means, 14 days of CGM, alerts over 7 days).
            let readings = try await env.store.readings(grant, patient: id, from: asOf - 366 * 86_400_000, to: asOf, limit: 500_000)
            return try JSON.response(MonitoringSummary.compute(readings, asOf: asOf))
        }
    }
}
