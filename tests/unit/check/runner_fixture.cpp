#include "runner_fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <system_error>

#include "script/check_suite.hpp"

namespace smtp::check::test {

RunnerTest::RunnerTest() {
  static std::atomic<int> counter{0};
  dir_ = std::filesystem::temp_directory_path() /
         ("smtp-check-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir_);
}

RunnerTest::~RunnerTest() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string RunnerTest::check(std::string_view id, std::string_view body, std::string_view extra) {
  std::string text = "check {\n  id = \"";
  text += id;
  text += "\", title = \"test\", rfc = \"RFC 5321\", level = \"MUST\",\n  ";
  text += extra;
  text += "\n  run = function(t)\n";
  text += body;
  text += "\n  end,\n}\n";
  return text;
}

RunnerConfig RunnerTest::config(std::uint16_t port) {
  RunnerConfig config;
  config.host = "127.0.0.1";
  config.port = port;
  config.target.target = "127.0.0.1:" + std::to_string(port);
  config.target.profile = "mx";
  config.target.domain = "example.com";
  config.target.reply_timeout = std::chrono::milliseconds(1000);
  config.connect_timeout = std::chrono::milliseconds(1000);
  config.check_timeout = std::chrono::milliseconds(10000);
  return config;
}

CheckRunResult RunnerTest::run(const std::string& suite_text, const RunnerConfig& config,
                               const CheckDone& on_done, const TargetReached& on_reached) {
  const auto file = dir_ / "demo.lua";
  std::ofstream(file, std::ios::binary) << suite_text;
  script::CheckSuite suite;
  suite.load(file.string());
  std::string error;
  auto selected = select_checks(suite.checks(), Selection{}, &error);
  EXPECT_EQ(error, "");
  return run_checks(suite, selected, config, on_done, on_reached);
}

std::string RunnerTest::unreachable(const std::string& suite_text, const RunnerConfig& config) {
  int checks_done = 0;
  bool reached = false;
  try {
    run(
        suite_text, config,
        [&checks_done](const CheckResult&, std::size_t, std::size_t) { ++checks_done; },
        [&reached](const ServerIdentity&) { reached = true; });
  } catch (const TargetUnreachable& e) {
    EXPECT_FALSE(reached);
    EXPECT_EQ(checks_done, 0);
    return e.what();
  }
  ADD_FAILURE() << "the run went ahead: no TargetUnreachable";
  return {};
}

const TranscriptEntry* RunnerTest::find(const CheckResult& result, TranscriptEntry::Kind kind,
                                        std::string_view text) {
  for (const auto& entry : result.transcript) {
    if (entry.kind == kind && entry.text.find(text) != std::string::npos) return &entry;
  }
  return nullptr;
}

std::string describe(const CheckResult& result) {
  std::string text = std::string(to_string(result.verdict)) + ": " + result.reason;
  for (const auto& entry : result.transcript) {
    text += "\n  [" + std::to_string(entry.connection) + " " + std::string(to_string(entry.kind)) +
            "] " + entry.text;
  }
  return text;
}

}  // namespace smtp::check::test
