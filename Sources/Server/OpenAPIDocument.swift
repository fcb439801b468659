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
