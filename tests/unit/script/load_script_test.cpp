// A scenario's hooks in a worker's own state: message(ctx) answers,
// reply(ctx, phase, reply), ctx:count, the read-only shared data, limits.
#include <gtest/gtest.h>

#include <string>

#include "scenario_file.hpp"
#include "script/load_scenario.hpp"

namespace smtp::script::load_script_test {
namespace {

using test::error_of;
using test::ScenarioDir;

MessageContext context(std::uint64_t seq, std::uint32_t worker = 0) {
  MessageContext c;
  c.seq = seq;
  c.worker = worker;
  c.connection = 1;
  c.in_connection = seq + 1;
  return c;
}

class Script : public ::testing::Test {
 protected:
  // A LoadScript for `lua`, whose message(ctx) hook is `message` when given.
  LoadScript& load(const std::string& lua, const Value& shared = Value()) {
    path_ = dir_.write(lua);
    script_ = std::make_unique<LoadScript>(path_, shared, 0);
    return *script_;
  }
  LoadScript& with_message(const std::string& body) {
    return load("return {\n  message = function(ctx)\n" + body + "\n  end,\n}\n");
  }
  std::string message_error(const std::string& body) {
    auto& script = with_message(body);
    return error_of([&] { script.message(context(0)); });
  }
  ScenarioDir dir_;
  std::string path_;
  std::unique_ptr<LoadScript> script_;
};

TEST_F(Script, AbsentHooksCostNothing) {
  auto& script = load("return { connections = 5 }");
  EXPECT_FALSE(script.has_message_hook());
  EXPECT_FALSE(script.has_reply_hook());
  const auto spec = script.message(context(0));
  EXPECT_FALSE(spec.to || spec.skip);
  ReplyInfo reply;
  reply.phase = "mail";
  EXPECT_NO_THROW(script.reply(context(0), reply));
}

TEST_F(Script, MessageTableFields) {
  auto& script = with_message(R"(
    return {
      from = "sender@example.org",
      to = { "a@example.net", "b@example.net" },
      size = 4096,
      subject = "load " .. ctx.seq,
      headers = { ["X-Seq"] = tostring(ctx.seq), ["X-A"] = "first" },
    })");
  EXPECT_TRUE(script.has_message_hook());
  const auto spec = script.message(context(7));
  EXPECT_EQ(spec.from, "sender@example.org");
  EXPECT_EQ(spec.to, (std::vector<std::string>{"a@example.net", "b@example.net"}));
  EXPECT_EQ(spec.size, 4096u);
  EXPECT_EQ(spec.subject, "load 7");
  const std::vector<std::pair<std::string, std::string>> headers = {{"X-A", "first"},
                                                                    {"X-Seq", "7"}};
  EXPECT_EQ(spec.headers, headers);  // sorted by name
  EXPECT_FALSE(spec.body);
  EXPECT_FALSE(spec.skip);
}

TEST_F(Script, MessageBodyAndSingleRecipient) {
  const auto spec =
      with_message("return { from = '', to = 'one@example.net', body = 'line 1\\nline 2\\n' }")
          .message(context(0));
  EXPECT_EQ(spec.from, "");  // the null reverse-path
  EXPECT_EQ(spec.to, std::vector<std::string>{"one@example.net"});
  EXPECT_EQ(spec.body, "line 1\nline 2\n");
  EXPECT_FALSE(spec.size);
}

TEST_F(Script, AListIsShorthandForRecipients) {
  const auto spec = with_message("return { 'a@x.test', 'b@x.test' }").message(context(0));
  EXPECT_EQ(spec.to, (std::vector<std::string>{"a@x.test", "b@x.test"}));
  EXPECT_FALSE(spec.from);
}

TEST_F(Script, NilMeansDefaultsAndFalseSkips) {
  auto& script = with_message("if ctx.seq % 2 == 1 then return false end");
  const auto even = script.message(context(0));
  EXPECT_FALSE(even.skip);
  EXPECT_FALSE(even.to || even.from || even.size || even.body || even.subject);
  EXPECT_TRUE(script.message(context(1)).skip);
}

TEST_F(Script, BadReturnsNameTheHooksLine) {
  struct Case {
    const char* body;
    const char* error;
  };
  const Case cases[] = {
      {"return 42", "message(ctx) returned number; expected a message table"},
      {"return true", "message(ctx) returned true"},
      {"return 'a@b'", "message(ctx) returned string"},
      {"return { 'a@b', from = 'x@y' }", "both list items and named fields"},
      {"return { too = 'a@b' }", "message(ctx): unknown field 'too' (known: body, from, headers"},
      {"return { to = {} }", "to must name at least one recipient"},
      {"return { to = 5 }", "to must be an address or a list of addresses"},
      {"return { to = { 'a@b', 5 } }", "to must be a string"},
      {"return { to = 'a@b\\r\\nDATA' }", "control characters"},
      {"return { to = '' }", "to must not be empty"},
      {"return { from = '<x@y>' }", "without angle brackets"},
      {"return { size = -1 }", "size must be an integer >= 0"},
      {"return { size = 1.5 }", "size must be an integer >= 0"},
      {"return { size = 10, body = 'x' }", "give one, not both"},
      {"return { body = 5 }", "body must be a string"},
      {"return { subject = 'a\\r\\nBcc: x@y' }", "subject must not contain CR, LF or NUL"},
      {"return { headers = 'X-A: 1' }", "headers must be a table"},
      {"return { headers = { ['X A:'] = '1' } }", "header name 'X A:' is not a field name"},
      {"return { headers = { [''] = '1' } }", "header name '' is not a field name"},
      {"return { headers = { ['X-A'] = 'a\\nb' } }", "header 'X-A' must not contain CR, LF"},
      {"return { headers = { ['X-A'] = 1 } }", "header 'X-A' must be a string"},
      {"return { headers = { 'X-A: 1' } }", "fields are named"},
  };
  for (const auto& c : cases) {
    const auto e = message_error(c.body);
    EXPECT_EQ(e.find(path_ + ":2: message(ctx)"), 0u) << c.body << " -> " << e;
    EXPECT_NE(e.find(c.error), std::string::npos) << c.body << " -> " << e;
  }
}

TEST_F(Script, HookRuntimeErrorNamesFileAndLine) {
  const auto e = message_error("    local x = nil\n    return x.field");
  EXPECT_EQ(e.find(path_ + ":4: attempt to index"), 0u) << e;
  EXPECT_NE(e.find("stack traceback"), std::string::npos) << e;
}

TEST_F(Script, RunawayMessageHookIsStopped) {
  auto& script = with_message("while true do end");
  const auto e = error_of([&] { script.message(context(0)); });
  EXPECT_NE(e.find("instruction limit exceeded"), std::string::npos) << e;
  // The state is still usable: the next call fails the same way, not worse.
  EXPECT_NE(error_of([&] { script.message(context(1)); }).find("instruction limit exceeded"),
            std::string::npos);
}

TEST_F(Script, ContextFieldsAreRefilledPerCall) {
  auto& script = with_message(R"(
    return { to = { ("s%d.w%d.c%d.i%d@x.test"):format(ctx.seq, ctx.worker, ctx.connection,
                                                   ctx.in_connection) } })");
  MessageContext c;
  c.seq = 41;
  c.worker = 3;
  c.connection = 5;
  c.in_connection = 2;
  EXPECT_EQ(script.message(c).to, std::vector<std::string>{"s41.w3.c5.i2@x.test"});
  c.seq = 42;
  c.in_connection = 3;
  EXPECT_EQ(script.message(c).to, std::vector<std::string>{"s42.w3.c5.i3@x.test"});
}

TEST_F(Script, ContextIsReadOnly) {
  for (const char* body : {"ctx.seq = 5", "ctx.shared = {}", "ctx.mine = true"}) {
    const auto e = message_error(body);
    EXPECT_EQ(e.find(path_ + ":3: ctx is read-only"), 0u) << body << " -> " << e;
  }
  const auto spec = with_message(R"(
    local names = {}
    for k in pairs(ctx) do names[#names + 1] = k end
    table.sort(names)
    return { subject = table.concat(names, " ") })")
                        .message(context(0));
  // No init(): ctx.shared is nil.
  EXPECT_EQ(spec.subject, "connection count in_connection seq worker");
}

TEST_F(Script, SharedDataIsVisibleAndReadOnly) {
  const Value shared(Value::Table{{"domains", Value::List{"a.test", "b.test"}}});
  auto& script = load(R"(return {
  message = function(ctx)
    local d = ctx.shared.domains
    if ctx.seq == 1 then
      ctx.shared.domains[1] = "evil.test"
    end
    return { to = "u@" .. d[ctx.seq % #d + 1] }
  end,
})",
                      shared);
  EXPECT_EQ(script.message(context(0)).to, std::vector<std::string>{"u@a.test"});
  const auto e = error_of([&] { script.message(context(1)); });
  EXPECT_EQ(e.find(path_ + ":5: ctx.shared is read-only"), 0u) << e;
  EXPECT_EQ(script.message(context(2)).to, std::vector<std::string>{"u@a.test"});
}

TEST_F(Script, SharedListsCanBeReturnedAsIs) {
  const Value shared(Value::Table{{"rcpts", Value::List{"a@x.test", "b@x.test"}},
                                  {"hdrs", Value::Table{{"X-Run", "7"}}}});
  auto& script = load(R"(return {
  message = function(ctx)
    if ctx.seq == 0 then return ctx.shared.rcpts end
    return { to = ctx.shared.rcpts, headers = ctx.shared.hdrs }
  end,
})",
                      shared);
  EXPECT_EQ(script.message(context(0)).to, (std::vector<std::string>{"a@x.test", "b@x.test"}));
  const auto spec = script.message(context(1));
  EXPECT_EQ(spec.to, (std::vector<std::string>{"a@x.test", "b@x.test"}));
  ASSERT_EQ(spec.headers.size(), 1u);
  EXPECT_EQ(spec.headers[0].second, "7");
}

TEST_F(Script, SharedDataFromInitReachesTheWorkers) {
  path_ = dir_.write(R"(return {
  init = function() return { domain = "from-init.test" } end,
  message = function(ctx) return { "w" .. ctx.worker .. "@" .. ctx.shared.domain } end,
})");
  LoadScenario scenario(path_);
  scenario.run_init();
  LoadScript worker(path_, scenario.shared(), 2);
  EXPECT_EQ(worker.message(context(0, 2)).to, std::vector<std::string>{"w2@from-init.test"});
}

TEST_F(Script, ReplyHookSeesThePhaseAndCounts) {
  auto& script = load(R"(return {
  reply = function(ctx, phase, reply)
    ctx:count(phase .. "." .. reply.code)
    if reply.enhanced then ctx:count("enhanced " .. reply.enhanced) end
    if reply.text:find("full") then ctx:count("full", 2.5) end
  end,
})");
  EXPECT_TRUE(script.has_reply_hook());
  EXPECT_FALSE(script.has_message_hook());
  ReplyInfo r;
  r.phase = "rcpt";
  r.code = 452;
  r.enhanced = "4.2.2";
  r.text = "Mailbox full";
  script.reply(context(0), r);
  script.reply(context(1), r);
  ReplyInfo ok;
  ok.phase = "mail";
  ok.code = 250;
  ok.text = "Ok";
  script.reply(context(2), ok);  // no enhanced code: reply.enhanced is nil again
  const std::map<std::string, double> expected = {
      {"rcpt.452", 2}, {"enhanced 4.2.2", 2}, {"full", 5}, {"mail.250", 1}};
  EXPECT_EQ(script.counters(), expected);
  script.clear_counters();
  EXPECT_TRUE(script.counters().empty());
}

TEST_F(Script, CountIsCheckedWithFileAndLine) {
  struct Case {
    const char* body;
    const char* error;
  };
  const Case cases[] = {
      {"ctx:count('')", "the counter's name must be a non-empty string"},
      {"ctx:count(5)", "the counter's name must be a non-empty string"},
      {"ctx:count('x', 'two')", "n must be a finite number"},
      {"ctx:count('x', 0/0)", "n must be a finite number"},
      {"ctx.count('x')", "call it with a colon"},
  };
  for (const auto& c : cases) {
    const auto e = message_error(c.body);
    EXPECT_EQ(e.find(path_ + ":3: ctx:count: "), 0u) << c.body << " -> " << e;
    EXPECT_NE(e.find(c.error), std::string::npos) << c.body << " -> " << e;
  }
}

TEST_F(Script, CounterNamesAreBoundedOverTheRun) {
  auto& script = with_message("for i = ctx.seq, ctx.seq + 599 do ctx:count('n' .. i) end");
  script.message(context(0));  // n0 .. n599
  EXPECT_EQ(script.counters().size(), 600u);
  script.clear_counters();  // as the engine does every second
  const auto e = error_of([&] { script.message(context(500)); });  // n500 .. n1099
  EXPECT_NE(e.find("more than 1000 counter names"), std::string::npos) << e;
  EXPECT_EQ(script.counters().size(), 500u);  // n500 .. n999: 100 old names, 400 new
  script.clear_counters();
  EXPECT_NO_THROW(script.message(context(100)));  // names it has used before
  EXPECT_EQ(script.counters().size(), 600u);
}

TEST_F(Script, ReplyHookErrorNamesFileAndLine) {
  auto& script = load(
      "return {\n  reply = function(ctx, phase, reply)\n    error('bad ' .. "
      "phase)\n  end,\n}\n");
  ReplyInfo r;
  r.phase = "data";
  const auto e = error_of([&] { script.reply(context(0), r); });
  EXPECT_EQ(e.find(path_ + ":3: bad data"), 0u) << e;
}

TEST_F(Script, FileErrorsAreReportedByTheWorkerToo) {
  path_ = dir_.write("return 5");
  auto e = error_of([&] { LoadScript script(path_, Value(), 0); });
  EXPECT_EQ(e, path_ + ": a load scenario must return a table of settings");
  path_ = dir_.write("return { message = 'x' }", "bad-hook.lua");
  e = error_of([&] { LoadScript script(path_, Value(), 0); });
  EXPECT_EQ(e, path_ + ": message must be a function");
}

}  // namespace
}  // namespace smtp::script::load_script_test
