#include "load/delivery_ledger.hpp"

#include <algorithm>
#include <map>

#include "load/delivery_token.hpp"
#include "load/header_fields.hpp"
#include "proto/ascii.hpp"

namespace smtp::load {
namespace {

const std::string kOtherName = "(other)";

std::string_view strip_brackets(std::string_view address) {
  if (address.size() >= 2 && address.front() == '<' && address.back() == '>') {
    return address.substr(1, address.size() - 2);
  }
  return address;
}

// The value of the field `name` (lower case) of a DSN line, or nullopt.
std::optional<std::string_view> dsn_field(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return std::nullopt;
  if (proto::to_lower_ascii(line.substr(0, name.size())) != name) return std::nullopt;
  auto value = line.substr(name.size() + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

}  // namespace

DeliveryLedger::DeliveryLedger(std::string run_id, Clock::time_point origin)
    : run_id_(std::move(run_id)), origin_(origin) {}

void DeliveryLedger::start_series(Clock::time_point origin) {
  std::lock_guard lock(mutex_);
  origin_ = origin;
}

DeliveryLedger::Entry* DeliveryLedger::waiting_entry(std::uint64_t seq) {
  if (auto it = entries_.find(seq); it != entries_.end()) return &it->second;
  if (waiting_ >= kMaxWaiting) return nullptr;
  ++waiting_;
  return &entries_[seq];
}

std::string DeliveryLedger::normal_address(std::string_view address) {
  // RFC 5321 §2.4: the local part may be case-sensitive, the domain is not.
  address = strip_brackets(address);
  const auto at = address.rfind('@');
  if (at == std::string_view::npos) return std::string(address);
  return std::string(address.substr(0, at + 1)) + proto::to_lower_ascii(address.substr(at + 1));
}

Fingerprint DeliveryLedger::fingerprint(std::string_view content,
                                        std::optional<std::uint64_t> body) {
  Fingerprint print;
  print.body = body ? *body : body_digest(message_body(content));
  auto fields = header_fields(message_header(content));
  if (fields.size() > kMaxFields) fields.resize(kMaxFields);
  print.header.reserve(fields.size());
  for (const auto& field : fields) {
    print.header.push_back(
        {body_digest(lower_name(field.name)), body_digest(unfolded_value(field.value))});
  }
  {
    // Only the names shown in the header changes need the lock.
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < fields.size() && field_names_.size() < kMaxNames; ++i)
      field_names_.try_emplace(print.header[i].name, std::string(fields[i].name));
  }
  // Sorted, so that two headers compare in one walk (compare_header).
  std::sort(print.header.begin(), print.header.end(), [](const auto& a, const auto& b) {
    return a.name != b.name ? a.name < b.name : a.value < b.value;
  });
  return print;
}

std::size_t DeliveryLedger::second_of(Clock::time_point at) const {
  const auto since = at - origin_;
  return since.count() < 0 ? 0
                           : static_cast<std::size_t>(
                                 std::chrono::duration_cast<std::chrono::seconds>(since).count());
}

void DeliveryLedger::add_at(std::vector<std::uint64_t>& series, Clock::time_point at,
                            std::uint64_t n) {
  const auto second = second_of(at);
  if (series.size() <= second) series.resize(second + 1, 0);
  series[second] += n;
}

void DeliveryLedger::sample(std::string text) {
  if (result_.samples.size() < DeliveryResult::kMaxSamples)
    result_.samples.push_back(std::move(text));
}

bool DeliveryLedger::completed(std::uint64_t seq) const {
  return seq < completed_.size() && completed_[seq];
}

DeliveryLedger::Pair& DeliveryLedger::pair_of(Entry& entry, const std::string& recipient) {
  for (auto& pair : entry.pairs)
    if (pair.recipient == recipient) return pair;
  entry.pairs.push_back({recipient});
  return entry.pairs.back();
}

void DeliveryLedger::submitted(std::uint64_t seq, const std::vector<std::string>& recipients,
                               Fingerprint fingerprint, Clock::time_point intended,
                               Clock::time_point accepted) {
  std::lock_guard lock(mutex_);
  if (completed(seq)) return;  // cannot happen: a seq is submitted once
  auto [it, made] = entries_.try_emplace(seq);
  auto& entry = it->second;
  if (entry.submitted) return;
  if (!made) --waiting_;
  entry.submitted = true;
  entry.intended = intended;
  entry.accepted_at = accepted;
  entry.fingerprint = std::move(fingerprint);
  ++result_.counts.accepted_messages;
  for (const auto& recipient : recipients) {
    auto& pair = pair_of(entry, normal_address(recipient));
    if (pair.accepted) continue;  // the same recipient twice: one pair
    pair.accepted = true;
    ++entry.remaining;
    ++entry.undelivered;
    ++outstanding_;
    ++result_.counts.accepted;
    add_at(accepted_per_second_, accepted);
  }
  auto early = std::move(entry.early);
  entry.early.clear();
  for (const auto& arrival : early) match(seq, entry, arrival);
  auto notices = std::move(entry.early_notices);
  entry.early_notices.clear();
  for (const auto& notice : notices) apply(entry, notice);
  settle(seq);
}

std::optional<std::uint64_t> DeliveryLedger::seq_of(std::string_view reverse_path,
                                                    std::string_view content) const {
  if (auto seq = token_seq(strip_brackets(reverse_path), run_id_)) return seq;
  // A relay that rewrote the sender: the header still names the token.
  for (const auto& field : header_fields(message_header(content))) {
    if (lower_name(field.name) == proto::to_lower_ascii(kTokenField)) {
      return token_seq(unfolded_value(field.value), run_id_);
    }
  }
  return std::nullopt;
}

void DeliveryLedger::rcpt_attempt(std::string_view reverse_path, std::string_view recipient,
                                  Clock::time_point at) {
  const auto seq = token_seq(strip_brackets(reverse_path), run_id_);
  if (!seq) return;  // a notification, or a stranger: not an attempt of ours
  std::lock_guard lock(mutex_);
  if (completed(*seq)) return;
  auto* entry = waiting_entry(*seq);
  if (entry == nullptr) return;
  auto& pair = pair_of(*entry, normal_address(recipient));
  if (pair.arrived || pair.delivered) return;  // a duplicate's RCPT, not a retry
  if (pair.attempts > 0) {
    result_.retry_delay.record(
        std::chrono::duration_cast<std::chrono::nanoseconds>(at - pair.last_attempt));
  }
  ++pair.attempts;
  pair.last_attempt = at;
}

void DeliveryLedger::arrived(std::string_view reverse_path,
                             const std::vector<std::string>& recipients, std::string_view content,
                             Clock::time_point at) {
  // RFC 3464 notifications come from the null reverse-path (RFC 5321
  // §4.5.5), to the VERP sender that names the message.
  if (strip_brackets(reverse_path).empty()) {
    std::optional<std::uint64_t> bounced;
    for (const auto& recipient : recipients)
      if (!bounced) bounced = token_seq(recipient, run_id_);
    if (bounced) {
      std::lock_guard lock(mutex_);
      bounce(*bounced, content, at);
      return;
    }
  }
  Arrival arrival;
  arrival.at = at;
  for (const auto& recipient : recipients) arrival.recipients.push_back(normal_address(recipient));
  const auto seq = seq_of(reverse_path, content);
  arrival.fingerprint = fingerprint(content);
  std::lock_guard lock(mutex_);
  if (!seq) {
    result_.counts.unexpected += arrival.recipients.size();
    sample("unexpected: a message from <" + std::string(strip_brackets(reverse_path)) +
           "> without a token of this run");
    return;
  }
  if (completed(*seq)) {
    // Every pair of it arrived already: another arrival is a duplicate.
    result_.counts.duplicated += arrival.recipients.size();
    sample("duplicated: " + delivery_token(run_id_, *seq) + " arrived again");
    return;
  }
  auto* entry = waiting_entry(*seq);
  if (entry == nullptr) {
    result_.counts.unexpected += arrival.recipients.size();
    sample("unexpected: " + delivery_token(run_id_, *seq) +
           " arrived, one of too many the relay never answered 250 for");
    return;
  }
  if (!entry->submitted) {
    for (const auto& recipient : arrival.recipients) pair_of(*entry, recipient).arrived = true;
    entry->early.push_back(std::move(arrival));
    return;
  }
  match(*seq, *entry, arrival);
  settle(*seq);
}

void DeliveryLedger::match(std::uint64_t seq, Entry& entry, const Arrival& arrival) {
  const auto token = [&] { return delivery_token(run_id_, seq); };
  bool header_changed = false;
  compare_header(entry.fingerprint, arrival.fingerprint, header_changed);
  const bool corrupted = arrival.fingerprint.body != entry.fingerprint.body;
  for (const auto& recipient : arrival.recipients) {
    auto& pair = pair_of(entry, recipient);
    if (!pair.accepted) {
      ++result_.counts.unexpected;
      sample("unexpected: " + token() + " arrived for " + recipient + ", not accepted for it");
      continue;
    }
    if (corrupted) {
      ++result_.counts.corrupted;
      sample("corrupted: " + token() + " for " + recipient + ": the body differs");
    }
    if (header_changed) ++result_.counts.header_changed;
    if (pair.delivered) {
      ++result_.counts.duplicated;
      sample("duplicated: " + token() + " for " + recipient);
      continue;
    }
    pair.delivered = true;
    --entry.undelivered;
    ++result_.counts.delivered;
    // An arrival before the client read the 250 counts in the second of
    // the 250: the series never shows a pair delivered before accepted.
    add_at(delivered_per_second_, std::max(arrival.at, entry.accepted_at));
    if (pair.bounced) {
      pair.bounced = false;  // delivered after all: a notification that lied
      --result_.counts.bounced;
      add_at(unbounced_per_second_, std::max(arrival.at, entry.accepted_at));
    } else {
      --entry.remaining;
      --outstanding_;
    }
    const auto since = [&](Clock::time_point from) {
      return std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::max(arrival.at - from, Clock::duration::zero()));
    };
    result_.latency.record(since(entry.accepted_at));
    result_.latency_from_start.record(since(entry.intended));
    result_.attempts[std::max<std::uint32_t>(pair.attempts, 1)] += 1;
    if (pair.attempts > 1) ++result_.counts.retried;
  }
}

DeliveryLedger::Notice DeliveryLedger::read_notice(std::string_view content, Clock::time_point at) {
  // RFC 3464 §2.3: per recipient, Final-Recipient then Action; only
  // "failed" is a bounce ("delayed", "delivered", "relayed" are not).
  Notice notice;
  notice.at = at;
  // Its fields may be folded (RFC 3464 §2.1, as RFC 5322 §2.2.3): a line
  // that starts with white space continues the one before.
  std::vector<std::string> lines;
  std::size_t next = 0;
  while (next < content.size()) {
    auto end = content.find("\r\n", next);
    if (end == std::string_view::npos) end = content.size();
    const auto line = content.substr(next, end - next);
    next = end + 2;
    if (!lines.empty() && !lines.back().empty() && !line.empty() &&
        (line.front() == ' ' || line.front() == '\t')) {
      lines.back() += line;
    } else {
      lines.emplace_back(line);
    }
  }
  std::string current;
  for (const auto& line : lines) {
    if (auto value = dsn_field(line, "final-recipient")) {
      notice.names_recipients = true;
      const auto semicolon = value->find(';');  // "rfc822; a@b"
      auto address = semicolon == std::string_view::npos ? *value : value->substr(semicolon + 1);
      while (!address.empty() && (address.front() == ' ' || address.front() == '\t'))
        address.remove_prefix(1);
      current = normal_address(address);
    } else if (auto action = dsn_field(line, "action")) {
      if (proto::to_lower_ascii(*action) == "failed" && !current.empty()) {
        notice.failed.push_back(current);
      }
    }
  }
  return notice;
}

void DeliveryLedger::bounce(std::uint64_t seq, std::string_view content, Clock::time_point at) {
  if (completed(seq)) return;  // all delivered: the notification is wrong, not a loss
  auto* entry = waiting_entry(seq);
  if (entry == nullptr) return;
  if (!entry->submitted) {
    // Before the client read the relay's 250 (a relay that bounces at
    // once): applied when it does.
    entry->early_notices.push_back(read_notice(content, at));
    return;
  }
  apply(*entry, read_notice(content, at));
}

void DeliveryLedger::apply(Entry& entry, const Notice& notice) {
  const auto mark = [&](Pair& pair) {
    if (!pair.accepted || pair.delivered || pair.bounced) return;
    pair.bounced = true;
    ++result_.counts.bounced;
    --entry.remaining;
    --outstanding_;
    add_at(bounced_per_second_, std::max(notice.at, entry.accepted_at));
  };
  // A notice that reports failures for none of the message's accepted
  // recipients (it names nobody, or addresses the relay rewrote) bounces the
  // message: every pair still outstanding. One whose failures name them
  // bounces those. Only "delayed" or "delivered" reports: nothing.
  bool matched = false;
  for (const auto& recipient : notice.failed) {
    for (auto& pair : entry.pairs) {
      if (pair.recipient != recipient || !pair.accepted) continue;
      matched = true;
      mark(pair);
    }
  }
  if (!matched && (!notice.names_recipients || !notice.failed.empty())) {
    for (auto& pair : entry.pairs) mark(pair);
  }
}

void DeliveryLedger::settle(std::uint64_t seq) {
  auto it = entries_.find(seq);
  // Kept while a pair is bounced: the relay may still deliver it.
  if (it == entries_.end() || !it->second.submitted || it->second.undelivered > 0) return;
  entries_.erase(it);
  if (completed_.size() <= seq)
    completed_.resize(std::max<std::size_t>(seq + 1, completed_.size() * 2));
  completed_[seq] = true;
}

void DeliveryLedger::compare_header(const Fingerprint& sent, const Fingerprint& got,
                                    bool& changed) {
  static const std::uint64_t received = body_digest("received");
  static const std::uint64_t return_path = body_digest("return-path");
  // Both sorted by name, then value: one walk, name by name, counting the
  // values that arrived and were not sent (added) and the reverse (removed).
  const auto& a = sent.header;
  const auto& b = got.header;
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    const auto name =
        j == b.size() || (i < a.size() && a[i].name < b[j].name) ? a[i].name : b[j].name;
    int added = 0, removed = 0;
    while (i < a.size() && a[i].name == name && j < b.size() && b[j].name == name) {
      if (a[i].value == b[j].value) {
        ++i;
        ++j;
      } else if (a[i].value < b[j].value) {
        ++removed;
        ++i;
      } else {
        ++added;
        ++j;
      }
    }
    for (; i < a.size() && a[i].name == name; ++i) ++removed;
    for (; j < b.size() && b[j].name == name; ++j) ++added;
    if (added == 0 && removed == 0) continue;
    const auto known = field_names_.find(name);
    const std::string& display = known == field_names_.end() ? kOtherName : known->second;
    // Trace fields a relay adds (RFC 5322 §3.6.7, RFC 5321 §4.4) are listed
    // among the changes, but an added one is not a change of the message.
    const bool trace = name == received || name == return_path;
    if (!(trace && removed == 0)) changed = true;
    const char* kind = added > 0 && removed > 0 ? "changed " : added > 0 ? "added " : "removed ";
    auto& changes = result_.header_changes;
    std::string key = kind + display;
    if (changes.contains(key) || changes.size() < DeliveryResult::kMaxHeaderChanges) {
      ++changes[key];
    } else {
      ++changes[kOtherName];
    }
  }
}

void DeliveryLedger::session_ended(const SinkSession& session) {
  std::lock_guard lock(mutex_);
  auto& relay = result_.relay;
  ++relay.connections;
  relay.transactions += session.transactions;
  relay.messages += session.messages;
  relay.max_messages_per_connection = std::max(relay.max_messages_per_connection, session.messages);
  if (session.pipelined) ++relay.pipelined_connections;
  if (session.starttls) ++relay.starttls_connections;
  relay.bdat_messages += session.bdat_messages;
  const std::string name = session.hello_name.empty() ? "(none)" : session.hello_name;
  if (relay.hello_names.contains(name) || relay.hello_names.size() < RelayBehaviour::kMaxNames) {
    ++relay.hello_names[name];
  } else {
    ++relay.hello_names["(other)"];
  }
  for (const auto& [n, messages] : session.recipients_per_transaction)
    relay.recipients_per_transaction[n] += messages;
}

std::uint64_t DeliveryLedger::outstanding() const {
  std::lock_guard lock(mutex_);
  return outstanding_;
}

std::uint64_t DeliveryLedger::accepted() const {
  std::lock_guard lock(mutex_);
  return result_.counts.accepted;
}

std::uint64_t DeliveryLedger::delivered() const {
  std::lock_guard lock(mutex_);
  return result_.counts.delivered;
}

DeliveryResult DeliveryLedger::result() const {
  std::lock_guard lock(mutex_);
  DeliveryResult result = result_;
  result.counts.lost = outstanding_;
  for (const auto& [seq, entry] : entries_) {
    if (!entry.submitted) {
      // Arrived, but the client never saw the relay accept it.
      for (const auto& arrival : entry.early) {
        result.counts.unexpected += arrival.recipients.size();
        if (result.samples.size() < DeliveryResult::kMaxSamples) {
          result.samples.push_back("unexpected: " + delivery_token(run_id_, seq) +
                                   " arrived, but the relay never answered 250 for it");
        }
      }
      continue;
    }
    for (const auto& pair : entry.pairs) {
      if (!pair.accepted || pair.delivered || pair.bounced) continue;
      if (result.samples.size() < DeliveryResult::kMaxSamples) {
        result.samples.push_back("lost: " + delivery_token(run_id_, seq) + " for " +
                                 pair.recipient);
      }
    }
  }
  const auto seconds = std::max({accepted_per_second_.size(), delivered_per_second_.size(),
                                 bounced_per_second_.size(), unbounced_per_second_.size()});
  std::uint64_t accepted = 0, settled = 0;
  const auto at = [](const std::vector<std::uint64_t>& v, std::size_t i) {
    return i < v.size() ? v[i] : 0;
  };
  for (std::size_t s = 0; s < seconds; ++s) {
    DeliverySecond second;
    second.second = static_cast<std::uint32_t>(s);
    second.accepted = at(accepted_per_second_, s);
    second.delivered = at(delivered_per_second_, s);
    accepted += second.accepted;
    settled += second.delivered + at(bounced_per_second_, s);
    settled -= std::min(settled, at(unbounced_per_second_, s));
    second.backlog = accepted - std::min(accepted, settled);
    result.series.push_back(second);
  }
  return result;
}

}  // namespace smtp::load
