import BGZF
import Foundation
import VCF

/// What every polygenic score is shown with (risk-and-care brief §4.5): accuracy falls outside the ancestry a
/// score was developed in, and raw sums are not comparable across ancestries.
public enum AncestryCaveat {
    public static func text(scoreID: String) -> String {
        "Polygenic score accuracy depends on genetic ancestry: relative to European-ancestry samples, prediction accuracy was "
            + "1.6× lower in Hispanic/Latino, 1.7× lower in South Asian, 2.5× lower in East Asian and 4.9× lower in African "
            + "ancestry (Martin AR et al., Nat Genet 2019;51:584). Differences in raw sums between ancestry groups reflect allele "
            + "frequencies and linkage disequilibrium, not differences in risk: compare a sum only with a reference of similar "
            + "genetic ancestry. Check the development and evaluation ancestry of \(scoreID) in the PGS Catalog before clinical use."
    }
}

/// A reference distribution of one score's sums, by population label (e.g. 1000 Genomes superpopulations), to
/// turn a raw sum into a Z-score and percentile (pgsc_calc's `Z_MostSimilarPop` / `percentile_MostSimilarPop`,
/// with the population chosen by the caller rather than inferred).
public struct ReferenceDistribution: Sendable {
    /// Score identifier (with any `_hmPOS_GRCh3x` suffix removed) → population → sorted sums.
    public private(set) var sums: [String: [String: [Double]]] = [:]

    public init() {}

    /// Score identifiers compare without the PGS Catalog's harmonisation suffix.
    public static func key(_ id: String) -> String {
        if let range = id.range(of: "_hmPOS_") { return String(id[..<range.lowerBound]) }
        return id
    }

    public mutating func add(score: String, population: String, sum: Double) {
        sums[Self.key(score), default: [:]][population, default: []].append(sum)
    }

    /// Sorts the sums; call once after adding.
    public mutating func finish() {
        for (score, byPopulation) in sums {
            for (population, values) in byPopulation { sums[score]![population] = values.sorted() }
        }
    }

    /// Reads pgsc_calc's aggregated scores (`sampleset FID IID PGS SUM …`, gzip or plain text; Tailor's own `--tsv`
    /// output has the same columns) and a population table (`#IID … SuperPop …`, e.g. a .psam), keeping the
    /// reference samples that have a population.
    public static func read(scoresPath: String, populationsPath: String, populationColumn: String = "SuperPop") throws(ScoringFileError)
        -> ReferenceDistribution
    {
        let populationRows = try table(populationsPath)
        guard let header = populationRows.first else { throw ScoringFileError(path: populationsPath, message: "empty") }
        guard let iid = header.firstIndex(where: { $0 == "#IID" || $0 == "IID" }), let pop = header.firstIndex(of: populationColumn) else {
            throw ScoringFileError(path: populationsPath, line: 1, message: "needs IID and \(populationColumn) columns")
        }
        var populations: [String: String] = [:]
        for row in populationRows.dropFirst() where row.count > max(iid, pop) { populations[row[iid]] = row[pop] }

        let scoreRows = try table(scoresPath)
        guard let h = scoreRows.first, let ci = h.firstIndex(of: "IID"), let cp = h.firstIndex(of: "PGS"), let cs = h.firstIndex(of: "SUM") else {
            throw ScoringFileError(path: scoresPath, line: 1, message: "needs IID, PGS and SUM columns")
        }
        var reference = ReferenceDistribution()
        for (n, row) in scoreRows.enumerated().dropFirst() where row.count > max(ci, cp, cs) {
            guard let population = populations[row[ci]] else { continue }
            guard let sum = Double(row[cs]), sum.isFinite else {
                throw ScoringFileError(path: scoresPath, line: n + 1, message: "SUM '\(row[cs])' is not a number")
            }
            reference.add(score: row[cp], population: population, sum: sum)
        }
        guard !reference.sums.isEmpty else {
            throw ScoringFileError(path: scoresPath, message: "no sample in it has a population in \(populationsPath)")
        }
        reference.finish()
        return reference
    }

    static func table(_ path: String) throws(ScoringFileError) -> [[String]] {
        guard let data = FileManager.default.contents(atPath: path) else { throw ScoringFileError(path: path, message: "cannot be read") }
        var bytes = [UInt8](data)
        if bytes.count >= 2, bytes[0] == 0x1f, bytes[1] == 0x8b {
            do { bytes = try Gzip.decompress(bytes) } catch { throw ScoringFileError(path: path, message: "not a readable gzip file: \(error)") }
        }
        return String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).map {
            $0.split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init)
        }
    }

    /// The Z-score (population SD, ddof 0, as pgsc_calc) and percentile of `sum`, with the reference size.
    public func normalise(_ sum: Double, score: String, population: String) -> Normalised? {
        guard let values = sums[Self.key(score)]?[population], values.count >= 2 else { return nil }
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        guard variance > 0 else { return nil }
        // Percentile: the share of reference sums at or below this one.
        var low = 0
        var high = values.count
        while low < high {
            let mid = (low + high) / 2
            if values[mid] <= sum { low = mid + 1 } else { high = mid }
        }
        return Normalised(
            z: (sum - mean) / variance.squareRoot(), percentile: 100 * Double(low) / Double(values.count), population: population,
            referenceSize: values.count)
    }

    public struct Normalised: Codable, Sendable, Hashable {
        public var z: Double
        public var percentile: Double
        public var population: String
        public var referenceSize: Int

        public init(z: Double, percentile: Double, population: String, referenceSize: Int) {
            self.z = z
            self.percentile = percentile
            self.population = population
            self.referenceSize = referenceSize
        }
    }
}


/// The per-score summary shown with every sum: what was matched, what was left out and why, and the caveats.
public struct ScoreSummary: Codable, Sendable, Hashable {
    public var id: String
    public var name: String?
    public var trait: String?
    public var traitEFO: String?
    public var citation: String?
    public var genomeBuild: String?
    public var harmonised: Bool
    /// Rows in the file, and the variant count the header declares for the full score.
    public var rows: Int
    public var declaredVariants: Int?
    public var matched: Int
    public var matchedFraction: Double
    /// True when the matched fraction is below the minimum overlap (pgsc_calc's 0.75 default).
    public var lowOverlap: Bool
    /// Excluded rows by reason (ambiguous, multiallelic, duplicate_ID, …).
    public var excluded: [String: Int]
    public var unmatched: Int
    public var missingGenotypes: String
    public var warnings: [String]
    public var caveat: String
    /// The reference population sums were normalised against, when one was given.
    public var reference: String?

    public init(scores: CohortScores, index s: Int, reference: String? = nil) {
        let file = scores.scores[s]
        let outcomes = scores.outcomes[s]
        id = file.id
        name = file.name
        trait = file.traitReported
        traitEFO = file.traitEFO
        citation = file.citation
        genomeBuild = file.genomeBuildText
        harmonised = file.harmonised
        rows = outcomes.count
        declaredVariants = file.declaredVariants
        var excluded: [String: Int] = [:]
        var matched = 0
        var unmatched = 0
        for o in outcomes {
            switch o {
            case .matched: matched += 1
            case .excluded(let reason, _): excluded[reason, default: 0] += 1
            case .unmatched: unmatched += 1
            }
        }
        self.matched = matched
        self.excluded = excluded
        self.unmatched = unmatched
        matchedFraction = outcomes.isEmpty ? 0 : Double(matched) / Double(outcomes.count)
        lowOverlap = matchedFraction < scores.options.minimumOverlap
        missingGenotypes = scores.missingGenotypes.rawValue
        var warnings: [String] = []
        if lowOverlap {
            warnings.append(
                "only \(matched) of \(outcomes.count) variants (\(Self.percent(matchedFraction))) matched, below the \(Self.percent(scores.options.minimumOverlap)) minimum: the sum is not a valid \(file.id) score"
            )
        }
        if let declared = file.declaredVariants, declared != outcomes.count {
            warnings.append("the file has \(outcomes.count) of the \(declared) variants its header declares for the full score")
        }
        if file.genomeBuild == nil {
            warnings.append("the score does not state a genome build (\(file.genomeBuildText ?? "none")); positions were assumed to match the VCF's")
        } else if scores.targetBuild.build == .unknown {
            warnings.append("the VCF's build could not be confirmed (\(scores.targetBuild.reason)); the score's positions are \(file.genomeBuildText ?? "")")
        }
        self.warnings = warnings
        caveat = AncestryCaveat.text(scoreID: file.id)
        self.reference = reference
    }

    static func percent(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
}

/// One sample's value for one score.
public struct SampleScore: Codable, Sendable, Hashable {
    public var score: String
    public var sum: Double
    /// Non-missing alleles scored (pgsc_calc's DENOM).
    public var denominator: Int
    /// sum / denominator (pgsc_calc's AVG); nil when nothing was scored.
    public var average: Double?
    public var normalised: ReferenceDistribution.Normalised?

    public init(score: String, sum: Double, denominator: Int, average: Double?, normalised: ReferenceDistribution.Normalised?) {
        self.score = score
        self.sum = sum
        self.denominator = denominator
        self.average = average
        self.normalised = normalised
    }
}

/// A polygenic score stored as one patient's finding, the contract between a scoring analyser and every reader (the
/// risk view). A finding of kind ``kind`` has:
/// - `subject`: the score's PGS Catalog ID (`PGS000001`);
/// - `summary`: one line with the trait, the Z-score and percentile against the named reference population when the
///   sum was normalised, and the match rate;
/// - `label`: the score ID (what a count groups by); `interpretation`: the reported trait;
/// - `evidence`: this type as JSON: the score's summary (match rate, exclusions, warnings, the ancestry caveat,
///   risk-and-care.md §4.5) and the patient's value (sum, denominator, and the normalisation when there is one).
public struct PolygenicScoreFinding: Codable, Sendable, Hashable {
    /// The finding kind of a polygenic score.
    public static let kind = "prs.score"

    public var summary: ScoreSummary
    public var score: SampleScore

    public init(summary: ScoreSummary, score: SampleScore) {
        self.summary = summary
        self.score = score
    }
}

extension CohortScores {
    /// Sample `i`'s values for every score, normalised against `population` when a reference is given.
    public func values(sample i: Int, reference: ReferenceDistribution? = nil, population: String? = nil) -> [SampleScore] {
        scores.indices.map { s in
            let sum = self.sum(sample: i, score: s)
            let denominator = self.denominator(sample: i, score: s)
            let normalised = population.flatMap { reference?.normalise(sum, score: scores[s].id, population: $0) }
            return SampleScore(
                score: scores[s].id, sum: sum, denominator: denominator, average: denominator > 0 ? sum / Double(denominator) : nil,
                normalised: normalised)
        }
    }

    /// The match log: one line per scoring row, as pgsc_calc's `*_log.csv` records it (tab-separated).
    public func matchLog() -> String {
        var lines = ["score\trow\tline\trsID\tchr\tpos\teffect_allele\tother_allele\tweight\tstatus\tdetail\tsite"]
        for (s, file) in scores.enumerated() {
            for v in file.variants {
                let detail: String
                let site: String
                switch outcomes[s][v.row] {
                case .matched(let strategy, let at):
                    detail = strategy.label
                    site = at
                case .excluded(let reason, let at):
                    detail = reason
                    site = at ?? ""
                case .unmatched:
                    detail = "no record with these alleles at this position"
                    site = ""
                }
                lines.append(
                    [
                        file.id, String(v.row), String(v.line), v.rsID ?? "", v.chromosome ?? "", v.position.map(String.init) ?? "", v.effectAllele,
                        v.otherAllele ?? "", String(v.weight), outcomes[s][v.row].label, detail, site,
                    ].joined(separator: "\t"))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
