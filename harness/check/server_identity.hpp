#pragma once
// Which server software the target runs, as far as its greeting and its EHLO
// reply say (RFC 5321 §4.2: the text after the code is free, and servers
// often name themselves there: "220 mx.example.org ESMTP Exim 4.96 ...").
// A pure function over those two texts, driven by the table of patterns in
// server_identity.cpp; standard library only, like the rest of the check
// model (docs/ARCHITECTURE.md, deviation 20). The runner's probe provides
// the texts (target_probe.hpp); the reports show the result.
#include <string>
#include <string_view>

namespace smtp::check {

// What the report says when the texts do not show the software or its version.
inline constexpr std::string_view kUnknown = "unknown";

struct ServerIdentity {
  std::string software{kUnknown};  // "Postfix", "Exim", ...
  std::string version{kUnknown};   // "4.96", when the texts show it
  std::string banner;              // the greeting's first line, as received ("220 ...")
  std::string ehlo;                // the EHLO reply's first line; empty when there was none

  bool known() const { return software != kUnknown; }
  friend bool operator==(const ServerIdentity&, const ServerIdentity&) = default;
};

// `greeting` and `ehlo_reply` as received: lines ending in CRLF (or LF; a
// last line may lack it), the codes included. `ehlo_reply` is empty when
// EHLO was not sent or not answered. The first pattern of the table that
// matches a line of either names the software.
ServerIdentity identify_server(std::string_view greeting, std::string_view ehlo_reply);

// "Postfix 3.7.11", "Postfix (version unknown)", or "unknown".
std::string software_text(const ServerIdentity& server);

}  // namespace smtp::check
