#include "fake-server/rules/ip_match.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace smtp::fake::rules {

namespace {

using Bytes = std::array<std::uint8_t, 16>;

struct Address {
  Bytes bytes{};
  bool v4 = false;
};

// One address in its textual form, IPv4 dotted-quad or IPv6 (RFC 4291 §2.2),
// as inet_pton reads it. IPv4 is stored IPv4-mapped (::ffff:a.b.c.d, RFC 4291
// §2.5.5.2), so a v4 block also matches a dual-stack listener's mapped peers.
std::optional<Address> parse_address(std::string_view text) {
  // INET6_ADDRSTRLEN includes the terminator; anything longer is not an address.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buffer[INET6_ADDRSTRLEN] = {};
  std::memcpy(buffer, text.data(), text.size());
  Address a;
  if (text.find(':') != std::string_view::npos) {
    if (inet_pton(AF_INET6, buffer, a.bytes.data()) != 1) return std::nullopt;
    return a;
  }
  std::uint8_t v4[4];
  if (inet_pton(AF_INET, buffer, v4) != 1) return std::nullopt;
  a.bytes[10] = 0xff;
  a.bytes[11] = 0xff;
  std::memcpy(a.bytes.data() + 12, v4, 4);
  a.v4 = true;
  return a;
}

// A prefix length: decimal digits without a leading zero, at most `max`.
std::optional<unsigned> parse_prefix(std::string_view text, unsigned max) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

}  // namespace

std::optional<IpMatch> IpMatch::parse(std::string_view text) {
  const std::size_t slash = text.find('/');
  const auto address = parse_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  IpMatch m;
  m.bytes_ = address->bytes;
  m.prefix_ = 128;
  if (slash != std::string_view::npos) {
    const auto prefix = parse_prefix(text.substr(slash + 1), address->v4 ? 32 : 128);
    if (!prefix) return std::nullopt;
    // An IPv4 prefix counts from the start of the mapped part (96 bits in).
    m.prefix_ = address->v4 ? *prefix + 96 : *prefix;
  }
  m.text_ = std::string(text);
  return m;
}

bool IpMatch::matches(std::string_view address) const {
  const auto peer = parse_address(address);
  if (!peer) return false;
  const unsigned whole = prefix_ / 8;
  if (std::memcmp(peer->bytes.data(), bytes_.data(), whole) != 0) return false;
  const unsigned rest = prefix_ % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (peer->bytes[whole] & mask) == (bytes_[whole] & mask);
}

}  // namespace smtp::fake::rules
