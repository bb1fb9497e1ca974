#include "script/value.hpp"

namespace smtp::script {

const Value::Table* Value::table() const {
  const auto* table = std::get_if<std::shared_ptr<const Table>>(&data_);
  return table != nullptr ? table->get() : nullptr;
}

const Value::List* Value::list() const {
  const auto* list = std::get_if<std::shared_ptr<const List>>(&data_);
  return list != nullptr ? list->get() : nullptr;
}

}  // namespace smtp::script
