#!/usr/bin/env python3
"""Compare `tailor pgx --json` with PharmCAT's golden output for the same VCF.

Genes: diplotypes against *.match.json and, where PharmCAT gives one, the phenotype against
*.phenotype.json (found beside the match file).

Recommendations (with --guidelines, read from *.report.json beside the match file): every CPIC and DPWG
annotation PharmCAT reported, as (source, drug, population, classification), against Tailor's; and every report
message PharmCAT attached to a CPIC/DPWG drug (by rule name), against Tailor's drug notes and gene messages. PharmCAT's golden
report was made with its 2025-11 guideline data while Tailor's pack carries the v2.12.0 guideline files (2024-03),
so two differences are expected and are reported, not failed: a guideline file the pack does not have (new since
2024), and the relabelled strength "N/A" (2024) = "Unspecified" (2025). Any other missing recommendation, and
every recommendation Tailor gives that PharmCAT does not, fails.

Usage: pgx_golden_compare.py --tailor PATH [--guidelines DIR] [--outside-calls TSV|- ...] VCF MATCH_JSON [...]
(one --outside-calls per VCF, in order; '-' for none)
Prints one line per gene, one per recommendation difference, and a closing 'pgx-golden: N passed, N failed' line;
exits 1 on a mismatch.
"""
import argparse
import json
import os
import subprocess
import sys

SOURCES = {"CPIC Guideline Annotation": "CPIC", "DPWG Guideline Annotation": "DPWG"}

# Deliberate differences from PharmCAT, each with its reason (reported as 'differs', not failed).
AMINOGLYCOSIDES = ["amikacin", "gentamicin", "kanamycin", "paromomycin", "plazomicin", "streptomycin", "tobramycin"]
ACCEPTED = {
    ("pharmcat.example.vcf", "CPIC", drug): "the outside call writes MT-RNR1 '1555A>G'; PharmCAT does not map it to the table's "
    "'m.1555A>G' (it reports 'Unassigned function' and no recommendation), Tailor normalises the name and gives CPIC's "
    "recommendation for m.1555A>G"
    for drug in AMINOGLYCOSIDES
}


def strength(term):
    return "Unspecified" if term in ("N/A", None, "") else term


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tailor", required=True)
    ap.add_argument("--outside-calls", action="append", default=[], help="outside-call TSV for the VCF at the same position")
    ap.add_argument("--guidelines", help="PharmCAT guideline folder the pack was built from (to tell knowledge-version gaps)")
    ap.add_argument("pairs", nargs="+")
    args = ap.parse_args()
    if len(args.pairs) % 2:
        sys.exit("give VCF and MATCH_JSON pairs")
    passed = failed = gaps = differs = 0
    for n, (vcf, golden_path) in enumerate(zip(args.pairs[::2], args.pairs[1::2])):
        command = [args.tailor, "pgx", "--json", vcf]
        outside = args.outside_calls[n] if n < len(args.outside_calls) and args.outside_calls[n] != "-" else None
        if outside:
            command += ["--outside-calls", outside]
        ours = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)[0]
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

        report_path = golden_path.replace(".match.json", ".report.json")
        if not args.guidelines or not os.path.exists(report_path):
            continue
        files = os.listdir(args.guidelines)
        report = json.load(open(report_path))
        theirs = set()
        for label, source in SOURCES.items():
            for drug, entry in report["drugs"].get(label, {}).items():
                for guideline in entry["guidelines"]:
                    for a in guideline["annotations"]:
                        theirs.add((source, drug, a.get("population") or "general", strength(a.get("classification"))))
        given = set()
        for d in ours["drugs"]:
            for r in d["recommendations"]:
                given.add((d["source"], d["drug"], r["population"] or "general", strength(r["classification"])))
        # PharmCAT's report messages per drug (rule names), against Tailor's drug notes and gene messages naming the drug.
        for label, source in SOURCES.items():
            for drug, entry in report["drugs"].get(label, {}).items():
                names = [m["rule_name"] for m in entry.get("messages", [])]
                for guideline in entry["guidelines"]:
                    for a in guideline["annotations"]:
                        names += [m["rule_name"] for m in a.get("messages", [])]
                theirs |= {(source, drug, "message", name) for name in names}
        for d in ours["drugs"]:
            names = [n["rule"] for n in d.get("notes", [])]
            names += [m["rule"] for g in ours["genes"] for m in g.get("messages", []) if d["drug"] in m["drugs"]]
            given |= {(d["source"], d["drug"], "message", name) for name in names}
        for key in sorted(theirs | given):
            source, drug = key[0], key[1]
            in_pack = any(f.startswith(source + "_") and f"_{drug.replace(' ', '_')}_" in f"_{f[len(source) + 1:]}" for f in files)
            accepted = ACCEPTED.get((os.path.basename(vcf), source, drug))
            if key in theirs and key in given:
                passed += 1
            elif accepted:
                differs += 1
                print(f"differs {vcf} {source} {drug}: {accepted}")
            elif key in theirs and not in_pack:
                gaps += 1
                print(f"gap  {vcf} {source} {drug}: PharmCAT's 2025 data has a guideline the pack's 2024 files lack ({key[2]}, {key[3]})")
            else:
                failed += 1
                side = "only PharmCAT" if key in theirs else "only tailor"
                print(f"FAIL {vcf} recommendation {side}: {source} {drug} [{key[2]}] {key[3]}")
    print(f"knowledge-version gaps (reported, not failed): {gaps}; deliberate differences: {differs}")
    print(f"pgx-golden: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
