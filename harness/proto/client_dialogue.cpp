// The session part of the client dialogue: banner, EHLO/HELO, STARTTLS,
// RSET and QUIT. AUTH is in client_dialogue_auth.cpp, transactions in
// client_dialogue_transaction.cpp.
#include "proto/client_dialogue.hpp"

#include <array>
#include <utility>
#include <variant>

#include "proto/client_dialogue_internal.hpp"
#include "proto/command_encoder.hpp"

namespace smtp::proto {

std::string_view to_string(Phase phase) {
  static constexpr std::array<std::string_view, 12> names = {
      "banner", "ehlo", "helo",        "starttls", "auth", "mail",
      "rcpt",   "data", "end_of_data", "bdat",     "rset", "quit"};
  return names[static_cast<std::size_t>(phase)];
}

std::string_view to_string(OutcomeKind kind) {
  static constexpr std::array<std::string_view, 4> names = {"delivered", "refused",
                                                            "connection_lost", "invalid"};
  return names[static_cast<std::size_t>(kind)];
}

std::string_view to_string(FailureKind kind) {
  static constexpr std::array<std::string_view, 12> names = {
      "banner_refused",    "hello_refused",   "starttls_unavailable", "starttls_refused",
      "auth_unavailable",  "auth_failed",     "service_closing",      "unexpected_reply",
      "unsolicited_reply", "malformed_reply", "connection_lost",      "bad_configuration"};
  return names[static_cast<std::size_t>(kind)];
}

std::string_view to_string(ClientStage stage) {
  static constexpr std::array<std::string_view, 10> names = {
      "connecting", "hello",       "starttls",  "tls_handshake", "auth",
      "ready",      "transaction", "resetting", "quitting",      "closed"};
  return names[static_cast<std::size_t>(stage)];
}

namespace client_detail {

// RFC 5321 §4.3.2 lists the replies each command may get. A 4xx/5xx is a
// refusal wherever it comes; a 2xx/3xx other than the phase's own is not
// something the dialogue can act on.
Verdict judge(Phase phase, int code) {
  const int cls = code / 100;
  if (cls == 4 || cls == 5) return Verdict::negative;
  switch (phase) {
    case Phase::banner:
    case Phase::starttls:  // RFC 3207 §4
      return code == 220 ? Verdict::positive : Verdict::unexpected;
    case Phase::auth:  // RFC 4954 §4: 334 continues the exchange, 235 ends it
      if (code == 334) return Verdict::intermediate;
      return code == 235 ? Verdict::positive : Verdict::unexpected;
    case Phase::rcpt:  // §4.3.2: 251 "user not local; will forward" accepts too
      return code == 250 || code == 251 ? Verdict::positive : Verdict::unexpected;
    case Phase::data:
      return code == 354 ? Verdict::intermediate : Verdict::unexpected;
    case Phase::quit:
      return code == 221 ? Verdict::positive : Verdict::unexpected;
    case Phase::ehlo:
    case Phase::helo:
    case Phase::mail:
    case Phase::end_of_data:
    case Phase::bdat:
    case Phase::rset:
      return code == 250 ? Verdict::positive : Verdict::unexpected;
  }
  return Verdict::unexpected;
}

std::optional<std::string> take(Encoded encoded, std::string* error) {
  if (auto* line = std::get_if<std::string>(&encoded)) return std::move(*line);
  if (error) *error = std::get<EncodeError>(encoded).reason;
  return std::nullopt;
}

}  // namespace client_detail

using client_detail::judge;
using client_detail::take;
using client_detail::Verdict;

ClientDialogue::ClientDialogue(ClientConfig config)
    : config_(std::move(config)), tls_active_(config_.tls == TlsMode::implicit) {}

bool ClientDialogue::pipelining() const {
  return config_.pipelining && esmtp_ && capabilities_.has("PIPELINING");
}

bool ClientDialogue::chunking() const {
  return config_.chunking && esmtp_ && capabilities_.has("CHUNKING");
}

void ClientDialogue::emit(ClientStep& step, Phase phase, std::string bytes) {
  const Request request{next_serial_++, phase};
  pending_.push_back(request);
  step.requests.push_back(request);
  // The content of a message is the largest piece: moved, not copied, when
  // it is the first thing the step writes.
  if (step.output.empty()) {
    step.output = std::move(bytes);
  } else {
    step.output += bytes;
  }
}

void ClientDialogue::fail(ClientStep& step, FailureKind kind, std::optional<Phase> phase, int code,
                          std::string detail) {
  step.failure = ClientFailure{kind, phase, code, std::move(detail)};
}

void ClientDialogue::fail_and_quit(ClientStep& step, FailureKind kind, Phase phase, int code,
                                   std::string detail) {
  fail(step, kind, phase, code, std::move(detail));
  send_quit(step);
}

void ClientDialogue::fail_and_close(ClientStep& step, FailureKind kind, std::optional<Phase> phase,
                                    int code, std::string detail, const Reply* reply) {
  fail(step, kind, phase, code, std::move(detail));
  if (transaction_) abandon_transaction(step, phase, reply);
  pending_.clear();
  stage_ = ClientStage::closed;
  step.close = true;
}

void ClientDialogue::send_quit(ClientStep& step) {
  emit(step, Phase::quit, "QUIT\r\n");
  stage_ = ClientStage::quitting;
}

void ClientDialogue::settle_idle(ClientStep& step) {
  if (quit_requested_) return send_quit(step);
  stage_ = ClientStage::ready;
}

ClientStep ClientDialogue::start() {
  ClientStep step;
  if (started_) return step;
  started_ = true;
  // The banner is the reply to the connection: serial 0, stamped at connect.
  const Request banner{0, Phase::banner};
  pending_.push_back(banner);
  step.requests.push_back(banner);
  return step;
}

ClientStep ClientDialogue::on_reply(const Reply& reply) {
  ClientStep step;
  if (stage_ == ClientStage::closed) return step;
  if (pending_.empty()) {
    fail_and_close(step, FailureKind::unsolicited_reply, std::nullopt, reply.code,
                   "a reply with no command outstanding");
    return step;
  }
  const Request request = pending_.front();
  pending_.pop_front();
  step.reply = ReplyEvent{request.serial, request.phase, reply};
  const Phase phase = request.phase;

  if (phase == Phase::quit) {  // whatever QUIT gets, the session is over
    stage_ = ClientStage::closed;
    step.close = true;
    pending_.clear();
    if (judge(phase, reply.code) != Verdict::positive && reply.code != 421) {
      fail(step, FailureKind::unexpected_reply, phase, reply.code, "QUIT was not answered 221");
    }
    return step;
  }
  if (reply.code == 421) {
    // RFC 5321 §3.8: the server is closing the channel; nothing more is read.
    fail_and_close(step, FailureKind::service_closing, phase, reply.code,
                   std::string(reply.message()), &reply);
    return step;
  }
  if (judge(phase, reply.code) == Verdict::unexpected) {
    fail_and_close(step, FailureKind::unexpected_reply, phase, reply.code,
                   "a " + std::to_string(reply.code) + " reply is not an answer to " +
                       std::string(to_string(phase)),
                   &reply);
    return step;
  }
  switch (phase) {
    case Phase::banner:
      on_banner(step, reply);
      break;
    case Phase::ehlo:
      on_ehlo(step, reply);
      break;
    case Phase::helo:
      on_helo(step, reply);
      break;
    case Phase::starttls:
      on_starttls(step, reply);
      break;
    case Phase::auth:
      on_auth(step, reply);
      break;
    case Phase::rset:
      on_rset(step, reply);
      break;
    case Phase::mail:
    case Phase::rcpt:
    case Phase::data:
    case Phase::end_of_data:
    case Phase::bdat:
      on_transaction_reply(step, *step.reply);
      break;
    case Phase::quit:
      break;  // handled above
  }
  return step;
}

void ClientDialogue::send_hello(ClientStep& step, Phase phase) {
  std::string error;
  auto line =
      take(phase == Phase::ehlo ? encode_ehlo(config_.helo_name) : encode_helo(config_.helo_name),
           &error);
  if (!line) return fail_and_close(step, FailureKind::bad_configuration, phase, 0, error);
  emit(step, phase, std::move(*line));
  stage_ = ClientStage::hello;
}

void ClientDialogue::on_banner(ClientStep& step, const Reply& reply) {
  if (judge(Phase::banner, reply.code) == Verdict::negative) {
    // RFC 5321 §3.1: after a 554 greeting the client SHOULD send QUIT.
    return fail_and_quit(step, FailureKind::banner_refused, Phase::banner, reply.code,
                         std::string(reply.message()));
  }
  if (quit_requested_) return send_quit(step);
  send_hello(step, Phase::ehlo);
}

void ClientDialogue::on_ehlo(ClientStep& step, const Reply& reply) {
  if (judge(Phase::ehlo, reply.code) == Verdict::negative) {
    // RFC 5321 §3.2: a server that does not know EHLO answers 500 or 502, and
    // the client MUST then be able to fall back to HELO. Any other refusal
    // (501, 550, 4xx) is about the client, and HELO would not fare better.
    if (reply.code == 500 || reply.code == 502) return send_hello(step, Phase::helo);
    return fail_and_quit(step, FailureKind::hello_refused, Phase::ehlo, reply.code,
                         std::string(reply.message()));
  }
  // Only a non-250 reply fails the parse, and judge() let only 250 through.
  auto parsed = parse_ehlo(reply);
  capabilities_ = std::get_if<Capabilities>(&parsed) ? std::get<Capabilities>(std::move(parsed))
                                                     : Capabilities{};
  esmtp_ = true;
  continue_setup(step);
}

void ClientDialogue::on_helo(ClientStep& step, const Reply& reply) {
  if (judge(Phase::helo, reply.code) == Verdict::negative) {
    return fail_and_quit(step, FailureKind::hello_refused, Phase::helo, reply.code,
                         std::string(reply.message()));
  }
  capabilities_ = Capabilities{};  // HELO selects no extension (§4.1.1.1)
  esmtp_ = false;
  continue_setup(step);
}

// What follows a greeting: STARTTLS, then AUTH, then ready. Each step
// re-enters here, so the order holds whatever came before.
void ClientDialogue::continue_setup(ClientStep& step) {
  if (quit_requested_) return send_quit(step);
  if (config_.tls == TlsMode::starttls && !tls_active_ && !starttls_declined_) {
    if (esmtp_ && capabilities_.has("STARTTLS")) {
      emit(step, Phase::starttls, "STARTTLS\r\n");
      stage_ = ClientStage::starttls;
      return;
    }
    if (config_.starttls_required) {
      return fail_and_quit(step, FailureKind::starttls_unavailable, Phase::ehlo, 0,
                           "the server does not offer STARTTLS");
    }
    starttls_declined_ = true;  // optional: go on in clear text
  }
  if (config_.credentials && !authenticated_) return start_auth(step);
  settle_idle(step);
}

void ClientDialogue::on_starttls(ClientStep& step, const Reply& reply) {
  if (judge(Phase::starttls, reply.code) == Verdict::negative) {
    if (config_.starttls_required) {
      return fail_and_quit(step, FailureKind::starttls_refused, Phase::starttls, reply.code,
                           std::string(reply.message()));
    }
    starttls_declined_ = true;
    return continue_setup(step);
  }
  step.start_tls = true;
  stage_ = ClientStage::tls_handshake;
}

ClientStep ClientDialogue::on_tls_established() {
  ClientStep step;
  if (stage_ != ClientStage::tls_handshake) return step;
  // RFC 3207 §4.2: the client MUST discard what it learnt from the server
  // before TLS and SHOULD send EHLO first.
  tls_active_ = true;
  capabilities_ = Capabilities{};
  esmtp_ = false;
  if (quit_requested_) {
    send_quit(step);
  } else {
    send_hello(step, Phase::ehlo);
  }
  return step;
}

void ClientDialogue::on_rset(ClientStep& step, const Reply& reply) {
  if (judge(Phase::rset, reply.code) != Verdict::positive) {
    // RFC 5321 §4.1.1.5: the receiver MUST send 250 to a RSET without arguments.
    return fail_and_close(step, FailureKind::unexpected_reply, Phase::rset, reply.code,
                          "RSET was refused");
  }
  settle_idle(step);
}

ClientStep ClientDialogue::on_malformed_reply(std::string detail) {
  ClientStep step;
  if (stage_ == ClientStage::closed) return step;
  std::optional<Phase> phase;
  if (!pending_.empty()) phase = pending_.front().phase;
  fail_and_close(step, FailureKind::malformed_reply, phase, 0, std::move(detail));
  return step;
}

ClientStep ClientDialogue::on_connection_lost() {
  ClientStep step;
  if (stage_ == ClientStage::closed) return step;
  if (stage_ == ClientStage::quitting) {  // QUIT was sent; the server hung up early
    stage_ = ClientStage::closed;
    pending_.clear();
    step.close = true;
    return step;
  }
  std::optional<Phase> phase;
  if (!pending_.empty()) phase = pending_.front().phase;
  fail_and_close(step, FailureKind::connection_lost, phase, 0, "the connection ended");
  return step;
}

ClientStep ClientDialogue::quit() {
  ClientStep step;
  if (stage_ == ClientStage::closed || stage_ == ClientStage::quitting || quit_requested_) {
    return step;
  }
  quit_requested_ = true;
  if (stage_ == ClientStage::ready) send_quit(step);
  return step;
}

}  // namespace smtp::proto
