#include "proto/reply_parser.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#include "proto/escape.hpp"
#include "proto/utf8.hpp"

namespace smtp::proto {

namespace {

// Octets allowed as themselves in reply text (§4.2 textstring): HT and
// 0x20-0x7E. Octets >= 0x80 are checked as UTF-8 separately.
constexpr std::array<bool, 256> kTextAscii = [] {
  std::array<bool, 256> t{};
  t['\t'] = true;
  for (int c = 0x20; c < 0x7f; ++c) t[static_cast<std::size_t>(c)] = true;
  return t;
}();

// True when none of the 8 octets in `w` is a control octet, DEL or >= 0x80,
// i.e. all are in 0x20-0x7E (SWAR: a borrow out of "byte - k" marks byte < k).
bool all_plain_ascii(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ull;
  constexpr std::uint64_t high = 0x8080808080808080ull;
  const std::uint64_t below_space = (w - ones * 0x20) & ~w;
  const std::uint64_t x = w ^ (ones * 0x7f);  // zero byte where w had DEL
  const std::uint64_t is_del = (x - ones) & ~x;
  return ((below_space | is_del | w) & high) == 0;
}

// Index of the first octet that may not appear in reply text, or npos.
std::size_t find_non_printable(std::string_view s) {
  std::size_t i = 0;
  // Fast path for the common all-ASCII text, 8 octets at a time.
  while (s.size() - i >= 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (!all_plain_ascii(w)) break;
    i += 8;
  }
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (kTextAscii[c]) {
      ++i;
      continue;
    }
    if (c < 0x80) return i;
    const std::size_t n = utf8_char_length(s.substr(i));
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

std::string quoted(std::string_view line) {
  return '"' + escape_bytes(line) + '"';
}

}  // namespace

std::string_view to_string(ReplyErrorKind kind) {
  switch (kind) {
    case ReplyErrorKind::line_too_long:
      return "line_too_long";
    case ReplyErrorKind::too_many_lines:
      return "too_many_lines";
    case ReplyErrorKind::invalid_code:
      return "invalid_code";
    case ReplyErrorKind::bad_separator:
      return "bad_separator";
    case ReplyErrorKind::mixed_codes:
      return "mixed_codes";
    case ReplyErrorKind::non_printable:
      return "non_printable";
    case ReplyErrorKind::bare_line_feed:
      return "bare_line_feed";
    case ReplyErrorKind::trailing_data:
      return "trailing_data";
  }
  return "unknown";
}

std::string to_string(const ReplyError& error) {
  return std::string(to_string(error.kind)) + ": " + error.detail;
}

ReplyParser::ReplyParser(Limits limits)
    : limits_(limits), framer_(LineFramer::Options{limits.max_line, true}) {}

void ReplyParser::feed(std::string_view bytes) {
  fed_ += bytes.size();
  if (failed_) return;  // nothing more will be parsed: don't keep the bytes
  framer_.feed(bytes);
}

ReplyResult ReplyParser::fail(ReplyErrorKind kind, std::string detail, std::size_t offset) {
  failed_ = ReplyError{kind, std::move(detail), offset};
  partial_ = Reply{};
  return *failed_;
}

ReplyResult ReplyParser::next() {
  if (failed_) return *failed_;
  for (;;) {
    const LineFramer::Event ev = framer_.next();
    switch (ev.kind) {
      case LineFramer::Event::Kind::need_more:
        if (framer_.overflowing()) {
          // The line cannot fit any more; no need to wait for its end.
          return fail(ReplyErrorKind::line_too_long,
                      "reply line longer than " + std::to_string(limits_.max_line) +
                          " octets (CRLF included)",
                      offset_);
        }
        return NeedMore{};
      case LineFramer::Event::Kind::overflow:
        return fail(ReplyErrorKind::line_too_long,
                    "reply line longer than " + std::to_string(limits_.max_line) +
                        " octets (CRLF included)",
                    offset_);
      case LineFramer::Event::Kind::line:
        break;
    }

    const std::string_view line = ev.line;
    const std::size_t line_offset = offset_;
    offset_ += line.size() + (ev.ending == LineEnding::crlf ? 2 : 1);

    if (ev.ending == LineEnding::bare_lf) {
      return fail(ReplyErrorKind::bare_line_feed,
                  "line ended by a bare LF (RFC 5321 section 2.3.8): " + quoted(line), line_offset);
    }
    if (line.size() < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '5' ||
        line[2] < '0' || line[2] > '9') {
      return fail(ReplyErrorKind::invalid_code,
                  "reply line does not start with a code 200-559: " + quoted(line), line_offset);
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');

    bool last;
    std::string_view text;
    if (line.size() == 3) {
      last = true;  // "250" CRLF: Reply-code [ SP textstring ] CRLF
    } else if (line[3] == ' ') {
      last = true;
      text = line.substr(4);
    } else if (line[3] == '-') {
      last = false;
      text = line.substr(4);
    } else {
      return fail(ReplyErrorKind::bad_separator,
                  "reply code followed by " + quoted(line.substr(3, 1)) +
                      ", not SP, '-' or CRLF: " + quoted(line),
                  line_offset);
    }

    const std::size_t bad = find_non_printable(text);
    if (bad != std::string_view::npos) {
      return fail(ReplyErrorKind::non_printable,
                  "octet " + quoted(text.substr(bad, 1)) + " at column " + std::to_string(bad + 4) +
                      " is not allowed in reply text: " + quoted(line),
                  line_offset);
    }

    if (partial_.lines.empty()) {
      partial_.code = code;
      partial_start_ = line_offset;
      if (!last) partial_.lines.reserve(16);  // multiline: EHLO replies are ~6-15 lines
    } else if (code != partial_.code) {
      return fail(ReplyErrorKind::mixed_codes,
                  "line with code " + std::to_string(code) + " inside a " +
                      std::to_string(partial_.code) + " reply: " + quoted(line),
                  line_offset);
    }
    if (partial_.lines.size() >= limits_.max_lines) {
      return fail(ReplyErrorKind::too_many_lines,
                  "reply has more than " + std::to_string(limits_.max_lines) + " lines",
                  line_offset);
    }

    ReplyLine& rl = partial_.lines.emplace_back();
    rl.text.assign(text);
    // Cheap pre-check: most lines ("PIPELINING", "Ok") cannot hold a code.
    if (text.size() >= 5 && text[1] == '.') rl.enhanced = parse_enhanced_code(text);

    if (last) {
      Reply done = std::move(partial_);
      partial_ = Reply{};
      reply_end_ = offset_;
      return done;
    }
  }
}

ReplyResult ReplyParser::expect_no_trailing_data() {
  if (failed_) return *failed_;
  if (fed_ > reply_end_) {
    const std::size_t extra = fed_ - reply_end_;
    std::string detail = std::to_string(extra) + " octet(s) after the reply where the server " +
                         "must wait for the client";
    if (partial_.lines.empty() && !framer_.buffered().empty()) {
      detail += ": " + quoted(framer_.buffered());
    }
    return fail(ReplyErrorKind::trailing_data, std::move(detail), reply_end_);
  }
  return NeedMore{};
}

std::string_view ReplyParser::buffered() const {
  return framer_.buffered();
}

}  // namespace smtp::proto
