#include "proto/dot_stuffer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "dot_stuffer_oracle.hpp"

#include "proto/dot_unstuffer.hpp"
#include "support/split.hpp"

namespace smtp::proto::dot_stuffer_test {
namespace {

using smtp::test::normalised;
using smtp::test::with_final_crlf;

using namespace std::string_view_literals;

constexpr DotStuffer::Options kRaw{.normalise_line_endings = false};

std::string stuff_chunks(const std::vector<std::string_view>& chunks, DotStuffer::Options options) {
  DotStuffer s(options);
  std::string out;
  for (auto c : chunks) s.feed(c, out);
  s.finish(out);
  return out;
}

// Every chunking gives what the one-shot dot_stuff gives.
std::string checked(std::string_view body, DotStuffer::Options options = {}) {
  const std::string one = dot_stuff(body, options);
  for (const auto& chunks : smtp::test::every_split(body)) {
    SCOPED_TRACE(smtp::test::describe_split(chunks));
    EXPECT_EQ(stuff_chunks(chunks, options), one);
  }
  return one;
}

TEST(DotStuffer, AnEmptyBodyIsJustTheTerminator) {
  // The DATA line's own CRLF precedes the payload, so nothing else is needed.
  EXPECT_EQ(checked(""), ".\r\n");
  EXPECT_EQ(checked("", kRaw), ".\r\n");
}

TEST(DotStuffer, AddsTheMissingFinalCrlf) {
  EXPECT_EQ(checked("Hello"), "Hello\r\n.\r\n");
  EXPECT_EQ(checked("Hello\r\n"), "Hello\r\n.\r\n");
  EXPECT_EQ(checked("a\r\n\r\n"), "a\r\n\r\n.\r\n");
}

TEST(DotStuffer, DoublesADotThatStartsALine) {
  // §4.5.2, and the first line starts right after DATA's CRLF.
  EXPECT_EQ(checked(".hidden\r\n"), "..hidden\r\n.\r\n");
  EXPECT_EQ(checked("a\r\n.\r\nb"), "a\r\n..\r\nb\r\n.\r\n");
  EXPECT_EQ(checked("..\r\n...x\r\n"), "...\r\n....x\r\n.\r\n");
  EXPECT_EQ(checked("."), "..\r\n.\r\n");
  EXPECT_EQ(checked("a.b .c\r\n"), "a.b .c\r\n.\r\n");
}

TEST(DotStuffer, NormalisesBareLineEndsToCrlf) {
  EXPECT_EQ(checked("a\nb\rc\r\nd"), "a\r\nb\r\nc\r\nd\r\n.\r\n");
  EXPECT_EQ(checked("\n\n"), "\r\n\r\n.\r\n");
  EXPECT_EQ(checked("\r\r\n"), "\r\n\r\n.\r\n");
  EXPECT_EQ(checked("x\r"), "x\r\n.\r\n");
  // Normalised line ends start lines, so these dots are stuffed.
  EXPECT_EQ(checked("a\n.b\r.c"), "a\r\n..b\r\n..c\r\n.\r\n");
  // Every smuggling look-alike becomes harmless data.
  EXPECT_EQ(checked("x\n.\ny"), "x\r\n..\r\ny\r\n.\r\n");
  EXPECT_EQ(checked("x\r.\r\ny"), "x\r\n..\r\ny\r\n.\r\n");
}

TEST(DotStuffer, ACrEndingOneFeedAndItsLfStartingTheNextMakeOneCrlf) {
  DotStuffer s;
  std::string out;
  s.feed("a\r", out);
  s.feed("\n.b", out);
  s.finish(out);
  EXPECT_EQ(out, "a\r\n..b\r\n.\r\n");

  DotStuffer t;
  out.clear();
  t.feed("a\r", out);
  t.feed("", out);  // an empty feed keeps the CR pending
  t.feed("\n", out);
  t.feed("\n", out);
  t.finish(out);
  EXPECT_EQ(out, "a\r\n\r\n.\r\n");
}

TEST(DotStuffer, RawModeSendsBytesAsTheyAre) {
  EXPECT_EQ(checked("a\nb\rc", kRaw), "a\nb\rc\r\n.\r\n");
  // Only CRLF starts a line: dots after bare line ends are not stuffed.
  EXPECT_EQ(checked("a\n.b\r.c\r\n.d", kRaw), "a\n.b\r.c\r\n..d\r\n.\r\n");
  // A trailing bare CR stays data and gets its own CRLF.
  EXPECT_EQ(checked("abc\r", kRaw), "abc\r\r\n.\r\n");
  EXPECT_EQ(checked("abc\r\n", kRaw), "abc\r\n.\r\n");

  DotStuffer s(kRaw);
  std::string out;
  s.feed("a\r", out);
  s.feed("\n.b", out);  // CR LF split across feeds is still a line end
  s.finish(out);
  EXPECT_EQ(out, "a\r\n..b\r\n.\r\n");
}

TEST(DotStuffer, FinishPreparesForTheNextBody) {
  DotStuffer s;
  std::string out;
  s.feed("x", out);
  s.finish(out);
  s.feed(".y\r", out);
  s.finish(out);
  s.finish(out);
  EXPECT_EQ(out, "x\r\n.\r\n..y\r\n.\r\n.\r\n");
}

TEST(DotStuffer, KeepsLongRunsIntact) {
  std::string body;
  for (int i = 0; i < 200; ++i) body += (i % 7 == 0 ? "." : "") + std::string(78, 'a') + "\r\n";
  std::string expected;
  for (int i = 0; i < 200; ++i)
    expected += (i % 7 == 0 ? ".." : "") + std::string(78, 'a') + "\r\n";
  EXPECT_EQ(dot_stuff(body), expected + ".\r\n");
}

struct RoundTrip {
  std::string body;
  std::size_t consumed = 0;
  bool complete = false;
  DotUnstuffer unstuffer;
};

RoundTrip round_trip(const std::string& wire) {
  RoundTrip r;
  const auto p = r.unstuffer.feed(wire, &r.body);
  r.consumed = p.consumed;
  r.complete = p.complete;
  return r;
}

// unstuff(stuff(body)) is the normalised body with a final CRLF, the whole
// payload is consumed, and the server sees nothing irregular (the only
// look-alike a client cannot avoid is CRLF NUL "." CRLF, which needs a NUL).
TEST(DotStuffer, RoundTripsThroughTheUnstuffer) {
  std::mt19937 rng(1234);
  const char alphabet[] = {'a', '.', '\r', '\n', '\0', '.', '\r', '\n', 'b'};
  for (int round = 0; round < 20000; ++round) {
    std::string body(rng() % 30, 'a');
    for (char& c : body) c = alphabet[rng() % sizeof alphabet];
    SCOPED_TRACE(testing::PrintToString(body));

    const std::string wire = dot_stuff(body);
    auto r = round_trip(wire);
    ASSERT_TRUE(r.complete);
    ASSERT_EQ(r.consumed, wire.size());
    ASSERT_EQ(r.body, with_final_crlf(normalised(body)));
    ASSERT_EQ(r.unstuffer.count(DataAnomaly::bare_cr), 0u);
    ASSERT_EQ(r.unstuffer.count(DataAnomaly::bare_lf), 0u);
    ASSERT_EQ(r.unstuffer.count(DataAnomaly::fake_terminator),
              r.unstuffer.count(FakeTerminator::crlf_nul_dot_crlf));
    ASSERT_EQ(r.unstuffer.count(DataAnomaly::nul),
              static_cast<std::uint64_t>(std::count(body.begin(), body.end(), '\0')));

    // Raw mode: exact bytes back (plus a final CRLF), still one message.
    const std::string raw = dot_stuff(body, kRaw);
    r = round_trip(raw);
    ASSERT_TRUE(r.complete);
    ASSERT_EQ(r.consumed, raw.size());
    ASSERT_EQ(r.body, with_final_crlf(body));
  }
}

TEST(DotStuffer, RoundTripsEveryLookAlike) {
  for (int v = 0; v < static_cast<int>(FakeTerminator::none); ++v) {
    const auto variant = static_cast<FakeTerminator>(v);
    const std::string body = "x" + std::string(bytes_of(variant)) + "MAIL FROM:<a@b>\r\n";
    const std::string wire = checked(body);
    auto r = round_trip(wire);
    EXPECT_TRUE(r.complete) << to_string(variant);
    EXPECT_EQ(r.consumed, wire.size()) << to_string(variant);
    EXPECT_EQ(r.body, normalised(body)) << to_string(variant);
    EXPECT_EQ(r.unstuffer.count(DataAnomaly::bare_cr) + r.unstuffer.count(DataAnomaly::bare_lf),
              0u);
  }
}

}  // namespace
}  // namespace smtp::proto::dot_stuffer_test
