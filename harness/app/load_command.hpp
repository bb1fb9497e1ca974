#pragma once
// `smtp-harness load [SCENARIO.lua] [flags]`: a load test. The
// command line is kept stable; see `smtp-harness load --help` and README.
#include <CLI/CLI.hpp>

#include "app/proto_demo.hpp"

namespace smtp::app {

Subcommand register_load(CLI::App& app);

}  // namespace smtp::app
