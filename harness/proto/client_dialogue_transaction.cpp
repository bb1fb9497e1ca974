// Mail transactions of the client dialogue (RFC 5321 §3.3): MAIL, RCPT,
// DATA or BDAT, one reply at a time or as a PIPELINING batch (RFC 2920).
#include <algorithm>
#include <string>
#include <utility>
#include <variant>

#include "proto/client_dialogue.hpp"
#include "proto/client_dialogue_internal.hpp"
#include "proto/command_encoder.hpp"
#include "proto/dot_stuffer.hpp"

namespace smtp::proto {

using client_detail::judge;
using client_detail::take;
using client_detail::Verdict;

ClientStep ClientDialogue::send(OutgoingMessage message) {
  ClientStep step;
  const auto invalid = [&](std::string why) {
    TransactionOutcome outcome;
    outcome.id = message.id;
    outcome.kind = OutcomeKind::invalid;
    outcome.recipients = message.to.size();
    outcome.detail = std::move(why);
    step.outcome = std::move(outcome);
    return step;
  };
  if (!ready_for_message()) {
    return invalid("not ready for a message (stage " + std::string(to_string(stage_)) + ")");
  }
  if (message.to.empty()) return invalid("a message needs at least one recipient");

  Transaction t;
  t.id = message.id;
  t.recipients = message.to.size();
  t.pipelined = pipelining();
  std::string error;

  std::optional<std::size_t> declared_size;  // SIZE= only when the server has the extension
  if (config_.send_size && esmtp_ && capabilities_.has("SIZE")) {
    declared_size = message.content.size();
  }
  auto mail = envelope_.mail(message.from, declared_size, &error);
  if (!mail) return invalid(std::move(error));
  t.plan.reserve(message.to.size() + 2);
  t.plan.push_back({Phase::mail, std::move(*mail)});
  for (std::size_t i = 0; i < message.to.size(); ++i) {
    auto rcpt = envelope_.rcpt(i, message.to[i], &error);
    if (!rcpt) return invalid(std::move(error));
    t.plan.push_back({Phase::rcpt, std::move(*rcpt)});
  }

  if (chunking()) {
    // RFC 3030 §2: BDAT content is sent as it is, no dot-stuffing; the last
    // chunk says LAST. An empty message is one "BDAT 0 LAST".
    const std::string& content = message.content;
    const std::size_t size = config_.chunk_size == 0 ? content.size() : config_.chunk_size;
    std::size_t offset = 0;
    do {
      const std::size_t n = std::min(size, content.size() - offset);
      const bool last = offset + n == content.size();
      auto bdat = take(encode_bdat(n, last), &error);
      if (!bdat) return invalid("BDAT: " + error);
      bdat->append(content, offset, n);
      t.plan.push_back({Phase::bdat, std::move(*bdat)});
      offset += n;
    } while (offset < content.size());
  } else {
    t.plan.push_back({Phase::data, "DATA\r\n"});
    t.content = std::move(message.content);
  }

  transaction_ = std::move(t);
  stage_ = ClientStage::transaction;
  // RFC 2920 §3.1: MAIL, the RCPTs and DATA go in one group with DATA last;
  // RFC 3030 §4.2 lets BDAT chunks follow in the same group. Without
  // pipelining each command waits for the reply to the one before.
  do {
    send_next_planned(step);
  } while (transaction_->pipelined && !transaction_->plan_done());
  return step;
}

void ClientDialogue::send_next_planned(ClientStep& step) {
  Planned& next = transaction_->plan[transaction_->next_planned++];
  emit(step, next.phase, std::move(next.bytes));
}

// Without pipelining, a reply can make the rest of the plan pointless.
bool ClientDialogue::should_stop_early(const ReplyEvent& event) const {
  const Transaction& t = *transaction_;
  const bool refused = judge(event.phase, event.reply.code) == Verdict::negative;
  if (event.phase == Phase::mail && refused) return true;
  // RFC 3030 §2: after a refused chunk the client MUST NOT send more.
  if (event.phase == Phase::bdat && refused) return true;
  // Every RCPT refused: no DATA, RSET instead (§4.1.1.5).
  const Phase next = t.plan[t.next_planned].phase;
  return (next == Phase::data || next == Phase::bdat) && t.accepted == 0 &&
         event.phase == Phase::rcpt;
}

void ClientDialogue::on_transaction_reply(ClientStep& step, const ReplyEvent& event) {
  if (!transaction_) {
    return fail_and_close(step, FailureKind::unsolicited_reply, event.phase, event.reply.code,
                          "a transaction reply outside a transaction", &event.reply);
  }
  Transaction& t = *transaction_;
  const Verdict verdict = judge(event.phase, event.reply.code);
  const bool refused = verdict == Verdict::negative;
  switch (event.phase) {
    case Phase::mail:
      if (refused) t.mail_refusal = event.reply;
      break;
    case Phase::rcpt:
      if (refused) {
        t.rcpt_refusal = event.reply;
      } else {
        ++t.accepted;
      }
      break;
    case Phase::data:
      if (refused) {
        if (!t.refusal) t.refusal = event;
      } else if (!t.mail_refusal && t.accepted > 0) {
        std::string payload;
        payload.reserve(t.content.size() + t.content.size() / 32 + 8);
        DotStuffer stuffer;
        stuffer.feed(t.content, payload);
        stuffer.finish(payload);
        emit(step, Phase::end_of_data, std::move(payload));
      } else {
        // RFC 2920 §3.1: DATA accepted although no recipient was: the client
        // SHOULD send a single dot, ending the transaction with no content.
        emit(step, Phase::end_of_data, ".\r\n");
      }
      break;
    case Phase::end_of_data:
      t.server_reset = true;  // §4.1.1.4: the end of data ends the transaction either way
      if (refused && !t.refusal) t.refusal = event;
      if (!refused) t.final_reply = event;
      break;
    case Phase::bdat:
      if (refused && !t.refusal) t.refusal = event;
      if (!refused && t.plan_done() && pending_.empty()) t.final_reply = event;
      break;
    default:
      break;
  }
  if (!pending_.empty()) return;  // more replies of this batch to come
  if (!t.plan_done() && !should_stop_early(event)) return send_next_planned(step);
  end_transaction(step);
}

void ClientDialogue::end_transaction(ClientStep& step) {
  Transaction t = std::move(*transaction_);
  transaction_.reset();
  TransactionOutcome outcome;
  outcome.id = t.id;
  outcome.recipients = t.recipients;
  outcome.accepted = t.accepted;
  const auto decided_by = [&outcome](OutcomeKind kind, Phase phase, const Reply& reply) {
    outcome.kind = kind;
    outcome.phase = phase;
    outcome.code = reply.code;
    outcome.enhanced = reply.enhanced();
  };
  // The first refusal in protocol order decides: a refused MAIL makes the
  // RCPTs and DATA behind it in a batch fail too (503), and those are not
  // the cause.
  if (t.mail_refusal) {
    decided_by(OutcomeKind::refused, Phase::mail, *t.mail_refusal);
  } else if (t.accepted == 0 && t.rcpt_refusal) {
    decided_by(OutcomeKind::refused, Phase::rcpt, *t.rcpt_refusal);
  } else if (t.refusal) {
    decided_by(OutcomeKind::refused, t.refusal->phase, t.refusal->reply);
  } else if (t.final_reply) {
    decided_by(OutcomeKind::delivered, t.final_reply->phase, t.final_reply->reply);
  } else {
    outcome.kind = OutcomeKind::connection_lost;  // unreachable with a complete plan
  }
  const bool reset = outcome.kind == OutcomeKind::refused && !t.server_reset;
  step.outcome = std::move(outcome);
  if (reset) {
    // §4.1.1.5: RSET after a failed transaction, so the next MAIL starts clean.
    emit(step, Phase::rset, "RSET\r\n");
    stage_ = ClientStage::resetting;
    return;
  }
  settle_idle(step);
}

void ClientDialogue::abandon_transaction(ClientStep& step, std::optional<Phase> phase,
                                         const Reply* reply) {
  TransactionOutcome outcome;
  outcome.id = transaction_->id;
  outcome.kind = OutcomeKind::connection_lost;
  outcome.recipients = transaction_->recipients;
  outcome.accepted = transaction_->accepted;
  outcome.phase = phase;
  if (reply) {
    outcome.code = reply->code;
    outcome.enhanced = reply->enhanced();
  }
  step.outcome = std::move(outcome);
  transaction_.reset();
}

}  // namespace smtp::proto
