#include "proto/client_envelope.hpp"

#include <utility>
#include <variant>

#include "proto/command_encoder.hpp"

namespace smtp::proto {
namespace {

// Only a handful of positions are worth remembering: a message with
// thousands of recipients would otherwise pin thousands of lines per session.
constexpr std::size_t kRememberedRecipients = 16;

std::optional<std::string> take_line(Encoded encoded, std::string_view command,
                                     std::string* error) {
  if (auto* line = std::get_if<std::string>(&encoded)) return std::move(*line);
  *error = std::string(command) + ": " + std::get<EncodeError>(encoded).reason;
  return std::nullopt;
}

}  // namespace

std::optional<std::string> ClientEnvelope::mail(std::string_view from,
                                                std::optional<std::size_t> size,
                                                std::string* error) {
  if (mail_ && mail_->address == from && mail_->size == size) return mail_->line;
  auto path = path_from_address(from);
  if (auto* e = std::get_if<PathError>(&path)) {
    *error = "sender: " + e->detail;
    return std::nullopt;
  }
  std::vector<EsmtpParam> params;
  // RFC 1870 §3: the size in octets with CRLFs, without dot-stuffing.
  if (size) params.push_back({"SIZE", std::to_string(*size)});
  auto line = take_line(encode_mail(std::get<Path>(path), params), "MAIL", error);
  if (line) mail_ = Remembered{std::string(from), size, *line};
  return line;
}

std::optional<std::string> ClientEnvelope::rcpt(std::size_t index, std::string_view to,
                                                std::string* error) {
  if (index < rcpt_.size() && rcpt_[index] && rcpt_[index]->address == to) {
    return rcpt_[index]->line;
  }
  PathOptions options;
  options.allow_null = false;       // RFC 5321 §4.1.1.3
  options.allow_postmaster = true;  // "<Postmaster>" is a valid forward-path
  auto path = path_from_address(to, options);
  if (auto* e = std::get_if<PathError>(&path)) {
    *error = "recipient " + std::string(to) + ": " + e->detail;
    return std::nullopt;
  }
  auto line = take_line(encode_rcpt(std::get<Path>(path)), "RCPT", error);
  if (line && index < kRememberedRecipients) {
    if (rcpt_.size() <= index) rcpt_.resize(index + 1);
    rcpt_[index] = Remembered{std::string(to), std::nullopt, *line};
  }
  return line;
}

}  // namespace smtp::proto
