/// Why a bundle was rejected. Each case names the entry (its index in `Bundle.entry`) and the JSON path where it can,
/// so an OperationOutcome can point at the exact element (`entry[12].resource.subject.reference`).
public enum FHIRImportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The body exceeds `FHIRImportOptions.maxBytes`; checked before any parsing.
    case tooLarge(bytes: Int, limit: Int)
    /// Not JSON, or JSON that is not an object.
    case notJSON(detail: String)
    /// The top-level resource is not a Bundle (its `resourceType`, if any).
    case notABundle(resourceType: String?)
    /// `Bundle.type` is missing or not accepted.
    case unsupportedBundleType(String?, accepted: [String])
    /// A reference that names nothing in the bundle.
    case danglingReference(entry: Int, path: String, reference: String)
    /// A `date`/`dateTime`/`instant` that is not one.
    case malformedDate(entry: Int, path: String, value: String)
    /// A structural problem: a missing or wrongly typed element.
    case invalid(entry: Int?, path: String, message: String)
    /// Strict mode: a resource type the importer does not handle.
    case unsupportedResourceType(entry: Int, resourceType: String)
    /// Two entries with the same idempotency key: importing both would silently keep one.
    case duplicateResource(entry: Int, firstEntry: Int, key: String)

    /// The entry index, when the error is about one entry.
    public var entryIndex: Int? {
        switch self {
        case .danglingReference(let entry, _, _), .malformedDate(let entry, _, _), .unsupportedResourceType(let entry, _),
            .duplicateResource(let entry, _, _):
            entry
        case .invalid(let entry, _, _): entry
        case .tooLarge, .notJSON, .notABundle, .unsupportedBundleType: nil
        }
    }

    /// The FHIRPath-like location (`entry[3].resource.effectiveDateTime`), when there is one.
    public var path: String? {
        switch self {
        case .danglingReference(_, let path, _), .malformedDate(_, let path, _), .invalid(_, let path, _): path
        case .unsupportedResourceType(let entry, _): "entry[\(entry)].resource.resourceType"
        case .duplicateResource(let entry, _, _): "entry[\(entry)].resource.id"
        case .notABundle: "resourceType"
        case .unsupportedBundleType: "type"
        case .tooLarge, .notJSON: nil
        }
    }

    public var description: String {
        switch self {
        case .tooLarge(let bytes, let limit): "body is \(bytes) bytes, over the \(limit)-byte limit"
        case .notJSON(let detail): "body is not a JSON object: \(detail)"
        case .notABundle(let type): "expected a Bundle, got \(type.map { "a \($0)" } ?? "no resourceType")"
        case .unsupportedBundleType(let type, let accepted):
            "Bundle.type \(type.map { "'\($0)'" } ?? "is missing"); accepted: \(accepted.joined(separator: ", "))"
        case .danglingReference(_, let path, let reference): "\(path): \(reference) is not in the bundle"
        case .malformedDate(_, let path, let value): "\(path): '\(value.prefix(60))' is not a FHIR date/dateTime"
        case .invalid(_, let path, let message): "\(path): \(message)"
        case .unsupportedResourceType(let entry, let type): "entry[\(entry)].resource.resourceType: \(type) is not imported (strict mode)"
        case .duplicateResource(let entry, let first, let key): "entry[\(entry)]: \(key) already appears at entry[\(first)]"
        }
    }
}
