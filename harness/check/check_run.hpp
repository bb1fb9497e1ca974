#pragma once
// One check, start to end (runner.hpp): resumes the check's Lua coroutine,
// performs each IoRequest it yields on the check's own connections, and
// turns its outcome (or its failure to produce one) into a CheckResult with
// the transcript as evidence.
//
// Time: every wait ends by min(its own timeout, the check's deadline), so a
// check that waits on a silent server past check_timeout ends ERROR at its
// next request without anything to cancel.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <string>
#include <vector>

#include "check/check_connection.hpp"
#include "check/check_result.hpp"
#include "check/runner.hpp"
#include "script/check_suite.hpp"

namespace smtp::check {

// What every check of a run shares; lives as long as the run.
struct RunEnvironment {
  const RunnerConfig& config;
  std::string target_text;                                // "host:port", for error details
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;  // resolved once
  TlsSettings tls;
};

// Runs suite.checks()[index]; never throws for anything the target or the
// check does (those are verdicts).
boost::asio::awaitable<CheckResult> run_check(const RunEnvironment& env, script::CheckSuite& suite,
                                              std::size_t index);

// The result fields that come from the check's declaration.
CheckResult result_for(const script::CheckInfo& info);

}  // namespace smtp::check
