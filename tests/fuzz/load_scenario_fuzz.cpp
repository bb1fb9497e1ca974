// Fuzzes the load scenario loader (harness/script/load_scenario.hpp,
// SCRIPTING.md "Load scenarios"): the input is the text of a scenario file,
// taken through what `smtp-harness load --scenario` does before and during a
// run: read the settings, init(), the dry run of message(ctx), then a
// worker's LoadScript with one message(ctx) and one reply(ctx, ...) call,
// and done(summary). Aborts when:
//  - any of it throws anything but a ScriptError (or crashes, or hangs: the
//    instruction limit must stop every loop);
//  - a ScriptError does not start with the scenario's path, followed by
//    ":LINE:" (an error of the Lua code, or a hook's bad return value, named
//    by the hook's line), or by ": " for a bad value in the settings table
//    the file returned (read by LoadScenario's and LoadScript's
//    constructors): a returned table carries no line numbers, so those
//    errors name the file and the field (load_scenario.hpp).
#include <cstddef>
#include <cstdint>
#include <string>

#include "../unit/script/scenario_file.hpp"
#include "lua_error_fuzz.hpp"
#include "script/load_scenario.hpp"
#include "script/value.hpp"

namespace {

using namespace smtp::script;

// Where run() is: reading a returned table (the settings, the hooks in it)
// or running the script's code.
bool reading_settings = false;

void check_error(const std::string& message, const std::string& path) {
  if (smtp::fuzz::names_file_line(message, path)) return;
  if (reading_settings && message.starts_with(path + ": ")) return;
  smtp::fuzz::bad_error(message);
}

void run(const std::string& path) {
  reading_settings = true;
  LoadScenario scenario(path);
  reading_settings = false;
  scenario.run_init();
  scenario.dry_run_message();
  reading_settings = true;
  LoadScript worker(path, scenario.shared(), 0, 1);
  reading_settings = false;
  MessageContext ctx;
  ctx.connection = 1;
  ctx.in_connection = 1;
  worker.message(ctx);
  worker.reply(ctx, ReplyInfo{"rcpt", 250, "2.1.5", "OK"});
  scenario.run_done(Value(Value::Table{{"delivered", Value(std::int64_t{1})}}));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const test::ScenarioDir dir;  // removed at exit
  const std::string path = dir.write(std::string(reinterpret_cast<const char*>(data), size));
  try {
    run(path);
  } catch (const ScriptError& e) {
    check_error(e.what(), path);
  }
  return 0;
}
