#include "script/lua_fields.hpp"

#include <lua.hpp>

#include "script/lua_state.hpp"

namespace smtp::script::lua_fields {

void fail(lua_State* L, std::string_view context, const std::string& what) {
  luaL_error(L, "%s: %s", std::string(context).c_str(), what.c_str());
  throw script::ScriptError(what);  // not reached: luaL_error throws
}

std::string string(lua_State* L, std::string_view context, const char* field) {
  if (lua_type(L, -1) != LUA_TSTRING) fail(L, context, std::string(field) + " must be a string");
  std::size_t n = 0;
  const char* s = lua_tolstring(L, -1, &n);
  return std::string(s, n);
}

bool boolean(lua_State* L, std::string_view context, const char* field) {
  if (!lua_isboolean(L, -1)) fail(L, context, std::string(field) + " must be true or false");
  return lua_toboolean(L, -1) != 0;
}

std::int64_t integer(lua_State* L, std::string_view context, const char* field, std::int64_t min) {
  int ok = 0;
  const lua_Integer v = lua_tointegerx(L, -1, &ok);
  if (!ok || v < min) {
    fail(L, context, std::string(field) + " must be an integer >= " + std::to_string(min));
  }
  return v;
}

double number(lua_State* L, std::string_view context, const char* field) {
  if (lua_type(L, -1) != LUA_TNUMBER) fail(L, context, std::string(field) + " must be a number");
  return lua_tonumber(L, -1);
}

common::Duration duration(lua_State* L, std::string_view context, const char* field,
                          bool allow_zero) {
  std::optional<common::Duration> d;
  if (lua_type(L, -1) == LUA_TNUMBER) {
    d = common::parse_duration(std::to_string(lua_tonumber(L, -1)));
  } else if (lua_type(L, -1) == LUA_TSTRING) {
    d = common::parse_duration(lua_tostring(L, -1));
  }
  if (!d || *d < common::Duration::zero() || (!allow_zero && *d == common::Duration::zero())) {
    fail(L, context, std::string(field) + " must be a duration like \"5s\" or \"250ms\"");
  }
  return *d;
}

void each_element(lua_State* L, std::string_view context, const char* field,
                  const std::function<void()>& fn) {
  if (!lua_istable(L, -1)) fail(L, context, std::string(field) + " must be a list");
  // Not luaL_len: a __len that returns no integer makes it raise from this C
  // function, where no Lua line is left to name; the field names the value.
  lua_len(L, -1);
  int ok = 0;
  const lua_Integer n = lua_tointegerx(L, -1, &ok);
  lua_pop(L, 1);
  if (!ok) fail(L, context, std::string(field) + " must be a list: its length is not an integer");
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_geti(L, -1, i);
    fn();
    lua_pop(L, 1);
  }
}

void each_field(lua_State* L, int index, std::string_view context,
                const std::function<void(const std::string&)>& fn) {
  index = lua_absindex(L, index);
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      fail(L, context, "fields are named, e.g. { name = value }");
    }
    const std::string name = lua_tostring(L, -2);
    fn(name);
    lua_pop(L, 1);
  }
}

}  // namespace smtp::script::lua_fields
