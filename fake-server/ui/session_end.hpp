#pragma once
// How a session ended, read from the end of its transcript: the events the
// session writes when it closes (session.cpp, session_effects.cpp) and the
// last reply it sent. For the web UI's session list and its `ended` filter.
#include <span>
#include <string_view>

#include "fake-server/transcript.hpp"

namespace smtp::fake::ui {

struct SessionEnd {
  std::string_view key;    // for ?ended=: "open", "quit", "client-closed", ...
  std::string_view label;  // for people: "QUIT (221)", "client closed", ...
};

// Every kind, in the order the filter offers them.
std::span<const SessionEnd> session_ends();

SessionEnd session_end(const SessionRecord& session);

}  // namespace smtp::fake::ui
