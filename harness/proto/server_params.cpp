#include "proto/server_params.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <string>

#include "proto/ascii.hpp"

namespace smtp::proto {
namespace {

bool is_upper_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

bool has_duplicate_keywords(const std::vector<EsmtpParam>& params) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    for (std::size_t j = i + 1; j < params.size(); ++j) {
      if (params[i].keyword == params[j].keyword) return true;  // keywords are upper-cased
    }
  }
  return false;
}

// RFC 1870 §3: size-value ::= 1*20DIGIT. Twenty digits can exceed 2^64; such
// a value is valid syntax and simply huge, so it saturates.
std::optional<std::uint64_t> parse_size(std::string_view value) {
  if (value.empty() || value.size() > 20) return std::nullopt;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (end != value.data() + value.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) return UINT64_MAX;
  if (ec != std::errc{}) return std::nullopt;
  return n;
}

// RFC 3461 §4.1: NOTIFY=NEVER, or a comma list of SUCCESS, FAILURE, DELAY.
bool valid_notify(std::string_view value) {
  if (iequals(value, "NEVER")) return true;
  unsigned seen = 0;
  while (true) {
    const auto comma = value.find(',');
    const auto item = value.substr(0, comma);
    unsigned bit = 0;
    if (iequals(item, "SUCCESS")) bit = 1;
    if (iequals(item, "FAILURE")) bit = 2;
    if (iequals(item, "DELAY")) bit = 4;
    if (bit == 0 || (seen & bit) != 0) return false;
    seen |= bit;
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

// RFC 3461 §4.2: ORCPT=addr-type ";" xtext, addr-type = atom.
bool valid_orcpt(std::string_view value) {
  const auto semi = value.find(';');
  if (semi == 0 || semi == std::string_view::npos) return false;
  const auto type = value.substr(0, semi);
  const bool atom = std::all_of(type.begin(), type.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  return atom && !value.substr(semi + 1).empty() && is_xtext(value.substr(semi + 1));
}

}  // namespace

bool is_xtext(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      if (i + 2 >= text.size() || !is_upper_hex(text[i + 1]) || !is_upper_hex(text[i + 2])) {
        return false;
      }
      i += 2;
    } else if (c < '!' || c > '~' || c == '=') {
      return false;
    }
  }
  return true;
}

std::optional<ServerReply> apply_mail_params(const Command& mail, const ServerConfig& config,
                                             bool auth_offered, Envelope& envelope) {
  if (has_duplicate_keywords(mail.params)) return ServerReply::bad_arguments;
  const auto& ext = config.extensions;
  for (const auto& p : mail.params) {
    const std::string_view value = p.value ? std::string_view(*p.value) : std::string_view();
    if (p.keyword == "SIZE" && ext.size) {
      const auto size = parse_size(value);
      if (!size) return ServerReply::bad_arguments;
      // RFC 1870 §6.1: a declared size over the fixed maximum is refused at once.
      if (config.max_message_size != 0 && *size > config.max_message_size) {
        return ServerReply::size_declared_too_big;
      }
      envelope.declared_size = *size;
    } else if (p.keyword == "BODY" && ext.eight_bit_mime) {
      if (iequals(value, "7BIT")) {
        envelope.body = BodyType::seven_bit;
      } else if (iequals(value, "8BITMIME")) {
        envelope.body = BodyType::eight_bit_mime;
      } else if (!config.violations.unknown_body_accepted) {
        // RFC 6152 §2; BINARYMIME is not offered. Violation
        // unknown-body-accepted (docs/CONFORMANCE.md X2) keeps the default body.
        return ServerReply::bad_arguments;
      }
    } else if (p.keyword == "SMTPUTF8" && smtputf8_offered(ext)) {
      if (p.value) return ServerReply::bad_arguments;  // RFC 6531 §3.4: no value
      envelope.smtputf8 = true;
    } else if (p.keyword == "RET" && ext.dsn) {
      if (!iequals(value, "FULL") && !iequals(value, "HDRS")) return ServerReply::bad_arguments;
    } else if (p.keyword == "ENVID" && ext.dsn) {
      // RFC 3461 §4.4: xtext, at most 100 characters.
      if (value.empty() || value.size() > 100 || !is_xtext(value)) {
        return ServerReply::bad_arguments;
      }
    } else if (p.keyword == "AUTH" && auth_offered) {
      // RFC 4954 §5: AUTH=<> or AUTH=xtext(mailbox).
      if (value != "<>" && (value.empty() || !is_xtext(value))) return ServerReply::bad_arguments;
    } else if (!config.violations.unknown_mail_parameter_ignored) {
      // RFC 5321 §4.1.1.11: an unrecognised parameter gets 555. Violation
      // unknown-mail-parameter-ignored (docs/CONFORMANCE.md C8) drops it silently.
      return ServerReply::unsupported_parameter;
    }
  }
  envelope.mail_params = mail.params;
  return std::nullopt;
}

std::optional<ServerReply> check_rcpt_params(const Command& rcpt, const ServerConfig& config) {
  if (has_duplicate_keywords(rcpt.params)) return ServerReply::bad_arguments;
  for (const auto& p : rcpt.params) {
    const std::string_view value = p.value ? std::string_view(*p.value) : std::string_view();
    if (p.keyword == "NOTIFY" && config.extensions.dsn) {
      if (!valid_notify(value)) return ServerReply::bad_arguments;
    } else if (p.keyword == "ORCPT" && config.extensions.dsn) {
      if (!valid_orcpt(value)) return ServerReply::bad_arguments;
    } else {
      return ServerReply::unsupported_parameter;
    }
  }
  return std::nullopt;
}

}  // namespace smtp::proto
