#!/usr/bin/env bash
# Monitoring ingest benchmark (issue #9 target: >= 50,000 readings/s on SQLite, >= 20,000/s on PostgreSQL through
# the batch API). Starts `tailor serve --demo`, signs in as the demo clinician and POSTs batches of home readings
# (blood pressure, glucose, weight, steps; 10,000 per request by default) to /api/v1/patients/pat_demo-alex/readings,
# as JSON and as NDJSON. Every request is authorised, validated reading by reading, de-duplicated and audited, and
# commits in one transaction before the answer. Reports the median readings/s of RUNS batches per format.
#
#   scripts/bench_readings.sh [BINARY] [POSTGRES_URL]
set -euo pipefail
BIN=${1:-.build/release/tailor}
PGURL=${2:-}
RUNS=${RUNS:-7}
BATCH=${BATCH:-10000}
work=$(mktemp -d /tmp/tailor-readings.XXXXXX)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# Batches with disjoint timestamps (one reading a minute per kind, going back from 2026-01-01), so none is a duplicate.
python3 - "$work" "$RUNS" "$BATCH" <<'PY'
import json, sys
work, runs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
start = 1767225600000  # 2026-01-01T00:00:00Z
for fmt in ("json", "ndjson"):
    for run in range(runs + 1):  # +1 warm-up batch
        readings = []
        for i in range(batch):
            n = (run * batch + i) + (0 if fmt == "json" else 10_000_000)
            at = start - n * 60_000
            k = i % 4
            if k == 0:
                r = {"kind": "blood-pressure", "at": at, "systolic": 118 + n % 30, "diastolic": 72 + n % 15, "unit": "mmHg", "source": "home"}
            elif k == 1:
                r = {"kind": "glucose", "at": at, "value": 5.2 + (n % 40) / 10, "unit": "mmol/L", "source": "home"}
            elif k == 2:
                r = {"kind": "weight", "at": at, "value": 80 + (n % 50) / 10, "unit": "kg", "source": "device"}
            else:
                r = {"kind": "steps", "at": at, "value": 4000 + n % 6000, "unit": "/d", "source": "device"}
            readings.append(r)
        with open(f"{work}/{fmt}-{run}", "w") as f:
            if fmt == "json":
                json.dump({"readings": readings}, f)
            else:
                f.write("\n".join(json.dumps(r) for r in readings) + "\n")
PY

source "$(dirname "$0")/lib/demo_server.sh"

ingest() { # $1 = label, $2 = format (json|ndjson)
  local type=application/json
  [ "$2" = ndjson ] && type=application/x-ndjson
  local url="$base/api/v1/patients/pat_demo-alex/readings"
  local rates=()
  for run in $(seq 0 "$RUNS"); do
    out=$(curl -s -w '\n%{http_code} %{time_total}' -X POST "$url" -H "Authorization: Bearer $token" -H "content-type: $type" \
      --data-binary "@$work/$2-$run")
    status=$(echo "$out" | tail -1 | cut -d' ' -f1)
    seconds=$(echo "$out" | tail -1 | cut -d' ' -f2)
    body=$(echo "$out" | head -n -1)
    [ "$status" = 200 ] || [ "$status" = 201 ] || { echo "  $1 $2: HTTP $status: ${body:0:300}"; exit 1; }
    accepted=$(echo "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accepted"])')
    [ "$accepted" = "$BATCH" ] || { echo "  $1 $2: accepted $accepted of $BATCH: ${body:0:300}"; exit 1; }
    [ "$run" = 0 ] && continue  # warm-up
    rate=$(python3 -c "print(int($BATCH / $seconds))")
    echo "  $1 $2 batch $run: $BATCH readings in ${seconds}s = $rate readings/s"
    rates+=("$rate")
  done
  printf '%s\n' "${rates[@]}" | sort -n | awk -v label="$1 $2" '{a[NR]=$1} END {printf "%s median: %s readings/s (%d batches of '"$BATCH"')\n", label, a[int((NR+1)/2)], NR}'
}

echo "== monitoring ingest (POST …/readings, $BATCH readings per request, $RUNS batches after a warm-up)"
start_server "$work/sqlite"
ingest SQLite json
ingest SQLite ndjson
stop_server
if [ -n "$PGURL" ]; then
  start_server "$work/postgres" "$PGURL"
  ingest PostgreSQL json
  ingest PostgreSQL ndjson
  stop_server
fi
