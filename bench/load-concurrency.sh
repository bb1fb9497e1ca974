#!/usr/bin/env bash
# smtp-harness load with 10,000 concurrent sessions against fake-smtpd
# (bench/README.md). Target: the client's peak RSS <= 256 MB (MiB here,
# the stricter reading).
#
# Server: fake-smtpd --store none --no-api --idle-timeout 600s (release
# build, one thread): no message kept, and no session closed for idling
# while the pool waits for its turn.
#
# Client: the open model, so that the whole pool is open at once:
#   smtp-harness load --connections 10000 --rate 2000 --duration 15s
# opens all 10,000 connections first (paced: at most 64 connects in flight
# per worker, so that the server's accept backlog never overflows), waits for
# each to pass EHLO, and only then starts the schedule: 2,000 messages a
# second for 15 s, each taken by an idle session that keeps its connection.
# (The closed model with 10,000 sessions measures fake-smtpd's accept loop
# more than the client: its one thread serves the connected sessions while
# the rest queue, so not all are open at any one time.)
#
# Checked, besides the RSS: connections_opened >= 10,000 and
# connections_failed == 0, the most connections open at the end of a second
# (load.series[].connections) >= 10,000, messages delivered and no error.
# Peak RSS: the high-water mark of the resident set over the whole life of
# the process, as wait4(2) reports it (ru_maxrss), read by /usr/bin/time
# (%M) when it is installed, else by benchload.py peak-rss (the same figure).
# fake-smtpd's peak (VmHWM in /proc/PID/status) is printed for information.
# Exits 1 when a check fails, 2 when a tool is missing or a run breaks.
#
# Usage: bench/load-concurrency.sh [BUILD_DIR]   (default build/release)
# Environment: SESSIONS (10000), RATE (2000), DURATION (15s), THREADS
#   (default: one per core), LIMIT_MIB (256).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build/release}
sessions=${SESSIONS:-10000}
rate=${RATE:-2000}
duration=${DURATION:-15s}
limit_mib=${LIMIT_MIB:-256}
# shellcheck source=bench/load/common.sh
source bench/load/common.sh load-concurrency

# One descriptor per session on each side, plus a few; both processes inherit it.
fds=$((sessions + 1000))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$fds" ] && ! ulimit -n "$fds" 2>/dev/null; then
  echo "cannot raise the descriptor limit to $fds (hard limit $(ulimit -Hn))" >&2
  exit 2
fi

start_fake_smtpd

thread_flags=()
[ -n "${THREADS:-}" ] && thread_flags=(--threads "$THREADS")
client=("$harness" load --target "127.0.0.1:$port" --connections "$sessions" --rate "$rate"
  --duration "$duration" "${thread_flags[@]}" -q --json "$work/result.json")
if [ -x /usr/bin/time ]; then
  measure=(/usr/bin/time -f %M -o "$work/rss")
  how="/usr/bin/time %M (wait4 ru_maxrss)"
else
  measure=("$py" "$lib" peak-rss "$run_limit" "$work/rss" --)
  how="benchload.py peak-rss (wait4 ru_maxrss)"
fi

echo "smtp-harness load, $sessions concurrent sessions against fake-smtpd (pid $fake_pid, 127.0.0.1:$port)"
echo "  ${client[*]:1}"
echo "  peak RSS by $how; descriptor limit $(ulimit -n); $(nproc) CPUs," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
# timeout(1) bounds the run; it runs in the background so that the trap can
# stop it.
timeout -k 5 "$run_limit" "${measure[@]}" "${client[@]}" >"$work/client.out" 2>"$work/client.err" &
client_pid=$!
client_status=0
wait "$client_pid" || client_status=$?
client_pid=""
if [ "$client_status" -ne 0 ] || [ ! -s "$work/result.json" ] || [ ! -s "$work/rss" ]; then
  echo "smtp-harness load failed (exit status $client_status)" >&2
  cat "$work/client.err" "$work/client.out" >&2
  exit 2
fi
server_kib=$("$py" "$lib" vmhwm "$fake_pid")
rss_kib=$(tail -1 "$work/rss")
echo
status=0
"$py" "$lib" check-concurrency "$work/result.json" "$rss_kib" "$server_kib" "$sessions" \
  "$limit_mib" || status=$?
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
