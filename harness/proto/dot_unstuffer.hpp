#pragma once
// Server side of DATA (RFC 5321 §4.1.1.4, §4.5.2): finds the one real end of
// data, CRLF "." CRLF, removes the transparency dots, and classifies every
// irregular line ending on the way. This is the defence against SMTP smuggling
// (CVE-2023-51764/5/6, docs/CONFORMANCE.md D3/D4): only CRLF.CRLF ends data; every
// look-alike is *reported* and kept as data, and the server dialogue decides
// whether to refuse the message.
//
// Lines start only after CRLF (§2.3.8). A "." after a bare LF or CR is data, is
// not unstuffed, and is reported as a fake terminator if it looks like one.
//
// The stream starts right after the CRLF of the DATA line (or of the 354), so
// offset 0 is a line start: ".\r\n" as the first bytes is an empty message.
// At a line start, "." CRLF ends the data; a "." followed by anything else is
// the transparency dot and is removed (§4.5.2), even when what follows is a
// bare CR or LF.
//
// Fake terminators: every "." whose previous byte ends a line look-alike (a
// CRLF or the start of data, a bare LF, a bare CR) and whose next bytes are
// LF, CRLF or a bare CR is one of the variants below, except CRLF "." CRLF,
// which is the real end; CRLF NUL "." CRLF is the ninth. The bytes of a fake
// are kept as data (after the transparency rule above), and its bare CR/LF
// are counted as bare_cr/bare_lf too. Look-alikes may share a byte: the suffix
// of one is the prefix of the next, so "\n.\n.\n" is two lf_dot_lf (offsets 0
// and 2) and "\r\n.\r.\r" + "x" is crlf_dot_cr then cr_dot_cr. A CR is
// classified only when the byte after it arrives, so a trailing CR is pending.
//
// Everything (message bytes, counts, events, consumed) is independent of how
// the input is split into feed() calls: the scanner is a byte-at-a-time state
// machine that holds back at most one byte (the CR after a line-start ".",
// which is either part of the terminator or data).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace smtp::proto {

enum class DataAnomaly : std::uint8_t {
  bare_lf,          // LF not preceded by CR
  bare_cr,          // CR not followed by LF
  nul,              // a NUL octet
  long_line,        // a line over 1000 octets with its CRLF (§4.5.3.1.6)
  fake_terminator,  // a look-alike of CRLF.CRLF, see FakeTerminator
  count_,           // number of kinds, not a kind
};

// The look-alikes of CRLF "." CRLF from docs/CONFORMANCE.md D3 (SEC Consult's and
// hannob's smuggling variants).
enum class FakeTerminator : std::uint8_t {
  lf_dot_lf,          // \n.\n
  lf_dot_crlf,        // \n.\r\n
  crlf_dot_lf,        // \r\n.\n
  cr_dot_cr,          // \r.\r
  cr_dot_crlf,        // \r.\r\n
  crlf_dot_cr,        // \r\n.\r   (the \r not followed by \n)
  lf_dot_cr,          // \n.\r
  cr_dot_lf,          // \r.\n
  crlf_nul_dot_crlf,  // \r\n\0.\r\n
  none,               // not a fake terminator
};

std::string_view to_string(DataAnomaly anomaly);
std::string_view to_string(FakeTerminator variant);
// The bytes of the variant, e.g. "\n.\n", for tests and reports.
std::string_view bytes_of(FakeTerminator variant);

// Offsets are in the data stream (after DATA's CRLF), of the first byte involved:
//   bare_lf, bare_cr, nul: that byte;
//   long_line: the first byte of the line;
//   fake_terminator: the first byte of the look-alike (its CR, LF or, at the
//     start of data where the CRLF is implied, the "." or NUL at offset 0).
// Events are listed in the order they are decided, which is the order of
// their last bytes; within one byte, fake terminator, bare CR, then the
// byte's own bare LF / NUL, then long_line.
struct DataEvent {
  DataAnomaly anomaly;
  FakeTerminator variant = FakeTerminator::none;  // set for fake_terminator
  std::uint64_t offset;
  friend bool operator==(const DataEvent&, const DataEvent&) = default;
};

class DotUnstuffer {
 public:
  struct Options {
    // For long_line: octets of a line with its CRLF, not counting the
    // transparency dot (§4.5.3.1.6). Only CRLF ends a line, so a body with
    // bare LFs and no CRLF is one long line.
    std::size_t max_line = 1000;
    std::size_t max_events = 64;  // events kept with offsets; counts are never capped
    // Deliberately broken (fake-smtpd's violation lf-dot-lf-ends-data,
    // server_violations.hpp): LF "." LF also ends the data, as on the servers
    // SMTP smuggling exploits. Its LF is then a line end, not a bare_lf, and
    // its "." is not data. Off, as RFC 5321 §4.1.1.4 and §2.3.8 require.
    bool lf_dot_lf_ends_data = false;
  };

  struct Progress {
    std::size_t consumed = 0;  // bytes of the input that belonged to the data
    bool complete = false;     // the real terminator was consumed; the rest of the
                               // input (pipelined commands, §3.1 of RFC 2920) is not data
  };

  DotUnstuffer() = default;
  explicit DotUnstuffer(Options options) : options_(options) {}

  // Consumes data bytes, appending the unstuffed message to *out (nullptr to
  // discard, e.g. while draining after a rejection). The message keeps its
  // final CRLF; the ".\r\n" of the terminator is not part of it.
  Progress feed(std::string_view in, std::string* out);

  bool complete() const { return complete_; }
  // count(fake_terminator) is the sum over the variants; count(none) is 0.
  std::uint64_t count(DataAnomaly anomaly) const;
  std::uint64_t count(FakeTerminator variant) const;
  const std::vector<DataEvent>& events() const { return events_; }  // first max_events
  std::uint64_t message_size() const { return produced_; }          // unstuffed octets so far
  std::uint64_t wire_size() const { return offset_; }               // octets consumed so far

  // Ready for the next message (after the dialogue has taken the result).
  void reset();

 private:
  Options options_;
  bool complete_ = false;
  std::uint64_t offset_ = 0;
  std::uint64_t produced_ = 0;
  std::array<std::uint64_t, static_cast<std::size_t>(DataAnomaly::count_)> counts_{};
  std::array<std::uint64_t, static_cast<std::size_t>(FakeTerminator::none)> variant_counts_{};
  std::vector<DataEvent> events_;
  void record(DataAnomaly anomaly, FakeTerminator variant, std::uint64_t offset);
  void unrecord_bare_lf(std::uint64_t offset);
  void add_to_line(std::uint64_t octets);

  // Scanner state carried between chunks (a State in dot_unstuffer.cpp). It
  // also encodes the one byte that may be held back: the CR after a
  // line-start ".".
  std::uint32_t state_ = 0;
  std::uint64_t line_length_ = 0;  // unstuffed octets of the current line so far
  std::uint64_t line_start_ = 0;   // stream offset of the current line's first byte
};

}  // namespace smtp::proto
