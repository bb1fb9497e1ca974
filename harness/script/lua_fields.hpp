#pragma once
// Reading the fields of a script's tables (fake-smtpd's server { } and
// rule { }, a load scenario's settings, a hook's return value) with errors
// that name the Lua caller's file:line.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/duration.hpp"

struct lua_State;

namespace smtp::script::lua_fields {

// Raises a Lua error "<where>file:line: <context>: <what>" (it never returns).
[[noreturn]] void fail(lua_State* L, std::string_view context, const std::string& what);

// Each reads the value at the top of the stack; `field` names it in errors.
std::string string(lua_State* L, std::string_view context, const char* field);
bool boolean(lua_State* L, std::string_view context, const char* field);
std::int64_t integer(lua_State* L, std::string_view context, const char* field, std::int64_t min);
double number(lua_State* L, std::string_view context, const char* field);
// A duration string ("5s", "250ms") or a number of seconds; must be > 0
// unless `allow_zero`.
common::Duration duration(lua_State* L, std::string_view context, const char* field,
                          bool allow_zero = false);

// Calls fn for each element of the list at the top of the stack.
void each_element(lua_State* L, std::string_view context, const char* field,
                  const std::function<void()>& fn);
// Calls fn(name) for each named field of the table at `index`, with the
// value on top of the stack; a non-string key is an error.
void each_field(lua_State* L, int index, std::string_view context,
                const std::function<void(const std::string&)>& fn);

// "unknown field 'x' (known: a, b, c)".
template <typename Table>
[[noreturn]] void unknown_field(lua_State* L, std::string_view context, const std::string& name,
                                const Table& known) {
  std::string list;
  for (const auto& [k, v] : known) list += (list.empty() ? "" : ", ") + std::string(k);
  fail(L, context, "unknown field '" + name + "' (known: " + list + ")");
}

}  // namespace smtp::script::lua_fields
