public import Records
import SQLKit

/// De-identified aggregate counts over consenting patients, for researchers.
extension RecordStore {
    /// Counts below this are reported as suppressed: a count of 1–4 can identify a person.
    public static let smallCountThreshold = 5

    /// One row of an aggregate: a value and how many consenting patients have it.
    public struct AggregateCount: Sendable, Codable, Hashable {
        public var value: String
        /// `nil` when suppressed.
        public var count: Int?
        public var suppressed: Bool

        public init(value: String, count: Int?, suppressed: Bool) {
            self.value = value
            self.count = count
            self.suppressed = suppressed
        }
    }

    public struct Aggregate: Sendable, Codable, Hashable {
        public var gene: String
        public var groupBy: String
        public var use: ResearchUse
        /// Consenting patients with a current result for the gene (suppressed when small).
        public var patients: Int?
        public var rows: [AggregateCount]
        public var suppressionThreshold: Int
    }

    /// How many consenting patients have each diplotype or phenotype of `gene`, from current PGx findings. Only
    /// patients whose consent in force permits research of kind `use` on genomic data count; the consent check runs
    /// on each patient's newest consent version in the same query.
    public func pgxAggregate(_ grant: AccessGrant, gene: String, groupBy: String, use: ResearchUse) async throws -> Aggregate {
        try grant.require(.read, .researchAggregate, nil)
        let column = groupBy == "diplotype" ? "label" : "interpretation"
        let rows = try await database.read { db in
            try await db.raw(
                """
                SELECT f.patient_id, f.\(unsafeRaw: column) AS value, c.directive FROM findings f
                JOIN analysis_runs r ON r.run_id = f.run_id AND \(unsafeRaw: Self.runIsCurrent)
                JOIN consents c ON c.patient_id = f.patient_id
                     AND c.version = (SELECT MAX(version) FROM consents c2 WHERE c2.patient_id = f.patient_id)
                WHERE f.kind = 'pgx.gene' AND f.subject = \(bind: gene)
                """
            ).all()
        }
        // One value per patient (their newest dataset's), counted only with research consent for this use.
        var valueByPatient: [String: String] = [:]
        for row in rows {
            let directive = try JSONCoding.decode(ConsentDirective.self, from: try row.decode(column: "directive", as: String.self))
            guard directive.permitsResearch(use, category: .genomic) else { continue }
            valueByPatient[try row.decode(column: "patient_id", as: String.self)] = try row.decode(column: "value", as: String?.self) ?? "not called"
        }
        var counts: [String: Int] = [:]
        for value in valueByPatient.values { counts[value, default: 0] += 1 }
        let threshold = Self.smallCountThreshold
        let out = counts.sorted { $0.key < $1.key }.map { value, count in
            count < threshold ? AggregateCount(value: value, count: nil, suppressed: true) : AggregateCount(value: value, count: count, suppressed: false)
        }
        let total = valueByPatient.count
        return Aggregate(
            gene: gene, groupBy: column == "label" ? "diplotype" : "phenotype", use: use, patients: total < threshold ? nil : total, rows: out,
            suppressionThreshold: threshold)
    }
}
