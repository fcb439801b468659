import CarePlan
import Foundation
public import Hummingbird
import HummingbirdCore
public import Logging
import Metrics
import NIOCore
import NIOHTTPTypes
public import Prometheus
import Records
import Risk
import ServiceLifecycle
public import Store
import UnixSignals

/// Everything a running server holds, built once from a ``ServerConfiguration``.
///
/// ```swift
/// let server = try await TailorServer.open(configuration, logger: logger)
/// try await server.run()            // until SIGINT/SIGTERM
/// ```
public struct TailorServer: Sendable {
    public let configuration: ServerConfiguration
    public let database: Database
    public let store: RecordStore
    public let gate: AccessGate
    public let blobs: BlobStore
    public let authenticator: Authenticator
    let analysers: [any GenomeAnalyser]
    /// The clinical risk equations (PREVENT, PCE, CKD-EPI) with the bundled risk pack, for the risk view.
    let risk: RiskProfileBuilder
    /// The care-plan engine with the bundled careplan pack.
    let carePlan: CarePlanEngine
    let logger: Logger
    let registry: PrometheusCollectorRegistry?
    /// The CDS Hooks clients' keys.
    let cds: CDSClientVerifier

    /// Opens the data folder and database, applies migrations, sweeps debris of interrupted uploads, and loads the
    /// analysers' knowledge. `registry` is the Prometheus registry the executable bootstrapped metrics with.
    public static func open(_ configuration: ServerConfiguration, logger: Logger, registry: PrometheusCollectorRegistry? = nil) async throws -> TailorServer {
        let fm = FileManager.default
        try fm.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let secrets = try Secrets(configuration: configuration)
        let cds = try await CDSClientVerifier.make(configuration.cdsClients)
        let database = try Database(location: configuration.resolvedDatabase, logger: logger)
        do {
            try await database.migrate()
        } catch {
            await database.close()
            throw error
        }
        let store = RecordStore(database: database)
        let audit = AuditLog(database: database)
        let gate = AccessGate(database: database, audit: audit)
        let blobs = try BlobStore(directory: (configuration.dataDirectory as NSString).appendingPathComponent("genomes"), masterKey: secrets.masterKey)
        let queue = JobQueue(store: store)
        let swept = try blobs.sweep(keeping: try await queue.referencedBlobs())
        if swept > 0 { logger.notice("removed files left by interrupted uploads", metadata: ["files": "\(swept)"]) }
        let authenticator = await Authenticator(
            secret: secrets.tokenSecret, store: store, tokenLifetime: TimeInterval(configuration.tokenLifetimeSeconds),
            bcryptCost: UInt8(configuration.bcryptCost))
        let pgx = try await PGxGenomeAnalyser.load()
        var analysers: [any GenomeAnalyser] = [pgx]
        if let clinvar = configuration.clinvar {
            let germline = try GermlineGenomeAnalyser.load(clinvar: clinvar)
            logger.info("ACMG secondary-findings screen on: \(germline.knowledge["clinvar"] ?? "ClinVar"), shown only to patients who opted in")
            analysers.append(germline)
        }
        let risk = try RiskProfileBuilder.bundled()
        let carePlan = CarePlanEngine(knowledge: try CarePlanKnowledge.load())
        return TailorServer(
            configuration: configuration, database: database, store: store, gate: gate, blobs: blobs, authenticator: authenticator,
            analysers: analysers, risk: risk, carePlan: carePlan, logger: logger, registry: registry, cds: cds)
    }

    /// What routes (and `tailor plan`) read the record through.
    var environment: APIEnvironment {
        APIEnvironment(
            gate: gate, store: store, authenticator: authenticator, breakGlassMillis: Int64(configuration.breakGlassMinutes) * 60_000, risk: risk)
    }

    /// The router with every route; tests drive it in process.
    public func router() -> Router<TailorContext> {
        let router = Router(context: TailorContext.self)
        // Metrics outermost, so they record the status the client got (errors are turned into responses inside).
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: LogRequestsMiddleware(.debug))
        router.add(middleware: AuthMiddleware(authenticator: authenticator))
        let env = environment
        router.get("health") { _, _ -> Response in
            struct Health: Encodable {
                var status: String
                var database: String
            }
            let migrations = try await database.appliedMigrations()
            return try JSON.response(Health(status: "ok", database: "\(database.engine.rawValue), \(migrations.count) migrations"))
        }
        let registry = self.registry
        router.get("metrics") { _, _ -> Response in
            var buffer: [UInt8] = []
            registry?.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
        router.get("openapi.json") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes)))
        }
        APIRoutes.add(to: router, environment: env)
        MonitoringRoutes.add(to: router, environment: env)
        CarePlanRoutes.add(to: router, environment: env, engine: carePlan)
        GenomicsReportRoute.add(to: router, environment: env)
        PhenopacketRoute.add(to: router, environment: env)
        FHIRRoutes.add(to: router, environment: env)
        CDSHooksRoutes(env: env, verifier: cds, baseURL: configuration.cdsBaseURL).add(to: router)
        UploadRoute(env: env, blobs: blobs, maxBytes: configuration.maxUploadBytes, analysers: analysers).add(to: router)
        return router
    }

    /// The job runner for queued analyses.
    func analysisService() -> AnalysisService {
        AnalysisService(
            queue: JobQueue(store: store), blobs: blobs, analysers: Dictionary(uniqueKeysWithValues: analysers.map { ($0.name, $0) }), logger: logger)
    }

    /// Runs the HTTP server and the analysis runner until a termination signal, then shuts down gracefully.
    /// `onReady` is called with the bound port once the server listens.
    public func run(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = Application(
            router: router(),
            server: .http1(configuration: .init(additionalChannelHandlers: [LargeReadsHandler()])),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Tailor"),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: analysisService()), .init(service: app)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }

    /// Creates the first administrator on an empty database; returns the generated password when none was configured.
    public func bootstrapAdministrator() async throws -> String? {
        guard try await !store.hasAccounts() else { return nil }
        let generated = configuration.adminPassword == nil
        let password = configuration.adminPassword ?? Secrets.randomPassword()
        _ = try await store.createUser(
            nil, .init(username: "admin", displayName: "Administrator", role: .administrator), passwordHash: try await authenticator.hashPassword(password))
        return generated ? password : nil
    }
}

/// The master key (wraps every genome file's data key) and the token-signing secret: from configuration, or
/// generated once into `<data>/keys/` with owner-only permissions for a laptop install.
struct Secrets {
    let masterKey: MasterKey
    let tokenSecret: [UInt8]

    init(configuration: ServerConfiguration) throws {
        let folder = (configuration.dataDirectory as NSString).appendingPathComponent("keys")
        if let text = configuration.masterKey {
            do { masterKey = try MasterKey(base64: text) } catch { throw ConfigurationError("masterKey / TAILOR_MASTER_KEY: \(error)") }
        } else {
            let text = try Self.loadOrCreate((folder as NSString).appendingPathComponent("master.key")) { MasterKey.generate().base64 }
            do { masterKey = try MasterKey(base64: text) } catch { throw ConfigurationError("\(folder)/master.key: \(error)") }
        }
        let secretText =
            try configuration.tokenSecret
            ?? Self.loadOrCreate((folder as NSString).appendingPathComponent("token.key")) {
                Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            }
        guard secretText.utf8.count >= 32 else {
            throw ConfigurationError("tokenSecret / TAILOR_TOKEN_SECRET: use at least 32 characters (e.g. `openssl rand -base64 32`)")
        }
        tokenSecret = Array(secretText.utf8)
    }

    static func loadOrCreate(_ path: String, make: () -> String) throws -> String {
        let fm = FileManager.default
        if let data = fm.contents(atPath: path) {
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try fm.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let value = make()
        guard fm.createFile(atPath: path, contents: Data((value + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigurationError("\(path): cannot be written")
        }
        return value
    }

    static func randomPassword() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<20).map { _ in alphabet.randomElement()! })
    }
}

/// Lets a connection read up to 1 MiB per socket read instead of NIO's default ceiling of 64 KiB.
///
/// A genome upload is hundreds of megabytes, and each read becomes one body part handed from the event loop to the
/// upload's task; at 64 KiB that was over ten thousand hand-offs per genome. The allocator is adaptive, so a
/// connection carrying small API calls keeps small buffers.
final class LargeReadsHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    static let maximumRead = 1 << 20

    func handlerAdded(context: ChannelHandlerContext) {
        try? context.channel.syncOptions?.setOption(
            ChannelOptions.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: Self.maximumRead))
    }
}
