// Region-query latency against an index held in memory, as a server would hold it.
// Prints the index load time once, then the median and p99 of many random region queries
// (each query visits every record in the region and decodes its genotypes).
import Foundation
import GenomicFiles
import VCF

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: vcf-bench FILE.vcf.gz [queries] [region-length]")
    exit(2)
}
let path = arguments[1]
let queries = arguments.count > 2 ? Int(arguments[2]) ?? 500 : 500
let length = arguments.count > 3 ? Int(arguments[3]) ?? 1_000_000 : 1_000_000
let clock = ContinuousClock()

func milliseconds(_ d: Duration) -> Double {
    Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
}

let file = try VCFFile(path: path)
let loadStart = clock.now
guard let index = try GenomicIndex.load(forVCF: path, header: file.header) else {
    print("no .tbi or .csi beside \(path)")
    exit(2)
}
let loadTime = clock.now - loadStart
let contigs = file.header.contigs.filter { ($0.length ?? 0) > length * 2 }
/// A fixed-seed generator, so every run queries the same regions.
struct Windows {
    var seed: UInt64 = 2026
    mutating func next(_ bound: Int) -> Int {
        seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((seed >> 33) % UInt64(bound))
    }
}
var windows = Windows()
var times: [Double] = []
var records = 0
var genotypes = 0
for _ in 0..<queries {
    let contig = contigs[windows.next(contigs.count)]
    let start = 1 + windows.next((contig.length ?? 0) - length)
    let region = GenomicRegion(contig: contig.id, start: start, end: start + length - 1)
    let t0 = clock.now
    try file.query(region, index: index) { (view) throws(VCFError) in
        records += 1
        genotypes += try view.genotypes(header: file.header).count
    }
    times.append(milliseconds(clock.now - t0))
}
times.sort()
let median = times[times.count / 2]
let p99 = times[min(times.count - 1, Int(Double(times.count) * 0.99))]
print("index load: \(String(format: "%.1f", milliseconds(loadTime))) ms (once)")
print("\(queries) queries of \(length) bp: median \(String(format: "%.2f", median)) ms, p99 \(String(format: "%.2f", p99)) ms, \(records / max(1, queries)) records and \(genotypes / max(1, queries)) genotypes per query")
