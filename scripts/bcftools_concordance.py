#!/usr/bin/env python3
"""Compare `tailor vcf stats --json` with `bcftools stats -s -` on VCF files, number for number.

Usage: bcftools_concordance.py --tailor PATH [--region R] [--threads N] FILE...
Prints one line per file and a final 'N passed, N failed' line; exits 1 on any mismatch.
Files bcftools itself rejects are reported as skipped (with its message), not as passes.
"""
import argparse
import json
import subprocess
import sys

SN = {
    "number of records:": "records",
    "number of no-ALTs:": "no_alts",
    "number of SNPs:": "snvs",
    "number of MNPs:": "mnvs",
    "number of indels:": "indels",
    "number of others:": "others",
    "number of multiallelic sites:": "multiallelic_sites",
    "number of multiallelic SNP sites:": "multiallelic_snv_sites",
    "number of samples:": "samples",
}
PSC = ["hom_ref", "hom_alt", "het", "transitions", "transversions", "indels", "mean_depth", "singletons",
       "haploid_ref", "haploid_alt", "missing"]


def bcftools(path, region):
    cmd = ["bcftools", "stats", "-s", "-"] + (["-r", region] if region else []) + [path]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        return None, run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "exit %d" % run.returncode
    sn, tstv, psc = {}, None, []
    for line in run.stdout.splitlines():
        f = line.split("\t")
        if f[0] == "SN" and f[2] in SN:
            sn[SN[f[2]]] = int(f[3])
        elif f[0] == "TSTV":
            tstv = (int(f[2]), int(f[3]), int(f[5]), int(f[6]))
        elif f[0] == "PSC":
            psc.append([f[2]] + f[3:14])
    return (sn, tstv, psc), None


def tailor(exe, path, region, threads):
    cmd = [exe, "vcf", "stats", "--json", "--threads", str(threads)] + (["--region", region] if region else []) + [path]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        return None, run.stderr.strip()
    return json.loads(run.stdout), None


def compare(b, t):
    sn, tstv, psc = b
    problems = []
    for key, value in sn.items():
        if t[key] != value:
            problems.append(f"{key}: bcftools {value}, tailor {t[key]}")
    if tstv:
        mine = (t["transitions"], t["transversions"], t["transitions_first_alt"], t["transversions_first_alt"])
        if mine != tstv:
            problems.append(f"ts/tv: bcftools {tstv}, tailor {mine}")
    if len(psc) != len(t["per_sample"]):
        problems.append(f"per-sample rows: bcftools {len(psc)}, tailor {len(t['per_sample'])}")
    for row, mine in zip(psc, t["per_sample"]):
        for i, key in enumerate(PSC):
            theirs = row[1 + i]
            ours = mine[key]
            same = abs(float(theirs) - ours) < 0.051 if key == "mean_depth" else int(theirs) == ours
            if not same:
                problems.append(f"{row[0]} {key}: bcftools {theirs}, tailor {ours}")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tailor", required=True)
    ap.add_argument("--region")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    passed = failed = skipped = 0
    for path in args.files:
        b, berr = bcftools(path, args.region)
        t, terr = tailor(args.tailor, path, args.region, args.threads)
        if b is None and t is None:
            skipped += 1
            print(f"SKIP {path}: both reject it (bcftools: {berr}; tailor: {terr.splitlines()[0] if terr else ''})")
            continue
        if b is None:
            skipped += 1
            print(f"SKIP {path}: bcftools rejects it ({berr}); tailor read {t['records']} records")
            continue
        if t is None:
            failed += 1
            print(f"FAIL {path}: tailor failed: {terr}")
            continue
        problems = compare(b, t)
        if problems:
            failed += 1
            print(f"FAIL {path}: " + "; ".join(problems[:8]))
        else:
            passed += 1
            print(f"ok   {path}: {t['records']} records, {t['samples']} samples")
    print(f"bcftools-concordance: {passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
