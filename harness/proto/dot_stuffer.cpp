// Client side of DATA transparency (RFC 5321 §4.5.2). Most of a body is
// copied as it is: the loop skips to the next CR or LF 16 bytes at a time and
// appends whole runs, breaking a run only where it inserts bytes (a doubled
// dot, a completed line ending).
#include "proto/dot_stuffer.hpp"

#include "proto/byte_scan.hpp"

namespace smtp::proto {

void DotStuffer::feed(std::string_view body, std::string& out) {
  const char* const p = body.data();
  const std::size_t n = body.size();
  const bool normalise = options_.normalise_line_endings;
  std::size_t run = 0;  // first input byte not yet appended
  std::size_t i = 0;

  if (pending_cr_ && n > 0) {
    // The previous chunk ended with CR. Normalising, it already went out as
    // CRLF, so its LF is dropped here rather than doubled. Raw, CR LF split
    // across chunks is still a line end.
    pending_cr_ = false;
    if (p[0] == '\n') {
      if (normalise) {
        run = 1;
      } else {
        at_line_start_ = true;
      }
      i = 1;
    }
  }

  while (i < n) {
    if (at_line_start_) {
      at_line_start_ = false;
      if (p[i] == '.') {
        // §4.5.2: one more "." in front; the original starts the next run.
        out.append(p + run, i - run);
        out.push_back('.');
        run = i;
        ++i;
        continue;
      }
    }
    const std::size_t j = detail::find_any(p, i, n, '\r', '\n', '\r');
    if (j == n) break;
    if (p[j] == '\r') {
      if (j + 1 == n) {
        // The LF, if any, is in the next chunk.
        pending_cr_ = true;
        if (normalise) {
          out.append(p + run, n - run);
          out.push_back('\n');
          run = n;
          at_line_start_ = true;
        }
        i = n;
        break;
      }
      if (p[j + 1] == '\n') {
        at_line_start_ = true;
        i = j + 2;
      } else if (normalise) {
        // §2.3.8: a bare CR is not sent; it becomes CRLF.
        out.append(p + run, j + 1 - run);
        out.push_back('\n');
        run = j + 1;
        at_line_start_ = true;
        i = j + 1;
      } else {
        i = j + 1;  // raw: sent as it is, and it does not start a line
      }
    } else if (normalise) {
      // A bare LF (a CRLF was consumed above as a pair) becomes CRLF.
      out.append(p + run, j - run);
      out.append("\r\n");
      run = j + 1;
      at_line_start_ = true;
      i = j + 1;
    } else {
      i = j + 1;
    }
  }
  out.append(p + run, n - run);
}

void DotStuffer::finish(std::string& out) {
  // The body always ends with CRLF before the terminator (§4.1.1.4). A raw
  // trailing bare CR stays data and gets its own CRLF.
  if (!at_line_start_) out.append("\r\n");
  out.append(".\r\n");
  at_line_start_ = true;
  pending_cr_ = false;
}

std::string dot_stuff(std::string_view body, DotStuffer::Options options) {
  std::string out;
  out.reserve(body.size() + body.size() / 32 + 8);
  DotStuffer stuffer(options);
  stuffer.feed(body, out);
  stuffer.finish(out);
  return out;
}

}  // namespace smtp::proto
