#pragma once
// Opening a TCP connection within a deadline, for every client of the
// project (the load sessions, the compliance checks): the addresses are tried
// in order until one accepts, and the whole attempt ends at the deadline, so
// that a target that drops SYNs costs the connect timeout and no more.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <span>

namespace smtp::net {

// Connects `socket` (not yet open) to the first of `endpoints` that accepts.
// The result is the last address's error when none did, and
// asio::error::timed_out when `deadline` came first (the attempt is then
// cancelled). Closing `socket` meanwhile aborts the attempt with an error.
boost::asio::awaitable<boost::system::error_code> connect_until(
    boost::asio::ip::tcp::socket& socket, std::span<const boost::asio::ip::tcp::endpoint> endpoints,
    std::chrono::steady_clock::time_point deadline);

}  // namespace smtp::net
