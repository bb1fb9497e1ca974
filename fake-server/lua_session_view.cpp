#include "fake-server/lua_session_view.hpp"

#include <lua.hpp>

#include <cstring>
#include <string>

namespace smtp::fake {
namespace {

constexpr const char* metatable_name = "smtp.fake.session";

void push_text(lua_State* L, std::string_view text) {
  lua_pushlstring(L, text.data(), text.size());
}

const HookSession& session_of(lua_State* L) {
  auto** slot = static_cast<const HookSession**>(luaL_checkudata(L, 1, metatable_name));
  if (*slot == nullptr) {
    luaL_error(L,
               "session: this view belonged to a hook call that has returned; copy the "
               "fields you need (or key your own table by session.id)");
  }
  return **slot;
}

// Pushes one field's value; returns false for a field that does not exist.
bool push_field(lua_State* L, const HookSession& s, std::string_view key) {
  if (key == "id") {
    lua_pushinteger(L, static_cast<lua_Integer>(s.id));
  } else if (key == "ip") {
    push_text(L, s.ip);
  } else if (key == "port") {
    lua_pushinteger(L, s.port);
  } else if (key == "tls") {
    lua_pushboolean(L, s.tls);
  } else if (key == "auth") {
    if (s.auth_user.empty()) return false;
    push_text(L, s.auth_user);
  } else if (key == "helo") {
    if (s.helo.empty()) return false;
    push_text(L, s.helo);
  } else if (key == "messages") {
    lua_pushinteger(L, static_cast<lua_Integer>(s.messages));
  } else if (key == "from") {
    if (s.envelope == nullptr) return false;
    push_text(L, s.envelope->reverse_path.address());
  } else if (key == "to") {
    // A fresh list each time: changing it changes nothing.
    const auto n = s.envelope != nullptr ? s.envelope->recipients.size() : 0;
    lua_createtable(L, static_cast<int>(n), 0);
    for (std::size_t i = 0; i < n; ++i) {
      push_text(L, s.envelope->recipients[i].path.address());
      lua_seti(L, -2, static_cast<lua_Integer>(i + 1));
    }
  } else {
    return false;
  }
  return true;
}

constexpr const char* field_names[] = {"id",   "ip",   "port", "tls",     "auth",
                                       "helo", "from", "to",   "messages"};

int view_index(lua_State* L) {
  const auto& s = session_of(L);
  std::size_t n = 0;
  const char* key = lua_tolstring(L, 2, &n);
  if (key == nullptr || !push_field(L, s, std::string_view(key, n))) lua_pushnil(L);
  return 1;
}

int view_newindex(lua_State* L) {
  return luaL_error(L,
                    "session is read-only; keep your own state in a table keyed by "
                    "session.id");
}

// pairs(session): a plain table of every field that has a value.
int view_pairs(lua_State* L) {
  const auto& s = session_of(L);
  lua_getglobal(L, "next");
  lua_createtable(L, 0, 9);
  for (const char* name : field_names) {
    if (push_field(L, s, name)) lua_setfield(L, -2, name);
  }
  lua_pushnil(L);
  return 3;
}

int view_tostring(lua_State* L) {
  const auto& s = session_of(L);
  lua_pushfstring(L, "session %d (%s)", static_cast<int>(s.id), std::string(s.ip).c_str());
  return 1;
}

}  // namespace

void register_session_view(lua_State* L) {
  luaL_newmetatable(L, metatable_name);
  lua_pushcfunction(L, view_index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, view_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, view_pairs);
  lua_setfield(L, -2, "__pairs");
  lua_pushcfunction(L, view_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushliteral(L, "read-only session");  // getmetatable() cannot reach it
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
}

SessionViewHandle::SessionViewHandle(lua_State* L, const HookSession& session) {
  slot_ = static_cast<const HookSession**>(lua_newuserdatauv(L, sizeof(HookSession*), 0));
  *slot_ = &session;
  luaL_setmetatable(L, metatable_name);
  lua_pushvalue(L, -1);  // the anchor stays below; this copy is the argument
}

}  // namespace smtp::fake
