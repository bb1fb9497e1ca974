#include "hostile_results.hpp"

#include "reports/check_result_json.hpp"
#include "reports/result_json.hpp"
#include "sample_check_result.hpp"
#include "sample_result.hpp"

namespace smtp::reports::testing {

using namespace std::string_literals;

std::string hostile_text() {
  return "<script>alert(1)</script> </style> ]]> \"dq\" 'sq' & | `tick` *star* [l](u) "
         "NUL \0 ESC \x1b CR\r LF\n LS \xe2\x80\xa8 RLO \xe2\x80\xae bad \xff\xfe end"s;
}

load::RunResult hostile_load_result() {
  // With a delivery section: a relay names itself in EHLO, and its header
  // changes and the samples quote what arrived.
  load::RunResult result = sample_sink_result();
  result.delivery->sink = hostile_text();
  result.delivery->profile = hostile_text();
  result.delivery->relay.hello_names[hostile_text()] = 1;
  result.delivery->header_changes["added " + hostile_text()] = 1;
  result.delivery->samples.push_back("unexpected: " + hostile_text());
  result.settings.target = "<script>alert(1)</script>:25";
  result.settings.scenario = hostile_text();
  result.error_samples = {hostile_text(), "<img src=x onerror=alert(1)>"};
  result.generator.reasons = {hostile_text()};
  result.thresholds.front().threshold.text = hostile_text();
  result.thresholds.front().detail = hostile_text();
  result.workers.front().metrics.add_custom(hostile_text(), 1);
  result.metrics.add_custom(hostile_text(), 1);
  return result;
}

ResultDocument sample_load_document() {
  return validate_result("sample-load.json", to_json(sample_result()));
}

ResultDocument sample_sink_load_document() {
  return validate_result("sample-sink-load.json", to_json(sample_sink_result()));
}

ResultDocument sample_check_document() {
  return validate_result("sample-check.json", to_json(sample_check_result()));
}

ResultDocument hostile_load_document() {
  return validate_result("<b>hostile</b>.json", to_json(hostile_load_result()));
}

}  // namespace smtp::reports::testing
