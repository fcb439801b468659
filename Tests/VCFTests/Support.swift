import VCF

/// Builds a header from lines (tabs written as `\t`).
func makeHeader(samples: [String] = ["S1", "S2"], version: String = "VCFv4.2", extra: [String] = []) throws -> VCFHeader {
    var lines =
        [
            "##fileformat=\(version)",
            "##contig=<ID=chr1,length=248956422>",
            "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">",
            "##INFO=<ID=AF,Number=A,Type=Float,Description=\"Allele frequency\">",
            "##INFO=<ID=END,Number=1,Type=Integer,Description=\"End\">",
            "##INFO=<ID=DB,Number=0,Type=Flag,Description=\"dbSNP\">",
            "##INFO=<ID=NOTE,Number=.,Type=String,Description=\"Free text\">",
            "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">",
            "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">",
            "##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">",
            "##FORMAT=<ID=PS,Number=1,Type=Integer,Description=\"Phase set\">",
        ] + extra
    let fixed = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"
    lines.append(samples.isEmpty ? fixed : fixed + "\tFORMAT\t" + samples.joined(separator: "\t"))
    return try VCFHeader.parse(lines: lines.map { Substring($0) })
}

/// Parses one data line against a header.
func record(_ line: String, header: VCFHeader) throws(VCFError) -> VCFRecord {
    try VCFRecord(parsing: line, sampleCount: header.samples.count)
}

/// Accumulates stats over data lines.
func stats(_ lines: [String], header: VCFHeader) throws -> VCFStats {
    var accumulator = VCFStatsAccumulator(header: header)
    for line in lines {
        let r = try record(line, header: header)
        try r.withView { (view) throws(VCFError) in try accumulator.add(view) }
    }
    return accumulator.result
}
