#pragma once
// The C functions the compliance checks' Lua prelude (check_prelude.lua) is
// given: the I/O yield of the coroutine bridge, and the protocol pieces a
// check needs without I/O, each the project's one implementation
// (ARCHITECTURE.md §1: one EHLO parser, one dot-stuffer, one path grammar).
struct lua_State;

namespace smtp::script::check_primitives {

// io(request): yields `request` (a table) to the runner; returns the result
// table it is resumed with. Only from a check's own coroutine, not from
// inside pcall or a coroutine the check made itself.
int io(lua_State* L);
// parse_ehlo(code, lines) → { KEYWORD = "params", ... }: the EHLO reply's
// capabilities (proto::parse_ehlo), keywords upper case.
int parse_ehlo(lua_State* L);
// dot_stuff(content) → the DATA payload: content dot-stuffed (RFC 5321
// §4.5.2), bare CR and LF sent as CRLF, and CRLF "." CRLF at the end.
int dot_stuff(lua_State* L);
// base64(bytes) → RFC 4648 base64, for SASL (RFC 4954 §4).
int base64(lua_State* L);
// is_domain(text) → true, or false and why: text is a Domain or
// address-literal (RFC 5321 §4.1.2, §4.1.3) by the path parser's rules
// (proto::check_domain), as a server names itself in its greeting and EHLO.
int is_domain(lua_State* L);

// Marks the running thread as a check coroutine (io() refuses others).
void register_check_thread(lua_State* L, lua_State* thread);
void unregister_check_thread(lua_State* L, lua_State* thread);

}  // namespace smtp::script::check_primitives
