#include "fake-server/rules/rule_engine.hpp"

#include <algorithm>

#include "fake-server/rules/glob.hpp"

namespace smtp::fake::rules {

namespace {

// Past this many distinct keys a rule's counters start again. A key per
// sender or recipient is chosen by the client, so without a bound a client
// inventing addresses would grow the table for ever; clearing loses counts of
// a flood nobody could reason about anyway, and keeps memory flat.
constexpr std::size_t max_keys_per_rule = 100000;

// SplitMix64 (Steele, Lea, Flood 2014): a fixed bijective mix, so seeds that
// differ in one bit give unrelated generator states.
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

bool is_command(std::string_view on) {
  return on != on_connect && on != on_end_of_data && on != on_tls;
}

bool rule_is_on(const Rule& rule, std::string_view on) {
  return std::any_of(rule.on.begin(), rule.on.end(), [on](const std::string& o) {
    return o == on || (o == on_any_command && is_command(on));
  });
}

// The transaction's sender as conditions and keys see it: "local@domain",
// empty for the null reverse-path "<>" (RFC 5321 §4.5.5) or before MAIL.
std::string sender_text(const Event& event) {
  if (event.mail_from) return std::string(*event.mail_from);
  return event.sender == nullptr ? std::string() : event.sender->address();
}

// A key comes from what the client sent: bounded, so 100,000 keys of a
// rule cannot hold 100,000 command lines (16 KiB each by default).
constexpr std::size_t max_key_length = 256;

std::string bounded(std::string key) {
  if (key.size() > max_key_length) key.resize(max_key_length);
  return key;
}

std::string unbounded_key_of(Key per, const Event& event) {
  switch (per) {
    case Key::server:
      return {};
    case Key::session:
      return std::to_string(event.session_id);
    case Key::ip:
      return std::string(event.ip);
    case Key::sender:
      return sender_text(event);
    case Key::recipient:
      if (!event.rcpt.empty()) return std::string(event.rcpt);
      if (!event.recipients.empty()) return event.recipients.front().path.mailbox.to_string();
      return {};
  }
  return {};
}

std::string key_of(Key per, const Event& event) {
  return bounded(unbounded_key_of(per, event));
}

}  // namespace

SessionRandom::SessionRandom(std::uint64_t master_seed, std::uint64_t session_id)
    : engine_(splitmix64(master_seed ^ (session_id * 0x9E3779B97F4A7C15ull))) {}

double SessionRandom::next() {
  // mt19937_64's output is fixed by the standard; the 53 high bits scaled by
  // 2^-53 give a double in [0, 1) without the library's distribution code,
  // which differs between standard libraries.
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

void RuleEngine::replace(std::vector<Rule> rules) {
  rules_ = std::move(rules);
  state_.assign(rules_.size(), RuleState{});
  fired_by_name_.clear();
  watched_.clear();
  watches_any_command_ = false;
  for (const auto& rule : rules_) {
    for (const auto& on : rule.on) {
      watched_.insert(on);
      if (on == on_any_command) watches_any_command_ = true;
    }
  }
}

bool RuleEngine::watches(std::string_view on) const {
  if (watches_any_command_ && is_command(on)) return true;
  return watched_.find(on) != watched_.end();
}

bool RuleEngine::matches(const Rule& rule, const Event& event) const {
  if (!rule_is_on(rule, event.on)) return false;
  const Conditions& when = rule.when;
  if (!when.arg.empty() && !glob_match(when.arg, event.arg)) return false;
  if (!when.from.empty()) {
    if (event.sender == nullptr && !event.mail_from) return false;  // no transaction yet
    if (!glob_match(when.from, sender_text(event))) return false;
  }
  if (!when.to.empty()) {
    if (event.on == "RCPT") {
      if (!glob_match(when.to, event.rcpt)) return false;
    } else if (std::none_of(event.recipients.begin(), event.recipients.end(),
                            [&](const proto::Recipient& r) {
                              return glob_match(when.to, r.path.mailbox.to_string());
                            })) {
      return false;
    }
  }
  if (!when.helo.empty() && !glob_match(when.helo, event.helo)) return false;
  if (when.ip && !when.ip->matches(event.ip)) return false;
  if (when.tls && *when.tls != event.tls) return false;
  if (when.auth && *when.auth != event.auth) return false;
  if (when.min_messages && event.session_messages < *when.min_messages) return false;
  if (when.max_messages && event.session_messages > *when.max_messages) return false;
  if (!when.after_rule.empty()) {
    const auto it = fired_by_name_.find(when.after_rule);
    if (it == fired_by_name_.end() || it->second == 0) return false;
  }
  return true;
}

bool RuleEngine::selects(const Rule& rule, RuleState& state, const Event& event,
                         SessionRandom& random, Clock::time_point now) {
  const Selection& select = rule.select;
  const std::string key = key_of(select.per, event);
  auto it = state.keys.find(key);
  if (it == state.keys.end()) {
    if (state.keys.size() >= max_keys_per_rule) state.keys.clear();
    it = state.keys.emplace(key, KeyState{}).first;
  }
  KeyState& ks = it->second;
  ++ks.seen;
  ++state.seen;

  bool picked = false;
  switch (select.count) {
    case Selection::Count::always:
      picked = true;
      break;
    case Selection::Count::nth:
      picked = ks.seen == select.n;
      break;
    case Selection::Count::first:
      picked = ks.seen <= select.n;
      break;
    case Selection::Count::every:
      picked = select.n != 0 && ks.seen % select.n == 0;
      break;
    case Selection::Count::after:
      picked = ks.seen > select.n;
      break;
  }
  if (!picked) return false;
  // The draw and the token are taken only for events the count picked, so a
  // rule's randomness and rate do not depend on the events it skips.
  if (select.chance && !(random.next() < *select.chance)) return false;
  if (select.bucket && ks.bucket.take(select.bucket->rate, select.bucket->burst, now)) {
    return false;  // a token was there: under the limit
  }
  return true;
}

Verdict RuleEngine::evaluate(const Event& event, SessionRandom& random, Clock::time_point now) {
  Verdict verdict;
  Action& merged = verdict.action;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const Rule& rule = rules_[i];
    if (!matches(rule, event) || !selects(rule, state_[i], event, random, now)) continue;
    ++state_[i].fired;
    ++fired_by_name_[rule.name];
    verdict.fired.push_back(Fired{i, rule.name, rule.source});

    merge(merged, rule.action);         // modifiers add up (SCRIPTING.md, rule)
    if (rule.action.terminal()) break;  // the first terminal rule decides
  }
  return verdict;
}

std::vector<RuleStatus> RuleEngine::status() const {
  std::vector<RuleStatus> out;
  out.reserve(rules_.size());
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const Rule& rule = rules_[i];
    const RuleState& state = state_[i];
    RuleStatus s;
    s.index = i;
    s.rule = &rule;
    s.seen = state.seen;
    s.fired = state.fired;
    s.keys = state.keys.size();
    if (rule.select.count == Selection::Count::first && rule.select.per == Key::server) {
      const auto it = state.keys.find(std::string_view{});
      const std::uint64_t seen = it == state.keys.end() ? 0 : it->second.seen;
      s.remaining = rule.select.n - std::min(rule.select.n, seen);
    }
    out.push_back(s);
  }
  return out;
}

void RuleEngine::session_ended(std::uint64_t session_id) {
  const std::string key = std::to_string(session_id);
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (rules_[i].select.per == Key::session) state_[i].keys.erase(key);
  }
}

}  // namespace smtp::fake::rules
