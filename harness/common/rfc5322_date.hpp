#pragma once
// The date-time of RFC 5322 §3.3 in UTC, e.g. "Sun, 22 Nov 2026 00:00:00
// +0000": the Date: field of the messages the load generator sends and the
// time stamp of fake-smtpd's Received: fields (RFC 5321 §4.4).
#include <chrono>
#include <string>

namespace smtp::common {

// The time truncated to seconds. Day and month names are RFC 5322's English
// ones whatever the environment's locale: no program sets one.
std::string rfc5322_date(std::chrono::system_clock::time_point when);

}  // namespace smtp::common
