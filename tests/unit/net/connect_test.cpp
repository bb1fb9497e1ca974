// net::connect_until: the first address that accepts, in order; the last
// error when none does; timed_out at the deadline.
#include "net/connect.hpp"

#include <gtest/gtest.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <vector>

#include "loopback.hpp"

namespace smtp::net::connect_test {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using namespace std::chrono_literals;

const asio::ip::address kLoopback = asio::ip::make_address("127.0.0.1");

// A port nothing listens on: bound by an acceptor that is then closed.
tcp::endpoint closed_port(asio::io_context& io) {
  tcp::acceptor probe(io, tcp::endpoint(kLoopback, 0));
  const tcp::endpoint at = probe.local_endpoint();
  probe.close();
  return at;
}

struct Attempt {
  error_code result = asio::error::would_block;  // not yet run
  tcp::endpoint peer;
};

Attempt connect(asio::io_context& io, const std::vector<tcp::endpoint>& endpoints,
                std::chrono::steady_clock::duration within) {
  Attempt attempt;
  tcp::socket socket(io);
  auto task = [&]() -> asio::awaitable<void> {
    attempt.result =
        co_await connect_until(socket, endpoints, std::chrono::steady_clock::now() + within);
    error_code ignored;
    if (!attempt.result) attempt.peer = socket.remote_endpoint(ignored);
  };
  EXPECT_TRUE(test::run_all(io, task()));
  return attempt;
}

TEST(ConnectUntil, TakesTheFirstAddressThatAccepts) {
  asio::io_context io;
  tcp::acceptor listener(io, tcp::endpoint(kLoopback, 0));
  const Attempt attempt = connect(io, {closed_port(io), listener.local_endpoint()}, 10s);
  EXPECT_FALSE(attempt.result) << attempt.result.message();
  EXPECT_EQ(attempt.peer, listener.local_endpoint());
}

TEST(ConnectUntil, RefusedEverywhereIsTheLastError) {
  asio::io_context io;
  const Attempt attempt = connect(io, {closed_port(io)}, 10s);
  EXPECT_EQ(attempt.result, asio::error::connection_refused) << attempt.result.message();
}

// A listener whose accept queue is full drops further SYNs (Linux), as a
// filtering firewall does: the attempt ends at the deadline, not at the
// kernel's SYN retries.
TEST(ConnectUntil, DroppedSynsEndAtTheDeadline) {
  asio::io_context io;
  tcp::acceptor listener(io);
  listener.open(tcp::v4());
  listener.bind(tcp::endpoint(kLoopback, 0));
  listener.listen(0);  // room for one connection, never accepted
  tcp::socket first(io);
  first.connect(listener.local_endpoint());
  const auto started = std::chrono::steady_clock::now();
  const Attempt attempt = connect(io, {listener.local_endpoint()}, 200ms);
  EXPECT_EQ(attempt.result, asio::error::timed_out) << attempt.result.message();
  EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
}

}  // namespace
}  // namespace smtp::net::connect_test
