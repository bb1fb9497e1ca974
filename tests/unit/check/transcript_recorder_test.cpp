#include "check/transcript_recorder.hpp"

#include <gtest/gtest.h>

#include <string>

#include "check/runner.hpp"

namespace smtp::check::transcript_recorder_test {
namespace {

using Kind = TranscriptEntry::Kind;

TEST(TranscriptRecorder, KeepsEntriesInOrderWithTheirKinds) {
  TranscriptRecorder recorder(TranscriptRecorder::Clock::now());
  recorder.event(1, "connected to 127.0.0.1:25");
  recorder.server(1, "220 hi\r\n");
  recorder.client(1, "EHLO c\r\n");
  recorder.note("a remark");
  const auto entries = recorder.take();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].kind, Kind::event);
  EXPECT_EQ(entries[1].kind, Kind::server);
  EXPECT_EQ(entries[1].text, "220 hi\r\n");
  EXPECT_EQ(entries[2].kind, Kind::client);
  EXPECT_EQ(entries[2].connection, 1);
  EXPECT_EQ(entries[3].kind, Kind::note);
  EXPECT_EQ(entries[3].connection, 0);
  for (std::size_t i = 1; i < entries.size(); ++i) {
    EXPECT_GE(entries[i].at_seconds, entries[i - 1].at_seconds);
  }
  EXPECT_FALSE(recorder.truncated());
}

TEST(TranscriptRecorder, RedactsSecretWrites) {
  TranscriptRecorder recorder(TranscriptRecorder::Clock::now());
  recorder.client(2, "AUTH PLAIN AHUAcA==\r\n", true);
  const auto entries = recorder.take();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].text, "<redacted 21 octets>");
  EXPECT_EQ(entries[0].kind, Kind::client);
}

TEST(TranscriptRecorder, CapsTrafficAndSaysSo) {
  TranscriptRecorder recorder(TranscriptRecorder::Clock::now());
  // Each entry also costs 64 octets of the budget: two entries, 10 left.
  const std::string big(kMaxTranscriptOctets - 10 - 2 * 64, 'x');
  recorder.client(1, big);
  recorder.server(1, std::string(30, 'y'));  // 10 kept, 20 dropped
  recorder.server(1, "more");                // dropped
  recorder.event(1, "closed by the peer");   // events have their own budget
  EXPECT_TRUE(recorder.truncated());
  EXPECT_EQ(recorder.dropped_octets(), 24u);
  const auto entries = recorder.take();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[1].text, std::string(10, 'y'));
  EXPECT_EQ(entries[2].text, "closed by the peer");
  EXPECT_EQ(entries[3].kind, Kind::event);
  EXPECT_EQ(entries[3].text, "transcript truncated: 24 octets not kept");
}

// A server trickling one byte per segment: each read is an entry, and the
// entries' own cost bounds how many there can be.
TEST(TranscriptRecorder, OneByteReadsCannotMakeMillionsOfEntries) {
  TranscriptRecorder recorder(TranscriptRecorder::Clock::now());
  for (int i = 0; i < 100000; ++i) recorder.server(1, "x");
  EXPECT_TRUE(recorder.truncated());
  const auto entries = recorder.take();
  EXPECT_LE(entries.size(), kMaxTranscriptOctets / 64 + 1);
}

TEST(TranscriptRecorder, BoundsEventsAndNotesToo) {
  TranscriptRecorder recorder(TranscriptRecorder::Clock::now());
  const std::string line(1000, 'n');
  for (int i = 0; i < 1000; ++i) recorder.note(line);  // 1 MB of notes
  EXPECT_TRUE(recorder.truncated());
  const auto entries = recorder.take();
  std::size_t kept = 0;
  for (const auto& entry : entries) kept += entry.text.size();
  EXPECT_LT(kept, kMaxTranscriptOctets);
  EXPECT_GT(entries.size(), 10u);
}

TEST(TranscriptRecorder, EmptyWritesLeaveNoEntry) {
  TranscriptRecorder recorder(TranscriptRecorder::Clock::now());
  recorder.client(1, "");
  recorder.server(1, "");
  EXPECT_TRUE(recorder.take().empty());
}

}  // namespace
}  // namespace smtp::check::transcript_recorder_test
