// smtp-harness: composition only (DESIGN.md §1). Each subcommand lives in its
// own file and registers itself here.
#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/check_command.hpp"
#include "app/exit_codes.hpp"
#include "app/load_command.hpp"
#include "app/proto_demo.hpp"

int main(int argc, char** argv) {
  CLI::App app{"smtp-harness: SMTP conformance and load-testing harness"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "smtp-harness 0.1.0");

  auto demo = smtp::app::register_proto_demo(app);
  auto load = smtp::app::register_load(app);
  auto check = smtp::app::register_check(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);  // prints help, exit 0
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, then the way to the help: usage errors exit 2 (README).
    std::fprintf(stderr, "smtp-harness: %s\nRun 'smtp-harness --help' for usage.\n", e.what());
    return smtp::app::exit_usage;
  }
  if (app.got_subcommand(demo.command)) return demo.run();
  if (app.got_subcommand(load.command)) return load.run();
  if (app.got_subcommand(check.command)) return check.run();
  return smtp::app::exit_usage;
}
