#!/usr/bin/env bash
# The soaks' long form (CI runs the short one: the ctest entries
# integration.soak.server and integration.soak.reversed). Builds fake-smtpd
# and smtp-harness in one preset and runs, side by side, for SECONDS:
#   server    tests/integration/soak.py --plan long: fake-smtpd under garbage,
#             1 MiB lines, slowloris clients, TLS garbage, clients vanishing
#             mid-DATA and mid-BDAT, BDAT 999999999999, 10,000 idle sessions
#             and rules replaced over the HTTP API, beside smtplib clients
#             whose every message is checked through the API. Prints the
#             sanitizer report lines (must be 0), the well-behaved success
#             rate (must be 100 %), fake-smtpd's VmRSS over time with the
#             medians of the first minute, the baseline minute after it and
#             the last minute, and the plateau verdict (soak_plan.py states
#             the tolerance).
#   reversed  tests/integration/soak_reversed.py: smtp-harness load and check
#             against hostile servers (a dripped greeting, replies that never
#             end, a 10 MiB greeting, resets mid-reply), round after round.
# The RSS figures mean most on the release build (no ASan quarantine); the
# asan build adds the sanitizers' checks (ASAN_OPTIONS and UBSAN_OPTIONS as
# the asan test preset sets them, unless already set).
#
# Usage: scripts/soak.sh [SECONDS] [--build dev|release|asan] [--only server|reversed]
#   SECONDS  how long each soak runs (default $SOAK_SECONDS, else 600; the RSS
#            is judged from 180 on)
# The server soak's JSON report goes to build/PRESET/soak/server.json and the
# reversed soak's log to build/PRESET/soak/reversed.log.
# Exits 0 when both pass, 1 when one fails, 2 on a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  echo "usage: scripts/soak.sh [SECONDS] [--build dev|release|asan] [--only server|reversed]" >&2
  exit 2
}

seconds=${SOAK_SECONDS:-600}
preset=release
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --build) [ $# -ge 2 ] || usage; preset=$2; shift 2 ;;
    --only) [ $# -ge 2 ] || usage; only=$2; shift 2 ;;
    -h | --help) sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    [0-9]*) seconds=$1; shift ;;
    *) usage ;;
  esac
done
case "$preset" in dev | release | asan) ;; *) usage ;; esac
case "$only" in "" | server | reversed) ;; *) usage ;; esac
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then usage; fi

cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)" --target fake-smtpd smtp-harness

build=build/$preset
out=$build/soak
mkdir -p "$out"
export FAKE_SMTPD=$PWD/$build/fake-server/fake-smtpd
export SMTP_HARNESS=$PWD/$build/harness/app/smtp-harness
export PYTHONDONTWRITEBYTECODE=1
if [ "$preset" = asan ]; then
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
fi
py=/usr/bin/python3

reversed_pid=""
trap '[ -z "$reversed_pid" ] || kill "$reversed_pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM

echo "== soak: ${seconds} s on the $preset build, $(nproc) CPUs," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$only" != server ]; then
  # In the background, to its log; its summary is printed at the end.
  (cd tests/integration && exec "$py" soak_reversed.py --seconds "$seconds") \
    >"$out/reversed.log" 2>&1 &
  reversed_pid=$!
  echo "== reversed soak: pid $reversed_pid, log $out/reversed.log"
fi
server_status=0
if [ "$only" != reversed ]; then
  echo "== server soak"
  (cd tests/integration && "$py" soak.py --plan long --seconds "$seconds" \
    --report "$PWD/../../$out/server.json") || server_status=$?
fi
reversed_status=0
if [ -n "$reversed_pid" ]; then
  wait "$reversed_pid" || reversed_status=$?
  reversed_pid=""
  echo "== reversed soak ($out/reversed.log):"
  grep -A 20 '^reversed soak:' "$out/reversed.log" || tail -n 20 "$out/reversed.log"
fi
echo "== soak: server $([ "$server_status" -eq 0 ] && echo PASS || echo "FAIL ($server_status)")," \
  "reversed $([ "$reversed_status" -eq 0 ] && echo PASS || echo "FAIL ($reversed_status)")"
if [ "$server_status" -ne 0 ] || [ "$reversed_status" -ne 0 ]; then exit 1; fi
