#pragma once
// The fixture of the runner's tests: a suite written to a temp dir as one
// area file ("demo.lua"), loaded into a CheckSuite and run against a
// ScriptedServer with short timeouts, under a watchdog.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "check/runner.hpp"
#include "scripted_server.hpp"

namespace smtp::check::test {

class RunnerTest : public ::testing::Test {
 protected:
  RunnerTest();
  ~RunnerTest() override;

  // A MUST check { } with this run body; `extra` adds fields ("profiles = {...},").
  static std::string check(std::string_view id, std::string_view body, std::string_view extra = "");

  // Target 127.0.0.1:port, profile mx, reply timeout 1 s, check timeout 10 s.
  static RunnerConfig config(std::uint16_t port);

  // Loads `suite_text` and runs every check it declares.
  CheckRunResult run(const std::string& suite_text, const RunnerConfig& config,
                     const CheckDone& on_done = {}, const TargetReached& on_reached = {});

  // The same for a target the probe cannot reach: the TargetUnreachable's
  // message, and a test failure if a run happened instead or a check ran.
  std::string unreachable(const std::string& suite_text, const RunnerConfig& config);

  // The first entry of `kind` whose text contains `text`, or null.
  static const TranscriptEntry* find(const CheckResult& result, TranscriptEntry::Kind kind,
                                     std::string_view text);

  std::filesystem::path dir_;
  Watchdog watchdog_;
};

// "PASS: reason" for failure messages.
std::string describe(const CheckResult& result);

}  // namespace smtp::check::test
