import Foundation
public import Hummingbird
import Logging
import Records
import Store

/// The one JSON error shape of the API:
///
/// ```json
/// {"error": {"status": 422, "code": "invalid_field", "message": "givenName: must be 1–200 characters",
///            "field": "givenName", "requestId": "…"}}
/// ```
///
/// Every failure becomes one of these in ``ErrorMiddleware`` (the only place errors are mapped to HTTP).
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    /// A stable machine-readable code.
    public var code: String
    public var message: String
    /// The request field, query parameter or file line the problem is in, when there is one.
    public var field: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    struct Body: Codable {
        struct Inner: Codable {
            var status: Int
            var code: String
            var message: String
            var field: String?
            var requestId: String?
        }
        var error: Inner
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        // The FHIR endpoint answers every error with an OperationOutcome.
        if request.uri.path.hasPrefix("/fhir/") { return FHIROutcome.response(self) }
        let body = Body(error: .init(status: status.code, code: code, message: message, field: field, requestId: context.id))
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try JSON.encoder.encode(body))))
    }

    static func badRequest(_ message: String, field: String? = nil) -> APIError { APIError(.badRequest, "bad_request", message, field: field) }
    static func unprocessable(_ code: String, _ message: String, field: String? = nil) -> APIError {
        APIError(.unprocessableContent, code, message, field: field)
    }
    static func notFound(_ message: String = "not found") -> APIError { APIError(.notFound, "not_found", message) }
    static let unauthenticated = APIError(.unauthorized, "unauthenticated", "sign in: send 'Authorization: Bearer <token>' from POST /api/v1/auth/login")

    /// Maps any error to the API shape. Unknown errors are a 500 whose details stay in the server log.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as AccessDenied:
            if error.accountInvalid {
                var api = APIError(.unauthorized, "invalid_token", "the account behind this token is disabled or changed; sign in again")
                api.headers[.wwwAuthenticate] = "Bearer realm=\"tailor\""
                return api
            }
            if error.decision.notFound { return APIError(.notFound, "not_found", "no such patient") }
            return APIError(.forbidden, "forbidden", "access denied: \(error.decision.reason)")
        case let error as StoreError:
            switch error {
            case .invalid(let field, let message): return APIError(.unprocessableContent, "invalid_field", "\(field): \(message)", field: field)
            case .conflict(let message): return APIError(.conflict, "conflict", message)
            case .notFound(let message): return APIError(.notFound, "not_found", message)
            case .configuration, .migration, .corrupt: return APIError(.internalServerError, "internal", "internal error")
            }
        case let error as IdentifierError:
            return APIError(.notFound, "not_found", error.description)
        case let error as DecodingError:
            return decoding(error)
        case let error as HTTPError:
            switch error.status {
            case .notFound: return APIError(.notFound, "not_found", "no such route")
            case .methodNotAllowed: return APIError(.methodNotAllowed, "method_not_allowed", "method not allowed on this route")
            case .contentTooLarge: return APIError(.contentTooLarge, "too_large", "the request body is too large")
            default: return APIError(error.status, "http_\(error.status.code)", error.body ?? error.status.reasonPhrase)
            }
        default:
            return APIError(.internalServerError, "internal", "internal error")
        }
    }

    /// A body that is not valid JSON is a 400; valid JSON of the wrong shape is a 422 naming the field.
    static func decoding(_ error: DecodingError) -> APIError {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return APIError(.badRequest, "malformed_json", "the body is not valid JSON")
        case .dataCorrupted(let context):
            return unprocessable("invalid_field", "\(path(context)): \(context.debugDescription)", field: path(context))
        case .keyNotFound(let key, let context):
            let field = (path(context).isEmpty ? "" : path(context) + ".") + key.stringValue
            return unprocessable("missing_field", "\(field) is required", field: field)
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return unprocessable("invalid_field", "\(path(context)): expected \(Self.jsonType(type))", field: path(context))
        @unknown default:
            return APIError(.badRequest, "malformed_json", "the body could not be read")
        }
    }

    static func jsonType(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "a value of type \(type)"
        }
    }
}

/// Turns every thrown error into the one JSON error shape, and logs server faults with the request ID.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // No route for this method: if the path is known under other methods, say which (405 + Allow).
            if let methods = RouteTable.shared.methods(for: request.uri.path), !methods.contains(request.method.rawValue) {
                var api = APIError(.methodNotAllowed, "method_not_allowed", "\(request.method.rawValue) is not supported here; use \(methods.joined(separator: ", "))")
                api.headers[.allow] = methods.joined(separator: ", ")
                return try api.response(from: request, context: context)
            }
            return try APIError.from(error).response(from: request, context: context)
        } catch {
            let api = APIError.from(error)
            if api.status == .internalServerError {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            return try api.response(from: request, context: context)
        }
    }
}

/// Shared JSON coders: sorted keys for stable output, slashes unescaped.
enum JSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder = JSONDecoder()

    /// A value as JSON text (sorted keys), for documents the store keeps as text.
    static func string(_ value: some Encodable) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }

    /// The patient summary, written by ``SummaryJSON`` (the same bytes as the encoder, several times faster).
    static func response(summary: RecordStore.Summary) throws -> Response {
        guard let bytes = SummaryJSON.encode(summary) else { return try response(summary) }
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
