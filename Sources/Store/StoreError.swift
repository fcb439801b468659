/// What can go wrong in the store, with enough context to act on.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Bad configuration (a database URL, a master key, a data folder).
    case configuration(String)
    /// A unique key or reference was violated (a duplicate username, an unknown patient).
    case conflict(String)
    /// The thing asked for does not exist.
    case notFound(String)
    /// Input that cannot be stored as given, naming the field.
    case invalid(field: String, message: String)
    /// A migration failed.
    case migration(name: String, message: String)
    /// Stored data that cannot be read back as the store wrote it (a damaged database, or a bug).
    case corrupt(String)

    public var description: String {
        switch self {
        case .configuration(let message): "configuration: \(message)"
        case .conflict(let message): message
        case .notFound(let message): message
        case .invalid(let field, let message): "\(field): \(message)"
        case .migration(let name, let message): "migration \(name) failed: \(message)"
        case .corrupt(let message): "stored data cannot be read: \(message)"
        }
    }
}
