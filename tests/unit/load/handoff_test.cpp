#include "load/handoff.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <vector>

#include "load/connect_pacer.hpp"

namespace smtp::load::handoff_test {
namespace {

namespace asio = boost::asio;

asio::awaitable<void> take(Handoff<int>& handoff, std::vector<int>& got) {
  auto value = co_await handoff.wait();
  got.push_back(value ? *value : -1);
}

TEST(Handoff, WaitersAreServedFirstComeFirstServed) {
  asio::io_context io;
  Handoff<int> handoff;
  std::vector<int> got;
  for (int i = 0; i < 3; ++i) asio::co_spawn(io, take(handoff, got), asio::detached);
  io.poll();
  EXPECT_EQ(handoff.waiting(), 3u);
  int a = 10, b = 20;
  EXPECT_TRUE(handoff.give(a));
  EXPECT_TRUE(handoff.give(b));
  io.poll();
  EXPECT_EQ(got, (std::vector<int>{10, 20}));
  handoff.close();
  io.poll();
  EXPECT_EQ(got, (std::vector<int>{10, 20, -1}));
}

TEST(Handoff, GiveWithoutWaiterKeepsTheValue) {
  Handoff<int> handoff;
  int value = 5;
  EXPECT_FALSE(handoff.give(value));
  EXPECT_EQ(value, 5);
}

TEST(Handoff, WaitAfterCloseReturnsAtOnce) {
  asio::io_context io;
  Handoff<int> handoff;
  handoff.close();
  std::vector<int> got;
  asio::co_spawn(io, take(handoff, got), asio::detached);
  io.poll();
  EXPECT_EQ(got, (std::vector<int>{-1}));
}

asio::awaitable<void> connect_once(ConnectPacer& pacer, int& inside, int& most, bool& granted,
                                   Handoff<int>& gate) {
  granted = co_await pacer.acquire();
  if (!granted) co_return;
  ++inside;
  most = std::max(most, inside);
  co_await gate.wait();  // "connecting" until the test lets it finish
  --inside;
  pacer.release();
}

TEST(ConnectPacer, NeverLetsMoreThanItsSlotsThrough) {
  asio::io_context io;
  ConnectPacer pacer(2);
  Handoff<int> gate;
  int inside = 0, most = 0;
  bool granted[5] = {};
  for (auto& g : granted)
    asio::co_spawn(io, connect_once(pacer, inside, most, g, gate), asio::detached);
  io.poll();
  EXPECT_EQ(inside, 2);
  // Let the connections finish one by one (bounded: five of them).
  for (int i = 0; i < 5; ++i) {
    int token = 0;
    gate.give(token);
    io.poll();
  }
  EXPECT_EQ(inside, 0);
  EXPECT_EQ(most, 2);
  for (bool g : granted) EXPECT_TRUE(g);
}

TEST(ConnectPacer, CloseRefusesWaiters) {
  asio::io_context io;
  ConnectPacer pacer(1);
  Handoff<int> gate;
  int inside = 0, most = 0;
  bool first = false, second = true;
  asio::co_spawn(io, connect_once(pacer, inside, most, first, gate), asio::detached);
  asio::co_spawn(io, connect_once(pacer, inside, most, second, gate), asio::detached);
  io.poll();
  pacer.close();
  io.poll();
  EXPECT_TRUE(first);
  EXPECT_FALSE(second);
  gate.close();
  io.poll();
}

}  // namespace
}  // namespace smtp::load::handoff_test
