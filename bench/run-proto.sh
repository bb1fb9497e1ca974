#!/usr/bin/env bash
# Runs the protocol-core microbenchmarks in the release preset and prints the
# median rate of each next to its target (bench/README.md: stuffing/unstuffing
# a 1 MiB body >= 1 GB/s; typical replies/commands >= 5 M/s). Shared, noisy
# machines: medians of several repetitions, never single runs.
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
import json, re, sys
# Targets (bench/README.md): stuffing and unstuffing a 1 MiB body >= 1 GB/s;
# parsing *typical* replies and commands >= 5 M/s. Other benchmarks are shown
# for information, without a verdict.
targets = [
    (r"DotStuff|DotUnstuff", "bytes", 1.0),
    (r"ReplyParser_(SingleLine|TypicalSession)$|CommandParse_(TransactionMix|Rcpt|Data|Ehlo)$",
     "items", 5.0),
]
data = json.load(open(sys.argv[1]))
print(f"{'benchmark (median of runs)':<40} {'rate':>14}  {'target':>10}  verdict")
for b in data["benchmarks"]:
    if b.get("aggregate_name") != "median":
        continue
    name = b["run_name"]
    kind, target = None, None
    for pattern, k, t in targets:
        if re.search(pattern, name):
            kind, target = k, t
    if kind is None:
        kind = "items" if "items_per_second" in b else "bytes"
    if kind == "items" and "items_per_second" in b:
        rate, unit = b["items_per_second"] / 1e6, "M/s"
    elif "bytes_per_second" in b:
        rate, unit = b["bytes_per_second"] / 1e9, "GB/s"
    else:
        continue
    if target is None:
        print(f"{name:<40} {rate:>9.2f} {unit:<4}  {'-':>10}  (information)")
    else:
        verdict = "ok" if rate >= target else "BELOW TARGET"
        print(f"{name:<40} {rate:>9.2f} {unit:<4}  {target:>5.1f} {unit:<4}  {verdict}")
PY
