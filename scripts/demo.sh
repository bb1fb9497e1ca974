#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the release
# preset, and runs the main job:
#   1. starts the bundled fake-smtpd with a realistic failure profile
#      (scenarios/fake/demo-relay.lua: a relay that rate-limits, defers and
#      refuses some of a bulk sender's mail, with a slow disk, and one real
#      flaw, CVE-2011-0411, for the compliance suite to find);
#   2. runs the compliance suite against it;
#   3. runs a short open-model load against it;
#   4. writes reports/out/index.html with both results (and the JSON, JUnit
#      and Markdown beside it);
#   5. prints where the report is.
# Exits 0 when the demo ran: the suite's FAIL (T4) is what the demo shows.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target smtp-harness fake-smtpd

bin=build/release
harness="$bin/harness/app/smtp-harness"
out=reports/out
mkdir -p "$out"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 1. fake-smtpd on free ports. Ready once the ports file exists (written
# after every listener is bound); bounded to 10 s.
"$bin/fake-server/fake-smtpd" scenarios/fake/demo-relay.lua --seed 42 --store none \
  --listen 127.0.0.1:0 --api 127.0.0.1:0 --ports-file "$work/ports.json" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  [ -s "$work/ports.json" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/ports.json" ] || { echo "demo: fake-smtpd did not start" >&2; cat "$work/server.log" >&2; exit 1; }
port=$(sed -n 's/.*"smtp": *\([0-9]*\).*/\1/p' "$work/ports.json")
target="127.0.0.1:$port"
echo "demo: fake-smtpd (scenarios/fake/demo-relay.lua, seed 42) on $target"

# 2. The compliance suite. It fails (exit 1) on the planted flaw; any other
# exit code is a real problem.
echo
echo "demo: smtp-harness check $target"
echo
status=0
"$harness" check "$target" --json "$out/check.json" --junit "$out/check.xml" || status=$?
[ "$status" -le 1 ] || { echo "demo: check exited $status" >&2; exit "$status"; }

# 3. A short load: 500 messages a second for 10 s, the p99 gated.
echo
echo "demo: smtp-harness load at 500 messages/s for 10 s"
echo
status=0
"$harness" load --target "$target" --rate 500 --duration 10s --connections 32 \
  --threshold 'p99<100ms' --json "$out/load.json" --junit "$out/load.xml" || status=$?
[ "$status" -le 1 ] || { echo "demo: load exited $status" >&2; exit "$status"; }

kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""

# 4. One report with both results, and a Markdown summary of them.
"$harness" report "$out/load.json" "$out/check.json" --html "$out/index.html" \
  --markdown "$out/summary.md"

# 5.
echo
echo "demo: the report: $(pwd)/$out/index.html"
echo "demo: beside it: check.json, load.json (reports/schema/result.schema.json),"
echo "demo:            check.xml, load.xml (JUnit), summary.md (for a CI step summary)"
