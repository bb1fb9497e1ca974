#include "check/remediation_hints.hpp"

#include <array>

namespace smtp::check {
namespace {

// Postfix: postconf(5), smtpd_forbid_bare_newline. "normalize" requires
// <CR><LF>.<CR><LF> to end the data (D3, D4) and still takes a bare <LF> as
// a line end elsewhere; "reject" refuses a command or data line with a bare
// <LF> (D5). Both values exist since these releases (the setting itself,
// with yes and no only, since 3.5.23, 3.6.13, 3.7.9 and 3.8.4). Its
// exclusions default to $mynetworks: a test from a trusted network does not
// see the setting at work.
constexpr std::string_view kPostfixNormalize =
    "set smtpd_forbid_bare_newline = normalize in main.cf: the data then ends only at "
    "<CR><LF>.<CR><LF>. Clients in smtpd_forbid_bare_newline_exclusions (default $mynetworks) "
    "stay exempt";
constexpr std::string_view kPostfixReject =
    "set smtpd_forbid_bare_newline = reject in main.cf: a command or data line with a bare <LF> "
    "is then refused (smtpd_forbid_bare_newline_reject_code, 550 by default). Clients in "
    "smtpd_forbid_bare_newline_exclusions (default $mynetworks) stay exempt";
constexpr std::string_view kPostfixBareNewlineReleases =
    "Postfix 3.5.24, 3.6.14, 3.7.10, 3.8.5, 3.9 or later";

constexpr std::array kHints{
    RemediationHint{"Postfix", "D3", Verdict::fail, kPostfixNormalize, kPostfixBareNewlineReleases},
    RemediationHint{"Postfix", "D4", Verdict::fail, kPostfixNormalize, kPostfixBareNewlineReleases},
    RemediationHint{"Postfix", "D5", Verdict::fail, kPostfixReject, kPostfixBareNewlineReleases},
};

}  // namespace

std::span<const RemediationHint> remediation_hints() {
  return kHints;
}

std::string remediation_hint(std::string_view software, std::string_view check, Verdict verdict) {
  for (const RemediationHint& hint : kHints) {
    if (hint.software != software || hint.check != check || hint.verdict != verdict) continue;
    std::string text(hint.advice);
    if (!hint.since.empty()) text += " (needs " + std::string(hint.since) + ")";
    return text;
  }
  return {};
}

}  // namespace smtp::check
