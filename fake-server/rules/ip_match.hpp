#pragma once
// An address condition of a rule: one IPv4/IPv6 address, or a CIDR block
// ("127.0.0.0/8", "::1/128"). IPv4-mapped IPv6 peers ("::ffff:127.0.0.1")
// match IPv4 blocks, since a dual-stack listener reports them that way.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtp::fake::rules {

class IpMatch {
 public:
  // nullopt for anything that is not an address or address/prefix.
  static std::optional<IpMatch> parse(std::string_view text);
  bool matches(std::string_view address) const;
  const std::string& text() const { return text_; }

 private:
  std::array<std::uint8_t, 16> bytes_{};  // IPv4 as IPv4-mapped IPv6
  unsigned prefix_ = 128;                 // in IPv6 bits
  std::string text_;
};

}  // namespace smtp::fake::rules
