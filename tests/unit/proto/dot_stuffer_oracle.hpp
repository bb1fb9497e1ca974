#pragma once
// The stuffer's expected output written from the rules, not from the code;
// shared by the unit tests and the fuzz target.
#include <string>
#include <string_view>

namespace smtp::test {

// RFC 5321 §2.3.8 applied by hand: CRLF stays, a bare CR or LF becomes CRLF.
inline std::string normalised(std::string_view body) {
  std::string out;
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\r' && i + 1 < body.size() && body[i + 1] == '\n') {
      out += "\r\n";
      ++i;
    } else if (body[i] == '\r' || body[i] == '\n') {
      out += "\r\n";
    } else {
      out += body[i];
    }
  }
  return out;
}

inline std::string with_final_crlf(std::string s) {
  if (!s.empty() && !s.ends_with("\r\n")) s += "\r\n";
  return s;
}

}  // namespace smtp::test
