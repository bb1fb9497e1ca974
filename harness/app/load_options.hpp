#pragma once
// `smtp-harness load`'s settings: the command line over the scenario file
// over the defaults (flags override the file; without a file the flags
// alone describe a plain run). Everything is checked here, before any
// connection is made (ARCHITECTURE.md §2, load step 1); a mistake is a
// UsageError that names the flag or the file and field.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "load/config.hpp"
#include "load/result.hpp"
#include "script/load_scenario.hpp"

namespace smtp::app {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The flags as typed; empty when not given.
struct LoadFlags {
  std::string scenario;
  std::optional<std::string> target;
  std::optional<std::size_t> connections;
  std::optional<double> rate;
  std::vector<std::string> stages;  // "DURATION:RATE"
  std::optional<std::string> arrivals;
  std::optional<std::string> duration;
  std::optional<std::uint64_t> messages;
  std::optional<std::size_t> messages_per_connection;
  std::optional<std::size_t> size;
  std::optional<std::size_t> recipients;
  std::optional<std::string> from;
  std::optional<std::string> to;
  std::optional<std::string> tls;
  bool tls_verify = false;
  std::optional<std::string> sni;
  std::optional<std::string> ca_file;
  std::optional<std::string> auth;  // USER:PASS
  std::optional<std::string> auth_mechanism;
  bool cleartext_auth = false;
  bool no_pipelining = false;
  bool chunking = false;
  std::optional<std::string> helo;
  std::optional<std::size_t> threads;
  std::optional<std::string> timeout;
  std::optional<std::string> connect_timeout;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> thresholds;
  std::optional<std::string> shard;  // "I/N" (load_shard.hpp)
};

struct LoadPlan {
  load::LoadConfig config;
  load::RunSettings settings;  // what the result file records
};

// Throws UsageError.
LoadPlan plan_load(const LoadFlags& flags, const script::ScenarioSettings* scenario);

}  // namespace smtp::app
