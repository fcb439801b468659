#!/usr/bin/env bash
# Benchmarks `tailor vcf stats` against bcftools and plink2 on the same generated files, in the same run.
# Usage: scripts/bench_vcf.sh [DATA_DIR]   (default ./bench-data; files are generated there if missing)
# Needs: hyperfine, bcftools, tabix/bgzip, plink2, python3, ../shared/tools/gen_vcf.py; writes DATA_DIR/results/*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-bench-data}
mkdir -p "$data/results"
gen=../shared/tools/gen_vcf.py
[ -f "$data/wgs.vcf.gz" ] || { python3 $gen --records 4500000 --samples 1 --seed 1 -o "$data/wgs.vcf.gz"; tabix -p vcf "$data/wgs.vcf.gz"; }
[ -f "$data/cohort.vcf.gz" ] || { python3 $gen --records 500000 --samples 200 --seed 2 -o "$data/cohort.vcf.gz"; tabix -p vcf "$data/cohort.vcf.gz"; }
[ -f "$data/wgs1m.vcf.gz" ] || python3 $gen --records 1000000 --samples 1 --seed 3 -o "$data/wgs1m.vcf.gz"
swift build -c release --product tailor >/dev/null
T=$PWD/.build/release/tailor
H="hyperfine --warmup 1 --runs ${RUNS:-5} --style basic --export-json"
for f in wgs cohort; do cat "$data/$f.vcf.gz" > /dev/null; done

$H "$data/results/wgs.json" \
  -n tailor-stats-t1 "$T vcf stats --threads 1 $data/wgs.vcf.gz" \
  -n tailor-stats-t2 "$T vcf stats --threads 2 $data/wgs.vcf.gz" \
  -n bcftools-stats "bcftools stats -s - $data/wgs.vcf.gz" \
  -n bcftools-view-Ou-t1 "bcftools view --threads 1 -Ou $data/wgs.vcf.gz" \
  -n bgzip-dc "bgzip -dc $data/wgs.vcf.gz" --output=null
$H "$data/results/cohort.json" \
  -n tailor-stats-t1 "$T vcf stats --threads 1 $data/cohort.vcf.gz" \
  -n tailor-stats-t2 "$T vcf stats --threads 2 $data/cohort.vcf.gz" \
  -n bcftools-stats "bcftools stats -s - $data/cohort.vcf.gz" \
  -n bcftools-view-Ou-t1 "bcftools view --threads 1 -Ou $data/cohort.vcf.gz" \
  -n plink2-make-pgen-t1 "plink2 --vcf $data/cohort.vcf.gz --make-pgen --out $data/results/pg --threads 1 --memory 4000" \
  -n bgzip-dc "bgzip -dc $data/cohort.vcf.gz" --output=null
hyperfine -N --warmup 2 --runs 20 --style basic --export-json "$data/results/region.json" \
  -n tailor-region-1Mb "$T vcf stats --region chr7:100000000-101000000 $data/wgs.vcf.gz" \
  -n bcftools-region-1Mb "bcftools stats -s - -r chr7:100000000-101000000 $data/wgs.vcf.gz" \
  -n tabix-region-1Mb "tabix $data/wgs.vcf.gz chr7:100000000-101000000" --output=null

echo "== peak memory (KB) as the file grows: 1 M vs 4.5 M records"
for f in wgs1m wgs; do /usr/bin/time -f "$f maxrss_kb=%M" "$T" vcf stats --threads 2 "$data/$f.vcf.gz" > /dev/null; done
echo "== in-memory index queries"
swift run -c release --package-path Benchmarks vcf-bench "$data/wgs.vcf.gz" 500 1000000 2>/dev/null
swift run -c release --package-path Benchmarks vcf-bench "$data/cohort.vcf.gz" 200 100000 2>/dev/null

python3 scripts/bench_summary.py "$data/results/wgs.json" "$data/results/cohort.json" "$data/results/region.json"
