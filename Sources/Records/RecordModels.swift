/// A patient's demographics: the root of their record.
public struct Patient: Sendable, Hashable, Codable {
    public var id: PatientID
    /// The hospital's medical record number, unique when given.
    public var mrn: String?
    public var givenName: String
    public var familyName: String
    /// ISO 8601 date (`YYYY-MM-DD`).
    public var birthDate: String?
    /// `female`, `male`, `other` or `unknown` (FHIR administrative gender).
    public var sex: String
    public var createdAt: Int64

    public init(id: PatientID, mrn: String?, givenName: String, familyName: String, birthDate: String?, sex: String, createdAt: Int64) {
        self.id = id
        self.mrn = mrn
        self.givenName = givenName
        self.familyName = familyName
        self.birthDate = birthDate
        self.sex = sex
        self.createdAt = createdAt
    }
}

/// The kinds of clinical entry a record holds. Each kind is one table row shape: a coded item with an optional value.
public enum EntryType: String, Sendable, Codable, CaseIterable, Hashable {
    /// A measurement or lab result (LOINC-coded), including home readings when their category is monitoring.
    case observation
    case condition
    case medication
    /// An HPO phenotype (present or explicitly excluded).
    case phenotype
    /// A patient-reported factor: lifestyle, environment, psychosocial state or preference.
    case factor
    /// Something done to the patient (FHIR Procedure; SNOMED CT-coded).
    case procedure
    /// A visit (FHIR Encounter; its type, with the class code as `valueText`).
    case encounter
    /// A report grouping results (FHIR DiagnosticReport; LOINC-coded, conclusion as `valueText`).
    case report
}

/// One clinical entry. Entries are appended; a correction is a new entry with `status` `entered-in-error`
/// for the old one's successor, never an edit.
public struct ClinicalEntry: Sendable, Hashable, Codable {
    public var id: EntryID
    public var patientID: PatientID
    public var type: EntryType
    /// Observations: `vital-signs`, `laboratory`, `social-history`, `monitoring`…; factors: `lifestyle`,
    /// `environment`, `psychosocial`, `preference`.
    public var category: String
    /// Code system URI (LOINC, SNOMED CT, RxNorm, HPO, or Tailor's factor codes).
    public var system: String
    public var code: String
    public var display: String?
    public var valueNumber: Double?
    public var valueText: String?
    public var unit: String?
    /// `active`, `resolved`, `final`, `excluded` (phenotypes) …
    public var status: String?
    /// When it happened or was measured (ms since 1970); `nil` when unknown.
    public var effectiveAt: Int64?
    public var recordedAt: Int64
    public var recordedBy: UserID

    public init(
        id: EntryID, patientID: PatientID, type: EntryType, category: String, system: String, code: String, display: String?,
        valueNumber: Double?, valueText: String?, unit: String?, status: String?, effectiveAt: Int64?, recordedAt: Int64, recordedBy: UserID
    ) {
        self.id = id
        self.patientID = patientID
        self.type = type
        self.category = category
        self.system = system
        self.code = code
        self.display = display
        self.valueNumber = valueNumber
        self.valueText = valueText
        self.unit = unit
        self.status = status
        self.effectiveAt = effectiveAt
        self.recordedAt = recordedAt
        self.recordedBy = recordedBy
    }

    /// The consent category of this entry: monitoring readings are their own category.
    public var dataCategory: DataCategory { category == "monitoring" ? .monitoring : .clinical }
}

/// The kinds of genomic dataset.
public enum DatasetKind: String, Sendable, Codable, CaseIterable, Hashable {
    case germlineVCF = "germline_vcf"
    case tumorVCF = "tumor_vcf"
    case maf
    case expression
}

/// An uploaded genomic file, stored encrypted. Immutable once stored.
public struct Dataset: Sendable, Hashable, Codable {
    public var id: DatasetID
    public var patientID: PatientID
    public var kind: DatasetKind
    public var filename: String
    public var sizeBytes: Int64
    /// SHA-256 of the file as uploaded (hex).
    public var sha256: String
    public var genomeBuild: String?
    public var createdAt: Int64
    public var createdBy: UserID

    public init(
        id: DatasetID, patientID: PatientID, kind: DatasetKind, filename: String, sizeBytes: Int64, sha256: String,
        genomeBuild: String?, createdAt: Int64, createdBy: UserID
    ) {
        self.id = id
        self.patientID = patientID
        self.kind = kind
        self.filename = filename
        self.sizeBytes = sizeBytes
        self.sha256 = sha256
        self.genomeBuild = genomeBuild
        self.createdAt = createdAt
        self.createdBy = createdBy
    }
}

/// A sample inside a dataset (a VCF column).
public struct Sample: Sendable, Hashable, Codable {
    public var id: SampleID
    public var patientID: PatientID
    public var datasetID: DatasetID
    /// The sample's name in the file's header.
    public var nameInFile: String

    public init(id: SampleID, patientID: PatientID, datasetID: DatasetID, nameInFile: String) {
        self.id = id
        self.patientID = patientID
        self.datasetID = datasetID
        self.nameInFile = nameInFile
    }
}

/// Where an analysis run is.
public enum RunStatus: String, Sendable, Codable, CaseIterable, Hashable {
    case queued
    case running
    case succeeded
    case failed
}

/// One analyser applied to one dataset. Runs are retried by setting them back to queued; findings are written
/// together with the `succeeded` status in one transaction, so a run never leaves part of its findings behind.
public struct AnalysisRun: Sendable, Hashable, Codable {
    public var id: RunID
    public var patientID: PatientID
    public var datasetID: DatasetID
    public var analyser: String
    public var status: RunStatus
    /// 0…1.
    public var progress: Double
    public var attempts: Int
    public var error: String?
    public var createdAt: Int64
    public var startedAt: Int64?
    public var finishedAt: Int64?
    public var requestedBy: UserID

    public init(
        id: RunID, patientID: PatientID, datasetID: DatasetID, analyser: String, status: RunStatus, progress: Double, attempts: Int,
        error: String?, createdAt: Int64, startedAt: Int64?, finishedAt: Int64?, requestedBy: UserID
    ) {
        self.id = id
        self.patientID = patientID
        self.datasetID = datasetID
        self.analyser = analyser
        self.status = status
        self.progress = progress
        self.attempts = attempts
        self.error = error
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.requestedBy = requestedBy
    }
}

/// Where a finding came from: enough to answer "what did we tell this patient, when, and why".
public struct Provenance: Sendable, Hashable, Codable {
    public var analyser: String
    public var analyserVersion: String
    /// Knowledge pack name → version.
    public var knowledge: [String: String]
    /// SHA-256 of each input (dataset ID → digest).
    public var inputDigests: [String: String]

    public init(analyser: String, analyserVersion: String, knowledge: [String: String], inputDigests: [String: String]) {
        self.analyser = analyser
        self.analyserVersion = analyserVersion
        self.knowledge = knowledge
        self.inputDigests = inputDigests
    }
}

/// An immutable fact an analyser produced, with its evidence (the analyser's own JSON) and provenance.
public struct Finding: Sendable, Hashable, Codable {
    /// ACMG secondary findings: pathogenic variants in the ACMG SF genes found by screening, not by the question the
    /// genome was sequenced for. They are stored when found, and shown only while the patient's consent says they want
    /// to receive them (``visible(under:)``), so a change of mind takes effect on the next request either way.
    public static let secondaryFindingKind = "germline.secondary"

    /// Whether this finding may be shown under a consent: everything but secondary findings, which need the opt-in.
    public func visible(under consent: ConsentDirective) -> Bool {
        kind != Self.secondaryFindingKind || consent.secondaryFindings
    }

    public var id: FindingID
    public var patientID: PatientID
    public var runID: RunID
    public var datasetID: DatasetID
    /// e.g. `pgx.gene`, `pgx.drug`.
    public var kind: String
    /// What it is about: a gene symbol, a drug name.
    public var subject: String
    /// One line for lists ("CYP2C19 *2/*2: Poor Metabolizer").
    public var summary: String
    /// The result's code for counting (a diplotype such as `*1/*2`), when it has one.
    public var label: String?
    /// The result's interpretation (a phenotype such as `Intermediate Metabolizer`), when it has one.
    public var interpretation: String?
    /// The analyser's full result for this subject, as JSON text.
    public var evidence: String
    public var provenance: Provenance
    public var createdAt: Int64

    public init(
        id: FindingID, patientID: PatientID, runID: RunID, datasetID: DatasetID, kind: String, subject: String, summary: String,
        label: String? = nil, interpretation: String? = nil, evidence: String, provenance: Provenance, createdAt: Int64
    ) {
        self.label = label
        self.interpretation = interpretation
        self.id = id
        self.patientID = patientID
        self.runID = runID
        self.datasetID = datasetID
        self.kind = kind
        self.subject = subject
        self.summary = summary
        self.evidence = evidence
        self.provenance = provenance
        self.createdAt = createdAt
    }
}

/// An account as the store keeps it (the password hash never leaves the store's login check).
public struct UserAccount: Sendable, Hashable, Codable {
    public var id: UserID
    public var username: String
    public var displayName: String
    public var role: Role
    public var patientID: PatientID?
    public var disabled: Bool
    public var createdAt: Int64

    public init(id: UserID, username: String, displayName: String, role: Role, patientID: PatientID?, disabled: Bool, createdAt: Int64) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.role = role
        self.patientID = patientID
        self.disabled = disabled
        self.createdAt = createdAt
    }

    public var principal: Principal { Principal(userID: id, username: username, role: role, patientID: patientID) }
}
