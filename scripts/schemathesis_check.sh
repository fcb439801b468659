#!/usr/bin/env bash
# Checks the running server against its own OpenAPI document with schemathesis.
#
# Usage: scripts/schemathesis_check.sh TAILOR_BINARY [VENV]
#
#   TAILOR_BINARY  a built `tailor` (its resource bundles beside it: the document is served from them)
#   VENV           a Python venv with schemathesis installed (its bin/st is used); without one, `st` from PATH,
#                  else a throwaway venv with schemathesis $SCHEMATHESIS_VERSION is made
#
# It starts `tailor serve --demo` on a free port in a temporary data folder (bcrypt cost 4, a fixed administrator
# password), waits for its "listening" line, signs in as the demo clinician, patient (alex), researcher and the
# administrator, and runs schemathesis against /openapi.json once per token: every phase (examples, coverage,
# fuzzing, stateful) and every check. Each role sees different answers from the same routes (the access policy), so
# each run validates other responses against the document. The administrator runs last: it may disable accounts.
# The server is stopped on exit, whatever happens. Exit status: 0 when every run passes, 1 when any finds a
# failure, 2 when the server or the tools could not be set up.
#
# Environment (all optional):
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation and phase (default 25)
#   SCHEMATHESIS_SEED          seed (default 20261129), so a failure reproduces
#   SCHEMATHESIS_VERSION       version pip installs when no schemathesis is given (default 4.32.5)
#   SCHEMATHESIS_REPORT_DIR    where the JUnit reports go (default: in the temporary folder, kept on failure)
#   SCHEMATHESIS_EXTRA_EXCLUDE more checks to skip, comma-separated
#   SCHEMATHESIS_DATABASE_URL  an empty PostgreSQL database (postgres://…) to run against instead of SQLite in the
#                              temporary folder; it must be empty, as the demo and the fixed password load only there
#   STARTUP_TIMEOUT            seconds to wait for the server (default 180)
set -euo pipefail

usage() { echo "usage: $0 TAILOR_BINARY [VENV]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
[ -x "$1" ] || { echo "error: $1 is not an executable tailor binary" >&2; exit 2; }
TAILOR=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
VENV=${2:-}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-25}
SEED=${SCHEMATHESIS_SEED:-20261129}
VERSION=${SCHEMATHESIS_VERSION:-4.32.5}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-180}
ADMIN_PASSWORD=schemathesis-admin-1

# Every check runs (`--checks all`): not_a_server_error, status_code_conformance, content_type_conformance,
# response_headers_conformance, response_schema_conformance, negative_data_rejection, positive_data_acceptance,
# missing_required_header, unsupported_method, allow_header_conformance, use_after_free,
# ensure_resource_availability, ignored_auth, object_level_authorization. Response times are not checked
# (no --max-response-time): on a shared 2-core CI machine they are noise, not conformance. The per-operation
# allowances in the configuration below say where and why a check accepts more than its default.
EXCLUDE_ARGS=()
[ -n "${SCHEMATHESIS_EXTRA_EXCLUDE:-}" ] && EXCLUDE_ARGS=(--exclude-checks "$SCHEMATHESIS_EXTRA_EXCLUDE")

work=$(mktemp -d "${TMPDIR:-/tmp}/tailor-schemathesis.XXXXXX")
server_pid=""
st_pid=""
keep_work=0

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # Graceful shutdown first; after 20 s, force it.
    for _ in $(seq 1 40); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$server_pid" 2>/dev/null && kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}

cleanup() {
  local status=$?
  if [ -n "$st_pid" ] && kill -0 "$st_pid" 2>/dev/null; then
    kill -TERM "$st_pid" 2>/dev/null || true
    wait "$st_pid" 2>/dev/null || true
  fi
  stop_server
  if [ "$keep_work" = 1 ] || [ "$status" -ne 0 ]; then
    echo "kept $work (server log: $work/server.log)" >&2
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- schemathesis
if [ -n "$VENV" ]; then
  ST="$VENV/bin/st"
elif command -v st >/dev/null 2>&1 && st --version 2>/dev/null | grep -qi '^st, version'; then
  ST=$(command -v st)
else
  echo "== installing schemathesis $VERSION into a throwaway venv"
  python3 -m venv "$work/venv" || { echo "error: python3 -m venv failed" >&2; exit 2; }
  "$work/venv/bin/pip" install -q "schemathesis==$VERSION" || { echo "error: pip install schemathesis failed" >&2; exit 2; }
  ST="$work/venv/bin/st"
fi
[ -x "$ST" ] || { echo "error: no schemathesis at $ST" >&2; exit 2; }
PY=$(dirname "$ST")/python
[ -x "$PY" ] || PY=python3
echo "== $("$ST" --version)"

# --- server
echo "== starting $TAILOR serve --demo"
mkdir -p "$work/data"
: > "$work/server.log"
database_args=()
[ -n "${SCHEMATHESIS_DATABASE_URL:-}" ] && database_args=(--database "$SCHEMATHESIS_DATABASE_URL")
(
  cd "$work"
  # A fresh database (SQLite in the temporary folder unless one is given), whatever the environment points at;
  # plain-text logs, which the checks below read.
  unset TAILOR_DATABASE_URL TAILOR_HOST TAILOR_PORT TAILOR_DATA TAILOR_LOG_FORMAT TAILOR_ADMIN_PASSWORD
  exec env TAILOR_BCRYPT_COST=4 TAILOR_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
    "$TAILOR" serve --demo --host 127.0.0.1 --port 0 --data "$work/data" ${database_args[@]+"${database_args[@]}"} > "$work/server.log" 2>&1
) &
server_pid=$!

port=""
deadline=$((SECONDS + STARTUP_TIMEOUT))
while [ -z "$port" ]; do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "error: the server exited before listening:" >&2
    tail -n 40 "$work/server.log" >&2
    exit 2
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "error: no 'listening' line from the server within ${STARTUP_TIMEOUT}s:" >&2
    tail -n 40 "$work/server.log" >&2
    exit 2
  fi
  port=$(sed -n -E 's#^Tailor is listening on http://[^:]+:([0-9]+).*#\1#p' "$work/server.log" | head -n 1)
  [ -n "$port" ] || sleep 0.5
done
BASE="http://127.0.0.1:$port"
echo "== server listening on $BASE (pid $server_pid)"

# --- sign in; look up identifiers of the demo data for the generated requests
json_get() { "$PY" -c 'import json, sys; d = json.load(sys.stdin)
for part in sys.argv[1].split("/"):
    d = d[int(part)] if isinstance(d, list) else d[part]
print(d)' "$1"; }

login() {
  curl -sS --fail-with-body --max-time 30 "$BASE/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" | json_get token
}
api() { curl -sS --fail-with-body --max-time 30 -H "Authorization: Bearer $1" "$BASE$2"; }

CLINICIAN=$(login clinician demo-clinician) || { echo "error: clinician sign-in failed" >&2; exit 2; }
PATIENT=$(login alex demo-alex) || { echo "error: patient sign-in failed" >&2; exit 2; }
RESEARCHER=$(login researcher demo-researcher) || { echo "error: researcher sign-in failed" >&2; exit 2; }
ADMIN=$(login admin "$ADMIN_PASSWORD") || { echo "error: administrator sign-in failed" >&2; exit 2; }

# The demo analyses run in the background right after start: wait for pat_demo-alex's run to finish.
patient=pat_demo-alex
for _ in $(seq 1 120); do
  status=$(api "$CLINICIAN" "/api/v1/patients/$patient/runs" | json_get runs/0/status 2>/dev/null || true)
  [ "$status" = succeeded ] || [ "$status" = failed ] && break
  sleep 0.5
done
incomplete() { echo "error: the demo data is incomplete ($1)" >&2; exit 2; }
run_id=$(api "$CLINICIAN" "/api/v1/patients/$patient/runs" | json_get runs/0/id) || incomplete "no analysis run"
run_ids="\"$run_id\""

# Best effort, for the retry operation's 202: a VCF whose genotype the upload check lets through but the analysis
# refuses gives a failed run. (Should the upload check come to refuse it, retry is still tested, with its 409s.)
printf '##fileformat=VCFv4.2\n##reference=GRCh38\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\nchr10\t94781859\t.\tG\tA\t.\tPASS\t.\tGT\t0/7\n' > "$work/bad-genotype.vcf"
if curl -sS --fail --max-time 30 -o /dev/null -H "Authorization: Bearer $CLINICIAN" -H 'content-type: application/octet-stream' \
  --data-binary @"$work/bad-genotype.vcf" "$BASE/api/v1/patients/$patient/datasets?kind=germline_vcf&filename=bad-genotype.vcf" 2>/dev/null; then
  for _ in $(seq 1 60); do
    failed_run=$(api "$CLINICIAN" "/api/v1/patients/$patient/runs" | "$PY" -c \
      'import json, sys; print(next((r["id"] for r in json.load(sys.stdin)["runs"] if r["status"] == "failed"), ""))' 2>/dev/null || true)
    [ -n "$failed_run" ] && { run_ids="$run_ids, \"$failed_run\""; break; }
    sleep 0.5
  done
fi
findings=$(api "$CLINICIAN" "/api/v1/patients/$patient/findings" | "$PY" -c \
  'import json, sys; print(", ".join(json.dumps(f["id"]) for f in json.load(sys.stdin)["findings"][:5]))') || incomplete "findings"
users=$(api "$ADMIN" /api/v1/users) || incomplete "users"
staff=$(printf '%s' "$users" | "$PY" -c \
  'import json, sys; print(", ".join(json.dumps(u["id"]) for u in json.load(sys.stdin)["users"] if u["role"] in ("clinician", "genetic_counsellor")))')
counsellor=$(printf '%s' "$users" | "$PY" -c \
  'import json, sys; print(json.dumps([u["id"] for u in json.load(sys.stdin)["users"] if u["username"] == "counsellor"][0]))') || incomplete "counsellor"
[ -n "$run_id" ] && [ -n "$findings" ] && [ -n "$staff" ] || incomplete "empty"

# Part of the generated requests use identifiers that exist, so they reach past the 404 of a random ID: the demo
# patient (alex, whose account the patient run signs in with), their analysis runs and findings; staff accounts
# for care-team additions (only clinicians and counsellors may join one); the counsellor for the user-path
# operations (the administrator run may disable or re-password that account, which nothing here signs in as).
#
# Per-operation allowances, each because the document cannot say what the server rightly checks:
#  - uploadDataset: whether random bytes are a valid VCF, MAF or expression table is not a schema matter, so a
#    schema-valid body is properly refused with 422.
#  - pgxAggregate: `use=DUO:0000007` needs `disease`, a dependency between two query parameters that OpenAPI
#    parameters cannot state; the server's 400 for it is correct.
#  - createUser: `patientID` must name an existing patient (422 otherwise), and a patient account must name one
#    while other roles must not; a generated ID names no patient.
#  - addToCareTeam: only a clinician's or genetic counsellor's account may join (422 otherwise), a property of the
#    account the ID names; stateful runs pass IDs of accounts they created with other roles.
#  - addReadings: whether a reading is plausible (SBP above DBP, a timestamp not in the future, a unit that suits the
#    kind) is checked reading by reading; a batch whose every reading is refused is a 422, and a batch with some bad
#    readings stores the good ones and lists the refusals (200), so a schema-invalid element need not fail the batch.
#  - decideGoal: the version must be the goal's current one and the goal's state must allow the decision (409), and
#    a care-team member must say they record the patient's own decision (422): state and role, not schema.
#  - putFactors: a FHIR body (QuestionnaireResponse, Observation, Bundle) is checked answer by answer against the
#    factor catalogue, which a generic object schema cannot state (422 for answers it refuses).
#  - fhirImportBundle: whether each entry is a FHIR resource Tailor can store, and refers to a Patient in the same
#    bundle, is checked entry by entry (422 with an OperationOutcome naming the entry), beyond what a schema can say.
#  - getCarePlan / saveCarePlan: a plan needs the patient's birth date and a sex of female or male (422 otherwise),
#    facts of the record, not of the request.
cat > "$work/schemathesis.toml" <<EOF
[dictionaries]
patients = { values = ["$patient"] }
runs = { values = [$run_ids] }
findings = { values = [$findings] }
staff = { values = [$staff] }
counsellor = { values = [$counsellor] }

# A body over the 1 MiB JSON limit is refused with 413 before it is read: a rejection like 400/422.
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]

[parameters]
"path.patientID" = { dictionary = "patients", probability = 0.6 }
"path.runID" = { dictionary = "runs", probability = 0.6 }
"path.findingID" = { dictionary = "findings", probability = 0.6 }
"path.userID" = { dictionary = "counsellor", probability = 0.5 }
"body.userID" = { dictionary = "staff", probability = 0.6 }

[[operations]]
include-operation-id = "uploadDataset"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

[[operations]]
include-operation-id = "pgxAggregate"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]

[[operations]]
include-operation-id = "createUser"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

[[operations]]
include-operation-id = "addReadings"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "413", "422", "429", "5xx"]
checks.negative_data_rejection.enabled = false

[[operations]]
include-operation-id = "fhirImportBundle"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

[[operations]]
include-operation-id = "putFactors"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

[[operations]]
include-operation-id = "decideGoal"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

[[operations]]
include-operation-id = "getCarePlan"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "422", "429", "5xx"]

[[operations]]
include-operation-id = "saveCarePlan"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "422", "429", "5xx"]

[[operations]]
include-operation-id = "addToCareTeam"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
EOF

# --- schemathesis, once per role
report_dir=${SCHEMATHESIS_REPORT_DIR:-$work/report}
mkdir -p "$report_dir"
failed=0
run_as() {
  local role=$1 token=$2
  echo
  echo "== schemathesis as $role: $BASE/openapi.json, --max-examples $MAX_EXAMPLES --seed $SEED"
  set +e
  # One worker: runs stay reproducible for a seed, and Hypothesis's source inspection crashes with two threads on
  # some CPython 3.11 builds ("AST constructor recursion depth mismatch"). Hypothesis keeps its example database
  # in the working folder, the temporary one.
  local args=(--config-file "$work/schemathesis.toml" run "$BASE/openapi.json" --checks all
    ${EXCLUDE_ARGS[@]+"${EXCLUDE_ARGS[@]}"} -H "Authorization: Bearer $token"
    --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 1 --request-timeout 30 --no-color
    --report junit --report-junit-path "$report_dir/$role.xml")
  { printf '$ st'; printf ' %q' "${args[@]}"; echo; } | sed -E 's/Bearer\\ [^ ]+/Bearer\\ <token>/'
  # In the background and waited for, so a signal to this script is handled at once (the trap stops it too).
  (cd "$work" && exec "$ST" "${args[@]}") &
  st_pid=$!
  wait "$st_pid"
  local status=$?
  st_pid=""
  set -e
  if [ "$status" -ne 0 ]; then
    echo "== schemathesis as $role: FAILED (exit $status)"
    failed=1
  else
    echo "== schemathesis as $role: passed"
  fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "error: the server died during the $role run:" >&2
    tail -n 40 "$work/server.log" >&2
    exit 1
  fi
}

run_as clinician "$CLINICIAN"
run_as patient "$PATIENT"
run_as researcher "$RESEARCHER"
run_as administrator "$ADMIN"

# Which documented operations answered with success at least once, from the server's duration histogram (it
# times only answers that were not thrown as errors, so 2xx are exact there). An operation that never did had only
# its error answers checked against the document.
if curl -sS --max-time 30 "$BASE/metrics" > "$report_dir/metrics.txt" && curl -sS --max-time 30 "$BASE/openapi.json" > "$work/openapi.json"; then
  "$PY" - "$work/openapi.json" "$report_dir/metrics.txt" <<'PYEOF' || true
import json, re, sys
doc = json.load(open(sys.argv[1]))
seen = {}
for line in open(sys.argv[2]):
    m = re.match(r'http_server_request_duration_count\{http_route="([^"]+)",http_request_method="([A-Z]+)",http_response_status_code="(\d+)"\} (\S+)', line)
    if m and float(m.group(4)) > 0 and int(m.group(3)) < 400:
        seen.setdefault((m.group(2), m.group(1)), set()).add(m.group(3))
ops = [(method.upper(), path) for path, item in doc["paths"].items() for method in item if method in ("get", "put", "post", "patch", "delete")]
never = [f"{m} {p}" for m, p in ops if (m, p) not in seen]
print(f"coverage: {len(ops) - len(never)}/{len(ops)} operations answered 2xx at least once")
for op in never:
    print(f"  never 2xx: {op}")
PYEOF
fi

# A 5xx is already a failure above; this also names the server's own record of any.
if grep -q 'request failed' "$work/server.log"; then
  echo "server log: requests that failed with a server error (count, error):"
  grep 'request failed' "$work/server.log" | sed -E 's/^.*error=//; s/ hb\.request\.id=[^ ]*//' | cut -c1-200 | sort | uniq -c | sort -rn | head -n 20
  failed=1
fi

stop_server
if [ "$failed" -ne 0 ]; then
  keep_work=1
  echo "schemathesis: FAILED (reports in $report_dir)"
  exit 1
fi
echo "schemathesis: passed for clinician, patient, researcher and administrator"
