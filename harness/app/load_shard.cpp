#include "app/load_shard.hpp"

#include <charconv>
#include <string>

namespace smtp::app {
namespace {

constexpr std::uint32_t kMaxShards = 1000;

bool parse_number(std::string_view text, std::uint32_t& out) {
  if (text.empty()) return false;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

Shard parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  Shard shard;
  const bool parsed = slash != std::string_view::npos &&
                      parse_number(text.substr(0, slash), shard.index) &&
                      parse_number(text.substr(slash + 1), shard.count);
  if (!parsed || shard.count < 1 || shard.count > kMaxShards || shard.index < 1 ||
      shard.index > shard.count) {
    throw UsageError("--shard: expected I/N with 1 <= I <= N <= " + std::to_string(kMaxShards) +
                     ", like 2/4, got '" + std::string(text) + "'");
  }
  return shard;
}

std::uint64_t shard_share(std::uint64_t total, const Shard& shard) {
  const std::uint64_t base = total / shard.count;
  return base + (shard.index - 1 < total % shard.count ? 1 : 0);
}

void apply_shard(LoadPlan& plan, const Shard& shard) {
  auto& config = plan.config;
  auto& settings = plan.settings;
  const std::string of = std::to_string(shard.count) + " shards";
  if (config.connections < shard.count) {
    throw UsageError("--shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) +
                     ": " + std::to_string(config.connections) +
                     " connections cannot be shared among " + of);
  }
  config.connections = shard_share(config.connections, shard);
  settings.connections = config.connections;
  if (config.messages) {
    if (*config.messages < shard.count) {
      throw UsageError("--shard " + std::to_string(shard.index) + "/" +
                       std::to_string(shard.count) + ": " + std::to_string(*config.messages) +
                       " messages cannot be shared among " + of);
    }
    config.messages = shard_share(*config.messages, shard);
    settings.messages = config.messages;
  }
  // The rate profile stays whole in the config: each shard's schedule takes
  // 1/count of it. The result records this shard's share of the peak.
  if (settings.target_rate) *settings.target_rate /= shard.count;
  config.shard_index = shard.index - 1;
  config.shard_count = shard.count;
  settings.shard_index = shard.index;
  settings.shard_count = shard.count;
}

}  // namespace smtp::app
