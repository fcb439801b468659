#!/usr/bin/env bash
# schemathesis against the CDS Hooks 2.0 OpenAPI document (../shared/data/cds-hooks-examples/openapi-cds-hooks-2.0.json),
# pointed at `tailor serve --demo` with a registered CDS client: zero server errors is the target (issue #5).
#
# Usage: scripts/cds_schemathesis_check.sh TAILOR_BINARY VENV [OPENAPI_JSON]
#
#   TAILOR_BINARY  a built `tailor`
#   VENV           a Python venv with schemathesis 4.32.5 and pyjwt[crypto] (CI's /tmp/tailor-venv)
#   OPENAPI_JSON   the CDS Hooks document (default ../shared/data/cds-hooks-examples/openapi-cds-hooks-2.0.json)
#
# It makes an ES384 key, registers it as a CDS client acting as the demo clinician (TAILOR_CDS_CLIENTS), starts the
# server on a free port in a temporary folder, and runs every phase and check of schemathesis with a hooks file
# (scripts/lib/cds_schemathesis_hooks.py) whose auth provider signs a fresh JWT per request: a new jti each time,
# since the server refuses a replayed one (that protection stays on), and aud = the exact URL called.
#
# Environment (optional): SCHEMATHESIS_MAX_EXAMPLES (default 30), SCHEMATHESIS_SEED (default 20261206),
# STARTUP_TIMEOUT (default 180). Exit 0 when schemathesis passes and the server logged no failed request.
set -euo pipefail
[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: $0 TAILOR_BINARY VENV [OPENAPI_JSON]" >&2; exit 2; }
TAILOR=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
VENV=$2
HERE=$(cd "$(dirname "$0")" && pwd)
DOC=$(cd "$(dirname "${3:-$HERE/../../shared/data/cds-hooks-examples/openapi-cds-hooks-2.0.json}")" && pwd)/$(basename "${3:-openapi-cds-hooks-2.0.json}")
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-30}
SEED=${SCHEMATHESIS_SEED:-20261206}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-180}
[ -x "$TAILOR" ] && [ -x "$VENV/bin/st" ] && [ -f "$DOC" ] || { echo "error: need the binary, $VENV/bin/st and $DOC" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tailor-cds-schemathesis.XXXXXX")
server_pid=""
cleanup() {
  local status=$?
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ "$status" -ne 0 ]; then echo "kept $work (server log: $work/server.log)" >&2; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT

ISS=https://schemathesis-ehr.example
"$VENV/bin/python" - "$work" "$ISS" <<'PY'
import json, sys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
work, iss = sys.argv[1], sys.argv[2]
key = ec.generate_private_key(ec.SECP384R1())
open(f"{work}/key.pem", "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
json.dump([{"iss": iss, "publicKeyPEM": public, "actingUser": "clinician"}], open(f"{work}/clients.json", "w"))
PY

mkdir -p "$work/data"
(
  cd "$work"
  unset TAILOR_DATABASE_URL TAILOR_HOST TAILOR_PORT TAILOR_DATA TAILOR_LOG_FORMAT TAILOR_CDS_BASE_URL
  exec env TAILOR_BCRYPT_COST=4 TAILOR_ADMIN_PASSWORD=cds-schemathesis-1 TAILOR_CDS_CLIENTS="$work/clients.json" \
    "$TAILOR" serve --demo --host 127.0.0.1 --port 0 --data "$work/data" > "$work/server.log" 2>&1
) &
server_pid=$!
port=""
deadline=$((SECONDS + STARTUP_TIMEOUT))
while [ -z "$port" ]; do
  kill -0 "$server_pid" 2>/dev/null || { echo "error: the server exited:" >&2; tail -n 40 "$work/server.log" >&2; exit 2; }
  [ "$SECONDS" -lt "$deadline" ] || { echo "error: the server did not start" >&2; exit 2; }
  port=$(sed -n -E 's#^Tailor is listening on http://[^:]+:([0-9]+).*#\1#p' "$work/server.log" | head -n 1)
  [ -n "$port" ] || sleep 0.5
done
BASE="http://127.0.0.1:$port"
echo "== server listening on $BASE"

# The service ids and demo patients (Tailor ids, which need no prefetch) are offered to the generator, so most
# requests reach the service rather than a 404. Allowances, each because the generic document cannot say it:
#  - callService, positive data: a schema-valid call can still be refused with 400 (the hook must be the service's
#    hook, hookInstance a UUID, selections Type/id references present in draftOrders, fhirServer a string), 404 (an
#    id naming no service), 412 (an EHR patient id without the patient prefetch that would match it) or 422 (the
#    prefetched Patient's identifiers disagree with the record): all documented for this operation.
#  - feedback, positive data: the card id is any string, but outcomeTimestamp must be an ISO 8601 instant and
#    acceptedSuggestions present when accepted: 400 as documented; 404 for an unknown service.
cat > "$work/schemathesis.toml" <<EOF
[dictionaries]
services = { values = ["tailor-pgx-order-select", "tailor-pgx-order-sign", "tailor-pgx-patient-view"] }

[parameters]
"path.id" = { dictionary = "services", probability = 0.8 }

[[operations]]
include-operation-id = "callService"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404", "412", "422"]

[[operations]]
include-operation-id = "feedback"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404"]
EOF

echo "== schemathesis $("$VENV/bin/st" --version | awk '{print $NF}'): $DOC against $BASE, --max-examples $MAX_EXAMPLES --seed $SEED"
set +e
(cd "$work" && exec env CDS_BASE="$BASE" CDS_ISS="$ISS" CDS_KEY="$work/key.pem" SCHEMATHESIS_HOOKS=cds_schemathesis_hooks \
  PYTHONPATH="$HERE/lib${PYTHONPATH:+:$PYTHONPATH}" \
  "$VENV/bin/st" --config-file "$work/schemathesis.toml" run "$DOC" --url "$BASE" --checks all \
  --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 1 --request-timeout 30 --no-color)
status=$?
set -e
if grep -q 'request failed' "$work/server.log"; then
  echo "server log: requests that failed with a server error:"
  grep 'request failed' "$work/server.log" | cut -c1-240 | sort | uniq -c | sort -rn | head -n 20
  status=1
fi
# How the server answered, from its request counters (route, status → count): 5xx must be absent.
curl -sS --max-time 30 "$BASE/metrics" | sed -n -E 's/^http_server_request_duration_count\{http_route="(\/cds-services[^"]*)",http_request_method="([A-Z]+)",http_response_status_code="([0-9]+)"\} ([0-9.]+)/  \2 \1 \3: \4/p' | sort || true
echo "cds schemathesis: $([ "$status" -eq 0 ] && echo passed || echo FAILED)"
exit "$status"
