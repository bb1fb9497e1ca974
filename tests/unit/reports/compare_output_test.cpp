#include "reports/compare_output.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "reports/compare_cells.hpp"

namespace smtp::reports::compare_output_test {
namespace {

using Kind = CompareMetric::Kind;
using load::MeasuredPhase;

constexpr double kMs = 1e6;

CompareThreshold threshold(const std::string& text) {
  std::string error;
  auto parsed = parse_compare_threshold(text, error);
  EXPECT_TRUE(parsed.has_value()) << text << ": " << error;
  return parsed.value_or(CompareThreshold{});
}

CompareRow row(CompareMetric metric, std::optional<double> base, std::optional<double> candidate) {
  CompareRow r;
  r.metric = metric;
  r.base = base;
  r.candidate = candidate;
  return r;
}

// A comparison made by hand: throughput down 10% (limit -5%), p99 up 23.4%
// (limit +10%), an error share up 0.5pp, a phase NEW did not record.
Comparison sample_comparison(const std::string& base_name = "base.json",
                             const std::string& new_name = "new.json") {
  Comparison comparison;
  comparison.base = {base_name, "2026-11-22T04:43:41.123Z", "127.0.0.1:2525", 3, "messages"};
  comparison.candidate = {new_name, "2026-11-22T05:00:00.000Z", "127.0.0.1:2525", 3.5, "messages"};
  comparison.rows = {
      row({Kind::throughput, 0, MeasuredPhase::transaction}, 1000, 900),
      row({Kind::errors, 0, MeasuredPhase::transaction}, 1, 1.5),
      row({Kind::percentile, 99, MeasuredPhase::transaction}, 100 * kMs, 123.4 * kMs),
      row({Kind::percentile, 50, MeasuredPhase::transaction}, 40 * kMs, 40 * kMs),
      row({Kind::percentile, 99, MeasuredPhase::bdat}, 2 * kMs, std::nullopt),
  };
  const std::vector<std::pair<std::size_t, std::string>> limits = {
      {0, "throughput:-5%"}, {2, "p99:+10%"}, {2, "p99:+50ms"}, {4, "p99:bdat:+10%"}};
  for (const auto& [index, text] : limits) {
    CompareRow& r = comparison.rows[index];
    r.judgements.push_back(comparison.judgements.size());
    comparison.judgements.push_back(judge(threshold(text), r.base, r.candidate));
  }
  return comparison;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(CompareCells, FormatsEachKindOfRow) {
  const Comparison comparison = sample_comparison();
  const CompareCells throughput = compare_cells(comparison, comparison.rows[0]);
  EXPECT_EQ(throughput.metric, "throughput");
  EXPECT_EQ(throughput.base, "1000/s");
  EXPECT_EQ(throughput.candidate, "900/s");
  EXPECT_EQ(throughput.change, "-100/s (-10%)");
  EXPECT_EQ(throughput.limit, "-5%");
  EXPECT_EQ(throughput.verdict, "REGRESSION");

  const CompareCells errors = compare_cells(comparison, comparison.rows[1]);
  EXPECT_EQ(errors.base, "1%");
  EXPECT_EQ(errors.change, "+0.5pp");  // a share's change has no relative %
  EXPECT_EQ(errors.limit, "");
  EXPECT_EQ(errors.verdict, "");

  const CompareCells p99 = compare_cells(comparison, comparison.rows[2]);
  EXPECT_EQ(p99.base, "100ms");
  EXPECT_EQ(p99.candidate, "123.4ms");
  EXPECT_EQ(p99.change, "+23.4ms (+23.4%)");
  EXPECT_EQ(p99.limit, "+10%, +50ms");
  EXPECT_EQ(p99.verdict, "REGRESSION");  // the worst of its two

  EXPECT_EQ(compare_cells(comparison, comparison.rows[3]).change, "0");

  const CompareCells bdat = compare_cells(comparison, comparison.rows[4]);
  EXPECT_EQ(bdat.metric, "p99:bdat");
  EXPECT_EQ(bdat.candidate, "no data");
  EXPECT_EQ(bdat.change, "n/a");
  EXPECT_EQ(bdat.verdict, "no data");
}

TEST(CompareText, AlignedTableThenTheSummary) {
  const std::string text = compare_text(sample_comparison());
  const std::vector<std::string> lines = lines_of(text);
  ASSERT_GE(lines.size(), 10u);
  EXPECT_EQ(lines[0], "smtp-harness compare");
  EXPECT_NE(lines[1].find("BASE base.json  started 2026-11-22T04:43:41.123Z  target "
                          "127.0.0.1:2525  ran 3 s (messages)"),
            std::string::npos)
      << lines[1];
  EXPECT_NE(lines[2].find("NEW  new.json"), std::string::npos) << lines[2];
  EXPECT_EQ(lines.back(), "REGRESSION: throughput -10% (limit -5%); p99 +23.4% (limit +10%)");

  // The header, then the run-wide group, a blank line, the transaction
  // group, a blank line, bdat.
  std::size_t header = 0;
  while (header < lines.size() && lines[header].rfind("metric", 0) != 0) ++header;
  ASSERT_LT(header + 9, lines.size());
  EXPECT_EQ(lines[header + 1].rfind("throughput", 0), 0u);
  EXPECT_EQ(lines[header + 2].rfind("errors", 0), 0u);
  EXPECT_EQ(lines[header + 3], "");
  EXPECT_EQ(lines[header + 4].rfind("p99 ", 0), 0u);
  EXPECT_EQ(lines[header + 6], "");
  EXPECT_EQ(lines[header + 7].rfind("p99:bdat", 0), 0u);

  // Numbers are right-aligned under their heading: "BASE" and each BASE
  // value end in the same column (all ASCII here), and so do "change" and
  // each change.
  const std::string& head = lines[header];
  const std::size_t base_end = head.find("BASE") + 4;
  const std::size_t change_end = head.find("change") + 6;
  for (const std::size_t i : {header + 1, header + 4, header + 7}) {
    const std::string& line = lines[i];
    ASSERT_GT(line.size(), change_end) << line;
    EXPECT_NE(line[base_end - 1], ' ') << line;
    EXPECT_EQ(line[base_end], ' ') << line;
    EXPECT_NE(line[change_end - 1], ' ') << line;
    EXPECT_EQ(line[change_end], ' ') << line;
  }
  EXPECT_NE(lines[header + 4].find("+10%, +50ms  REGRESSION"), std::string::npos);
}

TEST(CompareText, UntrustedNamesReachTheTerminalEscaped) {
  const std::string text = compare_text(sample_comparison("\x1b[2Jbase.json", "new\n.json"));
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("\\x1b[2Jbase.json"), std::string::npos);
  EXPECT_NE(text.find("new\\n.json"), std::string::npos);
}

TEST(CompareText, NoThresholdsIsSaid) {
  Comparison comparison = sample_comparison();
  comparison.judgements.clear();
  for (CompareRow& r : comparison.rows) r.judgements.clear();
  const std::vector<std::string> lines = lines_of(compare_text(comparison));
  EXPECT_EQ(lines.back().rfind("no thresholds given", 0), 0u) << lines.back();
}

TEST(CompareMarkdown, TableWithEscapedCells) {
  const std::string markdown = compare_markdown(sample_comparison("a|b.json", "<new>.json"));
  EXPECT_EQ(markdown.rfind("## ❌ compare: regression\n", 0), 0u) << markdown;
  EXPECT_NE(markdown.find("a\\|b.json"), std::string::npos) << markdown;
  EXPECT_EQ(markdown.find("a|b.json"), std::string::npos);
  EXPECT_EQ(markdown.find("<new>"), std::string::npos);
  EXPECT_NE(markdown.find("| metric | BASE | NEW | change | limit | verdict |\n|---|--:|--:|"),
            std::string::npos);
  // Every table line has the seven bars of six cells: none is broken.
  std::size_t table_lines = 0;
  for (const std::string& line : lines_of(markdown)) {
    if (line.empty() || line.front() != '|') continue;
    ++table_lines;
    std::size_t bars = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++bars;
    }
    EXPECT_EQ(bars, 7u) << line;
  }
  EXPECT_EQ(table_lines, 2 + sample_comparison().rows.size());
  // (markdown_text decides whether "(" needs its backslash.)
  EXPECT_NE(markdown.find("| throughput | 1000/s | 900/s | -100/s "), std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| -5% | ❌ REGRESSION |\n"), std::string::npos) << markdown;
}

TEST(CompareJson, Shape) {
  const nlohmann::json document = compare_json(sample_comparison());
  EXPECT_EQ(document["kind"], "smtp-harness/compare");
  EXPECT_EQ(document["version"], 1);
  EXPECT_EQ(document["base"]["file"], "base.json");
  EXPECT_EQ(document["new"]["started_at"], "2026-11-22T05:00:00.000Z");
  EXPECT_EQ(document["verdict"], "regression");
  EXPECT_EQ(document["summary"],
            "REGRESSION: throughput -10% (limit -5%); p99 +23.4% (limit +10%)");

  const nlohmann::json& rows = document["rows"];
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0], (nlohmann::json{{"metric", "throughput"},
                                     {"unit", "per_second"},
                                     {"base", 1000.0},
                                     {"new", 900.0},
                                     {"change", -100.0},
                                     {"relative_percent", -10.0}}));
  EXPECT_EQ(rows[1]["unit"], "percent");
  EXPECT_EQ(rows[1]["change"], 0.5);
  EXPECT_EQ(rows[2]["metric"], "p99");
  EXPECT_EQ(rows[2]["phase"], "transaction");
  EXPECT_EQ(rows[2]["unit"], "ns");
  EXPECT_EQ(rows[4]["phase"], "bdat");
  EXPECT_TRUE(rows[4]["new"].is_null());
  EXPECT_TRUE(rows[4]["change"].is_null());
  EXPECT_TRUE(rows[4]["relative_percent"].is_null());

  const nlohmann::json& thresholds = document["thresholds"];
  ASSERT_EQ(thresholds.size(), 4u);
  EXPECT_EQ(thresholds[1], (nlohmann::json{{"threshold", "p99:+10%"},
                                           {"metric", "p99"},
                                           {"phase", "transaction"},
                                           {"limit", "+10%"},
                                           {"verdict", "regression"},
                                           {"change", thresholds[1]["change"]},
                                           {"detail", "p99 +23.4% (limit +10%)"}}));
  EXPECT_NEAR(thresholds[1]["change"].get<double>(), 23.4, 1e-9);
  EXPECT_EQ(thresholds[2]["verdict"], "ok");
  EXPECT_EQ(thresholds[3]["verdict"], "no data");
  EXPECT_TRUE(thresholds[3]["change"].is_null());
  EXPECT_FALSE(thresholds[0].contains("phase"));
}

TEST(CompareJson, NamesThatAreNotUtf8AreEscaped) {
  const nlohmann::json document = compare_json(sample_comparison("\xff.json", "new.json"));
  EXPECT_EQ(document["base"]["file"], "\\xff.json");
  EXPECT_NO_THROW((void)document.dump());
}

TEST(CompareHtml, SelfContainedAndEscaped) {
  const std::string page =
      compare_html(sample_comparison("<script>alert(1)</script>.json", "a\"b'&.json"));
  EXPECT_EQ(page.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_NE(page.find("Content-Security-Policy"), std::string::npos);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;.json"), std::string::npos);
  EXPECT_NE(page.find("a&quot;b&#39;&amp;.json"), std::string::npos);
  for (const char* external : {"http:", "https:", "src=", "href=", "@import", "url("}) {
    EXPECT_EQ(page.find(external), std::string::npos) << external;
  }
  EXPECT_NE(page.find("<p class=\"summary regression\">REGRESSION: throughput -10% (limit "
                      "-5%); p99 +23.4% (limit +10%)</p>"),
            std::string::npos);
  EXPECT_NE(page.find("<tr class=\"regression\"><td>p99</td>"), std::string::npos);
  EXPECT_NE(page.find("<tr class=\"no-data\"><td>p99:bdat</td>"), std::string::npos);
  EXPECT_NE(page.find("<tr><td>errors</td>"), std::string::npos);
  EXPECT_TRUE(page.ends_with("</html>\n"));
}

}  // namespace
}  // namespace smtp::reports::compare_output_test
