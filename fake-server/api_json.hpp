#pragma once
// JSON views of fake-smtpd's state for the HTTP API. Peer bytes are never put
// into JSON raw (they need not be UTF-8): transcripts carry each entry both as
// escaped text (readable) and as base64 (exact).
#include <nlohmann/json.hpp>

#include "fake-server/behaviour.hpp"
#include "fake-server/message_store.hpp"
#include "fake-server/server_stats.hpp"
#include "fake-server/transcript.hpp"

namespace smtp::fake {

nlohmann::json message_json(const StoredMessage& message);
nlohmann::json session_summary_json(const SessionRecord& session);
nlohmann::json session_json(const SessionRecord& session);  // with the transcript
nlohmann::json stats_json(const ServerStats& stats, std::uint64_t messages_held);
// GET /api/rules: every rule with its counters, the greylist, the hooks.
nlohmann::json rules_json(const Behaviour& behaviour, std::uint64_t seed);

}  // namespace smtp::fake
