#pragma once
// Shell-style patterns for rule conditions: `*` is any run of octets, `?` is
// one octet, everything else matches itself ignoring ASCII case (RFC 5321
// §2.4: domains and verbs are case-insensitive; local parts are matched the
// same way here because a test profile wants "*@example.net", not surprises).
#include <string_view>

namespace smtp::fake::rules {

bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace smtp::fake::rules
