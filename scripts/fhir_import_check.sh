#!/usr/bin/env bash
# Times `tailor import fhir` over a folder of FHIR Bundles (default: the 60 shared Synthea records) into a fresh
# SQLite data folder (or the PostgreSQL database given as FHIR_IMPORT_DATABASE_URL), then imports the same files again
# and checks that the second run inserts nothing. Fails if an import fails, if the re-import inserts anything, or if the
# first import takes longer than FHIR_IMPORT_LIMIT_SECONDS (default 30: issue #5's target on SQLite).
#
#   scripts/fhir_import_check.sh [TAILOR_BINARY] [BUNDLE_FOLDER]
set -euo pipefail
TAILOR=${1:-.build/release/tailor}
BUNDLES=${2:-../shared/data/synthea}
LIMIT=${FHIR_IMPORT_LIMIT_SECONDS:-30}
work=$(mktemp -d /tmp/tailor-fhir-import.XXXXXX)
trap 'rm -rf "$work"' EXIT
target=(--data "$work")
[ -n "${FHIR_IMPORT_DATABASE_URL:-}" ] && target=(--database "$FHIR_IMPORT_DATABASE_URL")

count=$(find "$BUNDLES" -maxdepth 1 -name '*.json' | wc -l)
start=$(date +%s.%N)
"$TAILOR" import fhir "$BUNDLES" "${target[@]}" --json > "$work/first.json"
end=$(date +%s.%N)
first=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
"$TAILOR" import fhir "$BUNDLES" "${target[@]}" --json > "$work/second.json"

inserted_first=$(grep -oE '"insertedTotal":[0-9]+' "$work/first.json" | grep -oE '[0-9]+$')
inserted_second=$(grep -oE '"insertedTotal":[0-9]+' "$work/second.json" | grep -oE '[0-9]+$')
present_second=$(grep -oE '"alreadyPresent":[0-9]+' "$work/second.json" | grep -oE '[0-9]+$')
echo "fhir import: $count bundles, $inserted_first entries inserted in ${first} s (wall, including process start); limit ${LIMIT} s"
echo "fhir re-import: $inserted_second inserted, $present_second already present"
[ "$inserted_first" -gt 0 ] || { echo "FAIL: the first import inserted nothing"; exit 1; }
[ "$inserted_second" -eq 0 ] || { echo "FAIL: re-importing inserted $inserted_second entries (not idempotent)"; exit 1; }
[ "$present_second" -eq "$inserted_first" ] || { echo "FAIL: re-import found $present_second of $inserted_first entries"; exit 1; }
awk -v t="$first" -v l="$LIMIT" 'BEGIN { exit !(t < l) }' || { echo "FAIL: ${first} s is over the ${LIMIT} s target"; exit 1; }
echo "ok"
