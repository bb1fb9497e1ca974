#include "proto/server_dialogue.hpp"

#include <array>
#include <string>
#include <vector>

#include "proto/limits.hpp"
#include "proto/server_params.hpp"

namespace smtp::proto {

std::string_view to_string(ServerState state) {
  static constexpr std::array<std::string_view, 9> names = {"connected",  "greeted",     "mail",
                                                            "recipients", "data",        "bdat",
                                                            "sasl",       "tls_pending", "closed"};
  return names[static_cast<std::size_t>(state)];
}

namespace {

DotUnstuffer::Options unstuffer_options(const ServerConfig& config) {
  DotUnstuffer::Options options;
  // Violation lf-dot-lf-ends-data (docs/CONFORMANCE.md D3): the unstuffer also ends
  // the data at LF "." LF, against RFC 5321 §4.1.1.4 and §2.3.8.
  options.lf_dot_lf_ends_data = config.violations.lf_dot_lf_ends_data;
  return options;
}

}  // namespace

ServerDialogue::ServerDialogue(const ServerConfig& config, bool tls_active)
    : config_(config), tls_active_(tls_active), unstuffer_(unstuffer_options(config)) {}

InputMode ServerDialogue::input_mode() const {
  switch (state_) {
    case ServerState::data:
      return InputMode::data;
    case ServerState::bdat:
      return InputMode::chunk;
    case ServerState::tls_pending:
    case ServerState::closed:
      return InputMode::none;
    default:
      return InputMode::line;
  }
}

std::string ServerDialogue::encode(ServerReply id, std::string_view detail) const {
  const auto& info = server_reply_info(id);
  std::string text;
  // RFC 2034 §3, §4: enhanced codes on every 2xx, 4xx and 5xx reply but the
  // greeting (and the replies to EHLO/HELO, built elsewhere); a 3xx reply
  // carries none.
  const bool enhanced = enhanced_codes() && id != ServerReply::greeting && info.code / 100 != 3 &&
                        info.enhanced.cls != 0;
  if (enhanced) text = info.enhanced.to_string() + ' ';
  if (id == ServerReply::greeting || info.code == 421) {
    // RFC 5321 §4.2.2: "220 <domain> Service ready", "421 <domain> Service
    // not available, closing transmission channel".
    text += config_.hostname + ' ' + std::string(info.text);
  } else if (id == ServerReply::chunk_ok) {
    text += std::string(detail) + ' ' + std::string(info.text);
  } else {
    text += info.text;
    if (!detail.empty()) text += ' ' + std::string(detail);
  }
  Reply r;
  r.code = info.code;
  r.lines.push_back({std::move(text), std::nullopt});
  return r.encode();
}

ServerStep ServerDialogue::reply(ServerReply id, std::string_view detail) {
  ServerStep step;
  step.output = encode(id, detail);
  step.last_reply = id;
  // RFC 5321 §3.8: a 421 is followed by closing the connection.
  if (server_reply_info(id).code == 421 || id == ServerReply::closing) {
    step.close = true;
    state_ = ServerState::closed;
  }
  return step;
}

ServerStep ServerDialogue::refuse(ServerReply id) {
  if (server_reply_info(id).policy) return reply(id);
  ++errors_;
  if (config_.max_errors != 0 && errors_ > config_.max_errors) {
    // RFC 5321 §7.8 lets a server close after repeated errors (docs/CONFORMANCE.md O2).
    return reply(ServerReply::too_many_errors);
  }
  return reply(id);
}

ServerStep ServerDialogue::greet() {
  return reply(ServerReply::greeting);
}

void ServerDialogue::reset_transaction() {
  envelope_ = Envelope{};
  content_.clear();
  latched_.reset();
  unstuffer_.reset();
  bdat_used_ = false;
  chunk_verdict_.reset();
  chunk_remaining_ = 0;
  chunked_size_ = 0;
  if (state_ == ServerState::mail || state_ == ServerState::recipients) {
    state_ = ServerState::greeted;
  }
}

bool ServerDialogue::starttls_offered() const {
  // Violation starttls-twice (docs/CONFORMANCE.md T3): offered again inside TLS,
  // against RFC 3207 §4.2, and so also answered 220 (on_starttls).
  return config_.extensions.starttls && config_.tls_available &&
         (!tls_active_ || config_.violations.starttls_twice);
}

bool ServerDialogue::auth_offered() const {
  return config_.extensions.auth && !config_.auth_mechanisms.empty() &&
         (tls_active_ || config_.auth_cleartext) && !authenticated();
}

std::string ServerDialogue::ehlo_reply() const {
  const auto& ext = config_.extensions;
  Reply r;
  r.code = 250;
  // RFC 5321 §4.1.1.1: ehlo-ok-rsp = "250" SP Domain [ SP ehlo-greet ]. The
  // greeting echoes the client's name, which an EHLO line can make ~500
  // octets long; it is left out where the line would pass the 512 octets of
  // §4.5.3.1.5 (a client reading at that limit would fail the reply).
  std::string first = config_.hostname;
  if (!client_name_.empty()) {
    std::string greeting = first + " Hello " + client_name_;
    if (greeting.size() + 6 <= limits::reply_line) first = std::move(greeting);  // "250-" CRLF
  }
  r.lines.push_back({std::move(first), std::nullopt});
  for (const auto& [keyword, enabled] : kExtensionKeywords) {
    if (!(ext.*enabled)) continue;
    std::string line(keyword);
    if (enabled == &ServerExtensions::size) {
      // Violation ehlo-keyword-equals (docs/CONFORMANCE.md E1): RFC 5321 §4.1.1.1,
      // ehlo-line = ehlo-keyword *( SP ehlo-param ); "SIZE=n" is no keyword.
      line += config_.violations.ehlo_keyword_equals ? '=' : ' ';
      line += std::to_string(config_.max_message_size);
    } else if (enabled == &ServerExtensions::eight_bit_mime) {
      // Violation smtputf8-without-8bitmime (docs/CONFORMANCE.md X3): 8BITMIME is
      // still taken but left out of the list, while RFC 6531 §3.1 (8) makes a
      // server offering SMTPUTF8 announce it.
      if (config_.violations.smtputf8_without_8bitmime) continue;
    } else if (enabled == &ServerExtensions::smtputf8) {
      // RFC 6531 §3.1: SMTPUTF8 requires 8BITMIME to be offered too.
      if (!smtputf8_offered(ext)) continue;
    } else if (enabled == &ServerExtensions::starttls) {
      if (!starttls_offered()) continue;
    } else if (enabled == &ServerExtensions::auth) {
      if (!auth_offered()) continue;
      for (const auto& m : config_.auth_mechanisms) line += ' ' + m;
    }
    r.lines.push_back({std::move(line), std::nullopt});
  }
  return r.encode();
}

ServerStep ServerDialogue::on_line(std::string_view line) {
  if (state_ == ServerState::sasl) return on_sasl_response(line);
  if (state_ == ServerState::closed || state_ == ServerState::tls_pending) return {};
  auto parsed = parse_line(line);
  if (auto* error = std::get_if<CommandError>(&parsed)) return on_command_error(*error);
  return on_command(std::get<Command>(parsed));
}

std::variant<Command, CommandError> ServerDialogue::parse_line(std::string_view line) const {
  CommandParseOptions options;
  // MAIL's UTF-8 needs the server's offer plus the line's own SMTPUTF8
  // parameter (command_parser.hpp); RCPT's is judged against the transaction.
  const bool offered = smtputf8_offered(config_.extensions);
  options.smtputf8 = offered && (!in_transaction() || envelope_.smtputf8);
  // Parameters lengthen MAIL and RCPT (command_parser.hpp); RFC 5321
  // §4.5.3.1 sets minimums, so being generous here is conforming.
  options.max_envelope_line = 2048;
  if (config_.violations.short_command_lines) {
    // Violation short-command-lines (docs/CONFORMANCE.md L1): RFC 5321 §4.5.3.1.4
    // wants at least 512 octets per command line, CRLF included. 300 still
    // takes L3's longest lines (a 256-octet path in RCPT, 266 octets), so
    // this breaks L1 alone.
    options.max_line = 300;
    options.max_envelope_line = 300;
  }
  return parse_command(line, options);
}

ServerStep ServerDialogue::on_command(const Command& cmd) {
  if (state_ == ServerState::closed || state_ == ServerState::tls_pending) return {};
  if (refused_ && cmd.verb != Verb::quit) return refuse(ServerReply::bad_sequence);
  return dispatch(cmd);
}

ServerStep ServerDialogue::on_command_error(const CommandError& error) {
  if (state_ == ServerState::closed || state_ == ServerState::tls_pending) return {};
  return on_parse_error(error);
}

ServerStep ServerDialogue::on_line_too_long() {
  if (state_ == ServerState::sasl) {
    state_ = ServerState::greeted;
    return refuse(ServerReply::auth_line_too_long);  // RFC 4954 §6
  }
  return refuse(ServerReply::line_too_long);
}

ServerStep ServerDialogue::on_garbage() {
  return reply(ServerReply::binary_garbage);
}

ServerStep ServerDialogue::on_parse_error(const CommandError& error) {
  switch (error.kind) {
    case CommandErrorKind::empty:
    case CommandErrorKind::control_character:
      return refuse(ServerReply::unrecognised);
    case CommandErrorKind::line_too_long:
      if (error.verb == Verb::auth) return refuse(ServerReply::auth_line_too_long);
      return refuse(ServerReply::line_too_long);
    case CommandErrorKind::bad_path:
      if (error.path_error && error.path_error->kind == PathErrorKind::non_ascii &&
          smtputf8_offered(config_.extensions)) {
        return refuse(ServerReply::non_ascii_address);  // RFC 6531 §3.5
      }
      if (error.verb == Verb::mail) return refuse(ServerReply::bad_sender);
      if (error.verb == Verb::rcpt) return refuse(ServerReply::bad_recipient);
      return refuse(ServerReply::bad_arguments);
    case CommandErrorKind::non_ascii:
      if ((error.verb == Verb::mail || error.verb == Verb::rcpt) &&
          smtputf8_offered(config_.extensions)) {
        return refuse(ServerReply::non_ascii_address);
      }
      return refuse(ServerReply::bad_arguments);
    case CommandErrorKind::bad_syntax:
      // RFC 4954 §4: an initial response that is not base64 is 501 5.5.2,
      // whether the parser or the SASL exchange finds it.
      if (error.verb == Verb::auth) {
        // Violation auth-bad-base64-535 (docs/CONFORMANCE.md A4): RFC 4954 §4 wants
        // 501 for a response that is not base64, not a failed login.
        return refuse(config_.violations.auth_bad_base64_535 ? ServerReply::auth_failed
                                                             : ServerReply::auth_bad_encoding);
      }
      if (error.verb == Verb::bdat && config_.violations.bdat_size_unchecked) {
        // Violation bdat-size-unchecked (docs/CONFORMANCE.md K5): RFC 3030 §2 makes
        // chunk-size 1*DIGIT, and RFC 5321 §4.2.2 answers a bad argument
        // 501. This server reads a size it cannot parse as 0, as atoi()
        // would, and takes an empty chunk.
        Command empty_chunk;
        empty_chunk.verb = Verb::bdat;
        empty_chunk.verb_text = "BDAT";
        return on_bdat(empty_chunk);
      }
      return refuse(ServerReply::bad_arguments);
    case CommandErrorKind::missing_argument:
      if (error.verb == Verb::ehlo && config_.violations.ehlo_without_domain) {
        // Violation ehlo-without-domain (docs/CONFORMANCE.md E6): RFC 5321 §4.1.1.1
        // makes the domain part of EHLO's syntax, and §4.1.4 wants 501.
        Command nameless;
        nameless.verb = Verb::ehlo;
        nameless.verb_text = "EHLO";
        return greet_client(nameless, true);
      }
      return refuse(ServerReply::bad_arguments);
    case CommandErrorKind::unexpected_argument:
      if (error.verb == Verb::starttls && config_.violations.starttls_ignores_argument) {
        // Violation starttls-ignores-argument (docs/CONFORMANCE.md T2): RFC
        // 3207 §4, "STARTTLS" CRLF takes no parameter and the reply to one is
        // 501.
        return on_starttls();
      }
      [[fallthrough]];
    case CommandErrorKind::bad_parameter:
      // RFC 5321 §4.1.4: a failed MAIL leaves the state as it was; a bad BDAT
      // has no size we could trust, so its bytes are read as commands.
      return refuse(ServerReply::bad_arguments);
  }
  return refuse(ServerReply::unrecognised);
}

ServerStep ServerDialogue::dispatch(const Command& cmd) {
  switch (cmd.verb) {
    case Verb::ehlo:
      return on_ehlo(cmd);
    case Verb::helo:
      return on_helo(cmd);
    case Verb::mail:
      return on_mail(cmd);
    case Verb::rcpt:
      return on_rcpt(cmd);
    case Verb::data:
      return on_data_command();
    case Verb::bdat:
      return on_bdat(cmd);
    case Verb::rset:
      // §4.1.1.5: RSET aborts the transaction, keeps the session
      // (docs/CONFORMANCE.md C2). Violation rset-keeps-transaction: it only
      // says so.
      if (!config_.violations.rset_keeps_transaction) reset_transaction();
      return reply(ServerReply::ok);
    case Verb::noop:
      return reply(ServerReply::ok);
    case Verb::quit:
      return reply(ServerReply::closing);
    case Verb::vrfy:
      return config_.extensions.vrfy ? reply(ServerReply::cannot_vrfy)
                                     : refuse(ServerReply::not_implemented);
    case Verb::expn:
      // §3.5.2 / docs/CONFORMANCE.md E5: EXPN is not advertised, so it does not work.
      return refuse(ServerReply::not_implemented);
    case Verb::help:
      return config_.extensions.help ? reply(ServerReply::help)
                                     : refuse(ServerReply::not_implemented);
    case Verb::starttls:
      return on_starttls();
    case Verb::auth:
      // Violation auth-twice (docs/CONFORMANCE.md A6): RFC 4954 §4 refuses AUTH
      // once authenticated (503); this server forgets the first one and starts
      // over.
      if (config_.violations.auth_twice && state_ == ServerState::greeted) auth_user_.clear();
      return on_auth(cmd);
    case Verb::unknown:
      if (config_.violations.unknown_command_closes) {
        // Violation unknown-command-closes (docs/CONFORMANCE.md C7): the 500 of RFC
        // 5321 §4.2.4 is sent, then the connection is closed, which §3.8
        // calls a violation of the specification.
        ServerStep step = refuse(ServerReply::unrecognised);
        step.close = true;
        state_ = ServerState::closed;
        return step;
      }
      return refuse(ServerReply::unrecognised);
  }
  return refuse(ServerReply::unrecognised);
}

// EHLO and HELO both start a new session state. §4.1.4: either resets any
// transaction, as RSET does (docs/CONFORMANCE.md E7); only EHLO selects extensions.
ServerStep ServerDialogue::on_ehlo(const Command& cmd) {
  return greet_client(cmd, true);
}
ServerStep ServerDialogue::on_helo(const Command& cmd) {
  return greet_client(cmd, false);
}

ServerStep ServerDialogue::greet_client(const Command& cmd, bool esmtp) {
  // Violation ehlo-keeps-transaction (docs/CONFORMANCE.md E7): the transaction
  // survives EHLO/HELO, against §4.1.4.
  if (!(config_.violations.ehlo_keeps_transaction && in_transaction())) {
    reset_transaction();
    state_ = ServerState::greeted;
  }
  client_name_ = cmd.domain;
  esmtp_ = esmtp;
  ServerStep step;
  // Violation ehlo-reply-to-helo (docs/CONFORMANCE.md E2): §3.2 says servers MUST
  // NOT return the extended EHLO-style response to HELO. Only the reply
  // changes; HELO still selects no extension.
  if (esmtp || config_.violations.ehlo_reply_to_helo) {
    step.output = ehlo_reply();
  } else {
    Reply r;
    r.code = 250;
    r.lines.push_back({config_.hostname, std::nullopt});  // §4.1.1.1: single line
    step.output = r.encode();
  }
  return step;
}

ServerStep ServerDialogue::on_mail(const Command& cmd) {
  if (state_ == ServerState::connected) return refuse(ServerReply::need_helo);
  if (state_ != ServerState::greeted) return refuse(ServerReply::nested_mail);  // §4.1.4
  if (config_.require_auth && !authenticated()) return refuse(ServerReply::auth_required);
  Envelope envelope;
  const bool auth_param = auth_offered() || authenticated();
  auto refusal = apply_mail_params(cmd, config_, auth_param, envelope);
  if (refusal == ServerReply::size_declared_too_big && config_.violations.ignores_declared_size) {
    // Violation ignores-declared-size (docs/CONFORMANCE.md X1): RFC 1870 §6.1 wants
    // 552 for a declared size over the maximum; the SIZE is dropped instead
    // (a body over the maximum is still refused at its end).
    Command without_size = cmd;
    std::erase_if(without_size.params, [](const EsmtpParam& p) { return p.keyword == "SIZE"; });
    envelope = Envelope{};
    refusal = apply_mail_params(without_size, config_, auth_param, envelope);
  }
  if (refusal) return refuse(*refusal);
  envelope.reverse_path = *cmd.path;
  envelope_ = std::move(envelope);
  state_ = ServerState::mail;
  return reply(ServerReply::sender_ok);
}

std::optional<ServerReply> ServerDialogue::rcpt_refusal(const Command& cmd) const {
  if (state_ == ServerState::connected || state_ == ServerState::greeted) {
    return ServerReply::need_mail;  // §4.1.1.3, docs/CONFORMANCE.md S1
  }
  if (refused_) return ServerReply::bad_sequence;
  if (auto refusal = check_rcpt_params(cmd, config_)) return refusal;
  // §4.5.3.1.10: over the recipient limit the reply is 452; the recipients
  // accepted so far stay in the transaction.
  if (envelope_.recipients.size() >= config_.max_recipients) {
    return ServerReply::too_many_recipients;
  }
  return std::nullopt;
}

ServerStep ServerDialogue::on_rcpt(const Command& cmd) {
  if (auto refusal = rcpt_refusal(cmd)) return refuse(*refusal);
  Recipient recipient{*cmd.path, cmd.params};
  // §4.1.1.3: a source route is accepted and ignored (docs/CONFORMANCE.md R4).
  recipient.path.source_route.clear();
  envelope_.recipients.push_back(std::move(recipient));
  state_ = ServerState::recipients;
  return reply(ServerReply::recipient_ok);
}

ServerStep ServerDialogue::on_starttls() {
  // Violation starttls-again (docs/CONFORMANCE.md T3, INFO): a second STARTTLS
  // inside TLS is answered 220 although it is not offered there.
  const bool again = tls_active_ && config_.violations.starttls_again;
  if (!starttls_offered() && !again) {
    // RFC 3207 §4.2, docs/CONFORMANCE.md T3: no second STARTTLS inside TLS.
    return refuse(tls_active_ ? ServerReply::tls_active : ServerReply::not_implemented);
  }
  ServerStep step = reply(ServerReply::tls_ready);
  step.start_tls = true;
  state_ = ServerState::tls_pending;
  return step;
}

void ServerDialogue::on_tls_established() {
  // RFC 3207 §4.2: forget everything learnt before TLS, EHLO included.
  tls_active_ = true;
  reset_transaction();
  client_name_.clear();
  esmtp_ = false;
  auth_user_.clear();
  state_ = ServerState::connected;
}

std::string ServerDialogue::redact(std::string_view line) const {
  if (state_ == ServerState::sasl) return "<redacted>";
  // "AUTH <mechanism> <initial-response>": keep the mechanism only. The verb
  // is matched case-insensitively (§2.4), as the parser does.
  const auto verb_end = line.find(' ');
  if (verb_end != std::string_view::npos &&
      verb_from_string(line.substr(0, verb_end)) == Verb::auth) {
    const auto space = line.find(' ', verb_end + 1);
    if (space != std::string_view::npos) {
      return std::string(line.substr(0, space)) + " <redacted>";
    }
  }
  return std::string(line);
}

}  // namespace smtp::proto
