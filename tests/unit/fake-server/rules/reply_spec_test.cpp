#include "fake-server/rules/reply_spec.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp::fake::rules::reply_spec_test {
namespace {

ReplySpec parse_ok(std::string_view text) {
  auto result = parse_reply_spec(text);
  if (const auto* error = std::get_if<std::string>(&result)) {
    ADD_FAILURE() << "'" << text << "': " << *error;
    return {};
  }
  return std::get<ReplySpec>(result);
}

std::string parse_error(std::string_view text) {
  auto result = parse_reply_spec(text);
  if (const auto* error = std::get_if<std::string>(&result)) return *error;
  ADD_FAILURE() << "'" << text << "' parsed";
  return {};
}

// --- parsing --------------------------------------------------------------

TEST(ParseReplySpec, CodeAlone) {
  EXPECT_EQ(parse_ok("250"), (ReplySpec{250, std::nullopt, {""}}));
  EXPECT_EQ(parse_ok("250 "), (ReplySpec{250, std::nullopt, {""}}));
}

TEST(ParseReplySpec, CodeAndText) {
  EXPECT_EQ(parse_ok("451 Try again later"), (ReplySpec{451, std::nullopt, {"Try again later"}}));
}

TEST(ParseReplySpec, CodeEnhancedAndText) {
  EXPECT_EQ(parse_ok("451 4.3.0 Try again later"),
            (ReplySpec{451, proto::EnhancedCode{4, 3, 0}, {"Try again later"}}));
  EXPECT_EQ(parse_ok("550 5.7.10 No"), (ReplySpec{550, proto::EnhancedCode{5, 7, 10}, {"No"}}));
}

TEST(ParseReplySpec, CodeAndEnhancedWithoutText) {
  EXPECT_EQ(parse_ok("550 5.1.1"), (ReplySpec{550, proto::EnhancedCode{5, 1, 1}, {""}}));
  EXPECT_EQ(parse_ok("550 5.1.1 "), (ReplySpec{550, proto::EnhancedCode{5, 1, 1}, {""}}));
}

TEST(ParseReplySpec, TextStartingWithANumberIsText) {
  EXPECT_EQ(parse_ok("452 10 recipients is enough"),
            (ReplySpec{452, std::nullopt, {"10 recipients is enough"}}));
}

TEST(ParseReplySpec, NewlinesSplitLines) {
  EXPECT_EQ(parse_ok("250 first\nsecond\r\nthird"),
            (ReplySpec{250, std::nullopt, {"first", "second", "third"}}));
}

TEST(ParseReplySpec, NewlinesSplitLinesAfterEnhancedCode) {
  EXPECT_EQ(parse_ok("451 4.3.0 first\nsecond\r\nthird"),
            (ReplySpec{451, proto::EnhancedCode{4, 3, 0}, {"first", "second", "third"}}));
  EXPECT_EQ(parse_ok("451 4.3.0\nsecond"),
            (ReplySpec{451, proto::EnhancedCode{4, 3, 0}, {"", "second"}}));
  EXPECT_EQ(parse_ok("250\nsecond\n"), (ReplySpec{250, std::nullopt, {"", "second", ""}}));
}

TEST(ParseReplySpec, TabIsAllowedInText) {
  EXPECT_EQ(parse_ok("250 a\tb"), (ReplySpec{250, std::nullopt, {"a\tb"}}));
}

TEST(ParseReplySpec, LineOf500OctetsIsTheLongest) {
  EXPECT_EQ(parse_ok("250 " + std::string(500, 'a')).lines.front().size(), 500u);
  EXPECT_EQ(parse_error("250 " + std::string(501, 'a')),
            "reply line 1 is 501 octets long (at most 500, RFC 5321 §4.5.3.1.5)");
  EXPECT_EQ(parse_error("250 ok\n" + std::string(600, 'a')),
            "reply line 2 is 600 octets long (at most 500, RFC 5321 §4.5.3.1.5)");
}

TEST(ParseReplySpec, ErrorEmpty) {
  EXPECT_EQ(parse_error(""), "empty reply (expected \"ddd [x.y.z] text\")");
}

TEST(ParseReplySpec, ErrorCodeOutOfRange) {
  EXPECT_EQ(parse_error("612 nope"),
            "invalid reply code '612' (must be 2-5, 0-5, 0-9: RFC 5321 §4.2)");
  EXPECT_EQ(parse_error("199"), "invalid reply code '199' (must be 2-5, 0-5, 0-9: RFC 5321 §4.2)");
  EXPECT_EQ(parse_error("600"), "invalid reply code '600' (must be 2-5, 0-5, 0-9: RFC 5321 §4.2)");
  EXPECT_EQ(parse_error("099 x"),
            "invalid reply code '099' (must be 2-5, 0-5, 0-9: RFC 5321 §4.2)");
}

TEST(ParseReplySpec, ErrorCodeNotThreeDigits) {
  EXPECT_EQ(parse_error("260 ok"),
            "invalid reply code '260' (must be 2-5, 0-5, 0-9: RFC 5321 §4.2)");
  EXPECT_EQ(parse_error("25 ok"), "invalid reply code '25' (must be 2-5, 0-5, 0-9: RFC 5321 §4.2)");
  EXPECT_EQ(parse_error("2500 ok"),
            "invalid reply code '2500' (must be 2-5, 0-5, 0-9: RFC 5321 §4.2)");
  EXPECT_EQ(parse_error("25x ok"),
            "invalid reply code '25x' (must be 2-5, 0-5, 0-9: RFC 5321 §4.2)");
  EXPECT_EQ(parse_error("250-ok"),
            "invalid reply code '250-ok' (must be 2-5, 0-5, 0-9: RFC 5321 §4.2)");
  EXPECT_EQ(parse_error(" 250 ok"), "invalid reply code '' (must be 2-5, 0-5, 0-9: RFC 5321 §4.2)");
  EXPECT_EQ(parse_error("ok"), "invalid reply code 'ok' (must be 2-5, 0-5, 0-9: RFC 5321 §4.2)");
}

TEST(ParseReplySpec, ErrorEnhancedClassMismatch) {
  EXPECT_EQ(parse_error("451 5.1.1 No"), "enhanced code 5.1.1 does not match reply class 4");
  EXPECT_EQ(parse_error("250 4.0.0"), "enhanced code 4.0.0 does not match reply class 2");
  EXPECT_EQ(parse_error("354 2.0.0 go ahead"), "enhanced code 2.0.0 does not match reply class 3");
}

TEST(ParseReplySpec, ErrorMalformedEnhancedCode) {
  const std::string tail = " (must be class.subject.detail with class 2, 4 or 5, RFC 3463 §2)";
  EXPECT_EQ(parse_error("451 4.03.0 x"), "invalid enhanced status code '4.03.0'" + tail);
  EXPECT_EQ(parse_error("451 3.1.1 x"), "invalid enhanced status code '3.1.1'" + tail);
  EXPECT_EQ(parse_error("451 4.1 x"), "invalid enhanced status code '4.1'" + tail);
  EXPECT_EQ(parse_error("451 4.1.1000"), "invalid enhanced status code '4.1.1000'" + tail);
  EXPECT_EQ(parse_error("451 4.1.1."), "invalid enhanced status code '4.1.1.'" + tail);
}

TEST(ParseReplySpec, ErrorBareCr) {
  EXPECT_EQ(parse_error("250 a\rb"), "reply text contains a CR that does not end a line");
  EXPECT_EQ(parse_error("250 a\r\r\nb"), "reply text contains a CR that does not end a line");
}

TEST(ParseReplySpec, ErrorControlCharacters) {
  EXPECT_EQ(parse_error(std::string_view("250 a\0b", 7)),
            "reply text contains the control character 0x00");
  EXPECT_EQ(parse_error("250 a\x1b[31m"), "reply text contains the control character 0x1b");
  EXPECT_EQ(parse_error("250 ok\nbad\x7f"), "reply text contains the control character 0x7f");
}

// --- rendering ------------------------------------------------------------

TEST(RenderReply, PlainWithoutEnhancedCodes) {
  const ReplySpec spec{451, proto::EnhancedCode{4, 3, 0}, {"Try again later"}};
  EXPECT_EQ(render(spec, {false, "fake.test"}), "451 Try again later\r\n");
}

TEST(RenderReply, EnhancedCodeOfTheSpec) {
  const ReplySpec spec{451, proto::EnhancedCode{4, 3, 0}, {"Try again later"}};
  EXPECT_EQ(render(spec, {true, "fake.test"}), "451 4.3.0 Try again later\r\n");
}

TEST(RenderReply, EnhancedCodeMadeUpFromTheClass) {
  EXPECT_EQ(render({550, std::nullopt, {"No"}}, {true, ""}), "550 5.0.0 No\r\n");
  EXPECT_EQ(render({250, std::nullopt, {"Ok"}}, {true, ""}), "250 2.0.0 Ok\r\n");
}

TEST(RenderReply, ThreeHundredsNeverCarryAnEnhancedCode) {
  EXPECT_EQ(render({354, std::nullopt, {"Go ahead"}}, {true, ""}), "354 Go ahead\r\n");
}

TEST(RenderReply, EmptyText) {
  EXPECT_EQ(render({250, std::nullopt, {""}}, {false, ""}), "250\r\n");
  EXPECT_EQ(render({250, std::nullopt, {""}}, {true, ""}), "250 2.0.0\r\n");
  EXPECT_EQ(render({250, std::nullopt, {}}, {false, ""}), "250\r\n");
}

TEST(RenderReply, MultiLineRepeatsTheEnhancedCode) {
  const ReplySpec spec{452, proto::EnhancedCode{4, 2, 2}, {"Mailbox full", "Try later"}};
  EXPECT_EQ(render(spec, {true, ""}), "452-4.2.2 Mailbox full\r\n452 4.2.2 Try later\r\n");
  EXPECT_EQ(render(spec, {false, ""}), "452-Mailbox full\r\n452 Try later\r\n");
}

TEST(RenderReply, MultiLineWithEmptyLines) {
  const ReplySpec spec{250, std::nullopt, {"", "b", ""}};
  EXPECT_EQ(render(spec, {false, ""}), "250-\r\n250-b\r\n250\r\n");
}

TEST(RenderReply, Code421CarriesTheHostnameAfterTheEnhancedCode) {
  const ReplySpec spec{421, proto::EnhancedCode{4, 7, 0}, {"Too busy"}};
  EXPECT_EQ(render(spec, {true, "fake.test"}), "421 4.7.0 fake.test Too busy\r\n");
  EXPECT_EQ(render(spec, {false, "fake.test"}), "421 fake.test Too busy\r\n");
}

TEST(RenderReply, Code220CarriesTheHostname) {
  EXPECT_EQ(render({220, std::nullopt, {"Hello"}}, {false, "fake.test"}),
            "220 fake.test Hello\r\n");
  EXPECT_EQ(render({220, std::nullopt, {""}}, {false, "fake.test"}), "220 fake.test\r\n");
  EXPECT_EQ(render({220, std::nullopt, {""}}, {true, "fake.test"}), "220 2.0.0 fake.test\r\n");
}

TEST(RenderReply, HostnameNotRepeated) {
  EXPECT_EQ(render({421, std::nullopt, {"fake.test closing"}}, {false, "fake.test"}),
            "421 fake.test closing\r\n");
  EXPECT_EQ(render({421, std::nullopt, {"fake.test"}}, {false, "fake.test"}), "421 fake.test\r\n");
  // A longer name that merely starts with it is another name.
  EXPECT_EQ(render({421, std::nullopt, {"fake.testing bye"}}, {false, "fake.test"}),
            "421 fake.test fake.testing bye\r\n");
}

TEST(RenderReply, HostnameOnlyOnTheFirstLine) {
  const ReplySpec spec{220, std::nullopt, {"Hello", "Welcome"}};
  EXPECT_EQ(render(spec, {false, "fake.test"}), "220-fake.test Hello\r\n220 Welcome\r\n");
}

TEST(RenderReply, OtherCodesCarryNoHostname) {
  EXPECT_EQ(render({450, std::nullopt, {"x"}}, {false, "fake.test"}), "450 x\r\n");
}

TEST(RenderReply, ParseThenRenderRoundTrip) {
  const auto spec = parse_ok("451 4.3.0 Try again later\nor never");
  EXPECT_EQ(render(spec, {true, ""}), "451-4.3.0 Try again later\r\n451 4.3.0 or never\r\n");
}

}  // namespace
}  // namespace smtp::fake::rules::reply_spec_test

namespace smtp::fake::rules::reply_spec_test {
namespace {

TEST(ParseReplySpec, TextIsAsciiOnly) {
  const auto parsed = parse_reply_spec("550 5.1.1 Benutzer unbekannt \xc3\xa4");
  ASSERT_TRUE(std::holds_alternative<std::string>(parsed));
  EXPECT_EQ(std::get<std::string>(parsed),
            "reply text must be ASCII (RFC 5321 §4.2); use raw for other octets");
}

}  // namespace
}  // namespace smtp::fake::rules::reply_spec_test

namespace smtp::fake::rules::reply_spec_test {
namespace {

TEST(ParseReplySpec, LinesAreBounded) {
  std::string hundred = "250 a";
  for (int i = 1; i < 100; ++i) hundred += "\nb";
  EXPECT_TRUE(std::holds_alternative<ReplySpec>(parse_reply_spec(hundred)));
  const auto parsed = parse_reply_spec(hundred + "\nc");
  ASSERT_TRUE(std::holds_alternative<std::string>(parsed));
  EXPECT_EQ(std::get<std::string>(parsed), "reply has 101 lines (at most 100)");
}

}  // namespace
}  // namespace smtp::fake::rules::reply_spec_test
