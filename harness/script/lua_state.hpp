#pragma once
// The layer that includes lua.h (ARCHITECTURE.md §1, §3; fake-smtpd's Lua
// glue is the one other, deviation 11). One LuaState per thread that runs
// scripts. Every call is protected and carries a traceback; an instruction-count
// hook stops a runaway script with a clear error; only the safe standard
// libraries are opened.
//
// Lua is Debian's C++ build (pkg-config lua5.4-c++): lua_error throws a C++
// exception, so C++ destructors between a C function and its pcall run.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

struct lua_State;

namespace smtp::script {

// A script error, with "file:line: reason" and, when there is one, the traceback.
class ScriptError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class LuaState {
 public:
  struct Options {
    // Instructions one protected call may run before it is stopped
    // ("instruction limit exceeded"); 0 = no limit.
    std::uint64_t instruction_limit = 100'000'000;
    // Bytes the state may allocate; past it an allocation fails and Lua
    // raises "not enough memory". 0 = no limit.
    std::size_t memory_limit = 256 * 1024 * 1024;
  };

  LuaState();
  explicit LuaState(Options options);
  ~LuaState();
  LuaState(const LuaState&) = delete;
  LuaState& operator=(const LuaState&) = delete;

  lua_State* get() const { return L_; }

  // Loads and runs a file; the chunk is named after the path so errors read
  // "path:line: reason". Leaves the chunk's `nresults` return values on the
  // stack (LUA_MULTRET allowed). Throws ScriptError.
  void run_file(const std::string& path, int nresults = 0);
  void run_string(std::string_view code, std::string_view chunk_name, int nresults = 0);

  // Calls the function under `nargs` arguments on the stack, protected, with a
  // traceback and the instruction limit. Throws ScriptError.
  void call(int nargs, int nresults);

  // Starts a fresh instruction budget, as call() does, for code run by other
  // means (lua_resume of a check's coroutine).
  void reset_instruction_budget();

 private:
  struct Allocator {
    std::size_t limit;
    std::size_t used = 0;
    lua_State* L = nullptr;
    std::string refused_at;  // "source:line" of the last refused allocation
  };
  static void* allocate(void* ud, void* ptr, std::size_t old_size, std::size_t new_size);

  Options options_;
  Allocator allocator_;
  lua_State* L_;
};

// A message handler for lua_pcall (the error at index 1): the message, with
// "file:line: " of the innermost Lua function in front when it names no
// position of a function on the stack (error(msg, 0), a table as the error);
// unchanged when only C functions run. LuaState::call's handler does this
// too, before its traceback; located_message() is the text both use.
int locate_error(lua_State* L);
const char* located_message(lua_State* L);

// "file:line:" of the Lua code that called the running C function (level 1),
// for errors raised by C functions about their arguments.
std::string caller_location(lua_State* L);

}  // namespace smtp::script
