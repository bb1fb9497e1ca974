#include "load/recorder.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace smtp::load {

void Recorder::latency(MeasuredPhase phase, int reply_class, std::chrono::nanoseconds elapsed) {
  auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(elapsed.count(), 0));
  total_.record_latency(phase, reply_class, ns);
  interval_.record_latency(phase, reply_class, ns);
}

void Recorder::reply(MeasuredPhase phase, const proto::Reply& reply) {
  char enhanced[24] = "";
  if (const auto& e = reply.enhanced()) {
    std::snprintf(enhanced, sizeof enhanced, "%u.%u.%u", unsigned{e->cls}, unsigned{e->subject},
                  unsigned{e->detail});
  }
  total_.count_reply(phase, reply.code, enhanced);
  interval_.count_reply(phase, reply.code, enhanced);
}

void Recorder::error(ErrorKind kind, std::string_view what) {
  total_.count_error(kind);
  interval_.count_error(kind);
  if (error_samples_.size() >= kMaxErrorSamples) return;
  std::string sample = std::string(to_string(kind)) + ": " + std::string(what);
  if (std::find(error_samples_.begin(), error_samples_.end(), sample) == error_samples_.end())
    error_samples_.push_back(std::move(sample));
}

void Recorder::count(std::uint64_t Counters::*field, std::uint64_t n) {
  total_.counters().*field += n;
  interval_.counters().*field += n;
}

void Recorder::custom(const std::string& name, double value) {
  total_.add_custom(name, value);
  interval_.add_custom(name, value);
}

Metrics Recorder::take_interval() {
  Metrics taken = std::move(interval_);
  interval_ = Metrics{};
  return taken;
}

}  // namespace smtp::load
