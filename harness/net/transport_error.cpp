#include "net/transport_error.hpp"

#include <string>

namespace smtp::net {
namespace {

class TransportCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "smtp.net.transport"; }

  std::string message(int value) const override {
    switch (static_cast<TransportError>(value)) {
      case TransportError::tls_active:
        return "TLS is already active on this connection";
      case TransportError::tls_failed:
        return "the TLS handshake failed or has not completed; the connection is unusable";
      case TransportError::no_host_to_verify:
        return "certificate verification needs a host name";
    }
    return "unknown transport error " + std::to_string(value);
  }
};

}  // namespace

const boost::system::error_category& transport_category() noexcept {
  static const TransportCategory category;
  return category;
}

}  // namespace smtp::net
