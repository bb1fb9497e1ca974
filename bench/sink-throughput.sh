#!/usr/bin/env bash
# The delivery sink of `smtp-harness load --sink` keeps up with the load it
# measures (bench/README.md). Targets: at least 10,000 deliveries a second
# through the sink (median over the rounds), and in every round each message
# the client saw accepted is delivered at the sink exactly once, intact
# (accepted == delivered; lost, duplicated, corrupted, unexpected and
# bounced all 0).
#
# How: the sink is its own relay. `smtp-harness load --target 127.0.0.1:P
# --sink 127.0.0.1:P` submits straight into its own sink, so each message is
# delivered before the client reads its 250, and the client, pushing as hard
# as the closed model lets it, is the fastest relay there can be. One
# process then does everything a run with --sink does per message, on the
# same cores: build and stamp it (token, VERP sender, digest), send it,
# receive it in the sink, fingerprint it, match it in the ledger. The
# deliveries per second measured so are a lower bound of what the sink can
# take (the client's work shares the process), and the client's own rate
# without a sink, measured beside, is what the sink must keep up with.
#
# Runs, each smtp-harness load --connections 10 --duration 10s --size 1024
# --threads 1 --from load@harness.test --to rcpt@example.test -q --json:
#   sink   with --target 127.0.0.1:P --sink 127.0.0.1:P (P a free port, new
#          each run): rate = pairs delivered at the sink (load.delivery.
#          counts.delivered) / the load's elapsed time.
#   plain  against fake-smtpd --store none --no-api (release build, one
#          thread, started once): rate = messages answered 250 / elapsed.
# --threads 1: one worker thread beside the sink's thread (or beside
# fake-smtpd), one core each on the 2-core reference machine.
# One untimed warm-up run of each (2 s), then ROUNDS rounds that each run
# both back to back, the order rotating, so that drift on a shared machine
# hits each in each position. Printed per round and as medians: the rates,
# their ratio (sink / plain), the CPU time per message of smtp-harness
# (wait4's rusage of that one process: client, sink and ledger together with
# --sink) and of fake-smtpd (/proc/PID/stat, 10 ms ticks), and smtp-harness's
# peak RSS (wait4's ru_maxrss).
#
# The ledger's memory, for information: two runs against fake-smtpd, which
# accepts and delivers nothing onward (a relay that holds every message),
# of HELD messages each, with --sink 127.0.0.1:FREE --drain 0s (so every
# accepted pair is still outstanding at the end: the run exits 1, lost ==
# accepted, as it should) and without; the difference of their peak RSS per
# message is what the ledger holds per outstanding message.
#
# The ledger's and the stamping's own share of the CPU per delivery, without
# the sockets: bench_load --benchmark_filter=Delivery (bench/load/
# delivery_ledger_bench.cpp).
#
# Exits 1 when a target is missed, 2 when a tool is missing or a run breaks
# (an unexpected exit status, an error or a refusal counted, a hang, a
# result without a delivery section).
#
# Usage: bench/sink-throughput.sh [BUILD_DIR]   (default build/release)
# Environment: ROUNDS (5), DURATION (10s), CONNECTIONS (10), THREADS (1),
#   HELD (100000), MIN_RATE (10000).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build/release}
rounds=${ROUNDS:-5}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-10}
threads=${THREADS:-1}
held=${HELD:-100000}
min_rate=${MIN_RATE:-10000}
# shellcheck source=bench/load/common.sh
source bench/load/common.sh sink-throughput
sinklib=bench/load/sinkbench.py

"$fake_smtpd" --listen 127.0.0.1:0 --no-api --store none \
  --ports-file "$work/ports.json" >"$work/fake-smtpd.out" 2>&1 &
fake_pid=$!
if ! port=$("$py" "$lib" wait-ports-file "$work/ports.json" smtp 10); then
  cat "$work/fake-smtpd.out" >&2
  exit 2
fi

load=("$harness" load --connections "$connections" --size 1024 --threads "$threads"
  --from load@harness.test --to rcpt@example.test -q --json "$work/result.json")

# One run of NAME (sink, plain, held-sink, held-plain); appends its figures
# to the results file (round 0: warm-up, not recorded). Any failure stops
# the script.
run() {
  local name=$1 round=$2 length=$3 client=() server=$fake_pid sink_port
  kill -0 "$fake_pid" 2>/dev/null || { echo "fake-smtpd is not running" >&2; cat "$work/fake-smtpd.out" >&2; exit 2; }
  sink_port=$("$py" "$lib" free-port)
  case $name in
    sink)
      client=("${load[@]}" --duration "$length" --target "127.0.0.1:$sink_port"
        --sink "127.0.0.1:$sink_port")
      server=-
      ;;
    plain) client=("${load[@]}" --duration "$length" --target "127.0.0.1:$port") ;;
    held-sink)
      client=("${load[@]}" --messages "$length" --target "127.0.0.1:$port"
        --sink "127.0.0.1:$sink_port" --drain 0s)
      ;;
    held-plain) client=("${load[@]}" --messages "$length" --target "127.0.0.1:$port") ;;
  esac
  "$py" "$sinklib" run "$work/results" "$name" "$round" "$run_limit" "$server" \
    "$work/result.json" -- "${client[@]}" || exit 2
}

echo "the delivery sink against its own client, side by side with the client against fake-smtpd"
echo "  ${load[*]:1} --duration $duration"
echo "  sink: --target 127.0.0.1:P --sink 127.0.0.1:P; plain: --target 127.0.0.1:$port" \
  "(fake-smtpd --store none, pid $fake_pid); $rounds rounds, rotating order"
echo "  memory: $held messages held (fake-smtpd delivers nothing on), with --sink --drain 0s and without"
echo "  $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
configs=(sink plain)
for name in "${configs[@]}"; do run "$name" 0 2s; done
for round in $(seq "$rounds"); do
  for i in 0 1; do run "${configs[$(((round - 1 + i) % 2))]}" "$round" "$duration"; done
done
run held-sink 1 "$held"
run held-plain 1 "$held"
echo
status=0
"$py" "$sinklib" report "$work/results" "$min_rate" || status=$?
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
