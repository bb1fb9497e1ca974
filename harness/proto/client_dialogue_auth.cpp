// AUTH (RFC 4954) for the client dialogue: PLAIN (RFC 4616) with an initial
// response, or LOGIN answering the user and password prompts.
#include <string>
#include <utility>

#include "proto/base64.hpp"
#include "proto/client_dialogue.hpp"
#include "proto/client_dialogue_internal.hpp"
#include "proto/command_encoder.hpp"

namespace smtp::proto {

using client_detail::judge;
using client_detail::take;
using client_detail::Verdict;

void ClientDialogue::start_auth(ClientStep& step) {
  const ClientCredentials& creds = *config_.credentials;
  if (!tls_active_ && !config_.auth_cleartext) {
    return fail_and_quit(step, FailureKind::auth_unavailable, Phase::auth, 0,
                         "AUTH would send the password in clear text (RFC 4616 §6)");
  }
  const auto offered = capabilities_.auth_mechanisms();
  const auto has = [&offered](std::string_view m) {
    for (const auto& o : offered) {
      if (o == m) return true;
    }
    return false;
  };
  std::string_view mechanism;
  if (config_.auth_mechanism != AuthMechanism::login && has("PLAIN")) mechanism = "PLAIN";
  if (config_.auth_mechanism != AuthMechanism::plain && mechanism.empty() && has("LOGIN")) {
    mechanism = "LOGIN";
  }
  if (mechanism.empty()) {
    return fail_and_quit(step, FailureKind::auth_unavailable, Phase::auth, 0,
                         "the server offers no usable AUTH mechanism");
  }
  stage_ = ClientStage::auth;
  if (mechanism == "LOGIN") {
    // The server asks for the user name, then the password, each in a 334.
    sasl_ = Sasl::login_user;
    return emit(step, Phase::auth, "AUTH LOGIN\r\n");
  }
  // RFC 4616 §2: [authzid] NUL authcid NUL passwd, sent as the initial
  // response when the line allows it (RFC 4954 §4), else after a 334.
  std::string response = base64_encode(std::string(1, '\0') + creds.user + '\0' + creds.password);
  if (auto line = take(encode_auth("PLAIN", response), nullptr)) {
    sasl_ = Sasl::sent;
    step.secret = true;
    return emit(step, Phase::auth, std::move(*line));
  }
  sasl_ = Sasl::plain_response;
  sasl_pending_ = std::move(response);
  emit(step, Phase::auth, "AUTH PLAIN\r\n");
}

void ClientDialogue::on_auth(ClientStep& step, const Reply& reply) {
  const Verdict verdict = judge(Phase::auth, reply.code);
  if (verdict == Verdict::negative) {
    sasl_ = Sasl::none;
    return fail_and_quit(step, FailureKind::auth_failed, Phase::auth, reply.code,
                         std::string(reply.message()));
  }
  if (verdict == Verdict::positive) {
    sasl_ = Sasl::none;
    authenticated_ = true;
    return continue_setup(step);
  }
  // 334: the next SASL response.
  const ClientCredentials& creds = *config_.credentials;
  std::string line;
  switch (sasl_) {
    case Sasl::plain_response:
      line = std::move(sasl_pending_);
      sasl_ = Sasl::sent;
      break;
    case Sasl::login_user:
      line = base64_encode(creds.user);
      sasl_ = Sasl::login_password;
      break;
    case Sasl::login_password:
      line = base64_encode(creds.password);
      sasl_ = Sasl::sent;
      break;
    case Sasl::none:
    case Sasl::sent:
      return fail_and_close(step, FailureKind::unexpected_reply, Phase::auth, reply.code,
                            "a 334 challenge after the last SASL response");
  }
  step.secret = true;
  emit(step, Phase::auth, line + "\r\n");
}

}  // namespace smtp::proto
