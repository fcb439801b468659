#!/usr/bin/env bash
# Benchmarks `tailor oncology` on a 50,000-record VEP-annotated tumour exome (issue #6 target: a full report in < 1 s)
# against what a user would otherwise run first on the same file: bcftools +split-vep pulling the same annotation fields
# (worst consequence per record) into a table, before any matching or tiering. Same file, same run, medians of RUNS.
# Usage: scripts/bench_oncology.sh BINARY [RECORDS] [DATA_DIR]   (RUNS=7 by default)
# Needs: hyperfine, bcftools (with the split-vep plugin), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${1:?usage: scripts/bench_oncology.sh BINARY [RECORDS] [DATA_DIR]}
records=${2:-50000}
data=${3:-$(mktemp -d /tmp/tailor-onc-bench.XXXXXX)}
mkdir -p "$data"
vcf="$data/exome-$records.vcf"
[ -f "$vcf" ] || python3 scripts/make_oncology_bench_vcf.py "$vcf" "$records" > /dev/null
cat "$vcf" > /dev/null
hyperfine --warmup 1 --runs "${RUNS:-7}" --style basic --export-json "$data/oncology.json" \
  -n tailor-oncology-report "$T oncology --tumor-type LUAD --assay-mb 34 --json $vcf" \
  -n bcftools-split-vep-table "bcftools +split-vep -s worst -f '%CHROM\t%POS\t%REF\t%ALT\t%SYMBOL\t%Consequence\t%HGVSp\t%gnomADe_AF\n' $vcf" \
  --output=null
python3 - "$data/oncology.json" <<'PY'
import json, statistics, sys
runs = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
t = statistics.median(runs["tailor-oncology-report"]["times"])
b = statistics.median(runs["bcftools-split-vep-table"]["times"])
print(f"tailor oncology full report: median {t:.3f} s (target < 1 s: {'met' if t < 1 else 'NOT met'}); "
      f"bcftools +split-vep table only: median {b:.3f} s; ratio tailor/bcftools {t / b:.2f}")
PY
/usr/bin/time -f "tailor oncology peak memory: %M KB" "$T" oncology --tumor-type LUAD --assay-mb 34 --json "$vcf" > /dev/null
