#pragma once
// A deliberately naive model of DotUnstuffer, written from the rules in
// dot_unstuffer.hpp and not from the implementation: it sees the whole input
// at once and judges every byte by looking around it. The unit tests and the
// fuzz target compare the streaming scanner against it. Slow on purpose.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "proto/dot_unstuffer.hpp"

namespace smtp::test {

struct UnstuffOutcome {
  std::string body;
  std::size_t consumed = 0;
  bool complete = false;
  std::array<std::uint64_t, static_cast<std::size_t>(proto::DataAnomaly::count_)> counts{};
  std::array<std::uint64_t, static_cast<std::size_t>(proto::FakeTerminator::none)> variants{};
  std::vector<proto::DataEvent> events;  // the oracle's are in sort_events() order

  friend bool operator==(const UnstuffOutcome&, const UnstuffOutcome&) = default;
};

// Readable failure messages.
inline void PrintTo(const UnstuffOutcome& r, std::ostream* os) {
  *os << "{body=\"";
  for (unsigned char c : r.body) {
    if (c == '\r') {
      *os << "\\r";
    } else if (c == '\n') {
      *os << "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      *os << "\\x"
          << "0123456789abcdef"[c >> 4] << "0123456789abcdef"[c & 15];
    } else {
      *os << c;
    }
  }
  *os << "\" consumed=" << r.consumed << " complete=" << r.complete << " counts=";
  for (auto c : r.counts) *os << c << ',';
  *os << " variants=";
  for (auto v : r.variants) *os << v << ',';
  *os << " events=";
  for (const auto& e : r.events) {
    *os << proto::to_string(e.anomaly);
    if (e.variant != proto::FakeTerminator::none) *os << '/' << proto::to_string(e.variant);
    *os << '@' << e.offset << ' ';
  }
  *os << '}';
}

inline void sort_events(std::vector<proto::DataEvent>& events) {
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) {
    return std::tuple(a.offset, a.anomaly, a.variant) < std::tuple(b.offset, b.anomaly, b.variant);
  });
}

// Runs the real unstuffer over `chunks`.
inline UnstuffOutcome run_unstuffer(const std::vector<std::string_view>& chunks,
                                    proto::DotUnstuffer::Options options = {}) {
  proto::DotUnstuffer u(options);
  UnstuffOutcome r;
  for (auto chunk : chunks) {
    auto progress = u.feed(chunk, &r.body);
    r.consumed += progress.consumed;
    r.complete = progress.complete;
  }
  r.complete = u.complete();
  for (std::size_t i = 0; i < r.counts.size(); ++i) {
    r.counts[i] = u.count(static_cast<proto::DataAnomaly>(i));
  }
  for (std::size_t i = 0; i < r.variants.size(); ++i) {
    r.variants[i] = u.count(static_cast<proto::FakeTerminator>(i));
  }
  r.events = u.events();
  return r;
}

inline UnstuffOutcome oracle_unstuff(std::string_view in, std::size_t max_line) {
  using proto::DataAnomaly;
  using proto::FakeTerminator;
  UnstuffOutcome r;
  const std::size_t n = in.size();
  auto crlf_before = [&](std::size_t p) {  // p is a line start
    return p == 0 || (p >= 2 && in[p - 2] == '\r' && in[p - 1] == '\n');
  };
  auto add = [&](DataAnomaly a, FakeTerminator v, std::uint64_t at) {
    ++r.counts[static_cast<std::size_t>(a)];
    if (a == DataAnomaly::fake_terminator) ++r.variants[static_cast<std::size_t>(v)];
    r.events.push_back({a, v, at});
  };

  // §4.1.1.4: the first line start holding ".\r\n" ends the data.
  std::size_t data_end = n;
  r.consumed = n;
  for (std::size_t p = 0; p + 3 <= n; ++p) {
    if (crlf_before(p) && in.substr(p, 3) == ".\r\n") {
      data_end = p;
      r.consumed = p + 3;
      r.complete = true;
      break;
    }
  }
  const std::size_t end = r.consumed;  // bytes judged

  // The body: the data without line-start dots. An unfinished stream that
  // ends in line-start "." CR holds that CR back.
  for (std::size_t p = 0; p < data_end; ++p) {
    if (in[p] == '.' && crlf_before(p)) continue;
    if (!r.complete && p == n - 1 && in[p] == '\r' && p >= 1 && in[p - 1] == '.' &&
        crlf_before(p - 1)) {
      continue;
    }
    r.body.push_back(in[p]);
  }

  for (std::size_t q = 0; q < end; ++q) {
    const char c = in[q];
    if (c == '\n' && (q == 0 || in[q - 1] != '\r'))
      add(DataAnomaly::bare_lf, FakeTerminator::none, q);
    if (c == '\r' && q + 1 < end && in[q + 1] != '\n')
      add(DataAnomaly::bare_cr, FakeTerminator::none, q);
    if (c == '\0') add(DataAnomaly::nul, FakeTerminator::none, q);
    if (c != '.') continue;
    // What ends just before the dot, and where that look-alike starts.
    enum { none, crlf, lf, cr, crlf_nul } prefix = none;
    std::uint64_t start = 0;
    if (q == 0) {
      prefix = crlf;
    } else if (in[q - 1] == '\n') {
      const bool real = q >= 2 && in[q - 2] == '\r';
      prefix = real ? crlf : lf;
      start = real ? q - 2 : q - 1;
    } else if (in[q - 1] == '\r') {
      prefix = cr;
      start = q - 1;
    } else if (in[q - 1] == '\0' && crlf_before(q - 1)) {
      prefix = crlf_nul;
      start = q - 1 >= 2 ? q - 3 : 0;
    }
    // What follows it: LF, CRLF or a bare CR (undecided at the very end).
    enum { s_none, s_lf, s_crlf, s_cr } suffix = s_none;
    if (q + 1 < end && in[q + 1] == '\n') {
      suffix = s_lf;
    } else if (q + 2 < end && in[q + 1] == '\r') {
      suffix = in[q + 2] == '\n' ? s_crlf : s_cr;
    }
    FakeTerminator v = FakeTerminator::none;
    if (prefix == crlf && suffix == s_lf) v = FakeTerminator::crlf_dot_lf;
    if (prefix == crlf && suffix == s_cr) v = FakeTerminator::crlf_dot_cr;
    if (prefix == lf && suffix == s_lf) v = FakeTerminator::lf_dot_lf;
    if (prefix == lf && suffix == s_crlf) v = FakeTerminator::lf_dot_crlf;
    if (prefix == lf && suffix == s_cr) v = FakeTerminator::lf_dot_cr;
    if (prefix == cr && suffix == s_lf) v = FakeTerminator::cr_dot_lf;
    if (prefix == cr && suffix == s_crlf) v = FakeTerminator::cr_dot_crlf;
    if (prefix == cr && suffix == s_cr) v = FakeTerminator::cr_dot_cr;
    if (prefix == crlf_nul && suffix == s_crlf) v = FakeTerminator::crlf_nul_dot_crlf;
    if (v != FakeTerminator::none) add(DataAnomaly::fake_terminator, v, start);
  }

  // §4.5.3.1.6: lines of the body, split at CRLF only, CRLF included; the
  // k-th body line starts at the k-th wire line start.
  std::vector<std::uint64_t> wire_starts{0};
  for (std::size_t p = 2; p <= data_end; ++p) {
    if (in[p - 2] == '\r' && in[p - 1] == '\n') wire_starts.push_back(p);
  }
  std::size_t line = 0;
  std::size_t from = 0;
  while (true) {
    const std::size_t crlf_at = r.body.find("\r\n", from);
    const std::size_t to = crlf_at == std::string::npos ? r.body.size() : crlf_at + 2;
    if (to - from > max_line)
      add(DataAnomaly::long_line, FakeTerminator::none, wire_starts.at(line));
    if (crlf_at == std::string::npos) break;
    from = to;
    ++line;
  }
  sort_events(r.events);
  return r;
}

}  // namespace smtp::test
