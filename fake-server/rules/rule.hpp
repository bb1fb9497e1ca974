#pragma once
// A behaviour rule of fake-smtpd (ARCHITECTURE.md §3, §5): match × select × action.
// Built from a profile's rule { } (fake-server/profile_rules.cpp) or from a
// hook's return value; evaluated by RuleEngine. No Lua and no I/O here.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fake-server/rules/ip_match.hpp"
#include "fake-server/rules/malformation.hpp"
#include "fake-server/rules/reply_spec.hpp"

namespace smtp::fake::rules {

// What a rule can match: a pseudo-command or a command verb.
//   "connect" — a client connected (before the greeting)
//   "."       — the end of a message (DATA's dot, or BDAT LAST)
//   "tls"     — a TLS handshake is about to start (STARTTLS, or implicit TLS)
//   "*"       — any command
//   "MAIL", "XFOO", ... — that command verb (upper-case)
inline constexpr std::string_view on_connect = "connect";
inline constexpr std::string_view on_end_of_data = ".";
inline constexpr std::string_view on_tls = "tls";
inline constexpr std::string_view on_any_command = "*";

// A word that can be a command verb for rules and hooks: letters, digits,
// "-" and "_", at most 32 octets. A pseudo-command name is not one, so a
// command line "." can never be taken for the end of a message.
bool is_command_word(std::string_view word);

// What a rule's counters and token buckets are kept per.
enum class Key { server, session, ip, sender, recipient };
std::string_view to_string(Key key);

struct Conditions {
  std::string arg;   // glob on the command's argument text (after the verb)
  std::string from;  // glob on the transaction's reverse-path, without <>
  std::string to;    // RCPT: its recipient; later: any recipient; without <>
  std::string helo;  // glob on the EHLO/HELO argument
  std::optional<IpMatch> ip;
  std::optional<bool> tls, auth;
  std::optional<std::uint64_t> min_messages, max_messages;  // accepted in this session so far
  std::string after_rule;  // only once the rule of this name has fired
};

struct Bucket {
  double rate = 1;  // tokens per second
  double burst = 1;
};

struct Selection {
  enum class Count { always, nth, first, every, after };
  Count count = Count::always;
  std::uint64_t n = 0;           // nth: n; first: N; every: k; after: N
  std::optional<double> chance;  // 0..1, drawn from the session's generator
  std::optional<Bucket> bucket;  // fires when the bucket is empty
  Key per = Key::server;         // counters and buckets are kept per this
};

enum class TlsFault {
  alert,  // read the ClientHello, answer a fatal handshake_failure alert, close
  close,  // read the ClientHello, close without a word
};

struct Action {
  // Terminal parts: they decide the answer; the first rule with one wins.
  std::optional<ReplySpec> reply;
  std::optional<std::string> raw;  // bytes sent exactly as given
  bool close = false;              // close silently
  bool reset = false;              // close with a TCP RST
  bool stall = false;              // never answer; read and discard until the client gives up
  std::optional<TlsFault> fail_tls;
  // Modifiers: they shape whatever answer is sent; they add up over rules.
  std::chrono::milliseconds delay{0};
  std::uint64_t bandwidth = 0;         // octets per second for this answer; 0 = no limit
  std::optional<std::size_t> partial;  // send only this many octets of the answer, then stall
  std::optional<Malformation> malformed;

  bool terminal() const { return reply || raw || close || reset || stall || fail_tls; }
  bool empty() const {
    return !terminal() && delay.count() == 0 && bandwidth == 0 && !partial && !malformed;
  }
  std::string describe() const;  // "reply 451 4.3.0 ..., delay 2000ms" for transcripts
};

// Adds `from` to `into`: modifiers add up (delays sum, the lowest bandwidth
// and partial win, the later malformation wins); terminal parts are taken
// only when `into` has none yet (the first decision stands).
void merge(Action& into, const Action& from);

struct Rule {
  std::string name;    // the profile's name, or "rule N"
  std::string source;  // "file:line" of its definition
  std::vector<std::string> on;
  Conditions when;
  Selection select;
  Action action;
};

}  // namespace smtp::fake::rules
