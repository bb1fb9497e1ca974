#include "script/lua_value.hpp"

#include <lua.hpp>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "script/lua_state.hpp"

namespace smtp::script {
namespace {

// Deep enough for any real data set, shallow enough that the recursion
// below cannot exhaust the C stack.
constexpr int kMaxDepth = 100;

// ---- Plain push -------------------------------------------------------------

void push_plain(lua_State* L, const Value& value) {
  luaL_checkstack(L, 3, "data nested too deeply");
  if (const auto* b = value.boolean()) {
    lua_pushboolean(L, *b ? 1 : 0);
  } else if (const auto* i = value.integer()) {
    lua_pushinteger(L, static_cast<lua_Integer>(*i));
  } else if (const auto* d = value.number()) {
    lua_pushnumber(L, static_cast<lua_Number>(*d));
  } else if (const auto* s = value.string()) {
    lua_pushlstring(L, s->data(), s->size());
  } else if (const auto* table = value.table()) {
    lua_createtable(L, 0, static_cast<int>(table->size()));
    for (const auto& [key, item] : *table) {
      lua_pushlstring(L, key.data(), key.size());
      push_plain(L, item);
      lua_rawset(L, -3);
    }
  } else if (const auto* list = value.list()) {
    lua_createtable(L, static_cast<int>(list->size()), 0);
    lua_Integer n = 0;
    for (const auto& item : *list) {
      push_plain(L, item);
      lua_rawseti(L, -2, ++n);
    }
  } else {
    lua_pushnil(L);
  }
}

// ---- Read-only proxies ------------------------------------------------------

// "file:line:" of the innermost Lua function on the stack: the code that
// wrote, even when it wrote through a C function such as table.insert.
std::string lua_location(lua_State* L) {
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar) != 0; ++level) {
    if (lua_getinfo(L, "Sl", &ar) != 0 && ar.currentline > 0) {
      return std::string(ar.short_src) + ":" + std::to_string(ar.currentline) + ": ";
    }
  }
  return "";
}

// __newindex; upvalue 1 is the name of the data ("ctx.shared").
int refuse_write(lua_State* L) {
  const std::string where = lua_location(L);
  lua_pushfstring(L, "%s%s is read-only", where.c_str(), lua_tostring(L, lua_upvalueindex(1)));
  return lua_error(L);
}

bool is_proxy(lua_State* L, int index) {
  if (lua_type(L, index) != LUA_TTABLE || lua_getmetatable(L, index) == 0) return false;
  lua_pushliteral(L, "__newindex");
  lua_rawget(L, -2);
  const bool proxy = lua_tocfunction(L, -1) == refuse_write;
  lua_pop(L, 2);
  return proxy;
}

// Pushes the data table behind the proxy at `index` (which must be one).
void push_proxied(lua_State* L, int index) {
  lua_getmetatable(L, index);
  lua_pushliteral(L, "__index");
  lua_rawget(L, -2);
  lua_remove(L, -2);
}

int proxy_len(lua_State* L) {
  push_proxied(L, 1);
  lua_pushinteger(L, static_cast<lua_Integer>(lua_rawlen(L, -1)));
  return 1;
}

// The iterator __pairs returns; it is given the proxy, never the data table,
// which would let the loop's body write to it.
int proxy_next(lua_State* L) {
  lua_settop(L, 2);
  push_proxied(L, 1);
  lua_insert(L, 2);  // [proxy, data, key]
  if (lua_next(L, 2) == 0) {
    lua_pushnil(L);
    return 1;
  }
  return 2;
}

int proxy_pairs(lua_State* L) {
  lua_pushcfunction(L, proxy_next);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

// Replaces the table at the top of the stack by a proxy of it; the
// __newindex closure is at `refuse` on the stack.
void wrap(lua_State* L, int refuse) {
  const int data = lua_gettop(L);
  lua_newtable(L);  // the proxy
  lua_createtable(L, 0, 5);
  lua_pushvalue(L, data);
  lua_setfield(L, -2, "__index");
  lua_pushvalue(L, refuse);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, proxy_len);
  lua_setfield(L, -2, "__len");
  lua_pushcfunction(L, proxy_pairs);
  lua_setfield(L, -2, "__pairs");
  lua_pushliteral(L, "read-only");
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_remove(L, data);
}

void push_refuse(lua_State* L, std::string_view name) {
  lua_pushlstring(L, name.data(), name.size());
  lua_pushcclosure(L, refuse_write, 1);
}

// Every proxy shares the __newindex closure at `refuse` on the stack.
void push_proxy(lua_State* L, const Value& value, int refuse) {
  luaL_checkstack(L, 4, "data nested too deeply");
  const auto* table = value.table();
  const auto* list = value.list();
  if (table == nullptr && list == nullptr) {
    push_plain(L, value);
    return;
  }
  if (table != nullptr) {
    lua_createtable(L, 0, static_cast<int>(table->size()));
    for (const auto& [key, item] : *table) {
      lua_pushlstring(L, key.data(), key.size());
      push_proxy(L, item, refuse);
      lua_rawset(L, -3);
    }
  } else {
    lua_createtable(L, static_cast<int>(list->size()), 0);
    lua_Integer n = 0;
    for (const auto& item : *list) {
      push_proxy(L, item, refuse);
      lua_rawseti(L, -2, ++n);
    }
  }
  wrap(L, refuse);
}

// ---- Reading ----------------------------------------------------------------

class Reader {
 public:
  Reader(lua_State* L, std::string_view root) : L_(L), root_(root) {}

  Value read(int index, int depth) {
    index = lua_absindex(L_, index);
    switch (lua_type(L_, index)) {
      case LUA_TNONE:
      case LUA_TNIL:
        return {};
      case LUA_TBOOLEAN:
        return Value(lua_toboolean(L_, index) != 0);
      case LUA_TNUMBER:
        if (lua_isinteger(L_, index)) {
          return Value(static_cast<std::int64_t>(lua_tointeger(L_, index)));
        }
        return Value(static_cast<double>(lua_tonumber(L_, index)));
      case LUA_TSTRING: {
        std::size_t n = 0;
        const char* s = lua_tolstring(L_, index, &n);
        return Value(std::string(s, n));
      }
      case LUA_TTABLE:
        return read_table(index, depth);
      default:
        fail(std::string("is a ") + luaL_typename(L_, index) +
             "; only nil, booleans, numbers, strings and tables can be copied");
    }
  }

 private:
  Value read_table(int index, int depth) {
    if (depth >= kMaxDepth)
      fail("nests tables deeper than " + std::to_string(kMaxDepth) + " levels");
    if (!lua_checkstack(L_, 4)) fail("is too large to copy");
    push_contents(L_, index);
    const int table = lua_gettop(L_);
    const void* identity = lua_topointer(L_, table);
    if (std::find(open_.begin(), open_.end(), identity) != open_.end()) {
      fail("contains itself (a cycle)");
    }
    open_.push_back(identity);
    Value value =
        classify(table) == Shape::list ? read_list(table, depth) : read_named(table, depth);
    open_.pop_back();
    lua_pop(L_, 1);
    return value;
  }

  enum class Shape { named, list };

  // A table is a list when its keys are exactly 1..n, named when they are all
  // strings; anything else cannot be represented in a Value.
  Shape classify(int table) {
    std::size_t strings = 0;
    std::size_t integers = 0;
    lua_Integer largest = 0;
    lua_pushnil(L_);
    while (lua_next(L_, table) != 0) {
      lua_pop(L_, 1);
      if (lua_type(L_, -1) == LUA_TSTRING) {
        ++strings;
      } else if (lua_isinteger(L_, -1) && lua_tointeger(L_, -1) >= 1) {
        ++integers;
        largest = std::max(largest, lua_tointeger(L_, -1));
      } else {
        const std::string type = luaL_typename(L_, -1);
        lua_pop(L_, 1);
        fail("has a key that is a " + (type == "number" ? "number other than 1..n" : type) +
             "; tables need string keys or list keys 1..n");
      }
    }
    if (strings != 0 && integers != 0) {
      fail("mixes list items and named fields; use one or the other");
    }
    if (integers != 0 && static_cast<std::size_t>(largest) != integers) {
      fail("is a list with holes; list keys must be 1..n");
    }
    return integers != 0 ? Shape::list : Shape::named;
  }

  Value read_list(int table, int depth) {
    const auto n = static_cast<lua_Integer>(lua_rawlen(L_, table));
    Value::List list;
    list.reserve(static_cast<std::size_t>(n));
    for (lua_Integer i = 1; i <= n; ++i) {
      path_.push_back("[" + std::to_string(i) + "]");
      lua_rawgeti(L_, table, i);
      list.push_back(read(-1, depth + 1));
      lua_pop(L_, 1);
      path_.pop_back();
    }
    return Value(std::move(list));
  }

  Value read_named(int table, int depth) {
    Value::Table named;
    lua_pushnil(L_);
    while (lua_next(L_, table) != 0) {
      std::size_t n = 0;
      const char* key = lua_tolstring(L_, -2, &n);  // a string: classify() checked
      std::string name(key, n);
      path_.push_back(segment(name));
      named.emplace(std::move(name), read(-1, depth + 1));
      path_.pop_back();
      lua_pop(L_, 1);
    }
    return Value(std::move(named));
  }

  // ".name", or ["odd key"] when the key is not an identifier.
  static std::string segment(const std::string& name) {
    const bool identifier = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                            std::all_of(name.begin(), name.end(), [](char c) {
                              return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
                            });
    return identifier ? "." + name : "[\"" + name + "\"]";
  }

  [[noreturn]] void fail(const std::string& what) {
    std::string where(root_);
    for (const auto& s : path_) where += s;
    throw ScriptError(where + " " + what);
  }

  lua_State* L_;
  std::string_view root_;
  std::vector<std::string> path_;
  std::vector<const void*> open_;  // tables being read: one seen again is a cycle
};

}  // namespace

void push_value(lua_State* L, const Value& value) {
  push_plain(L, value);
}

void push_read_only(lua_State* L, const Value& value, std::string_view name) {
  push_refuse(L, name);
  const int refuse = lua_gettop(L);
  push_proxy(L, value, refuse);
  lua_remove(L, refuse);
}

void make_read_only(lua_State* L, std::string_view name) {
  push_refuse(L, name);
  lua_insert(L, -2);  // [refuse, table]
  wrap(L, lua_gettop(L) - 1);
  lua_remove(L, -2);
}

void push_contents(lua_State* L, int index) {
  if (is_proxy(L, index)) {
    push_proxied(L, index);
  } else {
    lua_pushvalue(L, index);
  }
}

Value to_value(lua_State* L, int index, std::string_view root) {
  const int top = lua_gettop(L);
  Reader reader(L, root);
  try {
    Value value = reader.read(index, 0);
    lua_settop(L, top);
    return value;
  } catch (...) {
    lua_settop(L, top);
    throw;
  }
}

}  // namespace smtp::script
