#include "app/run_id.hpp"

#include <cstdio>
#include <random>

namespace smtp::app {

std::string new_run_id() {
  std::random_device random;
  char text[9];
  std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(random()));
  return text;
}

}  // namespace smtp::app
