#pragma once
// What a load run measures (ARCHITECTURE.md §4), in a form that merges exactly:
// each worker records into its own Metrics without locks, and the engine
// merges them once a second (the progress line, the time series) and at the
// end (the result). Standard library only.
//
// Latency is kept per measured phase and per reply class (2xx..5xx), one
// histogram each, allocated on first use: a run that never sees a 4xx at RCPT
// never pays for that histogram (33 KB).
#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "load/histogram.hpp"

namespace smtp::load {

// The phases a run times. connect is the TCP connect, tls_handshake the TLS
// handshake (implicit or after STARTTLS's 220); transaction is a whole
// transaction, from its intended start (open model) or its start (closed
// model) to the reply that decided it: response time, coordinated-omission
// correct. service is the same transaction from when its first command was
// actually written.
enum class MeasuredPhase : std::uint8_t {
  connect,
  tls_handshake,
  banner,
  ehlo,
  helo,
  starttls,
  auth,
  mail,
  rcpt,
  data,
  end_of_data,
  bdat,
  rset,
  quit,
  transaction,
  service,
};
inline constexpr std::size_t kMeasuredPhaseCount = 16;
std::string_view to_string(MeasuredPhase phase);
std::optional<MeasuredPhase> measured_phase_from_string(std::string_view name);

// The class of the reply that ended a timed interval: 2 for 2xx ... 5 for 5xx.
// connect and tls_handshake record class 2 when they succeeded (failures are
// errors, not latencies); transaction and service record the deciding reply's.
inline constexpr int kFirstReplyClass = 2;
inline constexpr std::size_t kReplyClassCount = 4;

// Errors by kind (ARCHITECTURE.md §4). A run never aborts on one; each is
// counted once, where it happened.
enum class ErrorKind : std::uint8_t {
  connect,    // TCP connect refused, unreachable, or timed out
  tls,        // handshake failed, certificate not verified, STARTTLS refused when required
  timeout,    // no reply within the reply timeout
  protocol,   // a malformed, unexpected or unsolicited reply
  closed,     // the server closed the connection or sent 421 mid-session
  reply_4xx,  // a transaction refused with a 4xx
  reply_5xx,  // a transaction refused with a 5xx
  auth,       // AUTH refused or unavailable
  script,     // a scenario hook failed
};
inline constexpr std::size_t kErrorKindCount = 9;

// Distinct (phase, code, enhanced code) cells one Metrics keeps; past it,
// replies are counted under their code alone (see count_reply).
inline constexpr std::size_t kMaxReplyCells = 1000;
std::string_view to_string(ErrorKind kind);
std::optional<ErrorKind> error_kind_from_string(std::string_view name);

// One cell of the phase × reply-code matrix. enhanced is "x.y.z" or "" when the
// reply carried none.
struct ReplyKey {
  MeasuredPhase phase = MeasuredPhase::banner;
  int code = 0;
  std::string enhanced;
  auto operator<=>(const ReplyKey&) const = default;
};

// The same cell without owning its enhanced code, so that counting a reply
// that was seen before looks it up without building a std::string.
struct ReplyKeyView {
  MeasuredPhase phase = MeasuredPhase::banner;
  int code = 0;
  std::string_view enhanced;
};
// Orders like ReplyKey's own <=> (std::string and std::string_view compare
// alike), so the two can be mixed in one transparent map.
std::strong_ordering operator<=>(const ReplyKey& key, const ReplyKeyView& view);
inline bool operator==(const ReplyKey& key, const ReplyKeyView& view) {
  return (key <=> view) == 0;
}

// std::less<> makes lookups by ReplyKeyView possible.
using ReplyCounts = std::map<ReplyKey, std::uint64_t, std::less<>>;

// Counters that add up.
struct Counters {
  std::uint64_t transactions_started = 0;  // messages handed to a session
  std::uint64_t delivered = 0;             // end of data (or LAST chunk) accepted
  std::uint64_t refused_4xx = 0;           // transaction refused, decided by a 4xx
  std::uint64_t refused_5xx = 0;           // decided by a 5xx
  std::uint64_t failed = 0;                // connection lost or timed out mid-transaction
  std::uint64_t recipients_accepted = 0;
  std::uint64_t recipients_refused = 0;
  std::uint64_t connections_opened = 0;  // TCP connected
  std::uint64_t connections_failed = 0;  // connect or setup (TLS, EHLO, AUTH) failed
  std::uint64_t reconnects = 0;          // a new connection after 421 or a lost one
  std::uint64_t late_starts = 0;         // open model: started after its intended time + slack
  std::uint64_t dropped_starts = 0;      // open model: never started (run ended, backlog full)
  std::uint64_t bytes_written = 0;
  std::uint64_t bytes_read = 0;

  Counters& operator+=(const Counters& other);
  bool operator==(const Counters&) const = default;
};

class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics& other);
  Metrics& operator=(const Metrics& other);
  Metrics(Metrics&&) noexcept = default;
  Metrics& operator=(Metrics&&) noexcept = default;

  // reply_class is 2..5; anything else is recorded as 5 (a code the parser
  // accepted is always 2xx-5xx, so this only guards misuse).
  void record_latency(MeasuredPhase phase, int reply_class, std::uint64_t nanoseconds);
  // Allocates only for a cell not seen before.
  void count_reply(MeasuredPhase phase, int code, std::string_view enhanced, std::uint64_t n = 1);
  void count_error(ErrorKind kind, std::uint64_t n = 1);
  // Custom counters add up: the value is added to the named counter. Merged
  // sums are exact while the values are integers below 2^53.
  void add_custom(const std::string& name, double value);
  // What was counted elsewhere, added exactly: a result file read back
  // (reports/) restores each cell's histogram (an empty one changes nothing)
  // and, with count_reply's n, each reply's count.
  void merge_latency(MeasuredPhase phase, int reply_class, const Histogram& histogram);

  Counters& counters() { return counters_; }
  const Counters& counters() const { return counters_; }

  // nullptr when nothing was recorded for that cell (since the last reset).
  const Histogram* latency(MeasuredPhase phase, int reply_class) const;
  // Every class of a phase merged (empty when none was recorded).
  Histogram latency(MeasuredPhase phase) const;
  const ReplyCounts& replies() const { return replies_; }
  std::uint64_t errors(ErrorKind kind) const;
  const std::array<std::uint64_t, kErrorKindCount>& errors() const { return errors_; }
  const std::map<std::string, double>& custom() const { return custom_; }

  // Exact: merging gives what recording everything into one would have.
  void merge(const Metrics& other);
  // Zeroes everything. Histograms already allocated are kept, emptied, so a
  // Metrics reused every second does not allocate again.
  void reset();

  bool operator==(const Metrics& other) const;

 private:
  static std::size_t cell(MeasuredPhase phase, int reply_class);

  Counters counters_;
  std::array<std::unique_ptr<Histogram>, kMeasuredPhaseCount * kReplyClassCount> latency_;
  ReplyCounts replies_;
  std::array<std::uint64_t, kErrorKindCount> errors_{};
  std::map<std::string, double> custom_;
};

}  // namespace smtp::load
