#!/usr/bin/env bash
# What fault-injection rules and Lua hooks cost fake-smtpd, side by side in
# one run. Targets (bench/README.md): with a profile of about five
# declarative rules, throughput stays within 10% of no rules, and within 25%
# with a Lua hook on every command: five-rules / no-rules >= 0.90x and
# lua-hooks / no-rules >= 0.75x.
#
# Three fake-smtpd processes, started once, each single-threaded, release
# build, all with --listen 127.0.0.1:0 --no-api --store none
# --idle-timeout 600s --seed 1:
#   no-rules    no profile;
#   five-rules  bench/fake-smtpd/five-rules.lua: rules that are evaluated on
#               every event of smtp-source's traffic and never fire on it;
#   lua-hooks   bench/fake-smtpd/hook-every-command.lua: a hook on every
#               command smtp-source sends, each returning nil.
# (A rule or hook that fired would refuse a message, and smtp-source exits
# non-zero on any unexpected reply: that fails the benchmark, as it should.)
#
# Load: Postfix's smtp-source, as in bench/fake-smtpd-throughput.sh:
#   smtp-source -d -s 10 -l 1000 -m MESSAGES
# 10 parallel sessions that each keep their connection for all their messages
# (-d), 1000-byte payloads, no pipelining (smtp-source(1), BUGS). Per message
# a session sends MAIL, RCPT, DATA and the message; HELO and QUIT once per
# connection.
#
# One untimed warm-up run per server, then ROUNDS rounds that each run all
# three servers back to back, the order rotating (a b c, b c a, c a b, ...) so
# that drift on a shared machine hits each one in each position. Each run is
# timed with a monotonic clock around smtp-source. The summary gives each
# configuration's median rate, and for the two profiles the median of the
# per-round ratios to no-rules (the verdict) and the ratio of the medians.
# With 10 unpipelined sessions the rate is mostly round-trip bound and the
# servers idle between commands, so the server CPU per message (from
# /proc/PID/stat, 10 ms ticks) is the steadier measure of what the rules
# cost; its ratios are printed too. Exits 0 whatever the verdict: wall-clock
# rates on a shared machine are noisy. A broken run (a server that dies, an
# smtp-source failure or hang) exits non-zero.
#
# Usage: bench/fake-smtpd-rules.sh
# Environment: ROUNDS (7), MESSAGES (20000 per run), WARMUP (2000),
#   FAKE_SMTPD (a built binary; default: build the release preset),
#   SMTP_SOURCE (default /usr/sbin/smtp-source),
#   PIN=SERVER_CPU:CLIENT_CPU (e.g. 0:1; default none): run the servers on
#   one CPU and smtp-source on another (taskset). The servers then run near
#   100% busy, so the throughput ratios show their CPU cost directly, and
#   where the scheduler puts the processes stops changing from run to run.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-7}
messages=${MESSAGES:-20000}
warmup=${WARMUP:-2000}
run_limit=300  # seconds; a run that takes longer is a hang, not a result
py=/usr/bin/python3
lib=bench/fake-smtpd/benchlib.py
smtp_source=${SMTP_SOURCE:-/usr/sbin/smtp-source}
load=(-d -s 10 -l 1000)

# Configuration names, their profiles ("" for none) and throughput targets
# relative to the first one.
configs=(no-rules five-rules lua-hooks)
declare -A profile=(
  [no-rules]=""
  [five-rules]=bench/fake-smtpd/five-rules.lua
  [lua-hooks]=bench/fake-smtpd/hook-every-command.lua
)
targets=(five-rules=0.90 lua-hooks=0.75)

for tool in "$smtp_source" "$py"; do
  [ -x "$tool" ] || { echo "missing $tool (Debian package postfix / python3)" >&2; exit 2; }
done

# shellcheck source=bench/pin.sh
source bench/pin.sh

if [ -z "${FAKE_SMTPD:-}" ]; then
  cmake --preset release >/dev/null
  cmake --build --preset release -j "${BUILD_JOBS:-2}" --target fake-smtpd >/dev/null
  FAKE_SMTPD=build/release/fake-server/fake-smtpd
fi

work=$(mktemp -d -t fake-smtpd-rules.XXXXXX)
declare -A pid port
cleanup() {
  for name in "${!pid[@]}"; do
    kill -TERM "${pid[$name]}" 2>/dev/null || true
  done
  for name in "${!pid[@]}"; do
    # Bounded: 5 s, then SIGKILL.
    for _ in $(seq 50); do kill -0 "${pid[$name]}" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "${pid[$name]}" 2>/dev/null || true
    wait "${pid[$name]}" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for name in "${configs[@]}"; do
  args=()
  [ -n "${profile[$name]}" ] && args=("${profile[$name]}")
  "${pin_server[@]}" "$FAKE_SMTPD" "${args[@]}" --listen 127.0.0.1:0 --no-api --store none \
    --idle-timeout 600s --seed 1 --ports-file "$work/$name.ports.json" \
    >"$work/$name.out" 2>&1 &
  pid[$name]=$!
  if ! port[$name]=$("$py" "$lib" wait-ports-file "$work/$name.ports.json" smtp 10); then
    cat "$work/$name.out" >&2
    exit 1
  fi
done

# One run of smtp-source against configuration NAME; appends 'name round
# messages seconds cpu' to the results file (round 0: warm-up, not recorded).
run() {
  local name=$1 round=$2 count=$3 cpu_before seconds cpu_after
  kill -0 "${pid[$name]}" 2>/dev/null || {
    echo "$name (pid ${pid[$name]}) is not running" >&2
    cat "$work/$name.out" >&2
    exit 1
  }
  cpu_before=$("$py" "$lib" cpu "${pid[$name]}")
  seconds=$("$py" "$lib" timed "$run_limit" -- \
    "${pin_client[@]}" "$smtp_source" "${load[@]}" -m "$count" "127.0.0.1:${port[$name]}")
  cpu_after=$("$py" "$lib" cpu "${pid[$name]}")
  if [ "$round" -gt 0 ]; then
    echo "$name $round $count $seconds $("$py" -c "print(f'{$cpu_after - $cpu_before:.2f}')")" \
      >>"$work/results"
  fi
}

echo "fake-smtpd rules and hooks vs no rules: smtp-source ${load[*]} -m $messages"
for name in "${configs[@]}"; do
  echo "  $name: ${profile[$name]:-no profile} (pid ${pid[$name]}): $(head -1 "$work/$name.out")"
done
echo "  $rounds rounds, rotating order; $(nproc) CPUs;${PIN:+ servers on CPU ${PIN%:*}, smtp-source on CPU ${PIN#*:};}" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
for name in "${configs[@]}"; do run "$name" 0 "$warmup"; done
count=${#configs[@]}
for round in $(seq "$rounds"); do
  for i in $(seq 0 $((count - 1))); do
    run "${configs[$(((round - 1 + i) % count))]}" "$round" "$messages"
  done
done
echo
"$py" "$lib" summarize-versus "$work/results" "${configs[0]}" "${targets[@]}"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
