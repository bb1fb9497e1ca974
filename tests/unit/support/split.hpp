#pragma once
// Helpers for the "split the input at every byte" tests that every parser gets
// (ARCHITECTURE.md §7): a streaming parser must give the same answer whatever the
// chunking of its input.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace smtp::test {

// Every way to cut `input` into two chunks (including an empty first or last
// chunk), plus one byte at a time. Callers feed each chunk list to a fresh
// parser and compare against the one-shot result.
inline std::vector<std::vector<std::string_view>> every_split(std::string_view input) {
  std::vector<std::vector<std::string_view>> out;
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    out.push_back({input.substr(0, cut), input.substr(cut)});
  }
  std::vector<std::string_view> bytes;
  for (std::size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
  out.push_back(std::move(bytes));
  return out;
}

// A readable name for a chunking, for SCOPED_TRACE.
inline std::string describe_split(const std::vector<std::string_view>& chunks) {
  std::string s = std::to_string(chunks.size()) + " chunks:";
  for (auto c : chunks) s += ' ' + std::to_string(c.size());
  return s;
}

}  // namespace smtp::test
