import Foundation

/// The OpenAPI 3.1 document of the REST API (`Resources/openapi.json`), served at `/openapi.json` and checked
/// against the running server by schemathesis in CI.
enum OpenAPIDocument {
    static let bytes: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "Resources"),
            let data = try? Data(contentsOf: url)
        else { return Array(#"{"openapi":"3.1.0","info":{"title":"Tailor","version":"missing"},"paths":{}}"#.utf8) }
        return Array(data)
    }()
}

/// The routes the document declares, for answering a known path asked with an undeclared method with
/// 405 and an `Allow` header (the router itself only knows "no route": 404).
struct RouteTable: Sendable {
    /// Path templates split into segments (`{x}` matches any one segment) with their methods.
    let routes: [(segments: [Substring], methods: [String])]

    /// The REST API's document plus the CDS Hooks routes (CDS Hooks has its own OpenAPI document, the spec's).
    static let shared = RouteTable(document: OpenAPIDocument.bytes, adding: CDSHooksRoutes.declaredRoutes)

    init(document: [UInt8], adding extra: [(path: String, methods: [String])] = []) {
        let object = (try? JSONSerialization.jsonObject(with: Data(document))) as? [String: Any]
        let paths = object?["paths"] as? [String: Any] ?? [:]
        let verbs = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        routes = paths.map { path, item in
            let methods = ((item as? [String: Any])?.keys.filter(verbs.contains) ?? []).map { $0.uppercased() }.sorted()
            return (path.split(separator: "/"), methods)
        } + extra.map { ($0.path.split(separator: "/"), $0.methods) }
    }

    /// The methods declared for `path`, or `nil` when no declared path matches it.
    func methods(for path: String) -> [String]? {
        let parts = path.split(separator: "/")
        let matching = routes.filter { route in
            route.segments.count == parts.count
                && zip(route.segments, parts).allSatisfy { template, part in template.hasPrefix("{") || template == part }
        }
        guard !matching.isEmpty else { return nil }
        return Array(Set(matching.flatMap(\.methods))).sorted()
    }
}
