#pragma once
// GET /metrics on the API port (README, "Prometheus metrics"): the server's
// counters, gauges and session-duration histogram in the Prometheus text
// format 0.0.4, read on the server's thread like /api/stats.
#include <string>

#include "fake-server/fake_server.hpp"

namespace smtp::fake {

std::string metrics_text(FakeServer& server);

}  // namespace smtp::fake
