#include "app/load_options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <utility>

#include "app/load_shard.hpp"
#include "common/duration.hpp"
#include "common/host_port.hpp"

namespace smtp::app {
namespace {

using namespace std::chrono_literals;

// A value and where it came from, for error messages.
template <typename T>
struct Sourced {
  T value;
  std::string source;  // "--duration" or "path: field 'duration'"
};

template <typename T>
std::optional<Sourced<T>> pick(const std::optional<T>& flag, const char* flag_name,
                               const script::ScenarioSettings* scenario,
                               std::optional<T> script::ScenarioSettings::*field,
                               const char* field_name) {
  if (flag) return Sourced<T>{*flag, flag_name};
  if (scenario && scenario->*field)
    return Sourced<T>{*(scenario->*field),
                      scenario->path + ": field '" + std::string(field_name) + "'"};
  return std::nullopt;
}

std::chrono::nanoseconds duration_of(const Sourced<std::string>& text, bool allow_zero = false) {
  auto parsed = common::parse_duration(text.value);
  if (!parsed || (!allow_zero && parsed->count() == 0))
    throw UsageError(text.source + ": invalid duration '" + text.value +
                     "' (examples: 30s, 250ms, 2m, 1.5)");
  return *parsed;
}

proto::TlsMode tls_mode_of(const Sourced<std::string>& text) {
  if (text.value == "none") return proto::TlsMode::none;
  if (text.value == "starttls") return proto::TlsMode::starttls;
  if (text.value == "implicit") return proto::TlsMode::implicit;
  throw UsageError(text.source + ": invalid TLS mode '" + text.value +
                   "' (none, starttls, implicit)");
}

load::Stage stage_of(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos)
    throw UsageError("--stage: expected DURATION:RATE (e.g. 30s:500), got '" + text + "'");
  load::Stage stage;
  stage.duration = duration_of({text.substr(0, colon), "--stage"});
  std::string rate = text.substr(colon + 1);
  double value = 0;
  auto [end, ec] = std::from_chars(rate.data(), rate.data() + rate.size(), value);
  if (ec != std::errc{} || end != rate.data() + rate.size() || !(value >= 0) ||
      !std::isfinite(value))
    throw UsageError("--stage: invalid rate '" + rate + "' in '" + text + "'");
  stage.target_rate = value;
  return stage;
}

void check_positive(double value, const std::string& source) {
  if (!(value > 0) || !std::isfinite(value))
    throw UsageError(source + ": must be a positive number");
}

}  // namespace

LoadPlan plan_load(const LoadFlags& flags, const script::ScenarioSettings* scenario) {
  using S = script::ScenarioSettings;
  LoadPlan plan;
  auto& config = plan.config;
  auto& settings = plan.settings;
  settings.scenario = flags.scenario;

  // Target.
  auto target = pick(flags.target, "--target", scenario, &S::target, "target");
  if (!target) throw UsageError("no target: give --target HOST:PORT or set target in the scenario");
  auto host_port = common::parse_host_port(target->value);
  if (!host_port || host_port->port == 0)
    throw UsageError(target->source + ": expected HOST:PORT, got '" + target->value + "'");
  config.target_host = host_port->host;
  config.target_port = host_port->port;
  settings.target = host_port->to_string();

  // The model: open when a rate or stages are given.
  auto rate = pick(flags.rate, "--rate", scenario, &S::rate, "rate");
  std::vector<load::Stage> stages;
  for (const auto& text : flags.stages) stages.push_back(stage_of(text));
  double start_rate = 0;
  if (stages.empty() && scenario) {
    for (const auto& s : scenario->stages) {
      load::Stage stage;
      stage.duration = duration_of({s.duration, scenario->path + ": field 'stages'"});
      stage.target_rate = s.rate;
      stages.push_back(stage);
    }
    if (scenario->start_rate) start_rate = *scenario->start_rate;
  }
  std::optional<std::string> model_name = scenario ? scenario->model : std::nullopt;
  bool open = rate.has_value() || !stages.empty();
  // The file's explicit model holds unless the command line asks for a rate.
  if (model_name && !flags.rate && flags.stages.empty()) open = *model_name == "open";
  config.model = open ? load::Model::open : load::Model::closed;
  settings.model = open ? "open" : "closed";

  auto duration = pick(flags.duration, "--duration", scenario, &S::duration, "duration");
  auto messages = pick(flags.messages, "--messages", scenario, &S::messages, "messages");
  if (duration) config.duration = duration_of(*duration);
  if (messages) {
    if (messages->value == 0) throw UsageError(messages->source + ": must be at least 1");
    config.messages = messages->value;
  }

  if (open) {
    // --rate on the command line replaces the file's stages with a constant rate.
    if (flags.rate) stages.clear();
    if (stages.empty()) {
      if (!rate) throw UsageError("the open model needs a rate (--rate) or stages");
      check_positive(rate->value, rate->source);
      auto length = config.duration.value_or(10s);
      config.rate = load::RateProfile::constant(rate->value, length);
    } else {
      config.rate.start_rate = start_rate;
      config.rate.stages = stages;
    }
    // The schedule is the run's length; a --duration cuts it short.
    auto profile = config.rate.total_duration();
    if (!config.duration || *config.duration > profile) config.duration = profile;
    double peak = config.rate.start_rate;
    for (const auto& s : config.rate.stages) peak = std::max(peak, s.target_rate);
    if (!(peak > 0)) throw UsageError("the rate profile never rises above 0 per second");
    settings.target_rate = peak;
    auto arrivals = pick(flags.arrivals, "--arrivals", scenario, &S::arrivals, "arrivals");
    if (arrivals) {
      if (arrivals->value == "constant") {
        config.arrivals = load::Arrivals::constant;
      } else if (arrivals->value == "poisson") {
        config.arrivals = load::Arrivals::poisson;
      } else {
        throw UsageError(arrivals->source + ": invalid arrivals '" + arrivals->value +
                         "' (constant, poisson)");
      }
    }
    settings.arrivals = config.arrivals == load::Arrivals::poisson ? "poisson" : "constant";
  } else if (!config.duration && !config.messages) {
    config.duration = 10s;  // a plain run without limits: ten seconds
  }
  if (config.duration)
    settings.duration_seconds = std::chrono::duration<double>(*config.duration).count();
  settings.messages = config.messages;

  auto connections =
      pick(flags.connections, "--connections", scenario, &S::connections, "connections");
  config.connections = connections ? connections->value : (open ? 64 : 10);
  if (config.connections == 0)
    throw UsageError((connections ? connections->source : "--connections") +
                     ": must be at least 1");
  settings.connections = config.connections;

  auto per_connection = pick(flags.messages_per_connection, "--messages-per-connection", scenario,
                             &S::messages_per_connection, "messages_per_connection");
  if (per_connection) config.messages_per_connection = per_connection->value;

  // The message.
  auto size = pick(flags.size, "--size", scenario, &S::size, "size");
  if (size) {
    if (size->value > script::kMaxMessageSize)
      throw UsageError(size->source + ": at most " + std::to_string(script::kMaxMessageSize) +
                       " octets (1 GiB)");
    config.message.size = size->value;
  }
  auto recipients = pick(flags.recipients, "--recipients", scenario, &S::recipients, "recipients");
  if (recipients) {
    if (recipients->value == 0 || recipients->value > script::kMaxRecipients)
      throw UsageError(recipients->source + ": must be between 1 and " +
                       std::to_string(script::kMaxRecipients));
    config.message.recipients = recipients->value;
  }
  auto from = pick(flags.from, "--from", scenario, &S::from, "from");
  if (from) config.message.from = from->value;
  auto to = pick(flags.to, "--to", scenario, &S::to, "to");
  if (to) config.message.to_pattern = to->value;
  settings.size = config.message.size;
  settings.recipients = config.message.recipients;

  // TLS.
  auto tls = pick(flags.tls, "--tls", scenario, &S::tls, "tls");
  config.client.tls = tls ? tls_mode_of(*tls) : proto::TlsMode::none;
  config.tls.mode = config.client.tls;
  config.tls.verify = flags.tls_verify || (scenario && scenario->tls_verify.value_or(false));
  auto sni = pick(flags.sni, "--sni", scenario, &S::sni, "sni");
  if (sni) config.tls.sni = sni->value;
  auto ca_file = pick(flags.ca_file, "--ca-file", scenario, &S::ca_file, "ca_file");
  if (ca_file) config.tls.ca_file = ca_file->value;
  settings.tls = tls ? tls->value : "none";

  // AUTH. The password stays in the config; the result records only that
  // AUTH was used (ARCHITECTURE.md §6: credentials never reach reports).
  if (flags.auth) {
    auto colon = flags.auth->find(':');
    if (colon == std::string::npos || colon == 0) throw UsageError("--auth: expected USER:PASS");
    config.client.credentials =
        proto::ClientCredentials{flags.auth->substr(0, colon), flags.auth->substr(colon + 1)};
  } else if (scenario && scenario->auth) {
    config.client.credentials =
        proto::ClientCredentials{scenario->auth->first, scenario->auth->second};
  }
  auto mechanism = pick(flags.auth_mechanism, "--auth-mechanism", scenario, &S::auth_mechanism,
                        "auth_mechanism");
  if (mechanism) {
    if (mechanism->value == "plain") {
      config.client.auth_mechanism = proto::AuthMechanism::plain;
    } else if (mechanism->value == "login") {
      config.client.auth_mechanism = proto::AuthMechanism::login;
    } else {
      throw UsageError(mechanism->source + ": invalid mechanism '" + mechanism->value +
                       "' (plain, login)");
    }
  }
  config.client.auth_cleartext = flags.cleartext_auth;
  if (config.client.credentials && config.client.tls == proto::TlsMode::none &&
      !config.client.auth_cleartext)
    throw UsageError(
        "--auth without TLS would send the password in clear text (RFC 4616 §6): add --tls "
        "starttls or implicit, or --cleartext-auth for a test server");
  settings.auth = config.client.credentials.has_value();

  // Protocol options.
  std::optional<std::string> pipelining = scenario ? scenario->pipelining : std::nullopt;
  config.client.pipelining = !(flags.no_pipelining || (pipelining && *pipelining == "off"));
  config.client.chunking = flags.chunking || (scenario && scenario->chunking.value_or(false));
  settings.pipelining = config.client.pipelining;
  settings.chunking = config.client.chunking;
  auto helo = pick(flags.helo, "--helo", scenario, &S::helo, "helo");
  if (helo) config.client.helo_name = helo->value;

  auto threads = pick(flags.threads, "--threads", scenario, &S::threads, "threads");
  if (threads) {
    if (threads->value == 0 || threads->value > 256)
      throw UsageError(threads->source + ": must be between 1 and 256");
    config.threads = threads->value;
  }
  auto timeout = pick(flags.timeout, "--timeout", scenario, &S::timeout, "timeout");
  if (timeout) config.reply_timeout = duration_of(*timeout);
  auto connect_timeout = pick(flags.connect_timeout, "--connect-timeout", scenario,
                              &S::connect_timeout, "connect_timeout");
  if (connect_timeout) config.connect_timeout = duration_of(*connect_timeout);
  auto seed = pick(flags.seed, "--seed", scenario, &S::seed, "seed");
  if (seed) config.seed = seed->value;
  settings.seed = config.seed;

  // Thresholds: the command line's and the file's all apply.
  std::vector<std::string> texts = flags.thresholds;
  if (scenario) texts.insert(texts.end(), scenario->thresholds.begin(), scenario->thresholds.end());
  for (const auto& text : texts) {
    std::string error;
    auto threshold = load::parse_threshold(text, error);
    if (!threshold) throw UsageError("--threshold '" + text + "': " + error);
    config.thresholds.push_back(std::move(*threshold));
  }
  if (flags.shard) apply_shard(plan, parse_shard(*flags.shard));
  return plan;
}

}  // namespace smtp::app
