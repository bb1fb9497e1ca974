#pragma once
// Splits a byte stream into lines with a hard length limit. Used by the server
// for command lines and by the reply parser for reply lines.
//
// RFC 5321 §2.3.8: only CRLF ends a line. A server must not take a bare LF or
// bare CR as a line end (docs/CONFORMANCE.md D5), so by default the framer splits on
// CRLF only and leaves any bare CR/LF inside the line for the caller to judge.
// A tolerant reader (the reply parser, to *report* bare LF instead of waiting
// forever) sets split_on_bare_lf and inspects `ending`.
//
// Limits (RFC 5321 §4.5.3.1.4/§4.5.3.1.5 count the CRLF): a line is accepted
// when its octets *including its ending* number at most max_line. As soon as
// the buffered part of a line proves it too long, the framer drops it and
// every further octet up to its ending (overflowing() is true meanwhile), so
// an endless line costs no memory; the overflow event comes when the ending
// arrives, and framing resumes with the next line.
//
// The event sequence does not depend on how the stream is cut into chunks.
// Work is linear: each byte is searched once, and the buffer is compacted
// amortised.
#include <cstddef>
#include <string>
#include <string_view>

namespace smtp::proto {

enum class LineEnding { crlf, bare_lf };

class LineFramer {
 public:
  struct Options {
    std::size_t max_line = 512;     // longest accepted line, CRLF included
    bool split_on_bare_lf = false;  // also end a line at a LF not preceded by CR
  };

  struct Event {
    enum class Kind {
      line,       // `line` holds one line without its ending
      need_more,  // no complete line is buffered
      overflow,   // a line exceeded max_line; it was discarded up to and including
                  // its ending and `discarded` counts its octets. Framing resumes.
    };
    Kind kind = Kind::need_more;
    std::string_view line;                 // valid until the next call to feed() or next()
    LineEnding ending = LineEnding::crlf;  // for line and overflow
    std::size_t discarded = 0;
  };

  LineFramer() = default;
  explicit LineFramer(Options options) : options_(options) {}

  // Appends bytes. Memory stays bounded: while a line is overflowing its
  // bytes are dropped, not buffered. Bytes are only dropped in line mode,
  // i.e. after next() returned need_more (and no consume() since): a caller
  // that switched to raw access after a line (BDAT) gets every byte.
  void feed(std::string_view bytes);

  // Returns the next event. Call until it returns need_more.
  Event next();

  // Raw access for modes where the stream is not line-based (DATA, BDAT,
  // STARTTLS): the bytes buffered but not yet returned as lines. Empty while
  // overflowing (those bytes are gone).
  std::string_view buffered() const;
  // Removes n buffered bytes (n <= buffered().size()).
  void consume(std::size_t n);

  // True while the bytes of an over-long line are being dropped: a server may
  // reply 500 and hang up without waiting for the line's end.
  bool overflowing() const { return overflowing_; }

  const Options& options() const { return options_; }

 private:
  struct Found {
    std::size_t pos;  // index of the LF that ends the line, or npos
    LineEnding ending;
  };
  // Searches `data` for a line-ending LF; `prev_cr` tells whether the byte
  // just before data[0] (in the same line) is a CR.
  Found find_end(std::string_view data, bool prev_cr) const;
  // True when a partial line of `size` octets whose last octet is `last`
  // cannot end within max_line.
  bool proves_too_long(std::size_t size, char last) const;
  void compact();

  Options options_;
  std::string buffer_;
  std::size_t start_ = 0;           // first unconsumed byte in buffer_
  std::size_t scanned_ = 0;         // bytes after start_ already searched for an ending
  bool overflowing_ = false;        // dropping bytes of an over-long line
  std::size_t overflow_count_ = 0;  // octets dropped so far of the overflowing line
  bool overflow_cr_ = false;        // the last dropped octet was a CR
  // In line mode: the last next() returned need_more, so buffer_ holds only
  // one partial line, already scanned. feed() may then drop its bytes.
  bool awaiting_line_ = true;
  bool pending_overflow_ = false;  // an overflow event is due before anything else
  std::size_t pending_discarded_ = 0;
  LineEnding pending_ending_ = LineEnding::crlf;
};

}  // namespace smtp::proto
