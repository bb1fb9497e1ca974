// The compliance checks' Lua side, driven without a network: each test plays
// the runner, answering the I/O requests a check yields with scripted
// results, and looks at the requests and the verdict.
#include "script/check_suite.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <string>

#include "proto/reply.hpp"
#include "script/lua_state.hpp"

namespace smtp::script::check_suite_test {
namespace {

namespace fs = std::filesystem;

class TempSuite {
 public:
  explicit TempSuite(const std::string& name, const std::string& lua) {
    dir_ = fs::temp_directory_path() /
           ("check_suite_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(dir_);
    path_ = (dir_ / (name + ".lua")).string();
    std::ofstream(path_) << lua;
  }
  ~TempSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const std::string& path() const { return path_; }
  std::string dir() const { return dir_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path dir_;
  std::string path_;
};

IoResult ok() {
  return IoResult{};
}

IoResult reply(int code, std::vector<std::string> texts) {
  IoResult r;
  proto::Reply rep;
  rep.code = code;
  for (auto& text : texts) {
    proto::ReplyLine line;
    line.text = text;
    rep.lines.push_back(line);
  }
  r.reply = rep;
  return r;
}

IoResult status(IoResult::Status s, std::string detail = {}) {
  IoResult r;
  r.status = s;
  r.detail = std::move(detail);
  return r;
}

IoResult connected(int number) {
  IoResult r;
  r.connection = number;
  return r;
}

struct Played {
  std::vector<IoRequest> requests;
  CheckOutcome outcome;
};

// Answers each request with the next scripted result; a request beyond the
// script fails the test (and gets "failed"). Bounded by the script's length.
Played play(CheckSuite& suite, std::size_t index, std::deque<IoResult> script,
            CheckTarget target = {}) {
  if (target.target.empty()) target.target = "127.0.0.1:2525";
  if (target.profile.empty()) target.profile = "mx";
  if (target.domain.empty()) target.domain = "example.com";
  Played played;
  auto co = suite.start(index, target);
  std::optional<IoResult> last;
  for (int step = 0; step < 200; ++step) {
    auto next = co->resume(last ? &*last : nullptr);
    if (auto* outcome = std::get_if<CheckOutcome>(&next)) {
      played.outcome = *outcome;
      return played;
    }
    played.requests.push_back(std::get<IoRequest>(next));
    if (script.empty()) {
      ADD_FAILURE() << "the check asked for more I/O than scripted";
      last = status(IoResult::Status::failed, "not scripted");
    } else {
      last = script.front();
      script.pop_front();
    }
  }
  ADD_FAILURE() << "the check did not end within 200 steps";
  return played;
}

const std::string kEhloSuite = R"(
check {
  id = "E7", title = "A second EHLO resets the transaction", rfc = "RFC 5321 §4.1.4",
  level = "MUST", profiles = { "mx", "relay" },
  run = function(t)
    local c = t:session()
    c:mail("a@example.org"):expect(250, "MAIL")
    c:rcpt("postmaster@" .. t.domain):expect(250, "RCPT")
    c:ehlo()
    t:require(c:send("DATA"):is(503, 554), "DATA after a second EHLO was not refused")
  end,
}
)";

TEST(CheckSuite, LoadsChecksWithTheirMetadata) {
  TempSuite file("ehlo", kEhloSuite);
  CheckSuite suite;
  suite.load(file.path());
  ASSERT_EQ(suite.checks().size(), 1u);
  const auto& info = suite.checks()[0];
  EXPECT_EQ(info.id, "E7");
  EXPECT_EQ(info.area, "ehlo");
  EXPECT_EQ(info.level, check::Level::must);
  EXPECT_EQ(info.profiles, (std::vector<std::string>{"mx", "relay"}));
  // "file:line", nothing after the line number.
  const std::string tail = "ehlo.lua:2";
  ASSERT_GE(info.source.size(), tail.size()) << info.source;
  EXPECT_EQ(info.source.substr(info.source.size() - tail.size()), tail) << info.source;
}

TEST(CheckSuite, PassesWhenEveryRequirementHolds) {
  TempSuite file("ehlo", kEhloSuite);
  CheckSuite suite;
  suite.load(file.path());
  auto played = play(suite, 0,
                     {connected(1), reply(220, {"mx.example ESMTP"}), ok(),
                      reply(250, {"mx.example", "PIPELINING", "SIZE 1000"}), ok(),
                      reply(250, {"2.1.0 Ok"}), ok(), reply(250, {"2.1.5 Ok"}), ok(),
                      reply(250, {"mx.example"}), ok(), reply(503, {"5.5.1 Bad sequence"})});
  EXPECT_EQ(played.outcome.verdict, check::Verdict::pass) << played.outcome.reason;
  ASSERT_GE(played.requests.size(), 4u);
  EXPECT_EQ(played.requests[0].kind, IoRequest::Kind::connect);
  EXPECT_FALSE(played.requests[0].tls);
  EXPECT_EQ(played.requests[1].kind, IoRequest::Kind::read_reply);
  EXPECT_EQ(played.requests[2].kind, IoRequest::Kind::write);
  EXPECT_EQ(played.requests[2].bytes, "EHLO client.example\r\n");
  EXPECT_EQ(played.requests[4].bytes, "MAIL FROM:<a@example.org>\r\n");
  EXPECT_EQ(played.requests[6].bytes, "RCPT TO:<postmaster@example.com>\r\n");
}

TEST(CheckSuite, AnUnmetMustIsAFailWithTheReason) {
  TempSuite file("ehlo", kEhloSuite);
  CheckSuite suite;
  suite.load(file.path());
  auto played =
      play(suite, 0,
           {connected(1), reply(220, {"mx"}), ok(), reply(250, {"mx"}), ok(), reply(250, {"Ok"}),
            ok(), reply(250, {"Ok"}), ok(), reply(250, {"mx"}), ok(), reply(354, {"go ahead"})});
  EXPECT_EQ(played.outcome.verdict, check::Verdict::fail);
  EXPECT_EQ(played.outcome.reason, "DATA after a second EHLO was not refused");
}

TEST(CheckSuite, AWrongCodeInExpectIsUnmetAndAMissingReplyIsAnError) {
  TempSuite file("ehlo", kEhloSuite);
  CheckSuite suite;
  suite.load(file.path());
  auto wrong = play(suite, 0,
                    {connected(1), reply(220, {"mx"}), ok(), reply(250, {"mx"}), ok(),
                     reply(451, {"4.3.0 later"})});
  EXPECT_EQ(wrong.outcome.verdict, check::Verdict::fail);
  EXPECT_EQ(wrong.outcome.reason, "MAIL: expected 250, got 451 4.3.0 later");

  auto missing = play(suite, 0,
                      {connected(1), reply(220, {"mx"}), ok(), reply(250, {"mx"}), ok(),
                       status(IoResult::Status::timeout)});
  EXPECT_EQ(missing.outcome.verdict, check::Verdict::error);
  EXPECT_EQ(missing.outcome.reason, "MAIL: expected 250, got (no reply within the timeout)");
}

TEST(CheckSuite, ConnectFailureAndBadGreetingAreErrors) {
  TempSuite file("ehlo", kEhloSuite);
  CheckSuite suite;
  suite.load(file.path());
  auto refused =
      play(suite, 0, {status(IoResult::Status::failed, "connect 127.0.0.1:1: connection refused")});
  EXPECT_EQ(refused.outcome.verdict, check::Verdict::error);
  EXPECT_EQ(refused.outcome.reason, "connect 127.0.0.1:1: connection refused");

  auto garbage = play(suite, 0, {connected(1), status(IoResult::Status::malformed, "bad code")});
  EXPECT_EQ(garbage.outcome.verdict, check::Verdict::error);
  EXPECT_EQ(garbage.outcome.reason, "no usable greeting: (not a reply: bad code)");
}

TEST(CheckSuite, NeedsSkipWhenTheExtensionIsNotAdvertised) {
  TempSuite file("pipelining", R"(
check { id = "P1", title = "t", rfc = "RFC 2920 §3.2", level = "MUST", needs = { "pipelining" },
  run = function(t) t:session() end }
)");
  CheckSuite suite;
  suite.load(file.path());
  auto played =
      play(suite, 0, {connected(1), reply(220, {"mx"}), ok(), reply(250, {"mx", "SIZE 10"})});
  EXPECT_EQ(played.outcome.verdict, check::Verdict::skip);
  EXPECT_EQ(played.outcome.reason, "PIPELINING is not advertised");
}

TEST(CheckSuite, LevelsDecideTheUnmetVerdictAndInfoLinesBecomeNotes) {
  TempSuite file("levels", R"(
check { id = "S", title = "t", rfc = "r", level = "SHOULD", run = function(t) t:require(false, "weak") end }
check { id = "I", title = "t", rfc = "r", level = "INFO",
  run = function(t) t:info("tolerates it"); t:note("detail") end }
check { id = "K", title = "t", rfc = "r", level = "M", run = function(t) t:skip("not here") end }
)");
  CheckSuite suite;
  suite.load(file.path());
  EXPECT_EQ(play(suite, 0, {}).outcome.verdict, check::Verdict::warn);
  auto info = play(suite, 1, {});
  EXPECT_EQ(info.outcome.verdict, check::Verdict::info);
  EXPECT_EQ(info.outcome.reason, "tolerates it");
  EXPECT_EQ(info.outcome.notes, (std::vector<std::string>{"tolerates it", "detail"}));
  auto skip = play(suite, 2, {});
  EXPECT_EQ(skip.outcome.verdict, check::Verdict::skip);
  EXPECT_EQ(skip.outcome.reason, "not here");
}

TEST(CheckSuite, ALuaErrorIsAnErrorWithFileAndLine) {
  TempSuite file("buggy", R"(
check { id = "B", title = "t", rfc = "r", level = "MUST",
  run = function(t)
    local x = nil
    return x.field
  end }
)");
  CheckSuite suite;
  suite.load(file.path());
  auto played = play(suite, 0, {});
  EXPECT_EQ(played.outcome.verdict, check::Verdict::error);
  EXPECT_NE(played.outcome.reason.find("buggy.lua:5:"), std::string::npos) << played.outcome.reason;
}

TEST(CheckSuite, IoInsidePcallIsRefusedClearly) {
  TempSuite file("pcall", R"(
check { id = "P", title = "t", rfc = "r", level = "MUST",
  run = function(t) local ok, e = pcall(function() t:sleep(1) end); error(e, 0) end }
)");
  CheckSuite suite;
  suite.load(file.path());
  auto played = play(suite, 0, {});
  EXPECT_EQ(played.outcome.verdict, check::Verdict::error);
  EXPECT_NE(played.outcome.reason.find("not inside pcall"), std::string::npos)
      << played.outcome.reason;
}

TEST(CheckSuite, ARunawayLoopEndsInAnError) {
  TempSuite file("loop", R"(
check { id = "L", title = "t", rfc = "r", level = "MUST", run = function(t) while true do end end }
)");
  CheckSuite suite;
  suite.load(file.path());
  auto played = play(suite, 0, {});
  EXPECT_EQ(played.outcome.verdict, check::Verdict::error);
  EXPECT_NE(played.outcome.reason.find("instruction limit"), std::string::npos);
}

TEST(CheckSuite, RawWritesSecretsTimeoutsAndTls) {
  TempSuite file("raw", R"(
check { id = "R", title = "t", rfc = "r", level = "MUST", profiles = { "implicit-tls" },
  run = function(t)
    local c = t:connect()
    c:write("STARTTLS\r\nNOOP\r\n")
    c:write("secret", { secret = true })
    local r = c:read(0.25)
    t:require(r.timeout and not r.ok, "expected a timeout")
    t:require(c:closed(0.5), "expected the peer to close")
  end }
)");
  CheckSuite suite;
  suite.load(file.path());
  CheckTarget target;
  target.profile = "implicit-tls";
  auto played =
      play(suite, 0,
           {connected(1), reply(220, {"mx"}), ok(), ok(), status(IoResult::Status::timeout), ok()},
           target);
  EXPECT_EQ(played.outcome.verdict, check::Verdict::pass) << played.outcome.reason;
  ASSERT_EQ(played.requests.size(), 6u);
  EXPECT_TRUE(played.requests[0].tls);  // the implicit-tls profile connects with TLS
  EXPECT_EQ(played.requests[2].bytes, "STARTTLS\r\nNOOP\r\n");
  EXPECT_TRUE(played.requests[3].secret);
  EXPECT_EQ(played.requests[4].timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(played.requests[5].kind, IoRequest::Kind::wait_close);
}

TEST(CheckSuite, DataIsDotStuffedAndEhloFillsTheCapabilities) {
  TempSuite file("data", R"(
check { id = "D", title = "t", rfc = "r", level = "MUST",
  run = function(t)
    local c = t:session()
    t:require(c:has("size") and c:param("SIZE") == "1000", "caps")
    c:data(".x\r\nend"):expect(250)
  end }
)");
  CheckSuite suite;
  suite.load(file.path());
  auto played = play(suite, 0,
                     {connected(1), reply(220, {"mx"}), ok(), reply(250, {"mx", "SIZE 1000"}), ok(),
                      reply(354, {"go"}), ok(), reply(250, {"queued"})});
  EXPECT_EQ(played.outcome.verdict, check::Verdict::pass) << played.outcome.reason;
  EXPECT_EQ(played.requests.back().kind, IoRequest::Kind::read_reply);
  EXPECT_EQ(played.requests[played.requests.size() - 2].bytes, "..x\r\nend\r\n.\r\n");
}

TEST(CheckSuite, BadDeclarationsNameFileAndLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"check { id = 'X', title = 't', rfc = 'r', level = 'OFTEN', run = function() end }",
       "level must be"},
      {"check { id = 'X', title = 't', rfc = 'r', level = 'MUST' }", "needs run"},
      {"check { id = 'X', title = 't', rfc = 'r', level = 'MUST', run = function() end, colour = 1 "
       "}",
       "unknown field 'colour'"},
      {"check { id = 'X', title = 't', rfc = 'r', level = 'MUST', profiles = { 'smtp' }, run = "
       "function() end }",
       "unknown profile 'smtp'"},
      {"check { id = 'X', title = 't', rfc = 'r', level = 'MUST', run = function() end }\n"
       "check { id = 'X', title = 't', rfc = 'r', level = 'MUST', run = function() end }",
       "id already used at"},
  };
  for (const auto& [lua, expected] : cases) {
    TempSuite file("bad", lua);
    CheckSuite suite;
    try {
      suite.load(file.path());
      ADD_FAILURE() << "accepted: " << lua;
    } catch (const ScriptError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("bad.lua:"), std::string::npos) << e.what();
    }
  }
}

TEST(CheckSuite, ADirectoryLoadsItsFilesInNameOrder) {
  TempSuite first("b-second",
                  "check { id = 'B', title = 't', rfc = 'r', level = 'MUST', run = "
                  "function() end }");
  std::ofstream(first.dir() + "/01-a-first.lua")
      << "check { id = 'A', title = 't', rfc = 'r', level = 'MUST', run = function() end }";
  CheckSuite suite;
  suite.load(first.dir());
  ASSERT_EQ(suite.checks().size(), 2u);
  EXPECT_EQ(suite.checks()[0].id, "A");
  EXPECT_EQ(suite.checks()[0].area, "a-first");
  EXPECT_EQ(suite.checks()[1].area, "b-second");
}

}  // namespace
}  // namespace smtp::script::check_suite_test
