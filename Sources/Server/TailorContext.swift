public import Hummingbird
public import Records

/// The request context: the core storage plus the authenticated caller.
public struct TailorContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthMiddleware`` for a valid token or session cookie.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        principal = nil
    }

    /// JSON bodies are small; genome uploads stream and are limited separately.
    public var maxUploadSize: Int { 1 << 20 }

    /// The caller, or a 401.
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthenticated }
        return principal
    }
}
