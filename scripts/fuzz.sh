#!/usr/bin/env bash
# A fuzzing campaign over every libFuzzer target (tests/fuzz/): builds the
# fuzz preset when needed, runs each target for SECONDS from its corpus in
# tests/fuzz/corpus/<target>/, then minimises that corpus in the repository
# (libFuzzer -merge=1 into a fresh directory, which then replaces it; a seed
# that survives keeps its name). Prints, per target: executions, the final
# coverage (cov/ft of libFuzzer's last status line), the corpus before and
# after, and the findings. A finding (crash-*, leak-*, timeout-*, oom-*) is
# kept in build/fuzz/findings/<target>/; make it a regression test (a unit
# test, or the file under tests/fuzz/regressions/<target>/, which ctest
# replays) before fixing it.
#
# Usage: scripts/fuzz.sh [-j N] [SECONDS] [TARGET...]
#   SECONDS  per target (default 60)
#   -j N     targets run N at a time (default: $FUZZ_JOBS, else 1); each
#            libFuzzer process uses one core
#   TARGET   only these (names as in tests/fuzz/corpus/, e.g. server_dialogue)
# Exits 0 when no target found anything, 1 when one did, 2 on usage errors.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {  # usage STATUS: the usage text, on stderr unless asked for
  if [ "$1" = 0 ]; then
    sed -n '13,18s/^# \{0,1\}//p' "$0"
  else
    sed -n '13,18s/^# \{0,1\}//p' "$0" >&2
  fi
  exit "$1"
}

jobs=${FUZZ_JOBS:-1}
seconds=60
seconds_given=0
targets=()
while [ $# -gt 0 ]; do
  case $1 in
    -j) [ $# -ge 2 ] || usage 2; jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    -h | --help) usage 0 ;;
    -*) usage 2 ;;
    *)
      if [[ $1 =~ ^[0-9]+$ ]] && [ ${#targets[@]} -eq 0 ] && [ "$seconds_given" = 0 ]; then
        seconds=$1
        seconds_given=1
      else
        targets+=("$1")
      fi
      shift
      ;;
  esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: -j wants a positive number, not '$jobs'" >&2; exit 2; }
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: SECONDS must be positive" >&2; exit 2; }

corpus_root=tests/fuzz/corpus
if [ ${#targets[@]} -eq 0 ]; then
  for d in "$corpus_root"/*/; do targets+=("$(basename "$d")"); done
fi
for t in "${targets[@]}"; do
  [ -d "$corpus_root/$t" ] || { echo "fuzz.sh: no target '$t' (no $corpus_root/$t/)" >&2; exit 2; }
done

build=build/fuzz
[ -f "$build/CMakeCache.txt" ] || cmake --preset fuzz >/dev/null
echo "== building the fuzz targets"
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]/#/fuzz_}" | tail -n 1

findings_root=$build/findings
work_root=$(mktemp -d "${TMPDIR:-/tmp}/smtp-fuzz.XXXXXX")
trap 'rm -rf "$work_root"' EXIT

# Runs one target and its merge; its summary goes to $work_root/<target>.summary.
run_target() {
  local t=$1
  local exe=$build/tests/fuzz/fuzz_$t
  local work=$work_root/$t
  local corpus=$corpus_root/$t
  local findings=$findings_root/$t
  mkdir -p "$work/new" "$work/merged" "$findings"
  touch "$work/stamp"  # findings are the files newer than this
  local before
  before=$(find "$corpus" -type f | wc -l)
  # New inputs go to $work/new; the repository corpus is only read here.
  "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$work/new" "$corpus" >"$work/run.log" 2>&1 || true
  local execs cov
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/run.log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$work/run.log" | tail -n 1)
  # Minimise: the inputs of both directories that add coverage, in a fresh one.
  local merged_ok=1
  "$exe" -merge=1 -timeout=10 -rss_limit_mb=2048 "$work/merged" "$corpus" "$work/new" \
    >"$work/merge.log" 2>&1 || merged_ok=0
  local after=$before
  if [ "$merged_ok" = 1 ] && [ -n "$(ls -A "$work/merged")" ]; then
    # libFuzzer names a merged file by the SHA-1 of its content; a seed that
    # survives keeps its descriptive name.
    local f sum
    for f in "$corpus"/*; do
      [ -f "$f" ] || continue
      sum=$(sha1sum "$f" | cut -d' ' -f1)
      if [ -f "$work/merged/$sum" ]; then mv "$work/merged/$sum" "$work/merged/$(basename "$f")"; fi
    done
    rm -rf "$corpus"
    mkdir -p "$corpus"
    cp "$work/merged"/* "$corpus"/
    after=$(find "$corpus" -type f | wc -l)
  else
    echo "$t: the merge failed; the corpus is unchanged (log: $work/merge.log)" >&2
    cp "$work/merge.log" "$findings_root/$t.merge.log" 2>/dev/null || true
  fi
  local found
  found=$(find "$findings" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) -newer "$work/stamp" | sort)
  cp "$work/run.log" "$findings_root/$t.log"
  {
    printf '%-16s execs %-10s %-22s corpus %s -> %s files' "$t" "${execs:-?}" "${cov:-cov: ?}" \
      "$before" "$after"
    if [ -n "$found" ]; then
      printf '  FOUND %s\n' "$(echo "$found" | wc -l)"
      echo "$found" | sed 's/^/    /'
    else
      printf '  no findings\n'
    fi
  } >"$work_root/$t.summary"
  [ -z "$found" ]
}

echo "== fuzzing ${#targets[@]} targets for ${seconds} s each, ${jobs} at a time"
mkdir -p "$findings_root"
status=0
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  run_target "$t" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done

echo "== results (logs: $findings_root/<target>.log)"
for t in "${targets[@]}"; do
  cat "$work_root/$t.summary" 2>/dev/null || echo "$t: the script failed for it (see above)"
done
if [ "$status" -ne 0 ]; then
  echo "== findings: make each a regression test, then fix it"
fi
exit "$status"
