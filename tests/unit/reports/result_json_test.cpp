#include "reports/result_json.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>

#include "expect_refused.hpp"
#include "sample_result.hpp"

namespace smtp::reports::result_json_test {
namespace {

using load::Histogram;
using load::MeasuredPhase;
using nlohmann::json;
using testing::sample_result;

// The sample as a file would carry it: written, dumped, parsed again.
json sample_document() {
  static const json document = json::parse(to_json(sample_result()).dump());
  return document;
}

// The first latency entry of the run, whose histogram has several buckets.
json& first_latency_histogram(json& document) {
  return document["load"]["latency"][0]["histogram"];
}

TEST(ResultJson, SampleHasWhatTheTestsBelowCorrupt) {
  const json document = sample_document();
  ASSERT_GE(document["load"]["latency"].size(), 10u);
  ASSERT_GE(document["load"]["latency"][0]["histogram"]["buckets"].size(), 3u);
  ASSERT_EQ(document["load"]["workers"].size(), 2u);
  ASSERT_GE(document["load"]["workers"][1]["latency"].size(), 3u);
  EXPECT_EQ(document["schema"], "smtp-harness/result");
  EXPECT_EQ(document["schema_version"], 2);
  EXPECT_EQ(document["kind"], "load");
  EXPECT_EQ(document["tool"]["name"], "smtp-harness");
  EXPECT_EQ(document["started_at"], "2026-11-22T04:43:41.123Z");
}

TEST(ResultJson, RoundTripIsExact) {
  const load::RunResult original = sample_result();
  std::string error;
  const auto read = load_result_from_json(json::parse(to_json(original).dump(2)), error);
  ASSERT_TRUE(read.has_value()) << error;

  const load::RunSettings& a = original.settings;
  const load::RunSettings& b = read->settings;
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.scenario, b.scenario);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.arrivals, b.arrivals);
  EXPECT_EQ(a.target_rate, b.target_rate);
  EXPECT_EQ(a.connections, b.connections);
  EXPECT_EQ(a.threads, b.threads);
  EXPECT_EQ(a.duration_seconds, b.duration_seconds);
  EXPECT_EQ(a.messages, b.messages);
  EXPECT_EQ(a.tls, b.tls);
  EXPECT_EQ(a.auth, b.auth);
  EXPECT_EQ(a.pipelining, b.pipelining);
  EXPECT_EQ(a.chunking, b.chunking);
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.recipients, b.recipients);
  EXPECT_EQ(a.seed, b.seed);

  EXPECT_EQ(original.started_at, read->started_at);
  EXPECT_EQ(original.elapsed_seconds, read->elapsed_seconds);
  EXPECT_EQ(original.interrupted, read->interrupted);
  EXPECT_EQ(original.stop_reason, read->stop_reason);
  EXPECT_EQ(original.achieved_rate, read->achieved_rate);
  EXPECT_TRUE(original.metrics == read->metrics);

  ASSERT_EQ(original.workers.size(), read->workers.size());
  for (std::size_t i = 0; i < original.workers.size(); ++i) {
    EXPECT_EQ(original.workers[i].index, read->workers[i].index);
    EXPECT_EQ(original.workers[i].cpu_seconds, read->workers[i].cpu_seconds);
    EXPECT_TRUE(original.workers[i].metrics == read->workers[i].metrics) << "worker " << i;
  }

  ASSERT_EQ(original.series.size(), read->series.size());
  for (std::size_t i = 0; i < original.series.size(); ++i) {
    const load::SecondSample& x = original.series[i];
    const load::SecondSample& y = read->series[i];
    EXPECT_EQ(x.second, y.second);
    EXPECT_EQ(x.started, y.started);
    EXPECT_EQ(x.delivered, y.delivered);
    EXPECT_EQ(x.refused_4xx, y.refused_4xx);
    EXPECT_EQ(x.refused_5xx, y.refused_5xx);
    EXPECT_EQ(x.failed, y.failed);
    EXPECT_EQ(x.errors, y.errors);
    EXPECT_EQ(x.late_starts, y.late_starts);
    EXPECT_EQ(x.target_rate, y.target_rate);
    EXPECT_EQ(x.p50_ns, y.p50_ns);
    EXPECT_EQ(x.p99_ns, y.p99_ns);
    EXPECT_EQ(x.connections, y.connections);
  }

  EXPECT_EQ(original.generator.cpu_seconds, read->generator.cpu_seconds);
  EXPECT_EQ(original.generator.busiest_worker_cpu, read->generator.busiest_worker_cpu);
  EXPECT_TRUE(original.generator.loop_lag == read->generator.loop_lag);
  EXPECT_EQ(original.generator.bound, read->generator.bound);
  EXPECT_EQ(original.generator.reasons, read->generator.reasons);

  ASSERT_EQ(original.thresholds.size(), read->thresholds.size());
  for (std::size_t i = 0; i < original.thresholds.size(); ++i) {
    const load::ThresholdVerdict& x = original.thresholds[i];
    const load::ThresholdVerdict& y = read->thresholds[i];
    EXPECT_EQ(x.threshold.text, y.threshold.text);
    EXPECT_EQ(x.threshold.metric, y.threshold.metric);
    EXPECT_EQ(x.threshold.percentile, y.threshold.percentile);
    EXPECT_EQ(x.threshold.phase, y.threshold.phase);
    EXPECT_EQ(x.threshold.op, y.threshold.op);
    EXPECT_EQ(x.threshold.value, y.threshold.value);
    EXPECT_EQ(x.threshold.share, y.threshold.share);
    EXPECT_EQ(x.observed, y.observed);
    EXPECT_EQ(x.passed, y.passed);
    EXPECT_EQ(x.detail, y.detail);
  }
  EXPECT_EQ(original.error_samples, read->error_samples);

  // And writing what was read gives the same document again.
  EXPECT_EQ(to_json(original), to_json(*read));
}

TEST(ResultJson, WritesEveryCellThatRecordedSomething) {
  const load::RunResult result = sample_result();
  const json document = to_json(result);
  std::size_t cells = 0;
  for (std::size_t p = 0; p < load::kMeasuredPhaseCount; ++p) {
    for (int c = load::kFirstReplyClass; c < load::kFirstReplyClass + 4; ++c) {
      if (result.metrics.latency(static_cast<MeasuredPhase>(p), c) != nullptr) ++cells;
    }
  }
  EXPECT_EQ(document["load"]["latency"].size(), cells);
  EXPECT_EQ(document["load"]["replies"].size(), result.metrics.replies().size());
  EXPECT_EQ(document["load"]["errors"].size(), load::kErrorKindCount);
}

TEST(ResultJson, RepliesWithoutEnhancedCodeLeaveItOut) {
  const json document = sample_document();
  bool with = false;
  bool without = false;
  for (const json& reply : document["load"]["replies"]) {
    if (reply.contains("enhanced")) {
      with = true;
    } else {
      without = true;
    }
  }
  EXPECT_TRUE(with);
  EXPECT_TRUE(without);
}

TEST(ResultJson, ClosedModelLeavesTheOpenModelFieldsOut) {
  load::RunResult result = sample_result();
  result.settings.model = "closed";
  result.settings.arrivals.clear();
  result.settings.target_rate.reset();
  result.settings.duration_seconds.reset();
  result.settings.messages = 10'000;
  const json document = to_json(result);
  EXPECT_FALSE(document["load"].contains("target_rate"));
  EXPECT_FALSE(document["load"]["settings"].contains("arrivals"));
  EXPECT_FALSE(document["load"]["settings"].contains("duration_seconds"));
  EXPECT_EQ(document["load"]["settings"]["messages"], 10'000);

  std::string error;
  const auto read = load_result_from_json(document, error);
  ASSERT_TRUE(read.has_value()) << error;
  EXPECT_FALSE(read->settings.target_rate.has_value());
  EXPECT_FALSE(read->settings.duration_seconds.has_value());
  EXPECT_EQ(read->settings.messages, std::optional<std::uint64_t>{10'000});
  EXPECT_EQ(read->settings.arrivals, "");
}

TEST(ResultJson, StartedAtKeepsMilliseconds) {
  load::RunResult result = sample_result();
  const auto second = std::chrono::sys_days{std::chrono::year{1999} / 12 / 31} +
                      std::chrono::hours{23} + std::chrono::minutes{59} + std::chrono::seconds{59};
  result.started_at = second + std::chrono::nanoseconds{7'654'321};
  const json document = to_json(result);
  EXPECT_EQ(document["started_at"], "1999-12-31T23:59:59.007Z");
  std::string error;
  const auto read = load_result_from_json(document, error);
  ASSERT_TRUE(read.has_value()) << error;
  EXPECT_EQ(read->started_at, second + std::chrono::milliseconds{7});
}

TEST(ResultJson, StartedAtReadsOtherFractions) {
  json document = sample_document();
  const auto midnight = std::chrono::sys_days{std::chrono::year{2024} / 2 / 29};
  const std::pair<const char*, std::chrono::nanoseconds> cases[] = {
      {"2024-02-29T00:00:00Z", std::chrono::nanoseconds{0}},
      {"2024-02-29T00:00:00.5Z", std::chrono::nanoseconds{500'000'000}},
      {"2024-02-29T00:00:00.000000001Z", std::chrono::nanoseconds{1}},
  };
  for (const auto& [text, offset] : cases) {
    document["started_at"] = text;
    std::string error;
    const auto read = load_result_from_json(document, error);
    ASSERT_TRUE(read.has_value()) << text << ": " << error;
    EXPECT_EQ(read->started_at, midnight + offset) << text;
  }
}

TEST(ResultJson, StartedAtRefusesWhatIsNotUtcRfc3339) {
  for (const char* text :
       {"2026-11-22 04:43:41Z", "2026-11-22T04:43:41+01:00", "2026-11-22T04:43:41.Z",
        "2026-11-22T04:43:41.1234567890Z", "2026-02-29T00:00:00Z", "2026-11-22T24:00:00Z",
        "2026-11-22T23:59:60Z", "2026-11-22T04:43:41.123z", "2026-11-22T04:43:41.123Zjunk"}) {
    json document = sample_document();
    document["started_at"] = text;
    testing::expect_load_refused(document, "started_at: \"" + std::string(text) + "\" is not");
  }
}

TEST(ResultJson, RefusesBucketsOutOfOrder) {
  json document = sample_document();
  json& buckets = first_latency_histogram(document)["buckets"];
  std::swap(buckets[1], buckets[2]);
  testing::expect_load_refused(
      document, "load.latency[0].histogram: buckets out of order (buckets[2] has index");
}

TEST(ResultJson, RefusesRepeatedBucket) {
  json document = sample_document();
  json& buckets = first_latency_histogram(document)["buckets"];
  buckets[1][0] = buckets[0][0];
  testing::expect_load_refused(document,
                               "load.latency[0].histogram: buckets out of order (buckets[1]");
}

TEST(ResultJson, RefusesCountsThatDoNotAddUp) {
  json document = sample_document();
  json& histogram = first_latency_histogram(document);
  histogram["buckets"][0][1] = histogram["buckets"][0][1].get<std::uint64_t>() + 1;
  testing::expect_load_refused(document, "load.latency[0].histogram: bucket counts add up to");
}

TEST(ResultJson, RefusesLayoutMismatch) {
  json document = sample_document();
  first_latency_histogram(document)["layout"]["sub_bucket_bits"] = 6;
  testing::expect_load_refused(document,
                               "load.latency[0].histogram: layout mismatch (file: 6 bits");

  document = sample_document();
  first_latency_histogram(document)["layout"]["highest_trackable_ns"] = 60'000'000'000;
  testing::expect_load_refused(document, "load.latency[0].histogram: layout mismatch");
}

TEST(ResultJson, RefusesBadBuckets) {
  json document = sample_document();
  first_latency_histogram(document)["buckets"][0][0] = Histogram::bucket_count();
  testing::expect_load_refused(document,
                               "load.latency[0].histogram.buckets[0]: index 4179 out of range");

  document = sample_document();
  first_latency_histogram(document)["buckets"].push_back(json::array({4000, 0}));
  testing::expect_load_refused(document, "load.latency[0].histogram.buckets[");
  EXPECT_NE(std::string::npos, [&] {
    std::string error;
    (void)load_result_from_json(document, error);
    return error.find("zero count");
  }());

  document = sample_document();
  first_latency_histogram(document)["buckets"][1] = json::array({5});
  testing::expect_load_refused(document,
                               "load.latency[0].histogram.buckets[1]: expected [index, count]");

  document = sample_document();
  first_latency_histogram(document)["buckets"][1][1] = -3;
  testing::expect_load_refused(
      document, "load.latency[0].histogram.buckets[1][1]: expected a non-negative integer");
}

TEST(ResultJson, RefusesExtremesOrSumTheBucketsCannotHold) {
  json document = sample_document();
  json& histogram = first_latency_histogram(document);
  histogram["min_ns"] = histogram["max_ns"].get<std::uint64_t>() + 1;
  testing::expect_load_refused(document,
                               "load.latency[0].histogram: min_ns, max_ns, sum_ns or overflow");

  document = sample_document();
  first_latency_histogram(document)["sum_ns"]["high"] = 1;
  testing::expect_load_refused(document,
                               "load.latency[0].histogram: min_ns, max_ns, sum_ns or overflow");

  document = sample_document();
  first_latency_histogram(document)["overflow"] = 1;
  testing::expect_load_refused(document,
                               "load.latency[0].histogram: min_ns, max_ns, sum_ns or overflow");
}

TEST(ResultJson, RefusesSummaryThatDisagreesWithItsHistogram) {
  json document = sample_document();
  json& entry = document["load"]["latency"][2];
  entry["p99_ns"] = entry["p99_ns"].get<std::uint64_t>() + 1;
  testing::expect_load_refused(document, "load.latency[2].p99_ns: ");

  document = sample_document();
  document["load"]["latency"][2]["mean_ns"] = 1.5;
  testing::expect_load_refused(document, "load.latency[2].mean_ns: disagrees with the histogram");

  document = sample_document();
  document["load"]["phases"][0]["count"] = 1;
  testing::expect_load_refused(document, "load.phases[0].count: 1 disagrees with the histogram");

  document = sample_document();
  document["load"]["phases"].erase(1);
  testing::expect_load_refused(document, "load.phases: lists");
}

TEST(ResultJson, PathsReachIntoWorkersAndTheGenerator) {
  json document = sample_document();
  json& buckets = document["load"]["workers"][1]["latency"][2]["histogram"]["buckets"];
  std::swap(buckets[0], buckets[1]);
  testing::expect_load_refused(document,
                               "load.workers[1].latency[2].histogram: buckets out of order");

  document = sample_document();
  document["load"]["generator"]["loop_lag"]["histogram"]["count"] = 1;
  testing::expect_load_refused(document,
                               "load.generator.loop_lag.histogram: bucket counts add up to 60");
}

TEST(ResultJson, RefusesEmptyLatencyCell) {
  json document = sample_document();
  document["load"]["latency"][0] =
      json::parse(to_json(load::RunResult{}).dump())["load"]["generator"]["loop_lag"];
  document["load"]["latency"][0]["phase"] = "connect";
  document["load"]["latency"][0]["class"] = "2xx";
  testing::expect_load_refused(document, "load.latency[0].histogram: empty");
}

TEST(ResultJson, RefusesOtherSchemaVersions) {
  json document = sample_document();
  document["schema_version"] = 3;
  testing::expect_load_refused(document,
                               "schema_version: 3 is not supported (this build reads 1 and 2)");
  document["schema_version"] = 0;
  testing::expect_load_refused(document,
                               "schema_version: 0 is not supported (this build reads 1 and 2)");

  document = sample_document();
  document["schema"] = "k6/summary";
  testing::expect_load_refused(document, "schema: expected \"smtp-harness/result\"");
}

TEST(ResultJson, RefusesACheckResult) {
  json document = sample_document();
  document["kind"] = "check";
  testing::expect_load_refused(document, "kind: \"check\" is not a load result");
}

TEST(ResultJson, RefusesMissingRequiredFields) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"started_at"}, "missing field \"started_at\""},
      {{"load"}, "missing field \"load\""},
      {{"tool", "version"}, "tool: missing field \"version\""},
      {{"load", "counters", "delivered"}, "load.counters: missing field \"delivered\""},
      {{"load", "errors", "timeout"}, "load.errors: missing field \"timeout\""},
      {{"load", "settings", "seed"}, "load.settings: missing field \"seed\""},
      {{"load", "series"}, "load: missing field \"series\""},
      {{"load", "generator", "reasons"}, "load.generator: missing field \"reasons\""},
  };
  for (const auto& [path, expected] : cases) {
    json document = sample_document();
    json* parent = &document;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) parent = &(*parent)[path[i]];
    ASSERT_EQ(parent->erase(path.back()), 1u) << expected;
    testing::expect_load_refused(document, expected);
  }

  json document = sample_document();
  document["load"]["latency"][1].erase("p999_ns");
  testing::expect_load_refused(document, "load.latency[1]: missing field \"p999_ns\"");
  document = sample_document();
  document["load"]["thresholds"][0].erase("percentile");
  testing::expect_load_refused(document, "load.thresholds[0]: missing field \"percentile\"");
}

TEST(ResultJson, RefusesUnknownFields) {
  json document = sample_document();
  document["load"]["settings"]["trheads"] = 4;
  testing::expect_load_refused(document, "load.settings: unknown field \"trheads\"");

  document = sample_document();
  document["load"]["latency"][0]["histogram"]["sum"] = 3;
  testing::expect_load_refused(document, "load.latency[0].histogram: unknown field \"sum\"");

  document = sample_document();
  document["load"]["errors"]["dns"] = 0;
  testing::expect_load_refused(document, "load.errors: unknown error kind \"dns\"");

  document = sample_document();
  document["load"]["thresholds"][2]["percentile"] = 50;
  testing::expect_load_refused(
      document, "load.thresholds[2]: \"percentile\" is only for the percentile metric");
}

TEST(ResultJson, RefusesBadValues) {
  const std::pair<std::vector<std::string>, json> edits[] = {
      {{"load", "settings", "model"}, "half-open"}, {{"load", "settings", "tls"}, "ssl"},
      {{"load", "settings", "connections"}, -1},    {{"load", "interrupted"}, "no"},
      {{"load", "elapsed_seconds"}, -0.5},          {{"load", "error_samples"}, "none"},
  };
  for (const auto& [path, value] : edits) {
    json document = sample_document();
    json* target = &document;
    for (const auto& key : path) target = &(*target)[key];
    *target = value;
    std::string where;
    for (const auto& key : path) where += (where.empty() ? "" : ".") + key;
    testing::expect_load_refused(document, where + ": ");
  }
}

// RFC 3463 §2: "Each numeric sub-code within the status-code MUST be expressed
// without leading zero digits", as the reply parser reads codes.
TEST(ResultJson, RefusesEnhancedCodesWithLeadingZeros) {
  for (const char* enhanced : {"2.01.0", "5.1.01", "4.00.0"}) {
    json document = sample_document();
    document["load"]["replies"][2]["enhanced"] = enhanced;
    testing::expect_load_refused(document, "load.replies[2].enhanced: \"" + std::string(enhanced) +
                                               "\" is not an RFC 3463 status code");
  }
}

TEST(ResultJson, RefusesBadReplies) {
  json document = sample_document();
  json& replies = document["load"]["replies"];
  replies[1]["code"] = 199;
  testing::expect_load_refused(document, "load.replies[1].code: not a reply code");

  for (const char* enhanced : {"2.1", "3.1.0", "2.1234.0", "2.1.0.", "x.1.0"}) {
    document = sample_document();
    document["load"]["replies"][2]["enhanced"] = enhanced;
    testing::expect_load_refused(document, "load.replies[2].enhanced: \"" + std::string(enhanced) +
                                               "\" is not an RFC 3463 status code");
  }

  document = sample_document();
  document["load"]["replies"].push_back(document["load"]["replies"][0]);
  testing::expect_load_refused(document, "duplicate phase, code and enhanced code");

  document = sample_document();
  document["load"]["replies"][0]["phase"] = "helo_there";
  testing::expect_load_refused(document, "load.replies[0].phase: unknown phase \"helo_there\"");
}

TEST(ResultJson, RefusesDuplicateLatencyCell) {
  json document = sample_document();
  document["load"]["latency"].push_back(document["load"]["latency"][0]);
  const std::size_t last = document["load"]["latency"].size() - 1;
  testing::expect_load_refused(
      document, "load.latency[" + std::to_string(last) + "]: duplicate phase and class");
}

TEST(HistogramJson, RoundTripKeepsUnderflowOverflowAndSum) {
  Histogram histogram;
  histogram.record(3);              // underflow
  histogram.record(1'000'000, 7);   // 1 ms, seven times
  histogram.record(UINT64_MAX, 3);  // overflow; the sum needs 66 bits
  const json value = histogram_to_json(histogram);
  EXPECT_EQ(value["overflow"], 3);
  // 3 * (2^64 - 1) + 3 + 7 * 10^6 = 3 * 2^64 + 7 * 10^6
  EXPECT_EQ(value["sum_ns"]["high"], 3);
  EXPECT_EQ(value["sum_ns"]["low"], 7'000'000);
  std::string error;
  const auto read = histogram_from_json(json::parse(value.dump()), error);
  ASSERT_TRUE(read.has_value()) << error;
  EXPECT_TRUE(*read == histogram);
}

TEST(HistogramJson, EmptyHistogramRoundTrips) {
  const json value = histogram_to_json(Histogram{});
  EXPECT_TRUE(value["buckets"].empty());
  std::string error;
  const auto read = histogram_from_json(value, error);
  ASSERT_TRUE(read.has_value()) << error;
  EXPECT_EQ(read->count(), 0u);
}

TEST(HistogramJson, ErrorsHaveNoPathPrefixAtTheTop) {
  Histogram histogram;
  histogram.record(1'000);
  histogram.record(2'000'000);
  json value = histogram_to_json(histogram);
  std::swap(value["buckets"][0], value["buckets"][1]);
  std::string error;
  EXPECT_FALSE(histogram_from_json(value, error).has_value());
  EXPECT_EQ(error.rfind("buckets out of order", 0), 0u) << error;
}

}  // namespace
}  // namespace smtp::reports::result_json_test
