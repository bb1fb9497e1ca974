#include "load/metrics.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <random>
#include <string>
#include <vector>

// Every allocation in this test binary is counted, so that the tests can
// prove the hot paths (a reply or a latency seen before) allocate nothing.
namespace {
std::atomic<std::uint64_t> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
  std::free(memory);
}

namespace smtp::load::metrics_test {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

// Longer than any std::string's small-buffer, so that building a ReplyKey
// from it would allocate: the no-allocation tests then mean something.
const std::string kLongEnhanced = "4.7.1-with-a-suffix-longer-than-the-small-string-buffer";

std::uint64_t allocations_during(const auto& action) {
  const std::uint64_t before = allocations.load();
  action();
  return allocations.load() - before;
}

// One thing a worker might record, so that the same events can be recorded
// into one Metrics or spread over several.
struct Event {
  int what = 0;
  MeasuredPhase phase = MeasuredPhase::connect;
  int reply_class = 2;
  int code = 250;
  std::string enhanced;
  std::uint64_t value = 0;
};

std::vector<Event> random_events(std::uint64_t seed, int n) {
  std::mt19937_64 random(seed);
  const std::vector<std::string> enhanced = {"", "2.0.0", "4.2.2", "5.1.1", kLongEnhanced};
  const std::vector<int> codes = {220, 250, 354, 421, 450, 451, 452, 550, 552, 554};
  std::vector<Event> events;
  for (int i = 0; i < n; ++i) {
    Event e;
    e.what = static_cast<int>(random() % 5);
    e.phase = static_cast<MeasuredPhase>(random() % kMeasuredPhaseCount);
    e.reply_class = kFirstReplyClass + static_cast<int>(random() % kReplyClassCount);
    e.code = codes[random() % codes.size()];
    e.enhanced = enhanced[random() % enhanced.size()];
    e.value = random() % (10'000 * kMs);
    events.push_back(e);
  }
  return events;
}

void record(Metrics& metrics, const Event& e) {
  switch (e.what) {
    case 0:
      metrics.record_latency(e.phase, e.reply_class, e.value);
      break;
    case 1:
      metrics.count_reply(e.phase, e.code, e.enhanced);
      break;
    case 2:
      metrics.count_error(static_cast<ErrorKind>(e.value % kErrorKindCount), 1 + e.value % 3);
      break;
    case 3:
      // Integer values: their sums are exact whatever the order.
      metrics.add_custom("custom" + std::to_string(e.value % 4),
                         static_cast<double>(e.value % 1000));
      break;
    default:
      metrics.counters().transactions_started += 1;
      metrics.counters().delivered += e.value % 2;
      metrics.counters().refused_4xx += e.value % 3 == 0 ? 1 : 0;
      metrics.counters().bytes_written += e.value % 4096;
      break;
  }
}

Counters numbered_counters(std::uint64_t base) {
  Counters c;
  c.transactions_started = base + 1;
  c.delivered = base + 2;
  c.refused_4xx = base + 3;
  c.refused_5xx = base + 4;
  c.failed = base + 5;
  c.recipients_accepted = base + 6;
  c.recipients_refused = base + 7;
  c.connections_opened = base + 8;
  c.connections_failed = base + 9;
  c.reconnects = base + 10;
  c.late_starts = base + 11;
  c.dropped_starts = base + 12;
  c.bytes_written = base + 13;
  c.bytes_read = base + 14;
  return c;
}

TEST(MeasuredPhaseNames, AreTheEnumeratorNames) {
  EXPECT_EQ(to_string(MeasuredPhase::connect), "connect");
  EXPECT_EQ(to_string(MeasuredPhase::tls_handshake), "tls_handshake");
  EXPECT_EQ(to_string(MeasuredPhase::end_of_data), "end_of_data");
  EXPECT_EQ(to_string(MeasuredPhase::bdat), "bdat");
  EXPECT_EQ(to_string(MeasuredPhase::quit), "quit");
  EXPECT_EQ(to_string(MeasuredPhase::transaction), "transaction");
  EXPECT_EQ(to_string(MeasuredPhase::service), "service");
}

TEST(MeasuredPhaseNames, RoundTripForEveryPhase) {
  for (std::size_t i = 0; i < kMeasuredPhaseCount; ++i) {
    const auto phase = static_cast<MeasuredPhase>(i);
    EXPECT_EQ(measured_phase_from_string(to_string(phase)), phase) << i;
  }
}

TEST(MeasuredPhaseNames, RejectsOtherSpellings) {
  for (const char* name : {"", "End_of_data", "end-of-data", "eod", "transaction ", "RCPT"}) {
    EXPECT_EQ(measured_phase_from_string(name), std::nullopt) << name;
  }
}

TEST(ErrorKindNames, AreTheReportNames) {
  const std::vector<std::pair<ErrorKind, std::string_view>> expected = {
      {ErrorKind::connect, "connect"}, {ErrorKind::tls, "tls"},
      {ErrorKind::timeout, "timeout"}, {ErrorKind::protocol, "protocol"},
      {ErrorKind::closed, "closed"},   {ErrorKind::reply_4xx, "4xx"},
      {ErrorKind::reply_5xx, "5xx"},   {ErrorKind::auth, "auth"},
      {ErrorKind::script, "script"},
  };
  ASSERT_EQ(expected.size(), kErrorKindCount);
  for (const auto& [kind, name] : expected) {
    EXPECT_EQ(to_string(kind), name);
    EXPECT_EQ(error_kind_from_string(name), kind) << name;
  }
  EXPECT_EQ(error_kind_from_string("reply_4xx"), std::nullopt);
  EXPECT_EQ(error_kind_from_string(""), std::nullopt);
}

TEST(ReplyKeyView, OrdersExactlyLikeReplyKey) {
  std::vector<ReplyKey> keys;
  for (auto phase : {MeasuredPhase::mail, MeasuredPhase::rcpt}) {
    for (int code : {250, 451, 550}) {
      for (const char* enhanced : {"", "2.1.5", "4.2.2", "4.2.20", "5.1.1"}) {
        keys.push_back(ReplyKey{phase, code, enhanced});
      }
    }
  }
  for (const auto& a : keys) {
    for (const auto& b : keys) {
      const ReplyKeyView view{b.phase, b.code, b.enhanced};
      EXPECT_EQ(a <=> view, a <=> b);
      EXPECT_EQ(a == view, a == b);
      EXPECT_EQ(view < a, b < a);
    }
  }
}

TEST(Counters, AddEveryField) {
  Counters sum = numbered_counters(100);
  sum += numbered_counters(1000);
  Counters expected;
  expected.transactions_started = 101 + 1001;
  expected.delivered = 102 + 1002;
  expected.refused_4xx = 103 + 1003;
  expected.refused_5xx = 104 + 1004;
  expected.failed = 105 + 1005;
  expected.recipients_accepted = 106 + 1006;
  expected.recipients_refused = 107 + 1007;
  expected.connections_opened = 108 + 1008;
  expected.connections_failed = 109 + 1009;
  expected.reconnects = 110 + 1010;
  expected.late_starts = 111 + 1011;
  expected.dropped_starts = 112 + 1012;
  expected.bytes_written = 113 + 1013;
  expected.bytes_read = 114 + 1014;
  EXPECT_EQ(sum, expected);
}

TEST(MetricsLatency, HistogramsAreAllocatedPerCellOnFirstUse) {
  Metrics metrics;
  for (std::size_t p = 0; p < kMeasuredPhaseCount; ++p) {
    for (int c = 2; c <= 5; ++c)
      EXPECT_EQ(metrics.latency(static_cast<MeasuredPhase>(p), c), nullptr);
  }
  EXPECT_GT(allocations_during([&] { metrics.record_latency(MeasuredPhase::rcpt, 4, 5 * kMs); }),
            0u);
  const Histogram* rcpt4xx = metrics.latency(MeasuredPhase::rcpt, 4);
  ASSERT_NE(rcpt4xx, nullptr);
  EXPECT_EQ(rcpt4xx->count(), 1u);
  EXPECT_EQ(rcpt4xx->max(), 5 * kMs);
  EXPECT_EQ(metrics.latency(MeasuredPhase::rcpt, 2), nullptr);
  EXPECT_EQ(metrics.latency(MeasuredPhase::mail, 4), nullptr);
}

TEST(MetricsLatency, RecordingIntoAnExistingCellDoesNotAllocate) {
  Metrics metrics;
  metrics.record_latency(MeasuredPhase::data, 3, kMs);
  EXPECT_EQ(allocations_during([&] {
              for (std::uint64_t i = 0; i < 1000; ++i) {
                metrics.record_latency(MeasuredPhase::data, 3, i * kMs);
              }
            }),
            0u);
  EXPECT_EQ(metrics.latency(MeasuredPhase::data, 3)->count(), 1001u);
}

TEST(MetricsLatency, ClassesOutsideTwoToFiveCountAsFive) {
  Metrics metrics;
  metrics.record_latency(MeasuredPhase::mail, 1, kMs);
  metrics.record_latency(MeasuredPhase::mail, 6, 2 * kMs);
  metrics.record_latency(MeasuredPhase::mail, -3, 3 * kMs);
  ASSERT_NE(metrics.latency(MeasuredPhase::mail, 5), nullptr);
  EXPECT_EQ(metrics.latency(MeasuredPhase::mail, 5)->count(), 3u);
  EXPECT_EQ(metrics.latency(MeasuredPhase::mail, 1), metrics.latency(MeasuredPhase::mail, 5));
}

TEST(MetricsLatency, PhaseLatencyMergesEveryClass) {
  Metrics metrics;
  Histogram expected;
  for (int c = 2; c <= 5; ++c) {
    for (std::uint64_t i = 1; i <= 10; ++i) {
      metrics.record_latency(MeasuredPhase::end_of_data, c, i * c * kMs);
      expected.record(i * c * kMs);
    }
  }
  metrics.record_latency(MeasuredPhase::quit, 2, 999 * kMs);  // another phase stays out
  EXPECT_EQ(metrics.latency(MeasuredPhase::end_of_data), expected);
  EXPECT_EQ(metrics.latency(MeasuredPhase::banner).count(), 0u);
}

TEST(MetricsLatency, MergeLatencyAddsAWholeHistogram) {
  Histogram restored;
  for (std::uint64_t i = 1; i <= 50; ++i) restored.record(i * kMs);
  Metrics merged;
  merged.record_latency(MeasuredPhase::ehlo, 2, 7 * kMs);
  merged.merge_latency(MeasuredPhase::ehlo, 2, restored);
  merged.merge_latency(MeasuredPhase::auth, 5, Histogram{});  // empty: no cell appears
  Metrics recorded;
  recorded.record_latency(MeasuredPhase::ehlo, 2, 7 * kMs);
  for (std::uint64_t i = 1; i <= 50; ++i) recorded.record_latency(MeasuredPhase::ehlo, 2, i * kMs);
  EXPECT_EQ(merged, recorded);
  EXPECT_EQ(merged.latency(MeasuredPhase::auth, 5), nullptr);
}

TEST(MetricsReplies, CountsEachPhaseCodeAndEnhancedCodeApart) {
  Metrics metrics;
  metrics.count_reply(MeasuredPhase::rcpt, 250, "2.1.5");
  metrics.count_reply(MeasuredPhase::rcpt, 250, "2.1.5");
  metrics.count_reply(MeasuredPhase::rcpt, 250, "");
  metrics.count_reply(MeasuredPhase::mail, 250, "2.1.5");
  metrics.count_reply(MeasuredPhase::rcpt, 452, "4.5.3", 7);
  metrics.count_reply(MeasuredPhase::rcpt, 550, "5.1.1", 0);  // nothing
  const ReplyCounts expected = {
      {ReplyKey{MeasuredPhase::mail, 250, "2.1.5"}, 1},
      {ReplyKey{MeasuredPhase::rcpt, 250, ""}, 1},
      {ReplyKey{MeasuredPhase::rcpt, 250, "2.1.5"}, 2},
      {ReplyKey{MeasuredPhase::rcpt, 452, "4.5.3"}, 7},
  };
  EXPECT_EQ(metrics.replies(), expected);
}

TEST(MetricsReplies, CanBeLookedUpByView) {
  Metrics metrics;
  metrics.count_reply(MeasuredPhase::end_of_data, 451, "4.3.0", 3);
  const auto found = metrics.replies().find(ReplyKeyView{MeasuredPhase::end_of_data, 451, "4.3.0"});
  ASSERT_NE(found, metrics.replies().end());
  EXPECT_EQ(found->second, 3u);
  EXPECT_EQ(metrics.replies().find(ReplyKeyView{MeasuredPhase::end_of_data, 451, "4.3.1"}),
            metrics.replies().end());
}

TEST(MetricsReplies, CountingAKnownReplyDoesNotAllocate) {
  Metrics metrics;
  // A new cell allocates its node and its long key, which shows that the
  // counter below would notice a std::string built for the lookup.
  EXPECT_GT(
      allocations_during([&] { metrics.count_reply(MeasuredPhase::rcpt, 451, kLongEnhanced); }),
      1u);
  metrics.count_reply(MeasuredPhase::rcpt, 250, "2.1.5");
  metrics.count_reply(MeasuredPhase::mail, 250, "");
  EXPECT_EQ(allocations_during([&] {
              for (int i = 0; i < 100; ++i) {
                metrics.count_reply(MeasuredPhase::rcpt, 451, kLongEnhanced);
                metrics.count_reply(MeasuredPhase::rcpt, 250, "2.1.5");
                metrics.count_reply(MeasuredPhase::mail, 250, "");
                metrics.count_error(ErrorKind::timeout);
              }
            }),
            0u);
  EXPECT_EQ(metrics.replies().at(ReplyKey{MeasuredPhase::rcpt, 451, kLongEnhanced}), 101u);
}

TEST(MetricsErrors, CountByKind) {
  Metrics metrics;
  metrics.count_error(ErrorKind::connect);
  metrics.count_error(ErrorKind::connect, 4);
  metrics.count_error(ErrorKind::reply_5xx, 2);
  EXPECT_EQ(metrics.errors(ErrorKind::connect), 5u);
  EXPECT_EQ(metrics.errors(ErrorKind::reply_5xx), 2u);
  EXPECT_EQ(metrics.errors(ErrorKind::tls), 0u);
  EXPECT_EQ(metrics.errors()[static_cast<std::size_t>(ErrorKind::connect)], 5u);
}

TEST(MetricsCustom, ValuesAddUpByName) {
  Metrics metrics;
  metrics.add_custom("bounces", 2);
  metrics.add_custom("bounces", 3.5);
  metrics.add_custom("retries", 1);
  const std::map<std::string, double> expected = {{"bounces", 5.5}, {"retries", 1}};
  EXPECT_EQ(metrics.custom(), expected);
}

TEST(MetricsMerge, EqualsRecordingEverythingIntoOne) {
  const auto events = random_events(7, 20'000);
  Metrics all;
  for (const auto& e : events) record(all, e);

  // Four "workers", each given a random share of the events.
  std::vector<Metrics> shards(4);
  std::mt19937_64 pick(99);
  for (const auto& e : events) record(shards[pick() % shards.size()], e);
  Metrics merged;
  for (const auto& shard : shards) merged.merge(shard);

  EXPECT_EQ(merged, all);
  EXPECT_EQ(merged.counters(), all.counters());
  EXPECT_EQ(merged.replies(), all.replies());
  EXPECT_EQ(merged.errors(), all.errors());
  EXPECT_EQ(merged.custom(), all.custom());
  for (std::size_t p = 0; p < kMeasuredPhaseCount; ++p) {
    const auto phase = static_cast<MeasuredPhase>(p);
    EXPECT_EQ(merged.latency(phase), all.latency(phase)) << to_string(phase);
  }
  EXPECT_FALSE(merged == Metrics{});
}

TEST(MetricsMerge, OrderDoesNotMatter) {
  const auto first_events = random_events(1, 3'000);
  const auto second_events = random_events(2, 3'000);
  Metrics first;
  Metrics second;
  for (const auto& e : first_events) record(first, e);
  for (const auto& e : second_events) record(second, e);
  Metrics forward = first;
  forward.merge(second);
  Metrics backward = second;
  backward.merge(first);
  EXPECT_EQ(forward, backward);
}

TEST(MetricsMerge, WithAnEmptyMetricsChangesNothing) {
  Metrics metrics;
  for (const auto& e : random_events(3, 1'000)) record(metrics, e);
  const Metrics before = metrics;
  metrics.merge(Metrics{});
  EXPECT_EQ(metrics, before);
  Metrics empty;
  empty.merge(before);
  EXPECT_EQ(empty, before);
}

TEST(MetricsCopy, DeepCopiesHistograms) {
  Metrics original;
  for (const auto& e : random_events(4, 2'000)) record(original, e);
  original.record_latency(MeasuredPhase::banner, 2, kMs);
  const std::uint64_t banner_count = original.latency(MeasuredPhase::banner, 2)->count();
  const Metrics copy(original);
  EXPECT_EQ(copy, original);
  ASSERT_NE(copy.latency(MeasuredPhase::banner, 2), nullptr);
  EXPECT_NE(copy.latency(MeasuredPhase::banner, 2), original.latency(MeasuredPhase::banner, 2));

  original.record_latency(MeasuredPhase::banner, 2, 2 * kMs);
  EXPECT_EQ(copy.latency(MeasuredPhase::banner, 2)->count(), banner_count);
  EXPECT_FALSE(copy == original);
}

TEST(MetricsCopy, AssignmentReplacesEverything) {
  Metrics source;
  for (const auto& e : random_events(5, 2'000)) record(source, e);
  const Metrics unchanged = source;
  Metrics target;
  for (const auto& e : random_events(6, 2'000)) record(target, e);
  target = source;
  EXPECT_EQ(target, source);
  target.record_latency(MeasuredPhase::rset, 2, kMs);
  EXPECT_EQ(source, unchanged);
  EXPECT_FALSE(target == source);

  const Metrics before_self_assignment = target;
  const Metrics& alias = target;
  target = alias;
  EXPECT_EQ(target, before_self_assignment);
}

TEST(MetricsCopy, MoveTakesTheHistograms) {
  Metrics source;
  source.record_latency(MeasuredPhase::connect, 2, kMs);
  const Histogram* histogram = source.latency(MeasuredPhase::connect, 2);
  const Metrics moved(std::move(source));
  EXPECT_EQ(moved.latency(MeasuredPhase::connect, 2), histogram);
}

TEST(MetricsReset, ClearsEverythingAndKeepsTheHistogramsForReuse) {
  Metrics metrics;
  for (const auto& e : random_events(8, 2'000)) record(metrics, e);
  metrics.record_latency(MeasuredPhase::mail, 2, kMs);
  metrics.reset();
  EXPECT_EQ(metrics, Metrics{});
  EXPECT_EQ(metrics.counters(), Counters{});
  EXPECT_TRUE(metrics.replies().empty());
  EXPECT_TRUE(metrics.custom().empty());
  EXPECT_EQ(metrics.errors(ErrorKind::connect), 0u);
  EXPECT_EQ(metrics.latency(MeasuredPhase::mail, 2), nullptr);
  EXPECT_EQ(allocations_during([&] { metrics.record_latency(MeasuredPhase::mail, 2, 3 * kMs); }),
            0u);
  ASSERT_NE(metrics.latency(MeasuredPhase::mail, 2), nullptr);
  EXPECT_EQ(metrics.latency(MeasuredPhase::mail, 2)->count(), 1u);
}

TEST(MetricsEquality, NoticesADifferenceInEachPart) {
  Metrics base;
  base.record_latency(MeasuredPhase::rcpt, 2, kMs);
  base.count_reply(MeasuredPhase::rcpt, 250, "2.1.5");
  base.count_error(ErrorKind::timeout);
  base.add_custom("x", 1);
  base.counters().delivered = 1;
  EXPECT_EQ(base, Metrics(base));

  Metrics latency = base;
  latency.record_latency(MeasuredPhase::rcpt, 3, kMs);
  Metrics value = base;
  value.record_latency(MeasuredPhase::rcpt, 2, kMs);
  Metrics reply = base;
  reply.count_reply(MeasuredPhase::rcpt, 250, "2.1.0");
  Metrics error = base;
  error.count_error(ErrorKind::timeout);
  Metrics custom = base;
  custom.add_custom("y", 0);
  Metrics counters = base;
  counters.counters().bytes_read = 9;
  for (const Metrics* other : {&latency, &value, &reply, &error, &custom, &counters}) {
    EXPECT_FALSE(*other == base);
  }
}

TEST(MetricsEquality, AnEmptiedHistogramEqualsNone) {
  Metrics reused;
  reused.record_latency(MeasuredPhase::quit, 2, kMs);
  reused.reset();
  reused.count_error(ErrorKind::closed);
  Metrics fresh;
  fresh.count_error(ErrorKind::closed);
  EXPECT_EQ(reused, fresh);
  EXPECT_EQ(fresh, reused);
}

}  // namespace
}  // namespace smtp::load::metrics_test
