#!/usr/bin/env bash
# smtp-harness load throughput against Postfix's smtp-source, side by side in
# one run (bench/README.md). Targets: against smtp-sink, with 1 KB
# messages, connection reuse and the same concurrency, smtp-harness load
# sends >= 1.5x smtp-source's messages per second with PIPELINING, and
# >= 1.0x without.
#
# Server: smtp-sink 127.0.0.1:PORT 1024 (Postfix), started once, single
# process, nothing printed or written per message; -u nobody when run as root,
# which smtp-sink requires. It advertises PIPELINING by default
# (smtp-sink(1): -p turns it off).
#
# Clients, each sending MESSAGES messages over 10 connections kept open:
# Both clients send every message from load@harness.test to
# rcpt@example.test (smtp-source -f/-t, smtp-harness --from/--to).
#   smtp-source  smtp-source -d -s 10 -l L -m MESSAGES: 10 parallel sessions
#                (-s), each reusing its connection (-d); never pipelines
#                (smtp-source(1), BUGS). -l is the payload after smtp-source's
#                own headers, so L is calibrated (below) for a 1024-octet
#                message.
#   pipe-tT      smtp-harness load --connections 10 --messages MESSAGES
#                --size 1024 --threads T: the closed model, PIPELINING used
#                since smtp-sink advertises it (RFC 2920: MAIL, RCPT and DATA
#                in one group, then the content).
#   nopipe-tT    the same with --no-pipelining: one command per round trip,
#                as smtp-source.
# Message size: before the rounds, one message of each tool goes to a tiny
# capture server (benchload.py message-size) that counts the octets between
# DATA's 354 and the final dot; the script stops unless both are 1024 give
# or take 2%.
#
# The machine: smtp-sink and the client share the CPUs (2 on the reference
# machine). smtp-source is one process, one thread; smtp-harness runs T
# worker threads (THREADS, default "1 2"). The verdict is taken on
# VERDICT_THREADS (default 1): with one core for the server and one for the
# client, a second worker thread only competes with smtp-sink for a core.
# The other thread counts are printed for information.
#
# One untimed warm-up run per client, then ROUNDS rounds that each run every
# client back to back, the order rotating, so that drift on a shared machine
# hits each one in each position. Rate = MESSAGES / wall time of the whole
# process (start-up included, for every tool alike); smtp-harness's own
# elapsed time, and every client's and smtp-sink's CPU time per message
# (which side was the limit), are printed beside. The verdict is the median of
# the per-round ratios. Exits 1 when a target is missed, 2 when a tool is
# missing or a run breaks (a non-zero exit, an error counted, a hang).
#
# Usage: bench/load-throughput.sh [BUILD_DIR]   (default build/release)
# Environment: ROUNDS (7), MESSAGES (50000), WARMUP (5000), THREADS ("1 2"),
#   VERDICT_THREADS (1), SMTP_SOURCE, SMTP_SINK (default /usr/sbin/...),
#   PIN=SERVER_CPU:CLIENT_CPU (e.g. 0:1; default none): run smtp-sink on one
#   CPU and the clients on another (taskset), so that where the scheduler
#   puts them stops changing from run to run (a second worker thread then
#   shares the client's CPU: use THREADS=1).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build/release}
rounds=${ROUNDS:-7}
messages=${MESSAGES:-50000}
warmup=${WARMUP:-5000}
threads=${THREADS:-1 2}
verdict_threads=${VERDICT_THREADS:-1}
run_limit=300  # seconds; a run that takes longer is a hang, not a result
py=/usr/bin/python3
lib=bench/load/benchload.py
harness=$build/harness/app/smtp-harness
smtp_source=${SMTP_SOURCE:-/usr/sbin/smtp-source}
smtp_sink=${SMTP_SINK:-/usr/sbin/smtp-sink}

# shellcheck source=bench/pin.sh
source bench/pin.sh

for tool in "$smtp_source" "$smtp_sink" "$py" "$harness"; do
  [ -x "$tool" ] || { echo "missing $tool (postfix, python3, or build: cmake --preset release" \
    "-B $build && ninja -C $build smtp-harness)" >&2; exit 2; }
done

work=$(mktemp -d -t load-throughput.XXXXXX)
sink_pid=""
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  if [ -n "$sink_pid" ]; then
    kill -TERM "$sink_pid" 2>/dev/null || true
    # Bounded: 5 s, then SIGKILL.
    for _ in $(seq 50); do kill -0 "$sink_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$sink_pid" 2>/dev/null || true
    wait "$sink_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# One envelope for every message, the same for both clients: smtp-source
# always sends from -f to -t, so smtp-harness gets a fixed --to rather than
# its default pattern, which names a different recipient per message.
source_envelope=(-f load@harness.test -t rcpt@example.test)
harness_envelope=(--from load@harness.test --to rcpt@example.test)

# Message sizes: smtp-source's headers (From, To, Date, Message-Id, with the
# host name in them) come on top of -l, so measure them once and pad the rest.
probe_source=$("$py" "$lib" message-size 30 -- "$smtp_source" "${source_envelope[@]}" -l 1024 -m 1 \
  "127.0.0.1:{port}") || exit 2
payload=$((2048 - probe_source))
source_size=$("$py" "$lib" message-size 30 -- "$smtp_source" "${source_envelope[@]}" -l "$payload" \
  -m 1 "127.0.0.1:{port}") || exit 2
harness_size=$("$py" "$lib" message-size 30 -- "$harness" load --target "127.0.0.1:{port}" \
  "${harness_envelope[@]}" --connections 1 --messages 1 --size 1024 --threads 1 -q) || exit 2
for size in "$source_size" "$harness_size"; do
  if [ "$size" -lt 1004 ] || [ "$size" -gt 1044 ]; then
    echo "message sizes differ from 1024 octets: smtp-source $source_size, smtp-harness $harness_size" >&2
    exit 2
  fi
done

sink_port=$("$py" "$lib" free-port)
sink_user=()
[ "$(id -u)" -eq 0 ] && sink_user=(-u nobody)
"${pin_server[@]}" "$smtp_sink" "${sink_user[@]}" "127.0.0.1:$sink_port" 1024 >"$work/smtp-sink.out" 2>&1 &
sink_pid=$!
if ! "$py" "$lib" wait-banner 127.0.0.1 "$sink_port" 10; then
  cat "$work/smtp-sink.out" >&2
  exit 2
fi

configs=(smtp-source)
targets=()
for t in $threads; do
  configs+=("pipe-t$t" "nopipe-t$t")
  if [ "$t" = "$verdict_threads" ]; then
    targets+=("pipe-t$t=1.5" "nopipe-t$t=1.0")
  else
    targets+=("pipe-t$t=info" "nopipe-t$t=info")
  fi
done
[[ " ${targets[*]} " == *"=1.5 "* ]] || { echo "VERDICT_THREADS=$verdict_threads is not in THREADS='$threads'" >&2; exit 2; }

# One run of client NAME; appends its figures to the results file (round 0:
# warm-up, not recorded). Any failure stops the script.
run() {
  local name=$1 round=$2 count=$3 client=() result
  kill -0 "$sink_pid" 2>/dev/null || { echo "smtp-sink is not running" >&2; cat "$work/smtp-sink.out" >&2; exit 2; }
  case $name in
    smtp-source)
      client=("$smtp_source" -d -s 10 "${source_envelope[@]}" -l "$payload" -m "$count"
        "127.0.0.1:$sink_port")
      result=-
      ;;
    pipe-t* | nopipe-t*)
      client=("$harness" load --target "127.0.0.1:$sink_port" --connections 10 --messages "$count"
        "${harness_envelope[@]}" --size 1024 --threads "${name##*-t}" -q --json "$work/result.json")
      [[ $name == nopipe-* ]] && client+=(--no-pipelining)
      result=$work/result.json
      ;;
  esac
  "$py" "$lib" run-client "$work/results" "$name" "$round" "$count" "$run_limit" "$sink_pid" \
    "$result" -- "${pin_client[@]}" "${client[@]}" || exit 2
}

echo "smtp-harness load vs smtp-source against smtp-sink: $messages messages per run, 10 connections kept open"
echo "  smtp-source -d -s 10 -l $payload: $source_size-octet messages;" \
  "smtp-harness load --connections 10 --size 1024: $harness_size-octet messages"
echo "  smtp-sink 127.0.0.1:$sink_port (pid $sink_pid); $rounds rounds, rotating order;" \
  "harness threads: $threads (verdict on $verdict_threads)"
echo "  $(nproc) CPUs;${PIN:+ smtp-sink on CPU ${PIN%:*}, clients on CPU ${PIN#*:};}" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
for name in "${configs[@]}"; do run "$name" 0 "$warmup"; done
count=${#configs[@]}
for round in $(seq "$rounds"); do
  for i in $(seq 0 $((count - 1))); do
    run "${configs[$(((round - 1 + i) % count))]}" "$round" "$messages"
  done
done
echo
status=0
"$py" "$lib" throughput "$work/results" smtp-source "${targets[@]}" || status=$?
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
