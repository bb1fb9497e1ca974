// A load scenario's settings (SCRIPTING.md "Load scenarios"): every field,
// and the errors a bad file gets before any load starts.
#include "script/load_scenario.hpp"

#include <gtest/gtest.h>

#include <string>

#include "scenario_file.hpp"

namespace smtp::script::load_scenario_test {
namespace {

using test::error_of;
using test::ScenarioDir;

class Scenario : public ::testing::Test {
 protected:
  std::string load_error(const std::string& lua) {
    path_ = dir_.write(lua);
    return error_of([&] { LoadScenario scenario(path_); });
  }
  ScenarioSettings settings(const std::string& lua) {
    path_ = dir_.write(lua);
    return LoadScenario(path_).settings();
  }
  ScenarioDir dir_;
  std::string path_;
};

TEST_F(Scenario, ReadsEveryField) {
  const auto s = settings(R"(
    return {
      target = "mx.test:2525", tls = "starttls", tls_verify = true, sni = "mx.test",
      ca_file = "/etc/ca.pem", auth = { user = "u", password = "p" }, auth_mechanism = "login",
      helo = "client.test", model = "open", connections = 50, rate = 500.5, start_rate = 0,
      stages = { { duration = "10s", rate = 100 }, { duration = 20, rate = 0 } },
      arrivals = "poisson", duration = "30s", messages = 1000, messages_per_connection = 0,
      pipelining = "off", chunking = true, size = 4096, recipients = 3,
      from = "", to = "rcpt%d@example.test", threads = 4, timeout = 2.5,
      connect_timeout = "250ms", seed = 7, thresholds = { "p99<250ms", "errors<1%" },
      init = function() end, message = function() end, reply = function() end,
      done = function() end,
    }
  )");
  EXPECT_EQ(s.path, path_);
  EXPECT_EQ(s.target, "mx.test:2525");
  EXPECT_EQ(s.tls, "starttls");
  EXPECT_EQ(s.tls_verify, true);
  EXPECT_EQ(s.sni, "mx.test");
  EXPECT_EQ(s.ca_file, "/etc/ca.pem");
  ASSERT_TRUE(s.auth);
  EXPECT_EQ(s.auth->first, "u");
  EXPECT_EQ(s.auth->second, "p");
  EXPECT_EQ(s.auth_mechanism, "login");
  EXPECT_EQ(s.helo, "client.test");
  EXPECT_EQ(s.model, "open");
  EXPECT_EQ(s.connections, 50u);
  EXPECT_EQ(s.rate, 500.5);
  EXPECT_EQ(s.start_rate, 0.0);
  ASSERT_EQ(s.stages.size(), 2u);
  EXPECT_EQ(s.stages[0].duration, "10s");
  EXPECT_EQ(s.stages[0].rate, 100.0);
  EXPECT_EQ(s.stages[1].duration, "20s");  // a number of seconds
  EXPECT_EQ(s.stages[1].rate, 0.0);
  EXPECT_EQ(s.arrivals, "poisson");
  EXPECT_EQ(s.duration, "30s");
  EXPECT_EQ(s.messages, 1000u);
  EXPECT_EQ(s.messages_per_connection, 0u);
  EXPECT_EQ(s.pipelining, "off");
  EXPECT_EQ(s.chunking, true);
  EXPECT_EQ(s.size, 4096u);
  EXPECT_EQ(s.recipients, 3u);
  EXPECT_EQ(s.from, "");
  EXPECT_EQ(s.to, "rcpt%d@example.test");
  EXPECT_EQ(s.threads, 4u);
  EXPECT_EQ(s.timeout, "2.5s");
  EXPECT_EQ(s.connect_timeout, "250ms");
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.thresholds, (std::vector<std::string>{"p99<250ms", "errors<1%"}));
  EXPECT_TRUE(s.has_init);
  EXPECT_TRUE(s.has_message);
  EXPECT_TRUE(s.has_reply);
  EXPECT_TRUE(s.has_done);
}

TEST_F(Scenario, AbsentFieldsStayEmpty) {
  const auto s = settings("return {}");
  EXPECT_FALSE(s.target);
  EXPECT_FALSE(s.tls);
  EXPECT_FALSE(s.auth);
  EXPECT_FALSE(s.connections);
  EXPECT_FALSE(s.duration);
  EXPECT_FALSE(s.pipelining);
  EXPECT_TRUE(s.stages.empty());
  EXPECT_TRUE(s.thresholds.empty());
  EXPECT_FALSE(s.has_init || s.has_message || s.has_reply || s.has_done);
}

TEST_F(Scenario, PipeliningAcceptsBooleans) {
  EXPECT_EQ(settings("return { pipelining = true }").pipelining, "auto");
  EXPECT_EQ(settings("return { pipelining = false }").pipelining, "off");
  EXPECT_EQ(settings("return { pipelining = 'auto' }").pipelining, "auto");
}

TEST_F(Scenario, UnknownFieldListsTheKnownOnes) {
  const auto e = load_error("return { conections = 5 }");
  EXPECT_EQ(e.find(path_ + ": unknown field 'conections' (known: arrivals, auth, auth_mechanism,"),
            0u)
      << e;
  for (const char* known : {"connections", "target", "thresholds", "init", "done", "stages"}) {
    EXPECT_NE(e.find(known), std::string::npos) << known;
  }
}

TEST_F(Scenario, UnknownFieldsInNestedTables) {
  auto e = load_error("return { auth = { user = 'u', password = 'p', pass = 'x' } }");
  EXPECT_NE(e.find(path_ + ": auth: unknown field 'pass' (known: password, user)"),
            std::string::npos)
      << e;
  e = load_error("return { stages = { { duration = '1s', rate = 1, ramp = true } } }");
  EXPECT_NE(e.find("unknown field 'ramp' (known: duration, rate)"), std::string::npos) << e;
}

TEST_F(Scenario, TypeAndRangeErrorsNameFileAndField) {
  struct Case {
    const char* lua;
    const char* error;
  };
  const Case cases[] = {
      {"return { connections = 0 }", "connections must be an integer >= 1"},
      {"return { connections = 2.5 }", "connections must be an integer >= 1"},
      {"return { target = 25 }", "target must be a string"},
      {"return { tls_verify = 'yes' }", "tls_verify must be true or false"},
      {"return { rate = 0 }", "rate must be a number > 0"},
      {"return { rate = -1 }", "rate must be a number > 0"},
      {"return { rate = 1/0 }", "rate must be a number > 0"},
      {"return { start_rate = -1 }", "start_rate must be a number >= 0"},
      {"return { duration = 'soon' }", "duration must be a duration like \"5s\""},
      {"return { duration = 0 }", "duration must be a duration"},
      {"return { timeout = '-1s' }", "timeout must be a duration"},
      {"return { messages = 0 }", "messages must be an integer >= 1"},
      {"return { size = -1 }", "size must be an integer >= 0"},
      {"return { recipients = 0 }", "recipients must be an integer >= 1"},
      {"return { seed = -1 }", "seed must be an integer >= 0"},
      {"return { threads = 0 }", "threads must be an integer >= 1"},
      {"return { messages_per_connection = -1 }",
       "messages_per_connection must be an integer >= 0"},
      {"return { auth = 'u:p' }", "auth must be a table"},
      {"return { auth = { user = 'u' } }", "auth needs both user and password"},
      {"return { stages = {} }", "stages must list at least one"},
      {"return { stages = { { rate = 5 } } }", "stage 1 needs a duration and a rate"},
      {"return { stages = { { duration = '1s', rate = -5 } } }",
       "stages[].rate must be a number >= 0"},
      {"return { thresholds = 'p99<1s' }", "thresholds must be a list"},
      {"return { thresholds = { 99 } }", "thresholds[] must be a string"},
      {"return { to = '' }", "to must not be empty"},
      {"return { from = 'a@b\\r\\nRSET' }", "control characters"},
      {"return { to = '<a@b>' }", "without angle brackets"},
      {"return { pipelining = 1 }", "pipelining must be \"auto\", \"off\", true or false"},
      {"return { message = 'hello' }", "message must be a function"},
      {"return { [1] = 'x' }", "fields are named"},
  };
  for (const auto& c : cases) {
    const auto e = load_error(c.lua);
    EXPECT_EQ(e.find(path_ + ": "), 0u) << c.lua << " -> " << e;
    EXPECT_NE(e.find(c.error), std::string::npos) << c.lua << " -> " << e;
  }
}

TEST_F(Scenario, EnumerationsListTheAllowedValues) {
  EXPECT_NE(load_error("return { tls = 'ssl' }")
                .find("tls must be one of \"none\", \"starttls\", \"implicit\", not \"ssl\""),
            std::string::npos);
  EXPECT_NE(load_error("return { model = 'half' }").find("\"closed\", \"open\""),
            std::string::npos);
  EXPECT_NE(load_error("return { arrivals = 'burst' }").find("\"constant\", \"poisson\""),
            std::string::npos);
  EXPECT_NE(load_error("return { auth_mechanism = 'cram-md5' }").find("\"plain\", \"login\""),
            std::string::npos);
  EXPECT_NE(load_error("return { pipelining = 'on' }").find("\"auto\", \"off\", not \"on\""),
            std::string::npos);
}

TEST_F(Scenario, MustReturnATable) {
  for (const char* lua : {"local x = 1", "return 'settings'"}) {
    const auto e = load_error(lua);
    EXPECT_EQ(e, path_ + ": a load scenario must return a table of settings") << lua;
  }
}

TEST_F(Scenario, SyntaxErrorNamesFileAndLine) {
  const auto e = load_error("return {\n  connections = 5,\n  rate = = 2,\n}\n");
  EXPECT_EQ(e.find(path_ + ":3:"), 0u) << e;
}

TEST_F(Scenario, RuntimeErrorNamesFileAndLine) {
  const auto e = load_error("local t = {}\n\nlocal n = t.missing.field\nreturn {}\n");
  EXPECT_EQ(e.find(path_ + ":3:"), 0u) << e;
  EXPECT_NE(e.find("attempt to index"), std::string::npos) << e;
}

// A metamethod of the settings table runs while the settings are read; an
// error(msg, 0) in it still names its line.
TEST_F(Scenario, MetamethodErrorWithoutAPositionNamesFileAndLine) {
  const auto e = load_error(
      "return {\n  stages = setmetatable({}, { __len = function() error('len', 0) end }),\n}\n");
  EXPECT_EQ(e.rfind(path_ + ":2: len", 0), 0u) << e;
}

// A __len that returns nothing ends in Lua's "object length is not an
// integer", raised where no Lua line is left: the error names the file and
// the field instead (fuzz finding, tests/fuzz/regressions/load_scenario).
TEST_F(Scenario, ListWhoseLengthIsNotAnIntegerNamesFileAndField) {
  const auto e =
      load_error("return {\n  thresholds = setmetatable({}, { __len = function() end }),\n}\n");
  EXPECT_EQ(e.rfind(path_ + ": thresholds must be a list", 0), 0u) << e;
}

TEST_F(Scenario, MissingFileIsAnError) {
  const auto e = error_of([] { LoadScenario scenario("/nonexistent/scenario.lua"); });
  EXPECT_NE(e.find("/nonexistent/scenario.lua"), std::string::npos) << e;
}

TEST_F(Scenario, InitKeepsPlainDataAsShared) {
  path_ = dir_.write("return { init = function() return { domains = { 'a.test' }, n = 3 } end }");
  LoadScenario scenario(path_);
  EXPECT_TRUE(scenario.shared().is_nil());
  scenario.run_init();
  ASSERT_NE(scenario.shared().table(), nullptr);
  EXPECT_EQ(*scenario.shared().table()->at("domains").list()->at(0).string(), "a.test");
  EXPECT_EQ(*scenario.shared().table()->at("n").integer(), 3);
}

TEST_F(Scenario, InitWithoutHookLeavesSharedNil) {
  path_ = dir_.write("return {}");
  LoadScenario scenario(path_);
  scenario.run_init();
  EXPECT_TRUE(scenario.shared().is_nil());
}

TEST_F(Scenario, InitReturningAFunctionIsRefused) {
  path_ = dir_.write("return {\n  init = function()\n    return { check = print }\n  end,\n}\n");
  LoadScenario scenario(path_);
  const auto e = error_of([&] { scenario.run_init(); });
  EXPECT_EQ(e.find(path_ + ":2: init() returned data that cannot be shared"), 0u) << e;
  EXPECT_NE(e.find("shared.check is a function"), std::string::npos) << e;
}

TEST_F(Scenario, InitErrorNamesFileAndLine) {
  path_ = dir_.write("return {\n  init = function()\n    error('no data')\n  end,\n}\n");
  LoadScenario scenario(path_);
  const auto e = error_of([&] { scenario.run_init(); });
  EXPECT_EQ(e.find(path_ + ":3: no data"), 0u) << e;
}

TEST_F(Scenario, DryRunCallsMessageAfterInit) {
  path_ = dir_.write(R"(
    return {
      init = function() return { domain = "shared.test" } end,
      message = function(ctx)
        return { to = { ("u%d-%d-%d-%d@"):format(ctx.seq, ctx.worker, ctx.connection,
                                                  ctx.in_connection) .. ctx.shared.domain } }
      end,
    }
  )");
  LoadScenario scenario(path_);
  scenario.run_init();
  const auto spec = scenario.dry_run_message();
  ASSERT_TRUE(spec.to);
  EXPECT_EQ(*spec.to, std::vector<std::string>{"u0-0-1-1@shared.test"});
}

TEST_F(Scenario, DryRunWithoutHookGivesDefaults) {
  path_ = dir_.write("return {}");
  LoadScenario scenario(path_);
  const auto spec = scenario.dry_run_message();
  EXPECT_FALSE(spec.to || spec.from || spec.size || spec.body || spec.skip);
}

TEST_F(Scenario, DryRunReportsABadHook) {
  path_ = dir_.write("return {\n  message = function(ctx)\n    return 42\n  end,\n}\n");
  LoadScenario scenario(path_);
  const auto e = error_of([&] { scenario.dry_run_message(); });
  EXPECT_EQ(e.find(path_ + ":2: message(ctx) returned number"), 0u) << e;
}

TEST_F(Scenario, DoneGetsTheSummary) {
  path_ = dir_.write(R"(
    return { done = function(summary)
      if summary.delivered == 10 and summary.phases[2] == "rcpt" then return true end
      return false, "unexpected summary"
    end }
  )");
  LoadScenario scenario(path_);
  const Value summary(
      Value::Table{{"delivered", std::int64_t{10}}, {"phases", Value::List{"mail", "rcpt"}}});
  EXPECT_EQ(scenario.run_done(summary), std::nullopt);
  EXPECT_EQ(scenario.run_done(Value(Value::Table{})), "unexpected summary");
}

TEST_F(Scenario, DoneReturningFalseFailsTheRun) {
  path_ = dir_.write("return { done = function() return false end }");
  EXPECT_EQ(LoadScenario(path_).run_done(Value()), "done(summary) returned false");
  path_ = dir_.write("return { done = function() end }", "nothing.lua");
  EXPECT_EQ(LoadScenario(path_).run_done(Value()), std::nullopt);
  path_ = dir_.write("return {}", "absent.lua");
  EXPECT_EQ(LoadScenario(path_).run_done(Value()), std::nullopt);
}

TEST_F(Scenario, DoneReturningSomethingElseIsAnError) {
  path_ = dir_.write("return {\n  done = function() return 'failed' end }");
  auto e = error_of([&] { LoadScenario(path_).run_done(Value()); });
  EXPECT_EQ(e.find(path_ + ":2: done(summary) returned string"), 0u) << e;
  path_ = dir_.write("return { done = function() return false, 3 end }", "reason.lua");
  e = error_of([&] { LoadScenario(path_).run_done(Value()); });
  EXPECT_NE(e.find("the reason must be a string"), std::string::npos) << e;
}

TEST_F(Scenario, DoneErrorNamesFileAndLine) {
  path_ = dir_.write("return { done = function(s)\n  return s.missing.x\nend }");
  const auto e = error_of([&] { LoadScenario(path_).run_done(Value()); });
  EXPECT_EQ(e.find(path_ + ":2:"), 0u) << e;
}

}  // namespace
}  // namespace smtp::script::load_scenario_test
