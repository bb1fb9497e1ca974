#!/usr/bin/env bash
# Runs the protocol-core microbenchmarks in the release preset and prints the
# median rate of each next to its target (issue: stuffing/unstuffing a 1 MiB
# body >= 1 GB/s; typical replies/commands >= 5 M/s). Shared, noisy machines:
# medians of several repetitions, never single runs.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${BENCH_REPETITIONS:-7}
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target bench_proto >/dev/null
out=build/release/bench_proto.json
./build/release/bench/bench_proto --benchmark_repetitions="$reps" \
  --benchmark_report_aggregates_only=true --benchmark_format=console \
  --benchmark_out="$out" --benchmark_out_format=json >/dev/null
/usr/bin/python3 - "$out" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
print(f"{'benchmark (median of runs)':<52} {'rate':>16} {'target':>10}  verdict")
for b in data["benchmarks"]:
    if b.get("aggregate_name") != "median":
        continue
    name = b["run_name"]
    if "bytes_per_second" in b:
        rate, unit, target = b["bytes_per_second"] / 1e9, "GB/s", 1.0
    elif "items_per_second" in b:
        rate, unit, target = b["items_per_second"] / 1e6, "M/s", 5.0
    else:
        continue
    verdict = "ok" if rate >= target else "below target"
    print(f"{name:<52} {rate:>11.2f} {unit:<4} {target:>6.1f} {unit:<4} {verdict}")
PY
