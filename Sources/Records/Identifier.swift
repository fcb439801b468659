import Foundation

/// What kind of thing an ``Identifier`` names; its prefix makes identifiers self-describing in logs,
/// URLs and audit entries (`pat_…`, `usr_…`), so a patient ID pasted where a sample ID belongs fails
/// to parse instead of silently matching nothing.
public protocol IdentifierKind: Sendable {
    static var prefix: String { get }
}

/// A typed identifier: `PatientID` and `SampleID` are different types, so one can never be passed
/// where the other is expected (STYLE.md §6.4).
///
/// ```swift
/// let id = PatientID.random()            // "pat_3f1c…"
/// let parsed = try PatientID(parsing: id.rawValue)
/// ```
public struct Identifier<Kind: IdentifierKind>: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    /// Wraps a stored value without checking it (values read back from our own database).
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Parses an identifier from outside (a URL path, a JSON body) and checks its prefix and shape.
    public init(parsing text: some StringProtocol) throws(IdentifierError) {
        let text = String(text)
        guard Self.isWellFormed(text) else { throw IdentifierError(kind: Kind.prefix, text: text) }
        rawValue = text
    }

    /// A new random identifier (a UUID's 122 random bits behind the prefix).
    public static func random() -> Self {
        Self(rawValue: Kind.prefix + "_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))
    }

    /// `prefix_` followed by 1–64 characters from `[a-z0-9-]`: generated identifiers and readable demo ones alike.
    public static func isWellFormed(_ text: String) -> Bool {
        let prefix = Kind.prefix + "_"
        guard text.hasPrefix(prefix) else { return false }
        let rest = text.utf8.dropFirst(prefix.utf8.count)
        guard (1...64).contains(rest.count) else { return false }
        return rest.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard Self.isWellFormed(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text.prefix(80))' is not a \(Kind.prefix)_… identifier")
        }
        rawValue = text
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// An identifier that did not parse: names the expected kind and the offending text.
public struct IdentifierError: Error, Hashable, Sendable, CustomStringConvertible {
    public var kind: String
    public var text: String
    public var description: String { "'\(text.prefix(80))' is not a valid \(kind)_… identifier" }
}

public enum PatientTag: IdentifierKind { public static let prefix = "pat" }
public enum UserTag: IdentifierKind { public static let prefix = "usr" }
public enum DatasetTag: IdentifierKind { public static let prefix = "dst" }
public enum SampleTag: IdentifierKind { public static let prefix = "smp" }
public enum FindingTag: IdentifierKind { public static let prefix = "fnd" }
public enum RunTag: IdentifierKind { public static let prefix = "run" }
public enum EntryTag: IdentifierKind { public static let prefix = "ent" }
public enum ConsentTag: IdentifierKind { public static let prefix = "cns" }
public enum GrantTag: IdentifierKind { public static let prefix = "bgl" }
public enum CarePlanTag: IdentifierKind { public static let prefix = "cpl" }
public enum GoalTag: IdentifierKind { public static let prefix = "gol" }

public typealias PatientID = Identifier<PatientTag>
public typealias UserID = Identifier<UserTag>
public typealias DatasetID = Identifier<DatasetTag>
public typealias SampleID = Identifier<SampleTag>
public typealias FindingID = Identifier<FindingTag>
public typealias RunID = Identifier<RunTag>
/// A clinical entry: an observation, condition, medication, phenotype or patient-reported factor.
public typealias EntryID = Identifier<EntryTag>
public typealias ConsentID = Identifier<ConsentTag>
/// A break-glass grant.
public typealias GrantID = Identifier<GrantTag>
/// A saved care-plan proposal.
public typealias CarePlanID = Identifier<CarePlanTag>
/// A care-plan goal (the same ID across all its versions).
public typealias GoalID = Identifier<GoalTag>

extension Identifier {
    /// The identifier as a FHIR resource id. FHIR ids allow only `[A-Za-z0-9-.]` (FHIR R4 §2.24.0.3), so the `_` after
    /// the prefix becomes `-`: `pat_3f1c…` is `Patient/pat-3f1c…` in every FHIR resource and reference Tailor writes.
    public var fhirID: String { rawValue.replacingOccurrences(of: "_", with: "-") }

    /// Parses an identifier given in either form: Tailor's (`pat_…`) or FHIR's (`pat-…`).
    public init(parsingFHIR text: some StringProtocol) throws(IdentifierError) {
        let text = String(text)
        let prefix = Kind.prefix + "-"
        if text.hasPrefix(prefix) {
            try self.init(parsing: Kind.prefix + "_" + text.dropFirst(prefix.count))
        } else {
            try self.init(parsing: text)
        }
    }
}
