#pragma once
// `smtp-harness check HOST:PORT [flags]`: the RFC compliance suite against a
// target (issue 6). See `smtp-harness check --help` and README.
#include <CLI/CLI.hpp>

#include "app/proto_demo.hpp"

namespace smtp::app {

Subcommand register_check(CLI::App& app);

}  // namespace smtp::app
