import Foundation
import Logging
import Hummingbird
@testable import Server
import Store
import Testing

@Suite struct ConfigurationTests {
    @Test func defaultsNeedNoSetUp() throws {
        let config = try ServerConfiguration.resolve(flags: [:], environment: [:], file: nil)
        #expect(config.host == "127.0.0.1")
        #expect(config.port == 8080)
        #expect(config.dataDirectory == "./tailor-data")
        #expect(config.resolvedDatabase == .sqlite(path: "./tailor-data/tailor.sqlite"))
    }

    @Test func flagsBeatEnvironmentBeatFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-config-\(UUID().uuidString).json").path
        try #"{"port": 9000, "host": "0.0.0.0", "bcryptCost": 10, "database": "postgres://u:p@db:5432/tailor"}"#.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let config = try ServerConfiguration.resolve(
            flags: ["port": "7000"], environment: ["TAILOR_PORT": "8000", "TAILOR_HOST": "10.0.0.1", "TAILOR_LOG_LEVEL": "debug"], file: file)
        #expect(config.port == 7000)
        #expect(config.host == "10.0.0.1")
        #expect(config.bcryptCost == 10)
        #expect(config.logLevel == .debug)
        #expect(config.resolvedDatabase == .postgres(url: "postgres://u:p@db:5432/tailor"))
    }

    @Test(
        "bad settings name the setting and where it came from",
        arguments: [
            (["port": "eighty"], [String: String](), "--port: 'eighty'"),
            ([:], ["TAILOR_BCRYPT_COST": "3"], "TAILOR_BCRYPT_COST: '3'"),
            ([:], ["TAILOR_DATABASE_URL": "mysql://x"], "TAILOR_DATABASE_URL: configuration: unsupported database URL"),
            ([:], ["TAILOR_LOG_LEVEL": "loud"], "TAILOR_LOG_LEVEL: 'loud' is not a log level"),
        ])
    func badSettings(flags: [String: String], environment: [String: String], message: String) {
        #expect { try ServerConfiguration.resolve(flags: flags, environment: environment, file: nil) } throws: {
            String(describing: $0).hasPrefix(message)
        }
    }

    @Test func unknownFileKeyIsNamed() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-config-\(UUID().uuidString).json").path
        try #"{"prot": 9000}"#.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect { try ServerConfiguration.resolve(flags: [:], environment: [:], file: file) } throws: {
            String(describing: $0).contains("unknown setting 'prot'")
        }
    }

    @Test(arguments: ["postgres://tailor:secret@db:5432/tailor", "postgres+uds://tailor:secret@localhost/var/run/postgresql/.s.PGSQL.5432#tailor"])
    func passwordsAreRedactedFromDatabaseDescriptions(_ url: String) throws {
        let location = try DatabaseLocation(parsing: url)
        #expect(location == .postgres(url: url))
        #expect(!location.description.contains("secret"))
    }
}

@Suite struct RequestCheckTests {
    struct Body: Decodable {
        struct Item: Decodable { var text: String? }
        var name: String
        var items: [Item]
    }

    @Test(arguments: [
        (#"{"name":"x\u0000y","items":[]}"#, "name"), (#"{"name":"ok","items":[{"text":"a"},{"text":"\u0000"}]}"#, "items[1].text"),
        (#"{"name":"ok","items":[{}],"ignored\u0000":"\u0000"}"#, nil), (#"{"name":"\\u0000","items":[]}"#, nil),
    ])
    func nulFoundInKeptValues(json: String, field: String?) throws {
        let body = try JSONDecoder().decode(Body.self, from: Data(json.utf8))
        #expect(Request.fieldWithNUL(body) == field, "\(json)")
    }

    @Test func routeTableKnowsTheDocumentedPaths() {
        #expect(RouteTable.shared.methods(for: "/api/v1/patients") == ["GET", "POST"])
        #expect(RouteTable.shared.methods(for: "/api/v1/patients/pat_x/consent") == ["GET", "PUT"])
        #expect(RouteTable.shared.methods(for: "/api/v1/nowhere") == nil)
    }
}
