// A session's behaviour decisions (SCRIPTING.md "rule", "greylist", hooks):
// rules first, then the hook when no rule decided the answer; greylisting
// last, for a RCPT the dialogue is about to judge. Every decision that
// changes the answer is written to the transcript.
#include <chrono>
#include <cstdio>
#include <string>

#include "fake-server/rules/action_check.hpp"
#include "fake-server/session_context.hpp"

namespace smtp::fake {
namespace {

using Clock = std::chrono::steady_clock;

// "<a@b> SIZE=10" → "a@b"; "" when there are no brackets.
std::string_view bracketed(std::string_view arg) {
  const auto open = arg.find('<');
  if (open == std::string_view::npos) return {};
  const auto close = arg.find('>', open + 1);
  if (close == std::string_view::npos) return {};
  return arg.substr(open + 1, close - open - 1);
}

rules::Event make_event(const SessionContext& s, std::string_view on, std::string_view arg,
                        const proto::Envelope* envelope) {
  rules::Event e;
  e.on = on;
  e.arg = arg;
  e.session_id = s.record->id;
  e.ip = s.peer_ip;
  e.helo = s.dialogue.client_name();
  e.tls = s.transport.tls();
  e.auth = s.dialogue.authenticated();
  e.session_messages = s.record->messages;
  if (envelope != nullptr) {
    e.sender = &envelope->reverse_path;
    e.recipients = envelope->recipients;
  }
  if (on == "RCPT") e.rcpt = bracketed(arg);
  if (on == "MAIL") e.mail_from = bracketed(arg);
  // On EHLO/HELO itself, `helo` is the name being given, not the last one.
  if (on == "EHLO" || on == "HELO") e.helo = arg.substr(0, arg.find(' '));
  return e;
}

HookSession hook_session(const SessionContext& s, const proto::Envelope* envelope) {
  HookSession h;
  h.id = s.record->id;
  h.ip = s.peer_ip;
  h.port = s.peer_port;
  h.tls = s.transport.tls();
  h.auth_user = s.dialogue.auth_user();
  h.helo = s.dialogue.client_name();
  h.messages = s.record->messages;
  h.envelope = envelope;
  return h;
}

rules::Action evaluate(SessionContext& s, const rules::Event& event) {
  auto& engine = s.server.behaviour().rules;
  if (engine.empty() || !engine.watches(event.on)) return {};
  auto verdict = engine.evaluate(event, s.random, Clock::now());
  for (const auto& fired : verdict.fired) {
    s.server.stats().count_rule_fired(fired.name);
    s.record->rule_fired(fired.name);
    const auto& rule = engine.rules()[fired.index];
    s.log(Direction::event, "rule '" + fired.name + "' (" + fired.source + ") fired on " +
                                std::string(event.on) + ": " + rule.action.describe());
  }
  return std::move(verdict.action);
}

// Adds the hook's answer when no rule decided one.
template <typename Call>
void consult_hook(SessionContext& s, std::string_view on, rules::Action& action, Call&& call) {
  const auto& hooks = s.server.behaviour().hooks;
  if (!hooks || action.terminal() || !hooks->has(on)) return;
  auto result = call(*hooks);
  if (result.error.empty() && !result.action) return;  // nil: the usual answer, no event
  const std::string name = hook_function_name(on);
  if (!result.error.empty()) {
    // A broken hook is the profile's bug; the client gets a temporary local
    // error (RFC 3463 4.3.0) rather than a silently different behaviour.
    ++s.server.stats().hook_errors;
    s.log(Direction::event, "hook " + name + " failed: " + result.error);
    std::fprintf(stderr, "fake-smtpd: session %llu: hook %s failed: %s\n",
                 static_cast<unsigned long long>(s.record->id), name.c_str(), result.error.c_str());
    rules::Action failed;
    if (on == rules::on_connect) {
      failed.reply = rules::ReplySpec{421, proto::EnhancedCode{4, 3, 0}, {"Hook failed"}};
    } else {
      failed.reply = rules::ReplySpec{451, proto::EnhancedCode{4, 3, 0}, {"Hook failed"}};
    }
    rules::merge(action, failed);
    return;
  }
  s.log(Direction::event, "hook " + name + ": " + result.action->describe());
  rules::merge(action, *result.action);
}

}  // namespace

void SessionContext::count_replies(std::string_view output) {
  for_each_reply_code(output, [this](int code) { ++server.stats().replies[code]; });
}

void SessionContext::count_answer(std::string_view output) {
  for_each_reply_code(output, [this](int code) {
    ++server.stats().replies_by_command[{answering, code}];
  });
}

bool watches_commands(SessionContext& s) {
  const auto& b = s.server.behaviour();
  return !b.rules.empty() || (b.hooks && b.hooks->any_command()) || b.greylist.has_value();
}

std::string render_reply(const SessionContext& s, const rules::ReplySpec& reply, ReplyRole role) {
  // RFC 2034 §3: the greeting goes without an enhanced code; every later
  // 2xx/4xx/5xx has one, after HELO as after EHLO (§4).
  const bool enhanced = s.dialogue.enhanced_codes() && role != ReplyRole::greeting;
  return rules::render(reply, {enhanced, s.server.options().smtp.hostname});
}

rules::Action decide_connect(SessionContext& s) {
  auto action = evaluate(s, make_event(s, rules::on_connect, {}, nullptr));
  consult_hook(s, rules::on_connect, action,
               [&](LuaHooks& hooks) { return hooks.on_connect(hook_session(s, nullptr)); });
  return action;
}

rules::Action decide_tls(SessionContext& s) {
  return evaluate(s, make_event(s, rules::on_tls, {}, nullptr));
}

rules::Action decide_command(SessionContext& s, std::string_view verb, std::string_view arg,
                             std::string_view line) {
  const proto::Envelope* envelope = s.dialogue.in_transaction() ? &s.dialogue.envelope() : nullptr;
  auto action = evaluate(s, make_event(s, verb, arg, envelope));
  consult_hook(s, verb, action, [&](LuaHooks& hooks) {
    auto session = hook_session(s, envelope);
    // As for rules: on EHLO/HELO, `helo` is the name being given.
    if (verb == "EHLO" || verb == "HELO") session.helo = arg.substr(0, arg.find(' '));
    if (verb != "AUTH") return hooks.on_command(session, verb, arg, line);
    // Credentials never leave the dialogue (ARCHITECTURE.md §6): a hook sees AUTH
    // as the transcript does, initial response redacted.
    const auto redacted = s.dialogue.redact(line);
    const auto space = redacted.find(' ');
    const std::string_view redacted_arg = space == std::string::npos
                                              ? std::string_view{}
                                              : std::string_view(redacted).substr(space + 1);
    return hooks.on_command(session, verb, redacted_arg, redacted);
  });
  return action;
}

rules::Action decide_message(SessionContext& s, const proto::Message& message) {
  auto action = evaluate(s, make_event(s, rules::on_end_of_data, {}, &message.envelope));
  consult_hook(s, rules::on_end_of_data, action, [&](LuaHooks& hooks) {
    return hooks.on_message(hook_session(s, &message.envelope), message);
  });
  return action;
}

std::optional<std::string> greylist_rcpt(SessionContext& s, const proto::Command& rcpt) {
  auto& greylist = s.server.behaviour().greylist;
  if (!greylist || !rcpt.path || !s.dialogue.in_transaction()) return std::nullopt;
  const std::string from = s.dialogue.envelope().reverse_path.address();
  const std::string to = rcpt.path->address();
  const auto verdict = greylist->check(s.peer_ip, from, to, Clock::now());
  const std::string triplet = "(" + s.peer_ip + ", " + from + ", " + to + ")";
  if (verdict.pass) {
    s.log(Direction::event, "greylist: passed " + triplet);
    return std::nullopt;
  }
  ++s.server.stats().greylist_deferred;
  const auto seconds = std::chrono::duration<double>(verdict.retry_in).count();
  char retry[32];
  std::snprintf(retry, sizeof retry, "%.1fs", seconds);
  s.log(Direction::event, "greylist: deferred " + triplet + ", retry in " + retry);
  return render_reply(s, greylist->settings().reply);
}

}  // namespace smtp::fake
