#include "fake-server/profile.hpp"

#include <lua.hpp>

#include <functional>
#include <map>

#include "fake-server/lua_hooks.hpp"
#include "fake-server/profile_rules.hpp"
#include "proto/ascii.hpp"
#include "proto/server_violations.hpp"
#include "script/lua_fields.hpp"
#include "script/lua_state.hpp"

namespace smtp::fake {
namespace {

namespace f = script::lua_fields;
constexpr std::string_view context = "server";

// The options being filled, reachable from the C function `server`.
int options_key;

using FieldSetter = std::function<void(lua_State*, ServerSettings&)>;

const std::map<std::string, FieldSetter>& fields() {
  static const std::map<std::string, FieldSetter> table = {
      {"hostname", [](lua_State* L,
                      ServerSettings& o) { o.smtp.hostname = f::string(L, context, "hostname"); }},
      {"auth_cleartext",
       [](lua_State* L, ServerSettings& o) {
         o.smtp.auth_cleartext = f::boolean(L, context, "auth_cleartext");
       }},
      {"require_auth",
       [](lua_State* L, ServerSettings& o) {
         o.smtp.require_auth = f::boolean(L, context, "require_auth");
       }},
      {"keep_bare_line_endings",
       [](lua_State* L, ServerSettings& o) {
         o.smtp.reject_bare_line_endings = !f::boolean(L, context, "keep_bare_line_endings");
       }},
      {"max_size",
       [](lua_State* L, ServerSettings& o) {
         o.smtp.max_message_size =
             static_cast<std::uint64_t>(f::integer(L, context, "max_size", 0));
       }},
      {"max_recipients",
       [](lua_State* L, ServerSettings& o) {
         o.smtp.max_recipients =
             static_cast<std::size_t>(f::integer(L, context, "max_recipients", 1));
       }},
      {"max_errors",
       [](lua_State* L, ServerSettings& o) {
         o.smtp.max_errors = static_cast<std::size_t>(f::integer(L, context, "max_errors", 0));
       }},
      {"max_sessions",
       [](lua_State* L, ServerSettings& o) {
         o.max_sessions = static_cast<std::size_t>(f::integer(L, context, "max_sessions", 0));
       }},
      {"max_line",
       [](lua_State* L, ServerSettings& o) {
         const auto n = f::integer(L, context, "max_line", 514);
         if (n > (1 << 24)) f::fail(L, context, "max_line must be at most 16777216");
         o.max_line = static_cast<std::size_t>(n);
       }},
      {"idle_timeout",
       [](lua_State* L, ServerSettings& o) {
         const auto d = lua_type(L, -1) == LUA_TNUMBER
                            ? common::parse_duration(std::to_string(lua_tonumber(L, -1)))
                            : common::parse_duration(f::string(L, context, "idle_timeout"));
         if (!d || *d <= common::Duration::zero())
           f::fail(L, context, "idle_timeout must be like \"300s\"");
         o.idle_timeout = *d;
       }},
      {"users",
       [](lua_State* L, ServerSettings& o) {
         if (!lua_istable(L, -1))
           f::fail(L, context, "users must be a table { user = \"password\" }");
         lua_pushnil(L);
         while (lua_next(L, -2) != 0) {
           if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) {
             f::fail(L, context, "users: every user name and password must be a string");
           }
           o.smtp.users[lua_tostring(L, -2)] = lua_tostring(L, -1);
           lua_pop(L, 1);
         }
       }},
      {"auth_mechanisms",
       [](lua_State* L, ServerSettings& o) {
         o.smtp.auth_mechanisms.clear();
         f::each_element(L, context, "auth_mechanisms", [&] {
           const std::string m = proto::to_upper_ascii(f::string(L, context, "auth_mechanisms"));
           if (m != "PLAIN" && m != "LOGIN")
             f::fail(L, context, "auth_mechanisms: PLAIN and LOGIN only, not " + m);
           o.smtp.auth_mechanisms.push_back(m);
         });
       }},
      {"disable",
       [](lua_State* L, ServerSettings& o) {
         f::each_element(L, context, "disable", [&] {
           const auto keyword = f::string(L, context, "disable");
           if (!proto::set_extension(o.smtp.extensions, keyword, false)) {
             f::fail(L, context,
                     "disable: unknown keyword '" + keyword + "' (" +
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
  auto* options = static_cast<ServerSettings*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  f::each_field(L, 1, context, [&](const std::string& name) {
    const auto it = fields().find(name);
    if (it == fields().end()) f::unknown_field(L, context, name, fields());
    it->second(L, *options);
  });
  return 0;
}

// violate "name" or violate { "name", ... }: deliberate breakage for the
// broken-*.lua profiles (proto/server_violations.hpp).
int lua_violate(lua_State* L) {
  constexpr std::string_view where = "violate";
  lua_rawgetp(L, LUA_REGISTRYINDEX, &options_key);
  auto* options = static_cast<ServerSettings*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  if (lua_gettop(L) != 1) f::fail(L, where, "takes one name or one list of names");
  auto set = [&] {
    const auto name = f::string(L, where, "violate");
    if (!proto::set_violation(options->smtp.violations, name)) {
      f::fail(L, where,
              "unknown violation '" + name + "' (known: " + proto::violation_names() + ")");
    }
  };
  if (lua_istable(L, 1)) {
    if (luaL_len(L, 1) == 0) f::fail(L, where, "the list of names is empty");
    f::each_element(L, where, "violate", set);
  } else {
    set();
  }
  return 0;
}

}  // namespace

void load_profile(const std::string& path, ServerSettings& options) {
  // Hooks run once per command on the server's one thread: a tenth of the
  // default budget stops a runaway hook within a fraction of a second.
  script::LuaState::Options limits;
  limits.instruction_limit = 10'000'000;
  auto lua = std::make_unique<script::LuaState>(limits);
  lua_State* L = lua->get();
  lua_pushlightuserdata(L, &options);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &options_key);
  lua_register(L, "server", lua_server);
  lua_register(L, "violate", lua_violate);
  register_rule_functions(L, &options.rules);
  lua->run_file(path);
  // The registry's pointers go stale with this frame; a hook calling
  // server { } or rule { } later gets a clear error instead.
  for (const char* name : {"server", "violate", "rule", "greylist"}) {
    lua_pushcfunction(L, [](lua_State* L) -> int {
      f::fail(L, "profile",
              "server { }, violate, rule { } and greylist { } only work while the profile "
              "loads; change rules at run time with PUT /api/rules");
    });
    lua_setglobal(L, name);
  }
  options.hooks = LuaHooks::adopt(std::move(lua), options.seed);
}

}  // namespace smtp::fake
