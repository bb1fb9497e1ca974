#include "load/recorder.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

namespace smtp::load {

void Recorder::latency(MeasuredPhase phase, int reply_class, std::chrono::nanoseconds elapsed) {
  auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(elapsed.count(), 0));
  interval_.record_latency(phase, reply_class, ns);
}

void Recorder::reply(MeasuredPhase phase, const proto::Reply& reply) {
  // "x.y.z" without snprintf: this runs for every reply. The fields are a
  // uint8_t and two uint16_t (RFC 3463 allows 1-3 digits each; the types
  // allow 3 + 5 + 5), so 13 digits and 2 dots fit.
  char enhanced[16];
  std::size_t length = 0;
  if (const auto& e = reply.enhanced()) {
    auto append = [&](unsigned value, bool dot) {
      auto [end, ec] = std::to_chars(enhanced + length, enhanced + sizeof enhanced - 1, value);
      length = ec == std::errc{} ? static_cast<std::size_t>(end - enhanced) : length;
      if (dot) enhanced[length++] = '.';
    };
    append(e->cls, true);
    append(e->subject, true);
    append(e->detail, false);
  }
  interval_.count_reply(phase, reply.code, std::string_view(enhanced, length));
}

void Recorder::error(ErrorKind kind, std::string_view what) {
  interval_.count_error(kind);
  if (error_samples_.size() >= kMaxErrorSamples) return;
  std::string sample = std::string(to_string(kind)) + ": " + std::string(what);
  if (std::find(error_samples_.begin(), error_samples_.end(), sample) == error_samples_.end())
    error_samples_.push_back(std::move(sample));
}

void Recorder::count(std::uint64_t Counters::*field, std::uint64_t n) {
  interval_.counters().*field += n;
}

void Recorder::custom(const std::string& name, double value) {
  interval_.add_custom(name, value);
}

Metrics Recorder::take_interval() {
  total_.merge(interval_);
  Metrics taken = interval_;
  interval_.reset();
  return taken;
}

void Recorder::fold() {
  total_.merge(interval_);
  interval_.reset();
}

}  // namespace smtp::load
