#pragma once
// The probe before the checks (runner.hpp): one session that tells a target
// the checks can judge from one that cannot be reached at all. It connects
// (within the connect timeout; for the implicit-tls profile, the TLS
// handshake too), reads the greeting, sends EHLO with the suite's client
// name, reads the reply, sends QUIT and closes.
//
// Unreachable: the connection is refused or times out, the TLS handshake
// gets no answer (a timeout, a close), or not one byte of a greeting arrives
// before the reply timeout or the peer's close. Every check would end in
// ERROR then, so the run stops with that one reason instead. Anything else
// is reachable, a 554 greeting, garbage, or plaintext where TLS was
// expected: that is for the checks to judge. The greeting and the EHLO reply
// name the server (server_identity.hpp).
#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "check/check_run.hpp"
#include "check/server_identity.hpp"

namespace smtp::check {

struct ProbeOutcome {
  std::optional<ServerIdentity> server;  // set when the target was reached
  // Otherwise what failed, after "host:port: ": "connect: Connection refused",
  // "no greeting within 5s", "TLS handshake: ...".
  std::string failure;
};

boost::asio::awaitable<ProbeOutcome> probe_target(const RunEnvironment& env);

}  // namespace smtp::check
