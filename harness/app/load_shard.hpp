#pragma once
// `load --shard I/N`: one of N processes, on one machine or
// several, that together run one load. Each takes its share of the
// connections and of the message limit; the open model's rate is shared by
// the schedule (load::LoadConfig::shard_*). `smtp-harness merge` adds the N
// results up again, histograms exactly.
#include <cstdint>
#include <string_view>

#include "app/load_options.hpp"

namespace smtp::app {

struct Shard {
  std::uint32_t index = 1;  // 1-based, as typed
  std::uint32_t count = 1;
};

// "I/N" with 1 <= I <= N <= 1000. Throws UsageError naming --shard.
Shard parse_shard(std::string_view text);

// Share `total` among `count` shards: the first total % count shards get
// one more, so the shares add up to total.
std::uint64_t shard_share(std::uint64_t total, const Shard& shard);

// Narrows a planned run to `shard`. Throws UsageError when there are fewer
// connections (or messages) than shards: a shard with none would do nothing.
void apply_shard(LoadPlan& plan, const Shard& shard);

}  // namespace smtp::app
