#!/usr/bin/env python3
"""Phenotype-only benchmark over a folder of GA4GH phenopackets (default: ../shared/data/phenopackets-dev).

Builds and runs the `phenotype-eval` executable (release), which ranks every case by its phenotypic features
(observed and excluded) against the bundled HPO pack and prints the pessimistic rank of the causal gene (ties count
against it) per case. This script summarises: top-1/3/5/10 gene accuracy, MRR and median rank over all cases, the
same over the cases whose gene has an HPO annotation at all ("in KB"), the disease rank, a per-gene macro average,
and the score components as an ablation. "Not in KB" (gene without any annotated disease in this HPO release) is
counted as a miss in the all-case numbers and reported separately, never as "ranked low".

Usage:
  scripts/eval_phenopackets.py [--data DIR] [--tsv OUT.tsv] [--no-build] [--fail-under-top10 PERCENT]
"""

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METHODS = [
    ("gene_rank", "combined (reported score)"),
    ("gene_rank_symmetric", "  ablation: without contradictions"),
    ("gene_rank_bma", "  ablation: Resnik BMA patient→disease only"),
    ("gene_rank_phenodigm", "  ablation: PhenoDigm-style only"),
]


def summarise(ranks, n):
    """ranks: list of int or None (not in KB); n: number of cases."""
    ranked = [r for r in ranks if r is not None]
    top = {k: 100.0 * sum(1 for r in ranked if r <= k) / n for k in (1, 3, 5, 10)}
    mrr = sum(1.0 / r for r in ranked) / n
    median = statistics.median([r if r is not None else float("inf") for r in ranks]) if ranks else float("nan")
    return top, mrr, median


def line(label, ranks, n):
    top, mrr, median = summarise(ranks, n)
    med = "unranked" if median == float("inf") else f"{median:g}"
    return (f"{label:44s} n={n:4d}  top1 {top[1]:5.1f}%  top3 {top[3]:5.1f}%  top5 {top[5]:5.1f}%  "
            f"top10 {top[10]:5.1f}%  MRR {mrr:.3f}  median {med}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "phenopackets-dev"))
    parser.add_argument("--tsv", help="also write the per-case TSV here")
    parser.add_argument("--no-build", action="store_true", help="use the existing Benchmarks/.build/release/phenotype-eval")
    parser.add_argument("--fail-under-top10", type=float, help="exit 1 when gene top-10 (all cases) is below this percent")
    args = parser.parse_args()

    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--package-path", "Benchmarks", "--product", "phenotype-eval"], cwd=ROOT,
                       check=True, stdout=sys.stderr)
    binary = os.path.join(ROOT, "Benchmarks", ".build", "release", "phenotype-eval")
    run = subprocess.run([binary, os.path.abspath(args.data)], cwd=ROOT, capture_output=True, text=True)
    if run.returncode != 0:
        sys.stderr.write(run.stderr)
        sys.exit(run.returncode)
    if args.tsv:
        with open(args.tsv, "w") as out:
            out.write(run.stdout)
    rows = list(csv.DictReader(io.StringIO(run.stdout), delimiter="\t"))
    n = len(rows)
    if n == 0:
        sys.exit("no phenopackets found under " + args.data)

    def ranks(column, subset=None):
        return [int(r[column]) if r[column] != "NA" else None for r in (subset if subset is not None else rows)]

    in_kb = [r for r in rows if r["gene_rank"] != "NA"]
    print(f"Phenotype-only ranking of {n} phenopackets from {os.path.normpath(args.data)}")
    print(run.stderr.strip())
    print(f"causal gene not in the HPO annotations (not rankable by phenotype): {n - len(in_kb)} cases "
          f"({', '.join(sorted({r['gene'] for r in rows if r['gene_rank'] == 'NA'}))})")
    print(f"diagnosed disease not in the HPO annotations: {sum(1 for r in rows if r['disease_rank'] == 'NA')} cases")
    skipped = sum(1 for r in rows if r["warnings"])
    print(f"cases with skipped terms (unknown/obsolete/non-phenotype): {skipped}")
    print()
    print("Gene rank (pessimistic ties), all cases — not-in-KB counted as misses:")
    for column, label in METHODS:
        print("  " + line(label, ranks(column), n))
    print(f"Gene rank, the {len(in_kb)} cases whose gene is in the KB:")
    for column, label in METHODS:
        print("  " + line(label, ranks(column, in_kb), len(in_kb)))
    disease_kb = [r for r in rows if r["disease_rank"] != "NA"]
    print("Disease rank (combined score):")
    print("  " + line("all cases", ranks("disease_rank"), n))
    print("  " + line("cases whose disease is in the KB", ranks("disease_rank", disease_kb), len(disease_kb)))

    # Macro average: each gene's cohort counts once, so large cohorts do not dominate.
    by_gene = defaultdict(list)
    for r in rows:
        by_gene[r["gene"]].append(None if r["gene_rank"] == "NA" else int(r["gene_rank"]))
    macro = {k: statistics.mean(sum(1 for x in v if x is not None and x <= k) / len(v) for v in by_gene.values()) * 100
             for k in (1, 5, 10)}
    print(f"Macro average over {len(by_gene)} genes: top1 {macro[1]:.1f}%  top5 {macro[5]:.1f}%  top10 {macro[10]:.1f}%")
    print("Per gene (cases: ranks):")
    for gene in sorted(by_gene):
        values = ", ".join("NA" if x is None else str(x) for x in by_gene[gene])
        print(f"  {gene:9s} {values}")

    top, _, _ = summarise(ranks("gene_rank"), n)
    if args.fail_under_top10 is not None and top[10] < args.fail_under_top10:
        print(f"FAIL: gene top-10 {top[10]:.1f}% < {args.fail_under_top10}%")
        sys.exit(1)


if __name__ == "__main__":
    main()
