// Fuzzes the delivery ledger of `load --sink` (harness/load/delivery_ledger.hpp)
// with what a relay under test controls: the sink's arrivals (reverse path,
// recipients, content: header fields, tokens, notifications) and RCPT
// attempts, against a fixed set of submissions. Aborts when the accounting
// breaks: every accepted pair is delivered, bounced or outstanding, exactly
// once; nothing counted exceeds what was accepted or arrived.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "load/delivery_ledger.hpp"
#include "load/delivery_token.hpp"

namespace {

using smtp::load::DeliveryLedger;
using Clock = DeliveryLedger::Clock;

void check(bool ok) {
  if (!ok) std::abort();
}

constexpr std::string_view kRun = "0a1b2c3d";

// The input is a list of records separated by NUL: each record's first
// octet picks what it is, and its fields are separated by 0x01.
std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto t0 = Clock::now();
  DeliveryLedger ledger{std::string(kRun), t0};
  // Three messages accepted, with one, two and three recipients.
  std::uint64_t accepted = 0;
  for (std::uint64_t seq = 0; seq < 3; ++seq) {
    std::string content = "From: <a@b.test>\r\nSubject: s\r\n\r\nbody\r\n";
    smtp::load::stamp_message(content, smtp::load::delivery_token(kRun, seq));
    std::vector<std::string> to;
    for (std::uint64_t r = 0; r <= seq; ++r) to.push_back("r" + std::to_string(r) + "@x.test");
    accepted += to.size();
    ledger.submitted(seq, to, ledger.fingerprint(content), t0, t0);
  }
  std::uint64_t arrived_pairs = 0;
  int step = 0;
  for (const auto record : split(input, '\0')) {
    if (record.empty() || ++step > 64) continue;
    const auto fields = split(record.substr(1), '\x01');
    const auto at = t0 + std::chrono::milliseconds(step);
    const std::string_view path = fields[0];
    if (record[0] % 2 == 0) {
      ledger.rcpt_attempt(path, fields.size() > 1 ? fields[1] : "", at);
      continue;
    }
    std::vector<std::string> recipients;
    for (std::size_t i = 1; i + 1 < fields.size() && recipients.size() < 8; ++i)
      recipients.emplace_back(fields[i]);
    arrived_pairs += recipients.size();
    ledger.arrived(path, recipients, fields.size() > 1 ? fields.back() : "", at);
  }
  const auto r = ledger.result();
  const auto& c = r.counts;
  check(c.accepted == accepted);
  check(c.accepted_messages == 3);
  check(c.delivered + c.bounced + c.lost == c.accepted);
  check(c.lost == ledger.outstanding());
  check(c.delivered <= arrived_pairs);
  check(c.duplicated + c.unexpected + c.delivered <= arrived_pairs);
  check(c.retried <= c.delivered);
  check(r.latency.count() == c.delivered);
  std::uint64_t attempts = 0;
  for (const auto& [n, pairs] : r.attempts) attempts += pairs;
  check(attempts == c.delivered);
  check(r.header_changes.size() <= smtp::load::DeliveryResult::kMaxHeaderChanges + 1);
  check(r.samples.size() <= smtp::load::DeliveryResult::kMaxSamples);
  return 0;
}
