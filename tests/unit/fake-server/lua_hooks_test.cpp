// The profile's hooks: which exist, what they see, what their results become.
#include "fake-server/lua_hooks.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "fake-server/profile.hpp"

namespace smtp::fake::lua_hooks_test {
namespace {

class Hooks : public ::testing::Test {
 protected:
  std::shared_ptr<LuaHooks> load(const std::string& lua, std::uint64_t seed = 1) {
    path_ = std::filesystem::temp_directory_path() /
            ("hooks-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".lua");
    std::ofstream(path_) << lua;
    ServerSettings options;
    options.seed = seed;
    load_profile(path_.string(), options);
    return options.hooks;
  }
  void TearDown() override { std::filesystem::remove(path_); }

  static proto::Envelope envelope_with(std::vector<std::string> recipients) {
    proto::Envelope e;
    e.reverse_path.mailbox = {"alice", "example.org"};
    for (auto& r : recipients) {
      proto::Recipient rcpt;
      const auto at = r.find('@');
      rcpt.path.mailbox = {r.substr(0, at), r.substr(at + 1)};
      e.recipients.push_back(std::move(rcpt));
    }
    return e;
  }
  std::filesystem::path path_;
};

TEST_F(Hooks, NoneDefinedMeansNoHooks) {
  EXPECT_EQ(load("server { hostname = 'x.test' }"), nullptr);
  EXPECT_EQ(load("function helper() end"), nullptr);
}

TEST_F(Hooks, FindsEachKind) {
  auto hooks = load(R"(
    function on_connect(s) end
    function on_rcpt(s, c) end
    function on_message(s, m) end
  )");
  ASSERT_NE(hooks, nullptr);
  EXPECT_TRUE(hooks->has("connect"));
  EXPECT_TRUE(hooks->has("RCPT"));
  EXPECT_TRUE(hooks->has("."));
  EXPECT_FALSE(hooks->has("MAIL"));
  EXPECT_TRUE(hooks->any_command());
  EXPECT_EQ(hooks->names(), (std::vector<std::string>{"on_message", "on_rcpt", "on_connect"}));
}

TEST_F(Hooks, SeesTheSessionAndTheCommand) {
  auto hooks = load(R"(
    function on_rcpt(session, cmd)
      if session.ip == "127.0.0.1" and session.port == 4000 and session.tls == false
         and session.auth == nil and session.helo == "client.test" and session.messages == 2
         and session.from == "alice@example.org" and #session.to == 3
         and session.to[3] == "carol@example.net" and cmd.verb == "RCPT"
         and cmd.arg == "TO:<dave@example.net>" and cmd.line == "rcpt TO:<dave@example.net>" then
        return "452 4.5.3 Too many recipients"
      end
      return "550 5.0.0 the hook saw something else"
    end
  )");
  const auto envelope = envelope_with({"bob@example.net", "ben@example.net", "carol@example.net"});
  HookSession s;
  s.id = 7;
  s.ip = "127.0.0.1";
  s.port = 4000;
  s.helo = "client.test";
  s.messages = 2;
  s.envelope = &envelope;
  auto result = hooks->on_command(s, "RCPT", "TO:<dave@example.net>", "rcpt TO:<dave@example.net>");
  ASSERT_TRUE(result.error.empty()) << result.error;
  ASSERT_TRUE(result.action && result.action->reply);
  EXPECT_EQ(result.action->reply->code, 452);
}

TEST_F(Hooks, TheSessionIsAReadOnlyViewWhileTheHookRuns) {
  auto hooks = load(R"(
    local kept
    function on_mail(session, c)
      if c.arg == "write" then session.note = 1 end
      if c.arg == "keep" then kept = session; return end
      if c.arg == "kept" then return "451 4.3.0 " .. kept.ip end
      local names = {}
      for k, v in pairs(session) do names[#names + 1] = k end
      table.sort(names)
      return "451 4.3.0 " .. table.concat(names, ",") .. " " .. tostring(session)
        .. " " .. tostring(getmetatable(session))
    end
  )");
  HookSession s;
  s.id = 3;
  s.ip = "127.0.0.9";
  const auto listed = hooks->on_command(s, "MAIL", "list", "MAIL list");
  ASSERT_TRUE(listed.action && listed.action->reply) << listed.error;
  EXPECT_EQ(listed.action->reply->lines.front(),
            "id,ip,messages,port,tls,to session 3 (127.0.0.9) read-only session");
  const auto written = hooks->on_command(s, "MAIL", "write", "MAIL write");
  EXPECT_NE(written.error.find("session is read-only"), std::string::npos) << written.error;
  EXPECT_TRUE(hooks->on_command(s, "MAIL", "keep", "MAIL keep").error.empty());
  const auto kept = hooks->on_command(s, "MAIL", "kept", "MAIL kept");
  EXPECT_NE(kept.error.find("belonged to a hook call that has returned"), std::string::npos)
      << kept.error;
}

TEST_F(Hooks, NilMeansAsUsualAndTablesCarryActions) {
  auto hooks = load(R"(
    function on_mail(s, c) if c.arg:find("slow") then return { delay = "2s" } end end
  )");
  HookSession s;
  auto usual = hooks->on_command(s, "MAIL", "FROM:<a@b>", "MAIL FROM:<a@b>");
  EXPECT_TRUE(usual.error.empty());
  EXPECT_FALSE(usual.action.has_value());
  auto slow = hooks->on_command(s, "MAIL", "FROM:<slow@b>", "MAIL FROM:<slow@b>");
  ASSERT_TRUE(slow.action.has_value());
  EXPECT_EQ(slow.action->delay, std::chrono::seconds(2));
  EXPECT_FALSE(slow.action->terminal());
}

TEST_F(Hooks, MessageHookSeesTheMessage) {
  auto hooks = load(R"(
    function on_message(s, m)
      if m.size == 11 and m.data == "Subject: x\n" and m.from == "alice@example.org"
         and m.to[1] == "bob@example.net" then
        return "552 5.2.2 Mailbox full"
      end
    end
  )");
  proto::Message m;
  m.envelope = envelope_with({"bob@example.net"});
  m.content = "Subject: x\n";
  m.size = m.content.size();
  HookSession s;
  auto result = hooks->on_message(s, m);
  ASSERT_TRUE(result.action && result.action->reply) << result.error;
  EXPECT_EQ(result.action->reply->code, 552);
}

TEST_F(Hooks, FailuresAreReportedNotThrown) {
  auto hooks = load(R"(
    function on_mail(s, c) error("boom") end
    function on_rcpt(s, c) return 42 end
    function on_data(s, c) return "250 not a refusal" end
    function on_rset(s, c) while true do end end
    function on_noop(s, c) return { colour = "red" } end
  )");
  HookSession s;
  const auto boom = hooks->on_command(s, "MAIL", "", "MAIL");
  EXPECT_NE(boom.error.find(":2: boom"), std::string::npos) << boom.error;
  EXPECT_NE(hooks->on_command(s, "RCPT", "", "RCPT").error.find("returned a number"),
            std::string::npos);
  EXPECT_NE(hooks->on_command(s, "DATA", "", "DATA").error.find("must be 4xx or 5xx"),
            std::string::npos);
  EXPECT_NE(hooks->on_command(s, "RSET", "", "RSET").error.find("instruction limit"),
            std::string::npos);
  EXPECT_NE(hooks->on_command(s, "NOOP", "", "NOOP").error.find("unknown field 'colour'"),
            std::string::npos);
  // The state is still usable after every failure.
  EXPECT_NE(hooks->on_command(s, "MAIL", "", "MAIL").error.find("boom"), std::string::npos);
}

// The arguments are built inside the protected call: with the heap full,
// the hook fails (451 for the client), the session does not.
TEST_F(Hooks, AFullHeapFailsTheHookNotTheCaller) {
  auto hooks = load(R"(
    function on_mail(s, c)
      hog = {}
      for i = 1, 100000 do hog[i] = string.rep("x", 1 << 20) .. i end
    end
    function on_rcpt(s, c) return nil end
  )");
  HookSession s;
  const auto filled = hooks->on_command(s, "MAIL", "", "MAIL");
  EXPECT_NE(filled.error.find("not enough memory"), std::string::npos) << filled.error;
  const std::string big(64 << 20, 'r');  // the argument alone no longer fits
  HookResult next;
  EXPECT_NO_THROW(next = hooks->on_command(s, "RCPT", big, big));
  EXPECT_NE(next.error.find("not enough memory"), std::string::npos) << "[" << next.error << "]";
}

TEST_F(Hooks, MathRandomReplaysWithTheSeed) {
  const std::string profile = R"(
    function on_mail(s, c) return { delay = math.random(1, 1000000) .. "ms" } end
  )";
  HookSession s;
  auto first = load(profile, 42)->on_command(s, "MAIL", "", "MAIL");
  auto again = load(profile, 42)->on_command(s, "MAIL", "", "MAIL");
  auto other = load(profile, 43)->on_command(s, "MAIL", "", "MAIL");
  ASSERT_TRUE(first.action && again.action && other.action);
  EXPECT_EQ(first.action->delay, again.action->delay);
  EXPECT_NE(first.action->delay, other.action->delay);
}

TEST_F(Hooks, ProfileFunctionsAreGoneAfterLoading) {
  auto hooks = load(R"(
    function on_mail(s, c) rule { on = "RCPT", close = true } end
  )");
  const auto result = hooks->on_command(HookSession{}, "MAIL", "", "MAIL");
  EXPECT_NE(result.error.find("only work while the profile loads"), std::string::npos)
      << result.error;
}

}  // namespace
}  // namespace smtp::fake::lua_hooks_test
