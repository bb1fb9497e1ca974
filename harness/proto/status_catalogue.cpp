// The catalogue is two sorted constant tables, looked up by binary search.
// Meanings quote the RFC text (reply codes) or the IANA registry's sample text
// (enhanced codes); every entry names where it comes from.
#include "proto/status_catalogue.hpp"

#include <algorithm>
#include <array>

namespace smtp::proto {

namespace {

constexpr std::array kReplyCodes = {
    ReplyCodeInfo{211, "System status, or system help reply", "RFC 5321 §4.2.3"},
    ReplyCodeInfo{214, "Help message", "RFC 5321 §4.2.3"},
    ReplyCodeInfo{220, "<domain> Service ready (also: ready to start TLS)",
                  "RFC 5321 §4.2.3; RFC 3207 §4"},
    ReplyCodeInfo{221, "<domain> Service closing transmission channel", "RFC 5321 §4.2.3"},
    ReplyCodeInfo{235, "Authentication succeeded", "RFC 4954 §6"},
    ReplyCodeInfo{250, "Requested mail action okay, completed", "RFC 5321 §4.2.3"},
    ReplyCodeInfo{251, "User not local; will forward to <forward-path>", "RFC 5321 §4.2.3"},
    ReplyCodeInfo{252, "Cannot VRFY user, but will accept message and attempt delivery",
                  "RFC 5321 §4.2.3"},
    ReplyCodeInfo{334, "AUTH challenge: the text is a base64-encoded SASL challenge",
                  "RFC 4954 §4"},
    ReplyCodeInfo{354, "Start mail input; end with <CRLF>.<CRLF>", "RFC 5321 §4.2.3"},
    ReplyCodeInfo{421, "<domain> Service not available, closing transmission channel",
                  "RFC 5321 §4.2.3"},
    ReplyCodeInfo{432, "A password transition is needed", "RFC 4954 §6"},
    ReplyCodeInfo{450,
                  "Requested mail action not taken: mailbox unavailable (e.g., mailbox busy or "
                  "temporarily blocked for policy reasons)",
                  "RFC 5321 §4.2.3"},
    ReplyCodeInfo{451, "Requested action aborted: local error in processing", "RFC 5321 §4.2.3"},
    ReplyCodeInfo{452, "Requested action not taken: insufficient system storage",
                  "RFC 5321 §4.2.3; RFC 1870"},
    ReplyCodeInfo{454,
                  "TLS not available due to temporary reason; or temporary authentication failure",
                  "RFC 3207 §4; RFC 4954 §6"},
    ReplyCodeInfo{455, "Server unable to accommodate parameters", "RFC 5321 §4.2.3"},
    ReplyCodeInfo{500,
                  "Syntax error, command unrecognized (this may include a command line too long, "
                  "or an AUTH exchange line too long)",
                  "RFC 5321 §4.2.3; RFC 4954 §6"},
    ReplyCodeInfo{501, "Syntax error in parameters or arguments", "RFC 5321 §4.2.3"},
    ReplyCodeInfo{502, "Command not implemented", "RFC 5321 §4.2.3"},
    ReplyCodeInfo{503, "Bad sequence of commands", "RFC 5321 §4.2.3"},
    ReplyCodeInfo{504, "Command parameter not implemented", "RFC 5321 §4.2.3"},
    ReplyCodeInfo{521, "Host does not accept mail", "RFC 7504"},
    ReplyCodeInfo{530, "Authentication required; or must issue a STARTTLS command first",
                  "RFC 4954 §6; RFC 3207 §4"},
    ReplyCodeInfo{534, "Authentication mechanism is too weak", "RFC 4954 §6"},
    ReplyCodeInfo{535, "Authentication credentials invalid", "RFC 4954 §6"},
    ReplyCodeInfo{538, "Encryption required for requested authentication mechanism", "RFC 4954 §6"},
    ReplyCodeInfo{550,
                  "Requested action not taken: mailbox unavailable (e.g., mailbox not found, no "
                  "access, or command rejected for policy reasons)",
                  "RFC 5321 §4.2.3"},
    ReplyCodeInfo{551, "User not local; please try <forward-path>", "RFC 5321 §4.2.3"},
    ReplyCodeInfo{552,
                  "Requested mail action aborted: exceeded storage allocation (also: message "
                  "size exceeds the SIZE limit)",
                  "RFC 5321 §4.2.3; RFC 1870"},
    ReplyCodeInfo{553,
                  "Requested action not taken: mailbox name not allowed (e.g., mailbox syntax "
                  "incorrect)",
                  "RFC 5321 §4.2.3"},
    ReplyCodeInfo{554,
                  "Transaction failed (or, in a connection-opening response, \"No SMTP service "
                  "here\")",
                  "RFC 5321 §4.2.3"},
    ReplyCodeInfo{555, "MAIL FROM/RCPT TO parameters not recognized or not implemented",
                  "RFC 5321 §4.2.3"},
    ReplyCodeInfo{556, "Domain does not accept mail", "RFC 7504"},
};

// RFC 3463 §3.1-§3.8 hold subjects 0-7 in order.
constexpr std::string_view kRfc3463[] = {"RFC 3463 §3.1", "RFC 3463 §3.2", "RFC 3463 §3.3",
                                         "RFC 3463 §3.4", "RFC 3463 §3.5", "RFC 3463 §3.6",
                                         "RFC 3463 §3.7", "RFC 3463 §3.8"};

// The IANA "Enumerated Status Codes" registry (RFC 5248), sample texts.
constexpr std::array kEnhancedCodes = {
    EnhancedCodeInfo{0, 0, "Other undefined status", kRfc3463[0]},
    EnhancedCodeInfo{1, 0, "Other address status", kRfc3463[1]},
    EnhancedCodeInfo{1, 1, "Bad destination mailbox address", kRfc3463[1]},
    EnhancedCodeInfo{1, 2, "Bad destination system address", kRfc3463[1]},
    EnhancedCodeInfo{1, 3, "Bad destination mailbox address syntax", kRfc3463[1]},
    EnhancedCodeInfo{1, 4, "Destination mailbox address ambiguous", kRfc3463[1]},
    EnhancedCodeInfo{1, 5, "Destination address valid", kRfc3463[1]},
    EnhancedCodeInfo{1, 6, "Destination mailbox has moved, no forwarding address", kRfc3463[1]},
    EnhancedCodeInfo{1, 7, "Bad sender's mailbox address syntax", kRfc3463[1]},
    EnhancedCodeInfo{1, 8, "Bad sender's system address", kRfc3463[1]},
    EnhancedCodeInfo{1, 9, "Message relayed to non-compliant mailer", "RFC 3886"},
    EnhancedCodeInfo{1, 10, "Recipient address has null MX", "RFC 7505"},
    EnhancedCodeInfo{2, 0, "Other or undefined mailbox status", kRfc3463[2]},
    EnhancedCodeInfo{2, 1, "Mailbox disabled, not accepting messages", kRfc3463[2]},
    EnhancedCodeInfo{2, 2, "Mailbox full", kRfc3463[2]},
    EnhancedCodeInfo{2, 3, "Message length exceeds administrative limit", kRfc3463[2]},
    EnhancedCodeInfo{2, 4, "Mailing list expansion problem", kRfc3463[2]},
    EnhancedCodeInfo{3, 0, "Other or undefined mail system status", kRfc3463[3]},
    EnhancedCodeInfo{3, 1, "Mail system full", kRfc3463[3]},
    EnhancedCodeInfo{3, 2, "System not accepting network messages", kRfc3463[3]},
    EnhancedCodeInfo{3, 3, "System not capable of selected features", kRfc3463[3]},
    EnhancedCodeInfo{3, 4, "Message too big for system", kRfc3463[3]},
    EnhancedCodeInfo{3, 5, "System incorrectly configured", kRfc3463[3]},
    EnhancedCodeInfo{3, 6, "Requested priority was changed", "RFC 6710"},
    EnhancedCodeInfo{4, 0, "Other or undefined network or routing status", kRfc3463[4]},
    EnhancedCodeInfo{4, 1, "No answer from host", kRfc3463[4]},
    EnhancedCodeInfo{4, 2, "Bad connection", kRfc3463[4]},
    EnhancedCodeInfo{4, 3, "Directory server failure", kRfc3463[4]},
    EnhancedCodeInfo{4, 4, "Unable to route", kRfc3463[4]},
    EnhancedCodeInfo{4, 5, "Mail system congestion", kRfc3463[4]},
    EnhancedCodeInfo{4, 6, "Routing loop detected", kRfc3463[4]},
    EnhancedCodeInfo{4, 7, "Delivery time expired", kRfc3463[4]},
    EnhancedCodeInfo{5, 0, "Other or undefined protocol status", kRfc3463[5]},
    EnhancedCodeInfo{5, 1, "Invalid command", kRfc3463[5]},
    EnhancedCodeInfo{5, 2, "Syntax error", kRfc3463[5]},
    EnhancedCodeInfo{5, 3, "Too many recipients", kRfc3463[5]},
    EnhancedCodeInfo{5, 4, "Invalid command arguments", kRfc3463[5]},
    EnhancedCodeInfo{5, 5, "Wrong protocol version", kRfc3463[5]},
    EnhancedCodeInfo{5, 6, "Authentication exchange line is too long", "RFC 4954 §6"},
    EnhancedCodeInfo{6, 0, "Other or undefined media error", kRfc3463[6]},
    EnhancedCodeInfo{6, 1, "Media not supported", kRfc3463[6]},
    EnhancedCodeInfo{6, 2, "Conversion required and prohibited", kRfc3463[6]},
    EnhancedCodeInfo{6, 3, "Conversion required but not supported", kRfc3463[6]},
    EnhancedCodeInfo{6, 4, "Conversion with loss performed", kRfc3463[6]},
    EnhancedCodeInfo{6, 5, "Conversion failed", kRfc3463[6]},
    EnhancedCodeInfo{6, 6, "Message content not available", "RFC 4468"},
    EnhancedCodeInfo{6, 7, "Non-ASCII addresses not permitted for that sender/recipient",
                     "RFC 6531"},
    EnhancedCodeInfo{6, 8, "UTF-8 string reply is required, but not permitted by the SMTP client",
                     "RFC 6531"},
    EnhancedCodeInfo{6, 9,
                     "UTF-8 header message cannot be transferred to one or more recipients, so "
                     "the message must be rejected",
                     "RFC 6531"},
    EnhancedCodeInfo{6, 10, "Deprecated: a duplicate of X.6.8", "RFC 6531"},
    EnhancedCodeInfo{7, 0, "Other or undefined security status", kRfc3463[7]},
    EnhancedCodeInfo{7, 1, "Delivery not authorized, message refused", kRfc3463[7]},
    EnhancedCodeInfo{7, 2, "Mailing list expansion prohibited", kRfc3463[7]},
    EnhancedCodeInfo{7, 3, "Security conversion required but not possible", kRfc3463[7]},
    EnhancedCodeInfo{7, 4, "Security features not supported", kRfc3463[7]},
    EnhancedCodeInfo{7, 5, "Cryptographic failure", kRfc3463[7]},
    EnhancedCodeInfo{7, 6, "Cryptographic algorithm not supported", kRfc3463[7]},
    EnhancedCodeInfo{7, 7, "Message integrity failure", kRfc3463[7]},
    EnhancedCodeInfo{7, 8, "Authentication credentials invalid", "RFC 4954 §6"},
    EnhancedCodeInfo{7, 9, "Authentication mechanism is too weak", "RFC 4954 §6"},
    EnhancedCodeInfo{7, 10, "Encryption needed", "RFC 5248"},
    EnhancedCodeInfo{7, 11, "Encryption required for requested authentication mechanism",
                     "RFC 4954 §6"},
    EnhancedCodeInfo{7, 12, "A password transition is needed", "RFC 4954 §6"},
    EnhancedCodeInfo{7, 13, "User account disabled", "RFC 5248"},
    EnhancedCodeInfo{7, 14, "Trust relationship required", "RFC 5248"},
    EnhancedCodeInfo{7, 15, "Priority level is too low", "RFC 6710"},
    EnhancedCodeInfo{7, 16, "Message is too big for the specified priority", "RFC 6710"},
    EnhancedCodeInfo{7, 17, "Mailbox owner has changed", "RFC 7293"},
    EnhancedCodeInfo{7, 18, "Domain owner has changed", "RFC 7293"},
    EnhancedCodeInfo{7, 19, "RRVS test cannot be completed", "RFC 7293"},
    EnhancedCodeInfo{7, 20, "No passing DKIM signature found", "RFC 7372"},
    EnhancedCodeInfo{7, 21, "No acceptable DKIM signature found", "RFC 7372"},
    EnhancedCodeInfo{7, 22, "No valid author-matched DKIM signature found", "RFC 7372"},
    EnhancedCodeInfo{7, 23, "SPF validation failed", "RFC 7372"},
    EnhancedCodeInfo{7, 24, "SPF validation error", "RFC 7372"},
    EnhancedCodeInfo{7, 25, "Reverse DNS validation failed", "RFC 7372"},
    EnhancedCodeInfo{7, 26, "Multiple authentication checks failed", "RFC 7372"},
    EnhancedCodeInfo{7, 27, "Sender address has null MX", "RFC 7505"},
    EnhancedCodeInfo{7, 28, "Mail flood detected",
                     "IANA registry (draft-levine-mailbomb-header, not an RFC)"},
    EnhancedCodeInfo{7, 29, "ARC validation failure", "RFC 8617 §5.2.2"},
    EnhancedCodeInfo{7, 30, "REQUIRETLS support required", "RFC 8689"},
};

// RFC 3463 §2: the subject sub-codes.
constexpr std::array<std::string_view, 8> kSubjects = {
    "Other or undefined status",
    "Addressing status",
    "Mailbox status",
    "Mail system status",
    "Network and routing status",
    "Mail delivery protocol status",
    "Message content or media status",
    "Security or policy status",
};

constexpr bool reply_less(const ReplyCodeInfo& a, const ReplyCodeInfo& b) {
  return a.code < b.code;
}
constexpr bool enhanced_less(const EnhancedCodeInfo& a, const EnhancedCodeInfo& b) {
  return a.subject != b.subject ? a.subject < b.subject : a.detail < b.detail;
}

// Binary search needs strictly increasing keys; the compiler checks it.
static_assert(std::adjacent_find(kReplyCodes.begin(), kReplyCodes.end(),
                                 [](const auto& a, const auto& b) { return !reply_less(a, b); }) ==
              kReplyCodes.end());
static_assert(std::adjacent_find(kEnhancedCodes.begin(), kEnhancedCodes.end(),
                                 [](const auto& a, const auto& b) {
                                   return !enhanced_less(a, b);
                                 }) == kEnhancedCodes.end());

}  // namespace

std::span<const ReplyCodeInfo> reply_code_catalogue() {
  return kReplyCodes;
}

std::span<const EnhancedCodeInfo> enhanced_code_catalogue() {
  return kEnhancedCodes;
}

std::string_view describe_reply_code(int code) {
  const ReplyCodeInfo key{code, {}, {}};
  const auto* it = std::lower_bound(kReplyCodes.begin(), kReplyCodes.end(), key, reply_less);
  if (it != kReplyCodes.end() && it->code == code) return it->meaning;
  // RFC 5321 §4.2.1: the first digit alone says how the command fared.
  if (code >= 200 && code <= 599) {
    switch (code / 100) {
      case 2:
        return "Positive completion";
      case 3:
        return "Positive intermediate";
      case 4:
        return "Transient negative completion";
      default:
        return "Permanent negative completion";
    }
  }
  return "Unknown";
}

std::string_view describe_enhanced_code(const EnhancedCode& code) {
  const EnhancedCodeInfo key{code.subject, code.detail, {}, {}};
  const auto* it =
      std::lower_bound(kEnhancedCodes.begin(), kEnhancedCodes.end(), key, enhanced_less);
  if (it != kEnhancedCodes.end() && it->subject == code.subject && it->detail == code.detail) {
    return it->meaning;
  }
  if (code.subject < kSubjects.size()) return kSubjects[code.subject];
  return "Unknown";
}

std::string_view describe_enhanced_class(int cls) {
  // RFC 3463 §2: the class sub-codes.
  switch (cls) {
    case 2:
      return "Success";
    case 4:
      return "Persistent transient failure";
    case 5:
      return "Permanent failure";
    default:
      return "Unknown";
  }
}

}  // namespace smtp::proto
