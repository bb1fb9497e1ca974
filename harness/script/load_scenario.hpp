#pragma once
// A load scenario (ARCHITECTURE.md §3, SCRIPTING.md "Load scenarios"): a Lua file
// that returns a table of settings and optional hooks:
//
//   return {
//     target = "127.0.0.1:2525", tls = "starttls", auth = { user = "u", password = "p" },
//     connections = 50, rate = 500, arrivals = "poisson", duration = "30s",
//     init = function() return { domains = { "a.test", "b.test" } } end,
//     message = function(ctx) return { to = { "x@" .. ctx.shared.domains[1] } } end,
//     reply = function(ctx, phase, reply) if reply.code == 452 then ctx:count("full") end end,
//     done = function(summary) print(summary.delivered) end,
//   }
//
// The settings are plain values here; the app layer merges them with the
// command line and turns them into a load::LoadConfig (this layer knows
// nothing of the engine). Hooks run in one LoadScript per worker, each with
// its own lua_State (ARCHITECTURE.md §3); init and done run once, in the state that
// read the settings. A hook that is absent costs nothing: the engine asks
// has_message_hook() / has_reply_hook() once.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "script/lua_state.hpp"
#include "script/value.hpp"

namespace smtp::script {

// Bounds on what one message may ask for, checked wherever a size or a
// recipient count comes in (flags, settings, message(ctx)): each message is
// built in memory, per worker, and a typo like 10000000000 must be a clear
// error, not an allocation failure in the middle of the run.
inline constexpr std::size_t kMaxMessageSize = std::size_t{1} << 30;  // 1 GiB
inline constexpr std::size_t kMaxRecipients = 100'000;

struct ScenarioStage {
  std::string duration;  // as written ("30s"); the app parses it
  double rate = 0;
};

// Every field is what the file set, or empty when it did not set it. Values
// are checked for type and range here (ScriptError naming the file and the
// field); their meaning (a HOST:PORT, a duration) is checked by the app.
struct ScenarioSettings {
  std::string path;  // the file, for messages
  std::optional<std::string> target;
  std::optional<std::string> tls;  // "none" | "starttls" | "implicit"
  std::optional<bool> tls_verify;
  std::optional<std::string> sni;
  std::optional<std::string> ca_file;
  std::optional<std::pair<std::string, std::string>> auth;  // user, password
  std::optional<std::string> auth_mechanism;                // "plain" | "login"
  std::optional<std::string> helo;
  std::optional<std::string> model;  // "closed" | "open"
  std::optional<std::size_t> connections;
  std::optional<double> rate;
  std::optional<double> start_rate;
  std::vector<ScenarioStage> stages;
  std::optional<std::string> arrivals;  // "constant" | "poisson"
  std::optional<std::string> duration;
  std::optional<std::uint64_t> messages;
  std::optional<std::size_t> messages_per_connection;
  std::optional<std::string> pipelining;  // "auto" | "off" (true/false accepted)
  std::optional<bool> chunking;
  std::optional<std::size_t> size;
  std::optional<std::size_t> recipients;
  std::optional<std::string> from;
  std::optional<std::string> to;  // pattern, "%d" = a number
  std::optional<std::size_t> threads;
  std::optional<std::string> timeout;  // reply timeout
  std::optional<std::string> connect_timeout;
  std::optional<std::uint64_t> seed;
  std::vector<std::string> thresholds;
  bool has_init = false;
  bool has_message = false;
  bool has_reply = false;
  bool has_done = false;
};

// What message(ctx) is given.
struct MessageContext {
  std::uint64_t seq = 0;            // unique across workers, from 0
  std::uint32_t worker = 0;         // 0-based
  std::uint64_t connection = 0;     // the worker's connection number, from 1
  std::uint64_t in_connection = 0;  // this message's number on its connection, from 1
};

// What message(ctx) returned; empty fields take the defaults.
struct MessageSpec {
  std::optional<std::string> from;
  std::optional<std::vector<std::string>> to;
  std::optional<std::size_t> size;  // pad the generated body to this size
  std::optional<std::string> body;  // the body as is (LF or CRLF lines)
  std::optional<std::string> subject;
  std::vector<std::pair<std::string, std::string>> headers;  // extra header fields
  bool skip = false;  // returned false: send nothing for this start
};

struct ReplyInfo {
  std::string_view phase;  // "mail", "rcpt", ... (load::MeasuredPhase names)
  int code = 0;
  std::string_view enhanced;  // "x.y.z" or empty
  std::string_view text;      // the reply's lines joined with "\n"
};

class LoadScenario {
 public:
  // Runs the file in a fresh state and reads its settings; throws ScriptError
  // "path:line: reason" for a Lua error, "path: field 'x': reason" for a bad
  // field or an unknown one.
  explicit LoadScenario(std::string path);
  ~LoadScenario();

  const ScenarioSettings& settings() const { return settings_; }

  // Calls init() if there is one and keeps what it returned (plain data:
  // tables, strings, numbers, booleans; anything else is an error) as the
  // shared data every worker sees, read-only, as ctx.shared. Throws ScriptError.
  void run_init();
  const Value& shared() const { return shared_; }

  // Calls message(ctx) once with a sample context (seq 0) so that a hook that
  // fails on its first call fails before the load starts. Throws ScriptError.
  MessageSpec dry_run_message();

  // Calls done(summary). A `false` (or `false, "reason"`) return marks the
  // run failed: the reason comes back. Throws ScriptError.
  std::optional<std::string> run_done(const Value& summary);

 private:
  std::string path_;
  std::unique_ptr<LuaState> state_;
  ScenarioSettings settings_;
  Value shared_;
};

// The per-worker instance: the same file in the worker's own lua_State.
class LoadScript {
 public:
  // Throws ScriptError. `seed` seeds the state's math.random (the run's
  // seed plus the worker's index, so workers draw different streams).
  LoadScript(const std::string& path, const Value& shared, std::uint32_t worker,
             std::uint64_t seed = 1);
  ~LoadScript();

  bool has_message_hook() const { return message_ref_ != 0; }
  bool has_reply_hook() const { return reply_ref_ != 0; }

  // Throws ScriptError ("path:line: reason") when the hook fails or returns
  // something that is not a message table, a list of recipients or false.
  MessageSpec message(const MessageContext& ctx);
  void reply(const MessageContext& ctx, const ReplyInfo& reply);

  // ctx:count(name[, n]) adds up here; the engine merges workers' counters.
  const std::map<std::string, double>& counters() const { return counters_; }
  void clear_counters() { counters_.clear(); }

 private:
  std::string path_;
  std::unique_ptr<LuaState> state_;
  int message_ref_ = 0;  // registry references, 0 when absent
  int reply_ref_ = 0;
  int ctx_ref_ = 0;  // one ctx table per worker, refilled for each call
  std::map<std::string, double> counters_;
};

}  // namespace smtp::script
