#include "reports/markdown.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "hostile_results.hpp"
#include "proto/utf8.hpp"
#include "reports/markdown_text.hpp"
#include "text_search.hpp"

namespace smtp::reports::markdown_test {
namespace {

using testing::contains;

using testing::hostile_load_document;
using testing::hostile_text;
using testing::sample_check_document;
using testing::sample_load_document;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The cell separators of a table row: pipes not escaped with a backslash.
std::size_t separators(const std::string& row) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '\\') {
      ++i;
    } else if (row[i] == '|') {
      ++count;
    }
  }
  return count;
}

// Every table's rows have as many cells as its header.
void expect_tables_line_up(const std::string& markdown) {
  std::size_t header = 0;
  for (const std::string& line : lines_of(markdown)) {
    if (line.rfind("|", 0) != 0) {
      header = 0;
      continue;
    }
    if (header == 0) header = separators(line);
    EXPECT_EQ(separators(line), header) << line;
  }
}

TEST(MarkdownText, EscapesTableAndInlineMarkup) {
  EXPECT_EQ(markdown_text("a|b `c` *d* _e_ [f](g) ![i](j) ~h~ #j \\k"),
            "a\\|b \\`c\\` \\*d\\* \\_e\\_ \\[f\\](g) !\\[i\\](j) \\~h\\~ \\#j \\\\k");
}

TEST(MarkdownText, EscapesHtmlAndKeepsOneLine) {
  EXPECT_EQ(markdown_text("<script>x</script> & \"q\" 'a'\r\nnext\tcol"),
            "&lt;script&gt;x&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39;  next col");
}

TEST(MarkdownText, ShowsControlsAndStrayBytes) {
  const std::string out = markdown_text(hostile_text());
  EXPECT_TRUE(proto::is_utf8(out));
  EXPECT_FALSE(contains(out, "\n"));
  EXPECT_FALSE(contains(out, "<"));
  EXPECT_TRUE(contains(out, "NUL \\x00 ESC \\x1b"));
  EXPECT_TRUE(contains(out, "bad \\xff\\xfe end"));
  EXPECT_TRUE(contains(out, "RLO \\xe2\\x80\\xae"));
}

TEST(MarkdownText, AStrayLeadByteDoesNotSwallowTheMarkupAfterIt) {
  // E2 opens a 3-byte sequence that never comes: it is \xe2, and the "*"
  // after it is still escaped, as is the "|" after a cut 4-byte one.
  EXPECT_EQ(markdown_text("\xE2*x"), "\\xe2\\*x");
  EXPECT_EQ(markdown_text("\xF0\x9F|"), "\\xf0\\x9f\\|");
}

TEST(Markdown, LoadSummaryHasTheKeyNumbers) {
  const std::string md = to_markdown({sample_load_document()});
  EXPECT_EQ(md.rfind("## ❌ smtp-harness load 127.0.0.1:2525: FAILED\n\n**2 of 4 thresholds "
                     "crossed.** Started 2026-11-22T04:43:41.123Z",
                     0),
            0u)
      << md;
  EXPECT_TRUE(contains(md, "> **Warning: generator-bound.**"));
  EXPECT_TRUE(contains(md, "| sent | ok | 4xx | 5xx | failed | errors | rate |"));
  EXPECT_TRUE(contains(md, "| 598 | 580 | 12 | 6 | 0 | 24 | 199.2/s (target 200/s) |")) << md;
  EXPECT_TRUE(contains(md, "| phase | count | p50 | p90 | p99 |"));
  EXPECT_TRUE(contains(md, "| transaction | "));
  EXPECT_TRUE(contains(md, "| ❌ FAIL | errors&lt;1% | errors = 4.01%, limit &lt; 1% |")) << md;
  EXPECT_TRUE(contains(md, "**Errors:** timeout 2, closed 4, 4xx 12, 5xx 6.")) << md;
  expect_tables_line_up(md);
}

TEST(Markdown, CheckSummaryListsWhatFailed) {
  const std::string md = to_markdown({sample_check_document()});
  EXPECT_EQ(md.rfind("## ❌ smtp-harness check 127.0.0.1:2525 (profile mx): FAILED\n\n**1 FAIL, "
                     "1 ERROR.** 6 checks in 3.25 s",
                     0),
            0u)
      << md;
  EXPECT_TRUE(contains(md, ": 1 PASS, 1 FAIL, 1 WARN, 1 INFO, 1 SKIP, 1 ERROR.\n"));
  EXPECT_TRUE(contains(md, "| verdict | id | level | clause | check | reason |"));
  EXPECT_TRUE(contains(md,
                       "| FAIL | E7 | MUST | RFC 5321 §4.1.4 | A second EHLO resets the "
                       "transaction | DATA after a second EHLO was not refused: "
                       "&quot;354 &lt;go ahead&gt;&quot; &amp; more **hint:** set "
                       "smtpd\\_forbid\\_bare\\_newline = normalize &amp; keep "
                       "&lt;CR&gt;&lt;LF&gt;.&lt;CR&gt;&lt;LF&gt; |"))
      << md;
  // The server the probe saw, its banner escaped.
  EXPECT_TRUE(contains(md,
                       "Server: Postfix (version unknown); greeting: 220 &lt;b&gt;mx&lt;/b&gt; "
                       "&amp; &quot;q&quot; &#39;a&#39; ESMTP Postfix "
                       "&lt;script&gt;alert(5)&lt;/script&gt;\n\n"))
      << md;
  EXPECT_TRUE(contains(md, "| ERROR | T4 |"));
  EXPECT_TRUE(contains(md, "| WARN | D3 | SHOULD |"));
  EXPECT_FALSE(contains(md, "| PASS |"));
  EXPECT_FALSE(contains(md, "<script"));
  expect_tables_line_up(md);
}

TEST(Markdown, HostileStringsStayInTheirCells) {
  const std::string md = to_markdown({hostile_load_document(), sample_check_document()});
  EXPECT_TRUE(proto::is_utf8(md));
  EXPECT_FALSE(contains(md, "<script"));
  EXPECT_FALSE(contains(md, "<img"));
  EXPECT_TRUE(contains(md, "smtp-harness load &lt;script&gt;alert(1)&lt;/script&gt;:25"));
  expect_tables_line_up(md);
}

}  // namespace
}  // namespace smtp::reports::markdown_test
