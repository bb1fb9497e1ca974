#pragma once
// The fixture of the RuleEngine tests: one engine, one session's generator,
// a fixed clock and a MAIL event each test adjusts.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fake-server/rules/rule_engine.hpp"

namespace smtp::fake::rules::test {

using namespace std::chrono_literals;
using Clock = RuleEngine::Clock;

inline Action reply_action(int code = 451) {
  Action a;
  a.reply = ReplySpec{code, std::nullopt, {"no"}};
  return a;
}

inline Rule make_rule(std::string name, std::vector<std::string> on,
                      Action action = reply_action()) {
  Rule r;
  r.name = std::move(name);
  r.source = "test.lua:1";
  r.on = std::move(on);
  r.action = std::move(action);
  return r;
}

inline proto::Path path(std::string local, std::string domain) {
  proto::Path p;
  p.mailbox.local_part = std::move(local);
  p.mailbox.domain = std::move(domain);
  return p;
}

class RuleEngineTest : public ::testing::Test {
 protected:
  // Fires? For the event as the test has set it up.
  bool fires() { return !evaluate().fired.empty(); }
  Verdict evaluate() { return engine.evaluate(event, random, now); }
  void use(std::vector<Rule> rules) { engine.replace(std::move(rules)); }
  int count_fired(int events) {
    int n = 0;
    for (int i = 0; i < events; ++i) n += fires() ? 1 : 0;
    return n;
  }

  RuleEngine engine;
  SessionRandom random{42, 1};
  Clock::time_point now = Clock::time_point{} + 1000h;
  Event event = mail_event();

 private:
  static Event mail_event() {
    Event e;
    e.on = "MAIL";
    e.arg = "FROM:<a@x.test>";
    e.session_id = 1;
    e.ip = "192.0.2.1";
    return e;
  }
};

// --- SessionRandom ------------------------------------------------------------

}  // namespace smtp::fake::rules::test
