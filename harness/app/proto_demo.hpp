#pragma once
// `smtp-harness proto-demo`: shows what the protocol core concludes from
// realistic and hostile input, without any network I/O. It is the README's
// demo until the client and fake server exist.
#include <CLI/CLI.hpp>
#include <functional>

namespace smtp::app {

struct Subcommand {
  CLI::App* command;
  std::function<int()> run;
};

Subcommand register_proto_demo(CLI::App& app);

}  // namespace smtp::app
