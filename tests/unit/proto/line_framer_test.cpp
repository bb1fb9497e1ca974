#include "proto/line_framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "support/split.hpp"

namespace smtp::proto::line_framer_test {
namespace {

using Kind = LineFramer::Event::Kind;

// One event, owning its line so it outlives the framer's buffer.
struct Rec {
  Kind kind;
  std::string line;
  LineEnding ending = LineEnding::crlf;
  std::size_t discarded = 0;
  friend bool operator==(const Rec&, const Rec&) = default;
};

std::ostream& operator<<(std::ostream& os, const Rec& r) {
  os << (r.kind == Kind::line ? "line" : r.kind == Kind::overflow ? "overflow" : "need_more");
  os << '(' << testing::PrintToString(r.line) << ", "
     << (r.ending == LineEnding::crlf ? "crlf" : "bare_lf") << ", " << r.discarded << ')';
  return os;
}

Rec line(std::string s, LineEnding e = LineEnding::crlf) {
  return {Kind::line, std::move(s), e, 0};
}
Rec overflow(std::size_t n, LineEnding e = LineEnding::crlf) {
  return {Kind::overflow, "", e, n};
}

// Drains the framer until need_more.
void drain(LineFramer& f, std::vector<Rec>& out) {
  for (;;) {
    const auto ev = f.next();
    if (ev.kind == Kind::need_more) {
      // Memory bound: only a partial line that may still fit is kept.
      EXPECT_LE(f.buffered().size(), f.options().max_line);
      return;
    }
    Rec r{ev.kind, std::string(ev.line), ev.ending, ev.discarded};
    out.push_back(std::move(r));
  }
}

std::vector<Rec> frame(LineFramer::Options o, const std::vector<std::string_view>& chunks) {
  LineFramer f(o);
  std::vector<Rec> out;
  for (auto c : chunks) {
    f.feed(c);
    drain(f, out);
  }
  return out;
}

std::vector<Rec> frame(LineFramer::Options o, std::string_view input) {
  return frame(o, std::vector<std::string_view>{input});
}

LineFramer::Options crlf_only(std::size_t max) {
  return {max, false};
}
LineFramer::Options bare_lf(std::size_t max) {
  return {max, true};
}

// Every chunking gives the events of the whole input.
void expect_split_invariant(LineFramer::Options o, std::string_view input) {
  const auto whole = frame(o, input);
  for (const auto& chunks : smtp::test::every_split(input)) {
    SCOPED_TRACE(smtp::test::describe_split(chunks));
    ASSERT_EQ(frame(o, chunks), whole);
  }
}

TEST(LineFramer, SplitsOnCrlf) {
  EXPECT_EQ(frame(crlf_only(512), "EHLO a\r\nMAIL FROM:<>\r\n\r\n"),
            (std::vector<Rec>{line("EHLO a"), line("MAIL FROM:<>"), line("")}));
}

TEST(LineFramer, NeedMoreUntilCrlf) {
  LineFramer f;
  f.feed("NOOP");
  EXPECT_EQ(f.next().kind, Kind::need_more);
  EXPECT_EQ(f.buffered(), "NOOP");
  f.feed("\r");
  EXPECT_EQ(f.next().kind, Kind::need_more);
  f.feed("\n");
  const auto ev = f.next();
  ASSERT_EQ(ev.kind, Kind::line);
  EXPECT_EQ(ev.line, "NOOP");
  EXPECT_EQ(f.next().kind, Kind::need_more);
  EXPECT_EQ(f.buffered(), "");
}

// docs/CONFORMANCE.md D5, RFC 5321 §2.3.8: "NOOP\n" and "NOOP\r" are not commands.
TEST(LineFramer, BareLfAndBareCrDoNotEndALineByDefault) {
  EXPECT_EQ(frame(crlf_only(512), "NOOP\n"), std::vector<Rec>{});
  EXPECT_EQ(frame(crlf_only(512), "NOOP\r"), std::vector<Rec>{});
  EXPECT_EQ(frame(crlf_only(512), "NOOP\nRSET\r\n"), std::vector<Rec>{line("NOOP\nRSET")});
  EXPECT_EQ(frame(crlf_only(512), "A\rB\r\r\n"), std::vector<Rec>{line("A\rB\r")});
  EXPECT_EQ(frame(crlf_only(512), "\n\r\n"), std::vector<Rec>{line("\n")});
}

TEST(LineFramer, SplitOnBareLfReportsTheEnding) {
  EXPECT_EQ(frame(bare_lf(512), "NOOP\nRSET\r\n\n"),
            (std::vector<Rec>{line("NOOP", LineEnding::bare_lf), line("RSET"),
                              line("", LineEnding::bare_lf)}));
  // A bare CR still stays inside the line.
  EXPECT_EQ(frame(bare_lf(512), "A\rB\n"), std::vector<Rec>{line("A\rB", LineEnding::bare_lf)});
}

// max_line counts the CRLF: exactly max_line octets is a line, one more overflows.
TEST(LineFramer, ExactBoundaryCrlf) {
  EXPECT_EQ(frame(crlf_only(10), "12345678\r\n"), std::vector<Rec>{line("12345678")});
  EXPECT_EQ(frame(crlf_only(10), "123456789\r\nok\r\n"),
            (std::vector<Rec>{overflow(11), line("ok")}));
  // The RFC limit: a 512-octet command line (docs/CONFORMANCE.md L1).
  const std::string max_cmd = std::string(510, 'x') + "\r\n";
  EXPECT_EQ(frame(crlf_only(512), max_cmd), std::vector<Rec>{line(std::string(510, 'x'))});
  EXPECT_EQ(frame(crlf_only(512), "y" + max_cmd), std::vector<Rec>{overflow(513)});
}

TEST(LineFramer, ExactBoundaryBareLfMode) {
  EXPECT_EQ(frame(bare_lf(10), "123456789\n"),
            std::vector<Rec>{line("123456789", LineEnding::bare_lf)});
  EXPECT_EQ(frame(bare_lf(10), "1234567890\n"),
            std::vector<Rec>{overflow(11, LineEnding::bare_lf)});
  EXPECT_EQ(frame(bare_lf(10), "12345678\r\n"), std::vector<Rec>{line("12345678")});
  EXPECT_EQ(frame(bare_lf(10), "123456789\r\n"), std::vector<Rec>{overflow(11)});
}

TEST(LineFramer, TinyLimits) {
  EXPECT_EQ(frame(crlf_only(2), "\r\na\r\n\r\n"),
            (std::vector<Rec>{line(""), overflow(3), line("")}));
  EXPECT_EQ(frame(crlf_only(0), "\r\n"), std::vector<Rec>{overflow(2)});
  EXPECT_EQ(frame(bare_lf(1), "\n\r\n"),
            (std::vector<Rec>{line("", LineEnding::bare_lf), overflow(2)}));
}

// A partial line that already proves too long is dropped at once.
TEST(LineFramer, OverflowingStartsAsSoonAsProven) {
  {
    LineFramer f(crlf_only(10));
    f.feed("12345678");  // may still end with CRLF within 10
    EXPECT_EQ(f.next().kind, Kind::need_more);
    EXPECT_FALSE(f.overflowing());
    EXPECT_EQ(f.buffered(), "12345678");
    f.feed("9");  // 9 octets + CRLF = 11
    EXPECT_EQ(f.next().kind, Kind::need_more);
    EXPECT_TRUE(f.overflowing());
    EXPECT_EQ(f.buffered(), "");
  }
  {
    LineFramer f(crlf_only(10));
    f.feed("12345678\r");  // the CR may be the CRLF's
    EXPECT_EQ(f.next().kind, Kind::need_more);
    EXPECT_FALSE(f.overflowing());
    f.feed("\n");
    const auto ev = f.next();
    ASSERT_EQ(ev.kind, Kind::line);
    EXPECT_EQ(ev.line, "12345678");
  }
  {
    LineFramer f(crlf_only(10));
    f.feed("123456789\r");  // 10 octets, the LF would make 11
    EXPECT_EQ(f.next().kind, Kind::need_more);
    EXPECT_TRUE(f.overflowing());
  }
  {
    LineFramer f(bare_lf(10));
    f.feed("123456789");  // a bare LF would make 10
    EXPECT_EQ(f.next().kind, Kind::need_more);
    EXPECT_FALSE(f.overflowing());
    f.feed("0");
    EXPECT_EQ(f.next().kind, Kind::need_more);
    EXPECT_TRUE(f.overflowing());
  }
}

// The overflow is proven inside feed() too, before the bytes are copied.
TEST(LineFramer, OverflowingDetectedInFeedAfterNeedMore) {
  LineFramer f(crlf_only(10));
  EXPECT_EQ(f.next().kind, Kind::need_more);
  f.feed("0123456789abcdef");
  EXPECT_TRUE(f.overflowing());
  EXPECT_EQ(f.buffered(), "");
  f.feed("xyz\r\nok\r\n");
  EXPECT_FALSE(f.overflowing());
  auto ev = f.next();
  ASSERT_EQ(ev.kind, Kind::overflow);
  EXPECT_EQ(ev.discarded, 21u);
  ev = f.next();
  ASSERT_EQ(ev.kind, Kind::line);
  EXPECT_EQ(ev.line, "ok");
}

TEST(LineFramer, MegabyteLineCostsNoMemory) {
  LineFramer f(crlf_only(512));
  const std::string chunk(4096, 'A');
  std::vector<Rec> out;
  for (int i = 0; i < 256; ++i) {
    f.feed(chunk);
    drain(f, out);
    EXPECT_TRUE(f.overflowing());
    EXPECT_EQ(f.buffered().size(), 0u);
  }
  f.feed("\r\nQUIT\r\n");
  drain(f, out);
  EXPECT_EQ(out, (std::vector<Rec>{overflow(1024 * 1024 + 2), line("QUIT")}));
}

TEST(LineFramer, MegabyteLineInOneChunk) {
  const std::string big = std::string(1024 * 1024, 'B') + "\r\nNOOP\r\n";
  EXPECT_EQ(frame(crlf_only(512), big),
            (std::vector<Rec>{overflow(1024 * 1024 + 2), line("NOOP")}));
}

TEST(LineFramer, CrAndLfInDifferentChunks) {
  EXPECT_EQ(frame(crlf_only(512), std::vector<std::string_view>{"NOOP\r", "\nRSET\r", "\n"}),
            (std::vector<Rec>{line("NOOP"), line("RSET")}));
  // While overflowing.
  EXPECT_EQ(frame(crlf_only(4), std::vector<std::string_view>{"abcdef\r", "\nok\r\n"}),
            (std::vector<Rec>{overflow(8), line("ok")}));
  EXPECT_EQ(frame(crlf_only(4), std::vector<std::string_view>{"abcdef", "gh\r", "\n"}),
            (std::vector<Rec>{overflow(10)}));
  // A CR in one chunk and a non-LF next: the CR is data, the line goes on.
  EXPECT_EQ(frame(crlf_only(4), std::vector<std::string_view>{"abcdef\r", "x\n", "\r\n"}),
            (std::vector<Rec>{overflow(11)}));
}

TEST(LineFramer, BareLfDoesNotEndAnOverflowInCrlfMode) {
  EXPECT_EQ(frame(crlf_only(4), "abcdef\nxy\r\nok\r\n"),
            (std::vector<Rec>{overflow(11), line("ok")}));
  EXPECT_EQ(frame(bare_lf(4), "abcdef\nok\n"),
            (std::vector<Rec>{overflow(7, LineEnding::bare_lf), line("ok", LineEnding::bare_lf)}));
}

// BDAT: after a line the caller reads raw bytes; nothing may be framed or dropped.
TEST(LineFramer, RawAccessAfterALine) {
  LineFramer f(crlf_only(16));
  f.feed("BDAT 40 LAST\r\nabc");
  auto ev = f.next();
  ASSERT_EQ(ev.kind, Kind::line);
  EXPECT_EQ(ev.line, "BDAT 40 LAST");
  EXPECT_EQ(f.buffered(), "abc");
  f.consume(2);
  EXPECT_EQ(f.buffered(), "c");
  // More raw data, longer than max_line and with no CRLF: kept whole.
  const std::string data(37, 'z');
  f.feed(data);
  EXPECT_FALSE(f.overflowing());
  EXPECT_EQ(f.buffered(), "c" + data);
  f.consume(38);
  EXPECT_EQ(f.buffered(), "");
  f.feed("QUIT\r\n");
  ev = f.next();
  ASSERT_EQ(ev.kind, Kind::line);
  EXPECT_EQ(ev.line, "QUIT");
}

// After consume() the next line starts at the new position, even right after a CR.
TEST(LineFramer, ConsumeResetsTheSearch) {
  LineFramer f(crlf_only(64));
  f.feed("X\r");
  EXPECT_EQ(f.next().kind, Kind::need_more);
  f.consume(2);
  f.feed("\nNOOP\r\n");
  const auto ev = f.next();
  ASSERT_EQ(ev.kind, Kind::line);
  EXPECT_EQ(ev.line, "\nNOOP");
}

TEST(LineFramer, ManyLinesThroughOneFramer) {
  LineFramer f(crlf_only(512));
  std::string input;
  for (int i = 0; i < 20000; ++i) input += "RCPT TO:<u" + std::to_string(i) + "@example.org>\r\n";
  // Uneven chunks so lines straddle feeds.
  std::size_t pos = 0;
  int seen = 0;
  for (std::size_t step = 1; pos < input.size(); step = step % 997 + 13) {
    f.feed(std::string_view(input).substr(pos, step));
    pos += step;
    for (auto ev = f.next(); ev.kind != Kind::need_more; ev = f.next()) {
      ASSERT_EQ(ev.kind, Kind::line);
      ASSERT_EQ(ev.line, "RCPT TO:<u" + std::to_string(seen) + "@example.org>");
      ++seen;
    }
  }
  EXPECT_EQ(seen, 20000);
  EXPECT_EQ(f.buffered(), "");
}

TEST(LineFramer, FeedingWithoutDrainingGivesTheSameEvents) {
  LineFramer f(crlf_only(8));
  f.feed("a\r\n0123456789\r");
  f.feed("\nb\r\nc\n\r\n");
  std::vector<Rec> out;
  drain(f, out);
  EXPECT_EQ(out, (std::vector<Rec>{line("a"), overflow(12), line("b"), line("c\n")}));
}

TEST(LineFramer, SplitInvarianceCrlfMode) {
  expect_split_invariant(crlf_only(512), "EHLO client.example\r\nNOOP\nRSET\r\r\n\r\nQUIT\r\n");
  expect_split_invariant(crlf_only(8), "ok\r\n12345678\r\n123456\r\nabcdefghij\r\r\nx\n\r\nend");
  expect_split_invariant(crlf_only(6), "abcdef\r\r\r\n\n\n\r\nab\rcd\r\n");
}

TEST(LineFramer, SplitInvarianceBareLfMode) {
  expect_split_invariant(bare_lf(512), "250-a\n250 b\r\n220 c\r\n\n");
  expect_split_invariant(bare_lf(8), "1234567\n12345678\n123456\r\nabcdefghij\r\nx\n\r\nend");
  expect_split_invariant(bare_lf(3), "ab\nabc\n\r\n\r\r\n\n");
}

}  // namespace
}  // namespace smtp::proto::line_framer_test
