/// The roles a Tailor account can hold (ARCHITECTURE.md, security model).
public enum Role: String, Sendable, Codable, CaseIterable, Hashable {
    /// Sees and manages only their own record.
    case patient
    /// Sees patients on their care team.
    case clinician
    /// Like a clinician (care-team scoped); typically records consent and phenotypes.
    case geneticCounsellor = "genetic_counsellor"
    /// Sees only de-identified aggregates over consenting patients.
    case researcher
    /// Manages accounts and care teams; reads clinical data only through break-glass.
    case administrator
}

/// Who is asking: an authenticated account.
public struct Principal: Sendable, Hashable, Codable {
    public var userID: UserID
    public var username: String
    public var role: Role
    /// For a patient account, the record it belongs to.
    public var patientID: PatientID?

    public init(userID: UserID, username: String, role: Role, patientID: PatientID? = nil) {
        self.userID = userID
        self.username = username
        self.role = role
        self.patientID = patientID
    }
}

/// The purpose a request declares (HL7 v3 PurposeOfUse codes, so the FHIR export can carry them).
public enum PurposeOfUse: String, Sendable, Codable, CaseIterable, Hashable {
    /// Care of this patient (`TREAT`).
    case treatment = "TREAT"
    /// Emergency care under break-glass (`ETREAT`).
    case emergency = "ETREAT"
    /// Research (`HRESCH`).
    case research = "HRESCH"
    /// The patient's own request (`PATRQT`).
    case patientRequest = "PATRQT"
    /// Running the service: accounts, care teams, audit review (`HOPERAT`).
    case operations = "HOPERAT"
}
