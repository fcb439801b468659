import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import JWTKit
import NIOPosix
import Records
public import Store
import Synchronization

/// The claims of Tailor's signed tokens (the API's bearer token and the pages' session cookie are the same token).
struct SessionClaims: JWTPayload {
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var iss: IssuerClaim
    var role: String
    /// The username and (for patients) the record, so a request needs no lookup to know who asks; the access gate
    /// still checks the account is enabled, in the same query that loads the caller's relationship to the patient.
    var name: String
    var patient: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
        guard iss.value == Authenticator.issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "wrong issuer") }
    }
}

/// Passwords (bcrypt, off the request threads) and tokens (HS256 with a key from configuration).
public struct Authenticator: Sendable {
    static let issuer = "tailor"
    let keys: JWTKeyCollection
    let store: RecordStore
    let tokenLifetime: Double
    let bcryptCost: UInt8
    /// A hash at the configured cost, checked for unknown usernames so they take as long as known ones.
    let decoyHash: String
    /// Tokens already verified, so a client's every call does not verify the same signature again.
    let verified = VerifiedTokens()

    public init(secret: [UInt8], store: RecordStore, tokenLifetime: Double, bcryptCost: UInt8) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(key: SymmetricKey(data: secret)), digestAlgorithm: .sha256)
        self.keys = keys
        self.store = store
        self.tokenLifetime = tokenLifetime
        self.bcryptCost = bcryptCost
        decoyHash = Bcrypt.hash("decoy-password-for-timing", cost: bcryptCost)
    }

    /// A slow hash, computed on NIO's blocking thread pool so it never stalls request handling.
    public func hashPassword(_ password: String) async throws -> String {
        let cost = bcryptCost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    func verifyPassword(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// Checks a password; `nil` for an unknown user, a wrong password or a disabled account (one answer for all three).
    func login(username: String, password: String) async throws -> UserAccount? {
        guard let (account, hash) = try await store.credentials(username: username) else {
            // Spend the same time as a real check so response time does not reveal which usernames exist.
            _ = try await verifyPassword(password, hash: decoyHash)
            return nil
        }
        guard try await verifyPassword(password, hash: hash), !account.disabled else { return nil }
        return account
    }


    func issueToken(for account: UserAccount, now: Date = Date()) async throws -> (token: String, expires: Date) {
        let expires = now.addingTimeInterval(tokenLifetime)
        let claims = SessionClaims(
            sub: .init(value: account.id.rawValue), exp: .init(value: expires), iat: .init(value: now), iss: .init(value: Self.issuer),
            role: account.role.rawValue, name: account.username, patient: account.patientID?.rawValue)
        return (try await keys.sign(claims), expires)
    }

    /// The principal a valid token names. Whether the account is still enabled is checked by ``AccessGate`` on every
    /// request (in the query it makes anyway), so a disabled account is locked out at once without a lookup here.
    func principal(token: String, now: Date = Date()) async throws -> Principal? {
        if let known = verified.principal(for: token, at: now) { return known }
        guard let claims = try? await keys.verify(token, as: SessionClaims.self),
            Identifier<UserTag>.isWellFormed(claims.sub.value), let role = Role(rawValue: claims.role)
        else { return nil }
        let patient = claims.patient.flatMap { Identifier<PatientTag>.isWellFormed($0) ? PatientID(rawValue: $0) : nil }
        let principal = Principal(userID: UserID(rawValue: claims.sub.value), username: claims.name, role: role, patientID: patient)
        verified.remember(token, principal, expires: claims.exp.value)
        return principal
    }
}

/// Signed tokens this process has verified, with the principal each names, until each expires.
///
/// A token's signature and claims never change, so verifying it again on every call of a session (a fifth of the
/// server's time for a summary read, with the claims' JSON decoding) only repeats the answer. Expiry is checked on
/// every use, and the account behind a token is still checked by the access gate on every request, so a disabled
/// account is refused at once. Bounded: when full, the memory starts again.
final class VerifiedTokens: Sendable {
    static let capacity = 10_000
    private let entries = Mutex<[String: (principal: Principal, expires: Date)]>([:])

    func principal(for token: String, at now: Date) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expires > now else {
                entries[token] = nil
                return nil
            }
            return entry.principal
        }
    }

    func remember(_ token: String, _ principal: Principal, expires: Date) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = (principal, expires)
        }
    }
}

/// Reads the bearer token or the session cookie and sets ``TailorContext/principal``. Requests without
/// credentials pass through (public routes); handlers that need a caller ask for one.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = TailorContext
    static let cookieName = "tailor_session"
    let authenticator: Authenticator

    func handle(_ request: Request, context: TailorContext, next: (Request, TailorContext) async throws -> Response) async throws -> Response {
        var context = context
        // CDS Hooks calls carry the CDS client's own JWT, verified by the CDS routes (CDSHooks.swift), not a user token.
        if request.uri.path == "/cds-services" || request.uri.path.hasPrefix("/cds-services/") { return try await next(request, context) }
        if let header = request.headers[.authorization] {
            guard header.lowercased().hasPrefix("bearer "), let principal = try await authenticator.principal(token: String(header.dropFirst(7)))
            else {
                var error = APIError(.unauthorized, "invalid_token", "the bearer token is invalid or expired; sign in again")
                error.headers[.wwwAuthenticate] = "Bearer realm=\"tailor\""
                throw error
            }
            context.principal = principal
        } else if let cookie = request.cookies[Self.cookieName], let principal = try await authenticator.principal(token: cookie.value) {
            // Cookie sessions are for pages; a state-changing request must also carry a header a cross-site form cannot set.
            if request.method != .get && request.method != .head && request.headers[HTTPField.Name("X-Tailor-CSRF")!] == nil {
                throw APIError(.forbidden, "csrf", "a cookie-authenticated change needs the X-Tailor-CSRF header")
            }
            context.principal = principal
        }
        // Everything under /api/v1 except signing in needs a caller, checked before any body is read.
        if context.principal == nil, request.uri.path.hasPrefix("/api/v1/"), !request.uri.path.hasPrefix("/api/v1/auth/") {
            var error = APIError.unauthenticated
            error.headers[.wwwAuthenticate] = "Bearer realm=\"tailor\""
            throw error
        }
        return try await next(request, context)
    }
}
