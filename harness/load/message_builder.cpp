#include "load/message_builder.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "common/rfc5322_date.hpp"

namespace smtp::load {
namespace {

constexpr std::size_t kBodyLineLength = 76;  // octets before CRLF

std::string join_recipients(const std::vector<std::string>& to) {
  std::string field;
  for (const auto& address : to) {
    if (!field.empty()) field += ",\r\n ";  // folded, RFC 5322 §2.2.3
    field += address;
  }
  return field;
}

}  // namespace

std::string to_crlf_lines(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 32 + 2);
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < body.size() && body[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out += c;
    }
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

MessageBuilder::MessageBuilder(MessageDefaults defaults)
    : defaults_(std::move(defaults)),
      date_(common::rfc5322_date(std::chrono::system_clock::now())) {
  constexpr std::size_t kPreparedLines = 64;  // about 5 KB
  for (std::size_t i = 0; i < kPreparedLines; ++i) {
    lines_.append(kBodyLineLength, 'x');
    lines_ += "\r\n";
  }
}

std::string MessageBuilder::expand(std::string_view pattern, std::uint64_t n) {
  auto at = pattern.find("%d");
  if (at == std::string_view::npos) return std::string(pattern);
  std::string out(pattern.substr(0, at));
  out += std::to_string(n);
  out += pattern.substr(at + 2);
  return out;
}

std::string MessageBuilder::header(std::uint64_t seq, std::string_view from,
                                   const std::string& to_field, std::string_view subject) const {
  std::string h;
  h.reserve(256 + to_field.size());
  h += "From: <";
  h += from.empty() ? std::string_view("mailer-daemon@harness.test") : from;
  h += ">\r\nTo: ";
  h += to_field;
  h += "\r\nSubject: ";
  h += subject;
  h += "\r\nDate: ";
  h += date_;
  h += "\r\nMessage-ID: <load.";
  h += std::to_string(seq);
  h += "@harness.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n";
  return h;
}

void MessageBuilder::append_padding(std::string& content, std::size_t size) const {
  // The empty line after the header, then lines of 'x' up to `size` octets in
  // all, copied from a prepared run of lines (this runs for every message);
  // a message never shrinks below its header and one body line.
  content += "\r\n";
  std::size_t want = size > content.size() ? size - content.size() : 0;
  if (want < 2) {
    content += "load test\r\n";
    return;
  }
  constexpr std::size_t kLine = kBodyLineLength + 2;
  std::size_t whole = want / kLine * kLine;
  while (whole > 0) {
    std::size_t chunk = std::min(whole, lines_.size());
    content.append(lines_, 0, chunk);
    whole -= chunk;
  }
  std::size_t rest = want % kLine;
  if (rest >= 2) {
    content.append(rest - 2, 'x');
    content += "\r\n";
  } else if (rest == 1) {
    content += "\r\n";  // one octet over rather than a bare CR
  }
}

proto::OutgoingMessage MessageBuilder::build(std::uint64_t seq) const {
  return build(seq, script::MessageSpec{});
}

proto::OutgoingMessage MessageBuilder::build(std::uint64_t seq,
                                             const script::MessageSpec& spec) const {
  proto::OutgoingMessage message;
  message.id = seq;
  message.from = spec.from ? *spec.from : defaults_.from;
  if (spec.to) {
    message.to = *spec.to;
  } else {
    message.to.reserve(defaults_.recipients);
    std::uint64_t pool = defaults_.recipient_pool == 0 ? 1 : defaults_.recipient_pool;
    for (std::size_t r = 0; r < defaults_.recipients; ++r)
      message.to.push_back(expand(defaults_.to_pattern, (seq * defaults_.recipients + r) % pool));
  }
  std::string subject = spec.subject ? *spec.subject : "smtp-harness load " + std::to_string(seq);
  std::string content = header(seq, message.from, join_recipients(message.to), subject);
  for (const auto& [name, value] : spec.headers) {
    content += name;
    content += ": ";
    content += value;
    content += "\r\n";
  }
  if (spec.body) {
    content += "\r\n";
    content += to_crlf_lines(*spec.body);
  } else {
    std::size_t size = spec.size ? *spec.size : defaults_.size;
    content.reserve(std::max(size, content.size()) + 16);
    append_padding(content, size);
  }
  message.content = std::move(content);
  return message;
}

}  // namespace smtp::load
