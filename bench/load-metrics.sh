#!/usr/bin/env bash
# The cost of `smtp-harness load --metrics` (bench/README.md). Target: with
# /metrics scraped every second, the load client's CPU per message rises by
# at most 2 % at 10,000 messages per second.
#
# Server: fake-smtpd --store none --no-api --idle-timeout 600s (release
# build, one thread).
#
# Clients, the open model at RATE for DURATION over CONNECTIONS connections:
#   plain     smtp-harness load --rate RATE --duration D --connections C
#   metrics   the same with --metrics 127.0.0.1:PORT --metrics-linger 0s,
#             scraped once a second by bench/load/metricsbench.py (GET
#             /metrics, as Prometheus with scrape_interval 1s does)
# One untimed warm-up run of each, then ROUNDS rounds that run both back
# to back, the order alternating, so that drift on a shared machine hits
# each in each position. The measure: the client process's CPU time (user
# + system, from wait4) over the messages it delivered. The verdict: the
# median of the per-round ratios metrics/plain is at most LIMIT (1.02).
# Exits 1 when the target is missed, 2 when a tool is missing or a run
# breaks (a non-zero exit, an error counted, a scrape never answered).
#
# Usage: bench/load-metrics.sh [BUILD_DIR]   (default build/release)
# Environment: RATE (10000), DURATION (10s), CONNECTIONS (200), ROUNDS (7),
#   LIMIT (1.02), THREADS (default: one per core); PIN=SERVER_CPU:CLIENT_CPU
#   runs fake-smtpd and the client on CPUs apart (taskset), e.g. PIN=1:0
#   THREADS=1 on two cores.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build/release}
rate=${RATE:-10000}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-200}
rounds=${ROUNDS:-7}
limit=${LIMIT:-1.02}
# shellcheck source=bench/load/common.sh
source bench/load/common.sh load-metrics
bench=bench/load/metricsbench.py

start_fake_smtpd

thread_flags=()
[ -n "${THREADS:-}" ] && thread_flags=(--threads "$THREADS")

# One run of NAME ('plain' or 'metrics') in ROUND (0: the warm-up).
run() {
  local name=$1 round=$2 scrape_port=- extra=()
  kill -0 "$fake_pid" 2>/dev/null || { echo "fake-smtpd is not running" >&2; cat "$work/fake-smtpd.out" >&2; exit 2; }
  if [ "$name" = metrics ]; then
    scrape_port=$("$py" "$lib" free-port)
    extra=(--metrics "127.0.0.1:$scrape_port" --metrics-linger 0s)
  fi
  "$py" "$bench" run "$work/results" "$name" "$round" "$run_limit" "$scrape_port" \
    "$work/result.json" -- "${pin_client[@]}" "$harness" load --target "127.0.0.1:$port" --rate "$rate" \
    --duration "$duration" --connections "$connections" "${thread_flags[@]}" "${extra[@]}" \
    -q --json "$work/result.json" || exit 2
}

echo "smtp-harness load --metrics overhead against fake-smtpd (pid $fake_pid, 127.0.0.1:$port):" \
  "--rate $rate --duration $duration --connections $connections${THREADS:+ --threads $THREADS}" \
  "${PIN:+(fake-smtpd on CPU ${PIN%:*}, the client on CPU ${PIN#*:})}"
echo "  $rounds rounds, alternating order; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run plain 0
run metrics 0
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then
    run plain "$round"
    run metrics "$round"
  else
    run metrics "$round"
    run plain "$round"
  fi
done
echo
status=0
"$py" "$bench" report "$work/results" "$limit" || status=$?
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
