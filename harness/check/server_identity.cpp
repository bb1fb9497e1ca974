#include "check/server_identity.hpp"

#include <array>
#include <cstddef>

#include "proto/ascii.hpp"
#include "proto/limits.hpp"

namespace smtp::check {
namespace {

// One way a server names itself. `phrase` is matched as whole words, ASCII
// case ignored, anywhere in a line of the greeting or of the EHLO reply.
// `version_lead` is what stands between the phrase and the version when the
// server shows one (a version may also sit in parentheses after it); empty
// for a server that never shows its version there.
struct ServerPattern {
  std::string_view software;
  std::string_view phrase;
  std::string_view version_lead;
};

// The table, most specific first: the first pattern that matches wins. The
// examples are the servers' default banners.
constexpr std::array kPatterns{
    // "220 mx.example.org ESMTP Postfix", "... ESMTP Postfix (Debian/GNU)",
    // "... ESMTP Postfix 3.7.11" when smtpd_banner shows $mail_version.
    ServerPattern{"Postfix", "ESMTP Postfix", " "},
    // "220 mx.example.org ESMTP Exim 4.96 Mon, 01 Jan 2024 00:00:00 +0000"
    ServerPattern{"Exim", "ESMTP Exim", " "},
    // "220 mx.example.org ESMTP OpenSMTPD"
    ServerPattern{"OpenSMTPD", "ESMTP OpenSMTPD", ""},
    // "220 mx.example.org ESMTP Sendmail 8.15.2/8.15.2; Mon, 1 Jan 2024 ..."
    ServerPattern{"Sendmail", "Sendmail", " "},
    // "220 mx.example.org Microsoft ESMTP MAIL Service ready at ..." (Exchange);
    // "... Microsoft ESMTP MAIL Service, Version: 10.0.17763.1 ready at ..." (IIS).
    ServerPattern{"Microsoft ESMTP MAIL Service", "Microsoft ESMTP MAIL Service", ", Version: "},
    // "220 mx.example.org ESMTP Haraka 2.8.28 ready"
    ServerPattern{"Haraka", "ESMTP Haraka", " "},
    // The standard library's old smtpd module: "220 host Python SMTP proxy version 0.3"
    ServerPattern{"Python smtpd", "Python SMTP proxy", " version "},
    // aiosmtpd: "220 host Python SMTP 1.4.3"
    ServerPattern{"aiosmtpd", "Python SMTP", " "},
    // Postfix's smtp-sink with its default host name: "220 smtp-sink ESMTP"
    ServerPattern{"smtp-sink", "smtp-sink ESMTP", ""},
    // This project's server: "220 fake-smtpd.test ESMTP fake-smtpd ready"
    ServerPattern{"fake-smtpd", "ESMTP fake-smtpd", ""},
};

// A version longer than this is not one (a line is up to 512 octets).
constexpr std::size_t kMaxVersion = 40;

// Characters that continue a word: a phrase must not start or end inside
// one, so "Sendmail" does not match "sendmail.example.org".
bool word_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
         c == '-' || c == '_';
}

bool version_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
         c == '-' || c == '_' || c == '+' || c == '~';
}

// Where `phrase` occurs in `line` as whole words, ASCII case ignored; npos
// when it does not.
std::size_t find_phrase(std::string_view line, std::string_view phrase) {
  if (phrase.empty() || line.size() < phrase.size()) return std::string_view::npos;
  for (std::size_t at = 0; at + phrase.size() <= line.size(); ++at) {
    if (!proto::iequals(line.substr(at, phrase.size()), phrase)) continue;
    const std::size_t end = at + phrase.size();
    const bool starts_word = at == 0 || !word_char(line[at - 1]);
    const bool ends_word = end == line.size() || !word_char(line[end]);
    if (starts_word && ends_word) return at;
  }
  return std::string_view::npos;
}

// The version right after the phrase: `lead`, an optional "(", then a token
// that starts with a digit ("4.96", "8.15.2" of "8.15.2/8.15.2").
std::string version_after(std::string_view rest, std::string_view lead) {
  if (lead.empty() || !proto::istarts_with(rest, lead)) return std::string(kUnknown);
  rest.remove_prefix(lead.size());
  if (!rest.empty() && rest.front() == '(') rest.remove_prefix(1);
  if (rest.empty() || rest.front() < '0' || rest.front() > '9') return std::string(kUnknown);
  std::size_t length = 0;
  while (length < rest.size() && version_char(rest[length])) ++length;
  // A sentence's full stop or a dash after the version is not part of it.
  while (length > 0 && (rest[length - 1] == '.' || rest[length - 1] == '-')) --length;
  if (length > kMaxVersion) return std::string(kUnknown);
  return std::string(rest.substr(0, length));
}

// Calls `each(line)` for every line of `text` without its line ending.
template <typename Each>
bool any_line(std::string_view text, Each each) {
  while (!text.empty()) {
    const std::size_t lf = text.find('\n');
    std::string_view line = text.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (each(line)) return true;
    if (lf == std::string_view::npos) break;
    text.remove_prefix(lf + 1);
  }
  return false;
}

// At most the RFC's reply line (RFC 5321 §4.5.3.1.5): the bytes of a
// greeting that did not parse may be longer.
std::string first_line(std::string_view text) {
  std::string_view line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return std::string(line.substr(0, proto::limits::reply_line));
}

}  // namespace

ServerIdentity identify_server(std::string_view greeting, std::string_view ehlo_reply) {
  ServerIdentity server;
  server.banner = first_line(greeting);
  server.ehlo = first_line(ehlo_reply);
  for (const ServerPattern& pattern : kPatterns) {
    const auto matches = [&](std::string_view line) {
      const std::size_t at = find_phrase(line, pattern.phrase);
      if (at == std::string_view::npos) return false;
      server.software = std::string(pattern.software);
      server.version = version_after(line.substr(at + pattern.phrase.size()), pattern.version_lead);
      return true;
    };
    if (any_line(greeting, matches) || any_line(ehlo_reply, matches)) break;
  }
  return server;
}

std::string software_text(const ServerIdentity& server) {
  if (!server.known()) return std::string(kUnknown);
  if (server.version == kUnknown) return server.software + " (version unknown)";
  return server.software + " " + server.version;
}

}  // namespace smtp::check
