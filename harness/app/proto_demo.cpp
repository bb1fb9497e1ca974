#include "app/proto_demo.hpp"

#include <fmt/core.h>

#include <array>
#include <string>
#include <string_view>
#include <variant>

#include "app/exit_codes.hpp"
#include "proto/command_parser.hpp"
#include "proto/dot_stuffer.hpp"
#include "proto/dot_unstuffer.hpp"
#include "proto/ehlo.hpp"
#include "proto/escape.hpp"
#include "proto/reply_parser.hpp"
#include "proto/server_dialogue.hpp"
#include "proto/status_catalogue.hpp"

namespace smtp::app {
namespace {

using proto::escape_bytes;

// Feeds `wire` to a fresh parser in chunks of `chunk` bytes, the way replies
// trickle in from a slow server, and returns the first result.
proto::ReplyResult parse_in_chunks(std::string_view wire, std::size_t chunk) {
  proto::ReplyParser parser;
  for (std::size_t at = 0; at < wire.size(); at += chunk) {
    parser.feed(wire.substr(at, chunk));
    auto result = parser.next();
    if (!std::holds_alternative<proto::NeedMore>(result)) return result;
  }
  return parser.next();
}

void show_replies() {
  fmt::print("== Replies (RFC 5321 §4.2), fed 3 bytes at a time\n");
  const std::string ehlo =
      "250-mx.example.org Hello\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n"
      "250-8BITMIME\r\n250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n"
      "250-CHUNKING\r\n250 SMTPUTF8\r\n";
  auto result = parse_in_chunks(ehlo, 3);
  if (const auto* reply = std::get_if<proto::Reply>(&result)) {
    auto caps = proto::parse_ehlo(*reply);
    if (const auto* c = std::get_if<proto::Capabilities>(&caps)) {
      fmt::print("  EHLO from {}: {} capabilities;", c->domain, c->items.size());
      fmt::print(" SIZE={}", c->size_limit().value_or(0));
      fmt::print(" AUTH=");
      for (const auto& m : c->auth_mechanisms()) fmt::print("{} ", m);
      fmt::print("\n");
    }
  }

  const std::array<std::string_view, 7> samples = {
      "550 5.1.1 <nobody@example.org>: Recipient address rejected\r\n",
      "421 4.7.0 Too many connections, try later\r\n",
      "250-first\r\n251 second\r\n",  // mixed codes
      "25O Ok\r\n",                   // letter O, not zero
      "250 Ok\n",                     // bare LF
      "250 Ok \x1b[31mred\r\n",       // terminal escape from a hostile server
      "600 Nope\r\n",                 // first digit out of range
  };
  for (auto wire : samples) {
    auto r = parse_in_chunks(wire, 3);
    if (const auto* reply = std::get_if<proto::Reply>(&r)) {
      std::string enhanced = reply->enhanced() ? reply->enhanced()->to_string() : "-";
      fmt::print("  {:<40} -> {} [{}] {}: {}\n", escape_bytes(wire, 38), reply->code, enhanced,
                 proto::describe_reply_code(reply->code),
                 reply->enhanced() ? proto::describe_enhanced_code(*reply->enhanced()) : "");
    } else if (const auto* err = std::get_if<proto::ReplyError>(&r)) {
      fmt::print("  {:<40} -> error {}\n", escape_bytes(wire, 38), proto::to_string(*err));
    }
  }
}

void show_commands() {
  fmt::print("\n== Commands (RFC 5321 §4.1), as fake-smtpd will parse them\n");
  const std::array<std::string_view, 9> samples = {
      "MAIL FROM:<sender@example.org> SIZE=1024 BODY=8BITMIME",
      "rcpt to:<@relay.example,@hop.example:user@example.net>",
      "RCPT TO:<\"john smith\"@[IPv6:2001:db8::1]>",
      "RCPT TO:<u@exa_mple.com>",
      "MAIL FROM:<j\xc3\xb6rg@example.de>",
      "MAIL FROM:<j\xc3\xb6rg@example.de> SMTPUTF8",
      "BDAT abc",
      "NOOP\nRSET",
      "QUIT now",
  };
  proto::CommandParseOptions options;
  options.smtputf8 = true;  // as if the server advertised SMTPUTF8
  for (auto line : samples) {
    auto r = proto::parse_command(line, options);
    if (const auto* cmd = std::get_if<proto::Command>(&r)) {
      std::string what = std::string(proto::to_string(cmd->verb));
      if (cmd->path) what += " path " + cmd->path->to_string();
      for (const auto& p : cmd->params) what += " +" + p.keyword;
      fmt::print("  {:<58} -> {}\n", escape_bytes(line, 56), escape_bytes(what));
    } else {
      const auto& err = std::get<proto::CommandError>(r);
      std::string why(proto::to_string(err.kind));
      if (err.path_error) why += "/" + std::string(proto::to_string(err.path_error->kind));
      fmt::print("  {:<58} -> refused: {} ({})\n", escape_bytes(line, 56), why, err.detail);
    }
  }
}

// What fake-smtpd's dialogue answers at the end of `data` in a transaction.
std::string server_verdict(std::string_view data) {
  proto::ServerConfig config;
  proto::ServerDialogue dialogue(config, false);
  for (auto line :
       {"EHLO client.example", "MAIL FROM:<a@example.org>", "RCPT TO:<b@example.net>", "DATA"}) {
    dialogue.on_line(line);
  }
  auto result = dialogue.on_data(data);
  std::string reply = result.step.output;
  if (result.step.deliver) reply = dialogue.finish_delivery(true, "demo").output;
  return escape_bytes(reply.substr(0, reply.find("\r\n")), 40);
}

void show_smuggling() {
  fmt::print(
      "\n== End of data (RFC 5321 §4.1.1.4): each look-alike terminator of docs/CONFORMANCE.md\n"
      "   D3, followed by a smuggled transaction, then the real CRLF.CRLF\n");
  for (int v = 0; v < static_cast<int>(proto::FakeTerminator::none); ++v) {
    const auto variant = static_cast<proto::FakeTerminator>(v);
    std::string stream = "Subject: hi\r\n\r\nbody";
    stream += proto::bytes_of(variant);
    stream += "MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\n";
    stream += "smuggled\r\n.\r\nQUIT\r\n";
    proto::DotUnstuffer unstuffer;
    std::string body;
    auto progress = unstuffer.feed(stream, &body);
    const bool smuggled = progress.consumed < stream.find("smuggled");
    fmt::print("  {:<12} {:<18} data ends at byte {:>3} of {:>3} ({}); fake-smtpd: {}\n",
               escape_bytes(proto::bytes_of(variant)), proto::to_string(variant), progress.consumed,
               stream.size(), smuggled ? "SMUGGLED" : "one message, look-alike kept as data",
               server_verdict(stream));
  }
  const std::string body = "Hello\r\n.leading dot\r\n.\r\n";
  fmt::print("  clean message -> fake-smtpd: {}\n", server_verdict("Hello\r\n.\r\n"));
  fmt::print("  dot-stuffing \"{}\" -> \"{}\"\n", escape_bytes(body),
             escape_bytes(proto::dot_stuff(body)));
}

}  // namespace

Subcommand register_proto_demo(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "proto-demo",
      "Show how the protocol core parses replies, commands and hostile DATA (no network)");
  return {cmd, [] {
            show_replies();
            show_commands();
            show_smuggling();
            return exit_ok;
          }};
}

}  // namespace smtp::app
