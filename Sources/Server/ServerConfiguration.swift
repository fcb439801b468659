import Foundation
public import Logging
public import Store

/// Everything `tailor serve` needs, resolved once at start from flags, then environment variables, then a JSON
/// configuration file, then defaults (in that order of precedence). Libraries take this struct, never a reader.
///
/// | key (file) | environment | default |
/// |---|---|---|
/// | `host` | `TAILOR_HOST` | `127.0.0.1` |
/// | `port` | `TAILOR_PORT` | `8080` |
/// | `data` | `TAILOR_DATA` | `./tailor-data` |
/// | `database` | `TAILOR_DATABASE_URL` | SQLite at `<data>/tailor.sqlite` |
/// | `masterKey` | `TAILOR_MASTER_KEY` | generated once into `<data>/keys/master.key` |
/// | `tokenSecret` | `TAILOR_TOKEN_SECRET` | generated once into `<data>/keys/token.key` |
/// | `maxUploadBytes` | `TAILOR_MAX_UPLOAD_BYTES` | 64 GiB |
/// | `tokenLifetimeSeconds` | `TAILOR_TOKEN_LIFETIME` | 28800 (8 h) |
/// | `bcryptCost` | `TAILOR_BCRYPT_COST` | 12 |
/// | `breakGlassMinutes` | `TAILOR_BREAK_GLASS_MINUTES` | 60 |
/// | `adminPassword` | `TAILOR_ADMIN_PASSWORD` | generated and printed on first start |
/// | `logLevel` | `TAILOR_LOG_LEVEL` | `info` |
/// | `cdsClients` | `TAILOR_CDS_CLIENTS` | none: a path to a JSON file of CDS Hooks clients (``CDSClient``) |
/// | `cdsBaseURL` | `TAILOR_CDS_BASE_URL` | none: the public base URL CDS clients call (`https://tailor.example`), for `aud` |
/// | `clinvar` | `TAILOR_CLINVAR_VCF` | none: NCBI's `clinvar.vcf.gz` (GRCh38) for the ACMG secondary-findings screen of uploaded genomes |
/// | (environment only) | `TAILOR_LOG_FORMAT` | `text`; `json` writes one JSON object per line |
public struct ServerConfiguration: Sendable {
    public var host: String = "127.0.0.1"
    public var port: Int = 8080
    public var dataDirectory: String = "./tailor-data"
    public var database: DatabaseLocation?
    public var masterKey: String?
    public var tokenSecret: String?
    public var maxUploadBytes: Int64 = 64 << 30
    public var tokenLifetimeSeconds: Int = 8 * 3600
    public var bcryptCost: Int = 12
    public var breakGlassMinutes: Int = 60
    public var adminPassword: String?
    public var logLevel: Logger.Level = .info
    /// Load the demo patients and accounts (`--demo`).
    public var demo = false
    /// The CDS Hooks clients allowed to call `/cds-services/{id}` (from the `cdsClients` file).
    public var cdsClients: [CDSClient] = []
    /// The public base URL of this server (scheme, host, optional port, no trailing slash) that CDS clients put in
    /// the JWT `aud` (`<base>/cds-services/<id>`). Without it, `aud` is compared with the request's `Host`.
    public var cdsBaseURL: String?
    /// A ClinVar VCF (GRCh38) the user supplies; with it, every germline upload is also screened for ACMG secondary
    /// findings. Tailor ships no ClinVar: it changes monthly and the lab must choose the release it reports against.
    public var clinvar: String?

    public init() {}

    /// The database, defaulting to the SQLite file in the data folder.
    public var resolvedDatabase: DatabaseLocation { database ?? .sqlite(path: (dataDirectory as NSString).appendingPathComponent("tailor.sqlite")) }

    /// Settings by key, as the flags, the environment and the file give them.
    public typealias Settings = [String: String]

    static let environmentNames: [String: String] = [
        "host": "TAILOR_HOST", "port": "TAILOR_PORT", "data": "TAILOR_DATA", "database": "TAILOR_DATABASE_URL",
        "masterKey": "TAILOR_MASTER_KEY", "tokenSecret": "TAILOR_TOKEN_SECRET", "maxUploadBytes": "TAILOR_MAX_UPLOAD_BYTES",
        "tokenLifetimeSeconds": "TAILOR_TOKEN_LIFETIME", "bcryptCost": "TAILOR_BCRYPT_COST", "breakGlassMinutes": "TAILOR_BREAK_GLASS_MINUTES",
        "adminPassword": "TAILOR_ADMIN_PASSWORD", "logLevel": "TAILOR_LOG_LEVEL", "cdsClients": "TAILOR_CDS_CLIENTS",
        "cdsBaseURL": "TAILOR_CDS_BASE_URL", "clinvar": "TAILOR_CLINVAR_VCF",
    ]

    /// Merges the sources and validates every value, naming the key and where it came from on error.
    public static func resolve(flags: Settings, environment: [String: String], file: String?) throws -> ServerConfiguration {
        var fileSettings: Settings = [:]
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else { throw ConfigurationError("\(file): cannot be read") }
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ConfigurationError("\(file): expected a JSON object of settings")
            }
            for (key, value) in object {
                guard environmentNames[key] != nil else {
                    throw ConfigurationError("\(file): unknown setting '\(key)' (known: \(environmentNames.keys.sorted().joined(separator: ", ")))")
                }
                fileSettings[key] = "\(value)"
            }
        }
        func value(_ key: String) -> (String, String)? {
            if let flag = flags[key] { return (flag, "--\(key)") }
            if let name = environmentNames[key], let env = environment[name], !env.isEmpty { return (env, name) }
            if let setting = fileSettings[key] { return (setting, "\(file ?? "file"): \(key)") }
            return nil
        }
        func integer(_ key: String, _ range: ClosedRange<Int64>) throws -> Int64? {
            guard let (text, source) = value(key) else { return nil }
            guard let number = Int64(text), range.contains(number) else {
                throw ConfigurationError("\(source): '\(text)' must be a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return number
        }
        var config = ServerConfiguration()
        if let (host, _) = value("host") { config.host = host }
        if let port = try integer("port", 0...65535) { config.port = Int(port) }
        if let (data, _) = value("data") { config.dataDirectory = data }
        if let (database, source) = value("database") {
            do { config.database = try DatabaseLocation(parsing: database) } catch { throw ConfigurationError("\(source): \(error)") }
        }
        config.masterKey = value("masterKey")?.0
        config.tokenSecret = value("tokenSecret")?.0
        if let limit = try integer("maxUploadBytes", 1...(1 << 50)) { config.maxUploadBytes = limit }
        if let lifetime = try integer("tokenLifetimeSeconds", 60...(30 * 86400)) { config.tokenLifetimeSeconds = Int(lifetime) }
        if let cost = try integer("bcryptCost", 4...31) { config.bcryptCost = Int(cost) }
        if let minutes = try integer("breakGlassMinutes", 1...(24 * 60)) { config.breakGlassMinutes = Int(minutes) }
        config.adminPassword = value("adminPassword")?.0
        if let (level, source) = value("logLevel") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError("\(source): '\(level)' is not a log level (trace, debug, info, notice, warning, error, critical)")
            }
            config.logLevel = parsed
        }
        if let (path, source) = value("cdsClients") {
            guard let data = FileManager.default.contents(atPath: path) else { throw ConfigurationError("\(source): '\(path)' cannot be read") }
            do {
                config.cdsClients = try JSONDecoder().decode([CDSClient].self, from: data)
            } catch {
                throw ConfigurationError("\(source): '\(path)' must be a JSON array of {\"iss\", \"publicKeyPEM\", \"actingUser\"}: \(error)")
            }
        }
        if let (base, source) = value("cdsBaseURL") {
            guard let url = URL(string: base), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw ConfigurationError("\(source): '\(base)' must be an http(s) URL such as https://tailor.example")
            }
            config.cdsBaseURL = base.hasSuffix("/") ? String(base.dropLast()) : base
        }
        if let (path, source) = value("clinvar") {
            guard FileManager.default.isReadableFile(atPath: path) else { throw ConfigurationError("\(source): '\(path)' cannot be read") }
            config.clinvar = path
        }
        return config
    }
}

/// A configuration problem, naming the setting and its source.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
