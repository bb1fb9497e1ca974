#include "fake-server/profile.hpp"

#include <lua.hpp>

#include <functional>
#include <map>

#include "common/duration.hpp"
#include "script/lua_state.hpp"

namespace smtp::fake {
namespace {

using script::ScriptError;

// The options being filled, reachable from the C function `server`.
int options_key;

[[noreturn]] void fail(lua_State* L, const std::string& what) {
  luaL_error(L, "server: %s", what.c_str());
  throw ScriptError(what);  // not reached: luaL_error throws
}

std::string field_string(lua_State* L, const char* field) {
  if (lua_type(L, -1) != LUA_TSTRING) fail(L, std::string(field) + " must be a string");
  return lua_tostring(L, -1);
}

bool field_bool(lua_State* L, const char* field) {
  if (!lua_isboolean(L, -1)) fail(L, std::string(field) + " must be true or false");
  return lua_toboolean(L, -1) != 0;
}

lua_Integer field_count(lua_State* L, const char* field, lua_Integer min) {
  int ok = 0;
  const lua_Integer v = lua_tointegerx(L, -1, &ok);
  if (!ok || v < min) {
    fail(L, std::string(field) + " must be an integer >= " + std::to_string(min));
  }
  return v;
}

// Calls fn for each element of the array at the top of the stack.
void each_element(lua_State* L, const char* field, const std::function<void()>& fn) {
  if (!lua_istable(L, -1)) fail(L, std::string(field) + " must be a list");
  const auto n = luaL_len(L, -1);
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_geti(L, -1, i);
    fn();
    lua_pop(L, 1);
  }
}

using FieldSetter = std::function<void(lua_State*, FakeServerOptions&)>;

const std::map<std::string, FieldSetter>& fields() {
  static const std::map<std::string, FieldSetter> table = {
      {"hostname",
       [](lua_State* L, FakeServerOptions& o) { o.smtp.hostname = field_string(L, "hostname"); }},
      {"auth_cleartext",
       [](lua_State* L, FakeServerOptions& o) {
         o.smtp.auth_cleartext = field_bool(L, "auth_cleartext");
       }},
      {"require_auth",
       [](lua_State* L, FakeServerOptions& o) {
         o.smtp.require_auth = field_bool(L, "require_auth");
       }},
      {"keep_bare_line_endings",
       [](lua_State* L, FakeServerOptions& o) {
         o.smtp.reject_bare_line_endings = !field_bool(L, "keep_bare_line_endings");
       }},
      {"max_size",
       [](lua_State* L, FakeServerOptions& o) {
         o.smtp.max_message_size = static_cast<std::uint64_t>(field_count(L, "max_size", 0));
       }},
      {"max_recipients",
       [](lua_State* L, FakeServerOptions& o) {
         o.smtp.max_recipients = static_cast<std::size_t>(field_count(L, "max_recipients", 1));
       }},
      {"max_errors",
       [](lua_State* L, FakeServerOptions& o) {
         o.smtp.max_errors = static_cast<std::size_t>(field_count(L, "max_errors", 0));
       }},
      {"max_line",
       [](lua_State* L, FakeServerOptions& o) {
         const auto n = field_count(L, "max_line", 514);
         if (n > (1 << 24)) fail(L, "max_line must be at most 16777216");
         o.max_line = static_cast<std::size_t>(n);
       }},
      {"idle_timeout",
       [](lua_State* L, FakeServerOptions& o) {
         const auto d = lua_type(L, -1) == LUA_TNUMBER
                            ? common::parse_duration(std::to_string(lua_tonumber(L, -1)))
                            : common::parse_duration(field_string(L, "idle_timeout"));
         if (!d || *d <= common::Duration::zero()) fail(L, "idle_timeout must be like \"300s\"");
         o.idle_timeout = *d;
       }},
      {"users",
       [](lua_State* L, FakeServerOptions& o) {
         if (!lua_istable(L, -1)) fail(L, "users must be a table { user = \"password\" }");
         lua_pushnil(L);
         while (lua_next(L, -2) != 0) {
           if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
             fail(L, "users: every user name and password must be a string");
           }
           o.smtp.users[lua_tostring(L, -2)] = lua_tostring(L, -1);
           lua_pop(L, 1);
         }
       }},
      {"auth_mechanisms",
       [](lua_State* L, FakeServerOptions& o) {
         o.smtp.auth_mechanisms.clear();
         each_element(L, "auth_mechanisms", [&] {
           std::string m = field_string(L, "auth_mechanisms");
           for (auto& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
           if (m != "PLAIN" && m != "LOGIN")
             fail(L, "auth_mechanisms: PLAIN and LOGIN only, not " + m);
           o.smtp.auth_mechanisms.push_back(m);
         });
       }},
      {"disable",
       [](lua_State* L, FakeServerOptions& o) {
         each_element(L, "disable", [&] {
           const auto keyword = field_string(L, "disable");
           if (!proto::set_extension(o.smtp.extensions, keyword, false)) {
             fail(L, "disable: unknown keyword '" + keyword + "' (" +
                         std::string(proto::extension_keywords()) + ")");
           }
         });
       }},
  };
  return table;
}

// server { field = value, ... }
int lua_server(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &options_key);
  auto* options = static_cast<FakeServerOptions*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING) fail(L, "fields are named, e.g. hostname = \"mx.test\"");
    const std::string name = lua_tostring(L, -2);
    const auto it = fields().find(name);
    if (it == fields().end()) {
      std::string known;
      for (const auto& [k, v] : fields()) known += (known.empty() ? "" : ", ") + k;
      fail(L, "unknown field '" + name + "' (known: " + known + ")");
    }
    it->second(L, *options);
    lua_pop(L, 1);
  }
  return 0;
}

}  // namespace

void load_profile(const std::string& path, FakeServerOptions& options) {
  script::LuaState lua;
  lua_State* L = lua.get();
  lua_pushlightuserdata(L, &options);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &options_key);
  lua_register(L, "server", lua_server);
  lua.run_file(path);
}

}  // namespace smtp::fake
