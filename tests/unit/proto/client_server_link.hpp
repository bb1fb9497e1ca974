#pragma once
// Connects a ClientDialogue to the real ServerDialogue for the client's unit
// tests: a Link shuttles the client's writes into the server (lines through
// a LineFramer, DATA and BDAT bytes raw, as input_mode() says) and the
// server's replies through a ReplyParser back into the client, optionally
// cutting every write at a given position or into single bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "proto/client_dialogue.hpp"
#include "proto/line_framer.hpp"
#include "proto/reply_parser.hpp"
#include "proto/server_dialogue.hpp"

namespace smtp::proto::test {

// How each write is cut on its way to the peer.
struct Cutting {
  std::size_t at = std::string::npos;  // two pieces: [0, at) and [at, end)
  bool bytes = false;                  // one byte at a time
};

inline std::vector<std::string> cut(const std::string& s, Cutting c) {
  std::vector<std::string> pieces;
  if (c.bytes) {
    for (char ch : s) pieces.emplace_back(1, ch);
    return pieces;
  }
  const std::size_t at = std::min(c.at, s.size());
  if (at > 0) pieces.push_back(s.substr(0, at));
  if (at < s.size()) pieces.push_back(s.substr(at));
  return pieces;
}

// A reply the Link sends instead of the server's to the nth command with
// this verb (the server never sees that command, like a fake-smtpd rule).
struct Override {
  std::string verb;
  int nth = 1;
  std::string reply;
};

class Link {
  ServerConfig server_config_;  // the dialogue keeps a reference to it
  std::unique_ptr<ServerDialogue> server_;

 public:
  Link(ServerConfig server_config, ClientConfig client_config, Cutting cutting = {},
       bool implicit_tls = false)
      : server_config_(std::move(server_config)),
        server_(std::make_unique<ServerDialogue>(server_config_, implicit_tls)),
        client(std::move(client_config)),
        cutting_(cutting) {}

  void connect(std::string banner_override = {}) {
    on_client(client.start());
    std::string banner = server_->greet().output;
    if (!banner_override.empty()) {
      banner = std::move(banner_override);
      server_->refuse_session();  // RFC 5321 §3.1: only QUIT is served now
    }
    to_client(banner);
    pump();
  }
  void send(OutgoingMessage m) {
    ASSERT_TRUE(client.ready_for_message()) << to_string(client.stage());
    on_client(client.send(std::move(m)));
    pump();
  }
  void quit() {
    on_client(client.quit());
    pump();
  }
  // quit() while the transaction's replies are still to come.
  void send_then_quit(OutgoingMessage m) {
    on_client(client.send(std::move(m)));
    const ClientStep early = client.quit();
    EXPECT_TRUE(early.output.empty()) << "QUIT before the transaction ended";
    on_client(early);
    pump();
  }
  void override_reply(Override o) { overrides_.push_back(std::move(o)); }

  ServerDialogue& server() { return *server_; }

  ClientDialogue client;
  std::vector<std::string> events;  // "phase code", one per reply
  std::vector<TransactionOutcome> outcomes;
  std::vector<ClientFailure> failures;
  std::vector<std::string> writes;  // each client write, whole
  std::vector<bool> secret_writes;
  std::vector<Message> delivered;
  int tls_handshakes = 0;
  bool client_closed = false;
  bool server_closed = false;

 private:
  void to_client(const std::string& bytes) {
    for (auto& p : cut(bytes, cutting_)) to_client_.push_back(std::move(p));
  }

  void pump() {
    for (int round = 0; round < 1'000'000; ++round) {
      if (!to_server_.empty()) {
        std::string piece = std::move(to_server_.front());
        to_server_.pop_front();
        feed_server(piece);
      } else if (!to_client_.empty()) {
        std::string piece = std::move(to_client_.front());
        to_client_.pop_front();
        if (!client_closed) feed_client(piece);
      } else if (server_closed && !client_closed) {
        on_client(client.on_connection_lost());  // EOF, as a transport reports it
      } else {
        return;
      }
    }
    FAIL() << "the link did not settle";
  }

  void feed_server(const std::string& piece) {
    if (server_closed) return;
    framer_.feed(piece);
    for (int round = 0; round < 100'000 && !server_closed; ++round) {
      switch (server_->input_mode()) {
        case InputMode::line: {
          const auto event = framer_.next();
          if (event.kind == LineFramer::Event::Kind::need_more) return;
          if (event.kind == LineFramer::Event::Kind::overflow) {
            on_server(server_->on_line_too_long());
          } else {
            on_line(std::string(event.line));
          }
          break;
        }
        case InputMode::data:
        case InputMode::chunk: {
          const auto buffered = framer_.buffered();
          if (buffered.empty()) return;
          auto result = server_->on_data(buffered);
          framer_.consume(result.consumed);
          const bool idle = result.consumed == 0 && result.step.output.empty();
          on_server(std::move(result.step));
          if (idle) return;
          break;
        }
        case InputMode::none:
          return;
      }
    }
  }

  void on_line(const std::string& line) {
    const std::string verb = line.substr(0, line.find(' '));
    const int seen = ++verbs_seen_[verb];
    for (const auto& o : overrides_) {
      if (o.verb == verb && o.nth == seen) {
        to_client(o.reply);
        if (o.reply.rfind("421", 0) == 0) server_closed = true;
        return;
      }
    }
    on_server(server_->on_line(line));
  }

  void on_server(ServerStep s) {
    if (s.deliver) {
      delivered.push_back(std::move(*s.deliver));
      auto fin = server_->finish_delivery(true, "Q" + std::to_string(delivered.size()));
      s.output += fin.output;
      s.close = s.close || fin.close;
    }
    if (!s.output.empty()) to_client(s.output);
    if (s.start_tls) {
      framer_ = LineFramer{};  // RFC 3207 §4.2: buffered plaintext is dropped
      server_->on_tls_established();
    }
    if (s.close) server_closed = true;
  }

  void feed_client(const std::string& piece) {
    parser_.feed(piece);
    while (!client_closed) {
      auto result = parser_.next();
      if (auto* reply = std::get_if<Reply>(&result)) {
        on_client(client.on_reply(*reply));
      } else if (auto* error = std::get_if<ReplyError>(&result)) {
        on_client(client.on_malformed_reply(error->detail));
      } else {
        return;
      }
    }
  }

  void on_client(ClientStep s) {
    if (s.reply) {
      // Each reply closes the oldest outstanding request, the one it names.
      ASSERT_FALSE(outstanding_.empty()) << "a reply event with no request";
      EXPECT_EQ(outstanding_.front().serial, s.reply->request);
      EXPECT_EQ(outstanding_.front().phase, s.reply->phase);
      outstanding_.pop_front();
      events.push_back(std::string(to_string(s.reply->phase)) + ' ' +
                       std::to_string(s.reply->reply.code));
    }
    for (const auto& r : s.requests) outstanding_.push_back(r);
    if (s.close) {  // what was outstanding will never be answered
      client_closed = true;
      outstanding_.clear();
    }
    EXPECT_EQ(outstanding_.size(), client.outstanding());
    if (s.outcome) outcomes.push_back(*s.outcome);
    if (s.failure) failures.push_back(*s.failure);
    if (!s.output.empty()) {
      writes.push_back(s.output);
      secret_writes.push_back(s.secret);
      for (auto& p : cut(s.output, cutting_)) to_server_.push_back(std::move(p));
    } else {
      EXPECT_TRUE(s.requests.empty() || s.requests.front().phase == Phase::banner);
    }
    if (s.start_tls) {
      // RFC 3207 §4.2: nothing may follow the 220 before the handshake.
      EXPECT_TRUE(std::holds_alternative<NeedMore>(parser_.expect_no_trailing_data()));
      parser_ = ReplyParser{};
      ++tls_handshakes;
      on_client(client.on_tls_established());
    }
  }

  Cutting cutting_;
  LineFramer framer_;
  ReplyParser parser_;
  std::deque<std::string> to_server_;
  std::deque<std::string> to_client_;
  std::deque<Request> outstanding_;
  std::vector<Override> overrides_;
  std::map<std::string, int> verbs_seen_;
};

using Events = std::vector<std::string>;

inline ClientConfig client_config(bool pipelining = true) {
  ClientConfig c;
  c.helo_name = "client.test";
  c.pipelining = pipelining;
  return c;
}

inline OutgoingMessage message(std::uint64_t id, std::vector<std::string> to,
                               std::string content = "Subject: hi\r\n\r\nHello\r\n") {
  OutgoingMessage m;
  m.id = id;
  m.from = "alice@example.org";
  m.to = std::move(to);
  m.content = std::move(content);
  return m;
}

inline std::size_t count(const Events& events, const std::string& e) {
  return static_cast<std::size_t>(std::count(events.begin(), events.end(), e));
}

}  // namespace smtp::proto::test
