#pragma once
// The parts of a load run's delivery section (a run with --sink; the
// schema's load.delivery), which load_section.cpp puts after the latency
// parts. Each takes the "delivery" object and returns markup.
#include <nlohmann/json.hpp>
#include <string>

namespace smtp::reports::html {

// Tables (delivery_tables.cpp): the sink and drain, the counts with their
// shares of the accepted pairs, the relay's behaviour, retries, header
// changes and samples.
std::string delivery_block(const nlohmann::json& delivery);

// Charts (delivery_charts.cpp): the delivery latency distributions from
// acceptance and from the intended start, and delivered beside accepted per
// second with the backlog.
std::string delivery_latency_figures(const nlohmann::json& delivery);
std::string delivery_over_time_figure(const nlohmann::json& delivery);

}  // namespace smtp::reports::html
