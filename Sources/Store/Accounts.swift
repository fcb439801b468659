import Foundation
public import Records
import SQLKit

/// User accounts. Password hashing is the caller's (the server uses bcrypt); the store keeps the hash and never
/// returns it except to the login check.
extension RecordStore {
    public struct NewUser: Sendable, Codable, Hashable {
        public var username: String
        public var displayName: String
        public var role: Role
        public var patientID: PatientID?

        public init(username: String, displayName: String, role: Role, patientID: PatientID? = nil) {
            self.username = username
            self.displayName = displayName
            self.role = role
            self.patientID = patientID
        }

        public func validated() throws(StoreError) -> NewUser {
            var copy = self
            let trimmed = username.trimmingCharacters(in: .whitespaces)
            // Checked before lower-casing, so a look-alike (the Kelvin sign) cannot become an ASCII name.
            guard (3...64).contains(trimmed.unicodeScalars.count),
                trimmed.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-@".unicodeScalars.contains($0)) })
            else { throw .invalid(field: "username", message: "3–64 characters: letters, digits, . _ - @") }
            copy.username = trimmed.lowercased()
            guard (1...200).contains(displayName.unicodeScalars.count) else { throw .invalid(field: "displayName", message: "must be 1–200 characters") }
            if role == .patient, patientID == nil { throw .invalid(field: "patientID", message: "a patient account names its patient record") }
            if role != .patient, patientID != nil { throw .invalid(field: "patientID", message: "only patient accounts belong to a patient record") }
            return copy
        }
    }

    /// Creates an account. `grant` is an administrator's grant on accounts, or `nil` for the bootstrap account
    /// created by `tailor serve` on an empty database (audited as the system).
    public func createUser(_ grant: AccessGrant?, _ new: NewUser, passwordHash: String, id: UserID = .random()) async throws -> UserAccount {
        if let grant { try grant.require(.write, .accounts, nil) }
        let new = try new.validated()
        let account = UserAccount(
            id: id, username: new.username, displayName: new.displayName, role: new.role, patientID: new.patientID, disabled: false, createdAt: now())
        let engine = self.engine
        var audit =
            grant?.pendingAudit
            ?? AuditRecord(
                time: account.createdAt, actor: "system", actorRole: "system", action: Action.write.rawValue, resource: Resource.accounts.rawValue,
                patientID: nil, purpose: PurposeOfUse.operations.rawValue, outcome: .allow, reason: "bootstrap account", requestID: "startup")
        audit.reason += ": created \(new.role.rawValue) account \(new.username)"
        let entry = audit
        try await database.write { db in
            if try await db.raw("SELECT user_id FROM users WHERE username = \(bind: account.username)").first() != nil {
                throw StoreError.conflict("the username '\(account.username)' is taken")
            }
            if let patient = account.patientID,
                try await db.raw("SELECT patient_id FROM patients WHERE patient_id = \(bind: patient.rawValue)").first() == nil
            {
                throw StoreError.invalid(field: "patientID", message: "no patient \(patient)")
            }
            try await db.raw(
                """
                INSERT INTO users (user_id, username, display_name, role, password_hash, patient_id, disabled, created_at)
                VALUES (\(bind: account.id.rawValue), \(bind: account.username), \(bind: account.displayName), \(bind: account.role.rawValue),
                        \(bind: passwordHash), \(bind: account.patientID?.rawValue), \(bind: false), \(bind: account.createdAt))
                """
            ).run()
            try await AuditLog.append([entry], in: db, engine: engine)
        }
        return account
    }

    /// The account and password hash for a login attempt (no grant: this is how a caller becomes a principal).
    public func credentials(username: String) async throws -> (account: UserAccount, passwordHash: String)? {
        let name = username.trimmingCharacters(in: .whitespaces).lowercased()
        return try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM users WHERE username = \(bind: name)").first() else { return nil }
            return (try Self.account(row), try row.decode(column: "password_hash", as: String.self))
        }
    }

    /// The account behind a token, checked on every request so a disabled account is locked out at once.
    public func account(id: UserID) async throws -> UserAccount? {
        try await database.read { db in
            try await db.raw("SELECT * FROM users WHERE user_id = \(bind: id.rawValue)").first().map(Self.account)
        }
    }

    public func accounts(_ grant: AccessGrant) async throws -> [UserAccount] {
        try grant.require(.read, .accounts, nil)
        return try await database.read { db in
            try await db.raw("SELECT * FROM users ORDER BY username").all().map(Self.account)
        }
    }

    /// Disables or re-enables an account and/or sets its password hash, in one transaction with one audit entry.
    /// A disabled account's tokens stop working on their next request (the access gate checks every time).
    public func updateAccount(_ grant: AccessGrant, user: UserID, disabled: Bool?, passwordHash: String?) async throws -> UserAccount {
        try grant.require(.write, .accounts, nil)
        var audit = grant.pendingAudit
        audit?.reason += ": updated \(user)" + (disabled.map { $0 ? " (disabled)" : " (enabled)" } ?? "") + (passwordHash == nil ? "" : " (password set)")
        let entry = audit
        let engine = self.engine
        return try await database.write { db in
            guard try await db.raw("SELECT user_id FROM users WHERE user_id = \(bind: user.rawValue)").first() != nil else {
                throw StoreError.notFound("no user \(user)")
            }
            if let disabled {
                try await db.raw("UPDATE users SET disabled = \(bind: disabled) WHERE user_id = \(bind: user.rawValue)").run()
            }
            if let passwordHash {
                try await db.raw("UPDATE users SET password_hash = \(bind: passwordHash) WHERE user_id = \(bind: user.rawValue)").run()
            }
            if let entry { try await AuditLog.append([entry], in: db, engine: engine) }
            guard let row = try await db.raw("SELECT * FROM users WHERE user_id = \(bind: user.rawValue)").first() else {
                throw StoreError.notFound("no user \(user)")
            }
            return try Self.account(row)
        }
    }

    /// Whether any account exists (an empty database gets a bootstrap administrator).
    public func hasAccounts() async throws -> Bool {
        try await database.read { db in try await db.raw("SELECT user_id FROM users LIMIT 1").first() != nil }
    }

    static func account(_ row: any SQLRow) throws -> UserAccount {
        UserAccount(
            id: UserID(rawValue: try row.decode(column: "user_id", as: String.self)),
            username: try row.decode(column: "username", as: String.self),
            displayName: try row.decode(column: "display_name", as: String.self),
            role: Role(rawValue: try row.decode(column: "role", as: String.self)) ?? .patient,
            patientID: try row.decode(column: "patient_id", as: String?.self).map(PatientID.init(rawValue:)),
            disabled: try row.decode(column: "disabled", as: Bool.self),
            createdAt: try row.decode(column: "created_at", as: Int64.self))
    }
}
