#pragma once
// What a reply answered, as /metrics labels it (README, "Prometheus
// metrics"): the verbs the server knows, upper case; "connect" for the
// greeting (or the 421 in its place); "end_of_data" for the reply after a
// DATA body; "other" for everything else (unknown verbs, over-long lines,
// binary input, the idle timeout's 421). A client chooses the verb it
// sends, so the label set is fixed: the series stay bounded.
#include <string_view>

namespace smtp::fake {

inline constexpr std::string_view kConnectLabel = "connect";
inline constexpr std::string_view kEndOfDataLabel = "end_of_data";
inline constexpr std::string_view kOtherLabel = "other";

// The first word of a command line → its label (a static string).
std::string_view reply_label(std::string_view command_line);

// Calls `found(code)` once per complete reply in `output`: the code of each
// reply's last line ("ddd " or "ddd" CRLF).
template <typename Found>
void for_each_reply_code(std::string_view output, Found&& found) {
  std::size_t at = 0;
  while (at + 3 <= output.size()) {
    const auto end = output.find("\r\n", at);
    if (end == std::string_view::npos) break;
    const bool last_line = end - at == 3 || output[at + 3] == ' ';
    bool digits = true;
    for (std::size_t i = at; i < at + 3; ++i) {
      digits = digits && output[i] >= '0' && output[i] <= '9';
    }
    if (last_line && digits) {
      int code = 0;
      for (std::size_t i = at; i < at + 3; ++i) code = code * 10 + (output[i] - '0');
      found(code);
    }
    at = end + 2;
  }
}

}  // namespace smtp::fake
