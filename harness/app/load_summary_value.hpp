#pragma once
// The table a scenario's done(summary) receives (SCRIPTING.md "Load
// scenarios"): counts, rates, latency per phase in milliseconds, errors by
// kind, the scenario's own counters and the thresholds' verdicts.
#include "load/result.hpp"
#include "script/value.hpp"

namespace smtp::app {

script::Value summary_value(const load::RunResult& result);

}  // namespace smtp::app
