#include "fake-server/rules/ip_match.hpp"

#include <gtest/gtest.h>

namespace smtp::fake::rules::ip_match_test {
namespace {

IpMatch parsed(std::string_view text) {
  auto m = IpMatch::parse(text);
  EXPECT_TRUE(m.has_value()) << text;
  return m.value_or(IpMatch{});
}

TEST(IpMatch, SingleIpv4Address) {
  const auto m = parsed("192.0.2.7");
  EXPECT_EQ(m.text(), "192.0.2.7");
  EXPECT_TRUE(m.matches("192.0.2.7"));
  EXPECT_FALSE(m.matches("192.0.2.8"));
  EXPECT_FALSE(m.matches("::1"));
}

TEST(IpMatch, Ipv4Block) {
  const auto m = parsed("127.0.0.0/8");
  EXPECT_TRUE(m.matches("127.0.0.1"));
  EXPECT_TRUE(m.matches("127.255.255.255"));
  EXPECT_FALSE(m.matches("128.0.0.1"));
  const auto odd = parsed("192.0.2.128/25");
  EXPECT_TRUE(odd.matches("192.0.2.200"));
  EXPECT_FALSE(odd.matches("192.0.2.127"));
}

TEST(IpMatch, HostBitsOfTheBlockAreIgnored) {
  EXPECT_TRUE(parsed("10.1.2.3/16").matches("10.1.99.99"));
}

TEST(IpMatch, ZeroPrefixMatchesEveryAddressOfItsFamily) {
  const auto v4 = parsed("0.0.0.0/0");
  EXPECT_TRUE(v4.matches("203.0.113.9"));
  EXPECT_FALSE(v4.matches("2001:db8::1"));
  const auto v6 = parsed("::/0");
  EXPECT_TRUE(v6.matches("2001:db8::1"));
  EXPECT_TRUE(v6.matches("10.0.0.1"));  // as ::ffff:10.0.0.1
}

TEST(IpMatch, Ipv6AddressAndBlock) {
  const auto one = parsed("::1");
  EXPECT_TRUE(one.matches("::1"));
  EXPECT_TRUE(one.matches("0:0:0:0:0:0:0:1"));
  EXPECT_FALSE(one.matches("::2"));
  EXPECT_FALSE(one.matches("127.0.0.1"));
  const auto block = parsed("2001:db8::/32");
  EXPECT_TRUE(block.matches("2001:db8:1234::5"));
  EXPECT_TRUE(block.matches("2001:DB8::1"));
  EXPECT_FALSE(block.matches("2001:db9::1"));
}

TEST(IpMatch, MappedPeersMatchIpv4Blocks) {
  const auto m = parsed("127.0.0.0/8");
  EXPECT_TRUE(m.matches("::ffff:127.0.0.1"));
  EXPECT_FALSE(m.matches("::ffff:10.0.0.1"));
  // And a mapped rule matches a plain IPv4 peer.
  EXPECT_TRUE(parsed("::ffff:192.0.2.1").matches("192.0.2.1"));
}

TEST(IpMatch, BadPeerNeverMatches) {
  const auto any = parsed("::/0");
  EXPECT_FALSE(any.matches(""));
  EXPECT_FALSE(any.matches("localhost"));
  EXPECT_FALSE(any.matches("1.2.3.4/8"));
  EXPECT_FALSE(any.matches("1.2.3"));
}

TEST(IpMatch, RefusesWhatIsNotAnAddressOrBlock) {
  for (const char* bad :
       {"",           "/",          "/24",          "1.2.3.4/",     "1.2.3.4/33",
        "::1/129",    "1.2.3.4/-1", "1.2.3.4/+8",   "1.2.3.4/08",   "1.2.3.4/24/1",
        "1.2.3.4/2a", "1.2.3",      "1.2.3.256",    "01.2.3.4x",    "1.2.3.4 ",
        " 1.2.3.4",   "localhost",  "2001:db8:::1", "fe80::1%eth0", "::1/1000"}) {
    EXPECT_FALSE(IpMatch::parse(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(IpMatch, LargestPrefixes) {
  EXPECT_TRUE(parsed("1.2.3.4/32").matches("1.2.3.4"));
  EXPECT_FALSE(parsed("1.2.3.4/32").matches("1.2.3.5"));
  EXPECT_TRUE(parsed("::1/128").matches("::1"));
}

}  // namespace
}  // namespace smtp::fake::rules::ip_match_test
