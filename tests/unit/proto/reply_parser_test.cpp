#include "proto/reply_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "support/split.hpp"

namespace smtp::proto::reply_parser_test {
namespace {

using Limits = ReplyParser::Limits;

// A printable summary of one result, so whole result sequences compare.
std::string describe(const ReplyResult& r) {
  if (std::holds_alternative<NeedMore>(r)) return "need_more";
  if (const auto* e = std::get_if<ReplyError>(&r)) {
    return "error " + std::string(to_string(e->kind)) + " @" + std::to_string(e->offset) + ": " +
           e->detail;
  }
  const auto& rep = std::get<Reply>(r);
  std::string s = "reply " + std::to_string(rep.code);
  for (const auto& l : rep.lines) {
    s += " [" + l.text + (l.enhanced ? " {" + l.enhanced->to_string() + "}" : "") + "]";
  }
  return s;
}

// Feeds the chunks, draining after each, and returns every result up to and
// including the final NeedMore or error.
std::vector<std::string> run(Limits limits, const std::vector<std::string_view>& chunks) {
  ReplyParser p(limits);
  std::vector<std::string> out;
  for (auto c : chunks) {
    p.feed(c);
    for (;;) {
      const auto r = p.next();
      if (std::holds_alternative<NeedMore>(r)) break;
      out.push_back(describe(r));
      if (std::holds_alternative<ReplyError>(r)) return out;
    }
  }
  out.push_back("need_more");
  return out;
}

std::vector<std::string> run(std::string_view input, Limits limits = {}) {
  return run(limits, std::vector<std::string_view>{input});
}

void expect_split_invariant(std::string_view input, Limits limits = {}) {
  const auto whole = run(input, limits);
  for (const auto& chunks : smtp::test::every_split(input)) {
    SCOPED_TRACE(smtp::test::describe_split(chunks));
    ASSERT_EQ(run(limits, chunks), whole);
  }
}

Reply parse_one(std::string_view input) {
  ReplyParser p;
  p.feed(input);
  auto r = p.next();
  EXPECT_TRUE(std::holds_alternative<Reply>(r)) << describe(r);
  if (!std::holds_alternative<Reply>(r)) return {};
  EXPECT_TRUE(std::holds_alternative<NeedMore>(p.next()));
  return std::get<Reply>(std::move(r));
}

ReplyError parse_error(std::string_view input, Limits limits = {}) {
  ReplyParser p(limits);
  p.feed(input);
  for (int i = 0; i < 1000; ++i) {
    auto r = p.next();
    if (auto* e = std::get_if<ReplyError>(&r)) return *e;
    if (std::holds_alternative<NeedMore>(r)) break;
  }
  ADD_FAILURE() << "no error for " << testing::PrintToString(std::string(input));
  return {ReplyErrorKind::trailing_data, "", 0};
}

TEST(ReplyParser, SingleLineWithEnhancedCode) {
  const Reply r = parse_one("250 2.1.0 Ok\r\n");
  EXPECT_EQ(r.code, 250);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0].text, "2.1.0 Ok");
  ASSERT_TRUE(r.enhanced().has_value());
  EXPECT_EQ(r.enhanced()->to_string(), "2.1.0");
  EXPECT_EQ(r.message(), "Ok");
}

TEST(ReplyParser, CodeAloneOrWithEmptyText) {
  Reply r = parse_one("250\r\n");
  EXPECT_EQ(r.code, 250);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0].text, "");
  r = parse_one("354 \r\n");
  EXPECT_EQ(r.code, 354);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0].text, "");
}

TEST(ReplyParser, MultilineEhlo) {
  const Reply r = parse_one(
      "250-mx.example.org Hello [192.0.2.1]\r\n"
      "250-SIZE 10240000\r\n"
      "250-\r\n"
      "250-2.0.0 coded\r\n"
      "250 HELP\r\n");
  EXPECT_EQ(r.code, 250);
  ASSERT_EQ(r.lines.size(), 5u);
  EXPECT_EQ(r.lines[0].text, "mx.example.org Hello [192.0.2.1]");
  EXPECT_EQ(r.lines[1].text, "SIZE 10240000");
  EXPECT_EQ(r.lines[2].text, "");
  EXPECT_EQ(r.lines[3].text, "2.0.0 coded");
  EXPECT_EQ(r.lines[4].text, "HELP");
  EXPECT_FALSE(r.lines[0].enhanced.has_value());
  ASSERT_TRUE(r.lines[3].enhanced.has_value());  // parsed on every line
  EXPECT_EQ(r.lines[3].enhanced->to_string(), "2.0.0");
}

TEST(ReplyParser, TextMayHoldTabsSpacesAndUtf8) {
  const Reply r =
      parse_one("550 5.1.1 \t<j\xc3\xb6rg@example.org> \xe2\x9c\x93 \xf0\x9f\x98\x80 ~\r\n");
  EXPECT_EQ(r.lines[0].text, "5.1.1 \t<j\xc3\xb6rg@example.org> \xe2\x9c\x93 \xf0\x9f\x98\x80 ~");
  EXPECT_EQ(r.message(), "\t<j\xc3\xb6rg@example.org> \xe2\x9c\x93 \xf0\x9f\x98\x80 ~");
}

TEST(ReplyParser, PipelinedRepliesInOneChunk) {
  EXPECT_EQ(
      run("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 Go ahead\r\n"),
      (std::vector<std::string>{"reply 250 [2.1.0 Ok {2.1.0}]", "reply 250 [2.1.5 Ok {2.1.5}]",
                                "reply 354 [Go ahead]", "need_more"}));
}

TEST(ReplyParser, NeedMoreForPartialInput) {
  ReplyParser p;
  EXPECT_TRUE(std::holds_alternative<NeedMore>(p.next()));
  p.feed("250-first\r\n250 sec");
  EXPECT_TRUE(std::holds_alternative<NeedMore>(p.next()));
  p.feed("ond\r");
  EXPECT_TRUE(std::holds_alternative<NeedMore>(p.next()));
  p.feed("\n");
  const auto r = p.next();
  ASSERT_TRUE(std::holds_alternative<Reply>(r));
  EXPECT_EQ(describe(r), "reply 250 [first] [second]");
  EXPECT_EQ(p.offset(), 23u);
}

TEST(ReplyParser, CodeRange) {
  EXPECT_EQ(parse_one("200 a\r\n").code, 200);
  EXPECT_EQ(parse_one("559 a\r\n").code, 559);
  EXPECT_EQ(parse_one("459 a\r\n").code, 459);
  for (const char* bad :
       {"199 a\r\n", "600 a\r\n", "160 a\r\n", "260 a\r\n", "2a0 a\r\n", "25\r\n", "\r\n", "2\r\n",
        "abc\r\n", " 250 a\r\n", "000\r\n", "25a\r\n", "+OK\r\n"}) {
    SCOPED_TRACE(bad);
    const auto e = parse_error(bad);
    EXPECT_EQ(e.kind, ReplyErrorKind::invalid_code);
    EXPECT_EQ(e.offset, 0u);
  }
}

TEST(ReplyParser, BadSeparator) {
  for (const char* bad : {"250x\r\n", "250\tok\r\n", "250_ok\r\n", "2500 ok\r\n", "250\r\r\n"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(parse_error(bad).kind, ReplyErrorKind::bad_separator);
  }
  const auto e = parse_error("250-a\r\n250=b\r\n");
  EXPECT_EQ(e.kind, ReplyErrorKind::bad_separator);
  EXPECT_EQ(e.offset, 7u);
}

TEST(ReplyParser, NonPrintable) {
  for (std::string_view bad : {
           std::string_view("250 a\0b\r\n", 9),           // NUL
           std::string_view("250 a\rb\r\n"),              // bare CR
           std::string_view("250 a\x7f\r\n"),             // DEL
           std::string_view("250 a\x1b[31m\r\n"),         // ESC
           std::string_view("250 \xc0\x80\r\n"),          // overlong NUL
           std::string_view("250 \xc1\xbf\r\n"),          // overlong
           std::string_view("250 \xe0\x9f\xbf\r\n"),      // overlong 3-byte
           std::string_view("250 \xed\xa0\x80\r\n"),      // surrogate
           std::string_view("250 \xf0\x8f\xbf\xbf\r\n"),  // overlong 4-byte
           std::string_view("250 \xf4\x90\x80\x80\r\n"),  // above U+10FFFF
           std::string_view("250 \xf5\x80\x80\x80\r\n"),
           std::string_view("250 \xff\r\n"),
           std::string_view("250 \x80\r\n"),      // lone continuation
           std::string_view("250 \xe2\x82\r\n"),  // truncated
           std::string_view("250 \xe2\x82x\r\n"),
       }) {
    SCOPED_TRACE(testing::PrintToString(std::string(bad)));
    EXPECT_EQ(parse_error(bad).kind, ReplyErrorKind::non_printable);
  }
  // Boundaries that are well-formed.
  EXPECT_EQ(parse_one("250 \xc2\x80 \xdf\xbf \xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80 "
                      "\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf\r\n")
                .code,
            250);
}

TEST(ReplyParser, DetailQuotesTheBytesEscaped) {
  const auto e = parse_error(std::string("250-ok\r\n250 a") + '\0' + "\x1b\r\n");
  EXPECT_EQ(e.kind, ReplyErrorKind::non_printable);
  EXPECT_EQ(e.offset, 8u);
  EXPECT_NE(e.detail.find("\\x00"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("250 a\\x00\\x1b"), std::string::npos) << e.detail;
  for (char c : e.detail) {
    EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f)
        << e.detail;
  }
}

TEST(ReplyParser, BareLineFeed) {
  auto e = parse_error("250 ok\n");
  EXPECT_EQ(e.kind, ReplyErrorKind::bare_line_feed);
  EXPECT_EQ(e.offset, 0u);
  EXPECT_NE(e.detail.find("250 ok"), std::string::npos);
  e = parse_error("250-a\r\n250 b\n");
  EXPECT_EQ(e.kind, ReplyErrorKind::bare_line_feed);
  EXPECT_EQ(e.offset, 7u);
}

TEST(ReplyParser, MixedCodes) {
  const auto e = parse_error("250-a\r\n251 b\r\n");
  EXPECT_EQ(e.kind, ReplyErrorKind::mixed_codes);
  EXPECT_EQ(e.offset, 7u);
  EXPECT_EQ(parse_error("250-a\r\n250-b\r\n550 c\r\n").kind, ReplyErrorKind::mixed_codes);
}

TEST(ReplyParser, TooManyLines) {
  const Limits three{2048, 3};
  EXPECT_EQ(run("250-a\r\n250-b\r\n250 c\r\n", three),
            (std::vector<std::string>{"reply 250 [a] [b] [c]", "need_more"}));
  const auto e = parse_error("250-a\r\n250-b\r\n250-c\r\n250 d\r\n", three);
  EXPECT_EQ(e.kind, ReplyErrorKind::too_many_lines);
  EXPECT_EQ(e.offset, 21u);
}

TEST(ReplyParser, LineTooLongAtTheExactBoundary) {
  const Limits lim{16, 512};
  // 16 octets with the CRLF: accepted.
  EXPECT_EQ(run("250 0123456789\r\n", lim),
            (std::vector<std::string>{"reply 250 [0123456789]", "need_more"}));
  // 17: refused.
  const auto e = parse_error("220 ok\r\n250 0123456789a\r\n", lim);
  EXPECT_EQ(e.kind, ReplyErrorKind::line_too_long);
  EXPECT_EQ(e.offset, 8u);
}

TEST(ReplyParser, LineTooLongWithoutWaitingForTheEnd) {
  ReplyParser p(Limits{64, 512});
  p.feed("250-" + std::string(100, 'x'));
  const auto r = p.next();
  ASSERT_TRUE(std::holds_alternative<ReplyError>(r));
  EXPECT_EQ(std::get<ReplyError>(r).kind, ReplyErrorKind::line_too_long);
  EXPECT_EQ(std::get<ReplyError>(r).offset, 0u);
}

TEST(ReplyParser, ErrorsAreSticky) {
  ReplyParser p;
  p.feed("250-a\r\n251 b\r\n");
  const auto first = describe(p.next());
  EXPECT_EQ(first.rfind("error mixed_codes @7", 0), 0u) << first;
  p.feed("250 fine\r\n");
  EXPECT_EQ(describe(p.next()), first);
  EXPECT_EQ(describe(p.expect_no_trailing_data()), first);
}

TEST(ReplyParser, NoTrailingDataAfterGreeting) {
  ReplyParser p;
  p.feed("220 mx.example.org ESMTP\r\n");
  ASSERT_TRUE(std::holds_alternative<Reply>(p.next()));
  EXPECT_TRUE(std::holds_alternative<NeedMore>(p.expect_no_trailing_data()));
  EXPECT_TRUE(std::holds_alternative<NeedMore>(p.expect_no_trailing_data()));
}

// CVE-2011-0411: bytes after the STARTTLS 220 would be taken as if from inside TLS.
TEST(ReplyParser, TrailingDataAfterStarttls) {
  ReplyParser p;
  p.feed("250 ok\r\n220 2.0.0 Ready to start TLS\r\n250 injected\r\n");
  ASSERT_TRUE(std::holds_alternative<Reply>(p.next()));
  ASSERT_TRUE(std::holds_alternative<Reply>(p.next()));
  EXPECT_EQ(p.buffered(), "250 injected\r\n");
  const auto r = p.expect_no_trailing_data();
  ASSERT_TRUE(std::holds_alternative<ReplyError>(r));
  const auto& e = std::get<ReplyError>(r);
  EXPECT_EQ(e.kind, ReplyErrorKind::trailing_data);
  EXPECT_EQ(e.offset, 38u);
  EXPECT_NE(e.detail.find("250 injected\\r\\n"), std::string::npos) << e.detail;
  // Sticky.
  EXPECT_EQ(describe(p.next()), describe(r));
}

TEST(ReplyParser, TrailingDataArrivingLater) {
  ReplyParser p;
  p.feed("220 go ahead\r\n");
  ASSERT_TRUE(std::holds_alternative<Reply>(p.next()));
  EXPECT_TRUE(std::holds_alternative<NeedMore>(p.next()));
  p.feed("\x16\x03\x01");
  EXPECT_EQ(p.buffered(), "\x16\x03\x01");
  const auto r = p.expect_no_trailing_data();
  ASSERT_TRUE(std::holds_alternative<ReplyError>(r));
  EXPECT_EQ(std::get<ReplyError>(r).offset, 14u);
}

TEST(ReplyParser, Offsets) {
  ReplyParser p;
  p.feed("250 a\r\n250-b\r\n250 c\r\n");
  EXPECT_TRUE(std::holds_alternative<Reply>(p.next()));
  EXPECT_EQ(p.offset(), 7u);
  EXPECT_TRUE(std::holds_alternative<Reply>(p.next()));
  EXPECT_EQ(p.offset(), 21u);
}

TEST(ReplyParser, ErrorKindNames) {
  EXPECT_EQ(to_string(ReplyErrorKind::line_too_long), "line_too_long");
  EXPECT_EQ(to_string(ReplyErrorKind::too_many_lines), "too_many_lines");
  EXPECT_EQ(to_string(ReplyErrorKind::invalid_code), "invalid_code");
  EXPECT_EQ(to_string(ReplyErrorKind::bad_separator), "bad_separator");
  EXPECT_EQ(to_string(ReplyErrorKind::mixed_codes), "mixed_codes");
  EXPECT_EQ(to_string(ReplyErrorKind::non_printable), "non_printable");
  EXPECT_EQ(to_string(ReplyErrorKind::bare_line_feed), "bare_line_feed");
  EXPECT_EQ(to_string(ReplyErrorKind::trailing_data), "trailing_data");
}

// How the load sessions and the checks report a malformed reply.
TEST(ReplyParser, ErrorTextIsKindThenDetail) {
  const auto e = parse_error("250 Ok\n");
  EXPECT_EQ(to_string(e), "bare_line_feed: " + e.detail);
  EXPECT_EQ(to_string(ReplyError{ReplyErrorKind::mixed_codes, "250 then 251", 0}),
            "mixed_codes: 250 then 251");
}

TEST(ReplyParser, EncodeRoundTrip) {
  for (const char* in : {"250 2.1.0 Ok\r\n", "250\r\n", "250-a\r\n250-\r\n250 b\r\n",
                         "550 5.7.1  spaced  \r\n", "421-4.3.2 one\r\n421 4.3.2 two\r\n"}) {
    SCOPED_TRACE(in);
    const Reply r = parse_one(in);
    EXPECT_EQ(parse_one(r.encode()), r);
  }
  EXPECT_EQ(parse_one("250 \r\n").encode(), "250\r\n");
}

TEST(ReplyParser, SplitInvarianceOfReplies) {
  expect_split_invariant(
      "220 mx.example.org ESMTP\r\n"
      "250-mx.example.org\r\n250-PIPELINING\r\n250-SIZE 100\r\n250 8BITMIME\r\n"
      "250 2.1.0 Ok\r\n250\r\n354 \r\n550 5.1.1 \xc3\xa9\r\n");
}

TEST(ReplyParser, SplitInvarianceOfErrors) {
  expect_split_invariant("250 ok\r\n250-a\r\n251 b\r\n");
  expect_split_invariant("250 ok\r\n250 b\n250 c\r\n");
  expect_split_invariant("250 ok\r\n25x\r\n");
  expect_split_invariant("250 ok\r\n250?\r\n");
  expect_split_invariant(std::string_view("250 ok\r\n250 \0\r\n", 15));
  expect_split_invariant("250 ok\r\n250 a\rb\r\n");
  expect_split_invariant("220 ok\r\n250 0123456789ab\r\n250 x\r\n", Limits{16, 512});
  expect_split_invariant("220 ok\r\n250 01234567890123456789", Limits{16, 512});
  expect_split_invariant("250-a\r\n250-b\r\n250-c\r\n250 d\r\n", Limits{2048, 3});
}

}  // namespace
}  // namespace smtp::proto::reply_parser_test
