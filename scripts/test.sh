#!/usr/bin/env bash
# The README's second command (and CI's): installs what is missing, builds,
# and runs every test through ctest, in two builds:
#   asan  warnings as errors, AddressSanitizer + UndefinedBehaviorSanitizer at
#         -O1: unit, integration and browser tests, the repository checks
#         (format, layering, catalogue), benchmark smoke runs
#   fuzz  every libFuzzer target, each for SMTP_FUZZ_SECONDS (default 20)
# The dev build (Debug, -Werror) runs the same tests without sanitizers; it
# is the quick one while working (scripts/test.sh dev), and CI leaves it out:
# asan runs every test it runs, under stricter checks.
# Each stage prints its time; the total is printed at the end.
# Usage: scripts/test.sh [PRESET...]   (default: asan fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
stage_started=$started
stage() {  # prints the time of the stage that ended, then the next one's name
  local now
  now=$(date +%s)
  [ -z "${stage_name:-}" ] || echo "== ${stage_name}: $((now - stage_started)) s"
  stage_name=$1
  stage_started=$now
  [ "$1" = done ] || echo "== $1"
}

stage deps
./scripts/deps.sh

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(asan fuzz)
jobs=$(nproc)
fuzz_seconds=${SMTP_FUZZ_SECONDS:-20}

for preset in "${presets[@]}"; do
  stage "${preset}: configure"
  extra=()
  [ "$preset" = fuzz ] && extra=(-DSMTP_FUZZ_SECONDS="$fuzz_seconds")
  cmake --preset "$preset" "${extra[@]}" >/dev/null
  stage "${preset}: build"
  cmake --build --preset "$preset" -j "$jobs"
  stage "${preset}: test"
  ctest --preset "$preset" -j "$jobs"
done
stage done
echo "== total: $(($(date +%s) - started)) s"
