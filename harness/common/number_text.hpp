#pragma once
// Small pieces of the threshold grammars (load --threshold, compare
// --threshold) that both read the same way. Standard library only.
#include <optional>
#include <string>
#include <string_view>

namespace smtp::common {

// `text` without leading and trailing spaces and tabs.
std::string_view trim_blanks(std::string_view text);

// A non-negative decimal number without sign or exponent ("12", "0.5"), and
// nothing else; nullopt otherwise (also for inf and nan).
std::optional<double> parse_plain_decimal(std::string_view text);

// 'text', for error messages.
std::string single_quoted(std::string_view text);

}  // namespace smtp::common
