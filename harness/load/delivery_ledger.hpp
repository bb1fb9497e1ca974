#pragma once
// The delivery ledger of a run with --sink (README, "Load-testing a relay"):
// what the load client handed the relay (each accepted message and its
// accepted recipients) against what the sink saw come out, per (message,
// recipient) pair. It fills in a DeliveryResult (delivery.hpp).
//
// Thread-safe: the load workers record submissions, the sink's thread
// arrivals and attempts; one mutex, held for a few map operations.
//
// Memory: an accepted message is held until each of its pairs has arrived
// or bounced, as a Fingerprint (16 octets per header field, about 200 in
// all for a generated message) plus its recipients; then only its sequence
// number is remembered (one bit), for telling duplicates from strangers.
// An arrival that comes before the client has read the relay's 250 (a fast
// relay) waits as a fingerprint until it does.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "load/delivery.hpp"

namespace smtp::load {

// What the ledger keeps of a message's content: its body's digest and, per
// header field, hashes of its name and value.
struct Fingerprint {
  struct Field {
    std::uint64_t name = 0;   // of the lower-cased name
    std::uint64_t value = 0;  // of the unfolded value
  };
  std::uint64_t body = 0;
  std::vector<Field> header;
};

// A session of the relay at the sink, as it ended.
struct SinkSession {
  std::string hello_name;
  bool pipelined = false;
  bool starttls = false;
  std::uint64_t transactions = 0;  // MAIL answered 2xx
  std::uint64_t messages = 0;      // answered 250 at the end of data
  std::uint64_t bdat_messages = 0;
  std::map<std::uint32_t, std::uint64_t> recipients_per_transaction;  // recipients → messages
};

class DeliveryLedger {
 public:
  using Clock = std::chrono::steady_clock;

  // `run_id`: the tokens' prefix (delivery_token.hpp); `origin`: second 0
  // of the series, until start_series moves it.
  DeliveryLedger(std::string run_id, Clock::time_point origin);

  // Second 0 of the series: the load's clock start (the engine calls it),
  // so that the delivery series lines up with the load's.
  void start_series(Clock::time_point origin);

  const std::string& run_id() const { return run_id_; }

  // `body`: the body's digest when the caller has it (stamp_message's).
  Fingerprint fingerprint(std::string_view content, std::optional<std::uint64_t> body = {});

  // Load side: the relay answered 250 at the end of data for message `seq`,
  // having accepted `recipients` (as sent) at RCPT.
  void submitted(std::uint64_t seq, const std::vector<std::string>& recipients,
                 Fingerprint fingerprint, Clock::time_point intended, Clock::time_point accepted);

  // Sink side: a RCPT the sink answered, whatever the reply (a deferral is
  // an attempt too), in a transaction whose MAIL named `reverse_path`.
  void rcpt_attempt(std::string_view reverse_path, std::string_view recipient,
                    Clock::time_point at);
  // A message the sink accepted, with the recipients it accepted.
  void arrived(std::string_view reverse_path, const std::vector<std::string>& recipients,
               std::string_view content, Clock::time_point at);
  void session_ended(const SinkSession& session);

  // Accepted pairs neither delivered nor bounced yet.
  std::uint64_t outstanding() const;
  std::uint64_t accepted() const;
  std::uint64_t delivered() const;

  // The result so far: every outstanding pair counts as lost.
  DeliveryResult result() const;

 private:
  struct Pair {
    std::string recipient;  // normalised (normal_address)
    bool accepted = false;  // by the relay, as the client saw it
    bool delivered = false;
    bool bounced = false;
    // A message for it reached the sink (perhaps before the 250 was read):
    // a RCPT after that is a duplicate's, not a retry.
    bool arrived = false;
    std::uint32_t attempts = 0;
    Clock::time_point last_attempt{};
  };
  struct Arrival {
    std::vector<std::string> recipients;  // normalised
    Fingerprint fingerprint;
    Clock::time_point at;
  };
  // A delivery status notification (RFC 3464) of a message: the recipients
  // it reports failed, or every pair when it names none.
  struct Notice {
    bool names_recipients = false;
    std::vector<std::string> failed;  // normalised
    Clock::time_point at;
  };
  struct Entry {
    bool submitted = false;
    Clock::time_point intended{}, accepted_at{};
    Fingerprint fingerprint;
    std::vector<Pair> pairs;
    std::uint32_t remaining = 0;    // accepted pairs neither delivered nor bounced
    std::uint32_t undelivered = 0;  // accepted pairs not delivered (a bounced one may yet be)
    std::vector<Arrival> early;     // arrived before the client read the 250
    std::vector<Notice> early_notices;
  };

  static std::string normal_address(std::string_view address);
  std::optional<std::uint64_t> seq_of(std::string_view reverse_path,
                                      std::string_view content) const;
  Pair& pair_of(Entry& entry, const std::string& recipient);
  void match(std::uint64_t seq, Entry& entry, const Arrival& arrival);
  void bounce(std::uint64_t seq, std::string_view content, Clock::time_point at);
  static Notice read_notice(std::string_view content, Clock::time_point at);
  void apply(Entry& entry, const Notice& notice);
  void settle(std::uint64_t seq);  // forgets a message whose pairs are all settled
  bool completed(std::uint64_t seq) const;
  void compare_header(const Fingerprint& sent, const Fingerprint& got, bool& changed);
  void sample(std::string text);
  std::size_t second_of(Clock::time_point at) const;
  void add_at(std::vector<std::uint64_t>& series, Clock::time_point at, std::uint64_t n = 1);

  // An entry for a message not (yet) accepted, made by the sink's side (a
  // RCPT, an early arrival or notice): at most kMaxWaiting of them, so that
  // a relay inventing sequence numbers cannot grow the ledger without bound.
  Entry* waiting_entry(std::uint64_t seq);

  const std::string run_id_;
  Clock::time_point origin_;
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, Entry> entries_;
  std::vector<bool> completed_;  // by seq
  DeliveryResult result_;        // counts but lost, histograms, maps, samples
  std::uint64_t outstanding_ = 0;
  std::vector<std::uint64_t> accepted_per_second_, delivered_per_second_, bounced_per_second_;
  // Bounced pairs delivered after all: settled once, not twice.
  std::vector<std::uint64_t> unbounced_per_second_;
  std::size_t waiting_ = 0;  // entries not submitted
  static constexpr std::size_t kMaxWaiting = 100000;
  // Header fields kept per fingerprint; more are not compared.
  static constexpr std::size_t kMaxFields = 512;
  // Display names of the header fields seen, by the hash of their
  // lower-cased name (at most kMaxNames; the rest are "(other)").
  std::unordered_map<std::uint64_t, std::string> field_names_;
  static constexpr std::size_t kMaxNames = 256;
};

}  // namespace smtp::load
