#!/usr/bin/env bash
# fake-smtpd throughput against Postfix's smtp-sink, side by side in one run
# (docs/ARCHITECTURE.md §4). Target (bench/README.md): fake-smtpd --store none
# >= 1.0x smtp-sink.
#
# Load: Postfix's smtp-source:
#   smtp-source -d -s 10 -l 1000 -m MESSAGES
#     -s 10    10 SMTP sessions in parallel;
#     -d       "Don't disconnect after sending a message; send the next
#              message over the same connection" (smtp-source(1)): this IS
#              the connection reuse the target is stated for, so each
#              run opens 10 connections in all and spreads MESSAGES over
#              them;
#     -l 1000  1000 bytes of payload per message (plus smtp-source's headers);
#     -m       messages per run, shared by the 10 sessions.
# smtp-source never pipelines (smtp-source(1), BUGS: "No SMTP command
# pipelining support"): every command waits for its reply on both servers, so
# whether a server advertises PIPELINING does not matter here.
#
# Servers, both started once, single process, on 127.0.0.1:
#   fake-smtpd --store none --no-api --idle-timeout 600s (release build);
#   smtp-sink 127.0.0.1:PORT 1024, no -c/-v/-d/-D (nothing printed or written
#   per message); -u nobody only when run as root, which smtp-sink requires.
# Rounds alternate which server goes first (ABBA), after one untimed warm-up
# run each, so drift on a shared machine hits both equally. Each run is timed
# with a monotonic clock around smtp-source; smtp-source exits non-zero on any
# unexpected reply, and that fails the benchmark. Medians are compared; the
# median of the per-round ratios is printed too, being steadier on a loaded
# machine. The server CPU columns (from /proc/PID/stat, 10 ms ticks) show
# whether a server was the limit: with 10 unpipelined sessions neither is
# usually busy all the time, so the rate is round-trip bound. Exits 0 whatever
# the verdict: wall-clock rates on a shared machine are noisy; read the ratio.
#
# Usage: bench/fake-smtpd-throughput.sh
# Environment: ROUNDS (7), MESSAGES (20000 per run), WARMUP (2000),
#   FAKE_SMTPD (a built binary; default: build the release preset),
#   SMTP_SOURCE, SMTP_SINK (default /usr/sbin/...).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-7}
messages=${MESSAGES:-20000}
warmup=${WARMUP:-2000}
target=1.0
run_limit=300  # seconds; a run that takes longer is a hang, not a result
py=/usr/bin/python3
lib=bench/fake-smtpd/benchlib.py
smtp_source=${SMTP_SOURCE:-/usr/sbin/smtp-source}
smtp_sink=${SMTP_SINK:-/usr/sbin/smtp-sink}
load=(-d -s 10 -l 1000)

for tool in "$smtp_source" "$smtp_sink" "$py"; do
  [ -x "$tool" ] || { echo "missing $tool (Debian package postfix / python3)" >&2; exit 2; }
done

if [ -z "${FAKE_SMTPD:-}" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release -j "${BUILD_JOBS:-2}" --target fake-smtpd >/dev/null
  FAKE_SMTPD=build/release/fake-server/fake-smtpd
fi

work=$(mktemp -d -t fake-smtpd-throughput.XXXXXX)
fake_pid=""
sink_pid=""
cleanup() {
  for pid in $fake_pid $sink_pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in $fake_pid $sink_pid; do
    # Bounded: 5 s, then SIGKILL.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$FAKE_SMTPD" --listen 127.0.0.1:0 --no-api --store none --idle-timeout 600s \
  --ports-file "$work/ports.json" >"$work/fake-smtpd.out" 2>&1 &
fake_pid=$!
if ! fake_port=$("$py" "$lib" wait-ports-file "$work/ports.json" smtp 10); then
  cat "$work/fake-smtpd.out" >&2
  exit 1
fi

sink_port=$("$py" "$lib" free-port)
sink_user=()
[ "$(id -u)" -eq 0 ] && sink_user=(-u nobody)
"$smtp_sink" "${sink_user[@]}" "127.0.0.1:$sink_port" 1024 >"$work/smtp-sink.out" 2>&1 &
sink_pid=$!
if ! "$py" "$lib" wait-banner 127.0.0.1 "$sink_port" 10; then
  cat "$work/smtp-sink.out" >&2
  exit 1
fi

port_of() { if [ "$1" = fake-smtpd ]; then echo "$fake_port"; else echo "$sink_port"; fi; }
pid_of() { if [ "$1" = fake-smtpd ]; then echo "$fake_pid"; else echo "$sink_pid"; fi; }

# One run of smtp-source against SERVER; appends 'server round messages
# seconds cpu' to the results file (round 0: warm-up, not recorded).
run() {
  local server=$1 round=$2 count=$3 pid cpu_before seconds cpu_after
  pid=$(pid_of "$server")
  kill -0 "$pid" 2>/dev/null || { echo "$server (pid $pid) is not running" >&2; exit 1; }
  cpu_before=$("$py" "$lib" cpu "$pid")
  seconds=$("$py" "$lib" timed "$run_limit" -- \
    "$smtp_source" "${load[@]}" -m "$count" "127.0.0.1:$(port_of "$server")")
  cpu_after=$("$py" "$lib" cpu "$pid")
  if [ "$round" -gt 0 ]; then
    echo "$server $round $count $seconds $("$py" -c "print(f'{$cpu_after - $cpu_before:.2f}')")" \
      >>"$work/results"
  fi
}

echo "fake-smtpd throughput vs smtp-sink: smtp-source ${load[*]} -m $messages"
echo "  $(head -1 "$work/fake-smtpd.out")"
echo "  smtp-sink 127.0.0.1:$sink_port (pid $sink_pid); $rounds rounds, ABBA order;" \
  "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
run fake-smtpd 0 "$warmup"
run smtp-sink 0 "$warmup"
for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order=(fake-smtpd smtp-sink); else order=(smtp-sink fake-smtpd); fi
  for server in "${order[@]}"; do run "$server" "$round" "$messages"; done
done
echo
"$py" "$lib" summarize "$work/results" "$target"
