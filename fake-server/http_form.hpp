#pragma once
// The parameters of a request: the query of its target and an
// application/x-www-form-urlencoded body (what an HTML form POSTs), both
// decoded as the URL Standard's "application/x-www-form-urlencoded parser"
// does: '+' is a space, %XX an octet, a malformed % kept as it is. The
// values are bytes a browser or any client chose: escape them before they
// reach HTML (ARCHITECTURE.md §6, "Hostile peers").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smtp::fake {

// The first value of `name` in "a=1&b=2", decoded; nullopt when absent.
std::optional<std::string> form_value(std::string_view form, std::string_view name);

// The first value of `name` in the query of "/path?a=1&b=2".
std::optional<std::string> query_param(std::string_view target, std::string_view name);

// A whole decimal number ("12"; not "", "-1", "1x" or past 2^64-1): an id
// in a path, a count in a parameter.
std::optional<std::uint64_t> to_number(std::string_view s);

// `value` for a query or form: unreserved octets kept, ' ' as '+', the rest %XX.
std::string form_encode(std::string_view value);

}  // namespace smtp::fake
