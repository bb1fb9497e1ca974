// Fuzzes fake-smtpd's profile loader (fake-server/profile.hpp, SCRIPTING.md
// "fake-smtpd profiles"): the input is the text of a PROFILE.lua. Aborts
// when:
//  - loading throws anything but a ScriptError (or crashes, or hangs: the
//    loader's instruction limit must stop every loop);
//  - a ScriptError does not start "PATH:LINE:", the profile's file and a line
//    in it (profile.hpp promises "file:line: reason" for a syntax error, an
//    unknown field or a bad value, and a runtime error is no different).
#include <cstddef>
#include <cstdint>
#include <string>

#include "../unit/script/scenario_file.hpp"
#include "fake-server/profile.hpp"
#include "lua_error_fuzz.hpp"
#include "script/lua_state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const smtp::script::test::ScenarioDir dir;  // removed at exit
  const std::string path =
      dir.write(std::string(reinterpret_cast<const char*>(data), size), "profile.lua");
  smtp::fake::ServerSettings settings;
  try {
    smtp::fake::load_profile(path, settings);
  } catch (const smtp::script::ScriptError& e) {
    if (!smtp::fuzz::names_file_line(e.what(), path)) smtp::fuzz::bad_error(e.what());
  }
  return 0;
}
