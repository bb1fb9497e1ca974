#pragma once
// Test helpers for harness/net: real TCP connections on 127.0.0.1 (port 0,
// the kernel picks), one io_context, and a hard time limit on every run so
// that a hanging test fails instead of blocking CI. No sleeps anywhere.
#include <gtest/gtest.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "net/transport.hpp"

namespace smtp::net::test {

namespace asio = boost::asio;
using boost::system::error_code;

// How long one run_all may take before the test fails as hung. Generous:
// sanitizer builds on a loaded machine are slow, and a passing run takes
// milliseconds.
inline constexpr std::chrono::seconds kRunLimit{20};

struct SocketPair {
  asio::ip::tcp::socket server;
  asio::ip::tcp::socket client;
};

// Two connected sockets: a listener on 127.0.0.1:0 accepts the client's
// connection (the handshake completes in the kernel's backlog, so the
// synchronous connect and accept return at once).
SocketPair connected_sockets(asio::io_context& io);

struct TransportPair {
  Transport server;
  Transport client;
};

TransportPair connected_transports(asio::io_context& io);

// Runs the coroutines concurrently on `io` until all have returned. Fails if
// one threw or if any is still running after `limit`.
::testing::AssertionResult run_tasks(asio::io_context& io, std::vector<asio::awaitable<void>> tasks,
                                     std::chrono::steady_clock::duration limit = kRunLimit);

template <typename... Tasks>
::testing::AssertionResult run_all(asio::io_context& io, Tasks&&... tasks) {
  std::vector<asio::awaitable<void>> list;
  (list.push_back(std::forward<Tasks>(tasks)), ...);
  return run_tasks(io, std::move(list));
}

// Reads until `count` bytes arrived or an error; returns what arrived.
asio::awaitable<std::string> read_exactly(Transport& t, std::size_t count, error_code& ec);

// Reads until an error (normally the peer's close); returns what arrived.
asio::awaitable<std::string> read_until_error(Transport& t, error_code& ec);

}  // namespace smtp::net::test
