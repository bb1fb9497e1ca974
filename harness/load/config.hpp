#pragma once
// Everything a load run needs to know, after the scenario file and the
// command line were merged and validated (the app layer does that). The
// engine trusts it: validation happens before any connection is made
// (ARCHITECTURE.md §2).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "load/schedule.hpp"
#include "load/threshold.hpp"
#include "proto/client_dialogue.hpp"

namespace smtp::load {

enum class Model : std::uint8_t {
  closed,  // `connections` sessions, each sending as fast as the server answers
  open,    // transactions start on a schedule, whatever the server does
};

struct TlsSettings {
  proto::TlsMode mode = proto::TlsMode::none;
  bool verify = false;                 // check the certificate chain and host name
  std::string sni;                     // server name to send and verify; default: target host
  std::optional<std::string> ca_file;  // trust anchors for verify
};

// The message the built-in generator sends when the scenario has no
// message(ctx) hook, and the defaults a hook's answer is completed with.
struct MessageDefaults {
  std::string from = "load@harness.test";
  // "%d" is replaced by a number (the message sequence modulo recipient_pool);
  // no %d: the address as is.
  std::string to_pattern = "rcpt%d@example.test";
  std::uint64_t recipient_pool = 1000;
  std::size_t recipients = 1;  // per message
  std::size_t size = 1024;     // octets of content, header included, CRLF lines
};

struct LoadConfig {
  std::string target_host = "127.0.0.1";
  std::uint16_t target_port = 25;

  Model model = Model::closed;
  // closed: the number of sessions. open: the most connections the pool may
  // open (sessions idle until a transaction is due).
  std::size_t connections = 10;
  RateProfile rate;  // open model only
  Arrivals arrivals = Arrivals::constant;

  // The run ends at whichever comes first; at least one is set. For the open
  // model the profile's duration is the run's duration.
  std::optional<std::chrono::nanoseconds> duration;
  std::optional<std::uint64_t> messages;
  // Once the limit is hit, transactions in flight get this long to finish.
  std::chrono::nanoseconds drain_timeout = std::chrono::seconds(10);

  std::size_t messages_per_connection = 0;  // 0: unlimited; then QUIT and reconnect
  proto::ClientConfig client;               // HELO name, TLS mode, AUTH, PIPELINING, BDAT
  TlsSettings tls;
  MessageDefaults message;

  std::size_t threads = 0;  // 0: one per core
  std::chrono::nanoseconds connect_timeout = std::chrono::seconds(10);
  std::chrono::nanoseconds reply_timeout = std::chrono::seconds(30);
  // Connections opened at once per worker (SYN pacing): more would overflow
  // the target's accept backlog, and a dropped SYN is retried after 1 s,
  // which would show up as a 1 s "connect latency" that is our fault.
  std::size_t max_pending_connects = 64;
  // The pause before reconnecting after a connection failed or ended in 421,
  // so that a server that is down is not hammered in a tight loop.
  std::chrono::nanoseconds reconnect_delay = std::chrono::milliseconds(100);
  // Open model: a start more than this late counts as late.
  std::chrono::nanoseconds late_slack = std::chrono::milliseconds(1);
  // Open model: starts waiting for a free connection beyond this many per
  // worker are dropped (and counted) instead of queued.
  std::size_t max_backlog = 1'000'000;

  std::uint64_t seed = 1;
  std::vector<Threshold> thresholds;

  // This process is shard `index` of `count` (--shard I/N): the app
  // gave it its share of the connections and of the message limit; the
  // open model's schedule takes 1/count of the rate here, at a phase that
  // interleaves the shards' constant arrivals.
  std::uint32_t shard_index = 0;  // 0-based
  std::uint32_t shard_count = 1;
};

// The seed of worker `worker`'s random streams (Poisson arrivals, the
// scenario's math.random): distinct per worker and per shard, so that shards
// run with one --seed do not repeat each other's arrivals.
inline std::uint64_t worker_seed(const LoadConfig& config, std::uint32_t worker) {
  constexpr std::uint64_t kShardStride = 0x9E3779B97F4A7C15ULL;  // 2^64 / golden ratio
  return config.seed + worker + config.shard_index * kShardStride;
}

}  // namespace smtp::load
