// Fuzzes parse_path (RFC 5321 §4.1.2, RFC 6531 §3.3).
// Input: byte 0 holds the options (bit 0 smtputf8, bit 1 allow_null, bit 2
// allow_postmaster) and picks the split point; the rest is the text. Traps when:
//  - an error is unclassified, has no detail or points outside the text;
//  - a path breaks a limit (local part 64, domain 255, path 256) or holds
//    8-bit octets without smtputf8, a null path that was not allowed, ...;
//  - to_string() is not exactly the consumed text, or does not re-parse to an
//    equal path; path_from_address() disagrees;
//  - the result depends on the chunking: a reassembled copy, a prefix cut at
//    a point derived from the data, and a reader that grows the text one byte
//    at a time must agree (a valid path is first complete at its ">", and a
//    prefix that cuts it short is missing_brackets).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/command_encoder.hpp"
#include "proto/path.hpp"

namespace {

using smtp::proto::Path;
using smtp::proto::PathError;
using smtp::proto::PathErrorKind;
using smtp::proto::PathOptions;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool has_eight_bit(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return true;
  }
  return false;
}

void check_error(const PathError& e, std::string_view text) {
  check(static_cast<int>(e.kind) >= static_cast<int>(PathErrorKind::missing_brackets) &&
        static_cast<int>(e.kind) <= static_cast<int>(PathErrorKind::bad_utf8));
  check(to_string(e.kind) != "unknown");
  check(!e.detail.empty());
  check(e.offset <= text.size());
}

void check_path(const Path& p, std::size_t length, std::string_view text,
                const PathOptions& options) {
  check(length >= 2 && length <= text.size() && length <= 256);
  check(text[0] == '<' && text[length - 1] == '>');
  const std::string_view consumed = text.substr(0, length);
  check(p.to_string() == consumed);
  check(p.mailbox.local_part.size() <= 64);
  check(p.mailbox.domain.size() <= 255);
  if (!options.smtputf8) check(!has_eight_bit(consumed));
  if (p.null) {
    check(options.allow_null && length == 2 && p.source_route.empty());
    check(p.mailbox.local_part.empty() && p.mailbox.domain.empty());
  } else {
    check(!p.mailbox.local_part.empty());
    if (p.mailbox.domain.empty()) {
      // Only the bare "<Postmaster>" of §4.1.1.3.
      check(options.allow_postmaster && p.source_route.empty() && length == 12);
    }
  }
  for (const std::string& d : p.source_route) check(!d.empty() && d.size() <= 255);

  // The wire form parses back to the same path, alone and as an address.
  std::size_t again = 0;
  const std::string wire = p.to_string();
  const auto reparsed = smtp::proto::parse_path(wire, options, &again);
  check(std::holds_alternative<Path>(reparsed) && std::get<Path>(reparsed) == p &&
        again == wire.size());
  const auto address = smtp::proto::path_from_address(wire, options);
  check(std::holds_alternative<Path>(address) && std::get<Path>(address) == p);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const PathOptions options{(data[0] & 1) != 0, (data[0] & 2) != 0, (data[0] & 4) != 0};
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  std::size_t length = 0;
  const auto whole = smtp::proto::parse_path(text, options, &length);
  const Path* path = std::get_if<Path>(&whole);
  if (path != nullptr) {
    check_path(*path, length, text, options);
  } else {
    check_error(std::get<PathError>(whole), text);
  }

  // A copy in its own buffer parses the same (no reading outside the view).
  {
    const std::string copy(text);
    std::size_t n = 0;
    check(smtp::proto::parse_path(copy, options, &n) == whole);
    if (path != nullptr) check(n == length);
  }

  // A prefix at a point derived from the data.
  {
    const std::size_t cut = (static_cast<std::size_t>(data[0]) * 131 + size) % (text.size() + 1);
    const std::string prefix(text.substr(0, cut));
    std::size_t n = 0;
    const auto head = smtp::proto::parse_path(prefix, options, &n);
    if (const auto* e = std::get_if<PathError>(&head)) check_error(*e, prefix);
    if (path != nullptr) {
      if (cut >= length) {
        check(head == whole && n == length);
      } else {
        check(std::holds_alternative<PathError>(head) &&
              std::get<PathError>(head).kind == PathErrorKind::missing_brackets);
      }
    }
  }

  // A reader that receives one byte at a time and retries: the first
  // success must be the path, exactly when its ">" arrives.
  if (text.size() <= 300) {
    std::string grown;
    bool done = false;
    for (std::size_t i = 0; i < text.size() && !done; ++i) {
      grown += text[i];
      std::size_t n = 0;
      const auto r = smtp::proto::parse_path(grown, options, &n);
      if (std::holds_alternative<Path>(r)) {
        check(path != nullptr && i + 1 == length && std::get<Path>(r) == *path && n == length);
        done = true;
      } else if (path != nullptr) {
        check(std::get<PathError>(r).kind == PathErrorKind::missing_brackets);
      }
    }
    if (path != nullptr) check(done || text.empty());
  }
  return 0;
}
