import Foundation
import GenomicFiles
import VCF

/// Renders a ``VCFStatsReport`` for people (text) and for programs (JSON with stable snake_case keys).
enum StatsOutput {
    struct JSONReport: Encodable {
        var file: String
        var container: String
        var format: String
        var build: String
        var build_evidence: String
        var region: String?
        var used_index: Bool
        var samples: Int
        var records: Int
        var no_alts: Int
        var snvs: Int
        var mnvs: Int
        var indels: Int
        var others: Int
        var multiallelic_sites: Int
        var multiallelic_snv_sites: Int
        var transitions: Int
        var transversions: Int
        var ts_tv: Double?
        var transitions_first_alt: Int
        var transversions_first_alt: Int
        var genotypes: Int
        var per_sample: [Sample]
        var skipped_lines: Int
        var problems: [String]
        var warnings: [String]
    }

    struct Sample: Encodable {
        var name: String
        var hom_ref: Int
        var hom_alt: Int
        var het: Int
        var transitions: Int
        var transversions: Int
        var indels: Int
        var mean_depth: Double
        var singletons: Int
        var haploid_ref: Int
        var haploid_alt: Int
        var missing: Int
    }

    static func json(_ r: VCFStatsReport) throws -> String {
        let s = r.stats
        let report = JSONReport(
            file: r.path, container: r.container.rawValue, format: r.version.description, build: r.build.build.rawValue,
            build_evidence: r.build.reason, region: r.region?.description, used_index: r.usedIndex, samples: s.samples.count,
            records: s.records, no_alts: s.noAlts, snvs: s.snvs, mnvs: s.mnvs, indels: s.indels, others: s.others,
            multiallelic_sites: s.multiallelicSites, multiallelic_snv_sites: s.multiallelicSNVSites, transitions: s.transitions,
            transversions: s.transversions, ts_tv: s.tsTvRatio, transitions_first_alt: s.transitionsFirstAlt,
            transversions_first_alt: s.transversionsFirstAlt, genotypes: s.genotypes,
            per_sample: s.samples.map {
                Sample(
                    name: $0.name, hom_ref: $0.homRef, hom_alt: $0.homAlt, het: $0.het, transitions: $0.transitions,
                    transversions: $0.transversions, indels: $0.indels, mean_depth: $0.meanDepth, singletons: $0.singletons,
                    haploid_ref: $0.haploidRef, haploid_alt: $0.haploidAlt, missing: $0.missing)
            },
            skipped_lines: r.summary.skippedLines, problems: r.summary.problems.map(\.description), warnings: r.summary.warnings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    static func text(_ r: VCFStatsReport) -> String {
        let s = r.stats
        var out: [String] = []
        out.append("file\t\(r.path) (\(r.container.rawValue), \(r.version))")
        out.append("build\t\(r.build.build.rawValue) (\(r.build.reason))")
        if let region = r.region { out.append("region\t\(region)\(r.usedIndex ? " (via index)" : " (streamed, no index)")") }
        out.append("samples\t\(s.samples.count)")
        out.append("records\t\(s.records)")
        out.append("no-ALT records\t\(s.noAlts)")
        out.append("SNVs\t\(s.snvs)")
        out.append("MNVs\t\(s.mnvs)")
        out.append("indels\t\(s.indels)")
        out.append("others\t\(s.others)")
        out.append("multiallelic sites\t\(s.multiallelicSites)")
        out.append("multiallelic SNV sites\t\(s.multiallelicSNVSites)")
        let ratio = s.tsTvRatio.map { String(format: "%.2f", $0) } ?? "n/a"
        out.append("Ts/Tv\t\(s.transitions)/\(s.transversions) = \(ratio)")
        if !s.samples.isEmpty {
            out.append("")
            out.append(
                ["sample", "homRef", "homAlt", "het", "ts", "tv", "indels", "meanDP", "singletons", "hapRef", "hapAlt", "missing"].joined(
                    separator: "\t"))
            for p in s.samples {
                let row = [p.homRef, p.homAlt, p.het, p.transitions, p.transversions, p.indels].map(String.init)
                let tail = [p.singletons, p.haploidRef, p.haploidAlt, p.missing].map(String.init)
                out.append(([p.name] + row + [String(format: "%.1f", p.meanDepth)] + tail).joined(separator: "\t"))
            }
        }
        if r.summary.skippedLines > 0 {
            out.append("")
            out.append("skipped \(r.summary.skippedLines) malformed line(s); the first:")
            for problem in r.summary.problems { out.append("  \(problem)") }
        }
        for warning in r.summary.warnings { out.append("warning: \(warning)") }
        return out.joined(separator: "\n")
    }
}
