#!/usr/bin/env bash
# Builds the fuzz targets with libFuzzer + AddressSanitizer and runs each for a while on a copy of its seed
# corpus. Exits non-zero when a target crashed, trapped, hung or ran out of memory.
#
#   ./run.sh [--no-build] [--replay] [--keep] [--jobs N] [SECONDS] [TARGET...]
#
#   SECONDS     how long to fuzz each target (default 60)
#   TARGET      FuzzVCFHeader, FuzzVCFRecord, FuzzBGZFBlock (default: all three, one after another)
#   --replay    run every input of Corpus/<target>/ and FailCases/<target>/ once instead of fuzzing
#               (a quick regression check)
#   --jobs N    run N fuzzing processes per target at the same time (libFuzzer -fork=N; default 1)
#   --no-build  use the binaries already in .build-fuzz/
#   --keep      keep the work directory (grown corpus, logs) even when nothing failed
#
# Extra libFuzzer flags can be passed in FUZZ_FLAGS, e.g. FUZZ_FLAGS="-seed=1 -only_ascii=1".
# Crash, timeout and OOM inputs are written to the work directory printed at the end (kept when
# anything failed, deleted otherwise); see README.md for minimising and saving them as regressions.
set -euo pipefail
# libFuzzer prints the stack of a crash; the Swift runtime backtracer would only slow that down and trips ASan.
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}

cd "$(dirname "$0")"
FUZZ_DIR=$PWD
SCRATCH=.build-fuzz
ALL_TARGETS=(FuzzVCFHeader FuzzVCFRecord FuzzBGZFBlock)

build=1
replay=0
keep=0
jobs=1
seconds=60
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --replay) replay=1 ;;
        --keep) keep=1 ;;
        --jobs) jobs=$2; shift ;;
        -h | --help) sed -n '2,19p' "$0"; exit 0 ;;
        [0-9]*) seconds=$1 ;;
        Fuzz*) targets+=("$1") ;;
        *) echo "run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[ ${#targets[@]} -eq 0 ] && targets=("${ALL_TARGETS[@]}")

if [ $build -eq 1 ]; then
    # Why -Xswiftc -sanitize=fuzzer,address as well: SwiftPM passes `-sanitize=fuzzer -sanitize=address`
    # to swiftc as two options, and the Swift driver keeps only the last one, so without it the code is
    # built with ASan but WITHOUT coverage instrumentation, and libFuzzer runs blind ("no interesting
    # inputs were found ... Is the code instrumented for coverage?"). --sanitize=fuzzer is still needed so
    # that SwiftPM links libFuzzer's main instead of the target's own. See README.md.
    echo "== building (release, fuzzer + address sanitizers) in $SCRATCH"
    # (ld.gold's "Cannot export local symbol '__asan_...'" warnings are harmless and filtered out.)
    buildlog=$(mktemp)
    if ! swift build -c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address \
        --scratch-path "$SCRATCH" >"$buildlog" 2>&1; then
        grep -v "Cannot export local symbol" "$buildlog" >&2
        rm -f "$buildlog"
        echo "run.sh: build failed" >&2
        exit 1
    fi
    grep -v "Cannot export local symbol" "$buildlog" | tail -1
    rm -f "$buildlog"
fi
BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tailor-fuzz.XXXXXX")
failed=0
summary=()
for target in "${targets[@]}"; do
    [ -x "$BIN/$target" ] || { echo "run.sh: no binary $BIN/$target" >&2; exit 1; }
    corpus="$WORK/$target/corpus"
    artifacts="$WORK/$target/artifacts"
    mkdir -p "$corpus" "$artifacts"
    cp Corpus/"$target"/* "$corpus"/
    log="$WORK/$target/fuzz.log"
    started=$(date +%s)
    flags=(-dict="$FUZZ_DIR/vcf.dict" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$artifacts/")
    if [ $replay -eq 1 ]; then
        failcases=()
        [ -d "FailCases/$target" ] && failcases=("$FUZZ_DIR/FailCases/$target")
        echo "== $target: replaying $(ls "$corpus" | wc -l) seeds and $(ls FailCases/"$target" 2>/dev/null | wc -l) fail cases"
        set +e
        "$BIN/$target" "${flags[@]}" -runs=0 ${FUZZ_FLAGS:-} "$corpus" "${failcases[@]}" >"$log" 2>&1
        status=$?
        set -e
    else
        echo "== $target: fuzzing for ${seconds}s (log: $log)"
        extra=()
        [ "$jobs" -gt 1 ] && extra=(-fork="$jobs" -ignore_crashes=0)
        set +e
        "$BIN/$target" "${flags[@]}" -max_total_time="$seconds" "${extra[@]}" ${FUZZ_FLAGS:-} "$corpus" >"$log" 2>&1
        status=$?
        set -e
    fi
    execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{ s += $2 } END { print s + 0 }' || true)
    execs=${execs:-0}
    if [ "$execs" -eq 0 ]; then  # -fork prints no final stats; use the last status line
        execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)
        execs=${execs:-0}
    fi
    elapsed=$(( $(date +%s) - started ))
    rate=$(( execs / (elapsed > 0 ? elapsed : 1) ))
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{ print $2 }' || true)
    found=$(find "$artifacts" -type f | wc -l)
    line="$target: $execs executions in ${elapsed}s ($rate exec/s), coverage ${cov:-?} edges, corpus $(ls "$corpus" | wc -l) files, exit $status, $found artifact(s)"
    echo "   $line"
    summary+=("$line")
    if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
        failed=1
        grep -m1 -A25 "==ERROR\|Fatal error\|deadly signal\|ERROR: libFuzzer" "$log" | head -40 || true
        find "$artifacts" -type f -exec echo "   artifact: {}" \;
    fi
done

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
if [ $failed -eq 1 ]; then
    echo "FAILED: crash/timeout/oom inputs and logs are in $WORK"
    exit 1
fi
if [ $keep -eq 1 ]; then
    echo "OK: no crashes (work directory kept: $WORK)"
else
    rm -rf "$WORK"
    echo "OK: no crashes"
fi
