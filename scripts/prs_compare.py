#!/usr/bin/env python3
"""Compares `tailor prs score --tsv` sums with plink2 `--score` output (.sscore) for the same samples.

plink2 prints six significant digits, so agreement means |tailor - plink2| <= 5e-6 x |plink2| (half a unit in the
sixth digit), or 1e-6 absolute for sums near zero. DENOM must equal plink2's ALLELE_CT exactly.
Usage: prs_compare.py TAILOR_TSV PLINK_SSCORE [PLINK_SSCORE_2 ...]  (several .sscore files are summed, as
pgscatalog-aggregate does for split scorefiles)
"""
import sys

def read_tailor(path):
    out = {}
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        i, s, d = header.index("IID"), header.index("SUM"), header.index("DENOM")
        for line in f:
            row = line.rstrip("\n").split("\t")
            out[row[i]] = (float(row[s]), int(row[d]))
    return out

def read_plink(paths):
    out = {}
    for path in paths:
        with open(path) as f:
            header = f.readline().rstrip("\n").split("\t")
            i, c = header.index("#IID"), header.index("ALLELE_CT")
            sums = [k for k, name in enumerate(header) if name.startswith("SCORE") and name.endswith("_SUM")]
            for line in f:
                row = line.rstrip("\n").split("\t")
                total, count = out.get(row[i], (0.0, 0))
                out[row[i]] = (total + sum(float(row[k]) for k in sums), count + int(row[c]))
    return out

tailor = read_tailor(sys.argv[1])
plink = read_plink(sys.argv[2:])
if set(tailor) != set(plink):
    sys.exit(f"sample sets differ: {len(set(tailor) ^ set(plink))} samples in only one output")
worst = 0.0
bad = 0
for iid, (ps, pc) in plink.items():
    ts, tc = tailor[iid]
    diff = abs(ts - ps)
    worst = max(worst, diff)
    if diff > max(1e-6, 5e-6 * abs(ps)) or tc != pc:
        bad += 1
        if bad <= 5:
            print(f"MISMATCH {iid}: tailor {ts!r} / {tc} vs plink2 {ps!r} / {pc}")
print(f"{len(plink)} samples compared; max |SUM difference| {worst:.3g}; mismatches {bad}")
sys.exit(1 if bad else 0)
