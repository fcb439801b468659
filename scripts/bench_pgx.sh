#!/usr/bin/env bash
# Benchmarks `tailor pgx` (issue #3): a whole genome through its index, and 1,000-sample cohorts at the PharmCAT
# positions (a realistic panel and a worst case). Reproduces the PGx tables of BENCHMARKS.md.
# Usage: scripts/bench_pgx.sh [DATA_DIR]   (default ./bench-data; files are generated there if missing)
# Needs: hyperfine, tabix/bgzip, python3, ../shared/tools/gen_vcf.py and ../shared/data/pharmcat.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-bench-data}
mkdir -p "$data/results"
[ -f "$data/wgs.vcf.gz" ] || { python3 ../shared/tools/gen_vcf.py --records 4500000 --samples 1 --seed 1 -o "$data/wgs.vcf.gz"; tabix -p vcf "$data/wgs.vcf.gz"; }
for kind in realistic stress; do
  f="$data/pgx-cohort-$kind.vcf"
  [ -f "$f.gz" ] || { python3 scripts/make_pgx_cohort.py --samples 1000 --seed 7 $([ $kind = stress ] && echo --stress) -o "$f"; bgzip -f "$f"; tabix -f -p vcf "$f.gz"; }
done
swift build -c release --product tailor >/dev/null
T=$PWD/.build/release/tailor
hyperfine -N --warmup 1 --runs ${RUNS:-10} --style basic --export-json "$data/results/pgx-genome.json" \
  -n tailor-pgx-wgs "$T pgx --json $data/wgs.vcf.gz" \
  -n tailor-pgx-example2 "$T pgx --json Tests/PGxTests/Fixtures/pharmcat.example2.vcf" --output=null
hyperfine -N --warmup 1 --runs ${RUNS:-5} --style basic --export-json "$data/results/pgx-cohort.json" \
  -n cohort-realistic-t2 "$T pgx --ndjson --threads 2 $data/pgx-cohort-realistic.vcf.gz" \
  -n cohort-realistic-t1 "$T pgx --ndjson --threads 1 $data/pgx-cohort-realistic.vcf.gz" \
  -n cohort-stress-t2 "$T pgx --ndjson --threads 2 $data/pgx-cohort-stress.vcf.gz" --output=null
echo "== peak memory, 1,000-sample realistic cohort"
/usr/bin/time -f "maxrss_kb=%M" "$T" pgx --ndjson "$data/pgx-cohort-realistic.vcf.gz" > /dev/null
python3 - "$data/results/pgx-genome.json" "$data/results/pgx-cohort.json" <<'PY'
import json, sys
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        line = f"{r['command']}: median {r['median']:.3f} s"
        if "cohort" in r["command"]:
            line += f", {1000 / r['median']:.0f} samples/s"
        print(line)
PY
