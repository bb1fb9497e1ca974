// A compliance run's section: the verdict, the server and the counts, the
// checks that need attention, then every check grouped by area (suite file)
// in suite order, each with its clause, level, verdict, reason, remediation
// hint, notes and an expandable transcript (<details>, no script needed).
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "check/server_identity.hpp"
#include "load/format.hpp"
#include "proto/ascii.hpp"
#include "reports/check_result_json.hpp"
#include "reports/html/check_transcript.hpp"
#include "reports/html/html_blocks.hpp"
#include "reports/html/html_text.hpp"
#include "reports/html/sections.hpp"

namespace smtp::reports::html {
namespace {

constexpr std::array<std::string_view, 6> kVerdicts = {"PASS", "FAIL", "WARN",
                                                       "INFO", "SKIP", "ERROR"};
constexpr std::size_t kColumns = 7;

// "v-pass" for "PASS": the verdict's badge colour.
std::string verdict_class(const std::string& verdict) {
  const std::string css = "v-" + proto::to_lower_ascii(verdict);
  // The verdict is one of six (validated), but the class name must be ours.
  const bool known = std::find(kVerdicts.begin(), kVerdicts.end(), verdict) != kVerdicts.end();
  return known ? css : "v-error";
}

struct Area {
  std::string name;
  std::vector<std::size_t> results;  // indexes into check.results
};

// In the order each area first appears, which is suite order.
std::vector<Area> group_by_area(const nlohmann::json& results) {
  std::vector<Area> areas;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const std::string area = json_text(results[i], "area");
    auto found =
        std::find_if(areas.begin(), areas.end(), [&](const Area& a) { return a.name == area; });
    if (found == areas.end()) found = areas.insert(areas.end(), Area{area, {}});
    found->results.push_back(i);
  }
  return areas;
}

// The remediation hint beside the verdict's reason, when the result has one.
std::string hint_html(const nlohmann::json& result) {
  if (!result.contains("hint")) return {};
  return "<div class=\"hint\"><strong>hint:</strong> " + html_text(json_text(result, "hint")) +
         "</div>";
}

std::string reason_html(const nlohmann::json& result) {
  std::string html = html_text(json_text(result, "reason")) + hint_html(result);
  const nlohmann::json& notes = result.at("notes");
  if (!notes.empty()) {
    html += "<ul class=\"notes\">";
    for (const nlohmann::json& note : notes) {
      html += "<li>" + html_text(note.get<std::string>()) + "</li>";
    }
    html += "</ul>";
  }
  return html;
}

std::string verdict_counts(const nlohmann::json& results, const std::vector<std::size_t>& subset) {
  std::string text;
  for (const std::string_view verdict : kVerdicts) {
    const auto count = std::count_if(subset.begin(), subset.end(), [&](std::size_t i) {
      return json_text(results[i], "verdict") == verdict;
    });
    if (count == 0) continue;
    if (!text.empty()) text += ", ";
    text += std::to_string(count) + " " + std::string(verdict);
  }
  return text;
}

std::string check_row_id(const std::string& id, std::size_t index) {
  return id + "-c" + std::to_string(index + 1);
}

std::string area_table(const nlohmann::json& results, const Area& area, const std::string& id) {
  std::string html =
      "<table class=\"checks\">\n<thead><tr><th>verdict</th><th>id</th>"
      "<th>check</th><th>clause</th><th>level</th><th>reason and notes</th>"
      "<th class=\"num\">time</th></tr></thead>\n<tbody>\n";
  for (const std::size_t index : area.results) {
    const nlohmann::json& result = results[index];
    const std::string verdict = json_text(result, "verdict");
    const nlohmann::json& transcript = result.at("transcript");
    const bool truncated = result.at("transcript_truncated").get<bool>();
    html += "<tr id=\"" + html_text(check_row_id(id, index)) + "\"" +
            (transcript.empty() ? "" : " class=\"has-evidence\"") + ">";
    html += "<td>" + badge(verdict, verdict_class(verdict)) + "</td>";
    html += "<td class=\"mono\">" + html_text(json_text(result, "id")) + "</td>";
    html += "<td>" + html_text(json_text(result, "title")) + "<div class=\"muted mono\">" +
            html_text(json_text(result, "source")) + "</div></td>";
    html += "<td>" + html_text(json_text(result, "rfc")) + "</td>";
    html += "<td>" + html_text(json_text(result, "level")) + "</td>";
    html += "<td class=\"reason\">" + reason_html(result) + "</td>";
    html += "<td class=\"num\">" +
            html_text(load::format_number(json_number(result, "seconds"), 3) + " s") + "</td>";
    html += "</tr>\n";
    if (transcript.empty()) continue;
    std::string summary = "Transcript: " + std::to_string(transcript.size()) +
                          (transcript.size() == 1 ? " entry" : " entries");
    if (truncated) summary += " (truncated: the check sent or received more than is kept)";
    html += "<tr class=\"evidence\"><td colspan=\"" + std::to_string(kColumns) +
            "\"><details><summary>" + html_text(summary) + "</summary><pre class=\"transcript\">" +
            transcript_html(transcript) + "</pre></details></td></tr>\n";
  }
  return html + "</tbody>\n</table>\n";
}

std::string attention_table(const nlohmann::json& results, const std::string& id) {
  HtmlTable table("attention");
  table.header({Cell::text("verdict"), Cell::text("id"), Cell::text("level"), Cell::text("clause"),
                Cell::text("check"), Cell::text("reason")});
  bool any = false;
  // FAIL and ERROR first, then WARN; suite order within each.
  for (const std::string_view wanted : {"FAIL", "ERROR", "WARN"}) {
    for (std::size_t i = 0; i < results.size(); ++i) {
      const std::string verdict = json_text(results[i], "verdict");
      if (verdict != wanted) continue;
      any = true;
      table.row({Cell::markup(badge(verdict, verdict_class(verdict))),
                 Cell::markup("<a href=\"#" + html_text(check_row_id(id, i)) + "\">" +
                              html_text(json_text(results[i], "id")) + "</a>"),
                 Cell::text(json_text(results[i], "level")),
                 Cell::text(json_text(results[i], "rfc")),
                 Cell::text(json_text(results[i], "title")),
                 Cell::markup(html_text(json_text(results[i], "reason")) + hint_html(results[i]))});
    }
  }
  return any ? table.html() : "<p>No check failed, erred or warned.</p>\n";
}

std::string summary(const ResultDocument& result) {
  const nlohmann::json& check = result.document.at("check");
  const nlohmann::json& counts = check.at("counts");
  std::string html = verdict_box(check_verdict(result.document));
  std::vector<Fact> items{
      fact("target", json_text(check, "target")),
      fact("profile", json_text(check, "profile")),
  };
  // The server as the probe saw it (absent in older result files).
  if (const auto server = server_of(check)) {
    items.push_back(fact("server", check::software_text(*server)));
    items.push_back(fact("greeting", server->banner));
  }
  items.push_back({"started", started_at_html(result.document)});
  items.push_back(
      fact("duration", load::format_number(json_number(check, "elapsed_seconds")) + " s"));
  items.push_back(fact("checks", std::to_string(check.at("results").size())));
  html += facts(items);
  html += "<div class=\"counts\">";
  for (const std::string_view verdict : kVerdicts) {
    const std::string name(verdict);
    html += "<span>" + badge(name, verdict_class(name)) + " <strong>" +
            std::to_string(json_count(counts, name)) + "</strong></span>";
  }
  return html + "</div>\n";
}

}  // namespace

Section check_section(const ResultDocument& result, const std::string& id) {
  const nlohmann::json& results = result.document.at("check").at("results");
  Section section;
  section.html = summary(result);
  const std::string attention_id = id + "-attention";
  section.contents.push_back({attention_id, "Needs attention"});
  section.html += heading(3, attention_id, "Needs attention: FAIL, ERROR and WARN") +
                  attention_table(results, id);
  const std::vector<Area> areas = group_by_area(results);
  for (std::size_t a = 0; a < areas.size(); ++a) {
    const std::string area_id = id + "-a" + std::to_string(a + 1);
    section.contents.push_back({area_id, areas[a].name});
    section.html += heading(3, area_id, "Area: " + areas[a].name) + "<p class=\"muted\">" +
                    html_text(verdict_counts(results, areas[a].results)) + "</p>\n" +
                    area_table(results, areas[a], id);
  }
  return section;
}

}  // namespace smtp::reports::html
