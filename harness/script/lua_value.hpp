#pragma once
// Moving plain data (script::Value) between Lua states: a scenario's init()
// result is read in one state and pushed, read-only, into every worker's
// state as ctx.shared; the run's summary is pushed into the state that calls
// done(summary).
#include <string_view>

#include "script/value.hpp"

struct lua_State;

namespace smtp::script {

// Pushes `value` as ordinary Lua values (fresh, writable tables). Raises a
// Lua error when the stack cannot grow, so call it inside a protected call.
void push_value(lua_State* L, const Value& value);

// Pushes `value` so that no script can change it: every table becomes an
// empty proxy whose metatable reads through to the data (__index, __len,
// __pairs; ipairs and # work) and refuses writes: __newindex raises
// "<name> is read-only" with the writer's file:line. The metatable is
// protected (__metatable), so setmetatable cannot lift it. Nested tables
// are proxies too. Raises a Lua error when memory runs out.
void push_read_only(lua_State* L, const Value& value, std::string_view name);

// Replaces the table at the top of the stack by a read-only proxy of it, as
// push_read_only does, but shallow: the tables it holds stay as they are.
// The table itself remains writable from C (through push_contents).
void make_read_only(lua_State* L, std::string_view name);

// Pushes the table behind a read-only proxy, or the value at `index` itself
// when it is not one: for C readers that iterate with lua_next (raw access
// sees nothing in a proxy).
void push_contents(lua_State* L, int index);

// Reads the value at `index` as plain data: nil, booleans, numbers (integers
// stay integers), strings, and tables that are either lists (keys 1..n) or
// have string keys only; an empty table is an empty Table. Metatables are
// ignored, read-only proxies are read through. Throws ScriptError naming
// where in the value the problem is, `root` being the value itself
// ("shared.servers[2] is a function ...") for functions, userdata, threads,
// cycles, mixed or sparse keys, and nesting deeper than 100 tables. Uses raw
// access only, so it runs no Lua code and may be called outside a protected
// call.
Value to_value(lua_State* L, int index, std::string_view root);

}  // namespace smtp::script
