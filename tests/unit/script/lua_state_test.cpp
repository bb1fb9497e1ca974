// The sandbox every script runs in (ARCHITECTURE.md §3): what a hostile or buggy
// script can and cannot do.
#include "script/lua_state.hpp"

#include <gtest/gtest.h>

#include <lua.hpp>
#include <string>

#include "scenario_file.hpp"

namespace smtp::script::lua_state_test {
namespace {

// The error of running `code`, or "" when it runs.
std::string error_of(const std::string& code, LuaState::Options options = {}) {
  LuaState lua(options);
  try {
    lua.run_string(code, "test.lua");
  } catch (const ScriptError& e) {
    return e.what();
  }
  return "";
}

LuaState::Options small_budget() {
  LuaState::Options o;
  o.instruction_limit = 1'000'000;
  return o;
}

TEST(LuaState, RunsCodeAndReturnsValues) {
  LuaState lua;
  lua.run_string("return 6 * 7", "answer", 1);
  EXPECT_EQ(lua_tointeger(lua.get(), -1), 42);
}

TEST(LuaState, ErrorsNameChunkAndLineWithTraceback) {
  const auto e = error_of("local x = 1\nerror('boom')\n");
  EXPECT_NE(e.find("test.lua:2: boom"), std::string::npos) << e;
  EXPECT_NE(e.find("stack traceback"), std::string::npos) << e;
}

// error(msg, 0) and a non-string error object carry no position of their
// own; the error still names the line that raised it (found by the profile
// and load_scenario fuzz targets).
TEST(LuaState, ErrorsWithoutAPositionGetTheLineThatRaisedThem) {
  EXPECT_EQ(error_of("local x = 1\nerror('bare', 0)\n").rfind("test.lua:2: bare\n", 0), 0u);
  EXPECT_EQ(
      error_of("local x = 1\nerror({})\n").rfind("test.lua:2: (error object is a table value)", 0),
      0u);
  const auto e = error_of("local function f()\n  error('inner', 0)\nend\nf()\n");
  EXPECT_EQ(e.rfind("test.lua:2: inner\n", 0), 0u) << e;
  // A message that names its position keeps it, even at level 2.
  const auto e2 = error_of("local function f()\n  error('caller', 2)\nend\nf()\n");
  EXPECT_EQ(e2.rfind("test.lua:4: caller\n", 0), 0u) << e2;
}

// The parser reports nesting too deep as "C stack overflow" with no
// position (found by the profile and load_scenario fuzz targets); the error
// names the line it was reading, in a string and in a file (whose "#!" first
// line luaL_loadfile skips but counts).
TEST(LuaState, ParserErrorsWithoutAPositionNameTheLine) {
  const std::string nested = "local t = " + std::string(300, '(') + "1" + std::string(300, ')');
  const auto e = error_of("local x = 1\n" + nested + "\n");
  EXPECT_EQ(e.rfind("test.lua:2: ", 0), 0u) << e;
  EXPECT_NE(e.find("overflow"), std::string::npos) << e;

  const test::ScenarioDir dir;
  const auto path = dir.write("#!/usr/bin/env lua\n\n" + nested + "\n");
  const auto in_file = test::error_of([&] { LuaState().run_file(path); });
  EXPECT_EQ(in_file.rfind(path + ":3: ", 0), 0u) << in_file;
}

TEST(LuaState, RunawayLoopIsStoppedWithItsFileAndLine) {
  const auto e = error_of("local x = 1\nwhile true do x = x + 1 end", small_budget());
  EXPECT_NE(e.find("test.lua:2: instruction limit exceeded"), std::string::npos) << e;
}

TEST(LuaState, PcallCannotSwallowTheBudget) {
  const auto e =
      error_of("while true do pcall(function() while true do end end) end", small_budget());
  EXPECT_NE(e.find("instruction limit exceeded"), std::string::npos) << e;
}

TEST(LuaState, XpcallAndCoroutinesCannotSwallowTheBudget) {
  EXPECT_NE(
      error_of("while true do xpcall(function() while true do end end, print) end", small_budget())
          .find("instruction limit exceeded"),
      std::string::npos);
  EXPECT_NE(error_of("while true do coroutine.resume(coroutine.create(function() while true do "
                     "end end)) end",
                     small_budget())
                .find("instruction limit exceeded"),
            std::string::npos);
}

TEST(LuaState, PcallStillCatchesOrdinaryErrors) {
  LuaState lua;
  lua.run_string("local ok, err = pcall(error, 'x', 0) return ok, err", "t", 2);
  EXPECT_FALSE(lua_toboolean(lua.get(), -2));
  EXPECT_STREQ(lua_tostring(lua.get(), -1), "x");
}

TEST(LuaState, BudgetIsPerCall) {
  LuaState lua(small_budget());
  for (int i = 0; i < 5; ++i) {  // each call alone fits; together they would not
    EXPECT_NO_THROW(lua.run_string("for i = 1, 200000 do end", "loop"));
  }
}

TEST(LuaState, FinalizersAreRefused) {
  const auto e = error_of("setmetatable({}, { __gc = function() while true do end end })");
  EXPECT_NE(e.find("__gc metamethods are not allowed"), std::string::npos) << e;
  EXPECT_EQ(error_of("local t = setmetatable({}, { __index = { a = 1 } }) assert(t.a == 1)"), "");
}

TEST(LuaState, MemoryIsCapped) {
  LuaState::Options o;
  o.memory_limit = 8 * 1024 * 1024;
  const auto e = error_of("local n = 64 * 1024 * 1024\nlocal s = ('x'):rep(n)", o);
  // Lua's memory error has no position; the allocator notes the line.
  EXPECT_EQ(e.rfind("test.lua:2: not enough memory (the script may use 8 MiB)", 0), 0u) << e;
  EXPECT_EQ(error_of("local s = ('x'):rep(1024 * 1024)", o), "");
}

TEST(LuaState, UnsafeLibrariesAreAbsent) {
  for (auto name : {"io", "os", "package", "debug", "dofile", "loadfile", "load", "require"}) {
    LuaState lua;
    lua_getglobal(lua.get(), name);
    EXPECT_TRUE(lua_isnil(lua.get(), -1)) << name;
  }
}

TEST(LuaState, BytecodeIsRefused) {
  // A precompiled chunk starts with "\x1bLua"; text mode refuses it.
  EXPECT_NE(error_of(std::string("\x1bLua\x54\x00", 6)).find("attempt to load a binary chunk"),
            std::string::npos);
}

}  // namespace
}  // namespace smtp::script::lua_state_test
