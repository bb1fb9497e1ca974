# Sourced by bench/load-{accuracy,rate,concurrency,metrics}.sh after `cd` to
# the repository and `build=...`: the tools they run, a work directory named
# after the script ($1), start_fake_smtpd, and a cleanup that stops
# $client_pid and $fake_pid (each given 5 s after SIGTERM, then SIGKILL) and
# removes the directory.
# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # variables for the sourcing script; it sets $build

run_limit=300  # seconds; a run that takes longer is a hang, not a result
py=/usr/bin/python3
lib=bench/load/benchload.py
harness=$build/harness/app/smtp-harness
fake_smtpd=$build/fake-server/fake-smtpd

for tool in "$py" "$harness" "$fake_smtpd"; do
  [ -x "$tool" ] || { echo "missing $tool (python3, or build: cmake --preset release" \
    "-B $build && ninja -C $build smtp-harness fake-smtpd)" >&2; exit 2; }
done

work=$(mktemp -d -t "$1.XXXXXX")
fake_pid=""
client_pid=""
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  for pid in $client_pid $fake_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    # Bounded: 5 s, then SIGKILL.
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# fake-smtpd (release build, one thread) on a free port of 127.0.0.1 with
# --no-api --store none --idle-timeout 600s, and ARGS (a profile, say)
# before them; sets $fake_pid and $port once it listens, exits 2 if it
# does not.
# With PIN=SERVER_CPU:CLIENT_CPU (bench/pin.sh) it runs on SERVER_CPU, and
# the sourcing script runs its client with "${pin_client[@]}".
# shellcheck source=bench/pin.sh
source bench/pin.sh
start_fake_smtpd() {
  "${pin_server[@]}" "$fake_smtpd" "$@" --listen 127.0.0.1:0 --no-api --store none --idle-timeout 600s \
    --ports-file "$work/ports.json" >"$work/fake-smtpd.out" 2>&1 &
  fake_pid=$!
  if ! port=$("$py" "$lib" wait-ports-file "$work/ports.json" smtp 10); then
    cat "$work/fake-smtpd.out" >&2
    exit 2
  fi
}
