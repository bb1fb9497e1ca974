// The server side of DATA as a byte-at-a-time state machine (see the header
// for the rules). Chunking invariance comes from the model: every decision is
// a function of the bytes seen so far, and the only byte ever held back is
// the CR after a line-start "." (RFC 5321 §4.1.1.4: it is either the CR of
// ".\r\n", the real end, or data). Speed comes from skipping ordinary text in
// the middle of a line 16 bytes at a time and copying it with one append per
// run, not per line.
#include "proto/dot_unstuffer.hpp"

#include <algorithm>
#include <array>
#include <iterator>

#include "proto/byte_scan.hpp"

namespace smtp::proto {

namespace {

// What the bytes just before the next one mean. Only mid-line text is skipped
// in bulk; every other state looks at one byte.
enum State : std::uint32_t {
  line_start = 0,  // after CRLF or at the start of data (§4.1.1.4: "." CRLF ends here)
  mid,             // inside a line, the previous byte needs no memory
  ls_dot,          // line start "." (removed or terminator, never data)
  ls_dot_cr,       // line start "." CR; the CR is held back
  ls_nul,          // line start NUL
  ls_nul_dot,      // line start NUL "."
  ls_nul_dot_cr,   // line start NUL "." CR
  cr,              // a CR whose LF has not arrived yet
  lf,              // a bare LF (§2.3.8: not a line end)
  lf_dot,          // bare LF "."
  lf_dot_cr,       // bare LF "." CR
  crb_dot,         // bare CR "."
  crb_dot_cr,      // bare CR "." CR
};

// A look-alike whose prefix is CRLF (or the implied CRLF before offset 0)
// starts two bytes before `after_crlf`, or at 0 at the start of data.
std::uint64_t crlf_prefix_start(std::uint64_t after_crlf) {
  return after_crlf >= 2 ? after_crlf - 2 : 0;
}

constexpr std::array<std::string_view, static_cast<std::size_t>(DataAnomaly::count_)>
    kAnomalyNames = {"bare_lf", "bare_cr", "nul", "long_line", "fake_terminator"};

struct VariantInfo {
  std::string_view name;
  std::string_view bytes;
};

// Order of FakeTerminator.
constexpr std::array<VariantInfo, static_cast<std::size_t>(FakeTerminator::none)> kVariants = {{
    {"lf_dot_lf", "\n.\n"},
    {"lf_dot_crlf", "\n.\r\n"},
    {"crlf_dot_lf", "\r\n.\n"},
    {"cr_dot_cr", "\r.\r"},
    {"cr_dot_crlf", "\r.\r\n"},
    {"crlf_dot_cr", "\r\n.\r"},
    {"lf_dot_cr", "\n.\r"},
    {"cr_dot_lf", "\r.\n"},
    {"crlf_nul_dot_crlf", std::string_view("\r\n\0.\r\n", 6)},
}};

}  // namespace

std::string_view to_string(DataAnomaly anomaly) {
  const auto i = static_cast<std::size_t>(anomaly);
  return i < kAnomalyNames.size() ? kAnomalyNames[i] : "unknown";
}

std::string_view to_string(FakeTerminator variant) {
  const auto i = static_cast<std::size_t>(variant);
  return i < kVariants.size() ? kVariants[i].name : "none";
}

std::string_view bytes_of(FakeTerminator variant) {
  const auto i = static_cast<std::size_t>(variant);
  return i < kVariants.size() ? kVariants[i].bytes : std::string_view{};
}

std::uint64_t DotUnstuffer::count(DataAnomaly anomaly) const {
  const auto i = static_cast<std::size_t>(anomaly);
  return i < counts_.size() ? counts_[i] : 0;
}

std::uint64_t DotUnstuffer::count(FakeTerminator variant) const {
  const auto i = static_cast<std::size_t>(variant);
  return i < variant_counts_.size() ? variant_counts_[i] : 0;
}

void DotUnstuffer::reset() {
  *this = DotUnstuffer(options_);
}

void DotUnstuffer::record(DataAnomaly anomaly, FakeTerminator variant, std::uint64_t offset) {
  ++counts_[static_cast<std::size_t>(anomaly)];
  if (anomaly == DataAnomaly::fake_terminator) ++variant_counts_[static_cast<std::size_t>(variant)];
  if (events_.size() < options_.max_events) events_.push_back({anomaly, variant, offset});
}

// Takes back the bare_lf recorded at `offset` (lf_dot_lf_ends_data: that LF
// turned out to be the line end before the terminator's ".").
void DotUnstuffer::unrecord_bare_lf(std::uint64_t offset) {
  --counts_[static_cast<std::size_t>(DataAnomaly::bare_lf)];
  const DataEvent event{DataAnomaly::bare_lf, FakeTerminator::none, offset};
  // At most a long_line event (of the LF or the ".") was recorded after it.
  const auto it = std::find(events_.rbegin(), events_.rend(), event);
  if (it != events_.rend()) events_.erase(std::next(it).base());
}

// §4.5.3.1.6 counts a text line with its CRLF, without the transparency dot.
// Reported once, when the line first goes over the limit.
void DotUnstuffer::add_to_line(std::uint64_t octets) {
  const std::uint64_t before = line_length_;
  line_length_ += octets;
  if (before <= options_.max_line && line_length_ > options_.max_line) {
    record(DataAnomaly::long_line, FakeTerminator::none, line_start_);
  }
}

DotUnstuffer::Progress DotUnstuffer::feed(std::string_view in, std::string* out) {
  if (complete_) return {0, true};

  const char* const p = in.data();
  const std::size_t n = in.size();
  const std::uint64_t base = offset_;
  std::size_t run = 0;  // first input byte not yet copied to the message

  // Copies in[run, end) to the message: everything except line-start dots and
  // the held CR is message data, so runs span many lines.
  auto flush = [&](std::size_t end) {
    if (end > run) {
      if (out != nullptr) out->append(p + run, end - run);
      produced_ += end - run;
    }
    run = end;
  };
  auto fake = [&](FakeTerminator variant, std::uint64_t at) {
    record(DataAnomaly::fake_terminator, variant, at);
  };
  auto bare_cr = [&](std::uint64_t at) { record(DataAnomaly::bare_cr, FakeTerminator::none, at); };
  auto new_line = [&](std::uint64_t at) {
    line_length_ = 0;
    line_start_ = at;
  };
  // A byte whose meaning does not depend on a preceding "."; `extra` counts a
  // released held CR into the same line-length step.
  auto plain = [&](char b, std::uint64_t at, std::uint64_t extra) -> State {
    State next = mid;
    if (b == '\r') {
      next = cr;
    } else if (b == '\n') {
      record(DataAnomaly::bare_lf, FakeTerminator::none, at);
      next = lf;
    } else if (b == '\0') {
      record(DataAnomaly::nul, FakeTerminator::none, at);
    }
    add_to_line(1 + extra);
    return next;
  };
  // The byte after a CR that turned out bare (never LF).
  auto after_bare_cr = [&](char b, std::uint64_t at, std::uint64_t extra) -> State {
    if (b == '.') {
      add_to_line(1 + extra);
      return crb_dot;
    }
    return plain(b, at, extra);
  };

  auto s = static_cast<State>(state_);
  for (std::size_t i = 0; i < n; ++i) {
    if (s == mid) {
      const std::size_t next = detail::find_any(p, i, n, '\r', '\n', '\0');
      add_to_line(next - i);
      i = next;
      if (i == n) break;
    }
    const char b = p[i];
    const std::uint64_t at = base + i;
    switch (s) {
      case mid:
        s = plain(b, at, 0);
        break;
      case line_start:
        if (b == '.') {
          flush(i);
          run = i + 1;  // §4.5.2: the first "." of a line is never data
          s = ls_dot;
        } else if (b == '\0') {
          record(DataAnomaly::nul, FakeTerminator::none, at);
          add_to_line(1);
          s = ls_nul;
        } else {
          s = plain(b, at, 0);
        }
        break;
      case ls_dot:
        if (b == '\r') {
          flush(i);
          run = i + 1;  // held: part of the terminator if an LF follows
          s = ls_dot_cr;
        } else if (b == '\n') {
          fake(FakeTerminator::crlf_dot_lf, crlf_prefix_start(at - 1));
          s = plain(b, at, 0);
        } else {
          s = plain(b, at, 0);
        }
        break;
      case ls_dot_cr:
        if (b == '\n') {
          // CRLF "." CRLF (§4.1.1.4). The preceding CRLF is already in the
          // message; ".\r\n" is not. Whatever follows is the caller's.
          flush(i);
          complete_ = true;
          offset_ = base + i + 1;
          state_ = line_start;
          return {i + 1, true};
        }
        fake(FakeTerminator::crlf_dot_cr, crlf_prefix_start(at - 2));
        bare_cr(at - 1);
        if (out != nullptr) out->push_back('\r');  // the held CR is data after all
        ++produced_;
        s = after_bare_cr(b, at, 1);
        break;
      case ls_nul:
        if (b == '.') {
          add_to_line(1);
          s = ls_nul_dot;
        } else {
          s = plain(b, at, 0);
        }
        break;
      case ls_nul_dot:
        if (b == '\r') {
          add_to_line(1);
          s = ls_nul_dot_cr;
        } else {
          s = plain(b, at, 0);
        }
        break;
      case ls_nul_dot_cr:
        if (b == '\n') {
          fake(FakeTerminator::crlf_nul_dot_crlf, crlf_prefix_start(at - 3));
          add_to_line(1);
          new_line(at + 1);
          s = line_start;
        } else {
          bare_cr(at - 1);
          s = after_bare_cr(b, at, 0);
        }
        break;
      case cr:
        if (b == '\n') {
          add_to_line(1);
          new_line(at + 1);
          s = line_start;
        } else {
          bare_cr(at - 1);
          s = after_bare_cr(b, at, 0);
        }
        break;
      case lf:
        if (b == '.') {
          add_to_line(1);
          s = lf_dot;
        } else {
          s = plain(b, at, 0);
        }
        break;
      case lf_dot:
      case crb_dot: {
        const bool after_lf = s == lf_dot;
        if (b == '\n' && after_lf && options_.lf_dot_lf_ends_data) {
          // The deliberate violation (see Options): LF "." LF ends the data.
          // The "." (already in the message, whichever chunk brought it) is
          // taken back, and so is the bare_lf of the LF before it.
          flush(i);
          if (out != nullptr && !out->empty() && out->back() == '.') out->pop_back();
          --produced_;
          unrecord_bare_lf(at - 2);
          complete_ = true;
          offset_ = base + i + 1;
          state_ = line_start;
          return {i + 1, true};
        }
        if (b == '\n') {
          fake(after_lf ? FakeTerminator::lf_dot_lf : FakeTerminator::cr_dot_lf, at - 2);
          s = plain(b, at, 0);
        } else if (b == '\r') {
          add_to_line(1);
          s = after_lf ? lf_dot_cr : crb_dot_cr;
        } else {
          s = plain(b, at, 0);
        }
        break;
      }
      case lf_dot_cr:
      case crb_dot_cr: {
        const bool after_lf = s == lf_dot_cr;
        if (b == '\n') {
          fake(after_lf ? FakeTerminator::lf_dot_crlf : FakeTerminator::cr_dot_crlf, at - 3);
          add_to_line(1);
          new_line(at + 1);
          s = line_start;
        } else {
          fake(after_lf ? FakeTerminator::lf_dot_cr : FakeTerminator::cr_dot_cr, at - 3);
          bare_cr(at - 1);
          s = after_bare_cr(b, at, 0);
        }
        break;
      }
    }
  }
  flush(n);
  offset_ = base + n;
  state_ = s;
  return {n, false};
}

}  // namespace smtp::proto
