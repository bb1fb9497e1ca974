#include "app/report_command.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/exit_codes.hpp"
#include "app/output_file.hpp"
#include "reports/check_result_json.hpp"
#include "reports/html/html_report.hpp"
#include "reports/junit.hpp"
#include "reports/junit_load.hpp"
#include "reports/markdown.hpp"
#include "reports/result_file.hpp"

namespace smtp::app {
namespace {

struct Options {
  std::vector<std::string> results;
  std::string html;
  std::string markdown;
  std::string junit;
};

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "smtp-harness report: %s\n", message.c_str());
  return code;
}

// "-" is standard output.
bool write_output(const std::string& path, const std::string& text) {
  if (path == "-") {
    const bool written = std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
    return std::fflush(stdout) == 0 && written;
  }
  return write_output_file(path, text);
}

// JUnit has one <testsuites> per file, so one result per file: a check run
// (one testcase per check, reports/junit.hpp) or a load run (one per
// threshold, reports/junit_load.hpp).
std::string junit_of(const reports::ResultDocument& result) {
  if (result.kind == "load") return reports::load_junit(result.document);
  std::string error;
  const auto run = reports::check_result_from_json(result.document, error);
  // read_result_file validated the document with this same reader.
  if (!run) throw reports::ResultFileError(result.name + ": " + error);
  return reports::to_junit(*run);
}

int run(const Options& options) {
  const std::vector<const std::string*> outputs = {&options.html, &options.markdown,
                                                   &options.junit};
  std::size_t requested = 0;
  std::size_t to_stdout = 0;
  for (const std::string* output : outputs) {
    requested += output->empty() ? 0 : 1;
    to_stdout += *output == "-" ? 1 : 0;
  }
  if (requested == 0)
    return fail(exit_usage, "nothing to write: give --html, --markdown or --junit");
  if (to_stdout > 1) return fail(exit_usage, "only one output can be '-' (standard output)");
  if (!options.junit.empty() && options.results.size() != 1) {
    return fail(exit_usage, "--junit renders one result file (got " +
                                std::to_string(options.results.size()) +
                                "); run report once per result");
  }

  std::vector<reports::ResultDocument> results;
  try {
    for (const std::string& path : options.results) {
      results.push_back(reports::read_result_file(path));
    }
  } catch (const reports::ResultFileError& e) {
    return fail(exit_usage, e.what());
  }

  int code = exit_ok;
  const auto write = [&](const std::string& path, const std::string& text) {
    if (!path.empty() && !write_output(path, text))
      code = fail(exit_failed, "cannot write " + path);
  };
  if (!options.html.empty()) write(options.html, reports::to_html(results));
  if (!options.markdown.empty()) write(options.markdown, reports::to_markdown(results));
  if (!options.junit.empty()) {
    try {
      write(options.junit, junit_of(results.front()));
    } catch (const reports::ResultFileError& e) {
      return fail(exit_usage, e.what());
    }
  }
  return code;
}

}  // namespace

Subcommand register_report(CLI::App& app) {
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "report", "Render result files (load or check --json) as HTML, Markdown or JUnit XML");
  cmd->footer(
      "The HTML page is self-contained (inline CSS and SVG, no script, no external request)\n"
      "and holds every result given, in order. Markdown is a summary for a CI job's page\n"
      "(e.g. >> \"$GITHUB_STEP_SUMMARY\"). JUnit takes one result: a testcase per check, or\n"
      "for a load run \"run completed\" and one testcase per threshold. '-' writes to\n"
      "standard output. Exit codes: 0 written (whatever the results' verdicts), 1 an output\n"
      "could not be written, 2 usage error or a file that is not a readable result\n"
      "(bad JSON, unknown schema version).\n"
      "Examples:\n"
      "  smtp-harness report check.json load.json --html report.html\n"
      "  smtp-harness report load.json --markdown - >> \"$GITHUB_STEP_SUMMARY\"\n"
      "  smtp-harness report check.json --junit check.xml");
  cmd->add_option("results", options->results, "result files (smtp-harness load/check --json)")
      ->required();
  cmd->add_option("--html", options->html, "write the HTML report to this file");
  cmd->add_option("--markdown", options->markdown, "write a Markdown summary to this file");
  cmd->add_option("--junit", options->junit, "write JUnit XML to this file (one result)");
  return {cmd, [options] { return run(*options); }};
}

}  // namespace smtp::app
