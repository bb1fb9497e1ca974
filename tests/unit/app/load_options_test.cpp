#include "app/load_options.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "app/load_shard.hpp"

namespace smtp::app::load_options_test {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

LoadFlags target_only() {
  LoadFlags flags;
  flags.target = "127.0.0.1:2525";
  return flags;
}

std::string usage_error(const LoadFlags& flags,
                        const script::ScenarioSettings* scenario = nullptr) {
  try {
    plan_load(flags, scenario);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(PlanLoad, FlagsAloneDescribeAPlainClosedRun) {
  auto plan = plan_load(target_only(), nullptr);
  EXPECT_EQ(plan.config.target_host, "127.0.0.1");
  EXPECT_EQ(plan.config.target_port, 2525);
  EXPECT_EQ(plan.config.model, load::Model::closed);
  EXPECT_EQ(plan.config.connections, 10u);
  ASSERT_TRUE(plan.config.duration);
  EXPECT_EQ(*plan.config.duration, 10s);
  EXPECT_FALSE(plan.config.messages);
  EXPECT_TRUE(plan.config.client.pipelining);
  EXPECT_EQ(plan.settings.target, "127.0.0.1:2525");
  EXPECT_EQ(plan.settings.model, "closed");
}

TEST(PlanLoad, MessagesAloneNeedNoDuration) {
  auto flags = target_only();
  flags.messages = 100;
  auto plan = plan_load(flags, nullptr);
  EXPECT_FALSE(plan.config.duration);
  EXPECT_EQ(*plan.config.messages, 100u);
}

TEST(PlanLoad, ARateMakesTheOpenModelWithAConstantProfile) {
  auto flags = target_only();
  flags.rate = 500;
  flags.duration = "30s";
  flags.arrivals = "poisson";
  auto plan = plan_load(flags, nullptr);
  EXPECT_EQ(plan.config.model, load::Model::open);
  EXPECT_EQ(plan.config.arrivals, load::Arrivals::poisson);
  EXPECT_EQ(plan.config.connections, 64u);
  EXPECT_EQ(plan.config.rate.total_duration(), 30s);
  EXPECT_DOUBLE_EQ(plan.config.rate.rate_at(10s), 500);
  EXPECT_EQ(*plan.settings.target_rate, 500);
}

TEST(PlanLoad, StagesFromTheCommandLine) {
  auto flags = target_only();
  flags.stages = {"10s:100", "20s:100", "5s:0"};
  auto plan = plan_load(flags, nullptr);
  EXPECT_EQ(plan.config.model, load::Model::open);
  EXPECT_EQ(plan.config.rate.total_duration(), 35s);
  EXPECT_EQ(*plan.config.duration, 35s);
  EXPECT_DOUBLE_EQ(plan.config.rate.rate_at(5s), 50);
  EXPECT_EQ(*plan.settings.target_rate, 100);
}

TEST(PlanLoad, FlagsOverrideTheScenario) {
  script::ScenarioSettings file;
  file.path = "s.lua";
  file.target = "10.0.0.1:25";
  file.connections = 50;
  file.size = 4096;
  file.tls = "starttls";
  file.pipelining = "off";
  file.thresholds = {"p99<1s"};
  auto flags = target_only();
  flags.connections = 3;
  flags.thresholds = {"errors<1%"};
  auto plan = plan_load(flags, &file);
  EXPECT_EQ(plan.config.target_host, "127.0.0.1");  // the flag
  EXPECT_EQ(plan.config.connections, 3u);           // the flag
  EXPECT_EQ(plan.config.message.size, 4096u);       // the file
  EXPECT_EQ(plan.config.client.tls, proto::TlsMode::starttls);
  EXPECT_FALSE(plan.config.client.pipelining);
  EXPECT_EQ(plan.config.thresholds.size(), 2u);  // both apply
}

TEST(PlanLoad, TheFilesStagesYieldToARateFlag) {
  script::ScenarioSettings file;
  file.path = "s.lua";
  file.target = "127.0.0.1:25";
  file.stages = {{"10s", 100}};
  // The file's target: no --target. (Built from target_only() because GCC
  // 12 -O2 warns, wrongly, that a default LoadFlags' optional<string> may be
  // read uninitialised.)
  auto flags = target_only();
  flags.target.reset();
  flags.rate = 42;
  flags.duration = "2s";
  auto plan = plan_load(flags, &file);
  EXPECT_EQ(plan.config.rate.total_duration(), 2s);
  EXPECT_DOUBLE_EQ(plan.config.rate.rate_at(1s), 42);
}

TEST(PlanLoad, CredentialsAreKeptButNotRecorded) {
  auto flags = target_only();
  flags.auth = "alice:se:cret";
  flags.tls = "starttls";
  auto plan = plan_load(flags, nullptr);
  ASSERT_TRUE(plan.config.client.credentials);
  EXPECT_EQ(plan.config.client.credentials->user, "alice");
  EXPECT_EQ(plan.config.client.credentials->password, "se:cret");
  EXPECT_TRUE(plan.settings.auth);
}

TEST(PlanLoad, MistakesNameTheirSource) {
  LoadFlags none;
  EXPECT_THAT(usage_error(none), HasSubstr("no target"));
  auto flags = target_only();
  flags.target = "nohost";
  EXPECT_THAT(usage_error(flags), HasSubstr("--target: expected HOST:PORT"));
  flags = target_only();
  flags.duration = "soon";
  EXPECT_THAT(usage_error(flags), HasSubstr("--duration: invalid duration 'soon'"));
  flags = target_only();
  flags.tls = "ssl";
  EXPECT_THAT(usage_error(flags), HasSubstr("--tls: invalid TLS mode 'ssl'"));
  flags = target_only();
  flags.rate = -5;
  EXPECT_THAT(usage_error(flags), HasSubstr("--rate: must be a positive number"));
  flags = target_only();
  flags.stages = {"10s"};
  EXPECT_THAT(usage_error(flags), HasSubstr("--stage: expected DURATION:RATE"));
  flags = target_only();
  flags.auth = "alice:pw";
  EXPECT_THAT(usage_error(flags), HasSubstr("clear text"));
  flags = target_only();
  flags.thresholds = {"p99<fast"};
  EXPECT_THAT(usage_error(flags), HasSubstr("--threshold 'p99<fast'"));
  flags = target_only();
  flags.messages = 0;
  EXPECT_THAT(usage_error(flags), HasSubstr("--messages: must be at least 1"));
  flags = target_only();
  flags.size = std::size_t{100'000'000'000};
  EXPECT_THAT(usage_error(flags), HasSubstr("--size: at most 1073741824 octets"));
  flags = target_only();
  flags.recipients = 1'000'000;
  EXPECT_THAT(usage_error(flags), HasSubstr("--recipients: must be between 1 and 100000"));
  script::ScenarioSettings file;
  file.path = "s.lua";
  file.duration = "forever";
  EXPECT_THAT(usage_error(target_only(), &file), HasSubstr("s.lua: field 'duration'"));
}

// --shard I/N (load_shard.hpp).
TEST(Shard, ParsesIOfN) {
  const auto shard = parse_shard("2/4");
  EXPECT_EQ(shard.index, 2u);
  EXPECT_EQ(shard.count, 4u);
  EXPECT_EQ(parse_shard("1/1").count, 1u);
  for (const char* bad :
       {"", "2", "0/4", "5/4", "2/0", "a/4", "2/4x", "-1/4", "2/1001", "/4", "2/"}) {
    try {
      parse_shard(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const UsageError& e) {
      EXPECT_THAT(e.what(), HasSubstr("--shard: expected I/N")) << bad;
    }
  }
}

TEST(Shard, SharesAddUpToTheWhole) {
  for (std::uint64_t total : {1u, 7u, 10u, 64u, 1001u}) {
    for (std::uint32_t count = 1; count <= 7; ++count) {
      if (total < count) continue;
      std::uint64_t sum = 0;
      for (std::uint32_t index = 1; index <= count; ++index) {
        const auto share = shard_share(total, {index, count});
        EXPECT_GE(share, total / count);
        EXPECT_LE(share, total / count + 1);
        sum += share;
      }
      EXPECT_EQ(sum, total) << total << " among " << count;
    }
  }
}

TEST(Shard, NarrowsConnectionsMessagesAndTheRate) {
  auto flags = target_only();
  flags.rate = 300;
  flags.connections = 10;
  flags.messages = 1001;
  flags.shard = "1/3";
  auto plan = plan_load(flags, nullptr);
  EXPECT_EQ(plan.config.connections, 4u);             // 10 = 4 + 3 + 3
  EXPECT_EQ(plan.config.messages.value_or(0), 334u);  // 1001 = 334 + 334 + 333
  EXPECT_DOUBLE_EQ(plan.settings.target_rate.value_or(0), 100);
  EXPECT_EQ(plan.config.shard_index, 0u);
  EXPECT_EQ(plan.config.shard_count, 3u);
  EXPECT_EQ(plan.settings.shard_index, 1u);
  EXPECT_EQ(plan.settings.shard_count, 3u);
  // The rate profile stays whole: the schedule takes the shard's share.
  EXPECT_DOUBLE_EQ(plan.config.rate.rate_at(1s), 300);

  flags.shard = "3/3";
  plan = plan_load(flags, nullptr);
  EXPECT_EQ(plan.config.connections, 3u);
  EXPECT_EQ(plan.config.messages.value_or(0), 333u);
}

TEST(Shard, RefusesMoreShardsThanConnectionsOrMessages) {
  auto flags = target_only();
  flags.connections = 2;
  flags.shard = "1/3";
  EXPECT_THAT(usage_error(flags), HasSubstr("2 connections cannot be shared among 3 shards"));
  flags.connections = 6;
  flags.messages = 2;
  EXPECT_THAT(usage_error(flags), HasSubstr("2 messages cannot be shared among 3 shards"));
  flags.messages.reset();
  flags.shard = "4/3";
  EXPECT_THAT(usage_error(flags), HasSubstr("--shard: expected I/N"));
}

TEST(Shard, WorkerSeedsDifferAcrossShards) {
  load::LoadConfig one;
  load::LoadConfig two;
  two.shard_index = 1;
  two.shard_count = 2;
  one.shard_count = 2;
  EXPECT_NE(load::worker_seed(one, 0), load::worker_seed(two, 0));
  EXPECT_NE(load::worker_seed(one, 1), load::worker_seed(two, 0));
  EXPECT_EQ(load::worker_seed(one, 1), one.seed + 1);
}

}  // namespace
}  // namespace smtp::app::load_options_test
