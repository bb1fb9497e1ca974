#pragma once
// Durations as the transcript and the verdicts' reasons print them: "5s",
// "0.25s", "60s". Seconds always, so that messages read alike whatever the
// timeout was set to.
#include <chrono>
#include <string>

namespace smtp::check {

std::string seconds_text(std::chrono::milliseconds duration);

}  // namespace smtp::check
