#pragma once
// What a load scenario's message(ctx) hook may return, read into a
// MessageSpec (SCRIPTING.md "Load scenarios"):
//
//   nil                      the built-in message, every field by default
//   false                    skip this start: nothing is sent
//   { "a@x", "b@y" }         shorthand for { to = { "a@x", "b@y" } }
//   { from = , to = , size = | body = , subject = , headers = { name = value } }
#include <string>
#include <string_view>

#include "script/load_scenario.hpp"

struct lua_State;

namespace smtp::script {

// Why `address` cannot stand between the angle brackets of MAIL FROM:<...>
// or RCPT TO:<...>, or "" when it can. Only what would break the command's
// framing is refused (control characters such as CR and LF, RFC 5321 §2.3.8,
// and '<' '>'); the address grammar is the server's to judge, and a load
// test may want to send it odd addresses.
std::string address_problem(std::string_view address);

// Reads the string at the top of the stack as an address; raises a Lua
// error "<context>: <field> ..." when it is not a string, is empty (unless
// `allow_empty`: "" is the null reverse-path of RFC 5321 §4.5.5) or has an
// address_problem(). Call it inside a protected call.
std::string read_address(lua_State* L, std::string_view context, const char* field,
                         bool allow_empty);

// Reads the value at `index`. Call it inside a protected call: a bad value
// raises a Lua error "<where>: message(ctx) returned ..." or
// "<where>: message(ctx): <field> must be ...", `where` being the hook's
// "path:LINE" (where it is defined: a returned value has no line of its own).
MessageSpec read_message_spec(lua_State* L, int index, std::string_view where);

}  // namespace smtp::script
