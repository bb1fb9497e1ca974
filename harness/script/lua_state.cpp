#include "script/lua_state.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <lua.hpp>
#include <string>
#include <string_view>

namespace smtp::script {
namespace {

// The key of the per-state instruction budget in the registry.
int budget_key;

struct Budget {
  std::uint64_t limit;
  std::uint64_t used;
};

constexpr int hook_interval = 10000;

Budget* budget_of(lua_State* L) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &budget_key);
  auto* budget = static_cast<Budget*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return budget;
}

bool exhausted(const Budget* budget) {
  return budget != nullptr && budget->limit != 0 && budget->used > budget->limit;
}

// `level` locates the error for "file:line:": 0 inside the count hook (the
// interrupted Lua function is the running one), 1 in a C function (its Lua
// caller).
[[noreturn]] void raise_exhausted(lua_State* L, const Budget* budget, int level) {
  luaL_where(L, level);
  lua_pushfstring(L, "instruction limit exceeded (%d instructions): a runaway loop?",
                  static_cast<int>(budget->limit > 2147483647 ? 2147483647 : budget->limit));
  lua_concat(L, 2);
  lua_error(L);
  throw ScriptError("unreachable");  // lua_error throws
}

void count_hook(lua_State* L, lua_Debug*) {
  auto* budget = budget_of(L);
  if (budget == nullptr || budget->limit == 0) return;
  budget->used += hook_interval;
  if (budget->used > budget->limit) {
    raise_exhausted(L, budget, 0);
  }
}

// An error outside any protected call (a bug of ours, since every call goes
// through LuaState::call) becomes an exception instead of abort().
int panic(lua_State* L) {
  const char* message = lua_tostring(L, -1);
  throw ScriptError(message != nullptr ? message : "unprotected Lua error");
}

// pcall, xpcall and coroutine.resume catch errors, the budget's included:
// `while true do pcall(spin) end` would never stop. Each is wrapped so that
// an exhausted budget raises again as soon as the protected call returns.
int guarded(lua_State* L) {
  const int nargs = lua_gettop(L);
  lua_pushvalue(L, lua_upvalueindex(1));  // the original function
  lua_insert(L, 1);
  lua_call(L, nargs, LUA_MULTRET);
  if (const auto* budget = budget_of(L); exhausted(budget)) raise_exhausted(L, budget, 1);
  return lua_gettop(L);
}

// Wraps the function at `table.name` (or the global `name` when table is null).
void guard(lua_State* L, const char* table, const char* name) {
  if (table != nullptr) {
    lua_getglobal(L, table);
    lua_getfield(L, -1, name);
  } else {
    lua_getglobal(L, name);
  }
  lua_pushcclosure(L, guarded, 1);
  if (table != nullptr) {
    lua_setfield(L, -2, name);
    lua_pop(L, 1);
  } else {
    lua_setglobal(L, name);
  }
}

// A __gc metamethod runs with hooks disabled (Lua 5.4 GCTM), so a finalizer
// that loops would hang the program at the next collection or at close; the
// sandbox refuses to install one.
int safe_setmetatable(lua_State* L) {
  if (lua_istable(L, 2) && lua_getfield(L, 2, "__gc") != LUA_TNIL) {
    return luaL_error(L, "setmetatable: __gc metamethods are not allowed in scripts");
  }
  lua_settop(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 2, 1);
  return 1;
}

// "source:line" of the innermost Lua function running on L's stack, or ""
// when only C functions run (a C function called from C, the parser).
// Reads the stack without allocating, so the allocator may call it.
std::string innermost_lua_location(lua_State* L) {
  lua_Debug ar;
  for (int level = 0; lua_getstack(L, level, &ar) != 0; ++level) {
    if (lua_getinfo(L, "Sl", &ar) != 0 && ar.currentline > 0) {
      return std::string(ar.short_src) + ":" + std::to_string(ar.currentline);
    }
  }
  return "";
}

// The message starts "source:line:" with the source of a Lua function on
// the stack (Lua's own errors, error(msg) at level 1 or 2, luaL_error).
bool located(lua_State* L, std::string_view message) {
  lua_Debug ar;
  for (int level = 0; lua_getstack(L, level, &ar) != 0; ++level) {
    if (lua_getinfo(L, "S", &ar) == 0 || ar.what == std::string_view("C")) continue;
    const std::string_view source = ar.short_src;
    if (!message.starts_with(source) || !message.substr(source.size()).starts_with(":")) continue;
    const auto rest = message.substr(source.size() + 1);
    const auto digits = rest.find_first_not_of("0123456789");
    if (digits != 0 && digits != std::string_view::npos && rest[digits] == ':') return true;
  }
  return false;
}

int traceback(lua_State* L) {
  luaL_traceback(L, L, located_message(L), 1);
  return 1;
}

// Only what a scenario needs; no io, os, package, debug or file loading
// (ARCHITECTURE.md §3: safe standard libraries by default).
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
  guard(L, nullptr, "pcall");
  guard(L, nullptr, "xpcall");
  guard(L, LUA_COLIBNAME, "resume");  // coroutine.wrap re-raises errors by itself
  lua_getglobal(L, "setmetatable");
  lua_pushcclosure(L, safe_setmetatable, 1);
  lua_setglobal(L, "setmetatable");
}

// The chunk's name as Lua writes it in messages (luaO_chunkid): "@path" is
// the path, "...tail" past LUA_IDSIZE; "=name" is the name, cut there.
std::string short_chunk_name(std::string_view chunk) {
  constexpr std::size_t most = LUA_IDSIZE - 1;
  const std::string_view name = chunk.substr(1);
  if (chunk.starts_with("=")) return std::string(name.substr(0, most));
  if (name.size() <= most) return std::string(name);
  return "..." + std::string(name.substr(name.size() - (most - 3)));
}

// Hands the parser one line at a time; `line` is the line of the last one.
struct LineReader {
  std::string_view rest;
  int line = 0;
};

const char* read_line(lua_State*, void* data, std::size_t* size) {
  auto* reader = static_cast<LineReader*>(data);
  if (reader->rest.empty()) {
    *size = 0;
    return nullptr;
  }
  const auto end = reader->rest.find('\n');
  *size = end == std::string_view::npos ? reader->rest.size() : end + 1;
  const char* line = reader->rest.data();
  reader->rest.remove_prefix(*size);
  ++reader->line;
  return line;
}

// The parser fails without a position on a few errors ("C stack overflow"
// for nesting too deep, a memory error). Parsed again a line at a time, the
// last line it was handed is the one it failed in, and the message names it.
std::string place_load_error(lua_State* L, const std::string& message, std::string_view code,
                             const std::string& chunk) {
  const std::string file = short_chunk_name(chunk);
  const std::string_view m = message;
  if (m.starts_with(file + ":")) return message;  // "file:line:" already
  LineReader reader{code};
  if (lua_load(L, read_line, &reader, chunk.c_str(), "t") == LUA_OK) {
    lua_pop(L, 1);
    return file + ": " + message;  // not the same failure again: no line to name
  }
  lua_pop(L, 1);
  return file + ":" + std::to_string(std::max(reader.line, 1)) + ": " + message;
}

// The text luaL_loadfilex parses: without a UTF-8 byte order mark, and with a
// first line starting "#" (a Unix exec line) left empty, its newline kept.
std::string as_loadfile_reads(std::string code) {
  if (code.starts_with("\xEF\xBB\xBF")) code.erase(0, 3);
  if (code.starts_with("#")) code.erase(0, std::min(code.find('\n'), code.size()));
  return code;
}
}  // namespace

const char* located_message(lua_State* L) {
  const char* message = lua_tostring(L, 1);
  if (message == nullptr) {
    // A non-string error object: describe it rather than lose it.
    message = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  // error(msg, 0) and error(table) carry no position; every error a script
  // reports names its file:line, so they get the line that raised them.
  if (!located(L, message)) {
    if (const std::string where = innermost_lua_location(L); !where.empty()) {
      message = lua_pushfstring(L, "%s: %s", where.c_str(), message);
    }
  }
  return message;
}

int locate_error(lua_State* L) {
  lua_pushstring(L, located_message(L));
  return 1;
}

LuaState::LuaState() : LuaState(Options{}) {}

void* LuaState::allocate(void* ud, void* ptr, std::size_t old_size, std::size_t new_size) {
  auto* a = static_cast<Allocator*>(ud);
  // For a new block Lua passes the object's type in old_size, not a size.
  const std::size_t old_bytes = ptr == nullptr ? 0 : old_size;
  if (new_size == 0) {
    std::free(ptr);
    a->used -= old_bytes;
    return nullptr;
  }
  if (a->limit != 0 && new_size > old_bytes && a->used + (new_size - old_bytes) > a->limit) {
    // Lua raises "not enough memory" without a position, and calls no
    // message handler for it; call() names the line from here.
    if (a->L != nullptr) a->refused_at = innermost_lua_location(a->L);
    return nullptr;
  }
  void* block = std::realloc(ptr, new_size);
  if (block != nullptr) a->used = a->used - old_bytes + new_size;
  return block;
}

LuaState::LuaState(Options options)
    : options_(options),
      allocator_{options.memory_limit, 0, nullptr, {}},
      L_(lua_newstate(&LuaState::allocate, &allocator_)) {
  if (L_ == nullptr) throw ScriptError("cannot create a Lua state (out of memory)");
  allocator_.L = L_;
  lua_atpanic(L_, panic);
  open_safe_libraries(L_);
  auto* budget = static_cast<Budget*>(lua_newuserdatauv(L_, sizeof(Budget), 0));
  *budget = {options_.instruction_limit, 0};
  lua_rawsetp(L_, LUA_REGISTRYINDEX, &budget_key);
  if (options_.instruction_limit != 0) lua_sethook(L_, count_hook, LUA_MASKCOUNT, hook_interval);
}

LuaState::~LuaState() {
  lua_close(L_);
}

void LuaState::reset_instruction_budget() {
  lua_rawgetp(L_, LUA_REGISTRYINDEX, &budget_key);
  static_cast<Budget*>(lua_touserdata(L_, -1))->used = 0;
  lua_pop(L_, 1);
}

void LuaState::call(int nargs, int nresults) {
  reset_instruction_budget();  // the budget is per call
  allocator_.refused_at.clear();
  const int base = lua_gettop(L_) - nargs;  // the function's index
  lua_pushcfunction(L_, traceback);
  lua_insert(L_, base);
  const int status = lua_pcall(L_, nargs, nresults, base);
  lua_remove(L_, base);
  if (status != LUA_OK) {
    std::string message = lua_tostring(L_, -1) ? lua_tostring(L_, -1) : "unknown Lua error";
    lua_pop(L_, 1);
    if (status == LUA_ERRMEM && !allocator_.refused_at.empty()) {
      message = allocator_.refused_at + ": " + message + " (the script may use " +
                std::to_string(options_.memory_limit / (1024 * 1024)) + " MiB)";
    }
    throw ScriptError(message);
  }
}

void LuaState::run_file(const std::string& path, int nresults) {
  if (luaL_loadfilex(L_, path.c_str(), "t") != LUA_OK) {  // text only: no bytecode
    std::string message = lua_tostring(L_, -1);
    lua_pop(L_, 1);
    std::ifstream in(path, std::ios::binary);
    if (in) {
      const std::string code{std::istreambuf_iterator<char>(in), {}};
      message = place_load_error(L_, message, as_loadfile_reads(code), "@" + path);
    }
    throw ScriptError(message);
  }
  call(0, nresults);
}

void LuaState::run_string(std::string_view code, std::string_view chunk_name, int nresults) {
  const std::string name = "=" + std::string(chunk_name);
  if (luaL_loadbufferx(L_, code.data(), code.size(), name.c_str(), "t") != LUA_OK) {
    std::string message = lua_tostring(L_, -1);
    lua_pop(L_, 1);
    throw ScriptError(place_load_error(L_, message, code, name));
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
