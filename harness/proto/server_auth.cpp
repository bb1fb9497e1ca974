// AUTH (RFC 4954) with the PLAIN (RFC 4616) and LOGIN mechanisms, for the
// server dialogue.
#include <algorithm>
#include <string>

#include "proto/base64.hpp"
#include "proto/server_dialogue.hpp"

namespace smtp::proto {
namespace {

// LOGIN's prompts, base64 of "Username:" and "Password:" (the de-facto
// draft-murchison-sasl-login form every client expects).
constexpr std::string_view login_user_prompt = "VXNlcm5hbWU6";
constexpr std::string_view login_password_prompt = "UGFzc3dvcmQ6";

}  // namespace

ServerStep ServerDialogue::sasl_challenge(std::string_view text) {
  // RFC 4954 §4: continue-req = "334" SP [base64] CRLF. The space stays even
  // for an empty challenge, unlike a generic reply's "250\r\n".
  ServerStep step;
  step.output = "334 " + std::string(text) + "\r\n";
  state_ = ServerState::sasl;
  return step;
}

ServerStep ServerDialogue::on_auth(const Command& cmd) {
  if (!config_.extensions.auth) return refuse(ServerReply::not_implemented);
  if (state_ == ServerState::connected) return refuse(ServerReply::need_helo);
  if (authenticated()) return refuse(ServerReply::auth_already);  // RFC 4954 §4, A6
  if (state_ != ServerState::greeted) return refuse(ServerReply::auth_in_transaction);
  if (!tls_active_ && !config_.auth_cleartext) return refuse(ServerReply::auth_needs_tls);

  const std::string& mechanism = cmd.mechanism;  // upper-cased by the parser
  const auto& offered = config_.auth_mechanisms;
  if (std::find(offered.begin(), offered.end(), mechanism) == offered.end()) {
    return refuse(ServerReply::auth_unknown_mechanism);  // RFC 4954 §4: 504, A2
  }
  sasl_mechanism_ = mechanism;
  sasl_user_.reset();
  if (!cmd.initial_response) {
    // No initial response: PLAIN sends an empty challenge, LOGIN asks for the user.
    return sasl_challenge(mechanism == "LOGIN" ? login_user_prompt : "");
  }
  state_ = ServerState::sasl;
  return on_sasl_response(*cmd.initial_response);
}

ServerStep ServerDialogue::on_sasl_response(std::string_view line) {
  state_ = ServerState::greeted;  // every path below ends the exchange or re-enters it
  if (line == "*") {
    // RFC 4954 §4, A3: "*" cancels with 501. Violation auth-cancel-not-501
    // answers it as a failed login instead.
    return refuse(config_.violations.auth_cancel_not_501 ? ServerReply::auth_failed
                                                         : ServerReply::auth_cancelled);
  }
  if (line == "=" && config_.violations.auth_empty_response_accepted) {
    // Violation auth-empty-response-accepted (docs/CONFORMANCE.md A7): "=" is an
    // empty response (RFC 4954 §4), which for PLAIN names no user and no
    // password (RFC 4616 §2); this server lets it in.
    auth_user_ = "(empty)";
    return reply(ServerReply::auth_ok);
  }
  // RFC 4954 §4: "=" is an empty initial response (docs/CONFORMANCE.md A7).
  std::optional<std::string> decoded =
      line == "=" ? std::optional<std::string>("") : base64_decode(line);
  if (!decoded) return refuse(ServerReply::auth_bad_encoding);  // A4

  if (sasl_mechanism_ == "PLAIN") {
    // RFC 4616 §2: [authzid] NUL authcid NUL passwd
    const auto first = decoded->find('\0');
    const auto second =
        first == std::string::npos ? std::string::npos : decoded->find('\0', first + 1);
    if (second == std::string::npos) return refuse(ServerReply::auth_bad_encoding);
    return check_credentials(std::string_view(*decoded).substr(first + 1, second - first - 1),
                             std::string_view(*decoded).substr(second + 1));
  }
  // LOGIN: user name first, then the password.
  if (!sasl_user_) {
    sasl_user_ = std::move(*decoded);
    return sasl_challenge(login_password_prompt);
  }
  const std::string user = std::move(*sasl_user_);
  sasl_user_.reset();
  return check_credentials(user, *decoded);
}

ServerStep ServerDialogue::check_credentials(std::string_view user, std::string_view password) {
  state_ = ServerState::greeted;
  if (!config_.users.empty()) {
    const auto it = config_.users.find(std::string(user));
    if (it == config_.users.end() || it->second != password) {
      return refuse(ServerReply::auth_failed);  // RFC 4954 §6: 535 5.7.8
    }
  }
  auth_user_ = user.empty() ? "(empty)" : std::string(user);
  return reply(ServerReply::auth_ok);
}

}  // namespace smtp::proto
