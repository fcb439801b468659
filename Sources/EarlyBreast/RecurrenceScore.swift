import Foundation

// The 21-gene recurrence score (Paik S et al., N Engl J Med 2004;351:2817–2826) from reference-normalised RT-PCR
// expression: four group scores, the unscaled score RSu, and RS = clamp(20·(RSu − 6.7), 0, 100). Source of truth:
// docs/domain/oncology.md §5.1 and ../shared/data/oncotype_rs/{rs21_genes.tsv, rs21_formula.json}, cross-checked there
// against bhklab/genefu R/oncotypedx.R (commit 0bd3ebca), which implements the same formula. The weights are a handful
// of published constants, so they live here (as the Risk module does for CKD-EPI) rather than in a knowledge pack.
//
// "Oncotype DX" and "Recurrence Score" are trademarks of Exact Sciences; the commercial assay's RT-PCR normalisation is
// proprietary. This is the published algorithm applied to values the user has already normalised; from RNA-seq or
// arrays it is a research approximation only.

/// The 21 genes of the assay: 16 cancer genes in five groups and 5 reference (normalisation) genes. Raw values are the
/// assay names of `rs21_genes.tsv`.
public enum RecurrenceScoreGene: String, Codable, Sendable, Hashable, CaseIterable {
    case grb7 = "GRB7", her2 = "HER2"
    case er = "ER", pgr = "PGR", bcl2 = "BCL2", scube2 = "SCUBE2"
    case ki67 = "Ki67", stk15 = "STK15", survivin = "Survivin", ccnb1 = "CCNB1", mybl2 = "MYBL2"
    case stromelysin3 = "Stromelysin3", ctsl2 = "CTSL2"
    case cd68 = "CD68", gstm1 = "GSTM1", bag1 = "BAG1"
    case actb = "ACTB", gapdh = "GAPDH", rplpo = "RPLPO", gus = "GUS", tfrc = "TFRC"

    /// The group a gene scores in (`rs21_genes.tsv` column `group`).
    public enum Group: String, Codable, Sendable, Hashable, CaseIterable {
        case her2 = "HER2", estrogen = "ESTROGEN", proliferation = "PROLIFERATION", invasion = "INVASION", single = "SINGLE"
        case reference = "REFERENCE"
    }

    /// The 16 genes the score is computed from; every one must be present.
    public static let cancerGenes: [RecurrenceScoreGene] = allCases.filter { $0.group != .reference }
    /// The 5 genes expression is normalised to (ACTB, GAPDH, GUS, RPLPO, TFRC); not used once values are normalised.
    public static let referenceGenes: [RecurrenceScoreGene] = allCases.filter { $0.group == .reference }

    /// HGNC symbol (`rs21_genes.tsv`; verified there against HGNC: CTSL2 is now CTSV, Stromelysin-3 is MMP11).
    public var hgncSymbol: String {
        switch self {
        case .grb7: "GRB7"
        case .her2: "ERBB2"
        case .er: "ESR1"
        case .pgr: "PGR"
        case .bcl2: "BCL2"
        case .scube2: "SCUBE2"
        case .ki67: "MKI67"
        case .stk15: "AURKA"
        case .survivin: "BIRC5"
        case .ccnb1: "CCNB1"
        case .mybl2: "MYBL2"
        case .stromelysin3: "MMP11"
        case .ctsl2: "CTSV"
        case .cd68: "CD68"
        case .gstm1: "GSTM1"
        case .bag1: "BAG1"
        case .actb: "ACTB"
        case .gapdh: "GAPDH"
        case .rplpo: "RPLP0"
        case .gus: "GUSB"
        case .tfrc: "TFRC"
        }
    }

    /// Entrez Gene id (`rs21_genes.tsv`).
    public var entrezID: Int {
        switch self {
        case .grb7: 2886
        case .her2: 2064
        case .er: 2099
        case .pgr: 5241
        case .bcl2: 596
        case .scube2: 57758
        case .ki67: 4288
        case .stk15: 6790
        case .survivin: 332
        case .ccnb1: 891
        case .mybl2: 4605
        case .stromelysin3: 4320
        case .ctsl2: 1515
        case .cd68: 968
        case .gstm1: 2944
        case .bag1: 573
        case .actb: 60
        case .gapdh: 2597
        case .rplpo: 6175
        case .gus: 2990
        case .tfrc: 7037
        }
    }

    public var group: Group {
        switch self {
        case .grb7, .her2: .her2
        case .er, .pgr, .bcl2, .scube2: .estrogen
        case .ki67, .stk15, .survivin, .ccnb1, .mybl2: .proliferation
        case .stromelysin3, .ctsl2: .invasion
        case .cd68, .gstm1, .bag1: .single
        case .actb, .gapdh, .rplpo, .gus, .tfrc: .reference
        }
    }

    /// Within-group weight (`rs21_genes.tsv` column `within_group_weight`): for SINGLE genes the coefficient with which
    /// the gene enters RSu directly; nil for reference genes.
    public var weight: Double? {
        switch self {
        case .grb7: 0.9
        case .her2: 0.1
        case .er: 0.8
        case .pgr: 1.2
        case .bcl2, .scube2, .ki67, .stk15, .survivin, .ccnb1, .mybl2, .stromelysin3, .ctsl2: 1.0
        case .cd68: 0.05
        case .gstm1: -0.08
        case .bag1: -0.07
        case .actb, .gapdh, .rplpo, .gus, .tfrc: nil
        }
    }

    /// "HER2 (ERBB2)": the assay name with the HGNC symbol when they differ, as error messages name a gene.
    public var displayName: String { rawValue == hgncSymbol ? rawValue : "\(rawValue) (\(hgncSymbol))" }

    /// Finds a gene by assay name, HGNC symbol or a common alias, ignoring case, spaces, dashes and underscores
    /// ("Stromelysin-3", "STMY3" as rs21_formula.json writes it, "MMP11", "CTSL2", "CTSV", "Cyclin B1", "RPLP0").
    public init?(name: String) {
        let key = Self.key(name)
        guard let gene = Self.byKey[key] else { return nil }
        self = gene
    }

    static func key(_ name: String) -> String {
        String(name.lowercased().filter { !" -_.".contains($0) })
    }

    private static let byKey: [String: RecurrenceScoreGene] = {
        var map: [String: RecurrenceScoreGene] = [:]
        for gene in allCases {
            map[key(gene.rawValue)] = gene
            map[key(gene.hgncSymbol)] = gene
        }
        let aliases: [(String, RecurrenceScoreGene)] = [
            ("STMY3", .stromelysin3), ("Stromelysin", .stromelysin3), ("CTSL2", .ctsl2), ("Cathepsin L2", .ctsl2),
            ("Cyclin B1", .ccnb1), ("ERBB2", .her2), ("AURKA", .stk15), ("BIRC5", .survivin),
            ("Beta-actin", .actb), ("RPLP0", .rplpo), ("GUSB", .gus), ("CTSV", .ctsl2),
        ]
        for (alias, gene) in aliases { map[key(alias)] = gene }
        return map
    }()
}

extension RecurrenceScoreGene: CodingKeyRepresentable {}

/// Reference-normalised expression values for the assay genes (0–15 scale, +1 unit ≈ 2-fold RNA: oncology.md §5.1).
public struct RecurrenceScoreExpression: Codable, Sendable, Hashable {
    public static let modelName = "21-gene recurrence score"
    /// The scale the published algorithm expects (oncology.md §5.1, rs21_formula.json `expression_units`).
    public static let scale: ClosedRange<Double> = 0...15

    public private(set) var values: [RecurrenceScoreGene: Double]
    /// Names in the table that are not assay genes (a whole-transcriptome table has thousands); kept only so a report
    /// can say how many were ignored.
    public private(set) var ignoredNames: [String]

    public init(values: [RecurrenceScoreGene: Double], ignoredNames: [String] = []) {
        self.values = values
        self.ignoredNames = ignoredNames
    }

    /// From gene names (assay names, HGNC symbols or aliases) to values, as a JSON input gives them.
    ///
    /// - Throws: when two names denote the same gene.
    public init(named: [String: Double]) throws(BreastInputError) {
        var values: [RecurrenceScoreGene: Double] = [:]
        var ignored: [String] = []
        var seen: [RecurrenceScoreGene: String] = [:]
        for name in named.keys.sorted() {
            guard let gene = RecurrenceScoreGene(name: name) else {
                ignored.append(name)
                continue
            }
            if let first = seen[gene] {
                throw BreastInputError(
                    model: Self.modelName, field: "expression", problem: .invalid("'\(first)' and '\(name)' are both \(gene.displayName)"))
            }
            seen[gene] = name
            values[gene] = named[name]
        }
        self.init(values: values, ignoredNames: ignored)
    }

    /// Parses a two-column expression table: gene name, then value, separated by a tab, a comma or spaces. Lines
    /// starting with `#` are comments; a first line whose value is not a number is a header.
    ///
    /// - Throws: a value that is not a number (naming the line), or a gene given twice.
    public static func parse(_ text: String, source: String = "expression") throws(BreastInputError) -> RecurrenceScoreExpression {
        var named: [String: Double] = [:]
        var order: [String] = []
        var firstDataLine = true
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }
            let parts = fields.count >= 2 ? fields : line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard parts.count >= 2 else {
                throw BreastInputError(
                    model: modelName, field: source, problem: .invalid("line \(index + 1): expected a gene and a value, found '\(line)'"))
            }
            let name = parts[0]
            guard let value = Double(parts[1]) else {
                if firstDataLine {  // a header such as "gene<TAB>value"
                    firstDataLine = false
                    continue
                }
                throw BreastInputError(
                    model: modelName, field: source, problem: .invalid("line \(index + 1): '\(parts[1])' for \(name) is not a number"))
            }
            firstDataLine = false
            if named[name] != nil {
                throw BreastInputError(model: modelName, field: source, problem: .invalid("line \(index + 1): \(name) appears twice"))
            }
            named[name] = value
            order.append(name)
        }
        return try RecurrenceScoreExpression(named: named)
    }

    /// The cancer genes the table lacks, in assay order.
    public var missingGenes: [RecurrenceScoreGene] { RecurrenceScoreGene.cancerGenes.filter { values[$0] == nil } }
}

/// Risk groups for a recurrence score (oncology.md §5.1; rs21_formula.json).
public enum RecurrenceScoreRiskGroup: String, Codable, Sendable, Hashable {
    case low, intermediate, high
}

/// How a recurrence score came to be.
public enum RecurrenceScoreSource: String, Codable, Sendable, Hashable {
    /// Computed here from normalised expression.
    case computed
    /// Reported by the laboratory and supplied by the user.
    case supplied
}

/// The four group scores after their floors (HER2 ≥ 8, proliferation ≥ 6.5).
public struct RecurrenceScoreGroupScores: Codable, Sendable, Hashable {
    public var her2: Double
    public var estrogen: Double
    public var proliferation: Double
    public var invasion: Double
}

/// A recurrence score, computed or supplied, with its risk groups.
public struct RecurrenceScoreResult: Codable, Sendable, Hashable {
    public var model: BreastModelInfo
    public var source: RecurrenceScoreSource
    /// Group scores (computed scores only).
    public var groupScores: RecurrenceScoreGroupScores?
    /// RSu, the unscaled score (computed scores only).
    public var unscaled: Double?
    /// RS on 0–100 before rounding.
    public var score: Double
    /// RS as the assay reports it: a whole number (rounded half away from zero). The decision rules use this.
    public var reportedScore: Int
    /// Paik 2004: low < 18, intermediate 18–30, high ≥ 31.
    public var paik2004: RecurrenceScoreRiskGroup
    /// TAILORx 2018: low 0–10, intermediate 11–25, high 26–100.
    public var tailorx: RecurrenceScoreRiskGroup
    public var warnings: [String]
}

/// The published 21-gene algorithm.
public enum RecurrenceScore {
    public static let info = BreastModelInfo(
        id: "rs21-paik-2004", name: "21-gene recurrence score algorithm (Paik 2004), re-implemented",
        citation: "Paik S et al. A multigene assay to predict recurrence of tamoxifen-treated, node-negative breast cancer. "
            + "N Engl J Med 2004;351:2817–2826. Formula cross-checked against bhklab/genefu R/oncotypedx.R (commit 0bd3ebca)",
        population: "HR-positive, HER2-negative early invasive breast cancer (the population of the TAILORx and RxPONDER decision rules)",
        knowledge: "built-in published constants (oncology.md §5.1; ../shared/data/oncotype_rs)",
        attribution: "\"Oncotype DX\" and \"Recurrence Score\" are trademarks of Exact Sciences; this is not the commercial assay.",
        provisional: false)

    /// Always shown with a computed score: the assay's normalisation is proprietary (oncology.md §5.1 caveat).
    public static let approximationWarning =
        "Research approximation: computed with the published Paik 2004 algorithm from values normalised outside the commercial "
        + "assay, whose RT-PCR normalisation is proprietary; from RNA-seq or microarray data the score is only an approximation "
        + "and must not replace a laboratory result."

    // Coefficients (Paik 2004; rs21_formula.json).
    static let her2Floor = 8.0
    static let proliferationFloor = 6.5
    static let rsuHER2 = 0.47
    static let rsuEstrogen = -0.34
    static let rsuProliferation = 1.04
    static let rsuInvasion = 0.10
    static let rsuCD68 = 0.05
    static let rsuGSTM1 = -0.08
    static let rsuBAG1 = -0.07
    /// RS = 20 · (RSu − 6.7), clamped to 0–100.
    static let scaleFactor = 20.0
    static let scaleOffset = 6.7

    /// Computes RS from normalised expression.
    ///
    /// - Throws: ``BreastInputError/Problem/missingGenes(_:)`` naming every absent cancer gene (no score from partial
    ///   data); ``BreastInputError/Problem/implausible(value:accepted:unit:)`` for a value outside the 0–15 scale.
    public static func compute(_ expression: RecurrenceScoreExpression) throws(BreastInputError) -> RecurrenceScoreResult {
        let missing = expression.missingGenes
        guard missing.isEmpty else {
            throw BreastInputError(
                model: RecurrenceScoreExpression.modelName, field: "expression", problem: .missingGenes(missing.map(\.displayName)),
                hint: "all 16 cancer genes are needed; reference genes are not, as values must already be reference-normalised")
        }
        var x: [RecurrenceScoreGene: Double] = [:]
        for gene in RecurrenceScoreGene.cancerGenes {
            x[gene] = try BreastCheck.accepted(
                expression.values[gene]!, gene.displayName, RecurrenceScoreExpression.scale, unit: "", model: RecurrenceScoreExpression.modelName,
                hint: "reference-normalised expression on the 0–15 scale of Paik 2004, +1 unit ≈ 2-fold RNA")
        }
        func v(_ gene: RecurrenceScoreGene) -> Double { x[gene]! }
        let groups = RecurrenceScoreGroupScores(
            her2: max(her2Floor, 0.9 * v(.grb7) + 0.1 * v(.her2)),
            estrogen: (0.8 * v(.er) + 1.2 * v(.pgr) + v(.bcl2) + v(.scube2)) / 4,
            proliferation: max(proliferationFloor, (v(.survivin) + v(.ki67) + v(.mybl2) + v(.ccnb1) + v(.stk15)) / 5),
            invasion: (v(.ctsl2) + v(.stromelysin3)) / 2)
        let rsu = rsuHER2 * groups.her2 + rsuEstrogen * groups.estrogen + rsuProliferation * groups.proliferation
            + rsuInvasion * groups.invasion + rsuCD68 * v(.cd68) + rsuGSTM1 * v(.gstm1) + rsuBAG1 * v(.bag1)
        let score = min(100, max(0, scaleFactor * (rsu - scaleOffset)))
        var warnings = [approximationWarning]
        if !expression.ignoredNames.isEmpty {
            warnings.append("\(expression.ignoredNames.count) name(s) in the table are not assay genes and were ignored")
        }
        return result(score: score, source: .computed, groups: groups, unscaled: rsu, warnings: warnings)
    }

    /// Wraps a laboratory-reported score.
    ///
    /// - Throws: when the score is outside 0–100.
    public static func supplied(_ score: Double) throws(BreastInputError) -> RecurrenceScoreResult {
        let value = try BreastCheck.accepted(score, "score", 0...100, unit: "", model: RecurrenceScoreExpression.modelName, hint: nil)
        var warnings: [String] = []
        if value != value.rounded() { warnings.append("the assay reports whole numbers; \(BreastFormat.number(value)) was rounded for the decision rules") }
        return result(score: value, source: .supplied, groups: nil, unscaled: nil, warnings: warnings)
    }

    static func result(
        score: Double, source: RecurrenceScoreSource, groups: RecurrenceScoreGroupScores?, unscaled: Double?, warnings: [String]
    ) -> RecurrenceScoreResult {
        let reported = Int(score.rounded(.toNearestOrAwayFromZero))
        return RecurrenceScoreResult(
            model: info, source: source, groupScores: groups, unscaled: unscaled, score: score, reportedScore: reported,
            paik2004: paik2004Group(reported), tailorx: tailorxGroup(reported), warnings: warnings)
    }

    /// Paik 2004 risk groups: low < 18, intermediate 18–30, high ≥ 31.
    public static func paik2004Group(_ score: Int) -> RecurrenceScoreRiskGroup {
        score < 18 ? .low : (score < 31 ? .intermediate : .high)
    }

    /// TAILORx 2018 risk groups: low 0–10, intermediate 11–25, high 26–100.
    public static func tailorxGroup(_ score: Int) -> RecurrenceScoreRiskGroup {
        score <= 10 ? .low : (score <= 25 ? .intermediate : .high)
    }
}
