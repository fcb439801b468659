import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Records
import SQLKit
@testable import Server
import Store

/// A server on a fresh data folder (SQLite) or a fresh PostgreSQL schema, with accounts made directly in the store
/// and tokens issued without the slow password hash.
struct ServerHarness {
    let server: TailorServer
    let folder: String
    private let dropSchema: @Sendable () async -> Void

    static let postgresURL = ProcessInfo.processInfo.environment["TAILOR_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    enum Engine: String, CaseIterable, Sendable { case sqlite, postgres }

    static func open(
        _ engine: Engine = .sqlite, maxUpload: Int64 = 64 << 20, configure: (inout ServerConfiguration) -> Void = { _ in }
    ) async throws -> ServerHarness {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-server-\(UUID().uuidString)").path
        var configuration = ServerConfiguration()
        configuration.dataDirectory = folder
        configuration.bcryptCost = 4
        configuration.maxUploadBytes = maxUpload
        configure(&configuration)
        var dropSchema: @Sendable () async -> Void = {}
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        if engine == .postgres {
            guard let url = postgresURL else { throw StoreError.configuration("TAILOR_TEST_POSTGRES_URL is not set") }
            let schema = "s_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            let admin = try Database(location: .postgres(url: url), maxConnections: 2, logger: logger)
            try await admin.write { db in try await db.raw("CREATE SCHEMA \(unsafeRaw: schema)").run() }
            configuration.database = .postgres(url: url + (url.contains("?") ? "&" : "?") + "search_path=" + schema)
            dropSchema = {
                try? await admin.write { db in try await db.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
                await admin.close()
            }
        }
        let server = try await TailorServer.open(configuration, logger: logger)
        return ServerHarness(server: server, folder: folder, dropSchema: dropSchema)
    }

    func close() async {
        await server.database.close()
        await dropSchema()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Runs `body` against the router in process, closing everything afterwards even when it throws.
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: server.router())
        do {
            try await app.test(.router) { client in try await body(client) }
        } catch {
            await close()
            throw error
        }
        await close()
    }

    func account(_ username: String, _ role: Role, patient: PatientID? = nil) async throws -> UserAccount {
        try await server.store.createUser(nil, .init(username: username, displayName: username, role: role, patientID: patient), passwordHash: "unused")
    }

    func token(_ account: UserAccount) async throws -> String {
        try await server.authenticator.issueToken(for: account).token
    }

    /// The audit entries after `sequence`, oldest first.
    func auditEntries(after sequence: Int64) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        try await server.database.forEachAuditEntry(after: sequence) { entries.append($0) }
        return entries
    }

    /// The newest audit entry.
    func lastAudit() async throws -> AuditEntry? {
        var last: AuditEntry?
        let head = try await server.database.auditHead()
        try await server.database.forEachAuditEntry(after: max(0, head.sequence - 1)) { last = $0 }
        return last
    }
}

extension TestClientProtocol {
    /// A JSON request with a bearer token.
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String?, json: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func json() throws -> [String: Any] {
        (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }
    /// The `code` of the API's error shape.
    var errorCode: String? { ((try? json())?["error"] as? [String: Any])?["code"] as? String }
}
