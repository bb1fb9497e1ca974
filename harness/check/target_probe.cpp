#include "check/target_probe.hpp"

#include <chrono>
#include <stdexcept>
#include <utility>
#include <variant>

#include "check/check_connection.hpp"
#include "check/duration_text.hpp"
#include "check/transcript_recorder.hpp"
#include "proto/command_encoder.hpp"
#include "script/check_io.hpp"

namespace smtp::check {

namespace asio = boost::asio;
using script::IoResult;
using Clock = std::chrono::steady_clock;

namespace {

// The probe's lines are constants the encoder accepts.
std::string command_line(proto::Encoded encoded) {
  if (auto* error = std::get_if<proto::EncodeError>(&encoded)) {
    throw std::logic_error("the probe's command: " + error->reason);
  }
  return std::get<std::string>(std::move(encoded));
}

// The reply as it came: its lines when it parsed, else the bytes that did not.
std::string reply_text(const IoResult& result) {
  return result.reply ? result.reply->encode() : result.raw;
}

// The greeting read found not one byte: why, for the run's one error.
std::string no_greeting(const IoResult& greeting, std::chrono::milliseconds timeout) {
  if (greeting.status == IoResult::Status::timeout)
    return "no greeting within " + seconds_text(timeout);
  return "no greeting: " + greeting.detail;  // "closed by the peer", "reset by the peer"
}

ProbeOutcome unreachable(std::string failure) {
  ProbeOutcome outcome;
  outcome.failure = std::move(failure);
  return outcome;
}

}  // namespace

asio::awaitable<ProbeOutcome> probe_target(const RunEnvironment& env) {
  const auto& config = env.config;
  const auto reply_timeout = config.target.reply_timeout;
  const auto until = [](std::chrono::milliseconds timeout) { return Clock::now() + timeout; };
  // The probe's evidence is the identity it returns; its transcript goes.
  TranscriptRecorder transcript(Clock::now());
  OpenedConnection opened = co_await open_connection(
      env, 1, transcript, config.target.profile == "implicit-tls", until(config.connect_timeout),
      reply_timeout, Clock::time_point::max());
  if (!opened.connection) {
    if (!opened.connected) co_return unreachable("connect: " + opened.failure);
    if (!opened.peer_answered) co_return unreachable(opened.failure);
    // It answered the handshake with something else, plaintext say: for the
    // checks to judge (T6 records a cleartext greeting on the TLS port).
    ProbeOutcome spoke;
    spoke.server.emplace();  // nothing read in clear text names it
    co_return spoke;
  }
  CheckConnection& connection = *opened.connection;
  const IoResult greeting = co_await connection.read_reply(until(reply_timeout), reply_timeout);
  if (greeting.status != IoResult::Status::ok && greeting.status != IoResult::Status::malformed &&
      greeting.raw.empty()) {
    connection.close();
    co_return unreachable(no_greeting(greeting, reply_timeout));
  }
  // EHLO only after a 2xx greeting; after a 554 the server waits for QUIT
  // (RFC 5321 §3.1). Each step only while the last one got a reply.
  std::optional<IoResult> ehlo;
  bool replied = greeting.reply.has_value();
  if (replied && greeting.reply->reply_class() == 2) {
    const IoResult sent = co_await connection.write(
        command_line(proto::encode_ehlo(script::kClientName)), false, until(reply_timeout));
    if (sent.status == IoResult::Status::ok) {
      ehlo = co_await connection.read_reply(until(reply_timeout), reply_timeout);
      replied = ehlo->reply.has_value();
    }
  }
  if (replied) {
    const IoResult sent = co_await connection.write(
        command_line(proto::encode_simple(proto::Verb::quit)), false, until(reply_timeout));
    // Its 221 is read so that the close does not reset the connection (a
    // close with unread bytes sends RST); what it says does not matter.
    if (sent.status == IoResult::Status::ok) {
      (void)co_await connection.read_reply(until(reply_timeout), reply_timeout);
    }
  }
  connection.close();
  ProbeOutcome reached;
  reached.server = identify_server(reply_text(greeting),
                                   ehlo && ehlo->reply ? reply_text(*ehlo) : std::string());
  co_return reached;
}

}  // namespace smtp::check
