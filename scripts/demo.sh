#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the release
# preset, and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target smtp-harness
./build/release/harness/app/smtp-harness proto-demo
