#pragma once
// A realistic load result for the reports tests: an open-model STARTTLS run
// of two workers with 2xx, 4xx and 5xx replies (with and without enhanced
// codes), errors of several kinds, custom counters, a per-second series,
// thresholds and a generator that was the bottleneck. Deterministic.
#include "load/result.hpp"

namespace smtp::reports::testing {

load::RunResult sample_result();

// What a sink saw of the sample run's relay (--sink): 590 messages accepted
// with 3 recipients each, most delivered (some late, some after a retry),
// and some of each kind of trouble; a relay with two EHLO names, PIPELINING,
// STARTTLS on most connections and a few messages over BDAT; a series that
// runs 2 seconds past the load into the drain. Deterministic.
load::DeliveryResult sample_delivery();

// sample_result() with sample_delivery() and thresholds on it, as a run
// with --sink writes it.
load::RunResult sample_sink_result();

}  // namespace smtp::reports::testing
