#pragma once
// A small reader of the Prometheus text format 0.0.4, strict where the
// format is strict, for tests: it parses a /metrics document back into
// samples and says why it is not valid (names, label escapes, HELP/TYPE
// before a family's samples, each series once, numbers, and a classic
// histogram's buckets: increasing `le`, cumulative counts, +Inf equal to
// _count, _sum present).
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace smtp::test {

struct ParsedSample {
  std::string name;
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};

struct ParsedMetrics {
  std::map<std::string, std::string> types;  // family → counter | gauge | histogram
  std::vector<ParsedSample> samples;
  std::string error;  // empty when valid

  // The one sample with this name whose labels include `subset`.
  std::optional<double> value(const std::string& name,
                              const std::map<std::string, std::string>& subset = {}) const {
    std::optional<double> found;
    for (const auto& s : samples) {
      if (s.name != name) continue;
      bool match = true;
      for (const auto& [k, v] : subset) {
        auto it = s.labels.find(k);
        match = match && it != s.labels.end() && it->second == v;
      }
      if (match) {
        if (found) return std::nullopt;  // ambiguous
        found = s.value;
      }
    }
    return found;
  }
};

namespace prometheus_parse_detail {

inline bool name_char(char c, bool first, bool colon) {
  const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  return letter || (colon && c == ':') || (!first && c >= '0' && c <= '9');
}

inline bool valid_name(std::string_view s, bool colon) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i)
    if (!name_char(s[i], i == 0, colon)) return false;
  return true;
}

inline std::optional<double> number(const std::string& s) {
  if (s == "+Inf") return std::numeric_limits<double>::infinity();
  if (s == "-Inf") return -std::numeric_limits<double>::infinity();
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

// The family a sample belongs to: the name itself, or for a histogram's
// _bucket, _sum and _count the name without the suffix.
inline std::string family_of(const std::string& name,
                             const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string_view sv(suffix);
    if (name.size() > sv.size() && name.ends_with(sv)) {
      const auto base = name.substr(0, name.size() - sv.size());
      auto it = types.find(base);
      if (it != types.end() && it->second == "histogram") return base;
    }
  }
  return name;
}

}  // namespace prometheus_parse_detail

inline ParsedMetrics parse_prometheus(std::string_view text) {
  using namespace prometheus_parse_detail;
  ParsedMetrics out;
  std::set<std::string> series;
  std::set<std::string> helped;
  std::string current;  // the family whose samples may follow
  std::size_t line_no = 0;
  auto fail = [&](const std::string& why) {
    out.error = "line " + std::to_string(line_no) + ": " + why;
    return out;
  };
  if (!text.empty() && !text.ends_with('\n')) {
    line_no = 0;
    return fail("the document does not end with a newline");
  }
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    const std::string line(text.substr(0, nl));
    text.remove_prefix(nl + 1);
    if (line.empty()) continue;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      const auto rest = line.substr(7);
      const auto sp = rest.find(' ');
      const auto name = rest.substr(0, sp);
      if (!valid_name(name, true)) return fail("bad metric name in comment: " + name);
      const auto tail = sp == std::string::npos ? std::string() : rest.substr(sp + 1);
      if (line[2] == 'T') {
        if (out.types.count(name)) return fail("second TYPE for " + name);
        if (tail != "counter" && tail != "gauge" && tail != "histogram" && tail != "summary" &&
            tail != "untyped")
          return fail("bad type " + tail);
        out.types[name] = tail;
      } else {
        if (!helped.insert(name).second) return fail("second HELP for " + name);
        for (std::size_t i = 0; i < tail.size(); ++i)
          if (tail[i] == '\\' &&
              (i + 1 == tail.size() || (tail[i + 1] != '\\' && tail[i + 1] != 'n')))
            return fail("bad escape in HELP");
          else if (tail[i] == '\\')
            ++i;
      }
      current = name;
      continue;
    }
    if (line[0] == '#') continue;
    ParsedSample sample;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    sample.name = line.substr(0, i);
    if (!valid_name(sample.name, true)) return fail("bad metric name: " + sample.name);
    std::string key = sample.name + "{";
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        const auto eq = line.find('=', i);
        if (eq == std::string::npos) return fail("label without =");
        const auto lname = line.substr(i, eq - i);
        if (!valid_name(lname, false)) return fail("bad label name: " + lname);
        if (eq + 1 >= line.size() || line[eq + 1] != '"') return fail("label value not quoted");
        std::string value;
        std::size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] != '\\') {
            value += line[j];
            continue;
          }
          if (++j >= line.size()) return fail("escape at end of line");
          if (line[j] == 'n') {
            value += '\n';
          } else if (line[j] == '\\' || line[j] == '"') {
            value += line[j];
          } else {
            return fail("bad escape in label value");
          }
        }
        if (j >= line.size()) return fail("unterminated label value");
        if (sample.labels.count(lname)) return fail("label twice: " + lname);
        sample.labels[lname] = value;
        key += lname + "=" + value + ",";
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) return fail("unterminated label set");
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') return fail("no space before the value");
    const auto value_text = line.substr(i + 1);
    const auto v = number(value_text.substr(0, value_text.find(' ')));
    if (!v) return fail("bad value: " + value_text);
    sample.value = *v;
    const auto family = family_of(sample.name, out.types);
    if (family != current || !out.types.count(family))
      return fail(sample.name + " outside its family's HELP/TYPE block");
    if (!series.insert(key).second) return fail("series twice: " + key);
    out.samples.push_back(std::move(sample));
  }
  // Histograms: per label set (without le), increasing le, cumulative
  // counts, +Inf == _count, and a _sum.
  for (const auto& [family, type] : out.types) {
    if (type != "histogram") continue;
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    std::set<std::map<std::string, std::string>> sums;
    for (const auto& s : out.samples) {
      if (s.name == family + "_bucket") {
        auto labels = s.labels;
        auto le = labels.find("le");
        if (le == labels.end()) return out.error = family + "_bucket without le", out;
        auto bound = number(le->second);
        if (!bound) return out.error = family + ": bad le " + le->second, out;
        labels.erase(le);
        buckets[labels].push_back({*bound, s.value});
      } else if (s.name == family + "_count") {
        counts[s.labels] = s.value;
      } else if (s.name == family + "_sum") {
        sums.insert(s.labels);
      }
    }
    for (const auto& [labels, list] : buckets) {
      for (std::size_t k = 1; k < list.size(); ++k) {
        if (!(list[k].first > list[k - 1].first))
          return out.error = family + ": le not increasing", out;
        if (list[k].second < list[k - 1].second)
          return out.error = family + ": not cumulative", out;
      }
      if (list.empty() || list.back().first != std::numeric_limits<double>::infinity())
        return out.error = family + ": no +Inf bucket", out;
      if (!counts.count(labels) || counts[labels] != list.back().second)
        return out.error = family + ": +Inf differs from _count", out;
      if (!sums.count(labels)) return out.error = family + ": no _sum", out;
    }
  }
  return out;
}

}  // namespace smtp::test
