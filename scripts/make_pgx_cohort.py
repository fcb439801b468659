#!/usr/bin/env python3
"""Writes a cohort VCF at every PharmCAT position (positions/pharmcat_positions.vcf), for the PGx benchmark, the
way a biobank's PGx extract looks after PharmCAT's preprocessor (GRCh38, chr names, every required position present,
unphased genotypes, 0.5% missing calls).

Allele frequencies: by default like real pharmacogene panels, mostly rare variants with a few common ones (85% of
positions AF < 0.1%, 12% 0.1-2%, 3% 2-50%: about 25 variant alleles per person, as CYP2C19*2/*17, CYP2B6*6, NAT2,
SLCO1B1*5, VKORC1 and the rare toxicity variants give), genotypes in Hardy-Weinberg proportions. `--stress` gives every allele
call a 4% chance of an ALT instead: about a hundred variant calls per person, far more than any real genome, so that
nearly every sample is a different, many-variant puzzle for the matcher (the worst case).

Usage: make_pgx_cohort.py --samples 1000 --seed 7 [--stress] -o cohort.vcf   (then bgzip + tabix it)
"""
import argparse
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--positions", default="../shared/data/pharmcat/positions/pharmcat_positions.vcf")
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--stress", action="store_true", help="4%% ALT at every allele call (worst case)")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    names = [f"S{i:05d}" for i in range(args.samples)]
    with open(args.positions) as src, open(args.output, "w") as out:
        for line in src:
            if line.startswith("##"):
                out.write(line)
                continue
            if line.startswith("#CHROM"):
                out.write("\t".join(line.rstrip("\n").split("\t")[:9] + names) + "\n")
                continue
            f = line.rstrip("\n").split("\t")
            n_alleles = 1 + len(f[4].split(","))
            if args.stress:
                af = 0.04
            else:
                r = rng.random()
                af = rng.uniform(0, 0.001) if r < 0.85 else rng.uniform(0.001, 0.02) if r < 0.97 else rng.uniform(0.02, 0.5)
            gts = []
            for _ in names:
                if rng.random() < (0.01 if args.stress else 0.005):
                    gts.append("./.")
                    continue
                a = sorted(0 if rng.random() >= af else rng.randrange(1, n_alleles) for _ in range(2))
                gts.append(f"{a[0]}/{a[1]}")
            out.write("\t".join(f[:9] + gts) + "\n")


if __name__ == "__main__":
    main()
