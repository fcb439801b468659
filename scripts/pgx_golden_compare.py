#!/usr/bin/env python3
"""Compare `tailor pgx --json` with PharmCAT's golden output for the same VCF, gene by gene: diplotypes
against *.match.json and, where PharmCAT gives one, the phenotype against *.phenotype.json (found beside
the match file).

Usage: pgx_golden_compare.py --tailor PATH VCF MATCH_JSON [VCF MATCH_JSON ...]
Prints one line per gene and a closing 'pgx-golden: N passed, N failed' line; exits 1 on a mismatch.
"""
import argparse
import json
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tailor", required=True)
    ap.add_argument("pairs", nargs="+")
    args = ap.parse_args()
    if len(args.pairs) % 2:
        sys.exit("give VCF and MATCH_JSON pairs")
    passed = failed = 0
    for vcf, golden_path in zip(args.pairs[::2], args.pairs[1::2]):
        ours = json.loads(subprocess.run([args.tailor, "pgx", "--json", vcf], capture_output=True, text=True, check=True).stdout)[0]
        mine = {g["gene"]: sorted(g["diplotypes"]) for g in ours["genes"]}
        my_phenotype = {g["gene"]: g.get("phenotype") for g in ours["genes"]}
        golden = json.load(open(golden_path))
        reports = json.load(open(golden_path.replace(".match.json", ".phenotype.json")))["geneReports"]
        for result in golden["results"]:
            gene = result["gene"]
            if gene not in mine:
                continue
            expected = sorted(d["name"] for d in result.get("diplotypes", []))
            source = (reports.get(gene, {}).get("sourceDiplotypes") or [{}])[0]
            phenotypes = source.get("phenotypes") or []
            # PharmCAT writes 'n/a' where a gene has no phenotype; Tailor writes nothing.
            expected_phenotype = phenotypes[0] if len(phenotypes) == 1 and phenotypes[0] != "n/a" else None
            problems = []
            if expected != mine[gene]:
                problems.append(f"diplotypes: PharmCAT {expected}, tailor {mine[gene]}")
            if expected_phenotype != my_phenotype[gene]:
                problems.append(f"phenotype: PharmCAT {expected_phenotype!r}, tailor {my_phenotype[gene]!r}")
            if problems:
                failed += 1
                print(f"FAIL {vcf} {gene}: " + "; ".join(problems))
            else:
                passed += 1
                print(f"ok   {vcf} {gene}: {' or '.join(expected) or 'no call'}, {expected_phenotype}")
    print(f"pgx-golden: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
