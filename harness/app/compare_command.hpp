#pragma once
// `smtp-harness compare BASE.json NEW.json [--threshold SPEC]...`: two load
// results side by side, with regression limits. The grammar of the
// limits is in reports/compare_threshold.hpp and `smtp-harness compare --help`.
#include <CLI/CLI.hpp>

#include "app/proto_demo.hpp"

namespace smtp::app {

Subcommand register_compare(CLI::App& app);

}  // namespace smtp::app
