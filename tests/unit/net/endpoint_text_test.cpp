#include "net/endpoint_text.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>

namespace smtp::net::endpoint_text_test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

TEST(EndpointText, Ipv4IsAddressColonPort) {
  EXPECT_EQ(endpoint_text(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 25)), "127.0.0.1:25");
  EXPECT_EQ(endpoint_text(tcp::endpoint(asio::ip::make_address("192.0.2.7"), 65535)),
            "192.0.2.7:65535");
}

TEST(EndpointText, Ipv6IsBracketed) {
  EXPECT_EQ(endpoint_text(tcp::endpoint(asio::ip::make_address("::1"), 2525)), "[::1]:2525");
  EXPECT_EQ(endpoint_text(tcp::endpoint(asio::ip::make_address("2001:db8::25"), 0)),
            "[2001:db8::25]:0");
}

}  // namespace
}  // namespace smtp::net::endpoint_text_test
