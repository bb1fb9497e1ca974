#include "common/version.hpp"

namespace smtp::common {

std::string_view harness_version() {
  return SMTP_HARNESS_VERSION;  // a compile definition of smtp_common, from PROJECT_VERSION
}

}  // namespace smtp::common
