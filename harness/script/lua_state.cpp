#include "script/lua_state.hpp"

#include <lua.hpp>

namespace smtp::script {
namespace {

// The key of the per-state instruction budget in the registry.
int budget_key;

struct Budget {
  std::uint64_t limit;
  std::uint64_t used;
};

constexpr int hook_interval = 10000;

void count_hook(lua_State* L, lua_Debug*) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &budget_key);
  auto* budget = static_cast<Budget*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  if (budget == nullptr || budget->limit == 0) return;
  budget->used += hook_interval;
  if (budget->used > budget->limit) {
    luaL_error(L, "instruction limit exceeded (%d instructions): a runaway loop?",
               static_cast<int>(budget->limit > 2147483647 ? 2147483647 : budget->limit));
  }
}

int traceback(lua_State* L) {
  const char* message = lua_tostring(L, 1);
  if (message == nullptr) {
    // A non-string error object: describe it rather than lose it.
    message = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, message, 1);
  return 1;
}

// Only what a scenario needs; no io, os, package, debug or file loading
// (DESIGN §3: safe standard libraries by default).
void open_safe_libraries(lua_State* L) {
  static const luaL_Reg libs[] = {
      {LUA_GNAME, luaopen_base},        {LUA_TABLIBNAME, luaopen_table},
      {LUA_STRLIBNAME, luaopen_string}, {LUA_MATHLIBNAME, luaopen_math},
      {LUA_UTF8LIBNAME, luaopen_utf8},  {LUA_COLIBNAME, luaopen_coroutine}};
  for (const auto& lib : libs) {
    luaL_requiref(L, lib.name, lib.func, 1);
    lua_pop(L, 1);
  }
  for (const char* unsafe : {"dofile", "loadfile", "load"}) {
    lua_pushnil(L);
    lua_setglobal(L, unsafe);
  }
}

}  // namespace

LuaState::LuaState() : LuaState(Options{}) {}

LuaState::LuaState(Options options) : L_(luaL_newstate()), options_(options) {
  if (L_ == nullptr) throw ScriptError("cannot create a Lua state (out of memory)");
  open_safe_libraries(L_);
  auto* budget = static_cast<Budget*>(lua_newuserdatauv(L_, sizeof(Budget), 0));
  *budget = {options_.instruction_limit, 0};
  lua_rawsetp(L_, LUA_REGISTRYINDEX, &budget_key);
  if (options_.instruction_limit != 0) lua_sethook(L_, count_hook, LUA_MASKCOUNT, hook_interval);
}

LuaState::~LuaState() {
  lua_close(L_);
}

void LuaState::call(int nargs, int nresults) {
  lua_rawgetp(L_, LUA_REGISTRYINDEX, &budget_key);
  static_cast<Budget*>(lua_touserdata(L_, -1))->used = 0;  // the budget is per call
  lua_pop(L_, 1);
  const int base = lua_gettop(L_) - nargs;  // the function's index
  lua_pushcfunction(L_, traceback);
  lua_insert(L_, base);
  const int status = lua_pcall(L_, nargs, nresults, base);
  lua_remove(L_, base);
  if (status != LUA_OK) {
    std::string message = lua_tostring(L_, -1) ? lua_tostring(L_, -1) : "unknown Lua error";
    lua_pop(L_, 1);
    throw ScriptError(message);
  }
}

void LuaState::run_file(const std::string& path, int nresults) {
  if (luaL_loadfilex(L_, path.c_str(), "t") != LUA_OK) {  // text only: no bytecode
    std::string message = lua_tostring(L_, -1);
    lua_pop(L_, 1);
    throw ScriptError(message);
  }
  call(0, nresults);
}

void LuaState::run_string(std::string_view code, std::string_view chunk_name, int nresults) {
  const std::string name = "=" + std::string(chunk_name);
  if (luaL_loadbufferx(L_, code.data(), code.size(), name.c_str(), "t") != LUA_OK) {
    std::string message = lua_tostring(L_, -1);
    lua_pop(L_, 1);
    throw ScriptError(message);
  }
  call(0, nresults);
}

std::string caller_location(lua_State* L) {
  luaL_where(L, 1);
  std::string where = lua_tostring(L, -1);
  lua_pop(L, 1);
  return where;
}

}  // namespace smtp::script
