#include "proto/server_params.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace smtp::proto::server_params_test {
namespace {

Command with_params(Verb verb, std::vector<EsmtpParam> params) {
  Command cmd;
  cmd.verb = verb;
  cmd.params = std::move(params);
  return cmd;
}

EsmtpParam kv(std::string k, std::string v) {
  return {std::move(k), std::move(v)};
}
EsmtpParam flag(std::string k) {
  return {std::move(k), std::nullopt};
}

class MailParams : public ::testing::Test {
 protected:
  std::optional<ServerReply> mail(std::vector<EsmtpParam> params, bool auth_offered = false) {
    envelope = {};
    return apply_mail_params(with_params(Verb::mail, std::move(params)), config, auth_offered,
                             envelope);
  }
  ServerConfig config;
  Envelope envelope;
};

TEST_F(MailParams, SizeWithinLimitIsRecorded) {
  config.max_message_size = 1000;
  EXPECT_EQ(mail({kv("SIZE", "1000")}), std::nullopt);
  EXPECT_EQ(envelope.declared_size, 1000u);
}

TEST_F(MailParams, SizeOverLimitIs552) {  // docs/CONFORMANCE.md X1
  config.max_message_size = 1000;
  EXPECT_EQ(mail({kv("SIZE", "1001")}), ServerReply::size_declared_too_big);
  EXPECT_EQ(mail({kv("SIZE", "99999999999999999999")}), ServerReply::size_declared_too_big);
}

TEST_F(MailParams, SizeZeroLimitMeansNoLimit) {
  config.max_message_size = 0;
  EXPECT_EQ(mail({kv("SIZE", "99999999999999999999")}), std::nullopt);  // > 2^64: saturates
  EXPECT_EQ(envelope.declared_size, UINT64_MAX);
}

TEST_F(MailParams, SizeSyntaxErrorsAre501) {  // RFC 1870: 1*20DIGIT
  EXPECT_EQ(mail({kv("SIZE", "abc")}), ServerReply::bad_arguments);
  EXPECT_EQ(mail({kv("SIZE", "")}), ServerReply::bad_arguments);
  EXPECT_EQ(mail({flag("SIZE")}), ServerReply::bad_arguments);
  EXPECT_EQ(mail({kv("SIZE", "123456789012345678901")}), ServerReply::bad_arguments);
  EXPECT_EQ(mail({kv("SIZE", "-1")}), ServerReply::bad_arguments);
}

TEST_F(MailParams, BodyValues) {  // docs/CONFORMANCE.md X2
  EXPECT_EQ(mail({kv("BODY", "8BITMIME")}), std::nullopt);
  EXPECT_EQ(envelope.body, BodyType::eight_bit_mime);
  EXPECT_EQ(mail({kv("BODY", "7bit")}), std::nullopt);
  EXPECT_EQ(envelope.body, BodyType::seven_bit);
  EXPECT_EQ(mail({kv("BODY", "FOO")}), ServerReply::bad_arguments);
  EXPECT_EQ(mail({kv("BODY", "BINARYMIME")}), ServerReply::bad_arguments);
}

TEST_F(MailParams, SmtputfHasNoValue) {
  EXPECT_EQ(mail({flag("SMTPUTF8")}), std::nullopt);
  EXPECT_TRUE(envelope.smtputf8);
  EXPECT_EQ(mail({kv("SMTPUTF8", "yes")}), ServerReply::bad_arguments);
}

TEST_F(MailParams, DsnRetAndEnvid) {  // docs/CONFORMANCE.md X4
  EXPECT_EQ(mail({kv("RET", "HDRS"), kv("ENVID", "QQ314159+2Bx")}), std::nullopt);
  EXPECT_EQ(mail({kv("RET", "SOME")}), ServerReply::bad_arguments);
  EXPECT_EQ(mail({kv("ENVID", "a=b")}), ServerReply::bad_arguments);
  EXPECT_EQ(mail({kv("ENVID", std::string(101, 'x'))}), ServerReply::bad_arguments);
}

TEST_F(MailParams, AuthParameterOnlyWhenAuthOffered) {  // docs/CONFORMANCE.md A8
  EXPECT_EQ(mail({kv("AUTH", "<>")}, true), std::nullopt);
  EXPECT_EQ(mail({kv("AUTH", "user+40example.org")}, true), std::nullopt);
  EXPECT_EQ(mail({kv("AUTH", "<>")}, false), ServerReply::unsupported_parameter);
}

TEST_F(MailParams, UnknownParameterIs555) {  // docs/CONFORMANCE.md C8
  EXPECT_EQ(mail({kv("FOO", "BAR")}), ServerReply::unsupported_parameter);
}

TEST_F(MailParams, SwitchedOffExtensionMakesItsParameterUnknown) {
  config.extensions.size = false;
  EXPECT_EQ(mail({kv("SIZE", "10")}), ServerReply::unsupported_parameter);
  config.extensions.dsn = false;
  EXPECT_EQ(mail({kv("RET", "FULL")}), ServerReply::unsupported_parameter);
}

TEST_F(MailParams, DuplicateParameterIs501) {
  EXPECT_EQ(mail({kv("SIZE", "1"), kv("SIZE", "2")}), ServerReply::bad_arguments);
}

TEST(RcptParams, NotifyForms) {
  ServerConfig config;
  auto rcpt = [&](std::string v) {
    return check_rcpt_params(with_params(Verb::rcpt, {kv("NOTIFY", std::move(v))}), config);
  };
  EXPECT_EQ(rcpt("NEVER"), std::nullopt);
  EXPECT_EQ(rcpt("SUCCESS,FAILURE,DELAY"), std::nullopt);
  EXPECT_EQ(rcpt("failure"), std::nullopt);
  EXPECT_EQ(rcpt("NEVER,SUCCESS"), ServerReply::bad_arguments);
  EXPECT_EQ(rcpt("SUCCESS,SUCCESS"), ServerReply::bad_arguments);
  EXPECT_EQ(rcpt("SUCCESS,"), ServerReply::bad_arguments);
  EXPECT_EQ(rcpt("ALWAYS"), ServerReply::bad_arguments);
}

TEST(RcptParams, OrcptNeedsTypeAndXtext) {
  ServerConfig config;
  auto rcpt = [&](std::string v) {
    return check_rcpt_params(with_params(Verb::rcpt, {kv("ORCPT", std::move(v))}), config);
  };
  EXPECT_EQ(rcpt("rfc822;user@example.org"), std::nullopt);
  EXPECT_EQ(rcpt("rfc822;"), ServerReply::bad_arguments);
  EXPECT_EQ(rcpt(";user@example.org"), ServerReply::bad_arguments);
  EXPECT_EQ(rcpt("user@example.org"), ServerReply::bad_arguments);
  EXPECT_EQ(rcpt("rfc822;a+zz"), ServerReply::bad_arguments);
}

TEST(Xtext, HexcharMustBeUpperCaseHex) {
  EXPECT_TRUE(is_xtext("abc+2B+3D"));
  EXPECT_FALSE(is_xtext("abc+2b"));
  EXPECT_FALSE(is_xtext("abc+2"));
  EXPECT_FALSE(is_xtext("a b"));
  EXPECT_FALSE(is_xtext("a=b"));
  EXPECT_FALSE(is_xtext("\xc3\xa9"));
}

}  // namespace
}  // namespace smtp::proto::server_params_test
