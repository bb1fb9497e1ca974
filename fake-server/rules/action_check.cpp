#include "fake-server/rules/action_check.hpp"

namespace smtp::fake::rules {

std::optional<std::string> check_action(const Action& action, std::string_view on) {
  if (action.empty()) {
    return "needs an action: reply, raw, close, reset, stall, fail_tls, delay, bandwidth, "
           "partial or malformed";
  }
  // One answer per event: with two terminal parts one would silently lose
  // (reply + close would store a message and never say so).
  const int terminals = int{action.reply.has_value()} + int{action.raw.has_value()} +
                        int{action.close} + int{action.reset} + int{action.stall} +
                        int{action.fail_tls.has_value()};
  if (terminals > 1) {
    return "takes one of reply, raw, close, reset, stall and fail_tls (a reply of 421 closes "
           "by itself)";
  }
  if (action.fail_tls && on != on_tls) return "fail_tls only works on \"tls\"";
  if (on == on_tls) {
    // Nothing SMTP is said during a handshake: only the connection can act.
    if (action.reply || action.raw || action.partial || action.malformed || action.bandwidth) {
      return "on \"tls\" only fail_tls, delay, close, reset and stall work";
    }
    return std::nullopt;
  }
  if (!action.reply) return std::nullopt;
  const int code = action.reply->code;
  const int cls = code / 100;
  if (on == on_connect) {
    // RFC 5321 §3.1 / §4.2: a greeting is 220, or 554 (then only QUIT), or a
    // 421 that closes at once.
    if (code != 220 && code != 554 && code != 421) {
      return "a reply on \"connect\" must be 220, 421 or 554 (RFC 5321 §3.1), not " +
             std::to_string(code);
    }
    return std::nullopt;
  }
  if (on == on_end_of_data) {
    if (cls == 3) return "a reply on \".\" must be 2xx, 4xx or 5xx, not " + std::to_string(code);
    return std::nullopt;
  }
  // On a command the rule refuses it, and the command is not carried out: a
  // 2xx would tell the client something happened that did not.
  if (cls != 4 && cls != 5) {
    return "a reply to a command must be 4xx or 5xx (the command is refused), not " +
           std::to_string(code) + "; use raw for anything else";
  }
  return std::nullopt;
}

}  // namespace smtp::fake::rules
