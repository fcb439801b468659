import Foundation
import Records
@testable import Server
import Testing

/// Verified tokens are remembered until they expire, never past it, and a token that fails verification is never
/// remembered.
@Suite struct VerifiedTokensTests {
    @Test func rememberedUntilExpiry() async throws {
        let harness = try await ServerHarness.open()
        do {
            let authenticator = harness.server.authenticator
            let account = try await harness.account("doc", .clinician)
            let (token, expires) = try await authenticator.issueToken(for: account)
            let first = try #require(try await authenticator.principal(token: token))
            #expect(first.userID == account.id)
            #expect(authenticator.verified.principal(for: token, at: Date()) == first)
            // After the expiry the memory answers nothing (and forgets the token). The token's `exp` claim is in
            // whole seconds, so "after" is a second past the time the token was issued for.
            #expect(authenticator.verified.principal(for: token, at: expires.addingTimeInterval(-60)) == first)
            #expect(authenticator.verified.principal(for: token, at: expires.addingTimeInterval(1)) == nil)
            #expect(authenticator.verified.principal(for: token, at: Date()) == nil)
            // A token already expired when presented fails verification and is not remembered.
            let (old, _) = try await authenticator.issueToken(for: account, now: Date().addingTimeInterval(-3 * 86_400))
            #expect(try await authenticator.principal(token: old) == nil)
            #expect(authenticator.verified.principal(for: old, at: Date().addingTimeInterval(-3 * 86_400)) == nil)
            // A token whose signature was altered is refused even though the original is remembered.
            _ = try await authenticator.principal(token: token)
            var tampered = Array(token.utf8)
            tampered[tampered.count - 2] = tampered[tampered.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
            #expect(try await authenticator.principal(token: String(decoding: tampered, as: UTF8.self)) == nil)
        } catch {
            await harness.close()
            throw error
        }
        await harness.close()
    }

    @Test func boundedMemory() {
        let tokens = VerifiedTokens()
        let principal = Principal(userID: UserID(rawValue: "usr_x"), username: "x", role: .clinician, patientID: nil)
        let later = Date().addingTimeInterval(3600)
        for n in 0..<(VerifiedTokens.capacity + 10) { tokens.remember("t\(n)", principal, expires: later) }
        #expect(tokens.principal(for: "t0", at: Date()) == nil)
        #expect(tokens.principal(for: "t\(VerifiedTokens.capacity + 9)", at: Date()) == principal)
    }
}
