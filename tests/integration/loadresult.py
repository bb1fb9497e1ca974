"""Reading a `smtp-harness load --json` result the way its schema
(reports/schema/result.schema.json) describes it, independently of the C++
code that wrote it: the replies matrix, latency cells, histogram buckets,
summaries and the merge of histograms. Standard library only.
"""

import collections
import json
import math


def cell(load, phase, cls):
    """The latency entry of (phase, class), or None."""
    found = [c for c in load["latency"] if c["phase"] == phase and c["class"] == cls]
    return found[0] if found else None


def replies(load, phase=None):
    """{(phase, code, enhanced or None): count} of the replies matrix."""
    return {(r["phase"], r["code"], r.get("enhanced")): r["count"] for r in load["replies"]
            if phase is None or r["phase"] == phase}


def reply_count(load, phase, code, enhanced=None):
    return replies(load).get((phase, code, enhanced), 0)


def phase_total(load, phase):
    """Replies read in `phase`, every code."""
    return sum(n for (p, _, _), n in replies(load).items() if p == phase)


def merge_histograms(histograms):
    """The merge the schema's top-level description defines, written
    independently of the C++ one: bucket-wise sums, min of mins, max of
    maxes, the 128-bit sum with its carry."""
    non_empty = [h for h in histograms if h["count"] > 0]
    layouts = {json.dumps(h["layout"], sort_keys=True) for h in histograms}
    if len(layouts) > 1:
        raise AssertionError(f"histograms with different layouts: {layouts}")
    buckets = collections.Counter()
    for h in histograms:
        for index, count in h["buckets"]:
            buckets[index] += count
    low = sum(h["sum_ns"]["low"] for h in histograms)
    high = sum(h["sum_ns"]["high"] for h in histograms) + (low >> 64)
    return {
        "layout": histograms[0]["layout"],
        "buckets": [[i, n] for i, n in sorted(buckets.items())],
        "count": sum(h["count"] for h in histograms),
        "min_ns": min((h["min_ns"] for h in non_empty), default=0),
        "max_ns": max((h["max_ns"] for h in non_empty), default=0),
        "sum_ns": {"high": high, "low": low & ((1 << 64) - 1)},
        "overflow": sum(h["overflow"] for h in histograms),
    }


def bucket_bounds(index, layout):
    """[low, low + width) of bucket `index` (the schema's top-level description)."""
    lowest = layout["lowest_trackable_ns"]
    if index == 0:
        return 0, lowest
    bits = layout["sub_bucket_bits"]
    exponent = lowest.bit_length() - 1 + (index - 1) // (1 << bits)
    slice_ = (index - 1) % (1 << bits)
    width = 1 << (exponent - bits)
    return (1 << exponent) + slice_ * width, width


QUANTILES = {"p50_ns": 0.50, "p90_ns": 0.90, "p99_ns": 0.99, "p999_ns": 0.999}


def summary_of(histogram):
    """The summary fields a histogram implies, by the schema's rules:
    nearest rank, the extremes exact, else the bucket's midpoint clamped to
    [min, max]."""
    count = histogram["count"]
    summary = {"count": count, "min_ns": histogram["min_ns"], "max_ns": histogram["max_ns"]}
    total = (histogram["sum_ns"]["high"] << 64) + histogram["sum_ns"]["low"]
    summary["mean_ns"] = total / count if count else 0
    for name, q in QUANTILES.items():
        if count == 0:
            summary[name] = 0
            continue
        rank = min(max(math.ceil(q * count), 1), count)
        if rank == 1:
            summary[name] = histogram["min_ns"]
        elif rank == count:
            summary[name] = histogram["max_ns"]
        else:
            seen = 0
            for index, n in histogram["buckets"]:
                seen += n
                if seen >= rank:
                    break
            low, width = bucket_bounds(index, histogram["layout"])
            summary[name] = min(max(low + width // 2, histogram["min_ns"]), histogram["max_ns"])
    return summary


def add_counts(dicts):
    total = collections.Counter()
    for d in dicts:
        for key, value in d.items():
            total[key] += value
    return dict(total)


# --- the delivery section (smtp-harness load --sink) ---------------------------

DELIVERY_COUNTS = ("accepted_messages", "accepted", "delivered", "lost", "bounced", "duplicated",
                   "corrupted", "header_changed", "unexpected", "retried")
DELIVERY_HISTOGRAMS = ("latency", "latency_from_start", "retry_delay")


def delivery(result):
    """The delivery section of a load result (present with --sink only),
    its counts and histogram entries checked for completeness; AssertionError
    naming what is missing otherwise."""
    load = result["load"]
    if "delivery" not in load:
        raise AssertionError(f"the load result has no delivery section (keys: {sorted(load)})")
    section = load["delivery"]
    missing = [k for k in DELIVERY_COUNTS if k not in section.get("counts", {})]
    missing += [k for k in DELIVERY_HISTOGRAMS if "histogram" not in section.get(k, {})]
    if missing:
        raise AssertionError(f"the delivery section lacks {missing}: {sorted(section)}")
    return section


def delivery_summary(section, name):
    """The summary of one of the delivery section's histogram entries
    (latency, latency_from_start, retry_delay): the summary fields next to
    its histogram, which must be the ones the histogram implies (mean within
    1 ns)."""
    entry = section[name]
    expected = summary_of(entry["histogram"])
    given = {k: entry.get(k) for k in expected}
    if abs((given["mean_ns"] or 0) - expected["mean_ns"]) > 1.0 or any(
            given[k] != expected[k] for k in expected if k != "mean_ns"):
        raise AssertionError(f"delivery.{name}: summary {given} is not the histogram's {expected}")
    return expected
