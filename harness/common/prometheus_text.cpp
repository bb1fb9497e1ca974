#include "common/prometheus_text.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace smtp::common {

namespace {

// The format's escapes: backslash and newline always, the double quote only
// inside a label value (HELP text keeps it).
std::string escaped(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  return escaped(value, true);
}

std::string escape_help_text(std::string_view text) {
  return escaped(text, false);
}

std::string metric_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::array<char, 32> buffer{};
  // The shortest digits in %g's style, as Go (Prometheus) writes them:
  // le="0.0005", not "5e-04", so that a query can name a bucket.
  const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value,
                                       std::chars_format::general);
  return ec == std::errc{} ? std::string(buffer.data(), end) : std::string("NaN");
}

PrometheusText::PrometheusText(MetricLabels constant) : constant_(std::move(constant)) {}

void PrometheusText::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += escape_help_text(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void PrometheusText::labels(const MetricLabels& own,
                            const std::pair<std::string, std::string>* extra) {
  if (constant_.empty() && own.empty() && extra == nullptr) return;
  out_ += '{';
  bool first = true;
  auto add = [&](const std::pair<std::string, std::string>& label) {
    if (!first) out_ += ',';
    first = false;
    out_ += label.first;
    out_ += "=\"";
    out_ += escape_label_value(label.second);
    out_ += '"';
  };
  for (const auto& label : constant_) add(label);
  for (const auto& label : own) add(label);
  if (extra != nullptr) add(*extra);
  out_ += '}';
}

void PrometheusText::line(std::string_view name, const MetricLabels& own,
                          const std::pair<std::string, std::string>* extra,
                          std::string_view value) {
  out_ += name;
  labels(own, extra);
  out_ += ' ';
  out_ += value;
  out_ += '\n';
}

void PrometheusText::sample(std::string_view name, const MetricLabels& own, double value) {
  line(name, own, nullptr, metric_number(value));
}

void PrometheusText::sample(std::string_view name, const MetricLabels& own, std::uint64_t value) {
  line(name, own, nullptr, std::to_string(value));
}

void PrometheusText::histogram(std::string_view name, const MetricLabels& own,
                               std::span<const double> bounds,
                               std::span<const std::uint64_t> cumulative, std::uint64_t count,
                               double sum) {
  const std::string base(name);
  const std::string bucket = base + "_bucket";
  for (std::size_t i = 0; i < bounds.size() && i < cumulative.size(); ++i) {
    const std::pair<std::string, std::string> le{"le", metric_number(bounds[i])};
    line(bucket, own, &le, std::to_string(cumulative[i]));
  }
  const std::pair<std::string, std::string> inf{"le", "+Inf"};
  line(bucket, own, &inf, std::to_string(count));
  line(base + "_sum", own, nullptr, metric_number(sum));
  line(base + "_count", own, nullptr, std::to_string(count));
}

}  // namespace smtp::common
