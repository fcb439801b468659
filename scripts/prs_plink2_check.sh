#!/usr/bin/env bash
# Checks `tailor prs score` against plink2 --score on the PGS test data in ../shared/data/pgs (issue #8):
# 1. the brief's naive baseline: plink2 matching PGS001229_22 by rsID after dropping A/T and C/G rows, on the
#    2,504-sample CINECA VCF, must give the same sums as Tailor's pgsc_calc-style matching (782 variants);
# 2. the same with the duplicate scorefile (rs5746679 with the opposite effect allele) scored in the same pass;
# 3. dominant and recessive effect types, against plink2's `dominant` / `recessive` modifiers.
# Usage: scripts/prs_plink2_check.sh TAILOR_BINARY [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
T=$1
W=${2:-$(mktemp -d)}
S=../shared/data/pgs
V=$S/target_genomes/cineca_synthetic_subset.vcf.gz
mkdir -p "$W"
noamb() { grep -v '^#' "$1" | awk -F'\t' -v e="$2" -v o="$3" 'NR==1 || !(($e=="A"&&$o=="T")||($e=="T"&&$o=="A")||($e=="C"&&$o=="G")||($e=="G"&&$o=="C"))'; }

echo "== 1. PGS001229_22 on the CINECA VCF (2,504 samples)"
noamb $S/scorefiles/PGS001229_22.txt 4 5 > "$W/p1.tsv"
plink2 --vcf $V --score "$W/p1.tsv" 1 4 6 header cols=+scoresums,+denom no-mean-imputation --out "$W/p1" > /dev/null
"$T" prs score --vcf $V --score $S/scorefiles/PGS001229_22.txt --missing no-mean-imputation --tsv > "$W/t1.tsv"
python3 scripts/prs_compare.py "$W/t1.tsv" "$W/p1.sscore"

echo "== 2. the duplicate scorefile in the same pass"
noamb $S/scorefiles/PGS001229_22_duplicate.txt 4 5 > "$W/p2.tsv"
plink2 --vcf $V --score "$W/p2.tsv" 1 4 6 header cols=+scoresums,+denom no-mean-imputation --out "$W/p2" > /dev/null
"$T" prs score --vcf $V --score $S/scorefiles/PGS001229_22.txt $S/scorefiles/PGS001229_22_duplicate.txt --missing no-mean-imputation --tsv \
  | awk -F'\t' 'NR==1 || $4!="PGS001229"' > "$W/t2.tsv"
python3 scripts/prs_compare.py "$W/t2.tsv" "$W/p2.sscore"

echo "== 3. dominant and recessive effect types"
# plink2 needs variant IDs: give the VCF's records chr:pos IDs and the score rows the same.
D=$S/scorefiles/scorefile_dominant_and_recessive.txt
for kind in dominant recessive additive; do
  grep -v '^#' $D | awk -F'\t' -v k=$kind 'NR==1{next} {amb=($3=="A"&&$4=="T")||($3=="T"&&$4=="A")||($3=="C"&&$4=="G")||($3=="G"&&$4=="C")} !amb && ((k=="dominant"&&$6=="TRUE")||(k=="recessive"&&$7=="TRUE")||(k=="additive"&&$6!="TRUE"&&$7!="TRUE")) {print $1":"$2"\t"$3"\t"$5}' > "$W/p3-$kind.tsv"
  mod=$([ $kind = additive ] && echo "" || echo $kind)
  plink2 --vcf $V --set-all-var-ids '@:#' --score "$W/p3-$kind.tsv" 1 2 3 cols=+scoresums,+denom no-mean-imputation $mod --out "$W/p3-$kind" > /dev/null
done
"$T" prs score --vcf $V --score $D --missing no-mean-imputation --tsv > "$W/t3.tsv"
# plink2 counts each variant's alleles once per run; three runs count them three times, so compare sums only
# through the additive run's denominator (every matched variant is in exactly one run).
python3 - "$W" <<'PY'
import sys
w = sys.argv[1]
def plink(path):
    out = {}
    with open(path) as f:
        h = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = line.rstrip("\n").split("\t")
            out[r[h.index("#IID")]] = (float(r[h.index("SCORE1_SUM")]), int(r[h.index("ALLELE_CT")]))
    return out
runs = [plink(f"{w}/p3-{k}.sscore") for k in ("dominant", "recessive", "additive")]
bad = 0
with open(f"{w}/t3.tsv") as f:
    h = f.readline().rstrip("\n").split("\t")
    for line in f:
        r = line.rstrip("\n").split("\t")
        iid, s, d = r[h.index("IID")], float(r[h.index("SUM")]), int(r[h.index("DENOM")])
        ps = sum(run[iid][0] for run in runs)
        pc = sum(run[iid][1] for run in runs)
        if abs(s - ps) > max(1e-6, 5e-6 * abs(ps)) * 3 or d != pc:
            bad += 1
            if bad < 5: print("MISMATCH", iid, s, d, ps, pc)
print(f"{len(runs[0])} samples compared (dominant + recessive + additive runs summed); mismatches {bad}")
sys.exit(1 if bad else 0)
PY
echo "plink2 agreement: OK"
