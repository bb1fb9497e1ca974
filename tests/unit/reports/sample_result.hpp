#pragma once
// A realistic load result for the reports tests: an open-model STARTTLS run
// of two workers with 2xx, 4xx and 5xx replies (with and without enhanced
// codes), errors of several kinds, custom counters, a per-second series,
// thresholds and a generator that was the bottleneck. Deterministic.
#include "load/result.hpp"

namespace smtp::reports::testing {

load::RunResult sample_result();

}  // namespace smtp::reports::testing
