#include "load/metrics.hpp"

#include <array>
#include <memory>

namespace smtp::load {
namespace {

template <typename Enum>
struct Named {
  Enum value;
  std::string_view name;
};

// The names are the enumerators' own, so that the JSON result and the
// threshold grammar read like the code.
constexpr std::array<Named<MeasuredPhase>, kMeasuredPhaseCount> kPhaseNames = {{
    {MeasuredPhase::connect, "connect"},
    {MeasuredPhase::tls_handshake, "tls_handshake"},
    {MeasuredPhase::banner, "banner"},
    {MeasuredPhase::ehlo, "ehlo"},
    {MeasuredPhase::helo, "helo"},
    {MeasuredPhase::starttls, "starttls"},
    {MeasuredPhase::auth, "auth"},
    {MeasuredPhase::mail, "mail"},
    {MeasuredPhase::rcpt, "rcpt"},
    {MeasuredPhase::data, "data"},
    {MeasuredPhase::end_of_data, "end_of_data"},
    {MeasuredPhase::bdat, "bdat"},
    {MeasuredPhase::rset, "rset"},
    {MeasuredPhase::quit, "quit"},
    {MeasuredPhase::transaction, "transaction"},
    {MeasuredPhase::service, "service"},
}};

// Error kinds as a report shows them: the refusals by their reply class.
constexpr std::array<Named<ErrorKind>, kErrorKindCount> kErrorNames = {{
    {ErrorKind::connect, "connect"},
    {ErrorKind::tls, "tls"},
    {ErrorKind::timeout, "timeout"},
    {ErrorKind::protocol, "protocol"},
    {ErrorKind::closed, "closed"},
    {ErrorKind::reply_4xx, "4xx"},
    {ErrorKind::reply_5xx, "5xx"},
    {ErrorKind::auth, "auth"},
    {ErrorKind::script, "script"},
}};

// Each table is indexed by the enumerator's value.
template <typename Enum, std::size_t N>
constexpr bool in_enum_order(const std::array<Named<Enum>, N>& table) {
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(table[i].value) != i) return false;
  }
  return true;
}
static_assert(in_enum_order(kPhaseNames));
static_assert(in_enum_order(kErrorNames));

template <typename Enum, std::size_t N>
std::optional<Enum> find_named(const std::array<Named<Enum>, N>& table, std::string_view name) {
  for (const auto& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

// A histogram that holds no value counts as absent: latency() reports it as
// nullptr, and == does not tell it from a cell never allocated.
bool holds_values(const std::unique_ptr<Histogram>& histogram) {
  return histogram != nullptr && histogram->count() > 0;
}

}  // namespace

std::string_view to_string(MeasuredPhase phase) {
  return kPhaseNames.at(static_cast<std::size_t>(phase)).name;
}

std::optional<MeasuredPhase> measured_phase_from_string(std::string_view name) {
  return find_named(kPhaseNames, name);
}

std::string_view to_string(ErrorKind kind) {
  return kErrorNames.at(static_cast<std::size_t>(kind)).name;
}

std::optional<ErrorKind> error_kind_from_string(std::string_view name) {
  return find_named(kErrorNames, name);
}

std::strong_ordering operator<=>(const ReplyKey& key, const ReplyKeyView& view) {
  if (const auto order = key.phase <=> view.phase; order != 0) return order;
  if (const auto order = key.code <=> view.code; order != 0) return order;
  return std::string_view(key.enhanced) <=> view.enhanced;
}

Counters& Counters::operator+=(const Counters& other) {
  transactions_started += other.transactions_started;
  delivered += other.delivered;
  refused_4xx += other.refused_4xx;
  refused_5xx += other.refused_5xx;
  failed += other.failed;
  recipients_accepted += other.recipients_accepted;
  recipients_refused += other.recipients_refused;
  connections_opened += other.connections_opened;
  connections_failed += other.connections_failed;
  reconnects += other.reconnects;
  late_starts += other.late_starts;
  dropped_starts += other.dropped_starts;
  bytes_written += other.bytes_written;
  bytes_read += other.bytes_read;
  return *this;
}

Metrics::Metrics(const Metrics& other)
    : counters_(other.counters_),
      replies_(other.replies_),
      errors_(other.errors_),
      custom_(other.custom_) {
  for (std::size_t i = 0; i < latency_.size(); ++i) {
    if (holds_values(other.latency_[i]))
      latency_[i] = std::make_unique<Histogram>(*other.latency_[i]);
  }
}

Metrics& Metrics::operator=(const Metrics& other) {
  if (this != &other) *this = Metrics(other);  // copy, then the defaulted move
  return *this;
}

std::size_t Metrics::cell(MeasuredPhase phase, int reply_class) {
  if (reply_class < kFirstReplyClass ||
      reply_class >= kFirstReplyClass + static_cast<int>(kReplyClassCount)) {
    reply_class = 5;
  }
  return static_cast<std::size_t>(phase) * kReplyClassCount +
         static_cast<std::size_t>(reply_class - kFirstReplyClass);
}

void Metrics::record_latency(MeasuredPhase phase, int reply_class, std::uint64_t nanoseconds) {
  auto& histogram = latency_[cell(phase, reply_class)];
  if (histogram == nullptr) histogram = std::make_unique<Histogram>();
  histogram->record(nanoseconds);
}

void Metrics::merge_latency(MeasuredPhase phase, int reply_class, const Histogram& histogram) {
  if (histogram.count() == 0) return;
  auto& mine = latency_[cell(phase, reply_class)];
  if (mine == nullptr) {
    mine = std::make_unique<Histogram>(histogram);
  } else {
    mine->merge(histogram);
  }
}

void Metrics::count_reply(MeasuredPhase phase, int code, std::string_view enhanced,
                          std::uint64_t n) {
  if (n == 0) return;
  const ReplyKeyView view{phase, code, enhanced};
  // lower_bound with the view: no std::string is built unless the cell is new,
  // and then the bound is the insertion hint.
  const auto found = replies_.lower_bound(view);
  if (found != replies_.end() && found->first == view) {
    found->second += n;
    return;
  }
  // A hostile server can invent enhanced codes without end ("250 2.x.y"):
  // past kMaxReplyCells distinct cells, new codes are counted without their
  // enhanced code, so the matrix stays bounded (phases x codes).
  if (replies_.size() >= kMaxReplyCells && !enhanced.empty()) {
    count_reply(phase, code, std::string_view(), n);
    return;
  }
  replies_.emplace_hint(found, ReplyKey{phase, code, std::string(enhanced)}, n);
}

void Metrics::count_error(ErrorKind kind, std::uint64_t n) {
  errors_.at(static_cast<std::size_t>(kind)) += n;
}

void Metrics::add_custom(const std::string& name, double value) {
  custom_[name] += value;
}

const Histogram* Metrics::latency(MeasuredPhase phase, int reply_class) const {
  const auto& histogram = latency_[cell(phase, reply_class)];
  return holds_values(histogram) ? histogram.get() : nullptr;
}

Histogram Metrics::latency(MeasuredPhase phase) const {
  Histogram merged;
  for (std::size_t c = 0; c < kReplyClassCount; ++c) {
    const auto& histogram = latency_[cell(phase, kFirstReplyClass + static_cast<int>(c))];
    if (holds_values(histogram)) merged.merge(*histogram);
  }
  return merged;
}

std::uint64_t Metrics::errors(ErrorKind kind) const {
  return errors_.at(static_cast<std::size_t>(kind));
}

void Metrics::merge(const Metrics& other) {
  counters_ += other.counters_;
  for (std::size_t i = 0; i < latency_.size(); ++i) {
    if (!holds_values(other.latency_[i])) continue;
    if (latency_[i] == nullptr) {
      latency_[i] = std::make_unique<Histogram>(*other.latency_[i]);
    } else {
      latency_[i]->merge(*other.latency_[i]);
    }
  }
  for (const auto& [key, count] : other.replies_) {
    count_reply(key.phase, key.code, key.enhanced, count);
  }
  for (std::size_t i = 0; i < errors_.size(); ++i) errors_[i] += other.errors_[i];
  for (const auto& [name, value] : other.custom_) custom_[name] += value;
}

void Metrics::reset() {
  counters_ = Counters{};
  for (auto& histogram : latency_) {
    if (histogram != nullptr) histogram->reset();
  }
  replies_.clear();
  errors_.fill(0);
  custom_.clear();
}

bool Metrics::operator==(const Metrics& other) const {
  if (counters_ != other.counters_ || replies_ != other.replies_ || errors_ != other.errors_ ||
      custom_ != other.custom_) {
    return false;
  }
  for (std::size_t i = 0; i < latency_.size(); ++i) {
    const bool mine = holds_values(latency_[i]);
    if (mine != holds_values(other.latency_[i])) return false;
    if (mine && *latency_[i] != *other.latency_[i]) return false;
  }
  return true;
}

}  // namespace smtp::load
