#!/usr/bin/env bash
# smtp-harness load's measurement accuracy (bench/README.md). Target:
# with fake-smtpd delaying the end-of-data reply by 20 ms, the reported p50
# for end of data lies within 20-21.5 ms.
#
# Server: fake-smtpd --store none --no-api --idle-timeout 600s (release
# build, one thread) with a one-rule profile, written by this script:
#   rule { name = "end-of-data-20ms", on = ".", delay = "20ms" }
# ("." is a whole message arrived; delay is a timer before the answer,
# SCRIPTING.md, rule). The reply is due 20 ms after the final dot was read,
# so a correct client measures a little over 20 ms: the timer's own lateness
# plus the loopback round trip, tens of microseconds on an idle machine.
#
# Client, RUNS times: the closed model,
#   smtp-harness load --connections 10 --duration 10s
# 10 sessions each sending one message after another (about 500 messages a
# second at 20 ms each). The end-of-data latency is read from the result's
# load.phases[] (every reply class merged; all are 250 here): p50 is the
# verdict, p90, p99, min and max are printed for information. The verdict
# is taken on the median of the runs' p50. Exits 1 when the target is
# missed, 2 when a tool is missing or a run breaks.
#
# Usage: bench/load-accuracy.sh [BUILD_DIR]   (default build/release)
# Environment: RUNS (3), CONNECTIONS (10), DURATION (10s), DELAY_MS (20),
#   HIGH_MS (DELAY_MS + 1.5), THREADS (default: one per core).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build/release}
runs=${RUNS:-3}
connections=${CONNECTIONS:-10}
duration=${DURATION:-10s}
delay_ms=${DELAY_MS:-20}
high_ms=${HIGH_MS:-$("/usr/bin/python3" -c "print($delay_ms + 1.5)")}
# shellcheck source=bench/load/common.sh
source bench/load/common.sh load-accuracy


cat >"$work/end-of-data-delay.lua" <<EOF
-- bench/load-accuracy.sh: every end-of-data reply waits ${delay_ms} ms.
rule { name = "end-of-data-${delay_ms}ms", on = ".", delay = "${delay_ms}ms" }
EOF

start_fake_smtpd "$work/end-of-data-delay.lua"

thread_flags=()
[ -n "${THREADS:-}" ] && thread_flags=(--threads "$THREADS")

run() {
  local n=$1 status=0
  local result="$work/run-$n.json"
  kill -0 "$fake_pid" 2>/dev/null || { echo "fake-smtpd is not running" >&2; cat "$work/fake-smtpd.out" >&2; exit 2; }
  timeout -k 5 "$run_limit" "$harness" load --target "127.0.0.1:$port" \
    --connections "$connections" --duration "$duration" "${thread_flags[@]}" -q \
    --json "$result" >"$work/client.out" 2>"$work/client.err" &
  client_pid=$!
  wait "$client_pid" || status=$?
  client_pid=""
  if [ "$status" -ne 0 ] || [ ! -s "$result" ]; then
    echo "smtp-harness load failed (exit status $status)" >&2
    cat "$work/client.err" "$work/client.out" >&2
    exit 2
  fi
  echo "closed $n $result" >>"$work/results"
}

echo "smtp-harness load against fake-smtpd delaying the end-of-data reply by $delay_ms ms" \
  "(pid $fake_pid, 127.0.0.1:$port)"
echo "  closed model --connections $connections --duration $duration${THREADS:+ --threads $THREADS};" \
  "$runs runs; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $(seq "$runs"); do run "$n"; done
echo
status=0
"$py" "$lib" check-accuracy "$work/results" "$delay_ms" "$high_ms" || status=$?
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
