#pragma once
// The trace line a receiving SMTP server MUST prepend (RFC 5321 §4.4), with the
// protocol types of RFC 3848 (ESMTP, ESMTPS, ESMTPA, ESMTPSA).
#include <chrono>
#include <string>
#include <string_view>

namespace smtp::fake {

struct ReceivedFacts {
  std::string_view client_name;  // EHLO/HELO argument
  std::string_view peer_ip;      // "127.0.0.1" or "::1"
  std::string_view hostname;     // ours
  bool esmtp = true;
  bool tls = false;
  bool authenticated = false;
  std::string_view queue_id;
  std::string_view recipient;  // "for <...>" only with exactly one recipient (§4.4)
  std::chrono::system_clock::time_point when;
};

std::string received_header(const ReceivedFacts& facts);

}  // namespace smtp::fake
