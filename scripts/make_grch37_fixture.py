#!/usr/bin/env python3
"""Writes a GRCh37 copy of a GRCh38 PGx VCF, for tests: every record at a position the pgx pack places exactly on
GRCh37 (derived/grch37.tsv) is moved there, with REF/ALT and GT indexes rewritten where the reference base differs
between builds; other records are dropped. The header names GRCh37 contig lengths so the build is recognised.

Usage: make_grch37_fixture.py IN.vcf OUT.vcf   (run from the repository root)
"""
import gzip
import sys

GRCH37_LENGTHS = {"1": 249250621, "2": 243199373, "4": 191154276, "7": 159138663, "10": 135534747, "12": 133851895,
                  "13": 115169878, "15": 102531392, "16": 90354753, "19": 59128983, "22": 51304566, "X": 155270560}


def main():
    src, out = sys.argv[1], sys.argv[2]
    mapping = {}
    with gzip.open("Sources/Knowledge/Packs/pgx/derived/grch37.tsv.gz", "rt") as f:
        for line in f:
            if line.startswith("M\t"):
                _, gene, p38, p37 = line.rstrip("\n").split("\t")
                mapping[int(p38)] = int(p37)
    ref37 = {}
    # The GRCh37 reference base at swapped positions, from the same source the pack used.
    import csv
    for row in csv.DictReader(open("../shared/data/pypgx/variant-table.csv")):
        ref37[(row["Chromosome"].replace("chr", ""), int(row["GRCh38Position"]))] = row["GRCh37Allele"]
    lines = []
    with open(src) as f:
        for line in f:
            if line.startswith("##contig"):
                continue
            if line.startswith("#CHROM"):
                lines += [f"##contig=<ID={c},length={n}>\n" for c, n in GRCH37_LENGTHS.items()]
                lines.append(line)
                continue
            if line.startswith("#"):
                lines.append(line)
                continue
            f = line.rstrip("\n").split("\t")
            chrom, pos = f[0].replace("chr", ""), int(f[1])
            if pos not in mapping:
                continue
            alleles = [f[3]] + f[4].split(",")
            new_ref = ref37.get((chrom, pos), f[3])
            if len(f[3]) != 1 or new_ref == f[3] or new_ref not in alleles:
                order = alleles
            else:
                order = [new_ref] + [a for a in alleles if a != new_ref]
            index = {str(i): str(order.index(a)) for i, a in enumerate(alleles)}
            samples = []
            for s in f[9:]:
                gt, *rest = s.split(":")
                sep = "|" if "|" in gt else "/"
                gt = sep.join(index.get(a, a) for a in gt.replace("|", "/").split("/"))
                samples.append(":".join([gt] + rest))
            lines.append("\t".join([chrom, str(mapping[pos]), f[2], order[0], ",".join(order[1:]) or "."] + f[5:9] + samples) + "\n")
    open(out, "w").writelines(lines)


if __name__ == "__main__":
    main()
