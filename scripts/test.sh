#!/usr/bin/env bash
# The README's second command (and CI's): installs what is missing, builds,
# and runs every test through ctest, in two builds:
#   asan  warnings as errors, AddressSanitizer + UndefinedBehaviorSanitizer at
#         -Og: unit, integration and browser tests, the repository checks
#         (format, layering, catalogue), benchmark smoke runs
#   fuzz  every libFuzzer target, each for SMTP_FUZZ_SECONDS (default 20)
# The fuzz tree is built while the asan tests run, at the lowest CPU
# priority: the integration tests spend much of their time waiting on
# sockets, and the fuzz build takes what they leave.
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

configure() {
  local extra=()
  [ "$1" = fuzz ] && extra=(-DSMTP_FUZZ_SECONDS="$fuzz_seconds")
  cmake --preset "$1" "${extra[@]}" >/dev/null
}

if [ "${presets[*]}" = "asan fuzz" ]; then
  stage "asan, fuzz: configure"
  configure asan
  configure fuzz
  stage "asan: build"
  cmake --build --preset asan -j "$jobs"
  stage "asan: test (the fuzz build beside it, niced)"
  fuzz_log=build/fuzz/build.log
  nice -n 19 cmake --build --preset fuzz -j "$jobs" >"$fuzz_log" 2>&1 &
  fuzz_build=$!
  fuzz_build_started=$(date +%s)
  asan_status=0
  # Twice the cores: the integration tests wait on sockets and child
  # processes much of the time (at -j2 the stage used 1.6 of 2 cores).
  ctest --preset asan -j "$((jobs * 2))" || asan_status=$?
  fuzz_status=0
  wait "$fuzz_build" || fuzz_status=$?
  tail -n 1 "$fuzz_log"
  if [ "$fuzz_status" -ne 0 ]; then
    cat "$fuzz_log"
    echo "== fuzz: build failed"
    exit "$fuzz_status"
  fi
  [ "$asan_status" -eq 0 ] || exit "$asan_status"
  echo "== (the fuzz build took $(( $(stat -c %Y "$fuzz_log") - fuzz_build_started )) s of it)"
  stage "fuzz: test"
  ctest --preset fuzz -j "$jobs"
else
  for preset in "${presets[@]}"; do
    stage "${preset}: configure"
    configure "$preset"
    stage "${preset}: build"
    cmake --build --preset "$preset" -j "$jobs"
    stage "${preset}: test"
    ctest --preset "$preset" -j "$jobs"
  done
fi
stage ""
echo "== total: $(($(date +%s) - started)) s"
