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

  auto from = path_from_address(message.from);
  if (auto* e = std::get_if<PathError>(&from)) return invalid("sender: " + e->detail);
  std::vector<EsmtpParam> params;
  if (config_.send_size && esmtp_ && capabilities_.has("SIZE")) {
    // RFC 1870 §3: the size in octets with CRLFs, without dot-stuffing.
    params.push_back({"SIZE", std::to_string(message.content.size())});
  }
  auto mail = take(encode_mail(std::get<Path>(from), params), &error);
  if (!mail) return invalid("MAIL: " + error);
  t.plan.push_back({Phase::mail, std::move(*mail)});

  PathOptions rcpt_options;
  rcpt_options.allow_null = false;       // §4.1.1.3
  rcpt_options.allow_postmaster = true;  // "<Postmaster>" is a valid forward-path
  for (const auto& to : message.to) {
    auto path = path_from_address(to, rcpt_options);
    if (auto* e = std::get_if<PathError>(&path))
      return invalid("recipient " + to + ": " + e->detail);
    auto rcpt = take(encode_rcpt(std::get<Path>(path)), &error);
    if (!rcpt) return invalid("RCPT: " + error);
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
  } while (transaction_->pipelined && !transaction_->plan.empty());
  return step;
}

void ClientDialogue::send_next_planned(ClientStep& step) {
  Planned next = std::move(transaction_->plan.front());
  transaction_->plan.pop_front();
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
  const Phase next = t.plan.front().phase;
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
      if (!refused && t.plan.empty() && pending_.empty()) t.final_reply = event;
      break;
    default:
      break;
  }
  if (!pending_.empty()) return;  // more replies of this batch to come
  if (!t.plan.empty() && !should_stop_early(event)) return send_next_planned(step);
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
