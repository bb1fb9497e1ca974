#pragma once
// The pages of the web UI (README "Web UI"), each in its own file. Each
// takes the part of the server's state it shows; ui/ui_routes.cpp picks the
// page for a request. Every byte that came from the network goes through
// peer_text (ui/html_page.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fake-server/behaviour.hpp"
#include "fake-server/message_store.hpp"
#include "fake-server/transcript.hpp"
#include "fake-server/ui/ui_reply.hpp"

namespace smtp::fake::ui {

// GET /sessions?peer=&rule=&ended=&page=
UiReply sessions_page(const SessionLog& sessions, std::string_view target);
// GET /sessions/N: the transcript, with the events where they happened.
UiReply session_page(const SessionRecord& session, std::uint64_t seed,
                     const std::vector<const StoredMessage*>& messages);
// GET /messages?page=
UiReply messages_page(const MessageStore& store, std::string_view target);
// GET /messages/N: envelope, headers, source (when the store keeps it).
UiReply message_page(const StoredMessage& message, const std::optional<MessageBytes>& bytes);
// GET /messages/N.eml: the octets as a download.
UiReply message_download(const StoredMessage& message, MessageBytes bytes);

// What the rules editor shows after a POST that failed: the loader's error
// and the text that caused it, so that it can be fixed.
struct RulesEdit {
  std::string text;
  std::string error;  // "rules:LINE: reason"
};
// GET /rules, and POST /rules when the text was refused (status 400).
UiReply rules_page(const Behaviour& behaviour, std::uint64_t seed,
                   const std::optional<RulesEdit>& refused = std::nullopt);
// GET /stats: the counters of GET /api/stats.
UiReply stats_page(const std::vector<std::pair<std::string, std::string>>& rows);
// GET /login, and the answer to a request without the token (status 401).
UiReply login_page(int status, std::string_view why);

}  // namespace smtp::fake::ui
