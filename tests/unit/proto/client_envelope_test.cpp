// The client's remembered MAIL and RCPT lines: what is sent never differs
// from what the encoder builds for the same input, hit or miss.
#include "proto/client_envelope.hpp"

#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "proto/command_encoder.hpp"

namespace smtp::proto::client_envelope_test {
namespace {

std::string encoded_rcpt(const std::string& address) {
  PathOptions options;
  options.allow_null = false;
  options.allow_postmaster = true;
  auto path = path_from_address(address, options);
  return std::get<std::string>(encode_rcpt(std::get<Path>(path)));
}

TEST(ClientEnvelope, MailLineWithAndWithoutSize) {
  ClientEnvelope envelope;
  std::string error;
  EXPECT_EQ(envelope.mail("a@example.org", std::nullopt, &error), "MAIL FROM:<a@example.org>\r\n");
  EXPECT_EQ(envelope.mail("a@example.org", 1024, &error),
            "MAIL FROM:<a@example.org> SIZE=1024\r\n");
  // Remembered, then asked again with another size: the size is part of the key.
  EXPECT_EQ(envelope.mail("a@example.org", 99, &error), "MAIL FROM:<a@example.org> SIZE=99\r\n");
  EXPECT_EQ(envelope.mail("", std::nullopt, &error), "MAIL FROM:<>\r\n");
  EXPECT_EQ(envelope.mail("<b@example.org>", std::nullopt, &error),
            "MAIL FROM:<b@example.org>\r\n");
  EXPECT_TRUE(error.empty());
}

TEST(ClientEnvelope, RecipientsRememberedByPositionMatchTheEncoder) {
  ClientEnvelope envelope;
  std::string error;
  const std::string addresses[] = {"r1@example.net", "r2@example.net", "Postmaster"};
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < 3; ++i) {
      auto line = envelope.rcpt(i, addresses[i], &error);
      ASSERT_TRUE(line) << error;
      EXPECT_EQ(*line, encoded_rcpt(addresses[i])) << "round " << round << " position " << i;
    }
  }
  // Another address at a remembered position replaces the line there.
  EXPECT_EQ(envelope.rcpt(0, "other@example.net", &error), "RCPT TO:<other@example.net>\r\n");
  EXPECT_EQ(envelope.rcpt(0, "r1@example.net", &error), "RCPT TO:<r1@example.net>\r\n");
  // Positions far beyond what is remembered still encode.
  EXPECT_EQ(envelope.rcpt(5000, "far@example.net", &error), "RCPT TO:<far@example.net>\r\n");
}

TEST(ClientEnvelope, RefusalsNameTheAddressAndAreNotRemembered) {
  ClientEnvelope envelope;
  std::string error;
  EXPECT_FALSE(envelope.mail("no at sign", std::nullopt, &error));
  EXPECT_EQ(error.rfind("sender: ", 0), 0u) << error;

  error.clear();
  EXPECT_FALSE(envelope.rcpt(0, "", &error));  // the null path is no forward-path
  EXPECT_EQ(error.rfind("recipient : ", 0), 0u) << error;

  error.clear();
  ASSERT_TRUE(envelope.rcpt(0, "ok@example.net", &error));
  EXPECT_FALSE(envelope.rcpt(0, "bad@exa mple.net", &error));
  EXPECT_EQ(error.rfind("recipient bad@exa mple.net: ", 0), 0u) << error;
  // The refused address did not replace the good one.
  EXPECT_EQ(envelope.rcpt(0, "ok@example.net", &error), "RCPT TO:<ok@example.net>\r\n");
}

}  // namespace
}  // namespace smtp::proto::client_envelope_test
