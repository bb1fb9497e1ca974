#!/usr/bin/env bash
# Fails, listing the files, when any tracked C++ file differs from clang-format's output.
set -euo pipefail
clang_format=${1:-clang-format}
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard '*.cpp' '*.hpp')
existing=()
for f in "${files[@]}"; do [ -f "$f" ] && existing+=("$f"); done
[ ${#existing[@]} -gt 0 ] || exit 0
# One clang-format per core over all the files (starting one per file took a
# minute); --dry-run -Werror reports each difference as "FILE:LINE:COL: error".
report=$(printf '%s\0' "${existing[@]}" |
  xargs -0 -P "$(nproc)" -n 64 "$clang_format" --dry-run -Werror 2>&1 || true)
mapfile -t bad < <(printf '%s\n' "$report" | sed -n 's/^\([^:]*\.[ch]pp\):[0-9]*:[0-9]*: error.*/\1/p' | sort -u)
if [ ${#bad[@]} -gt 0 ]; then
  echo "not clang-formatted (run: clang-format -i FILE):"
  printf '  %s\n' "${bad[@]}"
  exit 1
fi
if [ -n "$report" ]; then
  printf '%s\n' "$report"
  echo "clang-format failed"
  exit 1
fi
echo "clang-format: ${#existing[@]} files clean"
