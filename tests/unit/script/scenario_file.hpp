#pragma once
// Scenario files for the load-scenario tests: each test writes its Lua to a
// directory of its own, removed with everything in it when the test ends.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "script/lua_state.hpp"

namespace smtp::script::test {

class ScenarioDir {
 public:
  ScenarioDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("smtp-script-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~ScenarioDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScenarioDir(const ScenarioDir&) = delete;
  ScenarioDir& operator=(const ScenarioDir&) = delete;

  // Writes `lua` to NAME and returns its path.
  std::string write(const std::string& lua, const std::string& name = "scenario.lua") const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << lua;
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

// The message of the ScriptError `f` throws, or "" when it throws none.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ScriptError& e) {
    return e.what();
  }
  return "";
}

}  // namespace smtp::script::test
