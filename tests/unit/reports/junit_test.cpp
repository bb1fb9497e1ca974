#include "reports/junit.hpp"

#include <gtest/gtest.h>

#include <string>

#include "proto/utf8.hpp"
#include "sample_check_result.hpp"
#include "text_search.hpp"

namespace smtp::reports::junit_test {
namespace {

using testing::contains;
using testing::occurrences;

using check::CheckRunResult;
using check::Verdict;
using testing::sample_check_result;

const std::string& sample_xml() {
  static const std::string xml = to_junit(sample_check_result());
  return xml;
}

// The <testcase> element of check `id`, from its start tag to its end tag.
std::string testcase_of(const std::string& xml, const std::string& id) {
  const std::size_t start = xml.find("<testcase name=\"" + id + " ");
  if (start == std::string::npos) return {};
  const std::size_t end = xml.find("</testcase>", start);
  if (end == std::string::npos) return {};
  return xml.substr(start, end + 11 - start);
}

TEST(Junit, StartsWithTheXmlDeclarationAndHasOneRoot) {
  const std::string& xml = sample_xml();
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ", 0), 0u);
  EXPECT_EQ(occurrences(xml, "<testsuites "), 1u);
  EXPECT_EQ(xml.substr(xml.size() - 14), "</testsuites>\n");
}

TEST(Junit, CountsTheRunAndEachArea) {
  const std::string& xml = sample_xml();
  // The run's time is its wall clock, each area's the sum of its checks.
  EXPECT_TRUE(contains(xml,
                       "<testsuites name=\"smtp-harness check 127.0.0.1:2525\" tests=\"6\" "
                       "failures=\"1\" errors=\"1\" skipped=\"1\" time=\"3.250\" "
                       "timestamp=\"2026-11-22T04:43:41\">"))
      << xml;
  EXPECT_TRUE(contains(xml,
                       "<testsuite name=\"smtp-harness check: ehlo\" tests=\"2\" failures=\"1\" "
                       "errors=\"0\" skipped=\"0\" time=\"0.262\""))
      << xml;
  EXPECT_TRUE(contains(xml,
                       "<testsuite name=\"smtp-harness check: data\" tests=\"2\" failures=\"0\" "
                       "errors=\"0\" skipped=\"0\" time=\"2.000\""))
      << xml;
  EXPECT_TRUE(contains(xml,
                       "<testsuite name=\"smtp-harness check: starttls\" tests=\"2\" "
                       "failures=\"0\" errors=\"1\" skipped=\"1\" time=\"0.001\""))
      << xml;
  EXPECT_EQ(occurrences(xml, "<testsuite "), 3u);
  EXPECT_EQ(occurrences(xml, "<testcase "), 6u);
}

TEST(Junit, EachSuiteNamesTheServerAndItsBanner) {
  const std::string& xml = sample_xml();
  EXPECT_EQ(occurrences(xml, "<property name=\"server\" value=\"Postfix (version unknown)\"/>"), 3u)
      << xml;
  EXPECT_TRUE(contains(xml,
                       "<property name=\"banner\" value=\"220 &lt;b&gt;mx&lt;/b&gt; &amp; "
                       "&quot;q&quot; &apos;a&apos; ESMTP Postfix "
                       "&lt;script&gt;alert(5)&lt;/script&gt;\"/>"))
      << xml;
  // A run read from a file older than the probe has neither.
  CheckRunResult run = sample_check_result();
  run.server.reset();
  EXPECT_FALSE(contains(to_junit(run), "name=\"server\""));
}

TEST(Junit, AreasKeepSuiteOrderEvenWhenInterleaved) {
  CheckRunResult run = sample_check_result();
  std::swap(run.results[1], run.results[3]);  // ehlo, data, data, ehlo, ...
  const std::string xml = to_junit(run);
  EXPECT_EQ(occurrences(xml, "<testsuite "), 3u);
  EXPECT_LT(xml.find("check: ehlo"), xml.find("check: data"));
  // Both ehlo checks are in the ehlo suite, before the data suite starts.
  EXPECT_LT(xml.find("<testcase name=\"E7 "), xml.find("check: data"));
}

TEST(Junit, FailBecomesFailureWithTheReasonHintLevelAndClause) {
  const std::string e7 = testcase_of(sample_xml(), "E7");
  ASSERT_FALSE(e7.empty());
  EXPECT_TRUE(contains(e7,
                       "<testcase name=\"E7 A second EHLO resets the transaction\" "
                       "classname=\"compliance.ehlo\" time=\"0.250\">"))
      << e7;
  // The message a CI page shows first: the reason, then the hint.
  EXPECT_TRUE(contains(e7,
                       "<failure message=\"DATA after a second EHLO was not refused: "
                       "&quot;354 &lt;go ahead&gt;&quot; &amp; more; hint: set "
                       "smtpd_forbid_bare_newline = normalize &amp; keep "
                       "&lt;CR&gt;&lt;LF&gt;.&lt;CR&gt;&lt;LF&gt;\" type=\"MUST\">"
                       "DATA after a second EHLO was not refused: &quot;354 &lt;go ahead&gt;"
                       "&quot; &amp; more\nhint: set smtpd_forbid_bare_newline = normalize "
                       "&amp; keep &lt;CR&gt;&lt;LF&gt;.&lt;CR&gt;&lt;LF&gt;\n"
                       "RFC 5321 §4.1.4 (MUST)\n"
                       "source: scenarios/compliance/ehlo.lua:42</failure>"))
      << e7;
  EXPECT_TRUE(contains(e7,
                       "<property name=\"hint\" value=\"set smtpd_forbid_bare_newline = "
                       "normalize &amp; keep &lt;CR&gt;&lt;LF&gt;.&lt;CR&gt;&lt;LF&gt;\"/>"))
      << e7;
  EXPECT_TRUE(contains(e7, "<property name=\"verdict\" value=\"FAIL\"/>"));
  EXPECT_TRUE(contains(e7, "note: sent at once: &apos;MAIL&apos; and &apos;RCPT&apos;\n"));
  EXPECT_FALSE(contains(e7, "<error"));
  EXPECT_FALSE(contains(e7, "<skipped"));
}

TEST(Junit, ErrorAndSkipHaveTheirOwnElements) {
  const std::string t4 = testcase_of(sample_xml(), "T4");
  EXPECT_TRUE(contains(t4,
                       "<error message=\"127.0.0.1:2525: connect: Connection refused\" "
                       "type=\"ERROR\">"))
      << t4;
  EXPECT_FALSE(contains(t4, "<failure"));
  const std::string t1 = testcase_of(sample_xml(), "T1");
  EXPECT_TRUE(contains(t1, "<skipped message=\"STARTTLS is not advertised\"/>")) << t1;
  EXPECT_FALSE(contains(t1, "<failure"));
  // A skipped check with no transcript still says why in system-out.
  EXPECT_TRUE(contains(t1, "<system-out>SKIP T1 (MUST, RFC 3207 §4): STARTTLS is not advertised\n"))
      << t1;
}

TEST(Junit, WarnAndInfoPassButSayWhy) {
  const std::string d3 = testcase_of(sample_xml(), "D3");
  EXPECT_FALSE(contains(d3, "<failure"));
  EXPECT_FALSE(contains(d3, "<error"));
  EXPECT_FALSE(contains(d3, "<skipped"));
  EXPECT_TRUE(contains(d3, "<property name=\"verdict\" value=\"WARN\"/>")) << d3;
  EXPECT_TRUE(contains(d3, "<property name=\"warning\" value=\"&lt;script&gt;x")) << d3;
  EXPECT_TRUE(contains(d3, "<system-out>WARN D3 (SHOULD, RFC 5321 §4.1.1.4): &lt;script&gt;"))
      << d3;
  EXPECT_TRUE(contains(d3,
                       "transcript (truncated: the check sent or received more than is "
                       "kept):\n"))
      << d3;

  const std::string d9 = testcase_of(sample_xml(), "D9");
  EXPECT_FALSE(contains(d9, "<failure"));
  EXPECT_TRUE(contains(d9, "<system-out>INFO D9 (INFO, RFC 1870 §4): accepted 10 MB\n")) << d9;
  EXPECT_TRUE(contains(d9, "note: SIZE 10240000 advertised\n")) << d9;
  EXPECT_FALSE(contains(d9, "<property name=\"warning\""));
}

TEST(Junit, PassHasNoOutcomeElementAndShowsItsTranscript) {
  const std::string e1 = testcase_of(sample_xml(), "E1");
  EXPECT_FALSE(contains(e1, "<failure"));
  EXPECT_FALSE(contains(e1, "<error"));
  EXPECT_FALSE(contains(e1, "<skipped"));
  EXPECT_TRUE(contains(e1, "<system-out>PASS E1 (MUST, RFC 5321 §4.1.1.1)\n")) << e1;
  EXPECT_TRUE(contains(e1,
                       "   0.003 #1 server 250-fake.test\\r\\n\n"
                       "                   250-PIPELINING\\r\\n\n"
                       "                   250 AUTH PLAIN\\r\\n\n"))
      << e1;
  // The runner redacted the credentials; the writer shows what it was given.
  EXPECT_TRUE(contains(e1, "AUTH PLAIN &lt;redacted 24 octets&gt;\\r\\n")) << e1;
}

TEST(Junit, HostileBytesAreEscapedEverywhere) {
  const std::string& xml = sample_xml();
  // The whole document is UTF-8 with no control character but LF and TAB
  // (CR is a character reference everywhere, TAB too in attributes) ...
  EXPECT_TRUE(proto::is_utf8(xml));
  for (const char c : xml) {
    const auto byte = static_cast<unsigned char>(c);
    ASSERT_TRUE(byte >= 0x20 || byte == '\n' || byte == '\t') << "control character " << int{byte};
  }
  // ... no markup from the peer survives as markup ...
  EXPECT_FALSE(contains(xml, "<script>"));
  EXPECT_FALSE(contains(xml, "</script>"));
  EXPECT_FALSE(contains(xml, "]]>"));
  EXPECT_FALSE(contains(xml, "\xef\xbf\xbe"));  // U+FFFE is not an XML character
  EXPECT_FALSE(contains(xml, "\xe2\x80\xae"));  // nor is a right-to-left override left in
  // ... and the transcript shows every byte.
  const std::string d3 = testcase_of(xml, "D3");
  EXPECT_TRUE(contains(
      d3,
      "250 ok &lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; &amp; &quot;q&quot; &apos;a&apos;"
      "\\r\\n\n"))
      << d3;
  EXPECT_TRUE(contains(d3, "250-NUL \\x00 ESC \\x1b[31mred\\x1b[0m\\r\\n\n")) << d3;
  EXPECT_TRUE(contains(d3, "250-bad \\xff, \\xc3(, \\xc0\\xaf, \\xed\\xa0\\x80\\r\\n\n")) << d3;
  EXPECT_TRUE(contains(d3,
                       "250-C1 \\xc2\\x85 U+FFFE \\xef\\xbf\\xbe RLO \\xe2\\x80\\xae"
                       "abc\\r\\n\n"))
      << d3;
  EXPECT_TRUE(contains(d3,
                       "250 Gr\xc3\xbc\xc3\x9f"
                       "e \xf0\x9f\x99\x82\\n\n"))
      << d3;
  EXPECT_TRUE(contains(d3, "tail \\xe2\\x82\n")) << d3;
  // The reason, an attribute, keeps TAB, LF and CR as character references.
  EXPECT_TRUE(contains(d3,
                       "NUL \\x00 ESC \\x1b tab&#9;line&#10;CR&#13; U+FFFE "
                       "\\xef\\xbf\\xbe Gr\xc3\xbc\xc3\x9f"
                       "e\"/>"))
      << d3;
}

TEST(Junit, EmptyRunIsAnEmptyTestsuites) {
  CheckRunResult run = sample_check_result();
  run.results.clear();
  const std::string xml = to_junit(run);
  EXPECT_TRUE(contains(xml, "tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\"")) << xml;
  EXPECT_FALSE(contains(xml, "<testsuite "));
}

TEST(Junit, EveryVerdictMapsToOneOutcome) {
  CheckRunResult run = sample_check_result();
  run.results.resize(1);
  for (std::size_t v = 0; v < check::kVerdictCount; ++v) {
    run.results[0].verdict = static_cast<Verdict>(v);
    const std::string xml = to_junit(run);
    const std::size_t outcomes =
        occurrences(xml, "<failure ") + occurrences(xml, "<error ") + occurrences(xml, "<skipped ");
    const bool fails = run.results[0].verdict == Verdict::fail ||
                       run.results[0].verdict == Verdict::error ||
                       run.results[0].verdict == Verdict::skip;
    EXPECT_EQ(outcomes, fails ? 1u : 0u) << check::to_string(run.results[0].verdict);
  }
}

}  // namespace
}  // namespace smtp::reports::junit_test
