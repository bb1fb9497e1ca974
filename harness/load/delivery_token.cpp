#include "load/delivery_token.hpp"

#include <charconv>

namespace smtp::load {

std::string delivery_token(std::string_view run_id, std::uint64_t seq) {
  std::string token(run_id);
  token += '.';
  token += std::to_string(seq);
  return token;
}

std::optional<std::uint64_t> token_seq(std::string_view text, std::string_view run_id) {
  std::string needle(run_id);
  needle += '.';
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1)) {
    // A token starts a word: after "+" in a VERP local part, or after
    // spaces in a field value.
    if (at > 0 && text[at - 1] != '+' && text[at - 1] != ' ' && text[at - 1] != '\t') continue;
    const char* begin = text.data() + at + needle.size();
    const char* end = text.data() + text.size();
    std::uint64_t seq = 0;
    const auto [next, ec] = std::from_chars(begin, end, seq);
    if (ec != std::errc{} || next == begin) continue;
    return seq;
  }
  return std::nullopt;
}

std::string verp_sender(std::string_view from, std::string_view token) {
  const bool bracketed = from.size() >= 2 && from.front() == '<' && from.back() == '>';
  const std::string_view bare = bracketed ? from.substr(1, from.size() - 2) : from;
  if (bare.empty()) return std::string(from);
  const auto at = bare.rfind('@');
  const std::string_view local = at == std::string_view::npos ? bare : bare.substr(0, at);
  const std::string_view domain = at == std::string_view::npos ? "" : bare.substr(at);
  std::string out;
  if (bracketed) out += '<';
  if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
    // A quoted local part gets the token inside its quotes.
    out += local.substr(0, local.size() - 1);
    out += '+';
    out += token;
    out += '"';
  } else {
    out += local;
    out += '+';
    out += token;
  }
  out += domain;
  if (bracketed) out += '>';
  return out;
}

namespace {
std::size_t body_start(std::string_view content) {
  if (content.starts_with("\r\n")) return 2;  // no header at all
  const auto blank = content.find("\r\n\r\n");
  return blank == std::string_view::npos ? content.size() : blank + 4;
}
}  // namespace

std::string_view message_body(std::string_view content) {
  return content.substr(body_start(content));
}

std::string_view message_header(std::string_view content) {
  return content.substr(0, body_start(content));
}

std::uint64_t body_digest(std::string_view body) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : body) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string digest_text(std::uint64_t digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "fnv1a64=";
  for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(digest >> shift) & 0xF];
  return out;
}

std::uint64_t stamp_message(std::string& content, std::string_view token) {
  const std::uint64_t body = body_digest(std::string_view(content).substr(body_start(content)));
  const std::string digest = digest_text(body);
  std::string fields;
  fields.reserve(64 + token.size());
  fields += kTokenField;
  fields += ": ";
  fields += token;
  fields += "\r\n";
  fields += kDigestField;
  fields += ": ";
  fields += digest;
  fields += "\r\n";
  // Before the empty line; a message without one gets the fields and one.
  if (content.starts_with("\r\n")) {
    content.insert(0, fields);
  } else if (const auto blank = content.find("\r\n\r\n"); blank != std::string::npos) {
    content.insert(blank + 2, fields);
  } else {
    if (!content.empty() && !content.ends_with("\r\n")) content += "\r\n";
    content += fields;
    content += "\r\n";
  }
  return body;
}

}  // namespace smtp::load
