#include "load/schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace smtp::load::schedule_test {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

// Every loop that drains a schedule stops here, whatever the schedule does.
constexpr std::size_t kMaxArrivals = 1'000'000;

std::vector<nanoseconds> drain(ArrivalSchedule& schedule) {
  std::vector<nanoseconds> arrivals;
  while (arrivals.size() < kMaxArrivals) {
    const auto next = schedule.next();
    if (!next) break;
    arrivals.push_back(*next);
  }
  return arrivals;
}

std::vector<nanoseconds> drain(const RateProfile& profile, Arrivals arrivals, double share = 1.0,
                               double offset = 0.0, std::uint64_t seed = 1) {
  ArrivalSchedule schedule(profile, arrivals, share, offset, seed);
  return drain(schedule);
}

std::size_t count_in(const std::vector<nanoseconds>& arrivals, nanoseconds from, nanoseconds to) {
  return static_cast<std::size_t>(
      std::count_if(arrivals.begin(), arrivals.end(), [&](auto t) { return t >= from && t < to; }));
}

nanoseconds seconds_to_ns(double seconds) {
  return nanoseconds(std::llround(seconds * 1e9));
}

void expect_near_ns(nanoseconds actual, nanoseconds expected, nanoseconds tolerance,
                    std::size_t index) {
  EXPECT_LE(std::chrono::abs(actual - expected), tolerance)
      << "arrival " << index << ": " << actual.count() << " ns, expected " << expected.count();
}

// A ramp from 0 to 100/s over 10 s: r(t) = 10 t, Λ(t) = 5 t².
RateProfile ramp_up() {
  return RateProfile{0, {Stage{10s, 100}}};
}

TEST(RateProfile, ConstantIsOneFlatStage) {
  const RateProfile profile = RateProfile::constant(250, 4s);
  EXPECT_EQ(profile.start_rate, 250);
  ASSERT_EQ(profile.stages.size(), 1u);
  EXPECT_EQ(profile.stages[0].duration, 4s);
  EXPECT_EQ(profile.stages[0].target_rate, 250);
  EXPECT_EQ(profile.total_duration(), 4s);
  EXPECT_DOUBLE_EQ(profile.rate_at(0s), 250);
  EXPECT_DOUBLE_EQ(profile.rate_at(3999ms), 250);
  EXPECT_DOUBLE_EQ(profile.expected_arrivals(2s), 500);
  EXPECT_DOUBLE_EQ(profile.expected_arrivals(4s), 1000);
}

TEST(RateProfile, RateIsPiecewiseLinearAndZeroOutsideTheStages) {
  // 0 → 100/s over 10 s, hold 5 s, down to 20/s over 4 s.
  const RateProfile profile{0, {Stage{10s, 100}, Stage{5s, 100}, Stage{4s, 20}}};
  EXPECT_EQ(profile.total_duration(), 19s);
  EXPECT_DOUBLE_EQ(profile.rate_at(-1s), 0);
  EXPECT_DOUBLE_EQ(profile.rate_at(0s), 0);
  EXPECT_DOUBLE_EQ(profile.rate_at(2500ms), 25);
  EXPECT_DOUBLE_EQ(profile.rate_at(10s), 100);
  EXPECT_DOUBLE_EQ(profile.rate_at(12s), 100);
  EXPECT_DOUBLE_EQ(profile.rate_at(17s), 60);
  EXPECT_DOUBLE_EQ(profile.rate_at(19s), 0);
  EXPECT_DOUBLE_EQ(profile.rate_at(100s), 0);
}

TEST(RateProfile, ExpectedArrivalsIntegrateTheRate) {
  const RateProfile profile{0, {Stage{10s, 100}, Stage{5s, 100}, Stage{4s, 20}}};
  EXPECT_DOUBLE_EQ(profile.expected_arrivals(-1s), 0);
  EXPECT_DOUBLE_EQ(profile.expected_arrivals(0s), 0);
  EXPECT_DOUBLE_EQ(profile.expected_arrivals(1s), 5);  // 5 t²
  EXPECT_DOUBLE_EQ(profile.expected_arrivals(5s), 125);
  EXPECT_DOUBLE_EQ(profile.expected_arrivals(10s), 500);
  EXPECT_DOUBLE_EQ(profile.expected_arrivals(15s), 1000);  // + 100/s × 5 s
  EXPECT_DOUBLE_EQ(profile.expected_arrivals(17s), 1160);  // + (100 + 60) / 2 × 2 s
  EXPECT_DOUBLE_EQ(profile.expected_arrivals(19s), 1240);  // + (100 + 20) / 2 × 4 s
  EXPECT_DOUBLE_EQ(profile.expected_arrivals(1h), 1240);
}

TEST(ConstantArrivals, ThousandPerSecondForOneSecondAreOneMillisecondApart) {
  const auto arrivals = drain(RateProfile::constant(1000, 1s), Arrivals::constant);
  ASSERT_EQ(arrivals.size(), 1000u);
  for (std::size_t k = 0; k < arrivals.size(); ++k) {
    expect_near_ns(arrivals[k], nanoseconds(k * 1'000'000), 1ns, k);
  }
}

TEST(ConstantArrivals, StrictlyIncrease) {
  const auto arrivals = drain(RateProfile{5, {Stage{3s, 5000}, Stage{1s, 7}}}, Arrivals::constant);
  ASSERT_GT(arrivals.size(), 1u);
  for (std::size_t k = 1; k < arrivals.size(); ++k) ASSERT_LT(arrivals[k - 1], arrivals[k]) << k;
}

TEST(ConstantArrivals, OffsetShiftsThePhase) {
  const auto arrivals = drain(RateProfile::constant(1000, 1s), Arrivals::constant, 1.0, 0.5);
  ASSERT_EQ(arrivals.size(), 1000u);
  expect_near_ns(arrivals.front(), 500us, 1ns, 0);
  expect_near_ns(arrivals.back(), 999'500us, 1ns, 999);
}

TEST(ConstantArrivals, FourShardsMergeIntoOneEvenStream) {
  const RateProfile profile = RateProfile::constant(1000, 1s);
  std::vector<nanoseconds> merged;
  for (int worker = 0; worker < 4; ++worker) {
    const auto arrivals = drain(profile, Arrivals::constant, 0.25, worker / 4.0);
    EXPECT_EQ(arrivals.size(), 250u) << worker;
    merged.insert(merged.end(), arrivals.begin(), arrivals.end());
  }
  std::sort(merged.begin(), merged.end());
  ASSERT_EQ(merged.size(), 1000u);
  for (std::size_t k = 0; k < merged.size(); ++k) {
    expect_near_ns(merged[k], nanoseconds(k * 1'000'000), 1ns, k);
  }
}

TEST(ConstantArrivals, RampFromZeroGrowsDenserLinearly) {
  const auto arrivals = drain(ramp_up(), Arrivals::constant);
  // Λ(10 s) = 500, Λ(5 s) = 125: a quarter of the arrivals in the first half.
  EXPECT_NEAR(static_cast<double>(arrivals.size()), 500, 1);
  EXPECT_NEAR(static_cast<double>(count_in(arrivals, 0s, 5s)), 125, 1);
  EXPECT_NEAR(static_cast<double>(count_in(arrivals, 5s, 10s)), 375, 1);
  // Each second k holds Λ(k+1) − Λ(k) = 5 (2k + 1) arrivals.
  for (int k = 0; k < 10; ++k) {
    const auto in_second = count_in(arrivals, std::chrono::seconds(k), std::chrono::seconds(k + 1));
    EXPECT_NEAR(static_cast<double>(in_second), 5 * (2 * k + 1), 1) << "second " << k;
  }
}

TEST(ConstantArrivals, RampFromZeroSolvesTheQuadraticExactly) {
  // Arrival k is where 5 t² = k: t = √(k / 5).
  const auto arrivals = drain(ramp_up(), Arrivals::constant);
  ASSERT_EQ(arrivals.size(), 500u);
  for (std::size_t k = 0; k < arrivals.size(); ++k) {
    expect_near_ns(arrivals[k], seconds_to_ns(std::sqrt(k / 5.0)), 2ns, k);
  }
}

TEST(ConstantArrivals, RampDownSolvesTheQuadraticExactly) {
  // 100/s down to 0 over 10 s: Λ(t) = 100 t − 5 t², so t = 10 − √(100 − k/5).
  const auto arrivals = drain(RateProfile{100, {Stage{10s, 0}}}, Arrivals::constant);
  ASSERT_EQ(arrivals.size(), 500u);
  for (std::size_t k = 0; k < arrivals.size(); ++k) {
    expect_near_ns(arrivals[k], seconds_to_ns(10 - std::sqrt(100 - k / 5.0)), 2ns, k);
  }
}

TEST(ConstantArrivals, StayPreciseDeepIntoALongRun) {
  // One per second for a bit over a day, behind a first stage of 1 hour.
  const RateProfile profile{1, {Stage{1h, 1}, Stage{100'000s, 1}}};
  const auto arrivals = drain(profile, Arrivals::constant);
  ASSERT_EQ(arrivals.size(), 103'600u);
  for (std::size_t k = 0; k < arrivals.size(); ++k) {
    ASSERT_EQ(arrivals[k], std::chrono::seconds(k)) << k;
  }
}

TEST(ConstantArrivals, NoneInAStageWhoseRateIsZero) {
  // 10/s for 1 s, a 1 ns drop to 0, 1 s at 0, a 1 ns rise, 10/s for 1 s.
  const RateProfile profile{
      10, {Stage{1s, 10}, Stage{1ns, 0}, Stage{1s, 0}, Stage{1ns, 10}, Stage{1s, 10}}};
  const auto arrivals = drain(profile, Arrivals::constant);
  const nanoseconds pause_start = 1s + 1ns;
  const nanoseconds pause_end = 2s + 1ns;
  EXPECT_EQ(count_in(arrivals, pause_start, pause_end), 0u);
  EXPECT_EQ(count_in(arrivals, 0s, 1s), 10u);
  EXPECT_NEAR(static_cast<double>(arrivals.size()), 20, 1);
  const auto after = count_in(arrivals, pause_end, 3s + 2ns);
  EXPECT_NEAR(static_cast<double>(after), 10, 1);
}

TEST(ConstantArrivals, NoneWhenTheRateIsZeroThroughout) {
  ArrivalSchedule schedule(RateProfile{0, {Stage{10s, 0}, Stage{5s, 0}}}, Arrivals::constant, 1, 0,
                           1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(schedule.next(), std::nullopt);
}

TEST(ConstantArrivals, EndAtTheLastStageAndStayEnded) {
  ArrivalSchedule schedule(RateProfile::constant(10, 1s), Arrivals::constant, 1, 0, 1);
  std::size_t count = 0;
  while (count < 100 && schedule.next()) ++count;
  EXPECT_EQ(count, 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(schedule.next(), std::nullopt);
}

TEST(PoissonArrivals, MatchTheRateOnAverage) {
  const auto arrivals = drain(RateProfile::constant(5000, 10s), Arrivals::poisson, 1, 0, 42);
  EXPECT_NEAR(static_cast<double>(arrivals.size()), 50'000, 1'500);  // 3 %; σ ≈ 224
  ASSERT_GT(arrivals.size(), 1u);
  for (std::size_t k = 1; k < arrivals.size(); ++k) ASSERT_LE(arrivals[k - 1], arrivals[k]) << k;
  const double mean_gap_us = static_cast<double>((arrivals.back() - arrivals.front()).count()) /
                             static_cast<double>(arrivals.size() - 1) / 1e3;
  EXPECT_NEAR(mean_gap_us, 200, 6);
  EXPECT_LT(arrivals.back(), 10s);
}

TEST(PoissonArrivals, GapsAreExponential) {
  // An exponential gap exceeds its mean with probability e⁻¹ ≈ 36.8 %.
  const auto arrivals = drain(RateProfile::constant(5000, 10s), Arrivals::poisson, 1, 0, 42);
  ASSERT_GT(arrivals.size(), 40'000u);
  std::size_t long_gaps = 0;
  for (std::size_t k = 1; k < arrivals.size(); ++k) {
    if (arrivals[k] - arrivals[k - 1] > 200us) ++long_gaps;
  }
  const double share = static_cast<double>(long_gaps) / static_cast<double>(arrivals.size() - 1);
  EXPECT_NEAR(share, std::exp(-1.0), 0.01);
}

TEST(PoissonArrivals, AreDeterministicForASeed) {
  const RateProfile profile = RateProfile::constant(5000, 1s);
  const auto first = drain(profile, Arrivals::poisson, 1, 0, 7);
  const auto again = drain(profile, Arrivals::poisson, 1, 0, 7);
  const auto other = drain(profile, Arrivals::poisson, 1, 0, 8);
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
}

TEST(PoissonArrivals, FollowARamp) {
  // 0 → 1000/s over 10 s: Λ = 5000, a quarter of it in the first half.
  const auto arrivals = drain(RateProfile{0, {Stage{10s, 1000}}}, Arrivals::poisson, 1, 0, 3);
  EXPECT_NEAR(static_cast<double>(arrivals.size()), 5000, 300);              // σ ≈ 71
  EXPECT_NEAR(static_cast<double>(count_in(arrivals, 0s, 5s)), 1250, 150);   // σ ≈ 35
  EXPECT_NEAR(static_cast<double>(count_in(arrivals, 5s, 10s)), 3750, 250);  // σ ≈ 61
}

TEST(PoissonArrivals, ShardsAddUpToTheRate) {
  const RateProfile profile = RateProfile::constant(5000, 10s);
  std::size_t total = 0;
  for (std::uint64_t worker = 0; worker < 4; ++worker) {
    total += drain(profile, Arrivals::poisson, 0.25, 0, 100 + worker).size();
  }
  EXPECT_NEAR(static_cast<double>(total), 50'000, 1'500);
}

TEST(PoissonArrivals, NoneInAStageWhoseRateIsZero) {
  const RateProfile profile{
      2000, {Stage{1s, 2000}, Stage{1ns, 0}, Stage{1s, 0}, Stage{1ns, 2000}, Stage{1s, 2000}}};
  const auto arrivals = drain(profile, Arrivals::poisson, 1, 0, 5);
  EXPECT_EQ(count_in(arrivals, 1s + 1ns, 2s + 1ns), 0u);
  EXPECT_GT(count_in(arrivals, 0s, 1s), 1800u);
  EXPECT_GT(count_in(arrivals, 2s + 1ns, 3s + 2ns), 1800u);
}

TEST(PoissonArrivals, EndAtTheLastStageAndStayEnded) {
  ArrivalSchedule schedule(RateProfile::constant(1000, 1s), Arrivals::poisson, 1, 0, 11);
  std::size_t count = 0;
  while (count < 10'000 && schedule.next()) ++count;
  EXPECT_GT(count, 900u);
  EXPECT_LT(count, 1100u);
  // Later gaps are drawn and may be short, but the stream does not restart.
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(schedule.next(), std::nullopt) << i;
}

}  // namespace
}  // namespace smtp::load::schedule_test
