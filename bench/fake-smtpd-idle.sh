#!/usr/bin/env bash
# fake-smtpd memory with many idle sessions. Target (bench/README.md): it
# holds 10,000 concurrent idle sessions with RSS <= 300 MB; the script prints
# the RSS per session. Postfix's smtp-sink gets the same load as a reference,
# in the same run (docs/ARCHITECTURE.md §4); if it cannot hold that many, the
# script says so and the verdict still concerns fake-smtpd only.
#
# fake-smtpd runs as the target is stated for (release build, --store none,
# --idle-timeout 600s so no session times out while held), with the HTTP API
# on so the client can read active_sessions from GET /api/stats. smtp-sink
# runs with -m SESSIONS+16 (its default of 256 simultaneous connections would
# leave the rest queued in the kernel, never greeted) and -t 600.
#
# A Python client (bench/fake-smtpd/idle_sessions.py) opens the sessions,
# reads every 220 greeting, then reads the server's VmRSS while all are held.
# Client and servers are separate processes, each needing SESSIONS+ open
# files: the script raises the soft limit to the hard one for all of them.
# Exits 1 when fake-smtpd does not hold every session or exceeds LIMIT_MB
# (memory, unlike speed, is steady enough to judge in one run).
#
# Usage: bench/fake-smtpd-idle.sh
# Environment: SESSIONS (10000), LIMIT_MB (300), FAKE_SMTPD (a built binary;
#   default: build the release preset), SMTP_SINK (default /usr/sbin/smtp-sink).
set -euo pipefail
cd "$(dirname "$0")/.."

sessions=${SESSIONS:-10000}
limit_mb=${LIMIT_MB:-300}
py=/usr/bin/python3
lib=bench/fake-smtpd/benchlib.py
client=bench/fake-smtpd/idle_sessions.py
smtp_sink=${SMTP_SINK:-/usr/sbin/smtp-sink}

hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt $((sessions + 64)) ]; then
  echo "open-file hard limit $hard is below the $((sessions + 64)) needed" >&2
  exit 2
fi
ulimit -n "$hard"

if [ -z "${FAKE_SMTPD:-}" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release -j "${BUILD_JOBS:-2}" --target fake-smtpd >/dev/null
  FAKE_SMTPD=build/release/fake-server/fake-smtpd
fi

work=$(mktemp -d -t fake-smtpd-idle.XXXXXX)
pids=()
stop_servers() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    # Bounded: 5 s, then SIGKILL.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
trap 'stop_servers; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

echo "idle sessions: $sessions per server, open-file limit $(ulimit -n)," \
  "$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# fake-smtpd: the measured server.
"$FAKE_SMTPD" --listen 127.0.0.1:0 --api 127.0.0.1:0 --store none --idle-timeout 600s \
  --ports-file "$work/ports.json" >"$work/fake-smtpd.out" 2>&1 &
fake_pid=$!
pids+=("$fake_pid")
if ! fake_port=$("$py" "$lib" wait-ports-file "$work/ports.json" smtp 10); then
  cat "$work/fake-smtpd.out" >&2
  exit 1
fi
api_port=$("$py" "$lib" wait-ports-file "$work/ports.json" api 10)
head -1 "$work/fake-smtpd.out"
verdict=0
"$py" "$client" --label fake-smtpd --pid "$fake_pid" --port "$fake_port" \
  --api-port "$api_port" --sessions "$sessions" --limit-mb "$limit_mb" || verdict=$?
stop_servers

# smtp-sink: the reference; its failure is reported, not fatal.
echo
sink_port=$("$py" "$lib" free-port)
sink_user=()
[ "$(id -u)" -eq 0 ] && sink_user=(-u nobody)  # smtp-sink refuses root without -u
"$smtp_sink" "${sink_user[@]}" -m $((sessions + 16)) -t 600 "127.0.0.1:$sink_port" 4096 \
  >"$work/smtp-sink.out" 2>&1 &
sink_pid=$!
pids+=("$sink_pid")
if "$py" "$lib" wait-banner 127.0.0.1 "$sink_port" 10; then
  echo "smtp-sink 127.0.0.1:$sink_port (pid $sink_pid, reference)"
  if ! "$py" "$client" --label smtp-sink --pid "$sink_pid" --port "$sink_port" \
    --sessions "$sessions"; then
    echo "  smtp-sink did not hold all $sessions sessions (reference only)"
  fi
else
  echo "smtp-sink did not start (reference skipped):"
  cat "$work/smtp-sink.out"
fi
stop_servers
exit "$verdict"
