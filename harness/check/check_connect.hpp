#pragma once
// Opening a check's TCP connection: the target's addresses (resolved once
// per run) are tried in order until one accepts, all within one deadline, so
// that a target that drops SYNs costs a check the connect timeout and no more.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "net/transport.hpp"

namespace smtp::check {

struct ConnectAttempt {
  std::optional<net::Transport> transport;  // engaged when connected
  boost::system::error_code error;          // else why (timed_out at the deadline)
};

boost::asio::awaitable<ConnectAttempt> connect_to(
    const std::vector<boost::asio::ip::tcp::endpoint>& endpoints,
    std::chrono::steady_clock::time_point deadline);

}  // namespace smtp::check
