#pragma once
// A run's id: eight hex digits, new for each run. The delivery ledger's
// tokens carry one (so that a straggler of an earlier run arriving at the
// sink is counted as unexpected, not as one of ours), and `load --metrics`
// labels its series with one unless --run-id names it.
#include <string>

namespace smtp::app {

std::string new_run_id();

}  // namespace smtp::app
