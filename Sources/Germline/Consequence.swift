/// A variant consequence as a Sequence Ontology term, ranked by severity.
///
/// **Severity order.** VEP's documented order of consequence severity ("Calculated variant consequences", Ensembl
/// VEP documentation: the table is listed most to least severe). ``ranked`` below is that order; index 0 is the most
/// severe. VEP and SnpEff both write SO terms joined with `&` when one transcript has several consequences; the most
/// severe term of each entry and then of all entries of a gene is used. SnpEff's own names are mapped to the SO term
/// VEP would use (``snpEffSynonyms``). An unknown term ranks below every known one and scores 0.
///
/// **Default pathogenicity.** Exomiser's variant-effect defaults (no REVEL/CADD available offline): frameshift,
/// stop-gained, splice donor/acceptor, start-lost, stop-lost 1.0; in-frame indel 0.85; splice region 0.8;
/// missense 0.6; synonymous 0.1; everything else 0. Transcript ablation is a whole-transcript deletion and is
/// scored as a loss of function (1.0).
public struct Consequence: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The SO term as written (after SnpEff synonym mapping).
    public var term: String

    public init(_ term: String) { self.term = Self.snpEffSynonyms[term] ?? term }

    /// VEP's severity order, most severe first.
    public static let ranked: [String] = [
        "transcript_ablation", "splice_acceptor_variant", "splice_donor_variant", "stop_gained", "frameshift_variant", "stop_lost",
        "start_lost", "transcript_amplification", "feature_elongation", "feature_truncation", "inframe_insertion", "inframe_deletion",
        "missense_variant", "protein_altering_variant", "splice_donor_5th_base_variant", "splice_region_variant",
        "splice_donor_region_variant", "splice_polypyrimidine_tract_variant", "incomplete_terminal_codon_variant",
        "start_retained_variant", "stop_retained_variant", "synonymous_variant", "coding_sequence_variant", "mature_miRNA_variant",
        "5_prime_UTR_variant", "3_prime_UTR_variant", "non_coding_transcript_exon_variant", "intron_variant", "NMD_transcript_variant",
        "non_coding_transcript_variant", "coding_transcript_variant", "upstream_gene_variant", "downstream_gene_variant",
        "TFBS_ablation", "TFBS_amplification", "TF_binding_site_variant", "regulatory_region_ablation",
        "regulatory_region_amplification", "regulatory_region_variant", "intergenic_variant", "sequence_variant",
    ]
    static let rankIndex: [String: Int] = Dictionary(uniqueKeysWithValues: ranked.enumerated().map { ($1, $0) })

    /// SnpEff names that differ from VEP's SO terms.
    static let snpEffSynonyms: [String: String] = [
        "exon_loss_variant": "transcript_ablation",
        "disruptive_inframe_deletion": "inframe_deletion", "conservative_inframe_deletion": "inframe_deletion",
        "disruptive_inframe_insertion": "inframe_insertion", "conservative_inframe_insertion": "inframe_insertion",
        "5_prime_UTR_premature_start_codon_gain_variant": "5_prime_UTR_variant",
        "initiator_codon_variant": "start_retained_variant", "intergenic_region": "intergenic_variant",
        "non_coding_exon_variant": "non_coding_transcript_exon_variant", "intragenic_variant": "non_coding_transcript_variant",
        "5_prime_UTR_truncation": "5_prime_UTR_variant", "3_prime_UTR_truncation": "3_prime_UTR_variant",
    ]

    /// Position in ``ranked`` (unknown terms after all known ones).
    public var severityRank: Int { Self.rankIndex[term] ?? Self.ranked.count }

    public static func < (a: Consequence, b: Consequence) -> Bool { a.severityRank > b.severityRank }

    /// The most severe of `&`-joined terms, e.g. `splice_region_variant&intron_variant`.
    public static func mostSevere(of joined: some StringProtocol) -> Consequence? {
        joined.split(separator: "&").map { Consequence(String($0)) }.min { $0.severityRank < $1.severityRank }
    }

    /// Exomiser-style default pathogenicity for this effect (see the type's documentation).
    public var defaultPathogenicity: Double {
        switch term {
        case "transcript_ablation", "frameshift_variant", "stop_gained", "splice_donor_variant", "splice_acceptor_variant", "start_lost",
            "stop_lost":
            return 1.0
        case "inframe_insertion", "inframe_deletion", "protein_altering_variant", "feature_elongation", "feature_truncation": return 0.85
        case "splice_region_variant", "splice_donor_5th_base_variant", "splice_donor_region_variant": return 0.8
        case "missense_variant": return 0.6
        case "synonymous_variant": return 0.1
        default: return 0
        }
    }

    /// Truncating (predicted loss of function by premature end or broken splicing): stop-gained, frameshift,
    /// canonical splice donor/acceptor, whole-transcript ablation. Used for the ACMG SF TTN rule; start-lost and
    /// in-frame changes are deliberately not counted.
    public var isTruncating: Bool {
        ["transcript_ablation", "stop_gained", "frameshift_variant", "splice_donor_variant", "splice_acceptor_variant"].contains(term)
    }

    public var description: String { term }

    public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(term)
    }
}
