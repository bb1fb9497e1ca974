#include "load/delivery_ledger.hpp"

#include <gtest/gtest.h>

#include "load/delivery_token.hpp"

namespace smtp::load {
namespace {

using Clock = DeliveryLedger::Clock;
using namespace std::chrono_literals;

constexpr std::string_view kRun = "0a1b2c3d";

std::string message(std::uint64_t seq, std::string_view body = "hello\r\n") {
  std::string content = "From: <load@h.test>\r\nTo: a@x.test\r\nSubject: s\r\n\r\n";
  content += body;
  stamp_message(content, delivery_token(kRun, seq));
  return content;
}

std::string sender(std::uint64_t seq) {
  return verp_sender("load@h.test", delivery_token(kRun, seq));
}

class Ledger : public ::testing::Test {
 protected:
  Clock::time_point t0 = Clock::now();
  DeliveryLedger ledger{std::string(kRun), t0};

  void submit(std::uint64_t seq, std::vector<std::string> to, Clock::time_point at,
              std::string_view body = "hello\r\n") {
    ledger.submitted(seq, to, ledger.fingerprint(message(seq, body)), at - 5ms, at);
  }
};

TEST_F(Ledger, DeliveredPairsAndTheirLatency) {
  submit(1, {"a@x.test", "b@x.test"}, t0);
  EXPECT_EQ(ledger.outstanding(), 2u);
  ledger.arrived(sender(1), {"a@X.TEST"}, message(1), t0 + 200ms);  // domain case ignored
  EXPECT_EQ(ledger.outstanding(), 1u);
  ledger.arrived(sender(1), {"b@x.test"}, message(1), t0 + 300ms);
  const auto r = ledger.result();
  EXPECT_EQ(r.counts.accepted_messages, 1u);
  EXPECT_EQ(r.counts.accepted, 2u);
  EXPECT_EQ(r.counts.delivered, 2u);
  EXPECT_EQ(r.counts.lost, 0u);
  EXPECT_EQ(r.counts.duplicated + r.counts.corrupted + r.counts.unexpected, 0u);
  ASSERT_EQ(r.latency.count(), 2u);
  EXPECT_NEAR(static_cast<double>(r.latency.min()), 200e6, 200e6 * 0.005);
  EXPECT_NEAR(static_cast<double>(r.latency_from_start.min()), 205e6, 205e6 * 0.005);
  EXPECT_EQ(r.attempts.at(1), 2u);  // no RCPT seen: counted as one attempt
}

TEST_F(Ledger, ArrivalBeforeTheClientReadsThe250IsMatchedLater) {
  ledger.arrived(sender(7), {"a@x.test"}, message(7), t0 + 1ms);
  EXPECT_EQ(ledger.result().counts.unexpected, 1u);  // if the 250 never came
  submit(7, {"a@x.test"}, t0 + 2ms);
  const auto r = ledger.result();
  EXPECT_EQ(r.counts.delivered, 1u);
  EXPECT_EQ(r.counts.unexpected, 0u);
  EXPECT_EQ(r.latency.max(), 0u);  // never negative
}

TEST_F(Ledger, LostDuplicatedCorruptedUnexpected) {
  submit(1, {"a@x.test"}, t0);
  submit(2, {"a@x.test", "b@x.test"}, t0);
  submit(3, {"a@x.test"}, t0);
  ledger.arrived(sender(1), {"a@x.test"}, message(1), t0 + 1ms);
  ledger.arrived(sender(1), {"a@x.test"}, message(1), t0 + 2ms);  // after completion
  ledger.arrived(sender(2), {"a@x.test"}, message(2), t0 + 1ms);
  ledger.arrived(sender(2), {"a@x.test"}, message(2), t0 + 2ms);  // pair already there
  ledger.arrived(sender(3), {"a@x.test", "z@x.test"}, message(3, "changed\r\n"), t0 + 1ms);
  ledger.arrived("other@x.test", {"a@x.test"}, "Subject: x\r\n\r\nx\r\n", t0 + 1ms);
  const auto r = ledger.result();
  EXPECT_EQ(r.counts.accepted, 4u);
  EXPECT_EQ(r.counts.delivered, 3u);
  EXPECT_EQ(r.counts.lost, 1u);  // 2 for b@x.test
  EXPECT_EQ(r.counts.duplicated, 2u);
  EXPECT_EQ(r.counts.corrupted, 1u);
  EXPECT_EQ(r.counts.unexpected, 2u);  // z@x.test of 3, and the stranger
  bool lost_named = false;
  for (const auto& s : r.samples) lost_named = lost_named || s == "lost: 0a1b2c3d.2 for b@x.test";
  EXPECT_TRUE(lost_named);
}

TEST_F(Ledger, TheHeaderTokenMatchesWhenTheSenderWasRewritten) {
  submit(4, {"a@x.test"}, t0);
  ledger.arrived("rewritten@relay.test", {"a@x.test"}, message(4), t0 + 1ms);
  EXPECT_EQ(ledger.result().counts.delivered, 1u);
}

TEST_F(Ledger, HeaderChangesAreListedAndAddedTraceIsNoChange) {
  submit(1, {"a@x.test"}, t0);
  submit(2, {"a@x.test"}, t0);
  ledger.arrived(sender(1), {"a@x.test"}, "Received: from relay\r\n" + message(1), t0 + 1ms);
  auto changed = message(2);
  changed.replace(changed.find("Subject: s"), 10, "Subject: t");
  ledger.arrived(sender(2), {"a@x.test"}, changed, t0 + 1ms);
  const auto r = ledger.result();
  EXPECT_EQ(r.counts.delivered, 2u);
  EXPECT_EQ(r.counts.corrupted, 0u);
  EXPECT_EQ(r.counts.header_changed, 1u);
  EXPECT_EQ(r.header_changes.at("added Received"), 1u);
  EXPECT_EQ(r.header_changes.at("changed Subject"), 1u);
}

TEST_F(Ledger, BouncesNameTheirRecipientsAndAreNotLost) {
  submit(1, {"a@x.test", "b@x.test"}, t0);
  const std::string dsn =
      "Content-Type: multipart/report; report-type=delivery-status\r\n\r\n"
      "Reporting-MTA: dns; relay.test\r\n\r\n"
      "Final-Recipient: rfc822; b@x.test\r\nAction: failed\r\nStatus: 5.0.0\r\n";
  ledger.arrived("", {sender(1)}, dsn, t0 + 1ms);
  auto r = ledger.result();
  EXPECT_EQ(r.counts.bounced, 1u);
  EXPECT_EQ(r.counts.lost, 1u);  // a@x.test
  EXPECT_EQ(r.counts.unexpected, 0u);

  submit(2, {"a@x.test"}, t0);
  ledger.arrived("", {sender(2)}, "Subject: undeliverable\r\n\r\nsorry\r\n", t0 + 1ms);
  r = ledger.result();
  EXPECT_EQ(r.counts.bounced, 2u);  // names nobody: the whole message
}

TEST_F(Ledger, DelayedNotificationIsNoBounce) {
  submit(1, {"a@x.test"}, t0);
  ledger.arrived("", {sender(1)}, "\r\nFinal-Recipient: rfc822;a@x.test\r\nAction: delayed\r\n",
                 t0 + 1ms);
  const auto r = ledger.result();
  EXPECT_EQ(r.counts.bounced, 0u);
  EXPECT_EQ(r.counts.lost, 1u);
}

TEST_F(Ledger, RetriesAreCountedFromTheSinksRcpts) {
  ledger.rcpt_attempt(sender(1), "a@x.test", t0 + 1ms);
  submit(1, {"a@x.test"}, t0 + 2ms);
  ledger.rcpt_attempt(sender(1), "a@x.test", t0 + 1001ms);
  ledger.arrived(sender(1), {"a@x.test"}, message(1), t0 + 1002ms);
  ledger.rcpt_attempt("", "a@x.test", t0);  // not ours: ignored
  const auto r = ledger.result();
  EXPECT_EQ(r.counts.retried, 1u);
  EXPECT_EQ(r.attempts.at(2), 1u);
  ASSERT_EQ(r.retry_delay.count(), 1u);
  EXPECT_NEAR(static_cast<double>(r.retry_delay.max()), 1e9, 1e9 * 0.005);
}

// A relay that bounces at once: the notification reaches the sink before the
// client has read the relay's 250, and still counts when it does.
TEST_F(Ledger, NotificationBeforeThe250IsAppliedLater) {
  ledger.arrived("", {sender(5)}, "\r\nFinal-Recipient: rfc822;a@x.test\r\nAction: failed\r\n",
                 t0 + 1ms);
  submit(5, {"a@x.test", "b@x.test"}, t0 + 2ms);
  const auto r = ledger.result();
  EXPECT_EQ(r.counts.bounced, 1u);
  EXPECT_EQ(r.counts.lost, 1u);  // b@x.test: named by nobody
}

// Two copies before the 250 (a relay that delivers twice at once): the
// second copy's RCPT is a duplicate's, not a retry.
TEST_F(Ledger, DuplicatesRcptIsNoRetry) {
  ledger.rcpt_attempt(sender(6), "a@x.test", t0 + 1ms);
  ledger.arrived(sender(6), {"a@x.test"}, message(6), t0 + 2ms);
  ledger.rcpt_attempt(sender(6), "a@x.test", t0 + 3ms);
  ledger.arrived(sender(6), {"a@x.test"}, message(6), t0 + 4ms);
  submit(6, {"a@x.test"}, t0 + 5ms);
  const auto r = ledger.result();
  EXPECT_EQ(r.counts.delivered, 1u);
  EXPECT_EQ(r.counts.duplicated, 1u);
  EXPECT_EQ(r.counts.retried, 0u);
  EXPECT_EQ(r.attempts.at(1), 1u);
  EXPECT_EQ(r.retry_delay.count(), 0u);
}

// RCPT accepted, the end of data deferred, the transaction tried again: a
// retry, though both RCPTs were answered 250.
TEST_F(Ledger, DeferralAfterTheRcptIsARetry) {
  submit(8, {"a@x.test"}, t0);
  ledger.rcpt_attempt(sender(8), "a@x.test", t0 + 1ms);
  ledger.rcpt_attempt(sender(8), "a@x.test", t0 + 501ms);
  ledger.arrived(sender(8), {"a@x.test"}, message(8), t0 + 502ms);
  const auto r = ledger.result();
  EXPECT_EQ(r.counts.retried, 1u);
  EXPECT_EQ(r.attempts.at(2), 1u);
}

TEST_F(Ledger, SeriesShowsTheBacklog) {
  submit(1, {"a@x.test"}, t0 + 100ms);
  submit(2, {"a@x.test"}, t0 + 1100ms);
  ledger.arrived(sender(1), {"a@x.test"}, message(1), t0 + 2100ms);
  const auto r = ledger.result();
  ASSERT_EQ(r.series.size(), 3u);
  EXPECT_EQ(r.series[0].accepted, 1u);
  EXPECT_EQ(r.series[0].backlog, 1u);
  EXPECT_EQ(r.series[1].backlog, 2u);
  EXPECT_EQ(r.series[2].delivered, 1u);
  EXPECT_EQ(r.series[2].backlog, 1u);
}

// An arrival in one second, the 250 read in the next: the pair is delivered
// in the second it was accepted, and no backlog is left behind.
TEST_F(Ledger, EarlyArrivalAcrossASecondLeavesNoBacklog) {
  ledger.arrived(sender(1), {"a@x.test"}, message(1), t0 + 999ms);
  submit(1, {"a@x.test"}, t0 + 1001ms);
  const auto r = ledger.result();
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(r.series[0].delivered, 0u);
  EXPECT_EQ(r.series[1].accepted, 1u);
  EXPECT_EQ(r.series[1].delivered, 1u);
  EXPECT_EQ(r.series[1].backlog, 0u);
}

// A notice whose failed recipient is none of the message's (the relay
// rewrote the address), or whose field is folded: still a bounce.
TEST_F(Ledger, NoticeForARewrittenOrFoldedRecipientBouncesTheMessage) {
  submit(1, {"a@x.test"}, t0);
  ledger.arrived("", {sender(1)}, "\r\nFinal-Recipient: rfc822; alias@x.test\r\nAction: failed\r\n",
                 t0 + 1ms);
  submit(2, {"a@x.test", "b@x.test"}, t0);
  ledger.arrived("", {sender(2)}, "\r\nFinal-Recipient: rfc822;\r\n b@x.test\r\nAction: failed\r\n",
                 t0 + 1ms);
  const auto r = ledger.result();
  EXPECT_EQ(r.counts.bounced, 2u);  // a@x.test of 1, b@x.test of 2
  EXPECT_EQ(r.counts.lost, 1u);     // a@x.test of 2: the notice named b only
}

// A relay that bounced a message and delivered it after all (or an
// auto-reply from <> that looked like a bounce): delivered, not duplicated.
TEST_F(Ledger, DeliveredAfterABounceIsDeliveredNotDuplicated) {
  submit(1, {"a@x.test"}, t0);
  ledger.arrived("", {sender(1)}, "Subject: auto-reply\r\n\r\naway\r\n", t0 + 1ms);
  EXPECT_EQ(ledger.result().counts.bounced, 1u);
  ledger.arrived(sender(1), {"a@x.test"}, message(1), t0 + 1500ms);
  const auto r = ledger.result();
  EXPECT_EQ(r.counts.bounced, 0u);
  EXPECT_EQ(r.counts.delivered, 1u);
  EXPECT_EQ(r.counts.duplicated, 0u);
  ASSERT_EQ(r.series.size(), 2u);
  EXPECT_EQ(r.series[1].backlog, 0u);  // settled once, not twice
  EXPECT_EQ(r.series[0].backlog, 0u);
}

// A relay inventing sequence numbers of this run cannot grow the ledger
// without bound: past the cap, its arrivals are unexpected.
TEST_F(Ledger, MessagesNeverAcceptedAreBounded) {
  for (std::uint64_t seq = 1; seq <= 100001; ++seq)
    ledger.rcpt_attempt(sender(seq), "a@x.test", t0);
  ledger.arrived(sender(100001), {"a@x.test"}, message(100001), t0 + 1ms);
  const auto r = ledger.result();
  EXPECT_EQ(r.counts.unexpected, 1u);
  submit(100001, {"a@x.test"}, t0 + 2ms);  // accepted after all: counted as ever
  EXPECT_EQ(ledger.result().counts.accepted, 1u);
}

TEST_F(Ledger, SinkSessionsMakeTheRelaysBehaviour) {
  SinkSession s;
  s.hello_name = "relay.test";
  s.pipelined = true;
  s.messages = 3;
  s.transactions = 3;
  s.recipients_per_transaction[2] = 3;
  ledger.session_ended(s);
  ledger.session_ended(SinkSession{});
  const auto r = ledger.result();
  EXPECT_EQ(r.relay.connections, 2u);
  EXPECT_EQ(r.relay.messages, 3u);
  EXPECT_EQ(r.relay.max_messages_per_connection, 3u);
  EXPECT_EQ(r.relay.pipelined_connections, 1u);
  EXPECT_EQ(r.relay.hello_names.at("relay.test"), 1u);
  EXPECT_EQ(r.relay.hello_names.at("(none)"), 1u);
  EXPECT_EQ(r.relay.recipients_per_transaction.at(2), 3u);
}

}  // namespace
}  // namespace smtp::load
