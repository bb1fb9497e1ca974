// smtp-harness: composition only (ARCHITECTURE.md §1). Each subcommand lives in its
// own file and registers itself here.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

#include "app/check_command.hpp"
#include "app/compare_command.hpp"
#include "app/exit_codes.hpp"
#include "app/load_command.hpp"
#include "app/merge_command.hpp"
#include "app/proto_demo.hpp"
#include "app/report_command.hpp"
#include "common/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"smtp-harness: SMTP conformance and load-testing harness"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "smtp-harness " + std::string(smtp::common::harness_version()));

  auto demo = smtp::app::register_proto_demo(app);
  auto load = smtp::app::register_load(app);
  auto check = smtp::app::register_check(app);
  auto report = smtp::app::register_report(app);
  auto merge = smtp::app::register_merge(app);
  auto compare = smtp::app::register_compare(app);

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
  if (app.got_subcommand(report.command)) return report.run();
  if (app.got_subcommand(merge.command)) return merge.run();
  if (app.got_subcommand(compare.command)) return compare.run();
  return smtp::app::exit_usage;
}
