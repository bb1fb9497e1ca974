#pragma once
// Client side of DATA transparency (RFC 5321 §4.5.2): a line that starts with
// "." gets one more "." prepended, and the body ends with CRLF "." CRLF.
// Streaming, so a large body is never copied whole.
#include <string>
#include <string_view>

namespace smtp::proto {

class DotStuffer {
 public:
  struct Options {
    // RFC 5321 §2.3.8: a client MUST NOT send a bare CR or LF. By default a
    // bare LF or CR becomes CRLF, which also makes line starts unambiguous.
    // Off, the bytes are sent as they are and only CRLF starts a line (a "."
    // after a bare LF is not stuffed): for tests that must send broken data.
    bool normalise_line_endings = true;
  };

  DotStuffer() = default;
  explicit DotStuffer(Options options) : options_(options) {}

  // Appends the stuffed form of `body` to `out`. May be called many times;
  // the output does not depend on how the body is split (a CR ending one
  // call and its LF starting the next are one CRLF).
  void feed(std::string_view body, std::string& out);
  // Appends CRLF when the body did not end with one, then ".\r\n". The
  // DATA line's own CRLF precedes the payload, so an empty body is just
  // ".\r\n". The stuffer is ready for a new body afterwards.
  void finish(std::string& out);

 private:
  Options options_;
  bool at_line_start_ = true;  // previous output ended with CRLF (or nothing yet)
  // The last input byte was CR, its LF may come in the next chunk. When
  // normalising, the CR already went out as CRLF and that LF is dropped.
  bool pending_cr_ = false;
};

// One-shot convenience: the whole DATA payload including the terminator.
std::string dot_stuff(std::string_view body, DotStuffer::Options options = {});

}  // namespace smtp::proto
