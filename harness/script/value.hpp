#pragma once
// Plain data that crosses between Lua states and C++ (a scenario's shared
// data from init(), the summary handed to done()): nil, booleans, numbers,
// strings, and tables with string or integer keys. No functions, userdata or
// cycles, so a value copies into another lua_State exactly. Standard library
// only; the Lua conversions are in lua_value.hpp.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace smtp::script {

class Value {
 public:
  using Table = std::map<std::string, Value>;  // string keys
  using List = std::vector<Value>;             // keys 1..n

  Value() = default;  // nil
  Value(bool b) : data_(b) {}
  Value(double d) : data_(d) {}
  Value(std::int64_t i) : data_(i) {}
  Value(std::string s) : data_(std::move(s)) {}
  Value(const char* s) : data_(std::string(s)) {}
  Value(Table t) : data_(std::make_shared<Table>(std::move(t))) {}
  Value(List l) : data_(std::make_shared<List>(std::move(l))) {}

  bool is_nil() const { return std::holds_alternative<std::monostate>(data_); }
  const bool* boolean() const { return std::get_if<bool>(&data_); }
  const double* number() const { return std::get_if<double>(&data_); }
  const std::int64_t* integer() const { return std::get_if<std::int64_t>(&data_); }
  const std::string* string() const { return std::get_if<std::string>(&data_); }
  const Table* table() const;
  const List* list() const;

 private:
  // Tables are shared, immutable once built: copying a Value is cheap.
  std::variant<std::monostate, bool, double, std::int64_t, std::string,
               std::shared_ptr<const Table>, std::shared_ptr<const List>>
      data_;
};

}  // namespace smtp::script
