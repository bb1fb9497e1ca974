// rule { }, greylist { } and hook results as a profile writes them.
#include "fake-server/profile_rules.hpp"

#include <gtest/gtest.h>
#include <lua.hpp>

#include "script/lua_state.hpp"

namespace smtp::fake::profile_rules_test {
namespace {

// Runs `code` with rule and greylist defined; returns the rules it made.
RuleSet run(const std::string& code) {
  return load_rules_text(code);
}

// The error of running `code`, or "" when it runs.
std::string error_of(const std::string& code) {
  try {
    run(code);
  } catch (const script::ScriptError& e) {
    const std::string what = e.what();
    return what.substr(0, what.find('\n'));
  }
  return "";
}

TEST(ProfileRules, ReadsEveryPart) {
  const auto set = run(R"(
    rule {
      name = "busy", on = { "mail", "RCPT" }, from = "*@example.org", to = "b*",
      helo = "*.test", ip = "127.0.0.0/8", tls = false, auth = false,
      min_messages = 1, max_messages = 9, after_rule = "other", arg = "*",
      select = { first = 2, chance = 0.5, per = "ip" },
      reply = "451 4.3.0 Try later", delay = "250ms", bandwidth = 100,
    }
  )");
  ASSERT_EQ(set.rules.size(), 1u);
  const auto& r = set.rules[0];
  EXPECT_EQ(r.name, "busy");
  EXPECT_EQ(r.source, "rules:2");
  EXPECT_EQ(r.on, (std::vector<std::string>{"MAIL", "RCPT"}));
  EXPECT_EQ(r.when.from, "*@example.org");
  EXPECT_EQ(r.when.to, "b*");
  EXPECT_EQ(r.when.helo, "*.test");
  ASSERT_TRUE(r.when.ip.has_value());
  EXPECT_TRUE(r.when.ip->matches("127.1.2.3"));
  EXPECT_EQ(r.when.tls, false);
  EXPECT_EQ(r.when.min_messages, 1u);
  EXPECT_EQ(r.when.max_messages, 9u);
  EXPECT_EQ(r.when.after_rule, "other");
  EXPECT_EQ(r.select.count, rules::Selection::Count::first);
  EXPECT_EQ(r.select.n, 2u);
  EXPECT_EQ(r.select.chance, 0.5);
  EXPECT_EQ(r.select.per, rules::Key::ip);
  ASSERT_TRUE(r.action.reply.has_value());
  EXPECT_EQ(r.action.reply->code, 451);
  EXPECT_EQ(r.action.delay, std::chrono::milliseconds(250));
  EXPECT_EQ(r.action.bandwidth, 100u);
}

TEST(ProfileRules, PseudoCommandsKeepTheirSpelling) {
  const auto set = run(R"(
    rule { on = "connect", reply = "554 5.7.1 Go away" }
    rule { on = ".", reply = "250 2.0.0 Custom" }
    rule { on = "tls", fail_tls = "alert" }
    rule { on = "*", delay = "1s" }
  )");
  ASSERT_EQ(set.rules.size(), 4u);
  EXPECT_EQ(set.rules[0].on.front(), "connect");
  EXPECT_EQ(set.rules[1].on.front(), ".");
  EXPECT_EQ(set.rules[2].on.front(), "tls");
  EXPECT_EQ(set.rules[3].on.front(), "*");
  EXPECT_EQ(set.rules[3].name, "rule 4");
}

TEST(ProfileRules, BucketRates) {
  const auto set = run(R"(
    rule { on = "MAIL", select = { bucket = { rate = "120/m", burst = 3 } }, reply = "421 4.7.0 Slow down" }
    rule { on = "MAIL", select = { bucket = { rate = 0.5 } }, close = true }
  )");
  ASSERT_TRUE(set.rules[0].select.bucket.has_value());
  EXPECT_DOUBLE_EQ(set.rules[0].select.bucket->rate, 2.0);
  EXPECT_DOUBLE_EQ(set.rules[0].select.bucket->burst, 3.0);
  EXPECT_DOUBLE_EQ(set.rules[1].select.bucket->rate, 0.5);
  EXPECT_DOUBLE_EQ(set.rules[1].select.bucket->burst, 1.0);  // at least one
}

TEST(ProfileRules, Greylist) {
  const auto set = run(R"(greylist { delay = "2s", expire = "1h", reply = "451 4.7.1 Later" })");
  ASSERT_TRUE(set.greylist.has_value());
  EXPECT_EQ(set.greylist->delay, std::chrono::seconds(2));
  EXPECT_EQ(set.greylist->expire, std::chrono::hours(1));
  EXPECT_EQ(set.greylist->reply.code, 451);
  EXPECT_EQ(set.greylist->source, "rules:1");
}

TEST(ProfileRules, ErrorsNameTheLineAndTheReason) {
  EXPECT_EQ(error_of("\n\nrule { on = 'MAIL', rpely = '451 x' }"),
            "rules:3: rule: unknown field 'rpely' (known: after_rule, arg, auth, bandwidth, "
            "close, delay, fail_tls, from, helo, ip, malformed, max_messages, min_messages, "
            "name, on, partial, raw, reply, reset, select, stall, tls, to)");
  EXPECT_EQ(
      error_of("rule { on = 'MAIL', reply = '612 nope' }"),
      "rules:1: rule: reply: invalid reply code '612' (must be 2-5, 0-5, 0-9: RFC 5321 §4.2)");
  EXPECT_EQ(error_of("rule { on = 'MAIL', reply = '451 5.1.1 x' }"),
            "rules:1: rule: reply: enhanced code 5.1.1 does not match reply class 4");
  EXPECT_EQ(error_of("rule { on = 'MAIL' reply = '451' }"), "rules:1: '}' expected near 'reply'");
}

TEST(ProfileRules, RefusesWhatCannotBeCarriedOut) {
  EXPECT_NE(error_of("rule { on = 'MAIL' }").find("needs an action"), std::string::npos);
  EXPECT_NE(error_of("rule { reply = '451 x' }").find("needs on ="), std::string::npos);
  EXPECT_NE(error_of("rule { on = 'MAIL', reply = '250 ok' }").find("must be 4xx or 5xx"),
            std::string::npos);
  EXPECT_NE(error_of("rule { on = 'connect', reply = '451 x' }").find("220, 421 or 554"),
            std::string::npos);
  EXPECT_NE(error_of("rule { on = '.', reply = '354 x' }").find("2xx, 4xx or 5xx"),
            std::string::npos);
  EXPECT_NE(error_of("rule { on = 'tls', reply = '454 x' }").find("only fail_tls"),
            std::string::npos);
  EXPECT_NE(error_of("rule { on = 'MAIL', fail_tls = 'alert' }").find("only works on"),
            std::string::npos);
  EXPECT_NE(error_of("rule { on = 'MAIL', select = { first = 1, every = 2 }, close = true }")
                .find("one of nth, first, every, after"),
            std::string::npos);
  EXPECT_NE(error_of("rule { on = 'MAIL', select = { chance = 2 }, close = true }")
                .find("between 0 and 1"),
            std::string::npos);
  EXPECT_NE(error_of("rule { on = 'MAIL', select = { bucket = { rate = '5/d' } }, close = true }")
                .find("like \"5/s\""),
            std::string::npos);
  EXPECT_NE(error_of("rule { on = 'MAIL', ip = '300.1.1.1', close = true }").find("CIDR"),
            std::string::npos);
  EXPECT_NE(error_of("rule { on = 'MAIL', malformed = 'odd', close = true }")
                .find("malformed: unknown 'odd'"),
            std::string::npos);
  EXPECT_NE(error_of("rule { on = 'MAIL', close = true }\nrule { name = 'rule 1', on = 'RCPT', "
                     "close = true }")
                .find("exists"),
            std::string::npos);
  EXPECT_NE(error_of("greylist { reply = '550 5.7.1 no' }").find("must be 4xx"), std::string::npos);
  EXPECT_NE(error_of("greylist { }\ngreylist { }").find("twice"), std::string::npos);
  EXPECT_NE(error_of("server { hostname = 'x' }").find("cannot change at run time"),
            std::string::npos);
  EXPECT_EQ(error_of("\nviolate 'auth-twice'"),
            "rules:2: violate: violations cannot change at run time; PUT rule { } and "
            "greylist { }");
}

// A hook's return value, read inside a protected call as lua_hooks.cpp does.
TEST(ProfileRules, ReadActionChecksTheEvent) {
  script::LuaState lua;
  lua_State* L = lua.get();
  lua.run_string("return { reply = '452 4.2.2 Full', delay = '1s' }", "hook", 1);
  struct Job {
    rules::Action action;
  } job;
  lua_pushcfunction(L, [](lua_State* L) -> int {
    static_cast<Job*>(lua_touserdata(L, 1))->action = read_action(L, 2, "RCPT");
    return 0;
  });
  lua_insert(L, -2);
  lua_pushlightuserdata(L, &job);
  lua_insert(L, -2);
  lua.call(2, 0);
  ASSERT_TRUE(job.action.reply.has_value());
  EXPECT_EQ(job.action.reply->code, 452);
  EXPECT_EQ(job.action.delay, std::chrono::seconds(1));
}

}  // namespace
}  // namespace smtp::fake::profile_rules_test
