#pragma once
// Evaluates the rules for one event of one session, keeps every rule's
// counters and token buckets, and reports them for the HTTP API. fake-smtpd
// runs on one thread (docs/ARCHITECTURE.md, deviation 8), so the counters are
// exact and need no locks.
//
// Evaluation, in the profile's order: a rule whose `on` and conditions match
// the event counts the event (per its `per` key); if its selection then
// picks the event, the rule fires. Modifiers of every fired rule add up; the
// first fired rule with a terminal action decides the answer, and the rules
// after it are not evaluated (their counters do not move).
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fake-server/rules/rule.hpp"
#include "fake-server/rules/token_bucket.hpp"
#include "proto/envelope.hpp"

namespace smtp::fake::rules {

// One session's random generator: seeded from the master seed and the
// session number (ARCHITECTURE.md §5), so a run replays with the same --seed.
class SessionRandom {
 public:
  SessionRandom(std::uint64_t master_seed, std::uint64_t session_id);
  double next();  // uniform in [0, 1), the same on every platform
 private:
  std::mt19937_64 engine_;
};

// What the session knows when an event happens.
struct Event {
  std::string_view on;   // "connect", ".", "tls", or the command verb in upper case
  std::string_view arg;  // the command's text after the verb ("FROM:<a@b> SIZE=10")
  std::uint64_t session_id = 0;
  std::string_view ip;
  std::string_view helo;
  bool tls = false;
  bool auth = false;
  std::uint64_t session_messages = 0;   // accepted so far in this session
  const proto::Path* sender = nullptr;  // the transaction's reverse-path, if MAIL was accepted
  std::span<const proto::Recipient> recipients;  // accepted so far
  std::string_view rcpt;  // RCPT: the recipient it names, without <> (may be empty)
  // MAIL: the sender it names, without <> ("" for <>); `from` and
  // per = "sender" use it, since no transaction exists yet.
  std::optional<std::string_view> mail_from;
};

struct Fired {
  std::size_t index = 0;  // 0-based position in the rule list
  std::string name;
  std::string source;
};

struct Verdict {
  Action action;  // the merged action; empty() when nothing fired
  std::vector<Fired> fired;
};

struct RuleStatus {
  std::size_t index = 0;
  const Rule* rule = nullptr;
  std::uint64_t seen = 0;   // matching events (all keys)
  std::uint64_t fired = 0;  // of which, picked
  // For `first = N` kept per server: what remains of N; nullopt otherwise.
  std::optional<std::uint64_t> remaining;
  std::size_t keys = 0;  // distinct keys with a counter
};

class RuleEngine {
 public:
  using Clock = std::chrono::steady_clock;

  // Replaces every rule; counters and buckets start again from zero.
  void replace(std::vector<Rule> rules);
  const std::vector<Rule>& rules() const { return rules_; }
  bool empty() const { return rules_.empty(); }
  // True when some rule can match this `on` (a cheap pre-check per event).
  bool watches(std::string_view on) const;

  Verdict evaluate(const Event& event, SessionRandom& random, Clock::time_point now);

  std::vector<RuleStatus> status() const;
  // Forgets the per-key state of one session (its `per = "session"` counters).
  void session_ended(std::uint64_t session_id);

 private:
  struct KeyState {
    std::uint64_t seen = 0;
    TokenBucket bucket;
  };
  struct RuleState {
    std::uint64_t seen = 0, fired = 0;
    std::map<std::string, KeyState, std::less<>> keys;
  };
  bool matches(const Rule& rule, const Event& event) const;
  bool selects(const Rule& rule, RuleState& state, const Event& event, SessionRandom& random,
               Clock::time_point now);

  std::vector<Rule> rules_;
  std::vector<RuleState> state_;
  std::map<std::string, std::uint64_t, std::less<>> fired_by_name_;  // for after_rule
  // Precomputed by replace() for watches(): every `on` of every rule, and
  // whether some rule has "*".
  std::set<std::string, std::less<>> watched_;
  bool watches_any_command_ = false;
};

}  // namespace smtp::fake::rules
