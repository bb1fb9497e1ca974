#pragma once
// One transaction as the server accepted it: envelope, parameters, and the
// message content (unstuffed, as it would be delivered).
#include <cstdint>
#include <string>
#include <vector>

#include "proto/command.hpp"
#include "proto/path.hpp"

namespace smtp::proto {

enum class BodyType { unspecified, seven_bit, eight_bit_mime, binary_mime };

struct Recipient {
  Path path;
  std::vector<EsmtpParam> params;  // NOTIFY, ORCPT, ...
};

struct Envelope {
  Path reverse_path;
  std::vector<EsmtpParam> mail_params;
  std::vector<Recipient> recipients;
  BodyType body = BodyType::unspecified;
  bool smtputf8 = false;
  std::uint64_t declared_size = 0;  // SIZE=, 0 when not given
};

struct Message {
  Envelope envelope;
  std::string content;     // as received, without the Received: line the server adds;
                           // empty when the server keeps no content (--store none)
  std::uint64_t size = 0;  // octets received (unstuffed), kept or not
  bool via_bdat = false;   // RFC 3030 CHUNKING instead of DATA
};

}  // namespace smtp::proto
