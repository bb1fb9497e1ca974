#include "reports/junit.hpp"

#include <string_view>
#include <utility>
#include <vector>

#include "common/rfc3339.hpp"
#include "reports/fixed_decimal.hpp"
#include "reports/transcript_text.hpp"
#include "reports/xml_text.hpp"

namespace smtp::reports {
namespace {

using check::CheckResult;
using check::CheckRunResult;
using check::Verdict;

struct Area {
  std::string name;
  std::vector<const CheckResult*> results;
};

// In the order each area first appears, which is suite order.
std::vector<Area> group_by_area(const CheckRunResult& run) {
  std::vector<Area> areas;
  for (const CheckResult& result : run.results) {
    auto found = areas.begin();
    while (found != areas.end() && found->name != result.area) ++found;
    if (found == areas.end()) found = areas.insert(areas.end(), Area{result.area, {}});
    found->results.push_back(&result);
  }
  return areas;
}

struct Tally {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  double seconds = 0;

  void add(const CheckResult& result) {
    ++tests;
    if (result.verdict == Verdict::fail) ++failures;
    if (result.verdict == Verdict::error) ++errors;
    if (result.verdict == Verdict::skip) ++skipped;
    seconds += result.seconds;
  }
};

// ` name="value"`, the value escaped.
std::string attribute(std::string_view name, std::string_view value) {
  return " " + std::string(name) + "=\"" + xml_attribute(value) + "\"";
}

std::string counts_attributes(const Tally& tally, double seconds) {
  return attribute("tests", std::to_string(tally.tests)) +
         attribute("failures", std::to_string(tally.failures)) +
         attribute("errors", std::to_string(tally.errors)) +
         attribute("skipped", std::to_string(tally.skipped)) +
         attribute("time", fixed_decimal(seconds, 3));
}

// The Ant schema's timestamp has no zone; ours is UTC.
std::string timestamp(const CheckRunResult& run) {
  return common::rfc3339_utc_millis(run.started_at).substr(0, 19);
}

std::string property(std::string_view indent, std::string_view name, std::string_view value) {
  return std::string(indent) + "<property" + attribute("name", name) + attribute("value", value) +
         "/>\n";
}

// "FAIL E7 (MUST, RFC 5321 §4.1.4): the reason"
std::string verdict_line(const CheckResult& result) {
  std::string line = std::string(check::to_string(result.verdict)) + " " + result.id + " (" +
                     std::string(check::to_string(result.level)) + ", " + result.rfc + ")";
  if (!result.reason.empty()) line += ": " + result.reason;
  return line;
}

// The message of <failure> and <error>: the reason, and the remediation
// hint when the server's software has one for it.
std::string problem_message(const CheckResult& result) {
  if (result.hint.empty()) return result.reason;
  return result.reason + "; hint: " + result.hint;
}

// The body of <failure> and <error>: what a CI page shows first.
std::string problem_details(const CheckResult& result) {
  std::string details = result.reason + "\n";
  if (!result.hint.empty()) details += "hint: " + result.hint + "\n";
  return details + result.rfc + " (" + std::string(check::to_string(result.level)) +
         ")\nsource: " + result.source;
}

// What <failure>, <error> or <skipped> says; nothing for a verdict that passes.
std::string outcome_element(const CheckResult& result) {
  const std::string_view indent = "      ";
  switch (result.verdict) {
    case Verdict::fail:
      return std::string(indent) + "<failure" + attribute("message", problem_message(result)) +
             attribute("type", check::to_string(result.level)) + ">" +
             xml_content(problem_details(result)) + "</failure>\n";
    case Verdict::error:
      return std::string(indent) + "<error" + attribute("message", problem_message(result)) +
             attribute("type", "ERROR") + ">" + xml_content(problem_details(result)) + "</error>\n";
    case Verdict::skip:
      return std::string(indent) + "<skipped" + attribute("message", result.reason) + "/>\n";
    case Verdict::pass:
    case Verdict::warn:
    case Verdict::info:
      break;
  }
  return {};
}

// The verdict, the notes and the transcript. The transcript goes through
// visible_bytes (transcript_text), then XML escaping.
std::string system_out(const CheckResult& result) {
  std::string text = verdict_line(result) + "\nsource: " + result.source + "\n";
  if (!result.hint.empty()) text += "hint: " + result.hint + "\n";
  for (const std::string& note : result.notes) text += "note: " + note + "\n";
  if (!result.transcript.empty()) {
    text += result.transcript_truncated
                ? "transcript (truncated: the check sent or received more than is kept):\n"
                : "transcript:\n";
  }
  return "      <system-out>" + xml_content(text) +
         xml_content(transcript_text(result.transcript)) + "</system-out>\n";
}

std::string testcase(const CheckResult& result) {
  const std::string_view indent = "        ";
  std::string xml = "    <testcase" + attribute("name", result.id + " " + result.title) +
                    attribute("classname", "compliance." + result.area) +
                    attribute("time", fixed_decimal(result.seconds, 3)) + ">\n";
  xml += "      <properties>\n";
  xml += property(indent, "rfc", result.rfc);
  xml += property(indent, "level", check::to_string(result.level));
  xml += property(indent, "verdict", check::to_string(result.verdict));
  xml += property(indent, "source", result.source);
  if (result.verdict == Verdict::warn) xml += property(indent, "warning", result.reason);
  if (!result.hint.empty()) xml += property(indent, "hint", result.hint);
  xml += "      </properties>\n";
  xml += outcome_element(result);
  xml += system_out(result);
  xml += "    </testcase>\n";
  return xml;
}

std::string testsuite(const CheckRunResult& run, const Area& area) {
  Tally tally;
  for (const CheckResult* result : area.results) tally.add(*result);
  std::string xml = "  <testsuite" + attribute("name", "smtp-harness check: " + area.name) +
                    counts_attributes(tally, tally.seconds) +
                    attribute("timestamp", timestamp(run)) + ">\n";
  xml += "    <properties>\n";
  xml += property("      ", "target", run.target);
  xml += property("      ", "profile", run.profile);
  if (run.server) {
    xml += property("      ", "server", check::software_text(*run.server));
    xml += property("      ", "banner", run.server->banner);
  }
  xml += "    </properties>\n";
  for (const CheckResult* result : area.results) xml += testcase(*result);
  xml += "  </testsuite>\n";
  return xml;
}

}  // namespace

std::string to_junit(const CheckRunResult& run) {
  Tally total;
  for (const CheckResult& result : run.results) total.add(result);
  // The run's time is its wall clock: checks run concurrently, so it is
  // less than the sum of the suites'.
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<testsuites" + attribute("name", "smtp-harness check " + run.target) +
         counts_attributes(total, run.elapsed_seconds) + attribute("timestamp", timestamp(run)) +
         ">\n";
  for (const Area& area : group_by_area(run)) xml += testsuite(run, area);
  xml += "</testsuites>\n";
  return xml;
}

}  // namespace smtp::reports
