#pragma once
// `smtp-harness merge`: load results from several processes or
// machines, added up into one. Counters, replies, errors and histograms
// merge exactly (the schema's "TO MERGE" rules; load::Metrics::merge), so
// the merged percentiles are those of one histogram of every sample.
//
// The inputs are the N shards of one load (--shard I/N) or any runs against
// the same target with the same message shape; what cannot be added (a
// different target, message size, TLS mode ...) is refused, naming the
// field and the two values.
#include <optional>
#include <string>
#include <vector>

#include "load/result.hpp"

namespace smtp::reports {

// A result and where it came from (a file name), for error messages.
struct NamedResult {
  std::string name;
  load::RunResult result;
};

// The merge of `inputs` (at least two). nullopt with `error` set when they
// cannot be merged. Besides the exact parts:
// - settings: connections, threads, messages and target_rate add up,
//   duration_seconds is the longest; shard is dropped and merged_runs set;
// - the time: started_at is the earliest start, elapsed_seconds runs to the
//   latest end; achieved_rate adds up (the runs ran side by side);
//   stop_reason is "interrupted" or "stalled" when any input's was, else
//   the first input's;
// - series: second k of every input adds up (inputs are taken to have
//   started together, as shards do); per-second p50/p99 cannot be merged
//   from percentiles, so the merged second shows the largest input's value
//   (an upper bound, and said so in the schema's reading of merged_runs);
// - workers are listed one after another, renumbered;
// - generator health: CPU adds up, the busiest worker and loop lag are the
//   worst, bound when any input was, with its reasons prefixed by the name;
// - delivery (runs with --sink, each with its own sink): merged exactly by
//   load::merge (delivery.hpp); either every input has a delivery section or
//   none has, else an error naming the file without one;
// - thresholds are evaluated again on the merged metrics and deliveries;
// - error samples: the inputs', each once, at most 8 (as one run keeps).
std::optional<load::RunResult> merge_results(const std::vector<NamedResult>& inputs,
                                             std::string& error);

}  // namespace smtp::reports
