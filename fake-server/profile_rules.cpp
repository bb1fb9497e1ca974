#include "fake-server/profile_rules.hpp"

#include <lua.hpp>

#include <map>
#include <set>

#include "fake-server/rules/action_check.hpp"
#include "proto/ascii.hpp"
#include "script/lua_fields.hpp"
#include "script/lua_state.hpp"

namespace smtp::fake {
namespace {

namespace f = script::lua_fields;
using rules::Action;
using rules::Rule;

int rule_set_key;  // registry key of the RuleSet being filled

RuleSet& target_of(lua_State* L) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &rule_set_key);
  auto* set = static_cast<RuleSet*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return *set;
}

// "file:line" of the rule { } call (caller_location gives "file:line: ").
std::string source_of(lua_State* L) {
  auto where = script::caller_location(L);
  while (!where.empty() && (where.back() == ' ' || where.back() == ':')) where.pop_back();
  return where;
}

std::chrono::milliseconds to_ms(common::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

// `on`: a pseudo-command keeps its spelling, a verb is upper-cased.
std::string read_on(lua_State* L, std::string_view context) {
  std::string on = f::string(L, context, "on");
  if (on == rules::on_connect || on == rules::on_end_of_data || on == rules::on_tls ||
      on == rules::on_any_command) {
    return on;
  }
  if (!rules::is_command_word(on)) {
    f::fail(L, context,
            "on: '" + on + "' is neither a command verb nor connect, \".\", tls or \"*\"");
  }
  return proto::to_upper_ascii(on);
}

rules::ReplySpec read_reply(lua_State* L, std::string_view context) {
  auto parsed = rules::parse_reply_spec(f::string(L, context, "reply"));
  if (auto* error = std::get_if<std::string>(&parsed)) f::fail(L, context, "reply: " + *error);
  return std::get<rules::ReplySpec>(parsed);
}

using ActionField = void (*)(lua_State*, std::string_view, Action&);

const std::map<std::string_view, ActionField>& action_fields() {
  static const std::map<std::string_view, ActionField> table = {
      {"reply", [](lua_State* L, std::string_view c, Action& a) { a.reply = read_reply(L, c); }},
      {"raw",
       [](lua_State* L, std::string_view c, Action& a) {
         a.raw = f::string(L, c, "raw");
         if (a.raw->empty()) f::fail(L, c, "raw must not be empty (use stall to say nothing)");
       }},
      {"close",
       [](lua_State* L, std::string_view c, Action& a) { a.close = f::boolean(L, c, "close"); }},
      {"reset",
       [](lua_State* L, std::string_view c, Action& a) { a.reset = f::boolean(L, c, "reset"); }},
      {"stall",
       [](lua_State* L, std::string_view c, Action& a) { a.stall = f::boolean(L, c, "stall"); }},
      {"fail_tls",
       [](lua_State* L, std::string_view c, Action& a) {
         const auto how = f::string(L, c, "fail_tls");
         if (how == "alert") {
           a.fail_tls = rules::TlsFault::alert;
         } else if (how == "close") {
           a.fail_tls = rules::TlsFault::close;
         } else {
           f::fail(L, c, "fail_tls must be \"alert\" or \"close\", not '" + how + "'");
         }
       }},
      {"delay", [](lua_State* L, std::string_view c,
                   Action& a) { a.delay = to_ms(f::duration(L, c, "delay", true)); }},
      {"bandwidth",
       [](lua_State* L, std::string_view c, Action& a) {
         a.bandwidth = static_cast<std::uint64_t>(f::integer(L, c, "bandwidth", 1));
       }},
      {"partial",
       [](lua_State* L, std::string_view c, Action& a) {
         a.partial = static_cast<std::size_t>(f::integer(L, c, "partial", 0));
       }},
      {"malformed",
       [](lua_State* L, std::string_view c, Action& a) {
         const auto name = f::string(L, c, "malformed");
         a.malformed = rules::parse_malformation(name);
         if (!a.malformed) {
           f::fail(L, c,
                   "malformed: unknown '" + name + "' (" +
                       std::string(rules::malformation_names()) + ")");
         }
       }},
  };
  return table;
}

// "5/s", "100/m", "3/h", or a number per second.
double read_rate(lua_State* L, std::string_view context) {
  if (lua_type(L, -1) == LUA_TNUMBER) {
    const double r = lua_tonumber(L, -1);
    if (!(r > 0)) f::fail(L, context, "bucket rate must be > 0");
    return r;
  }
  const auto text = f::string(L, context, "rate");
  const auto slash = text.find('/');
  double per = 0;
  if (slash != std::string::npos) {
    const auto unit = text.substr(slash + 1);
    per = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
  }
  char* end = nullptr;
  const double n = std::strtod(text.c_str(), &end);
  if (per == 0 || end != text.c_str() + slash || !(n > 0)) {
    f::fail(L, context,
            "bucket rate must be like \"5/s\", \"100/m\" or \"10/h\", not '" + text + "'");
  }
  return n / per;
}

rules::Bucket read_bucket(lua_State* L, std::string_view context) {
  if (!lua_istable(L, -1))
    f::fail(L, context, "bucket must be a table { rate = \"5/s\", burst = 5 }");
  rules::Bucket bucket;
  std::optional<double> burst;
  bool has_rate = false;
  f::each_field(L, -1, context, [&](const std::string& name) {
    if (name == "rate") {
      bucket.rate = read_rate(L, context);
      has_rate = true;
    } else if (name == "burst") {
      burst = static_cast<double>(f::integer(L, context, "burst", 1));
    } else {
      f::fail(L, context, "unknown bucket field '" + name + "' (known: burst, rate)");
    }
  });
  if (!has_rate) f::fail(L, context, "bucket needs a rate, e.g. rate = \"5/s\"");
  bucket.burst = burst.value_or(std::max(1.0, bucket.rate));
  return bucket;
}

rules::Key read_key(lua_State* L, std::string_view context) {
  static const std::map<std::string, rules::Key, std::less<>> keys = {
      {"server", rules::Key::server},
      {"session", rules::Key::session},
      {"ip", rules::Key::ip},
      {"sender", rules::Key::sender},
      {"recipient", rules::Key::recipient}};
  const auto name = f::string(L, context, "per");
  const auto it = keys.find(name);
  if (it == keys.end()) {
    f::fail(L, context, "per must be server, session, ip, sender or recipient, not '" + name + "'");
  }
  return it->second;
}

rules::Selection read_select(lua_State* L, std::string_view context) {
  using Count = rules::Selection::Count;
  static const std::map<std::string, Count, std::less<>> counts = {{"nth", Count::nth},
                                                                   {"first", Count::first},
                                                                   {"every", Count::every},
                                                                   {"after", Count::after}};
  if (!lua_istable(L, -1)) f::fail(L, context, "select must be a table, e.g. { first = 2 }");
  rules::Selection select;
  f::each_field(L, -1, context, [&](const std::string& name) {
    if (const auto it = counts.find(name); it != counts.end()) {
      if (select.count != Count::always) {
        f::fail(L, context, "select takes one of nth, first, every, after");
      }
      select.count = it->second;
      const auto min = it->second == Count::after ? 0 : 1;
      select.n = static_cast<std::uint64_t>(f::integer(L, context, name.c_str(), min));
    } else if (name == "chance") {
      const double p = f::number(L, context, "chance");
      if (!(p >= 0 && p <= 1)) f::fail(L, context, "chance must be between 0 and 1");
      select.chance = p;
    } else if (name == "bucket") {
      select.bucket = read_bucket(L, context);
    } else if (name == "per") {
      select.per = read_key(L, context);
    } else {
      f::fail(L, context,
              "unknown select field '" + name +
                  "' (known: after, bucket, chance, every, first, nth, per)");
    }
  });
  return select;
}

using ConditionField = void (*)(lua_State*, std::string_view, rules::Conditions&);

const std::map<std::string_view, ConditionField>& condition_fields() {
  static const std::map<std::string_view, ConditionField> table = {
      {"arg", [](lua_State* L, std::string_view c,
                 rules::Conditions& w) { w.arg = f::string(L, c, "arg"); }},
      {"from", [](lua_State* L, std::string_view c,
                  rules::Conditions& w) { w.from = f::string(L, c, "from"); }},
      {"to", [](lua_State* L, std::string_view c,
                rules::Conditions& w) { w.to = f::string(L, c, "to"); }},
      {"helo", [](lua_State* L, std::string_view c,
                  rules::Conditions& w) { w.helo = f::string(L, c, "helo"); }},
      {"ip",
       [](lua_State* L, std::string_view c, rules::Conditions& w) {
         const auto text = f::string(L, c, "ip");
         w.ip = rules::IpMatch::parse(text);
         if (!w.ip) f::fail(L, c, "ip: '" + text + "' is not an address or CIDR block");
       }},
      {"tls", [](lua_State* L, std::string_view c,
                 rules::Conditions& w) { w.tls = f::boolean(L, c, "tls"); }},
      {"auth", [](lua_State* L, std::string_view c,
                  rules::Conditions& w) { w.auth = f::boolean(L, c, "auth"); }},
      {"min_messages",
       [](lua_State* L, std::string_view c, rules::Conditions& w) {
         w.min_messages = static_cast<std::uint64_t>(f::integer(L, c, "min_messages", 0));
       }},
      {"max_messages",
       [](lua_State* L, std::string_view c, rules::Conditions& w) {
         w.max_messages = static_cast<std::uint64_t>(f::integer(L, c, "max_messages", 0));
       }},
      {"after_rule", [](lua_State* L, std::string_view c,
                        rules::Conditions& w) { w.after_rule = f::string(L, c, "after_rule"); }},
  };
  return table;
}

// The fields of rule { }: for "unknown field" errors.
std::map<std::string_view, int> rule_field_names() {
  std::map<std::string_view, int> names = {{"name", 0}, {"on", 0}, {"select", 0}};
  for (const auto& [k, v] : action_fields()) names[k] = 0;
  for (const auto& [k, v] : condition_fields()) names[k] = 0;
  return names;
}

// rule { on = ..., ... }
int lua_rule(lua_State* L) {
  constexpr std::string_view context = "rule";
  luaL_checktype(L, 1, LUA_TTABLE);
  auto& set = target_of(L);
  Rule rule;
  rule.source = source_of(L);
  bool has_on = false;
  f::each_field(L, 1, context, [&](const std::string& name) {
    if (name == "name") {
      rule.name = f::string(L, context, "name");
    } else if (name == "on") {
      has_on = true;
      if (lua_istable(L, -1)) {
        f::each_element(L, context, "on", [&] { rule.on.push_back(read_on(L, context)); });
        if (rule.on.empty()) f::fail(L, context, "on must not be an empty list");
      } else {
        rule.on.push_back(read_on(L, context));
      }
    } else if (name == "select") {
      rule.select = read_select(L, context);
    } else if (const auto a = action_fields().find(name); a != action_fields().end()) {
      a->second(L, context, rule.action);
    } else if (const auto w = condition_fields().find(name); w != condition_fields().end()) {
      w->second(L, context, rule.when);
    } else {
      f::unknown_field(L, context, name, rule_field_names());
    }
  });
  if (!has_on) f::fail(L, context, "needs on = a verb, connect, \".\", tls or \"*\"");
  for (const auto& on : rule.on) {
    if (auto problem = rules::check_action(rule.action, on)) {
      f::fail(L, context, "on " + on + ": " + *problem);
    }
  }
  if (rule.name.empty()) rule.name = "rule " + std::to_string(set.rules.size() + 1);
  if (!set.names.insert(rule.name).second) {
    f::fail(L, context, "a rule named '" + rule.name + "' exists");
  }
  set.rules.push_back(std::move(rule));
  return 0;
}

// greylist { delay = "5s", expire = "4h", reply = "450 4.7.1 ..." }
int lua_greylist(lua_State* L) {
  constexpr std::string_view context = "greylist";
  luaL_checktype(L, 1, LUA_TTABLE);
  auto& set = target_of(L);
  if (set.greylist) f::fail(L, context, "greylist { } is given twice");
  rules::GreylistSettings settings;
  settings.source = source_of(L);
  f::each_field(L, 1, context, [&](const std::string& name) {
    if (name == "delay") {
      settings.delay = to_ms(f::duration(L, context, "delay", true));
    } else if (name == "expire") {
      settings.expire = to_ms(f::duration(L, context, "expire"));
    } else if (name == "reply") {
      settings.reply = read_reply(L, context);
      const int cls = settings.reply.code / 100;
      if (cls != 4) f::fail(L, context, "reply must be 4xx: greylisting is a temporary refusal");
    } else {
      f::fail(L, context, "unknown field '" + name + "' (known: delay, expire, reply)");
    }
  });
  set.greylist = std::move(settings);
  return 0;
}

}  // namespace

void register_rule_functions(lua_State* L, RuleSet* target) {
  lua_pushlightuserdata(L, target);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &rule_set_key);
  lua_register(L, "rule", lua_rule);
  lua_register(L, "greylist", lua_greylist);
}

rules::Action read_action(lua_State* L, int index, std::string_view on) {
  constexpr std::string_view context = "hook result";
  Action action;
  f::each_field(L, index, context, [&](const std::string& name) {
    const auto it = action_fields().find(name);
    if (it == action_fields().end()) f::unknown_field(L, context, name, action_fields());
    it->second(L, context, action);
  });
  if (auto problem = rules::check_action(action, on)) f::fail(L, context, *problem);
  return action;
}

RuleSet load_rules_text(std::string_view code) {
  RuleSet set;
  // It runs on the server's one thread: a runaway body must stop quickly.
  script::LuaState::Options limits;
  limits.instruction_limit = 10'000'000;
  script::LuaState lua(limits);
  register_rule_functions(lua.get(), &set);
  lua_register(lua.get(), "server", [](lua_State* L) -> int {
    f::fail(L, "server",
            "server settings cannot change at run time; PUT rule { } and greylist { }");
  });
  lua_register(lua.get(), "violate", [](lua_State* L) -> int {
    f::fail(L, "violate", "violations cannot change at run time; PUT rule { } and greylist { }");
  });
  lua.run_string(code, "rules");
  return set;
}

}  // namespace smtp::fake
