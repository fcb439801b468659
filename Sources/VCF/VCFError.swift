/// A problem in a VCF file, located by line and field so that whoever produced the file can fix it.
///
/// The pure parser throws it without a line number (it sees one line at a time); the reader that
/// knows where the line came from fills in ``line`` and ``path``.
public struct VCFError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A meta-information line or the `#CHROM` line is malformed.
        case header
        /// A data line is malformed.
        case record
        /// The file is valid but uses something this reader does not support (e.g. BCF).
        case unsupported
        /// A request made of the file cannot be met (e.g. an unknown sample or contig).
        case request
    }

    public var kind: Kind
    /// What is wrong, in words a lab scientist can act on.
    public var message: String
    /// 1-based line number in the file, when known.
    public var line: Int?
    /// The column or sub-field, e.g. `POS`, `INFO/DP`, `sample NA12878 GT`.
    public var field: String?
    /// The file, when known.
    public var path: String?

    public init(_ kind: Kind, _ message: String, line: Int? = nil, field: String? = nil, path: String? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
        self.field = field
        self.path = path
    }

    /// The same error placed at a line of a file.
    public func located(line: Int?, path: String?) -> VCFError {
        var copy = self
        if copy.line == nil { copy.line = line }
        if copy.path == nil { copy.path = path }
        return copy
    }

    public var description: String {
        var place = ""
        if let path { place += path }
        if let line { place += (place.isEmpty ? "line " : ":") + String(line) }
        if !place.isEmpty { place += ": " }
        if let field { place += field + ": " }
        return place + message
    }
}
