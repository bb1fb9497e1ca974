#include "app/rendered_outputs.hpp"

#include <cstdio>
#include <vector>

#include "app/output_file.hpp"
#include "reports/html/html_report.hpp"
#include "reports/junit_load.hpp"
#include "reports/markdown.hpp"
#include "reports/result_file.hpp"

namespace smtp::app {
namespace {

bool write_reported(const char* command, const std::string& path, const std::string& text) {
  const bool written = write_output_file(path, text);
  if (!written) std::fprintf(stderr, "smtp-harness %s: cannot write %s\n", command, path.c_str());
  return written;
}

}  // namespace

void add_render_flags(CLI::App* command, RenderedOutputs& outputs, bool with_junit) {
  command->add_option("--html", outputs.html,
                      "write a self-contained HTML report (no scripts, no external requests)");
  command->add_option("--markdown", outputs.markdown,
                      "write a Markdown summary (e.g. for $GITHUB_STEP_SUMMARY)");
  if (with_junit) {
    command->add_option("--junit", outputs.junit, "write JUnit XML: one testcase per threshold");
  }
}

bool write_rendered(const char* command, const std::string& name, const nlohmann::json& document,
                    const RenderedOutputs& outputs) {
  if (outputs.html.empty() && outputs.markdown.empty() && outputs.junit.empty()) return true;
  std::vector<reports::ResultDocument> results;
  try {
    // Through text and back, as a result file would come: strings the run
    // took from Lua or the network that are not UTF-8 arrive replaced, and
    // the document is validated like any file `report` reads.
    const std::string text = reports::result_file_text(document);
    results.push_back(reports::validate_result(name, nlohmann::json::parse(text)));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "smtp-harness %s: cannot render the result: %s\n", command, e.what());
    return false;
  }
  bool ok = true;
  if (!outputs.html.empty())
    ok = write_reported(command, outputs.html, reports::to_html(results)) && ok;
  if (!outputs.markdown.empty()) {
    ok = write_reported(command, outputs.markdown, reports::to_markdown(results)) && ok;
  }
  if (!outputs.junit.empty()) {
    ok =
        write_reported(command, outputs.junit, reports::load_junit(results.front().document)) && ok;
  }
  return ok;
}

}  // namespace smtp::app
