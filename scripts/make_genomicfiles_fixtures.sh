#!/usr/bin/env bash
# Regenerates Tests/GenomicFilesTests/Fixtures: small synthetic VCFs in every container, their indexes,
# deliberately damaged copies, and bcftools' own statistics as the golden answers.
# Needs: python3, bgzip and tabix (htslib), bcftools; and ../shared/tools/gen_vcf.py beside the checkout.
# The data are synthetic (random bases from gen_vcf.py), so they carry no licence restriction.
set -euo pipefail
cd "$(dirname "$0")/.."
out=Tests/GenomicFilesTests/Fixtures
gen=../shared/tools/gen_vcf.py
mkdir -p "$out"
rm -f "$out"/*.vcf "$out"/*.gz "$out"/*.tbi "$out"/*.csi "$out"/*.bcf "$out"/*.txt

# 1. The main fixture: 3 samples, multi-allelic sites, missing and phased calls, symbolic deletions with END.
python3 "$gen" --records 3000 --samples 3 --seed 7 --multiallelic 0.08 --missing 0.08 --phased 0.2 --sv 0.02 -o "$out/sample.vcf"
bgzip -c "$out/sample.vcf" > "$out/sample.vcf.gz"
tabix -p vcf "$out/sample.vcf.gz"
cp "$out/sample.vcf.gz" "$out/sample-csi.vcf.gz"
tabix -C -p vcf "$out/sample-csi.vcf.gz"
gzip -9 -n -c "$out/sample.vcf" > "$out/sample.plain.vcf.gz"
bcftools view -Ob -o "$out/sample.bcf" "$out/sample.vcf" 2>/dev/null
bcftools stats -s - "$out/sample.vcf" | grep -E '^(SN|TSTV|PSC)' > "$out/sample.bcftools-stats.txt"
region=chr2:10000000-60000000
bcftools stats -s - -r "$region" "$out/sample.vcf.gz" | grep -E '^(SN|TSTV|PSC)' > "$out/sample.region.bcftools-stats.txt"
echo "$region" > "$out/sample.region.txt"

# 2. A region query must return a deletion that starts before the region but spans into it (INFO/END).
{
  grep '^##' "$out/sample.vcf" | grep -v '^##INFO=<ID=END' 
  echo '##INFO=<ID=END,Number=1,Type=Integer,Description="End position">'
  grep '^#CHROM' "$out/sample.vcf"
  printf 'chr5\t1000\tsv1\tN\t<DEL>\t.\tPASS\tEND=900000;SVTYPE=DEL\tGT:AD:DP:GQ\t0/1:.:.:.\t0/0:.:.:.\t0/0:.:.:.\n'
  printf 'chr5\t500000\t.\tA\tG\t50\tPASS\tAF=0.5;DP=10\tGT:AD:DP:GQ\t0/1:5,5:10:40\t0/0:9,0:9:30\t1/1:0,8:8:20\n'
  printf 'chr5\t2000000\t.\tC\tT\t50\tPASS\tAF=0.5;DP=10\tGT:AD:DP:GQ\t0/1:5,5:10:40\t0/0:9,0:9:30\t1/1:0,8:8:20\n'
} > "$out/spanning.vcf"
bgzip -c "$out/spanning.vcf" > "$out/spanning.vcf.gz"
tabix -p vcf "$out/spanning.vcf.gz"

# 3. Damage. A bad POS at data line 2500 (file line = header lines + 2500), deep in a later BGZF block.
header_lines=$(grep -c '^#' "$out/sample.vcf")
awk -v n=$((header_lines + 2500)) 'BEGIN{FS=OFS="\t"} NR==n{$2="12x"} {print}' "$out/sample.vcf" | bgzip -c > "$out/bad-line.vcf.gz"
echo $((header_lines + 2500)) > "$out/bad-line.txt"
# Three bad lines for lenient mode: a short line, a bad GT, a non-numeric QUAL.
awk -v h=$header_lines 'BEGIN{FS=OFS="\t"}
  NR==h+10 {print $1, $2; next}
  NR==h+20 {$10="0/9:1,1:2:3"}
  NR==h+30 {$6="high"}
  NR<=h+300 {print}' "$out/sample.vcf" > "$out/bad-lines.vcf"
printf '%s\n' $((header_lines + 10)) $((header_lines + 20)) $((header_lines + 30)) > "$out/bad-lines.txt"
size=$(stat -c %s "$out/sample.vcf.gz")
head -c $((size - 28)) "$out/sample.vcf.gz" > "$out/no-eof.vcf.gz"
head -c $((size / 2)) "$out/sample.vcf.gz" > "$out/truncated.vcf.gz"
# CRLF line endings, a header-only file, an empty file, a FASTA file.
head -n $((header_lines + 200)) "$out/sample.vcf" | sed 's/$/\r/' > "$out/crlf.vcf"
grep '^#' "$out/sample.vcf" > "$out/header-only.vcf"
: > "$out/empty.vcf"
printf '>chr1\nACGTACGTACGT\n' > "$out/not-a-vcf.fa"
ls -l "$out"
