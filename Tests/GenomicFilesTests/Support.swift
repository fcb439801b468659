import Foundation
import GenomicFiles
import Testing
import VCF

enum Fixtures {
    static let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.path
    static func path(_ name: String) -> String { directory + "/" + name }
    static func text(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    /// A copy of a fixture in a fresh temporary directory (so that no index sits beside it).
    static func isolatedCopy(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tailor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let target = dir.appendingPathComponent(name).path
        try FileManager.default.copyItem(atPath: path(name), toPath: target)
        return target
    }
}

/// The SN, TSTV and PSC numbers of a `bcftools stats -s -` output.
struct BcftoolsStats: Equatable, CustomStringConvertible {
    var sites: [Int] = []
    var tstv: [Int] = []
    var perSample: [[String]] = []

    init(text: String) {
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            switch f[0] {
            case "SN": sites.append(Int(f[3])!)
            case "TSTV": tstv = [Int(f[2])!, Int(f[3])!, Int(f[5])!, Int(f[6])!]
            case "PSC": perSample.append(Array(f[2...13]))
            default: break
            }
        }
    }

    /// The same numbers from our statistics, in bcftools' order and formatting.
    init(_ s: VCFStats) {
        sites = [s.samples.count, s.records, s.noAlts, s.snvs, s.mnvs, s.indels, s.others, s.multiallelicSites, s.multiallelicSNVSites]
        tstv = [s.transitions, s.transversions, s.transitionsFirstAlt, s.transversionsFirstAlt]
        perSample = s.samples.map { p in
            [p.name] + [p.homRef, p.homAlt, p.het, p.transitions, p.transversions, p.indels].map(String.init)
                + [String(format: "%.1f", p.meanDepth)] + [p.singletons, p.haploidRef, p.haploidAlt, p.missing].map(String.init)
        }
    }

    var description: String { "sites \(sites) tstv \(tstv) psc \(perSample)" }
}
