#include "fake-server/descriptor_budget.hpp"

#include <sys/resource.h>

namespace smtp::fake {

std::uint64_t raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;  // never; the usual soft default
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : limit.rlim_cur;
}

std::size_t sessions_for_descriptors(std::uint64_t open_file_limit) {
  if (open_file_limit <= kReservedDescriptors + 1) return 1;
  return static_cast<std::size_t>(open_file_limit - kReservedDescriptors);
}

}  // namespace smtp::fake
