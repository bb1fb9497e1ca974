#!/usr/bin/env bash
# smtp-harness load's rate accuracy in the open model (bench/README.md).
# Target: at 5,000 messages per second against fake-smtpd, the achieved rate
# is within 1% of the target.
#
# Server: fake-smtpd --store none --no-api --idle-timeout 600s (release
# build, one thread).
#
# Client, RUNS times (verdict) with constant arrivals, then POISSON_RUNS
# times with Poisson arrivals (information: the rate of a Poisson process
# over DURATION varies by about 1/sqrt(RATE * DURATION), 0.3% here):
#   smtp-harness load --rate 5000 --arrivals A --duration 20s
#                     --connections 200
# The pool: 200 connections, so that a stall of up to 40 ms on a shared
# machine (200 / 5000 per second) still finds a free session; a start that
# waits for one is counted late, and still counts as a start.
#
# Two measures of the rate, both from the result file: load.achieved_rate
# (transactions started over the time starts were allowed, the engine's
# figure) and load.counters.transactions_started over the requested
# duration (settings.duration_seconds). A start the generator could not make
# (no free session until the end, a full backlog) is dropped and lowers
# both. The verdict: the median over the runs of each is within TOLERANCE
# of the target. Late and dropped starts and the generator's own health are
# printed. Exits 1 when the target is missed, 2 when a tool is missing or a
# run breaks.
#
# Usage: bench/load-rate.sh [BUILD_DIR]   (default build/release)
# Environment: RATE (5000), DURATION (20s), CONNECTIONS (200), RUNS (3),
#   POISSON_RUNS (1), TOLERANCE (0.01), THREADS (default: one per core).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build/release}
rate=${RATE:-5000}
duration=${DURATION:-20s}
connections=${CONNECTIONS:-200}
runs=${RUNS:-3}
poisson_runs=${POISSON_RUNS:-1}
tolerance=${TOLERANCE:-0.01}
# shellcheck source=bench/load/common.sh
source bench/load/common.sh load-rate


start_fake_smtpd

thread_flags=()
[ -n "${THREADS:-}" ] && thread_flags=(--threads "$THREADS")

# One run; NAME is 'constant' (verdict) or 'info-poisson'.
run() {
  local name=$1 n=$2 arrivals=${1#info-} status=0
  local result="$work/$name-$n.json"
  kill -0 "$fake_pid" 2>/dev/null || { echo "fake-smtpd is not running" >&2; cat "$work/fake-smtpd.out" >&2; exit 2; }
  timeout -k 5 "$run_limit" "$harness" load --target "127.0.0.1:$port" --rate "$rate" \
    --arrivals "$arrivals" --duration "$duration" --connections "$connections" \
    "${thread_flags[@]}" -q --json "$result" >"$work/client.out" 2>"$work/client.err" &
  client_pid=$!
  wait "$client_pid" || status=$?
  client_pid=""
  if [ "$status" -ne 0 ] || [ ! -s "$result" ]; then
    echo "smtp-harness load failed (exit status $status)" >&2
    cat "$work/client.err" "$work/client.out" >&2
    exit 2
  fi
  echo "$name $n $result" >>"$work/results"
}

echo "smtp-harness load open model against fake-smtpd (pid $fake_pid, 127.0.0.1:$port):" \
  "--rate $rate --duration $duration --connections $connections${THREADS:+ --threads $THREADS}"
echo "  $runs runs with constant arrivals (verdict), $poisson_runs with Poisson (information);" \
  "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $(seq "$runs"); do run constant "$n"; done
for n in $(seq "$poisson_runs"); do run info-poisson "$n"; done
echo
status=0
"$py" "$lib" check-rate "$work/results" "$rate" "$tolerance" || status=$?
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
