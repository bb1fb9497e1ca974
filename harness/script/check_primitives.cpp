#include "script/check_primitives.hpp"

#include <lua.hpp>
#include <string>
#include <variant>

#include "proto/base64.hpp"
#include "proto/dot_stuffer.hpp"
#include "proto/ehlo.hpp"
#include "proto/path.hpp"

namespace smtp::script::check_primitives {
namespace {

// Registry key of the table { [thread] = true } of running check coroutines.
int threads_key;

void push_threads(lua_State* L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &threads_key) == LUA_TTABLE) return;
  lua_pop(L, 1);
  lua_newtable(L);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &threads_key);
}

std::string checked_string(lua_State* L, int index) {
  std::size_t n = 0;
  const char* s = luaL_checklstring(L, index, &n);
  return std::string(s, n);
}

}  // namespace

void register_check_thread(lua_State* L, lua_State* thread) {
  push_threads(L);
  lua_pushthread(thread);
  lua_xmove(thread, L, 1);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

void unregister_check_thread(lua_State* L, lua_State* thread) {
  push_threads(L);
  lua_pushthread(thread);
  lua_xmove(thread, L, 1);
  lua_pushnil(L);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

int io(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  push_threads(L);
  lua_pushthread(L);
  const bool check_thread = lua_rawget(L, -2) == LUA_TBOOLEAN;
  lua_pop(L, 2);
  if (!check_thread || !lua_isyieldable(L)) {
    return luaL_error(L,
                      "connections and t:sleep work only in the check's own run function, not "
                      "inside pcall, xpcall or a coroutine of the check's own");
  }
  lua_settop(L, 1);
  return lua_yield(L, 1);
}

int parse_ehlo(lua_State* L) {
  proto::Reply reply;
  reply.code = static_cast<int>(luaL_checkinteger(L, 1));
  luaL_checktype(L, 2, LUA_TTABLE);
  const lua_Integer n = luaL_len(L, 2);
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_geti(L, 2, i);
    proto::ReplyLine line;
    line.text = checked_string(L, -1);
    reply.lines.push_back(std::move(line));
    lua_pop(L, 1);
  }
  lua_newtable(L);
  auto parsed = proto::parse_ehlo(reply);
  if (auto* caps = std::get_if<proto::Capabilities>(&parsed)) {
    for (const auto& item : caps->items) {
      std::string params;
      for (const auto& p : item.params) {
        if (!params.empty()) params += ' ';
        params += p;
      }
      lua_pushlstring(L, params.data(), params.size());
      lua_setfield(L, -2, item.keyword.c_str());
    }
  }
  return 1;
}

int dot_stuff(lua_State* L) {
  const std::string payload = proto::dot_stuff(checked_string(L, 1));
  lua_pushlstring(L, payload.data(), payload.size());
  return 1;
}

int base64(lua_State* L) {
  const std::string encoded = proto::base64_encode(checked_string(L, 1));
  lua_pushlstring(L, encoded.data(), encoded.size());
  return 1;
}

int is_domain(lua_State* L) {
  const auto error = proto::check_domain(checked_string(L, 1));
  lua_pushboolean(L, !error);
  if (!error) return 1;
  lua_pushlstring(L, error->detail.data(), error->detail.size());
  return 2;
}

}  // namespace smtp::script::check_primitives
