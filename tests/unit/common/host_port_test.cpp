#include "common/host_port.hpp"

#include <gtest/gtest.h>

namespace smtp::common::host_port_test {
namespace {

TEST(ParseHostPort, Ipv4NameAndPortZero) {
  auto a = parse_host_port("127.0.0.1:2525");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 2525);
  auto b = parse_host_port("localhost:0");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "localhost");
  EXPECT_EQ(b->port, 0);
}

TEST(ParseHostPort, BracketedIpv6) {
  auto a = parse_host_port("[::1]:25");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 25);
  EXPECT_EQ(a->to_string(), "[::1]:25");
}

TEST(ParseHostPort, RefusesAmbiguousOrIncomplete) {
  for (auto bad : {"", "127.0.0.1", ":25", "host:", "::1:25", "[::1]25", "[::1]:", "h:65536",
                   "h:-1", "h:25x"}) {
    EXPECT_EQ(parse_host_port(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace smtp::common::host_port_test
