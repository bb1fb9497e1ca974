#include "script/load_message.hpp"

#include <lua.hpp>

#include <algorithm>
#include <functional>
#include <map>

#include "script/lua_fields.hpp"
#include "script/lua_value.hpp"

namespace smtp::script {
namespace {

namespace f = lua_fields;

bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// RFC 5322 §3.6.8: field-name = 1*ftext, ftext = %d33-57 / %d59-126
// (printable US-ASCII except ':').
bool is_field_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 33 && u <= 126 && c != ':';
  });
}

// A subject or header value: a CR or LF would end the field and start
// another (RFC 5322 §2.2), and NUL is not allowed in a header at all.
std::string header_text(lua_State* L, std::string_view context, const std::string& field) {
  std::string text = f::string(L, context, field.c_str());
  if (text.find_first_of("\r\n", 0) != std::string::npos || text.find('\0') != std::string::npos) {
    f::fail(L, context, field + " must not contain CR, LF or NUL");
  }
  return text;
}

// The list at the top of the stack (a read-only proxy is read through).
std::vector<std::string> recipients(lua_State* L, std::string_view context, const char* field) {
  std::vector<std::string> to;
  push_contents(L, -1);
  f::each_element(L, context, field, [&] { to.push_back(read_address(L, context, field, false)); });
  lua_pop(L, 1);
  if (to.empty()) f::fail(L, context, std::string(field) + " must name at least one recipient");
  return to;
}

std::vector<std::pair<std::string, std::string>> headers(lua_State* L, std::string_view context) {
  if (!lua_istable(L, -1))
    f::fail(L, context, "headers must be a table { [\"Name\"] = \"value\" }");
  // Sorted by name: Lua's iteration order is not defined, and the same
  // scenario should send the same bytes every time.
  std::map<std::string, std::string> sorted;
  push_contents(L, -1);
  f::each_field(L, -1, context, [&](const std::string& name) {
    if (!is_field_name(name)) {
      f::fail(L, context,
              "header name '" + name +
                  "' is not a field name (printable ASCII except ':', RFC 5322 §3.6.8)");
    }
    sorted[name] = header_text(L, context, "header '" + name + "'");
  });
  lua_pop(L, 1);
  return {sorted.begin(), sorted.end()};
}

using FieldReader = std::function<void(lua_State*, std::string_view, MessageSpec&)>;

const std::map<std::string, FieldReader>& fields() {
  static const std::map<std::string, FieldReader> table = {
      {"from",
       [](lua_State* L, std::string_view c, MessageSpec& m) {
         // "" is the null reverse-path (RFC 5321 §4.5.5).
         m.from = read_address(L, c, "from", true);
       }},
      {"to",
       [](lua_State* L, std::string_view c, MessageSpec& m) {
         if (lua_type(L, -1) == LUA_TSTRING) {
           m.to = std::vector<std::string>{read_address(L, c, "to", false)};
         } else if (lua_istable(L, -1)) {
           m.to = recipients(L, c, "to");
         } else {
           f::fail(L, c, "to must be an address or a list of addresses");
         }
       }},
      {"size",
       [](lua_State* L, std::string_view c, MessageSpec& m) {
         m.size = static_cast<std::size_t>(f::integer(L, c, "size", 0));
         if (*m.size > kMaxMessageSize)
           f::fail(L, c, "size must be at most " + std::to_string(kMaxMessageSize));
       }},
      {"body",
       [](lua_State* L, std::string_view c, MessageSpec& m) { m.body = f::string(L, c, "body"); }},
      {"subject", [](lua_State* L, std::string_view c,
                     MessageSpec& m) { m.subject = header_text(L, c, "subject"); }},
      {"headers",
       [](lua_State* L, std::string_view c, MessageSpec& m) { m.headers = headers(L, c); }},
  };
  return table;
}

// `where` is "path:LINE" of the hook.
MessageSpec read_table(lua_State* L, int table, std::string_view where) {
  const std::string context = std::string(where) + ": message(ctx)";
  MessageSpec spec;
  lua_rawgeti(L, table, 1);
  const bool list = !lua_isnil(L, -1);
  lua_pop(L, 1);
  if (list) {
    lua_pushnil(L);
    while (lua_next(L, table) != 0) {
      if (!lua_isinteger(L, -2)) {
        f::fail(L, where,
                "message(ctx) returned a table with both list items and named fields: return a "
                "list of recipients or a message table, not both");
      }
      lua_pop(L, 1);
    }
    lua_pushvalue(L, table);
    spec.to = recipients(L, context, "recipient");
    lua_pop(L, 1);
    return spec;
  }
  f::each_field(L, table, context, [&](const std::string& name) {
    const auto it = fields().find(name);
    if (it == fields().end()) f::unknown_field(L, context, name, fields());
    it->second(L, context, spec);
  });
  if (spec.size && spec.body) {
    f::fail(L, context, "size pads the generated body and body replaces it: give one, not both");
  }
  return spec;
}

}  // namespace

std::string address_problem(std::string_view address) {
  if (std::any_of(address.begin(), address.end(), is_control)) {
    return "control characters (CR, LF, ...) are not allowed in an address";
  }
  if (address.find_first_of("<>") != std::string_view::npos) {
    return "give the address without angle brackets";
  }
  return "";
}

std::string read_address(lua_State* L, std::string_view context, const char* field,
                         bool allow_empty) {
  std::string text = f::string(L, context, field);
  if (text.empty() && !allow_empty) f::fail(L, context, std::string(field) + " must not be empty");
  if (const auto problem = address_problem(text); !problem.empty()) {
    f::fail(L, context, std::string(field) + " '" + text + "': " + problem);
  }
  return text;
}

MessageSpec read_message_spec(lua_State* L, int index, std::string_view where) {
  index = lua_absindex(L, index);
  switch (lua_type(L, index)) {
    case LUA_TNONE:
    case LUA_TNIL:
      return {};
    case LUA_TBOOLEAN:
      if (lua_toboolean(L, index) == 0) {
        MessageSpec skip;
        skip.skip = true;
        return skip;
      }
      break;
    case LUA_TTABLE: {
      push_contents(L, index);
      MessageSpec spec = read_table(L, lua_gettop(L), where);
      lua_pop(L, 1);
      return spec;
    }
    default:
      break;
  }
  f::fail(L, where,
          std::string("message(ctx) returned ") +
              (lua_isboolean(L, index) ? "true" : luaL_typename(L, index)) +
              "; expected a message table, a list of recipients, nil (all defaults) or false "
              "(skip this start)");
}

}  // namespace smtp::script
