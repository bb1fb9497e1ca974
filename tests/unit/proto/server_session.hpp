#pragma once
// Drives one ServerDialogue session for the unit tests: lines in, replies out,
// deliveries answered at once.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proto/server_dialogue.hpp"
#include "proto/server_violations.hpp"

namespace smtp::proto::test {

// A correct server's configuration with the violation `name` turned on.
inline ServerConfig violating(std::string_view name) {
  ServerConfig config;
  EXPECT_TRUE(set_violation(config.violations, name)) << name;
  return config;
}

inline int code_of(const std::string& output) {
  return output.size() >= 3 ? std::stoi(output.substr(0, 3)) : 0;
}

// Drives one session: lines in, replies out, deliveries answered at once.
class Session {
 public:
  explicit Session(ServerConfig config = {}, bool tls = false) : config_(std::move(config)) {
    dialogue_ = std::make_unique<ServerDialogue>(config_, tls);
    greeting = dialogue_->greet().output;
  }

  ServerStep step(std::string_view line) { return settle(dialogue_->on_line(line)); }
  std::string say(std::string_view line) { return step(line).output; }
  int code(std::string_view line) { return code_of(say(line)); }

  // Sends DATA bytes (content after the 354); returns the reply and how much
  // was consumed.
  std::string data(std::string_view bytes, std::size_t* consumed = nullptr) {
    std::string out;
    std::size_t used = 0;
    // Bounded: every round consumes input or produces a reply, else stops.
    for (int round = 0; round < 1000 && used < bytes.size(); ++round) {
      const auto mode = dialogue_->input_mode();
      if (mode != InputMode::data && mode != InputMode::chunk) break;
      auto r = dialogue_->on_data(bytes.substr(used));
      used += r.consumed;
      const std::string reply = settle(std::move(r.step)).output;
      out += reply;
      if (r.consumed == 0 && reply.empty()) break;
    }
    if (consumed) *consumed = used;
    return out;
  }

  void ehlo() { ASSERT_EQ(code("EHLO client.example"), 250); }
  void envelope(std::string_view rcpt = "RCPT TO:<bob@example.net>") {
    ASSERT_EQ(code("MAIL FROM:<alice@example.org>"), 250);
    ASSERT_EQ(code(rcpt), 250);
  }

  ServerDialogue& dialogue() { return *dialogue_; }
  std::string greeting;
  std::vector<Message> delivered;
  bool store_ok = true;

 private:
  ServerStep settle(ServerStep s) {
    if (s.deliver) {
      delivered.push_back(std::move(*s.deliver));
      s.deliver.reset();
      auto fin = dialogue_->finish_delivery(store_ok, "Q" + std::to_string(delivered.size()));
      s.output += fin.output;
      s.last_reply = fin.last_reply;
    }
    return s;
  }
  ServerConfig config_;
  std::unique_ptr<ServerDialogue> dialogue_;
};

}  // namespace smtp::proto::test
