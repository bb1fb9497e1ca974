#pragma once
// The parts of a load run's section (load_section.cpp puts them in order).
// Each takes the document's "load" object and returns markup.
#include <nlohmann/json.hpp>
#include <string>

namespace smtp::reports::html {

// Charts (load_charts.cpp).
std::string throughput_figure(const nlohmann::json& load);
std::string latency_over_time_figure(const nlohmann::json& load);
std::string percentiles_figure(const nlohmann::json& load);
std::string distribution_figure(const nlohmann::json& load);

// Tables (load_tables.cpp).
std::string percentiles_table(const nlohmann::json& load);
std::string replies_table(const nlohmann::json& load);
std::string errors_block(const nlohmann::json& load);
std::string thresholds_table(const nlohmann::json& load);
std::string counters_table(const nlohmann::json& load);
std::string generator_block(const nlohmann::json& load);
std::string series_table(const nlohmann::json& load);

// The generator-bound warning, empty when the generator was not the limit.
std::string generator_alert(const nlohmann::json& load);

}  // namespace smtp::reports::html
