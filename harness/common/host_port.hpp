#pragma once
// "HOST:PORT" as given to --listen, --api and --target: "127.0.0.1:2525",
// "[::1]:25", "localhost:0", "mx.example.org:25". The port is required.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtp::common {

struct HostPort {
  std::string host;  // without brackets
  std::uint16_t port = 0;
  std::string to_string() const;  // brackets around IPv6 literals
};

std::optional<HostPort> parse_host_port(std::string_view text);

}  // namespace smtp::common
