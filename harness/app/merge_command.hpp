#pragma once
// `smtp-harness merge A.json B.json... -o OUT.json`: load results
// from several processes or machines (the shards of `load --shard I/N`)
// added up into one result, histograms exactly (reports/merge.hpp).
#include <CLI/CLI.hpp>

#include "app/proto_demo.hpp"

namespace smtp::app {

Subcommand register_merge(CLI::App& app);

}  // namespace smtp::app
