#include "reports/html/html_text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "proto/utf8.hpp"

namespace smtp::reports::html::html_text_test {
namespace {

using namespace std::string_literals;

TEST(HtmlText, EscapesTheFiveMarkupCharacters) {
  EXPECT_EQ(html_text("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
}

TEST(HtmlText, KeepsLettersTabAndLineFeed) {
  EXPECT_EQ(html_text("Gr\xc3\xbc\xc3\x9f"
                      "e \xf0\x9f\x99\x82\tnext\nline"),
            "Gr\xc3\xbc\xc3\x9f"
            "e \xf0\x9f\x99\x82\tnext\nline");
}

TEST(HtmlText, ShowsBytesThatAreNotUtf8AsHex) {
  EXPECT_EQ(html_text("a\xff"
                      "b\xc3\x28"
                      "c\xc0\xaf"
                      "d\xed\xa0\x80"
                      "e\xe2\x82"),
            "a\\xffb\\xc3(c\\xc0\\xafd\\xed\\xa0\\x80e\\xe2\\x82");
}

TEST(HtmlText, ShowsControlCharacters) {
  EXPECT_EQ(html_text("nul \0 esc \x1b cr \r del \x7f"s), "nul \\x00 esc \\x1b cr \\r del \\x7f");
  // C1 controls (NEL here) are well-formed UTF-8 but invisible.
  EXPECT_EQ(html_text("nel \xc2\x85"), "nel \\xc2\\x85");
}

TEST(HtmlText, ShowsInvisibleAndReorderingCharacters) {
  EXPECT_EQ(html_text("rlo \xe2\x80\xae x"), "rlo \\xe2\\x80\\xae x");
  EXPECT_EQ(html_text("fffe \xef\xbf\xbe"), "fffe \\xef\\xbf\\xbe");
  EXPECT_EQ(html_text("fdd0 \xef\xb7\x90"), "fdd0 \\xef\\xb7\\x90");
  EXPECT_EQ(html_text("1fffe \xf0\x9f\xbf\xbe"), "1fffe \\xf0\\x9f\\xbf\\xbe");
}

TEST(HtmlText, LineSeparatorsBecomeCharacterReferences) {
  EXPECT_EQ(html_text("a\xe2\x80\xa8"
                      "b\xe2\x80\xa9"
                      "c"),
            "a&#x2028;b&#x2029;c");
}

TEST(HtmlText, BackslashesStayAsTheyAre) {
  // Result files already write stray bytes as \xnn: no doubling in text.
  EXPECT_EQ(html_text("C:\\path \\xff"), "C:\\path \\xff");
}

TEST(HtmlText, EveryByteAndPairGivesValidUtf8WithoutMarkup) {
  for (int first = 0; first < 256; ++first) {
    for (int second = 0; second < 256; second += 7) {
      const std::string bytes{static_cast<char>(first), static_cast<char>(second)};
      const std::string out = html_text(bytes);
      ASSERT_TRUE(proto::is_utf8(out)) << first << " " << second;
      ASSERT_EQ(out.find_first_of("<>\"'\r"), std::string::npos) << first << " " << second;
    }
  }
}

TEST(HtmlTranscriptBytes, ShowsLineEndingsAndDoublesBackslashes) {
  EXPECT_EQ(html_transcript_bytes("250 <ok> \\ \xff\r\n"), "250 &lt;ok&gt; \\\\ \\xff\\r\\n\n");
}

}  // namespace
}  // namespace smtp::reports::html::html_text_test
