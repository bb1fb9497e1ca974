#pragma once
// Incremental parser for server replies (RFC 5321 §4.2). Fed arbitrary chunks,
// it yields complete replies, asks for more, or stops with a classified error.
// The client, the compliance checks and the fake server's tests all use it.
//
// Grammar (§4.2):  Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//                                  Reply-code [ SP textstring ] CRLF
//                  Reply-code = %x32-35 %x30-35 %x30-39
//                  textstring = 1*(%d09 / %d32-126)   (UTF-8 also allowed, RFC 6531 §3.7.4)
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "proto/line_framer.hpp"
#include "proto/reply.hpp"

namespace smtp::proto {

enum class ReplyErrorKind {
  line_too_long,   // a line longer than Limits::max_line
  too_many_lines,  // a multiline reply longer than Limits::max_lines
  invalid_code,    // not three digits 2-5,0-5,0-9
  bad_separator,   // the code is followed by something other than SP, '-' or CRLF
  mixed_codes,     // lines of one multiline reply carry different codes
  non_printable,   // a control character (other than HT) or invalid UTF-8 in the text
  bare_line_feed,  // a line ended by LF without CR
  trailing_data,   // bytes follow a reply where none may (see expect_no_trailing_data)
};

std::string_view to_string(ReplyErrorKind kind);

struct ReplyError {
  ReplyErrorKind kind;
  std::string detail;      // human-readable, quotes the offending bytes escaped
  std::size_t offset = 0;  // stream offset of the offending line's first byte
};

// "non_printable: ...": the kind's name, then the detail, as a client that
// gives up on a malformed reply reports it.
std::string to_string(const ReplyError& error);

struct NeedMore {};

using ReplyResult = std::variant<Reply, NeedMore, ReplyError>;

class ReplyParser {
 public:
  struct Limits {
    std::size_t max_line = 2048;  // RFC says 512 (§4.5.3.1.5); real servers exceed it,
                                  // so the client is lenient but bounded. Checks lower it.
                                  // Counts the CRLF, like the RFC.
    std::size_t max_lines = 512;  // guards against a never-ending multiline reply
  };

  ReplyParser() : ReplyParser(Limits{}) {}
  explicit ReplyParser(Limits limits);

  void feed(std::string_view bytes);

  // Returns the next complete reply, NeedMore, or an error. After an error the
  // parser stays failed (every later call returns the same error): a client
  // cannot resynchronise with a server whose replies it cannot frame.
  //
  // Lines end at CRLF; a line ended by a bare LF is the error bare_line_feed
  // (reported, not waited on). A line that proves longer than max_line is
  // line_too_long as soon as that is certain, without waiting for its end.
  // Text may hold HT, 0x20-0x7E and well-formed UTF-8 (RFC 6531 §3.7.4);
  // "250\r\n" (no text) and "250 \r\n" (empty text) are accepted.
  ReplyResult next();

  // For points where the server must be silent after a reply — the greeting
  // before we speak, the 220 to STARTTLS (RFC 3207 §4.2, CVE-2011-0411) — this
  // returns a trailing_data error when bytes are buffered, else NeedMore.
  // The error is sticky like any other.
  ReplyResult expect_no_trailing_data();

  // Bytes received but not yet part of a returned reply (e.g. to hand over to
  // TLS after STARTTLS, or to show as evidence). Lines of a multiline reply
  // that is still incomplete are no longer included.
  std::string_view buffered() const;

  std::size_t offset() const { return offset_; }  // stream offset of the next unparsed byte

  const Limits& limits() const { return limits_; }

 private:
  ReplyResult fail(ReplyErrorKind kind, std::string detail, std::size_t offset);

  Limits limits_;
  LineFramer framer_;
  Reply partial_;                  // lines of a multiline reply collected so far
  std::size_t partial_start_ = 0;  // stream offset of partial_'s first line
  std::size_t offset_ = 0;         // stream offset of the next line the framer returns
  std::size_t fed_ = 0;            // octets fed so far
  std::size_t reply_end_ = 0;      // stream offset just after the last returned reply
  std::optional<ReplyError> failed_;
};

}  // namespace smtp::proto
