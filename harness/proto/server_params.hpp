#pragma once
// Validation of the ESMTP parameters of MAIL and RCPT against what the server
// advertises: SIZE (RFC 1870), BODY (RFC 6152), SMTPUTF8 (RFC 6531), DSN's
// RET/ENVID/NOTIFY/ORCPT (RFC 3461) and AUTH= (RFC 4954 §5). A parameter of an
// extension that is switched off is unknown, hence 555 (RFC 5321 §4.1.1.11).
#include <optional>
#include <string_view>

#include "proto/command.hpp"
#include "proto/envelope.hpp"
#include "proto/server_config.hpp"
#include "proto/server_replies.hpp"

namespace smtp::proto {

// RFC 3461 §4: xtext = *( xchar / hexchar ), xchar = "!".."~" except "+" and
// "=", hexchar = "+" 2(DIGIT / "A".."F").
bool is_xtext(std::string_view text);

// Fills the envelope's parameter-derived fields; returns the refusal, if any.
// `auth_offered`: AUTH is advertised on this connection (AUTH= is then legal).
std::optional<ServerReply> apply_mail_params(const Command& mail, const ServerConfig& config,
                                             bool auth_offered, Envelope& envelope);

std::optional<ServerReply> check_rcpt_params(const Command& rcpt, const ServerConfig& config);

}  // namespace smtp::proto
