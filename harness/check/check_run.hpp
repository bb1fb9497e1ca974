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
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "check/check_connection.hpp"
#include "check/check_result.hpp"
#include "check/runner.hpp"
#include "check/transcript_recorder.hpp"
#include "script/check_suite.hpp"

namespace smtp::check {

// What every check of a run shares; lives as long as the run.
struct RunEnvironment {
  const RunnerConfig& config;
  std::string target_text;                                // "host:port", for error details
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;  // resolved once
  TlsSettings tls;
};

// A new connection to the run's target, as a check's connect makes it (and
// the probe before the checks, target_probe.hpp): TCP within
// `connect_deadline` (net::connect_until), then, for implicit TLS (RFC 8314
// §3), the handshake within `tls_timeout` of the connection, and never after
// `tls_latest` (the check's own deadline). The handshake's time starts once
// TCP is up, as a STARTTLS handshake's does: on a loaded machine the connect
// may take most of a reply timeout, and the handshake is a wait of its own.
// Both are events in `transcript`.
struct OpenedConnection {
  std::unique_ptr<CheckConnection> connection;  // null when it failed
  // When it failed, how: no TCP connection (`connected` false); or a TLS
  // handshake the peer did not answer (it waited or closed: `peer_answered`
  // false) or answered with something else (plaintext, an alert).
  bool connected = false;
  bool peer_answered = false;
  std::string failure;  // "Connection refused", "no connection within 5s", "TLS handshake: ..."
};
boost::asio::awaitable<OpenedConnection> open_connection(
    const RunEnvironment& env, int number, TranscriptRecorder& transcript, bool implicit_tls,
    std::chrono::steady_clock::time_point connect_deadline, std::chrono::milliseconds tls_timeout,
    std::chrono::steady_clock::time_point tls_latest);

// Runs suite.checks()[index]; never throws for anything the target or the
// check does (those are verdicts).
boost::asio::awaitable<CheckResult> run_check(const RunEnvironment& env, script::CheckSuite& suite,
                                              std::size_t index);

// The result fields that come from the check's declaration.
CheckResult result_for(const script::CheckInfo& info);

}  // namespace smtp::check
