#pragma once
// The MAIL and RCPT lines of the client dialogue's transactions, encoded once
// and remembered. A load run sends the same sender, and often the same
// recipients, message after message; encoding a line (parse the address,
// build the line, parse it back in strict mode, see command_encoder.hpp) costs
// more than everything else in starting a transaction. The lines remembered
// are exactly what the encoder returned for the same input, so remembering
// changes nothing that is sent.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smtp::proto {

class ClientEnvelope {
 public:
  // "MAIL FROM:<from>[ SIZE=n]" CRLF, or nullopt with the reason in *error
  // ("sender: ..." for the address, "MAIL: ..." for the line).
  std::optional<std::string> mail(std::string_view from, std::optional<std::size_t> size,
                                  std::string* error);
  // "RCPT TO:<to>" CRLF for the index-th recipient, or nullopt with the reason
  // in *error ("recipient TO: ..." or "RCPT: ..."). Remembered by position:
  // a run's messages tend to list the same recipients in the same order.
  std::optional<std::string> rcpt(std::size_t index, std::string_view to, std::string* error);

 private:
  struct Remembered {
    std::string address;
    std::optional<std::size_t> size;  // MAIL's SIZE= value
    std::string line;
  };
  std::optional<Remembered> mail_;
  std::vector<std::optional<Remembered>> rcpt_;
};

}  // namespace smtp::proto
