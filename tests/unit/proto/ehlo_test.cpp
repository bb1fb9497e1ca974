#include "proto/ehlo.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/reply_parser.hpp"
#include "support/split.hpp"

namespace smtp::proto::ehlo_test {
namespace {

using Strings = std::vector<std::string>;

Reply reply(std::string_view wire) {
  ReplyParser p;
  p.feed(wire);
  auto r = p.next();
  if (!std::holds_alternative<Reply>(r)) {
    ADD_FAILURE() << "not a reply: " << testing::PrintToString(std::string(wire));
    return {};
  }
  return std::get<Reply>(std::move(r));
}

Capabilities caps(std::string_view wire) {
  auto r = parse_ehlo(reply(wire));
  if (!std::holds_alternative<Capabilities>(r)) {
    ADD_FAILURE() << "parse_ehlo failed: " << std::get<EhloError>(r).detail;
    return {};
  }
  return std::get<Capabilities>(std::move(r));
}

const char* const kPostfix =
    "250-mx.example.org\r\n"
    "250-PIPELINING\r\n"
    "250-SIZE 10240000\r\n"
    "250-VRFY\r\n"
    "250-ETRN\r\n"
    "250-STARTTLS\r\n"
    "250-AUTH PLAIN LOGIN\r\n"
    "250-AUTH=PLAIN LOGIN\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-8BITMIME\r\n"
    "250-DSN\r\n"
    "250-SMTPUTF8\r\n"
    "250 CHUNKING\r\n";

TEST(Ehlo, TypicalPostfixReply) {
  const Capabilities c = caps(kPostfix);
  EXPECT_EQ(c.domain, "mx.example.org");
  EXPECT_EQ(c.greeting, "");
  EXPECT_TRUE(c.problems.empty());
  Strings keywords;
  for (const auto& i : c.items) keywords.push_back(i.keyword);
  EXPECT_EQ(keywords, (Strings{"PIPELINING", "SIZE", "VRFY", "ETRN", "STARTTLS", "AUTH", "AUTH=",
                               "ENHANCEDSTATUSCODES", "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"}));
  EXPECT_EQ(c.size_limit(), 10240000u);
  EXPECT_EQ(c.auth_mechanisms(), (Strings{"PLAIN", "LOGIN"}));
  EXPECT_TRUE(c.has("chunking"));
  EXPECT_TRUE(c.has("Auth"));
  EXPECT_FALSE(c.has("BINARYMIME"));
  ASSERT_NE(c.find("auth"), nullptr);
  EXPECT_EQ(c.find("auth")->params, (Strings{"PLAIN", "LOGIN"}));
  EXPECT_EQ(c.find("nope"), nullptr);
}

TEST(Ehlo, DomainAndGreeting) {
  Capabilities c =
      caps("250-mx.example.org Hello client.example [192.0.2.1], pleased\r\n250 HELP\r\n");
  EXPECT_EQ(c.domain, "mx.example.org");
  EXPECT_EQ(c.greeting, "Hello client.example [192.0.2.1], pleased");
  c = caps("250 mx.example.org   spaced greeting \r\n");
  EXPECT_EQ(c.domain, "mx.example.org");
  EXPECT_EQ(c.greeting, "spaced greeting ");
  EXPECT_TRUE(c.items.empty());
  c = caps("250\r\n");
  EXPECT_EQ(c.domain, "");
  EXPECT_EQ(c.greeting, "");
}

TEST(Ehlo, KeywordsUpperCasedParamsKeepCase) {
  const Capabilities c = caps("250-mx\r\n250-x-Foo Bar baZ\r\n250 size 100\r\n");
  ASSERT_EQ(c.items.size(), 2u);
  EXPECT_EQ(c.items[0].keyword, "X-FOO");
  EXPECT_EQ(c.items[0].params, (Strings{"Bar", "baZ"}));
  EXPECT_EQ(c.items[1].keyword, "SIZE");
  EXPECT_EQ(c.size_limit(), 100u);
  EXPECT_TRUE(c.problems.empty());
}

TEST(Ehlo, RepeatedSpacesAreTolerated) {
  const Capabilities c = caps("250-mx\r\n250-AUTH  PLAIN   LOGIN \r\n250  SIZE 5\r\n");
  ASSERT_EQ(c.items.size(), 2u);
  EXPECT_EQ(c.items[0].params, (Strings{"PLAIN", "LOGIN"}));
  EXPECT_EQ(c.items[1].keyword, "SIZE");
  EXPECT_TRUE(c.problems.empty());
}

TEST(Ehlo, LegacyAuthEquals) {
  Capabilities c = caps("250-mx\r\n250 AUTH=LOGIN PLAIN\r\n");
  ASSERT_EQ(c.items.size(), 1u);
  EXPECT_EQ(c.items[0].keyword, "AUTH=");
  EXPECT_EQ(c.items[0].params, (Strings{"LOGIN", "PLAIN"}));
  EXPECT_FALSE(c.has("AUTH"));
  EXPECT_TRUE(c.has("auth="));
  EXPECT_EQ(c.auth_mechanisms(), (Strings{"LOGIN", "PLAIN"}));
  EXPECT_TRUE(c.problems.empty());

  c = caps("250-mx\r\n250-auth=login\r\n250 AUTH=\r\n");
  ASSERT_EQ(c.items.size(), 2u);
  EXPECT_EQ(c.items[0].keyword, "AUTH=");
  EXPECT_EQ(c.items[0].params, (Strings{"login"}));
  EXPECT_TRUE(c.items[1].params.empty());
  EXPECT_EQ(c.auth_mechanisms(), (Strings{"LOGIN"}));
}

TEST(Ehlo, AuthMechanismsMergedDeduplicatedUpperCased) {
  const Capabilities c = caps(
      "250-mx\r\n250-AUTH cram-md5 PLAIN\r\n250-AUTH=LOGIN plain\r\n250 AUTH XOAUTH2 Login\r\n");
  EXPECT_EQ(c.auth_mechanisms(), (Strings{"CRAM-MD5", "PLAIN", "LOGIN", "XOAUTH2"}));
  EXPECT_TRUE(caps("250 mx\r\n").auth_mechanisms().empty());
}

TEST(Ehlo, SizeLimit) {
  EXPECT_EQ(caps("250-mx\r\n250 SIZE 10240000\r\n").size_limit(), 10240000u);
  // RFC 1870 §4: no parameter or 0 means no fixed maximum.
  EXPECT_EQ(caps("250-mx\r\n250 SIZE\r\n").size_limit(), 0u);
  EXPECT_EQ(caps("250-mx\r\n250 SIZE 0\r\n").size_limit(), 0u);
  EXPECT_EQ(caps("250-mx\r\n250 SIZE 18446744073709551615\r\n").size_limit(),
            18446744073709551615u);
  EXPECT_EQ(caps("250-mx\r\n250 SIZE 18446744073709551616\r\n").size_limit(), std::nullopt);
  EXPECT_EQ(caps("250-mx\r\n250 SIZE 10M\r\n").size_limit(), std::nullopt);
  EXPECT_EQ(caps("250-mx\r\n250 SIZE -1\r\n").size_limit(), std::nullopt);
  EXPECT_EQ(caps("250-mx\r\n250 PIPELINING\r\n").size_limit(), std::nullopt);
}

TEST(Ehlo, MalformedLinesAreRecordedAndParsingGoesOn) {
  const Capabilities c = caps(
      "250-mx\r\n250-\r\n250-   \r\n250-X_FOO bar\r\n250--DASH\r\n250-SIZE=5\r\n"
      "250-OK \xc3\xa9\r\n250 HELP\r\n");
  ASSERT_EQ(c.problems.size(), 6u);
  EXPECT_EQ(c.problems[0].kind, EhloErrorKind::empty_line);
  EXPECT_EQ(c.problems[0].line, 1u);
  EXPECT_EQ(c.problems[1].kind, EhloErrorKind::empty_line);
  EXPECT_EQ(c.problems[1].line, 2u);
  EXPECT_EQ(c.problems[2].kind, EhloErrorKind::bad_keyword);
  EXPECT_EQ(c.problems[2].line, 3u);
  EXPECT_NE(c.problems[2].detail.find("X_FOO"), std::string::npos);
  EXPECT_EQ(c.problems[3].kind, EhloErrorKind::bad_keyword);
  EXPECT_EQ(c.problems[3].line, 4u);
  EXPECT_EQ(c.problems[4].kind, EhloErrorKind::bad_keyword);
  EXPECT_EQ(c.problems[4].line, 5u);
  EXPECT_EQ(c.problems[5].kind, EhloErrorKind::bad_param);
  EXPECT_EQ(c.problems[5].line, 6u);
  EXPECT_NE(c.problems[5].detail.find("\\xc3\\xa9"), std::string::npos) << c.problems[5].detail;
  // The malformed ones are still kept, in order.
  Strings keywords;
  for (const auto& i : c.items) keywords.push_back(i.keyword);
  EXPECT_EQ(keywords, (Strings{"X_FOO", "-DASH", "SIZE=5", "OK", "HELP"}));
  EXPECT_TRUE(c.has("help"));
}

TEST(Ehlo, OnlyA250Parses) {
  for (const char* wire : {"502 5.5.1 Command not implemented\r\n", "251 odd\r\n",
                           "421-4.3.2 busy\r\n421 bye\r\n", "220 mx\r\n"}) {
    SCOPED_TRACE(wire);
    const auto r = parse_ehlo(reply(wire));
    ASSERT_TRUE(std::holds_alternative<EhloError>(r));
    EXPECT_EQ(std::get<EhloError>(r).kind, EhloErrorKind::not_positive);
  }
  EXPECT_TRUE(std::holds_alternative<EhloError>(parse_ehlo(Reply{250, {}})));
}

TEST(Ehlo, ErrorKindNames) {
  EXPECT_EQ(to_string(EhloErrorKind::not_positive), "not_positive");
  EXPECT_EQ(to_string(EhloErrorKind::bad_keyword), "bad_keyword");
  EXPECT_EQ(to_string(EhloErrorKind::empty_line), "empty_line");
  EXPECT_EQ(to_string(EhloErrorKind::bad_param), "bad_param");
}

// The EHLO reply goes through the streaming parser: chunking must not matter.
TEST(Ehlo, SplitInvariance) {
  const std::string_view wire = kPostfix;
  const Capabilities whole = caps(wire);
  for (const auto& chunks : smtp::test::every_split(wire)) {
    SCOPED_TRACE(smtp::test::describe_split(chunks));
    ReplyParser p;
    std::optional<Reply> got;
    for (auto c : chunks) {
      p.feed(c);
      auto r = p.next();
      ASSERT_FALSE(std::holds_alternative<ReplyError>(r));
      if (auto* rep = std::get_if<Reply>(&r)) got = std::move(*rep);
    }
    ASSERT_TRUE(got.has_value());
    const auto c = std::get<Capabilities>(parse_ehlo(*got));
    ASSERT_EQ(c.items.size(), whole.items.size());
    for (std::size_t i = 0; i < c.items.size(); ++i) {
      EXPECT_EQ(c.items[i].keyword, whole.items[i].keyword);
      EXPECT_EQ(c.items[i].params, whole.items[i].params);
    }
    EXPECT_EQ(c.domain, whole.domain);
  }
}

}  // namespace
}  // namespace smtp::proto::ehlo_test
