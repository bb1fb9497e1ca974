#include "fake-server/received_header.hpp"

#include "common/rfc5322_date.hpp"

namespace smtp::fake {

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
  out += common::rfc5322_date(f.when);
  out += "\r\n";
  return out;
}

}  // namespace smtp::fake
