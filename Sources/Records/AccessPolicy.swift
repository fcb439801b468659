/// What a request wants to do.
public enum Action: String, Sendable, Codable, CaseIterable, Hashable {
    case read
    case write
}

/// What a request touches. Every route maps to exactly one resource; the policy decides on resources, never on
/// routes, so a new route cannot open a second path past it.
public enum Resource: String, Sendable, Codable, CaseIterable, Hashable {
    /// The list of patients the caller may see (filtered by the store with the same relationships).
    case patientDirectory = "patient_directory"
    /// Registering a new patient.
    case patientRegistration = "patient_registration"
    /// One patient's demographics and overview.
    case patientSummary = "patient_summary"
    /// Observations, conditions, medications, phenotypes, reported factors.
    case clinicalRecord = "clinical_record"
    /// Home and device readings.
    case monitoring
    /// Genome files and samples.
    case genomicData = "genomic_data"
    /// Analysis runs and the findings they produced.
    case findings
    /// The patient's consent directive and its history.
    case consent
    /// Who may see the patient (care team membership).
    case careTeam = "care_team"
    /// The audit trail of one patient's record.
    case patientAudit = "patient_audit"
    /// The whole audit log.
    case auditLog = "audit_log"
    /// User accounts.
    case accounts
    /// De-identified aggregate counts over consenting patients.
    case researchAggregate = "research_aggregate"
    /// Emergency access to a patient outside one's care team.
    case breakGlass = "break_glass"

    /// The consent category this resource's data falls under, if it holds patient data that consent governs.
    public var dataCategory: DataCategory? {
        switch self {
        case .clinicalRecord: .clinical
        case .monitoring: .monitoring
        case .genomicData, .findings: .genomic
        default: nil
        }
    }

    /// Whether the resource is one patient's data (so a request must name the patient).
    public var isPatientScoped: Bool {
        switch self {
        case .patientDirectory, .patientRegistration, .auditLog, .accounts, .researchAggregate: false
        default: true
        }
    }
}

/// The facts about the caller's relationship to a patient, loaded by the store in one query.
public struct Relationship: Sendable, Hashable {
    /// The caller is this patient.
    public var isSelf: Bool
    /// The caller is on the patient's care team.
    public var onCareTeam: Bool
    /// The caller holds an unexpired break-glass grant for this patient.
    public var breakGlass: Bool

    public init(isSelf: Bool = false, onCareTeam: Bool = false, breakGlass: Bool = false) {
        self.isSelf = isSelf
        self.onCareTeam = onCareTeam
        self.breakGlass = breakGlass
    }

    public static let none = Relationship()
}

/// One question put to the policy.
public struct AccessRequest: Sendable, Hashable {
    public var principal: Principal
    public var action: Action
    public var resource: Resource
    public var patientID: PatientID?
    public var relationship: Relationship
    /// The patient's consent in force (the default directive when none was recorded).
    public var consent: ConsentDirective
    /// Whether the patient exists; a request about a missing patient is denied (and answered 404 by the server).
    public var patientExists: Bool

    public init(
        principal: Principal, action: Action, resource: Resource, patientID: PatientID? = nil,
        relationship: Relationship = .none, consent: ConsentDirective = .default, patientExists: Bool = true
    ) {
        self.principal = principal
        self.action = action
        self.resource = resource
        self.patientID = patientID
        self.relationship = relationship
        self.consent = consent
        self.patientExists = patientExists
    }
}

/// The policy's answer, with the reason the audit log records.
public struct AccessDecision: Sendable, Hashable {
    public enum Outcome: String, Sendable, Codable, Hashable {
        case allow
        case deny
    }

    public var outcome: Outcome
    /// The purpose of use the access is recorded under.
    public var purpose: PurposeOfUse
    /// A short, stable explanation ("care team", "consent withholds genomic data from treatment", …).
    public var reason: String
    /// Denied because the patient does not exist (the server answers 404 rather than 403).
    public var notFound: Bool

    public var isAllowed: Bool { outcome == .allow }

    public init(outcome: Outcome, purpose: PurposeOfUse, reason: String, notFound: Bool) {
        self.outcome = outcome
        self.purpose = purpose
        self.reason = reason
        self.notFound = notFound
    }

    static func allow(_ purpose: PurposeOfUse, _ reason: String) -> Self {
        Self(outcome: .allow, purpose: purpose, reason: reason, notFound: false)
    }

    static func deny(_ purpose: PurposeOfUse, _ reason: String, notFound: Bool = false) -> Self {
        Self(outcome: .deny, purpose: purpose, reason: reason, notFound: notFound)
    }
}

/// The one access policy: role × relationship × consent × purpose → allow or deny.
///
/// Pure and total: every route, export and query asks it, and the store's ``AccessGate`` records every answer in
/// the audit log. The rules:
/// - **Patients** read everything in their own record (their right of access, whatever their consent says) and
///   write what is theirs to report: consent, reported factors and monitoring readings.
/// - **Clinicians and genetic counsellors** read and write the records of patients on their care team, within the
///   patient's treatment consent per data category; they may register patients and record consent on a patient's behalf.
/// - **Break-glass** lets a clinician, counsellor or administrator read (never write) a record outside their care
///   team, for emergency care, still within the patient's treatment consent; the grant itself is audited with its reason.
/// - **Researchers** see no individual record; they run aggregate queries that the store restricts to consenting patients.
/// - **Administrators** manage accounts and care teams and review the audit log; clinical data only through break-glass.
public enum AccessPolicy {
    public static func decide(_ request: AccessRequest) -> AccessDecision {
        let role = request.principal.role
        let resource = request.resource
        let action = request.action

        // Requests that are not about one patient.
        if !resource.isPatientScoped {
            switch (resource, role) {
            case (.patientDirectory, .patient), (.patientDirectory, .clinician), (.patientDirectory, .geneticCounsellor):
                return action == .read ? .allow(purpose(for: role), "directory filtered to the caller's patients") : .deny(.treatment, "the directory is read-only")
            case (.patientDirectory, .administrator):
                return action == .read ? .allow(.operations, "directory of names for care-team management") : .deny(.operations, "the directory is read-only")
            case (.patientRegistration, .clinician), (.patientRegistration, .geneticCounsellor), (.patientRegistration, .administrator):
                return action == .write ? .allow(purpose(for: role), "registration") : .deny(purpose(for: role), "registration is a write")
            case (.accounts, .administrator), (.auditLog, .administrator):
                return .allow(.operations, "administrator")
            case (.researchAggregate, .researcher):
                return action == .read ? .allow(.research, "aggregate over consenting patients") : .deny(.research, "research aggregates are read-only")
            default:
                return .deny(purpose(for: role), "\(role.rawValue) may not \(action.rawValue) \(resource.rawValue)")
            }
        }

        guard request.patientID != nil else { return .deny(purpose(for: role), "no patient named") }
        guard request.patientExists else { return .deny(purpose(for: role), "no such patient", notFound: true) }
        let relationship = request.relationship

        switch role {
        case .patient:
            guard relationship.isSelf else { return .deny(.patientRequest, "a patient sees only their own record") }
            switch (action, resource) {
            case (.read, .breakGlass), (.write, .breakGlass):
                return .deny(.patientRequest, "break-glass is for clinical staff")
            case (.read, _):
                return .allow(.patientRequest, "own record")
            case (.write, .consent), (.write, .monitoring), (.write, .clinicalRecord):
                // Clinical-record writes by a patient are their reported factors; the route restricts the kind.
                return .allow(.patientRequest, "own record")
            case (.write, _):
                return .deny(.patientRequest, "patients cannot change \(resource.rawValue)")
            }

        case .clinician, .geneticCounsellor:
            if resource == .breakGlass {
                return action == .write ? .allow(.emergency, "break-glass request") : .deny(.emergency, "break-glass grants are written, not read")
            }
            if resource == .patientAudit {
                return .deny(.treatment, "a patient's audit trail is for the patient and administrators")
            }
            let purpose: PurposeOfUse
            if relationship.onCareTeam {
                purpose = .treatment
            } else if relationship.breakGlass {
                guard action == .read else { return .deny(.emergency, "break-glass access is read-only") }
                purpose = .emergency
            } else {
                return .deny(.treatment, "not on the patient's care team")
            }
            if resource == .careTeam && action == .write {
                return .deny(purpose, "care teams are managed by administrators")
            }
            if let category = resource.dataCategory, !request.consent.permitsTreatment(category) {
                return .deny(purpose, "the patient's consent withholds \(category.rawValue) data from treatment")
            }
            return .allow(purpose, purpose == .emergency ? "break-glass" : "care team")

        case .researcher:
            return .deny(.research, "researchers see aggregates only, never an individual record")

        case .administrator:
            switch (action, resource) {
            case (_, .careTeam), (.read, .patientAudit):
                return .allow(.operations, "administrator")
            case (.write, .breakGlass):
                return .allow(.emergency, "break-glass request")
            case (.read, _) where relationship.breakGlass:
                if let category = resource.dataCategory, !request.consent.permitsTreatment(category) {
                    return .deny(.emergency, "the patient's consent withholds \(category.rawValue) data from treatment")
                }
                return .allow(.emergency, "break-glass")
            default:
                return .deny(.operations, "administrators read clinical data only through break-glass")
            }
        }
    }

    /// The purpose a role's ordinary requests are recorded under.
    public static func purpose(for role: Role) -> PurposeOfUse {
        switch role {
        case .patient: .patientRequest
        case .clinician, .geneticCounsellor: .treatment
        case .researcher: .research
        case .administrator: .operations
        }
    }
}
