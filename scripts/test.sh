#!/usr/bin/env bash
# The README's second command (and CI's): installs what is missing, builds,
# and runs every test through ctest, in two builds:
#   asan  warnings as errors, AddressSanitizer + UndefinedBehaviorSanitizer:
#         unit, integration and browser tests, format check, benchmark smoke runs
#   fuzz  every libFuzzer target, each for SMTP_FUZZ_SECONDS (default 20)
# The dev build (Debug, -Werror) runs the same tests without sanitizers; it
# is the quick one while working (scripts/test.sh dev), and CI leaves it out:
# asan runs every test it runs, under stricter checks, and building both took
# a third of CI's time.
# Usage: scripts/test.sh [PRESET...]   (default: asan fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(asan fuzz)
jobs=$(nproc)
fuzz_seconds=${SMTP_FUZZ_SECONDS:-20}

for preset in "${presets[@]}"; do
  echo "== ${preset}: configure"
  extra=()
  [ "$preset" = fuzz ] && extra=(-DSMTP_FUZZ_SECONDS="$fuzz_seconds")
  cmake --preset "$preset" "${extra[@]}" >/dev/null
  echo "== ${preset}: build"
  cmake --build --preset "$preset" -j "$jobs"
  echo "== ${preset}: test"
  ctest --preset "$preset" -j "$jobs"
done
