#include "load/delivery_token.hpp"

#include <gtest/gtest.h>

#include "load/header_fields.hpp"

namespace smtp::load {
namespace {

TEST(DeliveryToken, VerpSenderCarriesTheToken) {
  EXPECT_EQ(verp_sender("load@harness.test", "0a1b2c3d.17"), "load+0a1b2c3d.17@harness.test");
  EXPECT_EQ(verp_sender("<load@harness.test>", "t.1"), "<load+t.1@harness.test>");
  EXPECT_EQ(verp_sender("\"a b\"@x.test", "t.1"), "\"a b+t.1\"@x.test");
  EXPECT_EQ(verp_sender("", "t.1"), "");  // the null reverse-path stays null
  EXPECT_EQ(verp_sender("<>", "t.1"), "<>");
}

TEST(DeliveryToken, SeqIsFoundOnlyAsAWholeTokenOfTheRun) {
  EXPECT_EQ(token_seq("load+0a1b2c3d.17", "0a1b2c3d"), 17u);
  EXPECT_EQ(token_seq("0a1b2c3d.4", "0a1b2c3d"), 4u);
  EXPECT_EQ(token_seq(" 0a1b2c3d.5", "0a1b2c3d"), 5u);
  EXPECT_FALSE(token_seq("load+ffffffff.17", "0a1b2c3d"));  // another run's
  EXPECT_FALSE(token_seq("x0a1b2c3d.17", "0a1b2c3d"));      // not at a word's start
  EXPECT_FALSE(token_seq("load+0a1b2c3d.", "0a1b2c3d"));
}

TEST(DeliveryToken, StampAddsFieldsBeforeTheEmptyLineWithTheBodysDigest) {
  std::string content = "From: <a@b>\r\nSubject: x\r\n\r\nbody\r\n";
  stamp_message(content, "t.1");
  EXPECT_EQ(content, "From: <a@b>\r\nSubject: x\r\nX-Harness-Token: t.1\r\nX-Harness-Digest: " +
                         digest_text(body_digest("body\r\n")) + "\r\n\r\nbody\r\n");
  EXPECT_EQ(message_body(content), "body\r\n");
}

TEST(DeliveryToken, StampHandlesAMessageWithoutBodyOrHeader) {
  std::string header_only = "Subject: x\r\n";
  stamp_message(header_only, "t.1");
  EXPECT_EQ(message_body(header_only), "");
  EXPECT_NE(header_only.find("X-Harness-Token: t.1\r\n"), std::string::npos);
  EXPECT_TRUE(header_only.ends_with("\r\n\r\n"));

  std::string ends_blank = "Subject: x\r\n\r\n";
  stamp_message(ends_blank, "t.2");
  EXPECT_TRUE(ends_blank.starts_with("Subject: x\r\nX-Harness-Token: t.2\r\n")) << ends_blank;
  EXPECT_EQ(message_body(ends_blank), "");

  std::string body_only = "\r\nbody\r\n";
  stamp_message(body_only, "t.3");
  EXPECT_EQ(message_body(body_only), "body\r\n");
  EXPECT_TRUE(body_only.starts_with("X-Harness-Token: t.3\r\n"));
}

TEST(DeliveryToken, DigestTellsBodiesApart) {
  EXPECT_NE(body_digest("a\r\n"), body_digest("b\r\n"));
  EXPECT_NE(body_digest(".x\r\n"), body_digest("..x\r\n"));  // stuffing not undone
  EXPECT_EQ(digest_text(0x0123456789abcdefULL), "fnv1a64=0123456789abcdef");
}

TEST(HeaderFields, UnfoldsContinuationLines) {
  const std::string header = "To: a@b,\r\n c@d\r\nSubject:  hi \r\nnot a field\r\n\r\nX: body\r\n";
  const auto fields = header_fields(header);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].name, "To");
  EXPECT_EQ(unfolded_value(fields[0].value), "a@b, c@d");
  EXPECT_EQ(unfolded_value(fields[1].value), "hi");
  EXPECT_EQ(lower_name("Message-ID"), "message-id");
}

}  // namespace
}  // namespace smtp::load
