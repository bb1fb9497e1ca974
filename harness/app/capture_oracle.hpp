#pragma once
// The delivery oracle's capture server (README, "The delivery oracle"; check
// --oracle HOST:PORT): a fake-smtpd core in its default, RFC-correct profile,
// on its own thread, that keeps every message it receives in memory. The
// operator has the target relay mail for --domain to it; the checks find
// their messages by token (check/delivery_oracle.hpp).
#include <boost/asio/io_context.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "check/delivery_oracle.hpp"
#include "common/host_port.hpp"

namespace smtp::fake {
class FakeServer;
}

namespace smtp::app {

class CaptureOracle final : public check::DeliveryOracle {
 public:
  // Binds `listen` (port 0: any free port) and starts serving. Throws
  // std::runtime_error naming the address when it cannot bind.
  explicit CaptureOracle(const common::HostPort& listen);
  ~CaptureOracle() override;
  CaptureOracle(const CaptureOracle&) = delete;
  CaptureOracle& operator=(const CaptureOracle&) = delete;

  std::optional<std::string> find(std::string_view token) override;
  std::string where() const override { return where_; }
  std::size_t messages();  // received so far

 private:
  boost::asio::io_context io_{1};
  std::unique_ptr<fake::FakeServer> server_;
  std::string where_;
  std::thread thread_;
};

}  // namespace smtp::app
