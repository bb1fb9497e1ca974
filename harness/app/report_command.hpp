#pragma once
// `smtp-harness report RESULT.json... --html F --markdown F --junit F`:
// renders result files (reports/schema/result.schema.json, kinds load and
// check) as a self-contained HTML page, a Markdown summary for CI, or JUnit
// XML. See `smtp-harness report --help`.
#include <CLI/CLI.hpp>

#include "app/proto_demo.hpp"

namespace smtp::app {

Subcommand register_report(CLI::App& app);

}  // namespace smtp::app
