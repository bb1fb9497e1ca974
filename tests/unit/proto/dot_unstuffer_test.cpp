#include "proto/dot_unstuffer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "dot_unstuffer_oracle.hpp"
#include "proto/byte_scan.hpp"
#include "support/split.hpp"

namespace smtp::proto::dot_unstuffer_test {

void PrintTo(const DataEvent& e, std::ostream* os) {
  *os << to_string(e.anomaly);
  if (e.variant != FakeTerminator::none) *os << '/' << to_string(e.variant);
  *os << '@' << e.offset;
}

namespace {

using namespace std::string_view_literals;
using smtp::test::run_unstuffer;
using smtp::test::UnstuffOutcome;

// No cap on events, so tests see all of them.
DotUnstuffer::Options all_events(std::size_t max_line = 1000) {
  return {.max_line = max_line, .max_events = 1'000'000};
}

UnstuffOutcome whole(std::string_view in, DotUnstuffer::Options options = all_events()) {
  return run_unstuffer({in}, options);
}

// Every chunking gives exactly what one feed gives (ARCHITECTURE.md §7), and what
// the naive oracle gives. Returns the one-shot result.
UnstuffOutcome checked(std::string_view in, DotUnstuffer::Options options = all_events()) {
  const UnstuffOutcome one = whole(in, options);
  for (const auto& chunks : smtp::test::every_split(in)) {
    SCOPED_TRACE(smtp::test::describe_split(chunks));
    EXPECT_EQ(run_unstuffer(chunks, options), one);
  }
  UnstuffOutcome sorted = one;
  smtp::test::sort_events(sorted.events);
  EXPECT_EQ(sorted, smtp::test::oracle_unstuff(in, options.max_line));
  return one;
}

std::uint64_t count(const UnstuffOutcome& r, DataAnomaly a) {
  return r.counts[static_cast<std::size_t>(a)];
}
std::uint64_t count(const UnstuffOutcome& r, FakeTerminator v) {
  return r.variants[static_cast<std::size_t>(v)];
}

DataEvent fake_at(FakeTerminator v, std::uint64_t offset) {
  return {DataAnomaly::fake_terminator, v, offset};
}
DataEvent event(DataAnomaly a, std::uint64_t offset) {
  return {a, FakeTerminator::none, offset};
}

TEST(DotUnstuffer, TerminatorAtTheStartIsAnEmptyMessage) {
  const auto r = checked(".\r\n");
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.consumed, 3u);
  EXPECT_EQ(r.body, "");
  EXPECT_TRUE(r.events.empty());
}

TEST(DotUnstuffer, KeepsTheCrlfBeforeTheTerminator) {
  const auto r = checked("Subject: x\r\n\r\nHello\r\n.\r\n");
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.consumed, 24u);
  EXPECT_EQ(r.body, "Subject: x\r\n\r\nHello\r\n");
  EXPECT_TRUE(r.events.empty());
}

TEST(DotUnstuffer, StopsAtTheTerminatorAndLeavesPipelinedCommands) {
  // RFC 2920: what follows the terminator is the next command, not data.
  const std::string_view in = "a\r\n.\r\nMAIL FROM:<x@y>\r\n";
  const auto r = checked(in);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.consumed, 6u);
  EXPECT_EQ(r.body, "a\r\n");

  DotUnstuffer u;
  std::string body;
  auto first = u.feed(in, &body);
  EXPECT_EQ(first.consumed, 6u);
  EXPECT_TRUE(first.complete);
  EXPECT_EQ(u.wire_size(), 6u);
  EXPECT_EQ(u.message_size(), 3u);
  auto again = u.feed("more\r\n.\r\n", &body);
  EXPECT_EQ(again.consumed, 0u);
  EXPECT_TRUE(again.complete);
  EXPECT_EQ(body, "a\r\n");
}

TEST(DotUnstuffer, IncompleteDataConsumesEverything) {
  const auto r = checked("line one\r\nline two\r\n.");
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.consumed, 21u);
  EXPECT_EQ(r.body, "line one\r\nline two\r\n");  // the dot's meaning is pending
}

TEST(DotUnstuffer, RemovesTransparencyDots) {
  // docs/CONFORMANCE.md D2: "..", "..x", ".x" arrive as ".", ".x", "x" (§4.5.2).
  const auto r = checked("..\r\n..x\r\n.x\r\n...\r\n.\r\n");
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.body, ".\r\n.x\r\nx\r\n..\r\n");
  EXPECT_TRUE(r.events.empty());
}

TEST(DotUnstuffer, DotsInsideALineAreData) {
  const auto r = checked("a.b\r\n a.\r\n.\r\n");
  EXPECT_EQ(r.body, "a.b\r\n a.\r\n");
}

TEST(DotUnstuffer, ADotAfterABareLineEndIsDataNotATransparencyDot) {
  // §2.3.8: only CRLF starts a line.
  const auto r = checked("a\n.b\r\nc\r.d\r\n.\r\n");
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.body, "a\n.b\r\nc\r.d\r\n");
  EXPECT_EQ(count(r, DataAnomaly::bare_lf), 1u);
  EXPECT_EQ(count(r, DataAnomaly::bare_cr), 1u);
  EXPECT_EQ(count(r, DataAnomaly::fake_terminator), 0u);
  EXPECT_EQ(r.events,
            (std::vector{event(DataAnomaly::bare_lf, 1), event(DataAnomaly::bare_cr, 7)}));
}

TEST(DotUnstuffer, CountsBareLineEndsAndNuls) {
  const auto r = checked("a\nb\rc\0d\r\r\nx\n\r\n.\r\n"sv);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.body, "a\nb\rc\0d\r\r\nx\n\r\n"sv);
  EXPECT_EQ(count(r, DataAnomaly::bare_lf), 2u);
  EXPECT_EQ(count(r, DataAnomaly::bare_cr), 2u);
  EXPECT_EQ(count(r, DataAnomaly::nul), 1u);
  EXPECT_EQ(count(r, DataAnomaly::fake_terminator), 0u);
  EXPECT_EQ(r.events, (std::vector{event(DataAnomaly::bare_lf, 1), event(DataAnomaly::bare_cr, 3),
                                   event(DataAnomaly::nul, 5), event(DataAnomaly::bare_cr, 7),
                                   event(DataAnomaly::bare_lf, 11)}));
}

TEST(DotUnstuffer, ATrailingCrIsClassifiedWhenItsNextByteArrives) {
  DotUnstuffer u(all_events());
  std::string body;
  u.feed("abc\r", &body);
  EXPECT_EQ(u.count(DataAnomaly::bare_cr), 0u);
  EXPECT_EQ(body, "abc\r");
  u.feed("x", &body);
  EXPECT_EQ(u.count(DataAnomaly::bare_cr), 1u);
  EXPECT_EQ(u.events(), (std::vector{event(DataAnomaly::bare_cr, 3)}));
}

// docs/CONFORMANCE.md D3: every look-alike followed by a pipelined transaction and
// then the real end. One message, the look-alike kept as data.
struct SmugglingCase {
  FakeTerminator variant;
  std::string_view kept;  // the variant's bytes as they appear in the message
  std::uint64_t bare_lf, bare_cr, nul;
};

// gtest lists a parameter it cannot print as its raw bytes, and ctest takes
// that text into the test's name: print the variant, so names are stable.
void PrintTo(const SmugglingCase& c, std::ostream* out) {
  *out << to_string(c.variant);
}

class Smuggling : public testing::TestWithParam<SmugglingCase> {};

TEST_P(Smuggling, EndsOnlyAtTheRealTerminator) {
  const auto& c = GetParam();
  const std::string smuggled = "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nsmuggled\r\n";
  const std::string in = "body" + std::string(bytes_of(c.variant)) + smuggled + ".\r\nQUIT\r\n";
  const auto r = checked(in);
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.consumed, in.size() - 6);
  EXPECT_EQ(r.body, "body" + std::string(c.kept) + smuggled);
  EXPECT_EQ(count(r, DataAnomaly::fake_terminator), 1u);
  EXPECT_EQ(count(r, c.variant), 1u);
  EXPECT_EQ(count(r, DataAnomaly::bare_lf), c.bare_lf);
  EXPECT_EQ(count(r, DataAnomaly::bare_cr), c.bare_cr);
  EXPECT_EQ(count(r, DataAnomaly::nul), c.nul);
  int fakes = 0;
  for (const auto& e : r.events) {
    if (e.anomaly != DataAnomaly::fake_terminator) continue;
    ++fakes;
    EXPECT_EQ(e.variant, c.variant);
    EXPECT_EQ(e.offset, 4u);
    EXPECT_EQ(std::string_view(in).substr(4, bytes_of(c.variant).size()), bytes_of(c.variant));
  }
  EXPECT_EQ(fakes, 1);
}

INSTANTIATE_TEST_SUITE_P(
    DotUnstuffer, Smuggling,
    testing::Values(SmugglingCase{FakeTerminator::lf_dot_lf, "\n.\n", 2, 0, 0},
                    SmugglingCase{FakeTerminator::lf_dot_crlf, "\n.\r\n", 1, 0, 0},
                    // A line-start dot before a bare LF is still a transparency dot.
                    SmugglingCase{FakeTerminator::crlf_dot_lf, "\r\n\n", 1, 0, 0},
                    SmugglingCase{FakeTerminator::cr_dot_cr, "\r.\r", 0, 2, 0},
                    SmugglingCase{FakeTerminator::cr_dot_crlf, "\r.\r\n", 0, 1, 0},
                    SmugglingCase{FakeTerminator::crlf_dot_cr, "\r\n\r", 0, 1, 0},
                    SmugglingCase{FakeTerminator::lf_dot_cr, "\n.\r", 1, 1, 0},
                    SmugglingCase{FakeTerminator::cr_dot_lf, "\r.\n", 1, 1, 0},
                    SmugglingCase{FakeTerminator::crlf_nul_dot_crlf, "\r\n\0.\r\n"sv, 0, 0, 1}),
    [](const auto& info) { return std::string(to_string(info.param.variant)); });

TEST(DotUnstuffer, StartOfDataCountsAsACrlf) {
  auto r = checked(".\nx\r\n.\r\n");
  EXPECT_EQ(r.body, "\nx\r\n");
  EXPECT_EQ(r.events,
            (std::vector{fake_at(FakeTerminator::crlf_dot_lf, 0), event(DataAnomaly::bare_lf, 1)}));

  r = checked(".\rx\r\n.\r\n");
  EXPECT_EQ(r.body, "\rx\r\n");
  EXPECT_EQ(r.events,
            (std::vector{fake_at(FakeTerminator::crlf_dot_cr, 0), event(DataAnomaly::bare_cr, 1)}));

  r = checked("\0.\r\n.\r\n"sv);
  EXPECT_EQ(r.body, "\0.\r\n"sv);
  EXPECT_EQ(r.events, (std::vector{event(DataAnomaly::nul, 0),
                                   fake_at(FakeTerminator::crlf_nul_dot_crlf, 0)}));
}

TEST(DotUnstuffer, OverlappingLookAlikesShareTheirMiddleByte) {
  auto r = checked("x\n.\n.\ny\r\n.\r\n");
  EXPECT_EQ(count(r, FakeTerminator::lf_dot_lf), 2u);
  EXPECT_EQ(count(r, DataAnomaly::bare_lf), 3u);
  EXPECT_EQ(r.events,
            (std::vector{event(DataAnomaly::bare_lf, 1), fake_at(FakeTerminator::lf_dot_lf, 1),
                         event(DataAnomaly::bare_lf, 3), fake_at(FakeTerminator::lf_dot_lf, 3),
                         event(DataAnomaly::bare_lf, 5)}));

  // crlf_dot_cr, whose bare CR starts cr_dot_cr; the first dot is removed.
  r = checked("x\r\n.\r.\ry\r\n.\r\n");
  EXPECT_EQ(r.body, "x\r\n\r.\ry\r\n");
  EXPECT_EQ(r.events,
            (std::vector{fake_at(FakeTerminator::crlf_dot_cr, 1), event(DataAnomaly::bare_cr, 4),
                         fake_at(FakeTerminator::cr_dot_cr, 4), event(DataAnomaly::bare_cr, 6)}));

  // A look-alike's CRLF starts a real line: here the real end.
  r = checked("x\n.\r\n.\r\nQUIT\r\n");
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.consumed, 8u);
  EXPECT_EQ(r.body, "x\n.\r\n");
  EXPECT_EQ(r.events,
            (std::vector{event(DataAnomaly::bare_lf, 1), fake_at(FakeTerminator::lf_dot_crlf, 1)}));

  // cr_dot_lf then lf_dot_cr through the shared LF.
  r = checked("\r.\n.\rz\r\n.\r\n");
  EXPECT_EQ(count(r, FakeTerminator::cr_dot_lf), 1u);
  EXPECT_EQ(count(r, FakeTerminator::lf_dot_cr), 1u);
  EXPECT_EQ(count(r, DataAnomaly::fake_terminator), 2u);
}

TEST(DotUnstuffer, ACrlfDotCrThatMeetsItsLfInTheNextChunkIsTheRealEnd) {
  DotUnstuffer u(all_events());
  std::string body;
  auto p = u.feed("a\r\n.\r", &body);
  EXPECT_FALSE(p.complete);
  EXPECT_EQ(p.consumed, 5u);
  EXPECT_EQ(body, "a\r\n");  // the CR is held back
  p = u.feed("\nRSET\r\n", &body);
  EXPECT_TRUE(p.complete);
  EXPECT_EQ(p.consumed, 1u);
  EXPECT_EQ(body, "a\r\n");
  EXPECT_EQ(u.count(DataAnomaly::fake_terminator), 0u);
  EXPECT_EQ(u.count(DataAnomaly::bare_cr), 0u);
  EXPECT_EQ(u.wire_size(), 6u);

  DotUnstuffer v(all_events());
  body.clear();
  v.feed("a\r\n.\r", &body);
  p = v.feed("x\r\n.\r\n", &body);
  EXPECT_TRUE(p.complete);
  EXPECT_EQ(body, "a\r\n\rx\r\n");  // released as data
  EXPECT_EQ(v.count(FakeTerminator::crlf_dot_cr), 1u);
  EXPECT_EQ(v.count(DataAnomaly::bare_cr), 1u);
}

TEST(DotUnstuffer, OnlyTheExactNulVariantIsClassified) {
  auto r = checked("a\r\n\0.\nb\r\n.\r\n"sv);
  EXPECT_EQ(count(r, DataAnomaly::fake_terminator), 0u);
  EXPECT_EQ(count(r, DataAnomaly::nul), 1u);
  EXPECT_EQ(count(r, DataAnomaly::bare_lf), 1u);
  r = checked("a\r\nb\0.\r\n.\r\n"sv);  // the NUL does not start a line
  EXPECT_EQ(count(r, DataAnomaly::fake_terminator), 0u);
}

TEST(DotUnstuffer, LongLinesCountUnstuffedOctetsWithCrlfOncePerLine) {
  const auto opts = all_events(10);
  auto r = checked("12345678\r\n..2345678\r\n.\r\n", opts);  // both exactly 10
  EXPECT_EQ(count(r, DataAnomaly::long_line), 0u);

  r = checked("123456789\r\nok\r\n12345678901234567890\r\n.\r\n", opts);
  EXPECT_EQ(count(r, DataAnomaly::long_line), 2u);
  EXPECT_EQ(r.events,
            (std::vector{event(DataAnomaly::long_line, 0), event(DataAnomaly::long_line, 15)}));

  // A bare LF does not end a line.
  r = checked("aaaa\naaaa\naa\r\n.\r\n", opts);
  EXPECT_EQ(count(r, DataAnomaly::long_line), 1u);
  EXPECT_EQ(count(r, DataAnomaly::bare_lf), 2u);
}

TEST(DotUnstuffer, DefaultLineLimitIs1000) {
  const std::string ok = std::string(998, 'x') + "\r\n" + ".\r\n";
  EXPECT_EQ(count(whole(ok), DataAnomaly::long_line), 0u);
  const std::string over = std::string(999, 'x') + "\r\n" + ".\r\n";
  EXPECT_EQ(count(whole(over), DataAnomaly::long_line), 1u);
}

TEST(DotUnstuffer, KeepsTheFirstMaxEventsButCountsAll) {
  DotUnstuffer u({.max_line = 1000, .max_events = 3});
  std::string lfs(100, '\n');
  u.feed(lfs, nullptr);
  EXPECT_EQ(u.count(DataAnomaly::bare_lf), 100u);
  ASSERT_EQ(u.events().size(), 3u);
  EXPECT_EQ(u.events()[2], event(DataAnomaly::bare_lf, 2));
}

TEST(DotUnstuffer, DrainingWithoutOutputGivesTheSameVerdicts) {
  const std::string in = "a\n.\nb\r\n..c\r\n\0\r.\r\n.\r\nNOOP\r\n";
  DotUnstuffer a(all_events()), b(all_events());
  std::string body;
  const auto pa = a.feed(in, &body);
  const auto pb = b.feed(in, nullptr);
  EXPECT_EQ(pa.consumed, pb.consumed);
  EXPECT_EQ(pa.complete, pb.complete);
  EXPECT_EQ(a.events(), b.events());
  EXPECT_EQ(a.message_size(), body.size());
  EXPECT_EQ(b.message_size(), body.size());
}

TEST(DotUnstuffer, ResetStartsANewMessage) {
  DotUnstuffer u(all_events());
  std::string body;
  u.feed("x\ny\r\n.\r\n", &body);
  ASSERT_TRUE(u.complete());
  u.reset();
  EXPECT_FALSE(u.complete());
  EXPECT_EQ(u.count(DataAnomaly::bare_lf), 0u);
  EXPECT_TRUE(u.events().empty());
  EXPECT_EQ(u.wire_size(), 0u);
  body.clear();
  const auto p = u.feed(".x\r\n.\r\n", &body);  // a line start again
  EXPECT_TRUE(p.complete);
  EXPECT_EQ(body, "x\r\n");
}

TEST(DotUnstuffer, NamesAndBytes) {
  EXPECT_EQ(to_string(DataAnomaly::bare_lf), "bare_lf");
  EXPECT_EQ(to_string(DataAnomaly::fake_terminator), "fake_terminator");
  EXPECT_EQ(to_string(DataAnomaly::count_), "unknown");
  EXPECT_EQ(to_string(FakeTerminator::cr_dot_crlf), "cr_dot_crlf");
  EXPECT_EQ(to_string(FakeTerminator::none), "none");
  EXPECT_EQ(bytes_of(FakeTerminator::lf_dot_lf), "\n.\n");
  EXPECT_EQ(bytes_of(FakeTerminator::crlf_dot_cr), "\r\n.\r");
  EXPECT_EQ(bytes_of(FakeTerminator::crlf_nul_dot_crlf), "\r\n\0.\r\n"sv);
  EXPECT_EQ(bytes_of(FakeTerminator::none), "");
  DotUnstuffer u;
  EXPECT_EQ(u.count(FakeTerminator::none), 0u);
}

// The scanner against the oracle on random inputs over the bytes that matter,
// with random chunkings: catches any state the hand-written cases miss.
TEST(DotUnstuffer, MatchesTheOracleOnRandomInputs) {
  std::mt19937 rng(20240229);
  const char alphabet[] = {'a', '.', '\r', '\n', '\0', '.', '\r', '\n'};
  for (int round = 0; round < 20000; ++round) {
    std::string in(rng() % 24, 'a');
    for (char& c : in) c = alphabet[rng() % sizeof alphabet];
    const auto opts = all_events(1 + rng() % 8);
    UnstuffOutcome got = whole(in, opts);
    std::vector<std::string_view> chunks;
    for (std::size_t at = 0; at < in.size();) {
      const std::size_t len = 1 + rng() % 4;
      chunks.push_back(std::string_view(in).substr(at, len));
      at += len;
    }
    ASSERT_EQ(run_unstuffer(chunks, opts), got) << testing::PrintToString(in);
    smtp::test::sort_events(got.events);
    ASSERT_EQ(got, smtp::test::oracle_unstuff(in, opts.max_line)) << testing::PrintToString(in);
  }
}

TEST(ByteScan, FindsTheFirstOfThreeBytesLikeTheScalarLoop) {
  std::mt19937 rng(7);
  for (int round = 0; round < 2000; ++round) {
    std::string s(rng() % 80, 'x');
    for (char& c : s) {
      if (rng() % 20 == 0) c = "\r\n\0"[rng() % 3];
    }
    for (std::size_t from = 0; from <= s.size(); from += 1 + rng() % 7) {
      ASSERT_EQ(detail::find_any(s.data(), from, s.size(), '\r', '\n', '\0'),
                detail::find_any_scalar(s.data(), from, s.size(), '\r', '\n', '\0'));
    }
  }
  EXPECT_EQ(detail::find_any("abc", 0, 3, '\r', '\n', '\0'), 3u);
  const std::string at40 = std::string(40, 'a') + "\n";
  EXPECT_EQ(detail::find_any(at40.data(), 0, at40.size(), '\r', '\n', '\0'), 40u);
}

}  // namespace
}  // namespace smtp::proto::dot_unstuffer_test
