import Foundation
public import GenomicFiles
public import VCF

/// How a missing genotype enters a sum.
public enum MissingGenotypes: String, Codable, Sendable, Hashable {
    /// The expected dosage from the effect allele's frequency in the scored cohort (plink2's default).
    case meanImputation = "mean-imputation"
    /// Nothing: the variant is left out of that sample's sum and denominator (plink2's `no-mean-imputation`).
    case skip = "no-mean-imputation"

    /// pgsc_calc's rule: mean imputation needs frequencies, which fewer than 50 samples cannot give reliably.
    public static func pgscCalcDefault(sampleCount: Int) -> MissingGenotypes { sampleCount < 50 ? .skip : .meanImputation }
}

/// What happened to one scoring row.
public enum RowOutcome: Sendable, Hashable {
    /// Scored, from the record at `site` (e.g. `22:17080378 G>A`), by `strategy`.
    case matched(strategy: MatchStrategy, site: String)
    /// A target record was found but the row is not scored, with pgsc_calc's reason label
    /// (ambiguous, multiallelic, strand_flip, duplicate_best_match, duplicate_ID) or the parse-time reason.
    case excluded(reason: String, site: String?)
    /// No target record at the row's position with its alleles.
    case unmatched

    public var label: String {
        switch self {
        case .matched: return "matched"
        case .excluded: return "excluded"
        case .unmatched: return "unmatched"
        }
    }
}

/// Why scoring stopped.
public struct ScoringError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The sums of one or more scores over every sample of one VCF, read in one pass.
public struct CohortScores: Sendable {
    public var samples: [String]
    public var scores: [ScoringFile]
    /// `sums[sample * scores.count + score]`.
    public var sums: [Double]
    /// Non-missing alleles entering each sum (plink2's ALLELE_CT, pgsc_calc's DENOM).
    public var alleleCounts: [Int32]
    /// Per score, per row of its file: what happened to that row.
    public var outcomes: [[RowOutcome]]
    public var missingGenotypes: MissingGenotypes
    public var options: MatchOptions
    /// The target file's build and why.
    public var targetBuild: GenomeBuildEvidence
    /// Records read.
    public var records: Int

    public func sum(sample: Int, score: Int) -> Double { sums[sample * scores.count + score] }
    public func denominator(sample: Int, score: Int) -> Int { Int(alleleCounts[sample * scores.count + score]) }

    /// Matched rows of score `s` over all its rows.
    public func matchedFraction(score s: Int) -> Double {
        let rows = outcomes[s]
        guard !rows.isEmpty else { return 0 }
        return Double(rows.lazy.filter { if case .matched = $0 { return true } else { return false } }.count) / Double(rows.count)
    }
}

/// Scores a cohort VCF against PGS Catalog scoring files the way pgsc_calc does (pgscatalog-match, then plink2
/// `--score`), in one streaming pass with no conversion step: match each row to a record by position and alleles,
/// then add weight × effect-allele dosage to every sample's sum.
///
/// Records at one position (a split multi-allelic site) must be adjacent, as in any position-sorted VCF; a
/// position met twice far apart is refused rather than scored twice.
public struct PolygenicScorer: Sendable {
    public let scores: [ScoringFile]
    public let options: MatchOptions
    /// Site → the (score, row) pairs placed there.
    let sites: [SiteKey: [RowRef]]
    /// Positions alone, checked first so records at other positions cost no string work.
    let positions: Set<Int>

    struct SiteKey: Hashable, Sendable {
        var contig: String
        var position: Int
    }

    struct RowRef: Hashable, Sendable {
        var score: Int32
        var row: Int32
    }

    public init(scores: [ScoringFile], options: MatchOptions = MatchOptions()) {
        self.scores = scores
        self.options = options
        var sites: [SiteKey: [RowRef]] = [:]
        var positions = Set<Int>()
        for (s, file) in scores.enumerated() {
            for v in file.variants where v.unusable == nil {
                guard let chromosome = v.chromosome, let position = v.position else { continue }
                sites[SiteKey(contig: chromosome, position: position), default: []].append(RowRef(score: Int32(s), row: Int32(v.row)))
                positions.insert(position)
            }
        }
        self.sites = sites
        self.positions = positions
    }

    /// Refuses a target whose build is known and differs from a score's declared build.
    public func checkBuilds(target: GenomeBuildEvidence) throws(ScoringError) {
        guard target.build != .unknown else { return }
        for file in scores {
            if let build = file.genomeBuild, build != target.build {
                throw ScoringError(
                    "\(file.path): the score's positions are \(build.rawValue) but the VCF is \(target.build.rawValue) (\(target.reason)); "
                        + "use the score's harmonised file for \(target.build.rawValue) (PGS Catalog *_hmPOS_\(target.build.rawValue).txt.gz)")
            }
        }
    }

    /// Reads `vcf` once and returns every sample's sums.
    ///
    /// - Parameter missing: nil chooses pgsc_calc's default for the cohort size.
    public func score(_ vcf: VCFFile, missing: MissingGenotypes? = nil) async throws -> CohortScores {
        let header = vcf.header
        let evidence = GenomeBuild.recognise(
            contigs: header.contigs, reference: header.metaLines.first { $0.key == "reference" }?.value)
        try checkBuilds(target: evidence)
        let sampleCount = header.samples.count
        guard sampleCount > 0 else { throw ScoringError("\(vcf.path): the VCF has no samples (no genotype columns) to score") }
        let mode = missing ?? .pgscCalcDefault(sampleCount: sampleCount)
        let context = Context(scorer: self, sampleCount: sampleCount, mode: mode)

        // Each batch scores its own records; batches are folded in file order, joining the position groups
        // that straddle a batch boundary.
        let (folded, _) = try await vcf.scan(initial: Partial(samples: sampleCount, scores: scores.count)) { (part, view) throws(VCFError) in
            try context.visit(view, into: &part)
        } merge: { total, part in
            context.fold(part, into: &total)
        }
        var total = folded
        if let head = total.head {
            total.head = nil
            context.commit(head, into: &total)
        }
        if let pending = total.current {
            total.current = nil
            context.commit(pending, into: &total)
        }

        var outcomes = scores.map { [RowOutcome](repeating: .unmatched, count: $0.variants.count) }
        var seen = scores.map { [Bool](repeating: false, count: $0.variants.count) }
        for (s, file) in scores.enumerated() {
            for v in file.variants where v.unusable != nil { outcomes[s][v.row] = .excluded(reason: v.unusable!, site: nil) }
        }
        for (ref, outcome) in total.outcomes {
            let s = Int(ref.score)
            let r = Int(ref.row)
            if seen[s][r] {
                throw ScoringError(
                    "\(vcf.path): records at \(scores[s].variants[r].chromosome ?? "?"):\(scores[s].variants[r].position ?? 0) are not adjacent; sort the VCF by position (bcftools sort) and score again"
                )
            }
            seen[s][r] = true
            outcomes[s][r] = outcome
        }
        return CohortScores(
            samples: header.samples, scores: scores, sums: total.sums, alleleCounts: total.alleles, outcomes: outcomes, missingGenotypes: mode,
            options: options, targetBuild: evidence, records: total.records)
    }

    // MARK: - One pass

    /// The records at one position with the rows placed there and, per candidate, the samples' allele counts.
    struct Group: Sendable {
        var key: SiteKey
        /// One entry per (record, row, candidate).
        var entries: [Entry] = []
        /// Records seen in this group (so entries from two records can be told apart).
        var records = 0
    }

    struct Entry: Sendable {
        var ref: RowRef
        var candidate: Candidate
        var record: Int
        var site: String
        /// Index into the group's counts storage.
        var counts: [Int8]
    }

    struct Partial: Sendable {
        var sums: [Double]
        var alleles: [Int32]
        var outcomes: [(RowRef, RowOutcome)] = []
        /// The first position group of a batch that saw more than one: it may continue the previous batch's last.
        var head: Group?
        var headTaken = false
        var current: Group?
        var records = 0

        init(samples: Int, scores: Int) {
            sums = [Double](repeating: 0, count: samples * scores)
            alleles = [Int32](repeating: 0, count: samples * scores)
        }
    }

    struct Context: Sendable {
        let sites: [SiteKey: [RowRef]]
        let positions: Set<Int>
        let scoreCount: Int
        let sampleCount: Int
        let options: MatchOptions
        let mode: MissingGenotypes
        let weights: [[Double]]
        let types: [[EffectType]]
        /// Scoring rows' alleles, for matching.
        let alleles: [[Alleles]]

        struct Alleles: Sendable {
            var effect: String
            var other: String?
            var effectFlip: String
            var otherFlip: String?

            init(effect: String, other: String?) {
                self.effect = effect
                self.other = other
                effectFlip = AlleleMatch.complement(effect)
                otherFlip = other.map(AlleleMatch.complement)
            }
        }

        init(scorer: PolygenicScorer, sampleCount: Int, mode: MissingGenotypes) {
            sites = scorer.sites
            positions = scorer.positions
            scoreCount = scorer.scores.count
            self.sampleCount = sampleCount
            options = scorer.options
            self.mode = mode
            weights = scorer.scores.map { $0.variants.map(\.weight) }
            types = scorer.scores.map { $0.variants.map(\.effectType) }
            alleles = scorer.scores.map { $0.variants.map { Alleles(effect: $0.effectAllele, other: $0.otherAllele) } }
        }

        /// Adds a batch's result to the running total (batches arrive in file order).
        func fold(_ part: Partial, into total: inout Partial) {
            // The scanner visits a line that straddles two batches directly into the total, so the total can hold a
            // finished head group of its own: complete (a later position followed it), so it is committed now.
            if let head = total.head {
                total.head = nil
                commit(head, into: &total)
            }
            for i in 0..<total.sums.count { total.sums[i] += part.sums[i] }
            for i in 0..<total.alleles.count { total.alleles[i] += part.alleles[i] }
            total.outcomes.append(contentsOf: part.outcomes)
            total.records += part.records
            if let head = part.head {
                let joined = join(total.current, head, into: &total)
                commit(joined, into: &total)
                total.current = part.current
            } else if let current = part.current {
                total.current = join(total.current, current, into: &total)
            }
        }

        func visit(_ view: VCFRecordView, into part: inout Partial) throws(VCFError) {
            part.records += 1
            guard positions.contains(view.position) else { return }
            let key = SiteKey(contig: ContigName.canonical(view.chrom), position: view.position)
            guard let refs = sites[key] else { return }
            if part.current?.key != key {
                if let done = part.current {
                    if !part.headTaken {
                        part.head = done
                        part.headTaken = true
                    } else {
                        commit(done, into: &part)
                    }
                }
                part.current = Group(key: key)
            }
            let ref = view.ref.uppercased()
            let alts = view.alts.map { $0.uppercased() }
            let record = part.current!.records
            part.current!.records += 1
            let site = "\(view.chrom):\(view.position) \(ref)>\(alts.joined(separator: ","))"
            var countsByAllele: [Int: [Int8]] = [:]
            for r in refs {
                let row = alleles[Int(r.score)][Int(r.row)]
                for candidate in AlleleMatch.candidates(
                    effect: row.effect, other: row.other, effectFlip: row.effectFlip, otherFlip: row.otherFlip, ref: ref, alts: alts) {
                    var counts: [Int8] = []
                    if AlleleMatch.exclusion(candidate, options: options) == nil {
                        if let known = countsByAllele[candidate.alleleIndex] {
                            counts = known
                        } else {
                            try view.alleleCounts(of: candidate.alleleIndex, sampleCount: sampleCount, into: &counts)
                            countsByAllele[candidate.alleleIndex] = counts
                        }
                    }
                    part.current!.entries.append(Entry(ref: r, candidate: candidate, record: record, site: site, counts: counts))
                }
            }
        }

        /// Joins `next` to `pending` when they are the same position; otherwise commits `pending` first.
        func join(_ pending: Group?, _ next: Group, into part: inout Partial) -> Group {
            guard var pending else { return next }
            guard pending.key == next.key else {
                commit(pending, into: &part)
                return next
            }
            for var e in next.entries {
                e.record += pending.records
                pending.entries.append(e)
            }
            pending.records += next.records
            return pending
        }

        /// Decides each row of a position group (best usable candidate; ties and shared targets dropped, as
        /// pgscatalog-match does) and adds the winners to the sums.
        func commit(_ group: Group, into part: inout Partial) {
            var byRow: [RowRef: [Entry]] = [:]
            var order: [RowRef] = []
            for e in group.entries {
                if byRow[e.ref] == nil { order.append(e.ref) }
                byRow[e.ref, default: []].append(e)
            }
            var chosen: [RowRef: Entry] = [:]
            for ref in order {
                let entries = byRow[ref]!
                let usable = entries.filter { AlleleMatch.exclusion($0.candidate, options: options) == nil }
                guard let best = usable.first.map({ first in usable.reduce(first) { $1.candidate.strategy < $0.candidate.strategy ? $1 : $0 } })
                else {
                    let reason = entries.compactMap { AlleleMatch.exclusion($0.candidate, options: options) }.first ?? "no usable match"
                    part.outcomes.append((ref, .excluded(reason: reason, site: entries.first?.site)))
                    continue
                }
                let ties = usable.filter { $0.candidate.strategy == best.candidate.strategy }
                if ties.count > 1 {
                    part.outcomes.append((ref, .excluded(reason: "duplicate_best_match", site: best.site)))
                    continue
                }
                chosen[ref] = best
            }
            // Several rows of one score on the same target allele: plink2 could not tell them apart, so none is used.
            var targets: [String: [RowRef]] = [:]
            for (ref, e) in chosen { targets["\(ref.score) \(e.record) \(e.candidate.alleleIndex)", default: []].append(ref) }
            for (_, refs) in targets where refs.count > 1 {
                for ref in refs {
                    part.outcomes.append((ref, .excluded(reason: "duplicate_ID", site: chosen[ref]!.site)))
                    chosen[ref] = nil
                }
            }
            for ref in order {
                guard let e = chosen[ref] else { continue }
                add(e, into: &part)
                part.outcomes.append((ref, .matched(strategy: e.candidate.strategy, site: e.site)))
            }
        }

        /// weight × transformed dosage into every sample's sum; missing calls imputed or skipped.
        ///
        /// The value and the allele count each possible count adds are tabulated first, so the loop over samples
        /// (the hot path: samples × variants iterations) is two table reads and two additions, with no branches.
        func add(_ e: Entry, into part: inout Partial) {
            let s = Int(e.ref.score)
            let weight = weights[s][Int(e.ref.row)]
            let type = types[s][Int(e.ref.row)]
            let stride = scoreCount
            var imputed = 0.0
            if mode == .meanImputation {
                var copies = 0
                var called = 0
                e.counts.withUnsafeBufferPointer { counts in
                    for c in counts where c >= 0 {
                        copies += Int(c)
                        called += 1
                    }
                }
                imputed = called == 0 ? 0 : weight * type.expected(frequency: Double(copies) / Double(2 * called))
            }
            // Index k = count + 1: k 0 is a missing call, k 1…7 are 0…6 copies (allele counts are capped at 6).
            var values = [Double](repeating: 0, count: 8)
            var alleleTable = [Int32](repeating: 2, count: 8)
            values[0] = imputed
            alleleTable[0] = 0
            for k in 1..<8 { values[k] = weight * type.transform(k - 1) }
            values.withUnsafeBufferPointer { values in
                alleleTable.withUnsafeBufferPointer { alleleTable in
                    e.counts.withUnsafeBufferPointer { counts in
                        part.sums.withUnsafeMutableBufferPointer { sums in
                            part.alleles.withUnsafeMutableBufferPointer { alleles in
                                var index = s
                                for i in 0..<counts.count {
                                    let k = Int(counts[i]) &+ 1
                                    sums[index] += values[k]
                                    alleles[index] &+= alleleTable[k]
                                    index &+= stride
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
