#include "fake-server/received_header.hpp"

#include <ctime>

namespace smtp::fake {
namespace {

// RFC 5322 §3.3 date-time in UTC, e.g. "Sat, 21 Nov 2026 23:40:00 +0000".
std::string rfc5322_date(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  const auto n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return std::string(buf, n);
}

}  // namespace

std::string received_header(const ReceivedFacts& f) {
  // RFC 3848 §2-§3: "ESMTP" + "S" for TLS + "A" for AUTH; "SMTP" after HELO.
  std::string protocol = f.esmtp ? "ESMTP" : "SMTP";
  if (f.esmtp && f.tls) protocol += 'S';
  if (f.esmtp && f.authenticated) protocol += 'A';
  const bool v6 = f.peer_ip.find(':') != std::string_view::npos;
  std::string out = "Received: from ";
  out += f.client_name.empty() ? std::string_view("unknown") : f.client_name;
  out += " (";
  out += v6 ? "[IPv6:" : "[";
  out += f.peer_ip;
  out += "])\r\n\tby ";
  out += f.hostname;
  out += " (fake-smtpd) with ";
  out += protocol;
  out += " id ";
  out += f.queue_id;
  if (!f.recipient.empty()) {
    out += "\r\n\tfor ";
    out += f.recipient;
  }
  out += "; ";
  out += rfc5322_date(f.when);
  out += "\r\n";
  return out;
}

}  // namespace smtp::fake
