#pragma once
// The frame of every page of the web UI: the document, its strict
// Content-Security-Policy (no script at all, no request anywhere; styles are
// inline, forms post only to this server), the navigation, and the text
// helpers every page uses for what came from the network.
#include <string>
#include <string_view>

#include "fake-server/ui/ui_reply.hpp"

namespace smtp::fake::ui {

// In a <meta> of every page, so that a saved page keeps it too.
inline constexpr std::string_view content_security_policy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'self'; "
    "base-uri 'none'";
// The header adds what a <meta> cannot carry: no page may frame these
// (a click on a framed rules form would be a forged request).
inline constexpr std::string_view content_security_policy_header =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'";

// A whole page. `refresh_seconds` > 0 reloads it that often (a <meta>
// refresh: live without script).
std::string html_page(std::string_view title, std::string_view body, int refresh_seconds = 0);
UiReply page_reply(std::string_view title, std::string_view body, int status = 200,
                   int refresh_seconds = 0);

// Bytes from the network, or anything else, as HTML text: made printable by
// the one escaper (proto/escape.hpp, deviation 1: \r \n \t \\ and \xNN for
// everything else, so NUL, ESC, bytes that are not UTF-8 and U+202E show as
// escapes), then HTML-escaped (reports/html/html_text.hpp).
std::string peer_text(std::string_view bytes);
// Text we wrote (names, numbers), HTML-escaped only.
std::string text(std::string_view s);

}  // namespace smtp::fake::ui
