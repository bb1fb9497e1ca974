#include "reports/json_fields.hpp"

#include <algorithm>
#include <utility>

namespace smtp::reports::detail {

using nlohmann::json;

void fail(const std::string& path, const std::string& what) {
  throw ReadError{path.empty() ? what : path + ": " + what};
}

std::string field_path(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string item_path(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

std::uint64_t read_u64(const json& value, const std::string& path) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) {
    return static_cast<std::uint64_t>(value.get<std::int64_t>());
  }
  fail(path, "expected a non-negative integer");
}

double read_number(const json& value, const std::string& path) {
  if (!value.is_number()) fail(path, "expected a number");
  return value.get<double>();
}

double read_non_negative(const json& value, const std::string& path) {
  const double number = read_number(value, path);
  if (number < 0) fail(path, "expected a number >= 0");
  return number;
}

bool read_bool(const json& value, const std::string& path) {
  if (!value.is_boolean()) fail(path, "expected true or false");
  return value.get<bool>();
}

std::string read_string(const json& value, const std::string& path) {
  if (!value.is_string()) fail(path, "expected a string");
  return value.get<std::string>();
}

const json::array_t& read_array(const json& value, const std::string& path) {
  if (!value.is_array()) fail(path, "expected an array");
  return value.get_ref<const json::array_t&>();
}

Fields::Fields(const json& value, std::string path, const Names& required, const Names& optional)
    : value_(value), path_(std::move(path)) {
  if (!value.is_object()) fail(path_, "expected an object");
  for (const auto name : required) {
    if (!value.contains(std::string(name))) {
      fail(path_, "missing field \"" + std::string(name) + "\"");
    }
  }
  const auto listed = [](const Names& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  for (const auto& [name, ignored] : value.items()) {
    if (!listed(required, name) && !listed(optional, name)) {
      fail(path_, "unknown field \"" + name + "\"");
    }
  }
}

const json& Fields::operator[](std::string_view key) const {
  const auto found = value_.find(std::string(key));
  if (found == value_.end()) fail(path_, "missing field \"" + std::string(key) + "\"");
  return *found;
}

}  // namespace smtp::reports::detail
