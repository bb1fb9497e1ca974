#!/usr/bin/env bash
# The README's second command: installs what is missing, builds, and runs every
# test through ctest, in three builds:
#   dev   debug, warnings as errors: unit tests, format check, benchmark smoke run
#   asan  the same tests under AddressSanitizer + UndefinedBehaviorSanitizer
#   fuzz  every libFuzzer target, each for SMTP_FUZZ_SECONDS (default 20)
# Usage: scripts/test.sh [PRESET...]   (default: dev asan fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh

presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(dev asan fuzz)
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
