public import Records

/// Where an imported item came from, and the key the store upserts on so that importing the same bundle twice
/// creates no duplicates.
///
/// The key is `ResourceType/id` when the resource has an `id` (stable across re-exports from the same system), else the
/// entry's `fullUrl`; entries split out of one resource (blood-pressure components) add `/component/<system>|<code>`.
/// The `fullUrl` is kept beside it for audit and for OperationOutcome messages.
public struct SourceIdentity: Sendable, Hashable, Codable {
    public var resourceType: String
    public var id: String?
    public var fullUrl: String?
    /// Position in `Bundle.entry`, for messages ("entry[12]").
    public var entryIndex: Int
    /// The idempotency key (see the type's documentation).
    public var key: String

    public init(resourceType: String, id: String?, fullUrl: String?, entryIndex: Int, key: String) {
        self.resourceType = resourceType
        self.id = id
        self.fullUrl = fullUrl
        self.entryIndex = entryIndex
        self.key = key
    }
}

/// What a FHIR resource became. Every kind names the `EntryType` it is stored as, or `nil` when the record model has
/// no faithful place for it yet (see ``entryType``).
public enum ImportedKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case observation
    case condition
    case medication
    case allergy
    case immunization
    case procedure
    case encounter
    case report

    /// The record's entry type:
    /// - observation → `.observation` (category from `Observation.category`: `vital-signs`, `laboratory`,
    ///   `social-history`, `survey`…);
    /// - condition → `.condition`; allergy → `.condition` with category `allergy` (an allergy is a coded, clinically
    ///   active-or-resolved disorder — SNOMED "… allergy (disorder)" — which is exactly a condition row);
    /// - medication (MedicationRequest/Statement) → `.medication`; immunization → `.medication` with category
    ///   `immunization` (a vaccine is an administered medication, CVX-coded; its status `completed` keeps it out of
    ///   "active medication" lists);
    /// - procedure → `.procedure`, encounter → `.encounter`, report → `.report`: their own entry types, never
    ///   `.observation` (a procedure is not a measurement, an encounter is a visit, and a DiagnosticReport in these
    ///   exports is a panel grouping Observations that are imported on their own), so "latest lab value" queries
    ///   stay correct.
    ///
    /// Optional so that a kind added to the importer before the record has a place for it is reported as
    /// unstorable rather than forced into the wrong type.
    public var entryType: EntryType? {
        switch self {
        case .observation: .observation
        case .condition, .allergy: .condition
        case .medication, .immunization: .medication
        case .procedure: .procedure
        case .encounter: .encounter
        case .report: .report
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One clinical item from a bundle, in the record's vocabulary but without store identity (IDs, recorder, time of
/// storage), which the store assigns when it applies the plan.
public struct ImportedEntry: Sendable, Hashable, Codable {
    public var source: SourceIdentity
    public var kind: ImportedKind
    /// See `ClinicalEntry.category`.
    public var category: String
    /// The chosen coding's system URI (LOINC, SNOMED CT, RxNorm, CVX preferred, per kind).
    public var system: String
    public var code: String
    public var display: String?
    public var valueNumber: Double?
    public var valueText: String?
    public var unit: String?
    public var status: String?
    /// ms since 1970; `nil` when the resource gives no time.
    public var effectiveAt: Int64?
    /// The idempotency key of the encounter this happened in, when the resource names one.
    public var encounterKey: String?

    public init(
        source: SourceIdentity, kind: ImportedKind, category: String, system: String, code: String, display: String? = nil,
        valueNumber: Double? = nil, valueText: String? = nil, unit: String? = nil, status: String? = nil, effectiveAt: Int64? = nil,
        encounterKey: String? = nil
    ) {
        self.source = source
        self.kind = kind
        self.category = category
        self.system = system
        self.code = code
        self.display = display
        self.valueNumber = valueNumber
        self.valueText = valueText
        self.unit = unit
        self.status = status
        self.effectiveAt = effectiveAt
        self.encounterKey = encounterKey
    }

    public var entryType: EntryType? { kind.entryType }

    /// The record entry this becomes, or `nil` when the kind has no entry type yet.
    public func clinicalEntry(id: EntryID, patientID: PatientID, recordedAt: Int64, recordedBy: UserID) -> ClinicalEntry? {
        guard let type = entryType else { return nil }
        return ClinicalEntry(
            id: id, patientID: patientID, type: type, category: category, system: system, code: code, display: display,
            valueNumber: valueNumber, valueText: valueText, unit: unit, status: status, effectiveAt: effectiveAt,
            recordedAt: recordedAt, recordedBy: recordedBy)
    }
}

/// A patient from a bundle and everything in the bundle about them.
public struct ImportedPatient: Sendable, Hashable, Codable {
    public var source: SourceIdentity
    /// The identifier whose type is v2-0203 `MR`, when present.
    public var mrn: String?
    public var givenName: String
    public var familyName: String
    /// FHIR `date` as given (`YYYY-MM-DD`, or partial).
    public var birthDate: String?
    /// FHIR administrative gender; `unknown` when absent.
    public var sex: String
    /// In bundle order.
    public var entries: [ImportedEntry]

    public init(
        source: SourceIdentity, mrn: String?, givenName: String, familyName: String, birthDate: String?, sex: String,
        entries: [ImportedEntry]
    ) {
        self.source = source
        self.mrn = mrn
        self.givenName = givenName
        self.familyName = familyName
        self.birthDate = birthDate
        self.sex = sex
        self.entries = entries
    }

    /// The record's patient. The store chooses `id`: the existing patient's when `source.key` (or the MRN) is already
    /// known, a new one otherwise — which is what makes re-import idempotent.
    public func patient(id: PatientID, createdAt: Int64) -> Patient {
        Patient(id: id, mrn: mrn, givenName: givenName, familyName: familyName, birthDate: birthDate, sex: sex, createdAt: createdAt)
    }
}

/// Why a bundle entry produced nothing, counted per resource type.
public struct ImportSkip: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var resourceType: String
    public var reason: String

    public init(resourceType: String, reason: String) {
        self.resourceType = resourceType
        self.reason = reason
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.resourceType, lhs.reason) < (rhs.resourceType, rhs.reason) }
    public var description: String { "\(resourceType): \(reason)" }

    /// Reasons used by the importer, so callers and tests can match on them.
    public enum Reason {
        public static let notImported = "resource type not imported"
        public static let referenceTarget = "reference target only (resolved, not stored)"
        public static let noPatient = "no subject/patient reference to a Patient"
        public static let noCode = "no coding and no text to identify it"
        public static let noEntryType = "no entry type in the record model yet"
        public static let noValue = "observation without a value or components"
    }
}

/// What an import did: per resource type, how many resources were mapped and how many entries they produced, and
/// what was skipped and why.
public struct ImportReport: Sendable, Hashable, Codable {
    public var bundleType: String
    public var totalEntries: Int
    /// Resource type → resources mapped (a blood pressure counts once here).
    public var mapped: [String: Int]
    /// Kind → entries produced (a blood pressure counts twice here).
    public var produced: [ImportedKind: Int]
    /// Resource type and reason → count.
    public var skipped: [ImportSkip: Int]

    public init(bundleType: String, totalEntries: Int, mapped: [String: Int], produced: [ImportedKind: Int], skipped: [ImportSkip: Int]) {
        self.bundleType = bundleType
        self.totalEntries = totalEntries
        self.mapped = mapped
        self.produced = produced
        self.skipped = skipped
    }

    /// Entries that will not become `ClinicalEntry` rows because their kind has no entry type, by kind.
    public var unstorable: [ImportedKind: Int] { produced.filter { $0.key.entryType == nil } }
}

/// Everything a bundle holds, ready for the store to apply in one transaction. An importer returns a complete plan or
/// throws; there is no partial plan.
public struct ImportPlan: Sendable, Hashable, Codable {
    public var patients: [ImportedPatient]
    public var report: ImportReport

    public init(patients: [ImportedPatient], report: ImportReport) {
        self.patients = patients
        self.report = report
    }
}

/// Caller's choices for one import.
public struct FHIRImportOptions: Sendable, Hashable {
    /// Bodies larger than this are rejected before parsing (default 200 MB).
    public var maxBytes: Int
    /// When true, a resource type that is neither imported nor a reference target is an error instead of a skip.
    public var strict: Bool
    /// `Bundle.type` values accepted. Batch is accepted because its entries are self-contained like a transaction's;
    /// the store applies the plan atomically either way.
    public var acceptedBundleTypes: Set<String>

    public init(maxBytes: Int = 200 * 1024 * 1024, strict: Bool = false, acceptedBundleTypes: Set<String> = ["transaction", "collection", "batch"]) {
        self.maxBytes = maxBytes
        self.strict = strict
        self.acceptedBundleTypes = acceptedBundleTypes
    }
}
