#include "fake-server/profile.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "proto/server_violations.hpp"
#include "script/lua_state.hpp"

namespace smtp::fake::profile_test {
namespace {

// Writes a profile to a temporary file named after the test.
class Profile : public ::testing::Test {
 protected:
  std::string write(const std::string& lua) {
    path_ = std::filesystem::temp_directory_path() /
            ("profile-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".lua");
    std::ofstream(path_) << lua;
    return path_.string();
  }
  void TearDown() override { std::filesystem::remove(path_); }

  // The error message of loading `lua`, or "" when it loads.
  std::string error_of(const std::string& lua) {
    ServerSettings options;
    try {
      load_profile(write(lua), options);
    } catch (const script::ScriptError& e) {
      return e.what();
    }
    return "";
  }
  std::filesystem::path path_;
};

TEST_F(Profile, SetsServerFields) {
  ServerSettings o;
  load_profile(write(R"(
    server {
      hostname = "mx.test", users = { alice = "secret" }, auth_cleartext = true,
      max_size = 1000, max_recipients = 5, max_errors = 3, idle_timeout = "2m",
      max_sessions = 10,
      disable = { "CHUNKING", "dsn" }, keep_bare_line_endings = true,
      auth_mechanisms = { "plain" },
    }
  )"),
               o);
  EXPECT_EQ(o.smtp.hostname, "mx.test");
  EXPECT_EQ(o.smtp.users.at("alice"), "secret");
  EXPECT_TRUE(o.smtp.auth_cleartext);
  EXPECT_EQ(o.smtp.max_message_size, 1000u);
  EXPECT_EQ(o.smtp.max_recipients, 5u);
  EXPECT_EQ(o.smtp.max_errors, 3u);
  EXPECT_EQ(o.idle_timeout, std::chrono::minutes(2));
  EXPECT_EQ(o.max_sessions, 10u);
  EXPECT_FALSE(o.smtp.extensions.chunking);
  EXPECT_FALSE(o.smtp.extensions.dsn);
  EXPECT_TRUE(o.smtp.extensions.pipelining);
  EXPECT_FALSE(o.smtp.reject_bare_line_endings);
  EXPECT_EQ(o.smtp.auth_mechanisms, std::vector<std::string>{"PLAIN"});
}

TEST_F(Profile, UnknownFieldNamesFileAndLine) {
  const auto e = error_of("-- a comment\nserver { nope = 1 }\n");
  EXPECT_NE(e.find(path_.string() + ":2:"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown field 'nope'"), std::string::npos) << e;
}

TEST_F(Profile, WrongTypeIsReported) {
  const auto e = error_of("server {\n  max_size = \"big\" }\n");
  EXPECT_NE(e.find(":1:"), std::string::npos) << e;  // the call starts on line 1
  EXPECT_NE(e.find("max_size must be an integer"), std::string::npos) << e;
  EXPECT_NE(error_of("server { disable = { \"NOPE\" } }").find("unknown keyword 'NOPE'"),
            std::string::npos);
  EXPECT_NE(error_of("server { idle_timeout = \"soon\" }").find("idle_timeout"), std::string::npos);
}

TEST_F(Profile, SyntaxErrorNamesFileAndLine) {
  const auto e = error_of("server {\n  hostname = \n}\n");
  EXPECT_NE(e.find(path_.string() + ":3:"), std::string::npos) << e;
}

TEST_F(Profile, RuntimeErrorHasTraceback) {
  const auto e = error_of("local t = nil\nlocal x = t.field\n");
  EXPECT_NE(e.find(":2:"), std::string::npos) << e;
  EXPECT_NE(e.find("stack traceback"), std::string::npos) << e;
}

TEST_F(Profile, RunawayScriptIsStopped) {
  const auto e = error_of("while true do end\n");
  EXPECT_NE(e.find("instruction limit exceeded"), std::string::npos) << e;
}

TEST_F(Profile, UnsafeLibrariesAreAbsent) {
  EXPECT_NE(error_of("os.execute('true')").find("os"), std::string::npos);
  EXPECT_NE(error_of("io.open('/etc/passwd')").find("io"), std::string::npos);
  EXPECT_NE(error_of("dofile('/etc/passwd')").find("dofile"), std::string::npos);
}

TEST_F(Profile, ViolateTakesANameOrAList) {  // proto/server_violations.hpp
  ServerSettings o;
  load_profile(write("violate \"auth-twice\"\n"
                     "violate { \"lf-dot-lf-ends-data\", \"starttls-twice\" }\n"),
               o);
  EXPECT_TRUE(o.smtp.violations.auth_twice);
  EXPECT_TRUE(o.smtp.violations.lf_dot_lf_ends_data);
  EXPECT_TRUE(o.smtp.violations.starttls_twice);
  EXPECT_EQ(proto::active_violations(o.smtp.violations),
            "lf-dot-lf-ends-data auth-twice starttls-twice");
}

TEST_F(Profile, NoViolationUnlessAsked) {
  ServerSettings o;
  load_profile(write("server { hostname = \"mx.test\" }\n"), o);
  EXPECT_EQ(proto::active_violations(o.smtp.violations), "");
}

TEST_F(Profile, UnknownViolation) {  // file:line and the known names
  const auto e = error_of("-- a comment\n\nviolate { \"auth-twice\", \"nope\" }\n");
  EXPECT_NE(e.find(path_.string() + ":3: violate: unknown violation 'nope' (known: " +
                   proto::violation_names() + ")"),
            std::string::npos)
      << e;
}

TEST_F(Profile, ViolateRefusesOtherShapes) {
  EXPECT_NE(error_of("violate(42)").find("violate must be a string"), std::string::npos);
  EXPECT_NE(error_of("violate {}").find("the list of names is empty"), std::string::npos);
  EXPECT_NE(error_of("violate { 1 }").find("violate must be a string"), std::string::npos);
  EXPECT_NE(error_of("violate('auth-twice', 'starttls-twice')").find("one list of names"),
            std::string::npos);
  EXPECT_NE(error_of("violate()").find("one list of names"), std::string::npos);
}

// Each scenarios/fake/broken-*.lua breaks one requirement: one
// violation, or no violation and rules, hooks or settings that do it.
TEST(ShippedProfiles, EachBrokenProfileBreaksOneThing) {
  int broken = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(SMTP_SOURCE_DIR) / "scenarios/fake")) {
    const auto name = entry.path().filename().string();
    if (name.rfind("broken-", 0) != 0 || entry.path().extension() != ".lua") continue;
    SCOPED_TRACE(name);
    ServerSettings o;
    ASSERT_NO_THROW(load_profile(entry.path().string(), o));
    const auto violations = proto::active_violations(o.smtp.violations);
    EXPECT_EQ(violations.find(' '), std::string::npos) << "more than one: " << violations;
    // Settings that break a requirement when changed: fewer recipients (L6),
    // a small SIZE (L5), AUTH in clear text (A1), an extension withdrawn (C5),
    // a short idle timeout (L7). max_sessions is none: over it the server
    // answers 421, as RFC 5321 §3.8 wants.
    const proto::ServerConfig defaults;
    const bool other_breakage = !o.rules.rules.empty() || o.hooks != nullptr ||
                                o.idle_timeout != ServerSettings{}.idle_timeout ||
                                o.smtp.max_recipients != defaults.max_recipients ||
                                o.smtp.max_message_size != defaults.max_message_size ||
                                o.smtp.auth_cleartext != defaults.auth_cleartext ||
                                o.smtp.extensions != defaults.extensions;
    EXPECT_EQ(violations.empty(), other_breakage) << "a violation and more, or nothing";
    ++broken;
  }
  EXPECT_GE(broken, 25);
}

TEST(ShippedProfiles, EveryProfileInScenariosFakeLoads) {
  int loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::filesystem::path(SMTP_SOURCE_DIR) / "scenarios/fake")) {
    if (entry.path().extension() != ".lua") continue;
    ServerSettings options;
    EXPECT_NO_THROW(load_profile(entry.path().string(), options)) << entry.path();
    ++loaded;
  }
  EXPECT_GE(loaded, 1);
}

}  // namespace
}  // namespace smtp::fake::profile_test
