#include "fake-server/received_header.hpp"

#include <gtest/gtest.h>

namespace smtp::fake::received_header_test {
namespace {

ReceivedFacts facts() {
  ReceivedFacts f;
  f.client_name = "client.example";
  f.peer_ip = "127.0.0.1";
  f.hostname = "mx.test";
  f.queue_id = "7.1";
  f.when = std::chrono::system_clock::from_time_t(1795305600);  // 2026-11-22 00:00:00 UTC
  return f;
}

TEST(ReceivedHeader, PlainEsmtp) {
  EXPECT_EQ(received_header(facts()),
            "Received: from client.example ([127.0.0.1])\r\n\tby mx.test (fake-smtpd) with ESMTP "
            "id 7.1; Sun, 22 Nov 2026 00:00:00 +0000\r\n");
}

TEST(ReceivedHeader, ProtocolTypesOfRfc3848) {
  auto f = facts();
  f.tls = true;
  EXPECT_NE(received_header(f).find("with ESMTPS id"), std::string::npos);
  f.authenticated = true;
  EXPECT_NE(received_header(f).find("with ESMTPSA id"), std::string::npos);
  f.tls = false;
  EXPECT_NE(received_header(f).find("with ESMTPA id"), std::string::npos);
  f.esmtp = false;
  EXPECT_NE(received_header(f).find("with SMTP id"), std::string::npos);
}

TEST(ReceivedHeader, Ipv6LiteralAndSingleRecipient) {
  auto f = facts();
  f.peer_ip = "::1";
  f.recipient = "<bob@example.net>";
  const auto h = received_header(f);
  EXPECT_NE(h.find("([IPv6:::1])"), std::string::npos);
  EXPECT_NE(h.find("\r\n\tfor <bob@example.net>; "), std::string::npos);
}

TEST(ReceivedHeader, MissingHeloSaysUnknown) {
  auto f = facts();
  f.client_name = "";
  EXPECT_EQ(received_header(f).rfind("Received: from unknown ([127.0.0.1])", 0), 0u);
}

}  // namespace
}  // namespace smtp::fake::received_header_test
