#!/usr/bin/env bash
# The README's first command: installs what is missing, builds the release
# preset, starts the bundled fake-smtpd with a realistic failure profile
# (scenarios/fake/flaky-relay.lua: some RCPTs deferred with 451, now and then
# a 421 that drops the connection) and runs a short open-model load against
# it, writing the result to reports/out/load.json; then the compliance suite
# against the default fake-smtpd (reports/out/check.json and check.xml) and,
# to show a FAIL, against a profile broken on purpose. (The HTML report joins
# this demo with issue 7.)
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target smtp-harness fake-smtpd

bin=build/release
out=reports/out
mkdir -p "$out"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Starts fake-smtpd with the given arguments on free ports; sets $port.
# Ready once the ports file exists (written after the listeners are bound);
# bounded to 10 s.
start_server() {
  rm -f "$work/ports.json"
  "$bin/fake-server/fake-smtpd" "$@" --listen 127.0.0.1:0 --api 127.0.0.1:0 \
    --ports-file "$work/ports.json" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    [ -s "$work/ports.json" ] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$work/ports.json" ] || { echo "demo: fake-smtpd did not start" >&2; cat "$work/server.log" >&2; exit 1; }
  port=$(sed -n 's/.*"smtp": *\([0-9]*\).*/\1/p' "$work/ports.json")
}
stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

start_server scenarios/fake/flaky-relay.lua --seed 42 --store none
echo "demo: fake-smtpd (flaky-relay profile, seed 42) on 127.0.0.1:$port"
echo "demo: smtp-harness load at 500 messages/s for 10 s"
echo
status=0
"$bin/harness/app/smtp-harness" load --target "127.0.0.1:$port" --rate 500 --duration 10s \
  --connections 32 --threshold 'p99<100ms' --json "$out/load.json" || status=$?
stop_server

echo
start_server
echo "demo: the compliance suite against the default fake-smtpd (127.0.0.1:$port)"
echo
"$bin/harness/app/smtp-harness" check "127.0.0.1:$port" --json "$out/check.json" \
  --junit "$out/check.xml" || status=$?
stop_server

echo
start_server scenarios/fake/broken-starttls-buffer.lua
echo "demo: the same suite against a server broken on purpose (CVE-2011-0411, check T4);"
echo "demo: this one is expected to FAIL"
echo
"$bin/harness/app/smtp-harness" check "127.0.0.1:$port" --only tls \
  --json "$out/check-broken.json" || true
stop_server

echo
echo "demo: results (JSON, reports/schema/result.schema.json): $out/load.json, $out/check.json"
echo "demo: JUnit XML of the compliance run: $out/check.xml"
exit "$status"
