#pragma once
// An endpoint as every message of the project writes it: listeners' errors
// and banners, fake-smtpd's session records, the checks' transcripts.
#include <boost/asio/ip/tcp.hpp>
#include <string>

namespace smtp::net {

// "127.0.0.1:25", "[::1]:25" (the brackets of RFC 3986 §3.2.2, so that the
// port is not read as part of an IPv6 address).
std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint);

}  // namespace smtp::net
