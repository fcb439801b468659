#!/usr/bin/env bash
# Server benchmarks (issue #4 targets): authenticated patient-summary reads with wrk, on SQLite and on
# PostgreSQL, and genome upload throughput (streamed, encrypted, digested, then checked line by line).
#
#   scripts/bench_server.sh [BINARY] [POSTGRES_URL]
#
# Each wrk run is 15 s after a 5 s warm-up, repeated 3 times; the median is reported. The server and wrk
# share the machine's 2 cores. Every read is authorised, audited (hash-chained, committed before the answer)
# and runs 2 statements (the gate's and the summary's) plus its share of one audit statement per group. For a
# PostgreSQL on the same host, POSTGRES_URL may be its Unix socket (postgres+uds://…).
set -euo pipefail
BIN=${1:-.build/release/tailor}
PGURL=${2:-}
RUNS=${RUNS:-3}
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-16}
work=$(mktemp -d /tmp/tailor-bench.XXXXXX)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

source "$(dirname "$0")/lib/demo_server.sh"

reads() { # $1 = label
  local url="$base/api/v1/patients/pat_demo-alex"
  curl -sf "$url" -H "Authorization: Bearer $token" > /dev/null
  wrk -t2 -c"$CONNECTIONS" -d5s -H "Authorization: Bearer $token" "$url" > /dev/null
  local results=()
  for i in $(seq 1 "$RUNS"); do
    out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $token" "$url")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    echo "  $1 run $i: $rps req/s, p99 $p99${non2xx:+, NON-2XX $non2xx}"
    results+=("$rps $p99")
  done
  printf '%s\n' "${results[@]}" | sort -n | awk -v label="$1" '{a[NR]=$0} END {split(a[int((NR+1)/2)], m, " "); printf "%s median: %s req/s, p99 %s\n", label, m[1], m[2]}'
}

echo "== patient-summary reads (wrk -t2 -c$CONNECTIONS, ${DURATION}s x $RUNS)"
start_server "$work/sqlite"
reads "SQLite"
stop_server
if [ -n "$PGURL" ]; then
  start_server "$work/postgres" "$PGURL"
  reads "PostgreSQL"
  stop_server
fi

echo "== genome upload (streamed, encrypted, SHA-256, then every line checked), vs sha256sum of the same file"
python3 - "$work/genome.vcf" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    out.write("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=248956422>\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n")
    out.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\n")
    line = "chr1\t{}\trs{}\tA\tG\t60\tPASS\tDP=31;AF=0.5;MQ=60\tGT\t0/1\n"
    block = []
    for i in range(1, 12_000_001):
        block.append(line.format(i * 20, i))
        if len(block) == 200_000:
            out.write("".join(block)); block = []
    out.write("".join(block))
PY
size=$(stat -c %s "$work/genome.vcf")
# Each run uploads into a fresh install (a new server and data folder, the previous one deleted): this machine's
# disk slows down after a few GB of sustained writes, which consecutive uploads into one folder would measure
# instead of the server (BENCHMARKS.md shows both).
results=()
for i in $(seq 1 "$RUNS"); do
  rm -rf "$work/upload"
  start_server "$work/upload"
  t=$(curl -s -o "$work/upload.json" -w '%{time_total}' -X POST "$base/api/v1/patients/pat_demo-alex/datasets?kind=germline_vcf&filename=g.vcf" \
    -H "Authorization: Bearer $token" -H 'content-type: application/octet-stream' --data-binary @"$work/genome.vcf")
  stop_server
  grep -q '"dataset"' "$work/upload.json" || { cat "$work/upload.json"; exit 1; }
  s=$( { /usr/bin/time -f %e sha256sum "$work/genome.vcf" > /dev/null; } 2>&1 )
  mbps=$(python3 -c "print(f'{$size/1e6/$t:.0f}')")
  results+=("$mbps")
  echo "  run $i: $(python3 -c "print(f'{$size/1e6:.0f} MB in {$t:.2f} s = {$size/1e6/$t:.0f} MB/s; sha256sum alone {$s:.2f} s = {$size/1e6/$s:.0f} MB/s')")"
done
printf '%s\n' "${results[@]}" | sort -n | awk '{a[NR]=$1} END {print "upload median: " a[int((NR+1)/2)] " MB/s"}'
