#pragma once
// `smtp-harness check HOST:PORT [flags]`: the RFC compliance suite against a
// target. See `smtp-harness check --help`, README and docs/CONFORMANCE.md.
#include <CLI/CLI.hpp>

#include "app/proto_demo.hpp"

namespace smtp::app {

Subcommand register_check(CLI::App& app);

}  // namespace smtp::app
