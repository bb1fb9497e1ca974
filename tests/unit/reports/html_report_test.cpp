#include "reports/html/html_report.hpp"

#include <gtest/gtest.h>

#include <string>

#include "hostile_results.hpp"
#include "proto/utf8.hpp"
#include "text_search.hpp"

namespace smtp::reports::html_report_test {
namespace {

using testing::contains;
using testing::occurrences;

using testing::hostile_load_document;
using testing::sample_check_document;
using testing::sample_load_document;

const std::string& both_page() {
  static const std::string page = to_html({sample_check_document(), sample_load_document()});
  return page;
}

const std::string& hostile_page() {
  static const std::string page = to_html({hostile_load_document(), sample_check_document()});
  return page;
}

TEST(HtmlReport, IsOneSelfContainedPage) {
  const std::string& page = both_page();
  EXPECT_EQ(page.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_TRUE(contains(page,
                       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                       "&#39;none&#39;; style-src &#39;unsafe-inline&#39;"));
  EXPECT_EQ(occurrences(page, "<style>"), 1u);
  // Nothing that runs or fetches: no script, no source, no link, no url().
  for (const char* banned : {"<script", "<link", " src=", "url(", "@import", "<iframe", "<img",
                             "javascript:", " onload", " onerror", "href=\"http"}) {
    EXPECT_FALSE(contains(page, banned)) << banned;
  }
  EXPECT_TRUE(proto::is_utf8(page));
  EXPECT_EQ(occurrences(page, "<section "), occurrences(page, "</section>"));
  EXPECT_EQ(occurrences(page, "<table"), occurrences(page, "</table>"));
  EXPECT_EQ(occurrences(page, "<details>"), occurrences(page, "</details>"));
  EXPECT_EQ(occurrences(page, "<svg "), occurrences(page, "</svg>"));
}

TEST(HtmlReport, EachResultIsASectionInTheContents) {
  const std::string& page = both_page();
  EXPECT_EQ(occurrences(page, "<section class=\"result "), 2u);
  EXPECT_TRUE(contains(page, "<section class=\"result check\" id=\"r1\""));
  EXPECT_TRUE(contains(page, "<section class=\"result load\" id=\"r2\""));
  EXPECT_TRUE(contains(page, "<a href=\"#r1\">Compliance check: 127.0.0.1:2525</a>"));
  EXPECT_TRUE(contains(page, "<a href=\"#r2\">Load run: 127.0.0.1:2525</a>"));
  EXPECT_TRUE(contains(page, "<a href=\"#r2-throughput\">"));
  EXPECT_TRUE(contains(page, "from sample-load.json"));
}

TEST(HtmlReport, LoadSectionHasItsChartsAndTables) {
  const std::string page = to_html({sample_load_document()});
  EXPECT_EQ(occurrences(page, "<svg "), 4u) << "throughput, percentiles, distribution, latency";
  EXPECT_TRUE(contains(page, "<title>Throughput over time</title>"));
  EXPECT_TRUE(contains(page, "<title>Latency percentiles by phase</title>"));
  EXPECT_TRUE(contains(page, "<title>Latency distribution: transaction</title>"));
  EXPECT_TRUE(contains(page, "<table class=\"latency\">"));
  EXPECT_TRUE(contains(page, "<table class=\"replies\">"));
  EXPECT_TRUE(contains(page, "<table class=\"errors\">"));
  EXPECT_TRUE(contains(page, "<table class=\"thresholds\">"));
  // The summary header: target, time, scenario, seed, verdict.
  EXPECT_TRUE(contains(page, "<time datetime=\"2026-11-22T04:43:41.123Z\">"));
  EXPECT_TRUE(contains(page, "scenarios/load/starttls-auth.lua"));
  EXPECT_TRUE(contains(page, std::to_string(0xDEADBEEFCAFEF00DULL)));
  EXPECT_TRUE(contains(page, "<strong>FAILED</strong>2 of 4 thresholds crossed"));
  // The sample's generator was the bottleneck: said prominently.
  EXPECT_TRUE(contains(page, "<div class=\"alert\" role=\"alert\"><strong>Generator-bound."));
  EXPECT_TRUE(contains(page, "worker 1 used 93% of a core"));
  // The reply matrix: codes as columns, and the enhanced codes.
  EXPECT_TRUE(contains(page, "<span class=\"class-4xx\">450</span>"));
  EXPECT_TRUE(contains(page, "<td>5.1.1</td>"));
}

TEST(HtmlReport, CheckSectionHasTheVerdictsByArea) {
  const std::string page = to_html({sample_check_document()});
  EXPECT_EQ(occurrences(page, "<table class=\"checks\">"), 3u) << "ehlo, data, starttls";
  EXPECT_TRUE(contains(page, "<h3 id=\"r1-a1\">Area: ehlo</h3>"));
  EXPECT_TRUE(contains(page, "<h3 id=\"r1-a3\">Area: starttls</h3>"));
  EXPECT_TRUE(contains(page, "<span class=\"badge v-fail\">FAIL</span>"));
  EXPECT_TRUE(contains(page, "<td>RFC 5321 §4.1.4</td>"));
  EXPECT_TRUE(contains(page, "<li>the server advertised PIPELINING</li>"));
  // FAIL and ERROR make the run fail.
  EXPECT_TRUE(contains(page, "<strong>FAILED</strong>1 FAIL, 1 ERROR"));
  // The checks that need attention link to their rows.
  EXPECT_TRUE(contains(page, "<a href=\"#r1-c2\">E7</a>"));
  EXPECT_TRUE(contains(page, "<tr id=\"r1-c2\" class=\"has-evidence\">"));
  // Transcripts expand without script; a truncated one says so.
  EXPECT_EQ(occurrences(page, "<details><summary>Transcript: "), 4u);
  EXPECT_TRUE(contains(page, "Transcript: 5 entries (truncated"));
  EXPECT_TRUE(contains(page, "<span class=\"server\">250-fake.test\\r\\n</span>"));
}

TEST(HtmlReport, CheckSectionNamesTheServerAndShowsTheHints) {
  const std::string page = to_html({sample_check_document()});
  EXPECT_TRUE(contains(page, "<dt>server</dt><dd>Postfix (version unknown)</dd>")) << page;
  EXPECT_TRUE(contains(page,
                       "<dt>greeting</dt><dd>220 &lt;b&gt;mx&lt;/b&gt; &amp; &quot;q&quot; "
                       "&#39;a&#39; ESMTP Postfix &lt;script&gt;alert(5)&lt;/script&gt;</dd>"));
  // Beside the FAIL's reason, in its row and in the attention table.
  const std::string hint =
      "<div class=\"hint\"><strong>hint:</strong> set smtpd_forbid_bare_newline = normalize "
      "&amp; keep &lt;CR&gt;&lt;LF&gt;.&lt;CR&gt;&lt;LF&gt;</div>";
  EXPECT_EQ(occurrences(page, hint), 2u) << page;
  // The WARN's hostile hint is text too.
  EXPECT_EQ(occurrences(page, "<div class=\"hint\">"), 4u);
  EXPECT_FALSE(contains(page, "<script"));
}

TEST(HtmlReport, HostileServerBytesAreEscapedAndVisible) {
  const std::string page = to_html({sample_check_document()});
  // Check D3's server sent markup, quotes, NUL, ESC and bytes that are not
  // UTF-8; octets_base64 gives the exact bytes, shown as \xnn.
  EXPECT_TRUE(contains(page,
                       "250 ok &lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; &amp; "
                       "&quot;q&quot; &#39;a&#39;\\r\\n"));
  EXPECT_TRUE(contains(page, "250-NUL \\x00 ESC \\x1b[31mred\\x1b[0m\\r\\n"));
  EXPECT_TRUE(contains(page, "250-bad \\xff, \\xc3(, \\xc0\\xaf, \\xed\\xa0\\x80\\r\\n"));
  EXPECT_TRUE(contains(page, "RLO \\xe2\\x80\\xae"));
  EXPECT_TRUE(contains(page, "tail \\xe2\\x82"));
  EXPECT_FALSE(contains(page, "<script"));
  EXPECT_TRUE(proto::is_utf8(page));
}

TEST(HtmlReport, HostileLoadStringsAreEscaped) {
  const std::string& page = hostile_page();
  EXPECT_FALSE(contains(page, "<script"));
  EXPECT_FALSE(contains(page, "<img"));
  EXPECT_FALSE(contains(page, "</style> "));
  EXPECT_EQ(occurrences(page, "</style>"), 1u);
  EXPECT_TRUE(proto::is_utf8(page));
  EXPECT_TRUE(contains(page, "Load run: &lt;script&gt;alert(1)&lt;/script&gt;:25"));
  EXPECT_TRUE(contains(page, "&lt;img src=x onerror=alert(1)&gt;"));
  EXPECT_TRUE(contains(page, "from &lt;b&gt;hostile&lt;/b&gt;.json"));
  // One rendering of hostile_text(), wherever it lands.
  const std::string escaped =
      "&lt;script&gt;alert(1)&lt;/script&gt; &lt;/style&gt; ]]&gt; &quot;dq&quot; &#39;sq&#39; "
      "&amp; | `tick` *star* [l](u) NUL \\x00 ESC \\x1b CR\\r LF\n LS &#x2028; RLO "
      "\\xe2\\x80\\xae bad \\xff\\xfe end";
  EXPECT_GE(occurrences(page, escaped), 4u) << "scenario, error sample, reason, threshold";
  EXPECT_FALSE(contains(page, "\xe2\x80\xa8"));
}

TEST(HtmlReport, AnEmptyLoadRunStillRenders) {
  nlohmann::json document = sample_load_document().document;
  nlohmann::json& load = document["load"];
  load["series"] = nlohmann::json::array();
  load["thresholds"] = nlohmann::json::array();
  load["phases"] = nlohmann::json::array();
  load["latency"] = nlohmann::json::array();
  load["replies"] = nlohmann::json::array();
  load["generator"]["bound"] = false;
  load["generator"]["reasons"] = nlohmann::json::array();
  const std::string page = to_html({ResultDocument{"empty.json", "load", document}});
  EXPECT_TRUE(contains(page, "no samples"));
  EXPECT_TRUE(contains(page, "No thresholds were set"));
  EXPECT_TRUE(contains(page, "<strong>PASSED</strong>no thresholds set"));
  EXPECT_FALSE(contains(page, "Generator-bound"));
  EXPECT_TRUE(contains(page, "no latencies recorded"));
  EXPECT_TRUE(contains(page, "no timings recorded"));
  EXPECT_TRUE(contains(page, "No latency was recorded."));
  EXPECT_TRUE(contains(page, "No replies were counted."));
  EXPECT_EQ(occurrences(page, "<svg "), 4u) << "every chart still drawn, saying it is empty";
}

TEST(HtmlReport, AnEmptyCheckRunStillRenders) {
  nlohmann::json document = sample_check_document().document;
  document["check"]["results"] = nlohmann::json::array();
  for (auto& [verdict, count] : document["check"]["counts"].items()) count = 0;
  const std::string page = to_html({ResultDocument{"none.json", "check", document}});
  EXPECT_TRUE(contains(page, "<strong>PASSED</strong>no FAIL or ERROR in 0 checks"));
  EXPECT_TRUE(contains(page, "No check failed, erred or warned."));
  EXPECT_EQ(occurrences(page, "<table class=\"checks\">"), 0u);
}

}  // namespace
}  // namespace smtp::reports::html_report_test
