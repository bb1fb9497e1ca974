#pragma once
// The fields of a message header (RFC 5322 §2.2), unfolded, for comparing
// what a relay passed on with what was sent. Standard library only.
#include <string>
#include <string_view>
#include <vector>

namespace smtp::load {

struct HeaderField {
  std::string_view name;   // as written
  std::string_view value;  // after the colon, folding CRLFs kept (compare unfolded_equal)
};

// The fields of `header` (the octets before the empty line). A line that is
// neither a field nor a continuation (RFC 5322 §2.2.3: it starts with WSP)
// is skipped.
std::vector<HeaderField> header_fields(std::string_view header);

// Field names compare case-insensitively (RFC 5322 §1.2.2).
std::string lower_name(std::string_view name);

// The value without folding (CRLF before WSP, §2.2.3) and without the
// spaces around it: what a relay may legitimately refold.
std::string unfolded_value(std::string_view value);

}  // namespace smtp::load
