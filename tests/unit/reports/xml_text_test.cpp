#include "reports/xml_text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace smtp::reports::xml_text_test {
namespace {

using namespace std::string_literals;

TEST(XmlText, MarkupCharactersBecomeEntities) {
  EXPECT_EQ(xml_content("a & b < c > d \" e ' f"), "a &amp; b &lt; c &gt; d &quot; e &apos; f");
  EXPECT_EQ(xml_content("]]>"), "]]&gt;");
  EXPECT_EQ(xml_content("<![CDATA[x]]>"), "&lt;![CDATA[x]]&gt;");
  EXPECT_EQ(xml_content("&amp;"), "&amp;amp;");
}

TEST(XmlText, LineEndingsSurviveTheParser) {
  // XML 1.0 §2.11 turns CR and CRLF into LF in content; §3.3.3 turns TAB,
  // LF and CR into spaces in attribute values.
  EXPECT_EQ(xml_content("a\r\nb\tc\nd"), "a&#13;\nb\tc\nd");
  EXPECT_EQ(xml_attribute("a\r\nb\tc\nd"), "a&#13;&#10;b&#9;c&#10;d");
}

TEST(XmlText, CharactersXmlCannotCarryBecomeHex) {
  EXPECT_EQ(xml_content("NUL \0 BEL \x07 ESC \x1b US \x1f"s),
            "NUL \\x00 BEL \\x07 ESC \\x1b US \\x1f");
  EXPECT_EQ(xml_content("\xef\xbf\xbe \xef\xbf\xbf"), "\\xef\\xbf\\xbe \\xef\\xbf\\xbf");
  EXPECT_EQ(xml_attribute("\0"s), "\\x00");
}

TEST(XmlText, BytesThatAreNotUtf8BecomeHex) {
  EXPECT_EQ(xml_content("\xff<\xc0\xaf"), "\\xff&lt;\\xc0\\xaf");
  EXPECT_EQ(xml_content("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(xml_content("end \xf0\x9f"), "end \\xf0\\x9f");
}

TEST(XmlText, OtherCharactersStay) {
  const std::string text =
      "DEL \x7f C1 \xc2\x85 \xef\xbf\xbd Gr\xc3\xbc\xc3\x9f"
      "e \xf0\x9f\x99\x82";
  EXPECT_EQ(xml_content(text), text);
  EXPECT_EQ(xml_attribute(text), text);
}

TEST(XmlText, EveryByteValueAloneGivesCharacterData) {
  for (int value = 0; value < 256; ++value) {
    const std::string out = xml_attribute(std::string(1, static_cast<char>(value)));
    for (const char c : out) {
      const auto byte = static_cast<unsigned char>(c);
      EXPECT_TRUE(byte >= 0x20 && byte < 0x80) << value << " gave " << out;
      EXPECT_NE(c, '<') << value;
      EXPECT_NE(c, '"') << value;
    }
  }
}

}  // namespace
}  // namespace smtp::reports::xml_text_test
