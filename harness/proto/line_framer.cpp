#include "proto/line_framer.hpp"

#include <cstring>

namespace smtp::proto {

namespace {

// Below this many consumed bytes the buffer is never moved: compaction is
// amortised against the bytes consumed since the last one.
constexpr std::size_t kCompactMin = 4096;

std::size_t ending_size(LineEnding e) {
  return e == LineEnding::crlf ? 2 : 1;
}

}  // namespace

LineFramer::Found LineFramer::find_end(std::string_view data, bool prev_cr) const {
  const char* base = data.data();
  std::size_t from = 0;
  while (from < data.size()) {
    const void* hit = std::memchr(base + from, '\n', data.size() - from);
    if (hit == nullptr) break;
    const std::size_t i = static_cast<std::size_t>(static_cast<const char*>(hit) - base);
    const bool cr = i > 0 ? base[i - 1] == '\r' : prev_cr;
    if (cr) return {i, LineEnding::crlf};
    if (options_.split_on_bare_lf) return {i, LineEnding::bare_lf};
    from = i + 1;  // a bare LF is part of the line (§2.3.8)
  }
  return {std::string_view::npos, LineEnding::crlf};
}

bool LineFramer::proves_too_long(std::size_t size, char last) const {
  // The shortest way the line can still end: the LF alone when bare LF ends a
  // line or when the last octet is a CR (then CRLF completes), else CRLF.
  const std::size_t min_rest = (options_.split_on_bare_lf || last == '\r') ? 1 : 2;
  return size + min_rest > options_.max_line;
}

void LineFramer::compact() {
  if (start_ == 0) return;
  if (start_ >= buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  } else if (start_ >= kCompactMin && start_ * 2 >= buffer_.size()) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
}

void LineFramer::feed(std::string_view bytes) {
  if (bytes.empty()) return;

  if (overflowing_) {
    // Drop octets up to the over-long line's ending without buffering them.
    const Found f = find_end(bytes, overflow_cr_);
    if (f.pos == std::string_view::npos) {
      overflow_count_ += bytes.size();
      overflow_cr_ = bytes.back() == '\r';
      return;
    }
    overflowing_ = false;
    pending_overflow_ = true;
    pending_discarded_ = overflow_count_ + f.pos + 1;
    pending_ending_ = f.ending;
    overflow_count_ = 0;
    overflow_cr_ = false;
    awaiting_line_ = false;
    bytes.remove_prefix(f.pos + 1);
    buffer_.clear();
    start_ = 0;
    scanned_ = 0;
    buffer_.append(bytes);
    return;
  }

  compact();

  if (awaiting_line_) {
    // buffer_[start_..] is one partial line, already searched: only the new
    // bytes need a search, and a line that proves too long is dropped here
    // before it is ever copied.
    const std::size_t have = buffer_.size() - start_;
    const bool prev_cr = have > 0 && buffer_.back() == '\r';
    const Found f = find_end(bytes, prev_cr);
    if (f.pos == std::string_view::npos) {
      const std::size_t total = have + bytes.size();
      if (proves_too_long(total, bytes.back())) {
        overflowing_ = true;
        overflow_count_ = total;
        overflow_cr_ = bytes.back() == '\r';
        buffer_.clear();
        start_ = 0;
        scanned_ = 0;
        return;
      }
      buffer_.append(bytes);
      scanned_ = total;
      return;
    }
    awaiting_line_ = false;
    const std::size_t line_total = have + f.pos + 1;
    if (line_total > options_.max_line) {
      pending_overflow_ = true;
      pending_discarded_ = line_total;
      pending_ending_ = f.ending;
      buffer_.clear();
      start_ = 0;
      scanned_ = 0;
      buffer_.append(bytes.substr(f.pos + 1));
      return;
    }
    buffer_.append(bytes);
    scanned_ = have + f.pos;  // next() finds the LF at once
    return;
  }

  buffer_.append(bytes);
}

LineFramer::Event LineFramer::next() {
  Event ev;
  if (pending_overflow_) {
    pending_overflow_ = false;
    ev.kind = Event::Kind::overflow;
    ev.discarded = pending_discarded_;
    ev.ending = pending_ending_;
    return ev;
  }
  if (overflowing_) {
    awaiting_line_ = true;
    return ev;  // need_more
  }

  const std::string_view data = std::string_view(buffer_).substr(start_);
  const bool prev_cr = scanned_ > 0 && data[scanned_ - 1] == '\r';
  const Found f = find_end(data.substr(scanned_), prev_cr);
  if (f.pos == std::string_view::npos) {
    awaiting_line_ = true;
    if (!data.empty() && proves_too_long(data.size(), data.back())) {
      overflowing_ = true;
      overflow_count_ = data.size();
      overflow_cr_ = data.back() == '\r';
      buffer_.clear();
      start_ = 0;
      scanned_ = 0;
      return ev;
    }
    scanned_ = data.size();
    return ev;  // need_more
  }

  const std::size_t lf = scanned_ + f.pos;
  const std::size_t total = lf + 1;
  start_ += total;
  scanned_ = 0;
  ev.ending = f.ending;
  if (total > options_.max_line) {
    ev.kind = Event::Kind::overflow;
    ev.discarded = total;
    return ev;
  }
  ev.kind = Event::Kind::line;
  ev.line = data.substr(0, total - ending_size(f.ending));
  return ev;
}

std::string_view LineFramer::buffered() const {
  return std::string_view(buffer_).substr(start_);
}

void LineFramer::consume(std::size_t n) {
  const std::size_t have = buffer_.size() - start_;
  if (n > have) n = have;
  start_ += n;
  scanned_ = 0;  // the next line starts elsewhere: search it afresh
  awaiting_line_ = false;
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
}

}  // namespace smtp::proto
