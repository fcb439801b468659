/// An HPO term identifier such as `HP:0001250`, kept as its number so that look-ups and comparisons never
/// touch strings on the hot path.
public struct HPOTermID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The seven-digit number after `HP:`.
    public let number: Int

    /// A term ID from its number (0 … 9,999,999).
    public init(_ number: Int) {
        precondition((0...9_999_999).contains(number), "an HPO term number has at most seven digits")
        self.number = number
    }

    /// Parses `HP:` followed by exactly seven digits; surrounding spaces are ignored.
    ///
    /// Anything else is refused rather than guessed at (`HP:123`, `HP_0001250`, `0001250`), because a mistyped ID
    /// that silently matched another term would change a diagnosis.
    ///
    /// - Throws: ``PhenotypeError/invalidTermID(_:)`` naming the text.
    public init(parsing text: some StringProtocol) throws(PhenotypeError) {
        var bytes = Array(text.utf8)
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        let start = bytes.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? bytes.endIndex
        guard let number = Self.number(in: bytes[start...]) else { throw PhenotypeError.invalidTermID(String(text)) }
        self.number = number
    }

    /// The number of `HP:NNNNNNN` in `bytes` (exactly those ten bytes), or nil.
    static func number(in bytes: some Collection<UInt8>) -> Int? {
        guard bytes.count == 10 else { return nil }
        var iterator = bytes.makeIterator()
        guard iterator.next() == UInt8(ascii: "H"), iterator.next() == UInt8(ascii: "P"), iterator.next() == UInt8(ascii: ":") else {
            return nil
        }
        var value = 0
        while let byte = iterator.next() {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    public var description: String {
        let digits = String(number)
        return "HP:" + String(repeating: "0", count: max(0, 7 - digits.count)) + digits
    }

    public static func < (lhs: HPOTermID, rhs: HPOTermID) -> Bool { lhs.number < rhs.number }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// What can go wrong reading HPO data or a patient's phenotype. Each case names the offending item.
public enum PhenotypeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Text that is not an HPO term ID.
    case invalidTermID(String)
    /// A line of an HPO file that cannot be read.
    case malformedFile(file: String, line: Int, message: String)
    /// The knowledge pack could not be read.
    case knowledge(String)
    /// A phenopacket that cannot be read.
    case phenopacket(source: String, message: String)
    /// An observed term that is the excluded term or a kind of it (a patient with `Focal seizure` has `Seizure`).
    case contradictoryTerms(observed: HPOTermID, excluded: HPOTermID)
    /// Nothing left to rank with: no observed term is a current phenotypic-abnormality term.
    case noUsableObservedTerms(skipped: [String])

    public var description: String {
        switch self {
        case .invalidTermID(let text):
            "'\(text)' is not an HPO term ID (expected HP: followed by seven digits, e.g. HP:0001250)"
        case .malformedFile(let file, let line, let message): "\(file), line \(line): \(message)"
        case .knowledge(let message): message
        case .phenopacket(let source, let message): "phenopacket \(source): \(message)"
        case .contradictoryTerms(let observed, let excluded):
            observed == excluded
                ? "\(observed) is given both as present and as excluded"
                : "\(observed) is given as present, but it is a kind of \(excluded), which is given as excluded"
        case .noUsableObservedTerms(let skipped):
            skipped.isEmpty
                ? "no observed HPO terms were given"
                : "none of the observed HPO terms can be used (\(skipped.joined(separator: ", "))), so nothing can be ranked"
        }
    }
}
