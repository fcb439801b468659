/// The reference genome a file was called against.
public enum GenomeBuild: String, Sendable, Hashable, Codable {
    case grch37 = "GRCh37"
    case grch38 = "GRCh38"
    case unknown

    /// Chromosome lengths that tell the two builds apart (NCBI assembly reports; chr1–22, X, Y, MT).
    static let lengths: [GenomeBuild: [String: Int]] = [
        .grch37: [
            "1": 249_250_621, "2": 243_199_373, "3": 198_022_430, "4": 191_154_276, "5": 180_915_260, "6": 171_115_067,
            "7": 159_138_663, "8": 146_364_022, "9": 141_213_431, "10": 135_534_747, "11": 135_006_516, "12": 133_851_895,
            "13": 115_169_878, "14": 107_349_540, "15": 102_531_392, "16": 90_354_753, "17": 81_195_210, "18": 78_077_248,
            "19": 59_128_983, "20": 63_025_520, "21": 48_129_895, "22": 51_304_566, "X": 155_270_560, "Y": 59_373_566,
        ],
        .grch38: [
            "1": 248_956_422, "2": 242_193_529, "3": 198_295_559, "4": 190_214_555, "5": 181_538_259, "6": 170_805_979,
            "7": 159_345_973, "8": 145_138_636, "9": 138_394_717, "10": 133_797_422, "11": 135_086_622, "12": 133_275_309,
            "13": 114_364_328, "14": 107_043_718, "15": 101_991_189, "16": 90_338_345, "17": 83_257_441, "18": 80_373_285,
            "19": 58_617_616, "20": 64_444_167, "21": 46_709_983, "22": 50_818_468, "X": 156_040_895, "Y": 57_227_415,
        ],
    ]

    /// Recognises the build: contig lengths decide; the `##reference` line is used only when there are no lengths.
    public static func recognise(contigs: [VCFContig], reference: String?) -> GenomeBuildEvidence {
        var matches: [GenomeBuild: Int] = [.grch37: 0, .grch38: 0]
        var compared = 0
        for contig in contigs {
            guard let length = contig.length else { continue }
            let name = ContigName.canonical(contig.id)
            for build in [GenomeBuild.grch37, .grch38] {
                guard let expected = lengths[build]?[name] else { continue }
                if build == .grch37 { compared += 1 }
                if expected == length { matches[build, default: 0] += 1 }
            }
        }
        let m37 = matches[.grch37] ?? 0
        let m38 = matches[.grch38] ?? 0
        if m37 > 0 || m38 > 0 {
            if m38 > m37 {
                return GenomeBuildEvidence(build: .grch38, reason: "\(m38) of \(compared) chromosome lengths match GRCh38")
            }
            if m37 > m38 {
                return GenomeBuildEvidence(build: .grch37, reason: "\(m37) of \(compared) chromosome lengths match GRCh37")
            }
        }
        if let reference {
            let r = reference.lowercased()
            if r.contains("grch38") || r.contains("hg38") || r.contains("hs38") || r.contains("assembly38") {
                return GenomeBuildEvidence(build: .grch38, reason: "##reference names GRCh38 (no contig lengths to confirm)")
            }
            if r.contains("grch37") || r.contains("hg19") || r.contains("hs37") || r.contains("b37") || r.contains("human_g1k_v37")
                || r.contains("assembly19")
            {
                return GenomeBuildEvidence(build: .grch37, reason: "##reference names GRCh37 (no contig lengths to confirm)")
            }
        }
        if compared > 0 {
            return GenomeBuildEvidence(build: .unknown, reason: "chromosome lengths match neither GRCh37 nor GRCh38")
        }
        return GenomeBuildEvidence(build: .unknown, reason: "no ##contig lengths or ##reference line to tell the build")
    }
}

/// A recognised build and why.
public struct GenomeBuildEvidence: Sendable, Hashable, Codable {
    public var build: GenomeBuild
    public var reason: String
}

/// Contig naming: UCSC writes `chr1` and `chrM`, Ensembl/NCBI write `1` and `MT`.
public enum ContigName {
    /// The name without a `chr` prefix, with the mitochondrion as `MT`.
    public static func canonical(_ name: String) -> String {
        var n = Substring(name)
        if n.count > 3, n.lowercased().hasPrefix("chr") { n = n.dropFirst(3) }
        if n == "M" || n == "m" || n == "MT" || n == "mt" { return "MT" }
        return String(n)
    }
}
