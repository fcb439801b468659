import Crypto

/// One entry of the audit log, before it is chained.
public struct AuditRecord: Sendable, Hashable, Codable {
    /// Milliseconds since 1970 (UTC).
    public var time: Int64
    /// The account that asked, or `system` for the server's own work (analysis jobs, migrations).
    public var actor: String
    public var actorRole: String
    public var action: String
    public var resource: String
    public var patientID: PatientID?
    public var purpose: String
    public var outcome: AccessDecision.Outcome
    public var reason: String
    /// The request that caused it, so an entry can be matched to the server log.
    public var requestID: String

    public init(
        time: Int64, actor: String, actorRole: String, action: String, resource: String, patientID: PatientID?,
        purpose: String, outcome: AccessDecision.Outcome, reason: String, requestID: String
    ) {
        self.time = time
        self.actor = actor
        self.actorRole = actorRole
        self.action = action
        self.resource = resource
        self.patientID = patientID
        self.purpose = purpose
        self.outcome = outcome
        self.reason = reason
        self.requestID = requestID
    }
}

/// A chained entry: its sequence number, the previous entry's hash and its own.
public struct AuditEntry: Sendable, Hashable, Codable {
    public var sequence: Int64
    public var record: AuditRecord
    public var previousHash: String
    public var hash: String

    public init(sequence: Int64, record: AuditRecord, previousHash: String, hash: String) {
        self.sequence = sequence
        self.record = record
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// The hash chain: entry *n* stores SHA-256(previous hash ‖ sequence ‖ fields), so changing, removing or
/// reordering any stored entry breaks every link after it, and ``verify(_:)`` names the first broken one.
public enum AuditChain {
    /// The previous hash of the first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// The hash of `record` as entry `sequence` after `previousHash`. Fields are length-prefixed, so no two
    /// different entries serialise to the same bytes.
    public static func hash(sequence: Int64, record: AuditRecord, previousHash: String) -> String {
        var hasher = SHA256()
        func field(_ text: String) {
            var bytes = Array(text.utf8)
            var length = UInt32(bytes.count).bigEndian
            withUnsafeBytes(of: &length) { hasher.update(bufferPointer: $0) }
            hasher.update(data: bytes)
            bytes.removeAll()
        }
        field("tailor-audit-v1")
        field(previousHash)
        field(String(sequence))
        field(String(record.time))
        field(record.actor)
        field(record.actorRole)
        field(record.action)
        field(record.resource)
        field(record.patientID?.rawValue ?? "")
        field(record.purpose)
        field(record.outcome.rawValue)
        field(record.reason)
        field(record.requestID)
        return Hex.encode(hasher.finalize())
    }

    /// Chains `records` after the entry (`sequence`, `hash`) that currently ends the log.
    public static func chain(_ records: [AuditRecord], after sequence: Int64, hash: String) -> [AuditEntry] {
        var sequence = sequence
        var previous = hash
        return records.map { record in
            sequence += 1
            let digest = Self.hash(sequence: sequence, record: record, previousHash: previous)
            defer { previous = digest }
            return AuditEntry(sequence: sequence, record: record, previousHash: previous, hash: digest)
        }
    }

    /// A problem found by ``Verifier``.
    public struct Break: Error, Sendable, Hashable, CustomStringConvertible {
        public var sequence: Int64
        public var problem: String
        public var description: String { "audit entry \(sequence): \(problem)" }
    }

    /// Checks entries one at a time in sequence order, so a log of any length is verified in constant memory.
    public struct Verifier: Sendable {
        public private(set) var checked: Int64 = 0
        public private(set) var lastSequence: Int64 = 0
        public private(set) var lastHash: String = AuditChain.genesis

        public init() {}

        /// Checks the next entry; throws the first broken link.
        public mutating func check(_ entry: AuditEntry) throws(Break) {
            guard entry.sequence == lastSequence + 1 else {
                throw Break(sequence: entry.sequence, problem: "expected sequence \(lastSequence + 1): entries are missing or reordered")
            }
            guard entry.previousHash == lastHash else {
                throw Break(sequence: entry.sequence, problem: "its previous-hash does not match entry \(lastSequence)'s hash")
            }
            let expected = AuditChain.hash(sequence: entry.sequence, record: entry.record, previousHash: entry.previousHash)
            guard expected == entry.hash else {
                throw Break(sequence: entry.sequence, problem: "its contents do not match its hash (the entry was altered)")
            }
            lastSequence = entry.sequence
            lastHash = entry.hash
            checked += 1
        }

        /// Checks that the log ends where the separately stored head says it does (catches a cut-off tail).
        public func checkHead(sequence: Int64, hash: String) throws(Break) {
            guard sequence == lastSequence, hash == lastHash else {
                throw Break(
                    sequence: lastSequence + 1,
                    problem: "the log ends at entry \(lastSequence) but its head records entry \(sequence): entries were removed from the end")
            }
        }
    }

    /// Verifies a whole sequence of entries.
    public static func verify(_ entries: some Sequence<AuditEntry>) throws(Break) -> Int64 {
        var verifier = Verifier()
        for entry in entries { try verifier.check(entry) }
        return verifier.checked
    }
}

/// Lower-case hexadecimal, without Foundation's per-byte formatting cost.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
