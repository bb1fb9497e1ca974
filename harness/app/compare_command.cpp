#include "app/compare_command.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/exit_codes.hpp"
#include "app/output_file.hpp"
#include "reports/compare.hpp"
#include "reports/compare_output.hpp"
#include "reports/compare_threshold.hpp"
#include "reports/result_file.hpp"
#include "reports/result_json.hpp"

namespace smtp::app {
namespace {

struct Options {
  std::string base;
  std::string candidate;
  std::vector<std::string> thresholds;
  std::string markdown;
  std::string json;
  std::string html;
};

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "smtp-harness compare: %s\n", message.c_str());
  return code;
}

// A load result, read and validated in full (reports/result_file.hpp); a
// check result or anything else is a usage error naming the file.
load::RunResult read_load_result(const std::string& path) {
  const reports::ResultDocument document = reports::read_result_file(path);
  if (document.kind != "load") {
    throw reports::ResultFileError(path + ": a " + document.kind +
                                   " result; compare reads load results (smtp-harness load "
                                   "--json)");
  }
  std::string error;
  auto run = reports::load_result_from_json(document.document, error);
  // read_result_file validated the document with this same reader.
  if (!run) throw reports::ResultFileError(path + ": " + error);
  return std::move(*run);
}

int run(const Options& options) {
  // The limits first: a typo is reported before any file is read.
  std::vector<reports::CompareThreshold> thresholds;
  for (const std::string& text : options.thresholds) {
    std::string error;
    auto threshold = reports::parse_compare_threshold(text, error);
    if (!threshold) return fail(exit_usage, "--threshold: " + error);
    thresholds.push_back(std::move(*threshold));
  }

  load::RunResult base;
  load::RunResult candidate;
  try {
    base = read_load_result(options.base);
    candidate = read_load_result(options.candidate);
  } catch (const reports::ResultFileError& e) {
    return fail(exit_usage, e.what());
  }

  reports::Comparison comparison = reports::compare_runs(base, candidate, thresholds);
  comparison.base.name = options.base;
  comparison.candidate.name = options.candidate;
  std::fputs(reports::compare_text(comparison).c_str(), stdout);
  std::fflush(stdout);

  int code =
      comparison.outcome() == reports::Comparison::Outcome::regression ? exit_failed : exit_ok;
  const auto write = [&](const std::string& path, const std::string& text) {
    if (!path.empty() && !write_output_file(path, text))
      code = fail(exit_failed, "cannot write " + path);
  };
  write(options.json, reports::compare_json(comparison).dump(1) + "\n");
  write(options.markdown, reports::compare_markdown(comparison));
  write(options.html, reports::compare_html(comparison));
  return code;
}

}  // namespace

Subcommand register_compare(CLI::App& app) {
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "compare",
      "Compare two load results (load --json) and judge regressions of NEW against BASE");
  cmd->footer(
      "Rows: throughput, rate, delivered, errors, 4xx, 5xx, then p50, p90, p99, p99.9, mean\n"
      "and max of the transaction and of every phase either run recorded; a change is\n"
      "NEW - BASE and, in parentheses, relative to BASE.\n"
      "  throughput   messages delivered per second of the window in which transactions\n"
      "               could start (transactions_started / achieved_rate; the run's\n"
      "               elapsed time when nothing started)\n"
      "  rate         the run's achieved rate: transactions started per second\n"
      "  errors, 4xx, 5xx  shares of the transactions started, in %; changes in\n"
      "               percentage points (pp)\n"
      "With a delivery section in either run (load --sink): delivered_pairs (pairs of\n"
      "message and recipient delivered at the sink), lost, bounced, duplicated, corrupted,\n"
      "unexpected, retried (pairs), and p50, p99 of the phases delivery and\n"
      "delivery_from_start; no data for a run without one.\n"
      "Thresholds: METRIC[:PHASE]:(+|-)AMOUNT. The sign is the direction that is worse: +\n"
      "for latency (pN, mean, max), errors, 4xx, 5xx and the delivery trouble counts; - for\n"
      "throughput, rate, delivered, delivered_pairs (the other sign is refused). AMOUNT is\n"
      "N% relative to BASE, or absolute: a duration for latency (5ms), Npp percentage\n"
      "points for a share (a share takes no %), N/s for throughput and rate, a count for\n"
      "delivered and the delivery counts. PHASE (latency only; default transaction) is\n"
      "connect, banner, ehlo, mail, rcpt, data, end_of_data, bdat, service, delivery...\n"
      "A limit is crossed when NEW is worse by more than AMOUNT. A metric missing in BASE\n"
      "cannot be judged (\"no data\"); missing in NEW only it is a regression for the\n"
      "transaction, the run-wide and the delivery metrics, \"no data\" for another phase.\n"
      "Exit codes: 0 no regression (or no thresholds given: nothing judged), 1 a regression\n"
      "or an output that could not be written, 2 usage error, a bad threshold, or a file\n"
      "that is not a readable load result (missing, bad JSON, a check result, another\n"
      "schema version).\n"
      "--json writes {kind, version, base, new, rows[{metric, phase, unit, base, new, change,\n"
      "relative_percent}], thresholds[{threshold, metric, phase, limit, verdict, change,\n"
      "detail}], verdict, summary}; null is no data (reports/compare_output.hpp).\n"
      "Examples:\n"
      "  smtp-harness compare base.json new.json --threshold 'p99:+10%' --threshold "
      "'throughput:-5%'\n"
      "  smtp-harness compare base.json new.json --threshold 'p99:rcpt:+5ms' "
      "--threshold 'errors:+0.5pp'\n"
      "  smtp-harness compare base.json new.json --threshold 'lost:+0' "
      "--threshold 'p99:delivery:+20%'\n"
      "  smtp-harness compare base.json new.json --markdown summary.md --html diff.html");
  cmd->add_option("base", options->base, "the reference result (smtp-harness load --json)")
      ->required();
  cmd->add_option("new", options->candidate, "the result judged against BASE")->required();
  cmd->add_option("--threshold", options->thresholds,
                  "a regression limit such as 'p99:+10%' or 'throughput:-5%' (repeatable)")
      // One value per --threshold, so that the files may follow it.
      ->allow_extra_args(false);
  cmd->add_option("--markdown", options->markdown, "write the comparison as Markdown to this file");
  cmd->add_option("--json", options->json, "write the comparison as JSON to this file");
  cmd->add_option("--html", options->html, "write the comparison as a self-contained HTML page");
  return {cmd, [options] { return run(*options); }};
}

}  // namespace smtp::app
