#include "script/load_scenario_settings.hpp"

#include <lua.hpp>

#include <cmath>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <vector>

#include "script/load_message.hpp"
#include "script/lua_fields.hpp"

namespace smtp::script {
namespace {

namespace f = lua_fields;

// One of a few words; the error lists them.
std::string one_of(lua_State* L, const std::string& c, const char* field,
                   std::initializer_list<const char*> allowed) {
  const std::string value = f::string(L, c, field);
  std::string list;
  for (const char* a : allowed) {
    if (value == a) return value;
    list += (list.empty() ? "\"" : ", \"") + std::string(a) + "\"";
  }
  f::fail(L, c, std::string(field) + " must be one of " + list + ", not \"" + value + "\"");
}

// A duration ("30s", or a number of seconds), checked here and kept as text
// for the app, which parses it again when it merges the command line.
std::string duration_text(lua_State* L, const std::string& c, const char* field) {
  f::duration(L, c, field);
  if (lua_type(L, -1) == LUA_TSTRING) return lua_tostring(L, -1);
  if (lua_isinteger(L, -1)) return std::to_string(lua_tointeger(L, -1)) + "s";
  char text[48];
  std::snprintf(text, sizeof text, "%.15gs", static_cast<double>(lua_tonumber(L, -1)));
  return text;
}

double rate(lua_State* L, const std::string& c, const char* field, bool allow_zero) {
  const double r = f::number(L, c, field);
  if (!std::isfinite(r) || r < 0 || (!allow_zero && r == 0)) {
    f::fail(L, c, std::string(field) + " must be a number " + (allow_zero ? ">= 0" : "> 0"));
  }
  return r;
}

std::size_t count(lua_State* L, const std::string& c, const char* field, std::int64_t min) {
  return static_cast<std::size_t>(f::integer(L, c, field, min));
}

std::size_t bounded(lua_State* L, const std::string& c, const char* field, std::int64_t min,
                    std::size_t max) {
  std::size_t value = count(L, c, field, min);
  if (value > max) f::fail(L, c, std::string(field) + " must be at most " + std::to_string(max));
  return value;
}

// Reads the named fields of the table at the top of the stack with `readers`.
template <typename Readers>
void read_fields(lua_State* L, const std::string& c, const char* field, const Readers& readers) {
  if (!lua_istable(L, -1)) f::fail(L, c, std::string(field) + " must be a table");
  f::each_field(L, -1, c, [&](const std::string& name) {
    const auto it = readers.find(name);
    if (it == readers.end()) f::unknown_field(L, c + ": " + field, name, readers);
    it->second();
  });
}

std::pair<std::string, std::string> auth(lua_State* L, const std::string& c) {
  std::optional<std::string> user;
  std::optional<std::string> password;
  const std::map<std::string, std::function<void()>> readers = {
      {"user", [&] { user = f::string(L, c, "auth.user"); }},
      {"password", [&] { password = f::string(L, c, "auth.password"); }},
  };
  read_fields(L, c, "auth", readers);
  if (!user || !password) f::fail(L, c, "auth needs both user and password");
  return {*user, *password};
}

std::vector<ScenarioStage> stages(lua_State* L, const std::string& c) {
  std::vector<ScenarioStage> list;
  f::each_element(L, c, "stages", [&] {
    std::optional<std::string> duration;
    std::optional<double> stage_rate;
    const std::map<std::string, std::function<void()>> readers = {
        {"duration", [&] { duration = duration_text(L, c, "stages[].duration"); }},
        {"rate", [&] { stage_rate = rate(L, c, "stages[].rate", true); }},
    };
    read_fields(L, c, "stages[]", readers);
    if (!duration || !stage_rate) {
      f::fail(L, c, "stage " + std::to_string(list.size() + 1) + " needs a duration and a rate");
    }
    list.push_back({*duration, *stage_rate});
  });
  if (list.empty()) f::fail(L, c, "stages must list at least one { duration = , rate = }");
  return list;
}

std::vector<std::string> thresholds(lua_State* L, const std::string& c) {
  std::vector<std::string> list;
  f::each_element(L, c, "thresholds", [&] { list.push_back(f::string(L, c, "thresholds[]")); });
  return list;
}

using FieldReader = std::function<void(lua_State*, const std::string&, ScenarioSettings&)>;

const std::map<std::string, FieldReader>& fields() {
  using L_ = lua_State*;
  using C = const std::string&;
  using S = ScenarioSettings&;
  static const std::map<std::string, FieldReader> table = {
      {"target", [](L_ L, C c, S s) { s.target = f::string(L, c, "target"); }},
      {"tls",
       [](L_ L, C c, S s) {
         s.tls = one_of(L, c, "tls", {"none", "starttls", "implicit"});
       }},
      {"tls_verify", [](L_ L, C c, S s) { s.tls_verify = f::boolean(L, c, "tls_verify"); }},
      {"sni", [](L_ L, C c, S s) { s.sni = f::string(L, c, "sni"); }},
      {"ca_file", [](L_ L, C c, S s) { s.ca_file = f::string(L, c, "ca_file"); }},
      {"auth", [](L_ L, C c, S s) { s.auth = auth(L, c); }},
      {"auth_mechanism",
       [](L_ L, C c, S s) {
         s.auth_mechanism = one_of(L, c, "auth_mechanism", {"plain", "login"});
       }},
      {"helo", [](L_ L, C c, S s) { s.helo = f::string(L, c, "helo"); }},
      {"model",
       [](L_ L, C c, S s) {
         s.model = one_of(L, c, "model", {"closed", "open"});
       }},
      {"connections", [](L_ L, C c, S s) { s.connections = count(L, c, "connections", 1); }},
      {"rate", [](L_ L, C c, S s) { s.rate = rate(L, c, "rate", false); }},
      {"start_rate", [](L_ L, C c, S s) { s.start_rate = rate(L, c, "start_rate", true); }},
      {"stages", [](L_ L, C c, S s) { s.stages = stages(L, c); }},
      {"arrivals",
       [](L_ L, C c, S s) {
         s.arrivals = one_of(L, c, "arrivals", {"constant", "poisson"});
       }},
      {"duration", [](L_ L, C c, S s) { s.duration = duration_text(L, c, "duration"); }},
      {"messages",
       [](L_ L, C c, S s) {
         s.messages = static_cast<std::uint64_t>(f::integer(L, c, "messages", 1));
       }},
      {"messages_per_connection",
       [](L_ L, C c, S s) {
         s.messages_per_connection = count(L, c, "messages_per_connection", 0);
       }},
      {"pipelining",
       [](L_ L, C c, S s) {
         if (lua_isboolean(L, -1)) {
           s.pipelining = lua_toboolean(L, -1) != 0 ? "auto" : "off";
         } else if (lua_type(L, -1) == LUA_TSTRING) {
           s.pipelining = one_of(L, c, "pipelining", {"auto", "off"});
         } else {
           f::fail(L, c, "pipelining must be \"auto\", \"off\", true or false");
         }
       }},
      {"chunking", [](L_ L, C c, S s) { s.chunking = f::boolean(L, c, "chunking"); }},
      {"size", [](L_ L, C c, S s) { s.size = bounded(L, c, "size", 0, kMaxMessageSize); }},
      {"recipients",
       [](L_ L, C c, S s) { s.recipients = bounded(L, c, "recipients", 1, kMaxRecipients); }},
      {"from", [](L_ L, C c, S s) { s.from = read_address(L, c, "from", true); }},
      {"to", [](L_ L, C c, S s) { s.to = read_address(L, c, "to", false); }},
      {"threads", [](L_ L, C c, S s) { s.threads = count(L, c, "threads", 1); }},
      {"timeout", [](L_ L, C c, S s) { s.timeout = duration_text(L, c, "timeout"); }},
      {"connect_timeout",
       [](L_ L, C c, S s) { s.connect_timeout = duration_text(L, c, "connect_timeout"); }},
      {"seed",
       [](L_ L, C c, S s) { s.seed = static_cast<std::uint64_t>(f::integer(L, c, "seed", 0)); }},
      {"thresholds", [](L_ L, C c, S s) { s.thresholds = thresholds(L, c); }},
      {"init", [](L_ L, C c, S s) { s.has_init = read_hook(L, c, "init"); }},
      {"message", [](L_ L, C c, S s) { s.has_message = read_hook(L, c, "message"); }},
      {"reply", [](L_ L, C c, S s) { s.has_reply = read_hook(L, c, "reply"); }},
      {"done", [](L_ L, C c, S s) { s.has_done = read_hook(L, c, "done"); }},
  };
  return table;
}

}  // namespace

ScenarioSettings read_scenario_settings(lua_State* L, int index, const std::string& path) {
  ScenarioSettings settings;
  settings.path = path;
  f::each_field(L, index, path, [&](const std::string& name) {
    const auto it = fields().find(name);
    if (it == fields().end()) f::unknown_field(L, path, name, fields());
    it->second(L, path, settings);
  });
  return settings;
}

bool read_hook(lua_State* L, const std::string& path, const char* field) {
  if (lua_isnil(L, -1)) return false;
  if (lua_type(L, -1) != LUA_TFUNCTION)
    f::fail(L, path, std::string(field) + " must be a function");
  return true;
}

}  // namespace smtp::script
