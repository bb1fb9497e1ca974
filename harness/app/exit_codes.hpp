#pragma once
// Exit codes every command shares (README "Exit codes").
namespace smtp::app {
inline constexpr int exit_ok = 0;             // success
inline constexpr int exit_failed = 1;         // a check or threshold failed
inline constexpr int exit_usage = 2;          // bad arguments or a bad script
inline constexpr int exit_interrupted = 130;  // SIGINT, partial results written
}  // namespace smtp::app
