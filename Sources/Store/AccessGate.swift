import Foundation
public import Records
import SQLKit
import Synchronization

/// Proof that the access policy allowed one action on one resource and that the decision is on record.
///
/// Only ``AccessGate`` can make one (its initialiser is internal to the store), and every store function that
/// touches patient data takes one and checks it covers the call, so there is no path to patient data that skips
/// the policy or the audit log.
public struct AccessGrant: Sendable {
    public let principal: Principal
    public let action: Action
    public let resource: Resource
    public let patientID: PatientID?
    public let purpose: PurposeOfUse
    /// The patient's consent in force when access was decided.
    public let consent: ConsentDirective
    public let requestID: String
    /// For writes: the audit entry that commits with the write.
    let pendingAudit: AuditRecord?

    /// Checks the grant covers `action` on `resource` for `patientID`; a mismatch is a programming error caught
    /// in tests, reported as a denial rather than a crash.
    func require(_ action: Action, _ resource: Resource, _ patientID: PatientID?) throws(AccessDenied) {
        guard self.action == action, self.resource == resource, self.patientID == patientID else {
            throw AccessDenied(
                decision: AccessDecision(outcome: .deny, purpose: purpose, reason: "internal: grant for \(self.resource.rawValue) used for \(resource.rawValue)", notFound: false),
                resource: resource)
        }
    }
}

/// The policy said no (or the patient does not exist).
public struct AccessDenied: Error, Sendable, CustomStringConvertible {
    public var decision: AccessDecision
    public var resource: Resource
    /// The caller's account is disabled, gone, or no longer has the token's role (answered 401, not 403).
    public var accountInvalid = false
    public var description: String {
        accountInvalid ? "the account is disabled or changed" : decision.notFound ? "not found" : "access denied: \(decision.reason)"
    }
}

/// The one place every request for patient data passes: loads the caller's relationship to the patient and the
/// patient's consent in one query, asks ``AccessPolicy``, writes the audit entry, and hands out an ``AccessGrant``.
public struct AccessGate: Sendable {
    public let database: Database
    public let audit: AuditLog
    /// The clock, injected so tests can expire break-glass grants.
    public let now: @Sendable () -> Int64

    public init(database: Database, audit: AuditLog, now: @escaping @Sendable () -> Int64 = { WallClock.millis() }) {
        self.database = database
        self.audit = audit
        self.now = now
    }

    /// Decides and records. Reads and denials are committed to the audit log before this returns; an allowed
    /// write's entry commits with the write itself (``RecordStore`` appends ``AccessGrant/pendingAudit``).
    ///
    /// - Throws: ``AccessDenied`` when the policy refuses (already audited).
    public func authorize(
        _ principal: Principal, _ action: Action, _ resource: Resource, patient patientID: PatientID? = nil, requestID: String
    ) async throws -> AccessGrant {
        var request = AccessRequest(principal: principal, action: action, resource: resource, patientID: patientID)
        let facts = try await loadFacts(principal: principal, patientID: resource.isPatientScoped ? patientID : nil)
        request.patientExists = facts.exists
        request.relationship = facts.relationship
        request.consent = facts.consent
        guard facts.accountValid else {
            // A token outliving its account: refused and on record, as any denial.
            let decision = AccessDecision(outcome: .deny, purpose: AccessPolicy.purpose(for: principal.role), reason: "account disabled or changed", notFound: false)
            try await audit.record(
                AuditRecord(
                    time: now(), actor: principal.userID.rawValue, actorRole: principal.role.rawValue, action: action.rawValue,
                    resource: resource.rawValue, patientID: patientID, purpose: decision.purpose.rawValue, outcome: .deny, reason: decision.reason,
                    requestID: requestID))
            throw AccessDenied(decision: decision, resource: resource, accountInvalid: true)
        }
        let decision = AccessPolicy.decide(request)
        let record = AuditRecord(
            time: now(), actor: principal.userID.rawValue, actorRole: principal.role.rawValue, action: action.rawValue,
            resource: resource.rawValue, patientID: patientID, purpose: decision.purpose.rawValue, outcome: decision.outcome,
            reason: decision.reason, requestID: requestID)
        guard decision.isAllowed else {
            try await audit.record(record)
            throw AccessDenied(decision: decision, resource: resource)
        }
        if action == .read {
            try await audit.record(record)
        }
        return AccessGrant(
            principal: principal, action: action, resource: resource, patientID: patientID, purpose: decision.purpose,
            consent: request.consent, requestID: requestID, pendingAudit: action == .write ? record : nil)
    }

    /// Records an entry that is not an access decision about a principal (logins, failed logins, system work).
    public func recordEvent(
        actor: String, role: String, action: String, resource: String, patientID: PatientID? = nil, outcome: AccessDecision.Outcome,
        reason: String, requestID: String, purpose: PurposeOfUse = .operations
    ) async throws {
        try await audit.record(
            AuditRecord(
                time: now(), actor: actor, actorRole: role, action: action, resource: resource, patientID: patientID,
                purpose: purpose.rawValue, outcome: outcome, reason: reason, requestID: requestID))
    }

    struct Facts {
        var accountValid: Bool
        var exists: Bool
        var relationship: Relationship
        var consent: ConsentDirective
    }

    /// Everything the policy needs about (caller, patient), in one round trip: that the caller's account is still
    /// enabled with the token's role, and (for a patient's data) whether the patient exists, the caller's relationship
    /// to them and their consent in force.
    func loadFacts(principal: Principal, patientID: PatientID?) async throws -> Facts {
        let user = principal.userID.rawValue
        let role = principal.role.rawValue
        let ownPatient = principal.patientID?.rawValue ?? ""
        guard let patientID else {
            let row = try await database.read { db in
                try await db.raw(
                    """
                    SELECT COUNT(*) AS valid FROM users WHERE user_id = \(bind: user) AND role = \(bind: role) AND disabled = \(bind: false)
                      AND COALESCE(patient_id, '') = \(bind: ownPatient)
                    """
                ).first()
            }
            return Facts(accountValid: try row?.decode(column: "valid", as: Int64.self) ?? 0 > 0, exists: true, relationship: .none, consent: .default)
        }
        let patient = patientID.rawValue
        let now = self.now()
        let row = try await database.read { db in
            try await db.raw(
                """
                SELECT (SELECT COUNT(*) FROM users WHERE user_id = \(bind: user) AND role = \(bind: role) AND disabled = \(bind: false)
                          AND COALESCE(patient_id, '') = \(bind: ownPatient)) AS valid,
                       (SELECT COUNT(*) FROM patients WHERE patient_id = \(bind: patient)) AS present,
                       (SELECT COUNT(*) FROM care_team_members WHERE patient_id = \(bind: patient) AND user_id = \(bind: user)) AS team,
                       (SELECT COUNT(*) FROM break_glass_grants WHERE patient_id = \(bind: patient) AND user_id = \(bind: user)
                            AND expires_at > \(bind: now)) AS glass,
                       (SELECT directive FROM consents WHERE patient_id = \(bind: patient) ORDER BY version DESC LIMIT 1) AS consent
                """
            ).first()
        }
        guard let row else { return Facts(accountValid: false, exists: false, relationship: .none, consent: .default) }
        let consent = try row.decode(column: "consent", as: String?.self).map(Self.consent(from:)) ?? .default
        return Facts(
            accountValid: try row.decode(column: "valid", as: Int64.self) > 0,
            exists: try row.decode(column: "present", as: Int64.self) > 0,
            relationship: Relationship(
                isSelf: principal.role == .patient && principal.patientID == patientID,
                onCareTeam: try row.decode(column: "team", as: Int64.self) > 0,
                breakGlass: try row.decode(column: "glass", as: Int64.self) > 0),
            consent: consent)
    }
}

extension AccessGate {
    /// Consent directives decoded from their stored JSON, by text: the gate reads one on every request about a
    /// patient, and most patients share a handful of directives. Decoding is a pure function of the text, so an
    /// entry is never stale. Bounded: when full, the memory starts again.
    private static let decodedConsents = Mutex<[String: ConsentDirective]>([:])

    static func consent(from text: String) throws -> ConsentDirective {
        if let known = decodedConsents.withLock({ $0[text] }) { return known }
        let consent = try JSONCoding.decode(ConsentDirective.self, from: text)
        decodedConsents.withLock { cache in
            if cache.count >= 1024 { cache.removeAll(keepingCapacity: true) }
            cache[text] = consent
        }
        return consent
    }
}

/// JSON for the text columns that hold structured values (consent directives, provenance, evidence).
enum JSONCoding {
    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
