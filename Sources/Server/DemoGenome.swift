import PGx
import VCF

/// Synthesises a GRCh38 VCF for one person from the PGx allele definitions: every defining position of every
/// gene gets a genotype, built from the two named alleles chosen for that gene (the reference allele for genes
/// not named). The demo's genomes are made this way, from public definitions, so no real person's data ships.
enum DemoGenome {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// GRCh38 lengths of the chromosomes PGx genes sit on, for the `##contig` lines (they also let readers
    /// recognise the build).
    static let contigLengths: [String: Int] = [
        "chr1": 248_956_422, "chr2": 242_193_529, "chr3": 198_295_559, "chr4": 190_214_555, "chr5": 181_538_259, "chr6": 170_805_979,
        "chr7": 159_345_973, "chr8": 145_138_636, "chr9": 138_394_717, "chr10": 133_797_422, "chr11": 135_086_622, "chr12": 133_275_309,
        "chr13": 114_364_328, "chr14": 107_043_718, "chr15": 101_991_189, "chr16": 90_338_345, "chr17": 83_257_441, "chr18": 80_373_285,
        "chr19": 58_617_616, "chr20": 64_444_167, "chr21": 46_709_983, "chr22": 50_818_468, "chrX": 156_040_895, "chrY": 57_227_415,
        "chrM": 16_569,
    ]

    static let iupac: [String: String] = [
        "R": "AG", "Y": "CT", "S": "CG", "W": "AT", "K": "GT", "M": "AC", "B": "CGT", "D": "AGT", "H": "ACT", "V": "ACG", "N": "ACGT",
    ]

    /// A gene called outside the VCF (CYP2D6 needs an SV-aware caller, HLA-B a typing assay), written into the header
    /// as ``PGxGenomeAnalyser/outsideCallKey`` so it travels with the genome.
    struct OutsideCallLine: Sendable {
        var gene: String
        var diplotype: String
        var source: String
    }

    /// The VCF text. `diplotypes` maps a gene to its two allele names (`["CYP2C19": ("*2", "*17")]`); `outsideCalls`
    /// become header lines; `male` writes haploid genotypes on chrX and chrY.
    static func vcf(
        sample: String, diplotypes: [String: (String, String)], outsideCalls: [OutsideCallLine] = [], definitions: PGxDefinitions, male: Bool
    ) throws -> String {
        var records: [(chromosome: String, position: Int, line: String)] = []
        let known = Set(definitions.genes.map(\.gene))
        for gene in diplotypes.keys where !known.contains(gene) {
            throw Problem(description: "no allele definitions for \(gene)")
        }
        for gene in definitions.genes {
            guard let reference = gene.alleles.first(where: \.isReference) ?? gene.alleles.first else { continue }
            let names = diplotypes[gene.gene]
            func allele(_ name: String?) throws -> GeneDefinition.NamedAllele {
                guard let name else { return reference }
                guard let found = gene.alleles.first(where: { $0.name == name }) else {
                    throw Problem(description: "\(gene.gene) has no allele \(name)")
                }
                return found
            }
            let first = try allele(names?.0)
            let second = try allele(names?.1)
            let haploid = male && (gene.chromosome == "chrX" || gene.chromosome == "chrY")
            for (index, site) in gene.positions.enumerated() {
                func code(_ named: GeneDefinition.NamedAllele) throws -> Int {
                    // A position an allele leaves undefined carries the reference allele's base.
                    guard let base = named.alleles[index] ?? reference.alleles[index], base != site.ref else { return 0 }
                    // PharmCAT writes some wobble positions as IUPAC codes (R = A or G): take the first VCF allele it admits.
                    let admitted = iupac[base].map { letters in site.alts.firstIndex { $0.count == 1 && letters.contains($0) } } ?? nil
                    guard let alt = site.alts.firstIndex(of: base) ?? admitted else {
                        throw Problem(description: "\(gene.gene) \(named.name) at \(site.position): '\(base)' is not among the position's VCF alleles")
                    }
                    return alt + 1
                }
                let genotype = haploid ? "\(try code(first))" : "\(try code(first))/\(try code(second))"
                let alts = site.alts.isEmpty ? "." : site.alts.joined(separator: ",")
                let line = "\(gene.chromosome)\t\(site.position)\t\(site.rsid ?? ".")\t\(site.ref)\t\(alts)\t.\tPASS\t.\tGT\t\(genotype)"
                records.append((gene.chromosome, site.position, line))
            }
        }
        let order = Dictionary(uniqueKeysWithValues: contigLengths.keys.map { ($0, ContigName.canonical($0)) })
        func rank(_ chromosome: String) -> Int {
            let name = order[chromosome] ?? ContigName.canonical(chromosome)
            if let number = Int(name) { return number }
            return ["X": 23, "Y": 24, "MT": 25, "M": 25][name] ?? 26
        }
        records.sort { (rank($0.chromosome), $0.position) < (rank($1.chromosome), $1.position) }
        var seen = Set<String>()
        records = records.filter { seen.insert("\($0.chromosome):\($0.position)").inserted }
        let used = Set(records.map(\.chromosome)).sorted { rank($0) < rank($1) }
        var text = "##fileformat=VCFv4.2\n##source=Tailor demo genome (synthetic, from PharmCAT allele definitions)\n##reference=GRCh38\n"
        for contig in used {
            text += "##contig=<ID=\(contig),length=\(contigLengths[contig] ?? 0),assembly=GRCh38>\n"
        }
        text += "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
        for call in outsideCalls {
            text += "##\(PGxGenomeAnalyser.outsideCallKey)=<Gene=\(call.gene),Diplotype=\"\(call.diplotype)\",Source=\"\(call.source)\">\n"
        }
        text += "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t\(sample)\n"
        for record in records { text += record.line + "\n" }
        return text
    }
}
