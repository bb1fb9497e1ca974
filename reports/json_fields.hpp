#pragma once
// Strict, typed reads of a JSON document, for the result reader. A failure
// throws ReadError whose message names the place like a path
// ("load.latency[3].histogram: buckets out of order"), so that each check is
// one line; catch_read_error turns it into the public nullopt-and-error form.
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtp::reports::detail {

struct ReadError {
  std::string message;
};

// Throws ReadError "path: what" ("what" alone at the top, where path is "").
[[noreturn]] void fail(const std::string& path, const std::string& what);

std::string field_path(const std::string& path, std::string_view key);  // "a.b"
std::string item_path(const std::string& path, std::size_t index);      // "a[3]"

std::uint64_t read_u64(const nlohmann::json& value, const std::string& path);
double read_number(const nlohmann::json& value, const std::string& path);
double read_non_negative(const nlohmann::json& value, const std::string& path);
bool read_bool(const nlohmann::json& value, const std::string& path);
std::string read_string(const nlohmann::json& value, const std::string& path);
const nlohmann::json::array_t& read_array(const nlohmann::json& value, const std::string& path);

template <typename T>
T read_unsigned(const nlohmann::json& value, const std::string& path) {
  const std::uint64_t number = read_u64(value, path);
  if (number > std::numeric_limits<T>::max()) fail(path, std::to_string(number) + " is too large");
  return static_cast<T>(number);
}

// A string that must be one of `names`.
template <typename Names>
std::string read_enum(const nlohmann::json& value, const std::string& path, const Names& names) {
  std::string text = read_string(value, path);
  for (const auto name : names) {
    if (text == name) return text;
  }
  fail(path, "unknown value \"" + text + "\"");
}

// A string that names an entry of `table` (pairs of name and value): the value.
template <typename Table>
auto read_named(const nlohmann::json& value, const std::string& path, const Table& table) {
  const std::string text = read_string(value, path);
  for (const auto& [name, entry] : table) {
    if (text == name) return entry;
  }
  fail(path, "unknown value \"" + text + "\"");
}

// An array, each item read by read_one(item, "path[i]").
template <typename T, typename ReadOne>
std::vector<T> read_list(const nlohmann::json& value, const std::string& path, ReadOne read_one) {
  const auto& entries = read_array(value, path);
  std::vector<T> list;
  list.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    list.push_back(read_one(entries[i], item_path(path, i)));
  }
  return list;
}

// An object with exactly the listed fields: every required one present, the
// optional ones maybe, nothing else (the schema's additionalProperties:
// false, so that a misspelt field is an error, not silently ignored).
class Fields {
 public:
  using Names = std::vector<std::string_view>;

  Fields(const nlohmann::json& value, std::string path, const Names& required,
         const Names& optional = {});

  const std::string& path() const { return path_; }
  std::string path(std::string_view key) const { return field_path(path_, key); }
  bool has(std::string_view key) const { return value_.contains(std::string(key)); }
  const nlohmann::json& operator[](std::string_view key) const;

  std::uint64_t u64(std::string_view key) const { return read_u64((*this)[key], path(key)); }
  template <typename T>
  T unsigned_as(std::string_view key) const {
    return read_unsigned<T>((*this)[key], path(key));
  }
  double number(std::string_view key) const { return read_number((*this)[key], path(key)); }
  double non_negative(std::string_view key) const {
    return read_non_negative((*this)[key], path(key));
  }
  bool flag(std::string_view key) const { return read_bool((*this)[key], path(key)); }
  std::string string(std::string_view key) const { return read_string((*this)[key], path(key)); }

 private:
  const nlohmann::json& value_;
  std::string path_;
};

// The names of a table of (name, member) pairs, for a Fields list.
template <typename Table>
Fields::Names names_of(const Table& table) {
  Fields::Names names;
  for (const auto& [name, ignored] : table) names.push_back(name);
  return names;
}

// read() or, when it throws ReadError, nullopt with `error` set.
template <typename Read>
auto catch_read_error(std::string& error, Read read) -> std::optional<decltype(read())> {
  try {
    return read();
  } catch (const ReadError& failure) {
    error = failure.message;
    return std::nullopt;
  }
}

}  // namespace smtp::reports::detail
