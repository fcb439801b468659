#!/usr/bin/env bash
# CDS Hooks order-select benchmark (issue #5 target: p99 < 10 ms at 500 requests/s on 2 cores, zero errors).
#
#   scripts/bench_cds.sh BINARY [PYTHON]
#
# BINARY is a release `tailor`; PYTHON one with `cryptography` and `pyjwt` (default /tmp/tailor-venv/bin/python).
# Starts `tailor serve --demo` (SQLite) with an ES384 CDS client, then drives POST /cds-services/tailor-pgx-order-select
# with Debian's wrk (which has no -R): each of CONNECTIONS connections waits a think time after every answer (wrk's Lua
# `delay()`), so the offered rate is about CONNECTIONS x 1000 / (DELAY_MS + latency) ≈ 500/s (50 x 1000 / (95 + ~5) ms).
# ARRIVALS=exponential (the default) draws each think time from an exponential distribution with mean DELAY_MS, the
# usual model of independent users (TPC-C's think times): 50 clinicians ordering independently arrive close to a Poisson
# stream. ARRIVALS=fixed waits exactly DELAY_MS, which makes the connections fall into step after any pause and arrive
# in bursts of up to CONNECTIONS at once (a harsher, less realistic load; its figures are recorded too). Every request is the
# realistic EHR call: the EHR's own patient id with the `patient` prefetch (matched by MRN), clopidogrel drafted for
# the CYP2C19 poor metaboliser, answered with one critical card. Every request carries its own pre-signed JWT (a
# distinct jti: replay protection stays on), so signature verification is part of the cost. Each paced run is
# DURATION s, RUNS times; then RUNS unpaced runs (MAX_CONNECTIONS connections, no delay) give the maximum throughput.
# Medians are reported. wrk, the token files and the server share the machine's cores.
set -euo pipefail
BIN=${1:?usage: $0 BINARY [PYTHON]}
PY=${2:-/tmp/tailor-venv/bin/python}
RUNS=${RUNS:-3}
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-50}
DELAY_MS=${DELAY_MS:-95}
ARRIVALS=${ARRIVALS:-exponential}
MAX_CONNECTIONS=${MAX_CONNECTIONS:-16}
MAX_RATE_GUESS=${MAX_RATE_GUESS:-4000}
work=$(mktemp -d /tmp/tailor-bench-cds.XXXXXX)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$PY" - "$work" <<'PY'
import json, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
key = ec.generate_private_key(ec.SECP384R1())
open(f"{sys.argv[1]}/key.pem", "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
json.dump([{"iss": "https://bench-ehr.example", "publicKeyPEM": public, "actingUser": "clinician"}], open(f"{sys.argv[1]}/clients.json", "w"))
PY
export TAILOR_CDS_CLIENTS="$work/clients.json"
source "$(dirname "$0")/lib/demo_server.sh"
start_server "$work/sqlite"
for _ in $(seq 1 240); do
  curl -sf "$base/api/v1/patients/pat_demo-alex/runs" -H "Authorization: Bearer $token" | grep -q '"succeeded"' && break
  sleep 0.5
done
url="$base/cds-services/tailor-pgx-order-select"

# The request body: the EHR's id "ehr-alex", the patient prefetch as Tailor's FHIR API gives it (MRN DEMO-ALEX).
curl -sf "$base/fhir/r4/Patient/pat-demo-alex" -H "Authorization: Bearer $token" | "$PY" -c '
import json, sys, uuid
patient = json.load(sys.stdin) | {"id": "ehr-alex"}
print(json.dumps({"hook": "order-select", "hookInstance": str(uuid.uuid4()), "context": {"userId": "Practitioner/1", "patientId": "ehr-alex",
  "selections": ["MedicationRequest/d1"], "draftOrders": {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
  "resourceType": "MedicationRequest", "id": "d1", "status": "draft", "intent": "order", "medicationCodeableConcept": {"coding": [
  {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "309362", "display": "Clopidogrel 75 MG Oral Tablet"}]}}}]}},
  "prefetch": {"patient": patient}}))' > "$work/body.json"

tokens() { # $1 = file prefix, $2 = count per wrk thread: distinct-jti ES384 tokens for the order-select URL
  "$PY" - "$work/key.pem" "$url" "$1" "$2" <<'PY'
import sys, time, uuid, jwt
from cryptography.hazmat.primitives import serialization
key = serialization.load_pem_private_key(open(sys.argv[1], "rb").read(), password=None)
now = int(time.time())
for thread in (1, 2):
    with open(f"{sys.argv[3]}.{thread}", "w") as out:
        for _ in range(int(sys.argv[4])):
            claims = {"iss": "https://bench-ehr.example", "aud": sys.argv[2], "exp": now + 1800, "iat": now, "jti": str(uuid.uuid4())}
            out.write(jwt.encode(claims, key, algorithm="ES384") + "\n")
PY
}

cat > "$work/cds.lua" <<'LUA'
-- One pre-signed token per request (thread t reads TOKENS.t); a think time of DELAY ms (fixed, or exponential with that
-- mean) between a connection's requests.
local counter = 1
local threads = {}
function setup(thread) table.insert(threads, thread); thread:set("id", #threads) end
function init(args)
  prefix, delay_ms, exponential = args[1], tonumber(args[2]), args[4] == "exponential"
  math.randomseed(os.time() * 31 + id)
  body = io.open(args[3]):read("*a")
  tokens = {}
  for line in io.lines(prefix .. "." .. id) do tokens[#tokens + 1] = line end
  exhausted, nocard = 0, 0
end
function request()
  local token = tokens[counter]
  if token == nil then exhausted = exhausted + 1; token = tokens[1] end
  counter = counter + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
function delay()
  if exponential and delay_ms > 0 then return -math.log(1 - math.random()) * delay_ms end
  return delay_ms
end
function response(status, headers, body)
  if status == 200 and not string.find(body, '"indicator":"critical"', 1, true) then nocard = nocard + 1 end
end
function done(summary, latency, requests)
  local e, n = 0, 0
  for _, t in ipairs(threads) do e = e + t:get("exhausted"); n = n + t:get("nocard") end
  io.write(string.format("LUA exhausted=%d nocard=%d\n", e, n))
end
LUA

run() { # $1 = label, $2 = connections, $3 = delay ms, $4 = tokens per thread
  tokens "$work/tokens" "$4"
  wrk -t2 -c"$2" -d"${DURATION}s" --latency --timeout 5s -s "$work/cds.lua" "$url" -- "$work/tokens" "$3" "$work/body.json" "$ARRIVALS" > "$work/wrk.out"
  local rps p50 p99 max errs non2xx lua
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.out")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.out")
  max=$(awk '$1=="Latency" {print $4}' "$work/wrk.out")
  errs=$(awk '/Socket errors/ {print $0}' "$work/wrk.out")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$work/wrk.out")
  lua=$(grep '^LUA' "$work/wrk.out" | cut -c5-)
  echo "  $1: $rps req/s, p50 $p50, p99 $p99, max $max, non-2xx ${non2xx:-0}${errs:+, $errs}, $lua"
  echo "$rps $p99 ${non2xx:-0} $lua" >> "$work/$1.results"
}

to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}'; }
median() { # $1 = label
  local rps p99
  rps=$(awk '{print $1}' "$work/$1.results" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  p99=$(awk '{print $2}' "$work/$1.results" | while read -r v; do echo "$v" | to_ms; echo; done | sort -n | awk 'NF {a[++n]=$1} END {print a[int((n+1)/2)]}')
  errors=$(awk '{s+=$3} END {print s+0}' "$work/$1.results")
  echo "$1 median of $RUNS: $rps req/s, p99 $p99 ms, non-2xx total $errors"
}

echo "== CDS Hooks order-select, $(nproc) cores shared by server and wrk; ${DURATION}s per run; $ARRIVALS think times (mean ${DELAY_MS} ms)"
# Warm-up (caches, SQLite pages, the verifier's keys).
DURATION_SAVED=$DURATION; DURATION=5
run warmup "$CONNECTIONS" "$DELAY_MS" 2000 > /dev/null
DURATION=$DURATION_SAVED
per_thread=$(( (500 * DURATION * 12 / 10) / 2 + 500 ))
for i in $(seq 1 "$RUNS"); do run "paced" "$CONNECTIONS" "$DELAY_MS" "$per_thread"; done
median paced
per_thread=$(( MAX_RATE_GUESS * DURATION / 2 ))
for i in $(seq 1 "$RUNS"); do run "unpaced" "$MAX_CONNECTIONS" 0 "$per_thread"; done
median unpaced
stop_server
