#pragma once
// For the fuzz targets of the Lua loaders (profile_fuzz.cpp,
// load_scenario_fuzz.cpp): their errors must name the file and a line.
//
// Runaway input (`while true do end`, string.rep of a gigabyte) needs nothing
// here: every loader runs its Lua under LuaState's instruction limit (10
// million per call for both) and memory limit (256 MiB), so it ends with an
// error; -timeout in the ctest command line catches a limit that fails.
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace smtp::fuzz {

// The file's name as Lua writes it in messages: whole up to 59 characters,
// else "..." and its tail (luaO_chunkid, LUA_IDSIZE 60).
inline std::string lua_file_name(std::string_view path) {
  constexpr std::size_t most = 59;
  if (path.size() <= most) return std::string(path);
  return "..." + std::string(path.substr(path.size() - (most - 3)));
}

// "FILE:LINE: ..." where LINE is a positive number.
inline bool names_file_line(std::string_view message, std::string_view path) {
  const std::string file = lua_file_name(path);
  if (!message.starts_with(file) || !message.substr(file.size()).starts_with(":")) return false;
  std::size_t i = file.size() + 1;
  const std::size_t digits = i;
  while (i < message.size() && std::isdigit(static_cast<unsigned char>(message[i])) != 0) ++i;
  return i > digits && message[digits] != '0' && i < message.size() && message[i] == ':';
}

// Prints the error that broke the rule, so that a finding says which
// message it was, and aborts.
[[noreturn]] inline void bad_error(std::string_view message) {
  std::fprintf(stderr, "error without file:line: %.*s\n", static_cast<int>(message.size()),
               message.data());
  std::abort();
}

}  // namespace smtp::fuzz
