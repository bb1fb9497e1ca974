#!/usr/bin/env bash
# The README's second command (and CI's): installs what is missing, builds,
# and runs every test through ctest, in two builds:
#   asan  warnings as errors, AddressSanitizer + UndefinedBehaviorSanitizer at
#         -Og: unit, integration and browser tests, the repository checks
#         (format, layering, catalogue), benchmark smoke runs
#   fuzz  every libFuzzer target, each for SMTP_FUZZ_SECONDS (default 20)
# The fuzz tree is built beside the asan tree, and the fuzz targets run
# beside the asan tests, both at the lowest CPU priority: they take the CPU
# the asan build and tests leave idle (linking, tests waiting on sockets).
# Each target runs for SMTP_FUZZ_SECONDS of wall time, and beside the tests
# it gets little CPU: CI's run replays each seed corpus and the regressions
# under ASan and UBSan and fuzzes little beyond them (docs/ARCHITECTURE.md,
# "CI time"); the fuzzing that finds bugs is scripts/fuzz.sh's campaigns.
# The dev build (Debug, -Werror) runs the same tests without sanitizers; it
# is the quick one while working (scripts/test.sh dev), and CI leaves it out:
# asan runs every test it runs, under stricter checks.
# Each stage prints its time, and the total is printed at the end.
# Usage: scripts/test.sh [PRESET...]   (default: asan fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
stage_name=""
stage_started=$started
stage() {  # ends the current stage (printing its time) and starts the next
  local now
  now=$(date +%s)
  [ -z "$stage_name" ] || echo "== ${stage_name}: $((now - stage_started)) s"
  stage_name=$1
  stage_started=$now
  [ -z "$1" ] || echo "== $1"
}

stage deps
./scripts/deps.sh

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(asan fuzz)
jobs=$(nproc)
fuzz_seconds=${SMTP_FUZZ_SECONDS:-20}

# Why each failed test of a build failed, in a few lines: the assertion
# messages from ctest's log. Printed last, so that a CI page that shows only
# the end of the output still says which assertion broke.
explain_failures() {
  local dir=$1/Testing/Temporary
  [ -s "$dir/LastTestsFailed.log" ] || return 0
  local name
  cut -d: -f2- "$dir/LastTestsFailed.log" | while read -r name; do
    echo "== why ${name} failed (its full output is above, and in ${dir}/LastTest.log):"
    awk -v name="$name" '
      $0 ~ ("^[0-9]+/[0-9]+ Testing: " name "$") { inside = 1; next }
      inside && /^Test (Passed|Failed)\./ { inside = 0 }
      inside && /(Error|FAIL|Failure|error:|Expected|Which is|Value of|ERROR)/ { print "   " substr($0, 1, 300) }
    ' "$dir/LastTest.log" | tail -n 12
  done
}

configure() {
  local extra=()
  [ "$1" = fuzz ] && extra=(-DSMTP_FUZZ_SECONDS="$fuzz_seconds")
  cmake --preset "$1" "${extra[@]}" >/dev/null
}

if [ "${presets[*]}" = "asan fuzz" ]; then
  stage "asan, fuzz: configure"
  configure asan
  configure fuzz
  stage "asan: build (the fuzz build beside it, niced)"
  fuzz_log=build/fuzz/build.log
  nice -n 19 cmake --build --preset fuzz -j "$jobs" >"$fuzz_log" 2>&1 &
  fuzz_build=$!
  cmake --build --preset asan -j "$jobs"
  fuzz_status=0
  wait "$fuzz_build" || fuzz_status=$?
  tail -n 1 "$fuzz_log"
  if [ "$fuzz_status" -ne 0 ]; then
    cat "$fuzz_log"
    echo "== fuzz: build failed"
    exit "$fuzz_status"
  fi
  stage "asan: test (the fuzz tests beside them, niced)"
  fuzz_test_log=build/fuzz/test.log
  nice -n 19 ctest --preset fuzz -j "$jobs" >"$fuzz_test_log" 2>&1 &
  fuzz_tests=$!
  asan_status=0
  # Twice the cores: the integration tests wait on sockets and child
  # processes much of the time (at -j2 the stage used 1.6 of 2 cores).
  ctest --preset asan -j "$((jobs * 2))" || asan_status=$?
  fuzz_status=0
  wait "$fuzz_tests" || fuzz_status=$?
  echo "== fuzz tests (beside the asan tests):"
  grep -E "tests passed|tests failed|Total Test time" "$fuzz_test_log" || cat "$fuzz_test_log"
  if [ "$fuzz_status" -ne 0 ]; then
    cat "$fuzz_test_log"
    explain_failures build/fuzz
  fi
  [ "$asan_status" -eq 0 ] || explain_failures build/asan
  [ "$asan_status" -eq 0 ] || exit "$asan_status"
  [ "$fuzz_status" -eq 0 ] || exit "$fuzz_status"
else
  for preset in "${presets[@]}"; do
    stage "${preset}: configure"
    configure "$preset"
    stage "${preset}: build"
    cmake --build --preset "$preset" -j "$jobs"
    stage "${preset}: test"
    ctest --preset "$preset" -j "$jobs" || { status=$?; explain_failures "build/$preset"; exit "$status"; }
  done
fi
stage ""
echo "== total: $(($(date +%s) - started)) s"
