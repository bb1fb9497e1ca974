#include "load/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace smtp::load {
namespace {

using std::chrono::nanoseconds;

// The arithmetic is in seconds and doubles: a rate is per second, and a
// double resolves a nanosecond within any stage shorter than ~100 days.
// Times are measured from the start of their stage, which keeps that
// resolution whatever the run's length.
double to_seconds(nanoseconds duration) {
  return static_cast<double>(duration.count()) / 1e9;
}

nanoseconds to_nanoseconds(double seconds) {
  return nanoseconds(std::llround(seconds * 1e9));
}

// One stage as the rate profile walks it: [start, end), ramping from
// from_rate to to_rate. A stage of zero (or, misused, negative) duration is a
// step in the rate that takes no time and holds no arrival.
struct Segment {
  nanoseconds start{0};
  nanoseconds end{0};
  double from_rate = 0;
  double to_rate = 0;

  double seconds() const { return to_seconds(end - start); }
  bool empty() const { return end <= start; }
  // Λ over the whole stage: the trapezoid under the ramp.
  double area() const { return empty() ? 0.0 : (from_rate + to_rate) / 2 * seconds(); }
  // Λ over the first x seconds: from_rate·x + slope·x²/2.
  double area_until(double x) const {
    const double slope = (to_rate - from_rate) / seconds();
    return from_rate * x + slope * x * x / 2;
  }
  // The x in [0, seconds()] with area_until(x) = a, for 0 <= a <= area().
  // It solves slope/2·x² + from_rate·x − a = 0 with the root written as
  // 2a / (from_rate + √(from_rate² + 2·slope·a)), the textbook
  // (−from_rate + √…) / slope times its conjugate: no division by a zero
  // slope (a constant rate gives a / from_rate), and no cancellation between
  // from_rate and the root when the slope is small.
  double inverse(double a) const {
    if (a <= 0) return 0;  // also a ramp from 0, where the root below is 0/0
    const double d = seconds();
    const double slope = (to_rate - from_rate) / d;
    // The discriminant is ≥ to_rate² ≥ 0 for a ≤ area(); max() absorbs rounding.
    const double root = std::sqrt(std::max(0.0, from_rate * from_rate + 2 * slope * a));
    const double denominator = from_rate + root;
    if (!(denominator > 0)) return d;  // a rate that is 0 throughout has no area to invert
    return std::min(d, 2 * a / denominator);
  }
};

// Calls visit(segment) for each stage in order, with the rates multiplied by
// `scale`, until visit returns true.
template <typename Visit>
void walk(const RateProfile& profile, double scale, Visit visit) {
  Segment segment;
  segment.to_rate = profile.start_rate * scale;
  for (const Stage& stage : profile.stages) {
    segment.start = segment.end;
    segment.end = segment.start + std::max(stage.duration, nanoseconds(0));
    segment.from_rate = segment.to_rate;
    segment.to_rate = stage.target_rate * scale;
    if (visit(std::as_const(segment))) return;
  }
}

}  // namespace

RateProfile RateProfile::constant(double rate, nanoseconds duration) {
  return RateProfile{rate, {Stage{duration, rate}}};
}

nanoseconds RateProfile::total_duration() const {
  nanoseconds total{0};
  for (const Stage& stage : stages) total += std::max(stage.duration, nanoseconds(0));
  return total;
}

double RateProfile::rate_at(nanoseconds t) const {
  double rate = 0;
  walk(*this, 1.0, [&](const Segment& segment) {
    if (t < segment.start || t >= segment.end) return false;
    const double x = to_seconds(t - segment.start);
    rate = segment.from_rate + (segment.to_rate - segment.from_rate) * x / segment.seconds();
    return true;
  });
  return rate;
}

double RateProfile::expected_arrivals(nanoseconds t) const {
  double total = 0;
  walk(*this, 1.0, [&](const Segment& segment) {
    if (t <= segment.start) return true;
    if (t >= segment.end) {
      total += segment.area();
      return false;
    }
    total += segment.area_until(to_seconds(t - segment.start));
    return true;
  });
  return total;
}

ArrivalSchedule::ArrivalSchedule(RateProfile profile, Arrivals arrivals, double share,
                                 double offset, std::uint64_t seed)
    : profile_(std::move(profile)),
      arrivals_(arrivals),
      share_(share),
      // Constant arrivals sit at Λ·share = offset, offset + 1, ...; a Poisson
      // stream starts from 0 and waits one exponential gap for its first.
      position_(arrivals == Arrivals::constant ? offset : 0.0),
      random_(seed) {}

std::optional<nanoseconds> ArrivalSchedule::next() {
  double target = 0;
  if (arrivals_ == Arrivals::constant) {
    target = position_;
    position_ += 1;
  } else {
    position_ += gap_(random_);
    target = position_;
  }
  // position_ only grows, so once a target is past the end every later one
  // is too and next() keeps returning nullopt.
  return time_of(target);
}

std::optional<nanoseconds> ArrivalSchedule::time_of(double target) const {
  std::optional<nanoseconds> found;
  double before = 0;  // Λ·share at the start of the segment
  walk(profile_, share_, [&](const Segment& segment) {
    const double area = segment.area();
    // Strictly inside: an arrival exactly at a segment's end belongs to the
    // next one, and a segment without area (rate 0 throughout, or a step)
    // holds none.
    if (target >= before + area) {
      before += area;
      return false;
    }
    const nanoseconds at = segment.start + to_nanoseconds(segment.inverse(target - before));
    // Rounding to whole nanoseconds must not push it onto the next segment.
    found = std::min(at, segment.end - nanoseconds(1));
    return true;
  });
  return found;
}

}  // namespace smtp::load
