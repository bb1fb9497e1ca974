#pragma once
// The model of one SMTP reply (RFC 5321 §4.2) with its optional enhanced
// status code (RFC 3463, announced by ENHANCEDSTATUSCODES, RFC 2034).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtp::proto {

// class.subject.detail, e.g. 5.1.1. RFC 3463 §2:
//   status-code = class "." subject "." detail
//   class = "2"/"4"/"5"    subject = 1*3digit    detail = 1*3digit
// "White-space characters and comments are NOT allowed within a status-code.
// Each numeric sub-code within the status-code MUST be expressed without
// leading zero digits." So "5.0.0" and "4.7.10" are codes; "5.01.1" and
// "5.1.1000" are not.
struct EnhancedCode {
  std::uint8_t cls = 0;
  std::uint16_t subject = 0;
  std::uint16_t detail = 0;

  std::string to_string() const;
  friend bool operator==(const EnhancedCode&, const EnhancedCode&) = default;
};

// Parses an enhanced code at the start of `text` (e.g. "5.1.1 User unknown").
// It must be followed by a space or the end of the text. On success `length`
// receives the number of characters it spans (not counting the space).
std::optional<EnhancedCode> parse_enhanced_code(std::string_view text,
                                                std::size_t* length = nullptr);

struct ReplyLine {
  std::string text;                      // everything after "ddd-" / "ddd ", without CRLF
  std::optional<EnhancedCode> enhanced;  // when `text` starts with one

  friend bool operator==(const ReplyLine&, const ReplyLine&) = default;
};

struct Reply {
  int code = 0;                  // 200..559, validated by the parser
  std::vector<ReplyLine> lines;  // at least one

  int reply_class() const { return code / 100; }  // 2, 3, 4 or 5
  bool multiline() const { return lines.size() > 1; }
  // The enhanced code of the first line, the one reports quote.
  const std::optional<EnhancedCode>& enhanced() const;
  // The first line's text with its enhanced code and the space after it
  // stripped ("2.1.0 Ok" -> "Ok"). Empty for a reply without lines.
  std::string_view message() const;
  // Re-encodes the reply exactly as a conforming server sends it, CRLF included:
  // "ddd-text" for all lines but the last, "ddd text" for the last, and "ddd"
  // alone for a last line with empty text (§4.2). A reply without lines
  // encodes as "ddd\r\n". Parsing the result gives back an equal Reply.
  std::string encode() const;
  // Appends the encoding to `out` (no allocation when `out` has room).
  void encode_to(std::string& out) const;

  friend bool operator==(const Reply&, const Reply&) = default;
};

}  // namespace smtp::proto
