#pragma once
// A classic Prometheus histogram counted directly (fake-smtpd's session
// durations): fixed upper bounds, one count per bound, the sum and the
// count. Standard library only; not thread-safe (fake-smtpd counts on its
// one thread, ARCHITECTURE.md deviation 8).
#include <cstdint>
#include <span>
#include <vector>

namespace smtp::common {

class ClassicHistogram {
 public:
  // `bounds`: finite upper bounds, increasing.
  explicit ClassicHistogram(std::span<const double> bounds);

  void observe(double value);

  std::span<const double> bounds() const { return bounds_; }
  // cumulative()[i]: observations at or below bounds()[i].
  std::vector<std::uint64_t> cumulative() const;
  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;  // per bucket, not cumulative
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

}  // namespace smtp::common
