#include "reports/transcript_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp::reports::transcript_text_test {
namespace {

using check::TranscriptEntry;
using Kind = TranscriptEntry::Kind;
using namespace std::string_literals;

TranscriptEntry entry(double at, int connection, Kind kind, std::string text) {
  TranscriptEntry e;
  e.at_seconds = at;
  e.connection = connection;
  e.kind = kind;
  e.text = std::move(text);
  return e;
}

TEST(VisibleBytes, LineEndingsAreShownAndBreakTheLine) {
  EXPECT_EQ(visible_bytes("250 ok\r\n"), "250 ok\\r\\n\n");
  // A bare LF (the smuggling checks' evidence) differs from CRLF at a glance.
  EXPECT_EQ(visible_bytes("a\n.\nb\r.\r"), "a\\n\n.\\n\nb\\r.\\r");
  EXPECT_EQ(visible_bytes("tab\there"), "tab\\there");
}

TEST(VisibleBytes, BackslashIsDoubledSoThatEscapesAreUnambiguous) {
  EXPECT_EQ(visible_bytes("\\x41"), "\\\\x41");
}

TEST(VisibleBytes, ControlsAndStrayBytesBecomeHex) {
  EXPECT_EQ(visible_bytes("\0\x1b[1m\x7f"s), "\\x00\\x1b[1m\\x7f");
  EXPECT_EQ(visible_bytes("\xff\xc3\x28"), "\\xff\\xc3(");
  EXPECT_EQ(visible_bytes("\xc2\x85"), "\\xc2\\x85");           // C1 NEL
  EXPECT_EQ(visible_bytes("\xef\xbf\xbf"), "\\xef\\xbf\\xbf");  // U+FFFF
}

TEST(VisibleBytes, BidirectionalControlsBecomeHex) {
  EXPECT_EQ(visible_bytes("\xe2\x80\xae"
                          "evil"),
            "\\xe2\\x80\\xae"
            "evil");                                            // U+202E RLO
  EXPECT_EQ(visible_bytes("\xe2\x80\xaa"), "\\xe2\\x80\\xaa");  // U+202A LRE
  EXPECT_EQ(visible_bytes("\xe2\x81\xa6"), "\\xe2\\x81\\xa6");  // U+2066 LRI
  EXPECT_EQ(visible_bytes("\xe2\x81\xa9"), "\\xe2\\x81\\xa9");  // U+2069 PDI
  // Their neighbours are ordinary punctuation.
  EXPECT_EQ(visible_bytes("\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa"),
            "\xe2\x80\xa9\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
}

TEST(VisibleBytes, PrintableTextAndUtf8Stay) {
  const std::string text =
      "MAIL FROM:<a@example.org> SMTPUTF8 Gr\xc3\xbc\xc3\x9f"
      "e \xf0\x9f\x99\x82";
  EXPECT_EQ(visible_bytes(text), text);
  EXPECT_EQ(visible_bytes("\xc2\xa0"), "\xc2\xa0");  // U+00A0, the first after C1
}

TEST(TranscriptText, OneLinePerWireLineUnderOnePrefix) {
  const std::string text = transcript_text({
      entry(0, 1, Kind::event, "connected"),
      entry(0.0031, 1, Kind::server, "250-a\r\n250 b\r\n"),
      entry(12.5, 2, Kind::client, "DATA\r\n.\n"),
      entry(13, 0, Kind::note, "a remark"),
      entry(14, 2, Kind::event, ""),
  });
  EXPECT_EQ(text,
            "   0.000 #1 event  connected\n"
            "   0.003 #1 server 250-a\\r\\n\n"
            "                   250 b\\r\\n\n"
            "  12.500 #2 client DATA\\r\\n\n"
            "                   .\\n\n"
            "  13.000  - note   a remark\n"
            "  14.000 #2 event\n");
}

TEST(TranscriptText, PartialLineEndsTheEntry) {
  EXPECT_EQ(transcript_text({entry(0, 1, Kind::client, "RCPT TO:<a@b>\r\nRCP")}),
            "   0.000 #1 client RCPT TO:<a@b>\\r\\n\n"
            "                   RCP\n");
  EXPECT_EQ(transcript_text({}), "");
}

}  // namespace
}  // namespace smtp::reports::transcript_text_test
