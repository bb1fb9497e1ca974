#include "app/merge_command.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/exit_codes.hpp"
#include "app/load_text.hpp"
#include "app/output_file.hpp"
#include "reports/merge.hpp"
#include "reports/result_file.hpp"
#include "reports/result_json.hpp"

namespace smtp::app {
namespace {

struct Options {
  std::vector<std::string> inputs;
  std::string output;
  bool quiet = false;
};

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "smtp-harness merge: %s\n", message.c_str());
  return code;
}

int run(const Options& options) {
  if (options.inputs.size() < 2) return fail(exit_usage, "give at least two result files");
  std::vector<reports::NamedResult> inputs;
  for (const auto& path : options.inputs) {
    try {
      auto file = reports::read_result_file(path);
      if (file.kind != "load") {
        return fail(exit_usage, path + ": a " + file.kind +
                                    " result; merge adds up load results (of --shard runs)");
      }
      std::string error;
      auto result = reports::load_result_from_json(file.document, error);
      if (!result) return fail(exit_usage, path + ": " + error);
      inputs.push_back({path, std::move(*result)});
    } catch (const reports::ResultFileError& e) {
      return fail(exit_usage, e.what());
    }
  }
  std::string error;
  auto merged = reports::merge_results(inputs, error);
  if (!merged) return fail(exit_usage, error);

  if (!write_output_file(options.output, reports::result_file_text(reports::to_json(*merged)))) {
    return fail(exit_failed, "cannot write " + options.output);
  }
  if (!options.quiet) {
    std::printf("merged %zu results into %s\n", inputs.size(), options.output.c_str());
    std::fputs(summary_text(*merged).c_str(), stdout);
  }
  // Like `load`: the merged run fails when a threshold, judged on the sum,
  // is crossed.
  for (const auto& verdict : merged->thresholds) {
    if (!verdict.passed) return exit_failed;
  }
  return exit_ok;
}

}  // namespace

Subcommand register_merge(CLI::App& app) {
  auto options = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "merge", "Add up load results from several processes or machines into one result");
  cmd->footer(
      "The inputs must be parts of one load: the same target, model, TLS, AUTH, message\n"
      "size and recipients (typically the N shards of `load --shard I/N`). Counters,\n"
      "replies, errors and latency histograms add up exactly, so the merged percentiles\n"
      "are those of every sample together. Thresholds recorded in the inputs are judged\n"
      "again on the sum. Exit codes: 0 merged, 1 merged but a threshold is crossed,\n"
      "2 a file is missing, not a load result, or the inputs cannot be merged.\n"
      "Example:\n"
      "  smtp-harness load --target mx:25 --rate 2000 --duration 60s --shard 1/2 --json a.json\n"
      "  smtp-harness load --target mx:25 --rate 2000 --duration 60s --shard 2/2 --json b.json\n"
      "  smtp-harness merge a.json b.json -o run.json");
  cmd->add_option("results", options->inputs, "load result files (--json of load)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", options->output, "write the merged result here")->required();
  cmd->add_flag("--quiet,-q", options->quiet, "print nothing on success");
  return {cmd, [options] { return run(*options); }};
}

}  // namespace smtp::app
