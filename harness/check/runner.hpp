#pragma once
// Runs compliance checks against a target (ARCHITECTURE.md §2, check). One
// thread, one io_context, one CheckSuite: each check is an Asio coroutine
// that resumes its Lua coroutine (script/check_suite.hpp) and performs the
// I/O it asks for on net::Transport, reading replies with proto::ReplyParser.
// At most `concurrency` checks run at once.
//
// Evidence: every byte of every connection goes into the check's transcript
// (bounded, see kMaxTranscriptOctets), with connects, TLS handshakes, closes
// and timeouts as events. Writes marked secret are redacted.
//
// Before the checks, one probe session (target_probe.hpp): a target that
// cannot be reached (no name, no connection, no byte of a greeting) ends the
// run with TargetUnreachable, one reason instead of an ERROR per check. The
// probe's greeting and EHLO reply name the server (CheckRunResult::server),
// and after each verdict the runner adds the remediation hint the table has
// for it (remediation_hints.hpp).
//
// Failure: a target that goes down, hangs or sends garbage during the run
// makes checks end in ERROR with a reason; a check that runs past
// check_timeout ends in ERROR; a Lua error ends in ERROR with file:line.
// Nothing here blocks without a deadline.
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "check/check_result.hpp"
#include "check/delivery_oracle.hpp"
#include "script/check_suite.hpp"

namespace smtp::check {

// The transcript of one check keeps at most this many octets of traffic;
// the rest is counted, not kept (CheckResult::transcript_truncated).
inline constexpr std::size_t kMaxTranscriptOctets = 256 * 1024;

struct RunnerConfig {
  std::string host;  // resolved once, before the first check
  std::uint16_t port = 25;
  script::CheckTarget target;  // what t shows (target text, profile, domain, auth, tls)
  std::size_t concurrency = 8;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds check_timeout{60000};  // a slow check gets at least 10 min
  // TLS (implicit or STARTTLS): the harness judges the protocol, not the
  // certificate, so verification is off unless asked for (T7 reports it).
  bool tls_verify = false;
  std::string sni;  // empty: the host when it is a name
  // The capture server the target relays to (--oracle); null: the checks
  // that need it are SKIP. target.oracle must say whether it is set.
  DeliveryOracle* oracle = nullptr;
};

// Which checks run. A check not selected is left out; a check selected but
// not for this profile, or needing the oracle, is a SKIP with the reason.
struct Selection {
  std::vector<std::string> only;  // ids or areas; empty: all
  std::vector<std::string> skip;  // ids or areas
};

// Indexes into suite.checks() that the selection keeps, in suite order.
// A slow check is kept only when `only` names its id. Unknown names in only
// or skip are an error: the returned string says which (empty when fine).
std::vector<std::size_t> select_checks(const std::vector<script::CheckInfo>& checks,
                                       const Selection& selection, std::string* error);

// Called after each check ends (for a progress line); may be empty.
using CheckDone = std::function<void(const CheckResult&, std::size_t done, std::size_t total)>;
// Called once the probe reached the target, before the first check; may be empty.
using TargetReached = std::function<void(const ServerIdentity&)>;

// Nothing could be judged: "host:port: connect: Connection refused",
// "host:port: no greeting within 5s", "host:port: cannot resolve: ...".
class TargetUnreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Probes the target, then runs the selected checks. Throws TargetUnreachable
// when the probe fails.
CheckRunResult run_checks(script::CheckSuite& suite, const std::vector<std::size_t>& selected,
                          const RunnerConfig& config, const CheckDone& on_done = {},
                          const TargetReached& on_reached = {});

}  // namespace smtp::check
