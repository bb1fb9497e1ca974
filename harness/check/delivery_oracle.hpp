#pragma once
// The delivery oracle (README, "The delivery oracle"): some requirements can
// only be judged from what the target delivered, e.g. that dot-stuffed lines
// arrive unstuffed (RFC 5321 §4.5.2) or that a Received: line was prepended
// (§4.4).
// The operator has the target relay test mail to a capture server the
// harness runs; a check finds its message there by a token it put in the
// recipient, the Subject and the Message-ID (t:delivered).
//
// This is the runner's view of it: no Asio, no server. The capture server
// itself is composed in harness/app/ (a fake-smtpd core that stores mail).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace smtp::check {

class DeliveryOracle {
 public:
  virtual ~DeliveryOracle() = default;
  // The first message received so far whose text holds `token` as a whole
  // word (see holds_token), as the target delivered it: the capture
  // server's own trace line is not part of it. nullopt: none yet. Called
  // from the runner's thread; must not block for long.
  virtual std::optional<std::string> find(std::string_view token) = 0;
  // Where it listens, "host:port", for transcripts.
  virtual std::string where() const = 0;
};

// True when `text` holds `token` with no letter or digit right before or
// after it: t:unique() tokens are a prefix and a counter, so token 1 must not
// match in a message of token 12.
bool holds_token(std::string_view text, std::string_view token);

}  // namespace smtp::check
